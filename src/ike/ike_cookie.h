/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_cookie.h - stateless cookies of a responder under load (RFC 7296
 * §2.6): Cookie = VersionIDofSecret(4) | SHA-256(Ni | IPi | SPIi | secret),
 * 36 octets (the limit is 64).  Two secrets are kept so that a cookie
 * handed out just before a rotation still verifies once after it; the
 * version ID names the secret.  The secrets struct holds key material:
 * put it in locked memory and ike_cookie_wipe() it.
 */
#ifndef EESP_IKE_COOKIE_H
#define EESP_IKE_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_proto.h"

#define IKE_COOKIE_SECRET_LEN 32
#define IKE_COOKIE_LEN 36

struct ike_cookie_secrets {
	uint32_t version; /* of cur; prev is version - 1 */
	uint8_t have_prev;
	uint8_t cur[IKE_COOKIE_SECRET_LEN];
	uint8_t prev[IKE_COOKIE_SECRET_LEN];
};

/* First secret (from the caller's RNG), version 1, no previous one. */
void ike_cookie_init(struct ike_cookie_secrets *s, const uint8_t secret[IKE_COOKIE_SECRET_LEN]);
/* cur becomes prev, secret becomes cur, version + 1. */
void ike_cookie_rotate(struct ike_cookie_secrets *s, const uint8_t secret[IKE_COOKIE_SECRET_LEN]);
void ike_cookie_wipe(struct ike_cookie_secrets *s);

/* The cookie for an initiator: Ni (nonce data), IPi (4 or 16 octets), SPIi. */
int ike_cookie_make(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		    const uint8_t *ip, size_t ip_len, const uint8_t spi_i[IKE_SPI_LEN],
		    uint8_t out[IKE_COOKIE_LEN]);

/* OK when cookie is what ike_cookie_make() gives under cur or prev
 * (constant-time compare), COOKIE otherwise (wrong length, unknown
 * version, mismatch). */
int ike_cookie_verify(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		      const uint8_t *ip, size_t ip_len, const uint8_t spi_i[IKE_SPI_LEN],
		      const uint8_t *cookie, size_t cookie_len);

#endif /* EESP_IKE_COOKIE_H */
