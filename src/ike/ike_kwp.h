/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_kwp.h - AES Key Wrap with Padding (RFC 5649), the KW_5649_128/192/
 * 256 Key Wrap Algorithms of RFC 9838 that wrap the SA keys of a KD
 * payload, through OpenSSL's EVP_aes_*_wrap_pad.  The KEK is SK_w
 * (ike_kwk_derive()); its length selects AES-128/192/256.
 */
#ifndef EESP_IKE_KWP_H
#define EESP_IKE_KWP_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_proto.h"

/* Key size of a KWA transform ID (16, 24, 32), 0 when not supported. */
size_t ike_kwa_key_len(uint16_t kwa);

/* Wrapped length of n octets: 8 * ceil(n / 8) + 8 (16 for n <= 8). */
size_t ike_kwp_wrapped_len(size_t n);

/* Wrap in[in_len] (1..4096 octets) under kek (16/24/32 octets). */
int ike_kwp_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len, uint8_t *out,
		 size_t cap, size_t *out_len);

/* Unwrap; UNWRAP when the integrity check (AIV, MLI, padding) fails, in
 * which case out is wiped. */
int ike_kwp_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
		   uint8_t *out, size_t cap, size_t *out_len);

#endif /* EESP_IKE_KWP_H */
