/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inner.h - inside the core only: the checks of a decrypted inner packet
 * that both wire modes' open paths end with (packet_eesp.c, packet_psp.c).
 */
#ifndef EESP_INNER_H
#define EESP_INNER_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * EESP (eesp.7 Payload, RECEIVE PROCESSING): the optimized format holds one
 * IPv4/IPv6 packet (version nibble, total length) and at most 255 trailing
 * padding bytes; the full format a Payload Info Header, exactly one inner
 * packet and exactly Pad Length bytes of padding.  On success the inner
 * packet is pkt[*inner_off .. *inner_off + *inner_len).
 * EESP_E_BAD_INNER or EESP_E_BAD_PIH otherwise.
 */
int eesp_inner_check(const uint8_t *pkt, const struct eesp_view *v, size_t *inner_off,
		     size_t *inner_len);

/* PSP: with Next Header 4 or 41 the payload is exactly one IPv4/IPv6 packet
 * of that version; any other Next Header is handed on as it is. */
int psp_inner_check(const uint8_t *pkt, const struct psp_view *v, size_t *inner_off,
		    size_t *inner_len);

#endif /* EESP_INNER_H */
