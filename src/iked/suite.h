/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * suite.h - an IKE SA's algorithms (ENCR with its key length, PRF, key
 * exchange group) and their strongSwan-style names
 * ("aes256gcm16-prfsha256-x25519"), the spelling of the configuration, of
 * the control socket's reports and of swanctl.conf, so that one string
 * configures both ends.
 */
#ifndef IKED_SUITE_H
#define IKED_SUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"
#include "ike_sa.h"

#define IKED_MAX_PROPOSALS 4

/* "aes256gcm16-prfsha256-x25519" (also "curve25519" for the group) into
 * *s; 0, or -1 with the offending word in bad[cap]. */
int iked_suite_parse(const char *text, struct ike_suite *s, char *bad, size_t cap);
/* The configuration spelling of s. */
void iked_suite_format(const struct ike_suite *s, char *out, size_t cap);
/* swanctl's spelling ("AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519"). */
void iked_suite_format_long(const struct ike_suite *s, char *out, size_t cap);
bool iked_suite_equal(const struct ike_suite *a, const struct ike_suite *b);
/* The name of a key exchange group ("x25519"), "group<N>" if unknown. */
const char *iked_group_name(uint16_t group, char *buf, size_t cap);

/* The IKE proposal (number num, SPI spi[spi_len]: none in IKE_SA_INIT, the
 * new SPI in a rekey) that offers s. */
void iked_suite_proposal(const struct ike_suite *s, uint8_t num, const uint8_t *spi,
			 uint8_t spi_len, struct ike_proposal *out);

/* The default proposals: aes256gcm16-prfsha256-x25519, then
 * aes128gcm16-prfsha256-ecp256; returns how many. */
unsigned iked_suite_defaults(struct ike_suite *out, unsigned cap);

#endif /* IKED_SUITE_H */
