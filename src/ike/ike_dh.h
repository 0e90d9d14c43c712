/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_dh.h - the key exchange of IKE_SA_INIT (and of an IKE SA rekey):
 * X25519 (group 31, RFC 8031: 32-octet public value and secret) and
 * ECP-256 (group 19, RFC 5903: public value x | y, 64 octets, secret =
 * the x coordinate, 32 octets), through OpenSSL EVP_PKEY.
 *
 * A peer's public value is checked (length; on the curve for ECP-256) and
 * an all-zero X25519 result is refused: both give BAD_PUBLIC, which the
 * daemon treats as a malformed KE payload.
 */
#ifndef EESP_IKE_DH_H
#define EESP_IKE_DH_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_proto.h"

struct evp_pkey_st;

#define IKE_DH_PUB_MAX 64
#define IKE_DH_SECRET_MAX 32

struct ike_dh {
	uint16_t group;
	struct evp_pkey_st *pkey; /* our private key */
};

/* Public value length of a group (32, 64), 0 when the group is not ours. */
size_t ike_dh_public_len(uint16_t group);

/* A fresh key pair of group (UNSUPPORTED for others). */
int ike_dh_generate(struct ike_dh *dh, uint16_t group);

/* A key pair from a known private value (tests and vectors): 32 octets
 * for X25519, the 32-octet scalar for ECP-256. */
int ike_dh_set_private(struct ike_dh *dh, uint16_t group, const uint8_t *priv, size_t len);

/* Our public value, the KE payload data. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *len);

/* g^ir from the peer's KE data (fixed length, big-endian for ECP). */
int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
		  size_t cap, size_t *len);

/* Free the key (OpenSSL wipes it); dh can be reused. */
void ike_dh_free(struct ike_dh *dh);

#endif /* EESP_IKE_DH_H */
