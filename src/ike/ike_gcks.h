/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_gcks.h - the octets of eesp's domain key server (a GCKS in RFC 9838's
 * words): the root-key generations of a trust domain in a KD payload.
 *
 * Registration is GSA_REGISTRATION (exchange 40) over an established
 * childless IKE SA: the member's request carries IDg (type 50, ID type
 * KEY_ID, 4 octets: the trust domain's id); the server answers with a KD
 * (or N(AUTHORIZATION_FAILED) / N(INVALID_GROUP_ID) and nothing).  Pushes
 * are GSA_INBAND_REKEY (42) requests of the server on the same SA, with a
 * KD of the rings that changed; the member answers empty (or with an error
 * notify).  In the KD, one Group Key Bag per ring:
 *
 *   Protocol = the eesp protocol (private, 202), SPI Size 4, SPI = domain id
 *   EESP_ROOT_RING (16386, TLV 8): level(1) | 0(3) | ring id(4)
 *   EESP_ROOT_GEN  (16387, TLV 56), one per live generation:
 *       slot(1: 0 previous, 1 current, 2 next) | 0(3) | generation(4) |
 *       fingerprint(8: SHA-256 of the key, first octets) |
 *       the 32-octet root key wrapped by KW_5649_256 (40 octets)
 *
 * under GSK_w = prf+(SK_d, "Key Wrap for G-IKEv2") (RFC 9838 §3.1.1): the
 * registration SA's own wrap key.  A bag always carries the ring whole, so
 * a push replaces the member's ring (eespd root-set) and a repeated or
 * late push can only restore a state the server has already sent.  Pure.
 */
#ifndef EESP_IKE_GCKS_H
#define EESP_IKE_GCKS_H

#include <stdbool.h>

#include "ike_kd.h"

#define IKE_KD_ATTR_EESP_ROOT_RING 16386
#define IKE_KD_ATTR_EESP_ROOT_GEN 16387
#define IKE_GCKS_KWK_LEN 32
#define IKE_GCKS_KEY_LEN 32
#define IKE_GCKS_FP_LEN 8
#define IKE_GCKS_MAX_RINGS IKE_KD_MAX_BAGS

struct ike_gcks_gen {
	bool present;
	uint32_t generation;
	uint8_t fp[IKE_GCKS_FP_LEN];
	uint8_t key[IKE_GCKS_KEY_LEN];
};

struct ike_gcks_ring {
	uint8_t level; /* 0 domain, 1 tenant, 2 group (enum eesp_level) */
	uint32_t id;
	struct ike_gcks_gen gen[3]; /* previous, current, next */
};

/* GSK_w of an SA from its SK_d; 0 or CRYPTO. */
int ike_gcks_kwk(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, uint8_t out[IKE_GCKS_KWK_LEN]);
/* The fingerprint of a root key (first 8 octets of SHA-256). */
int ike_gcks_fingerprint(const uint8_t key[IKE_GCKS_KEY_LEN], uint8_t fp[IKE_GCKS_FP_LEN]);

/* IDg of a domain. */
void ike_gcks_put_idg(struct ike_builder *b, uint32_t domain);
/* The domain of an IDg payload: MALFORMED unless KEY_ID of 4 octets. */
int ike_gcks_idg_parse(const struct ike_payload *p, uint32_t *domain);

/* Append one ring's bag to the open KD (fingerprints computed here). */
void ike_gcks_put_ring(struct ike_builder *b, uint8_t proto, uint32_t domain,
		       const uint8_t kwk[IKE_GCKS_KWK_LEN], const struct ike_gcks_ring *r);
/* Every bag of the KD: protocol proto, SPI = domain, one RING attribute,
 * a current generation, slots once each, generations ascending within 3,
 * each key unwrapping to 32 octets with its fingerprint.  MALFORMED,
 * UNWRAP or UNSUPPORTED (another bag or attribute) otherwise; on error out
 * is wiped. */
int ike_gcks_get_rings(const struct ike_kd *kd, uint8_t proto, uint32_t domain,
		       const uint8_t kwk[IKE_GCKS_KWK_LEN], struct ike_gcks_ring *out, unsigned cap,
		       unsigned *n);

#endif /* EESP_IKE_GCKS_H */
