/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_eesp.h - the EESP child of key download (eesp's own extension of
 * the PSP draft, behind the eesp Vendor ID): a client of an EESP trust
 * domain with profile spi holds no root key, so the key holder hands it
 * both of its SAs.  The key holder's CREATE_CHILD_SA carries one proposal
 * (protocol EESP, private 202; SPI = the key holder's receive SPI; one
 * KWA transform, KW_5649_256) and a KD with two Group Key Bags:
 *
 *   bag SPI = X (the client sends with it):  SA_KEY(key | salt),
 *       EESP_SA_PHASE (16384, 4 octets), EESP_EPOCH (16385, 4 octets)
 *   bag SPI = Y (the client receives with it): SA_KEY(key | salt)
 *
 * SA_KEY is a Wrapped Key (Key ID = KWK ID = 0) under SK_w, its plaintext
 * the AES-GCM key followed by the 4-octet salt (the RFC 4106 KEYMAT
 * order).  The client answers with the proposal and no KD.  Pure.
 */
#ifndef EESP_IKE_EESP_H
#define EESP_IKE_EESP_H

#include "ike_psp.h"

#define IKE_KD_ATTR_EESP_SA_PHASE 16384
#define IKE_KD_ATTR_EESP_EPOCH 16385
#define IKE_EESP_KEY_MAX 32
#define IKE_EESP_SALT_LEN 4

struct ike_eesp_sa {
	uint32_t spi;
	uint8_t key[IKE_EESP_KEY_MAX];
	size_t key_len; /* 16 or 32 */
	uint8_t salt[IKE_EESP_SALT_LEN];
	bool has_phase; /* the bag carried EESP_SA_PHASE and EESP_EPOCH */
	uint32_t phase, epoch;
};

/* The key holder's proposal: protocol proto, SPI spi, KWA KW_5649_256. */
int ike_eesp_proposal(uint8_t proto, uint8_t num, uint32_t spi, struct ike_proposal *out);
/* The SPI of a received one: INVALID unless protocol proto, SPI size 4,
 * exactly the one KWA transform. */
int ike_eesp_proposal_get(uint8_t proto, const struct ike_proposal *p, uint32_t *spi);

/* Append one bag to the open KD (with phase and epoch when sa->has_phase). */
void ike_eesp_put_bag(struct ike_builder *b, uint8_t proto, const uint8_t kwk[IKE_PSP_KWK_LEN],
		      const struct ike_eesp_sa *sa);
/* The bag of SPI spi: one SA_KEY (Key ID = KWK ID = 0) that unwraps to 20
 * or 36 octets, with want_phase both EESP attributes; MALFORMED, UNWRAP,
 * UNSUPPORTED (other key IDs, unknown attributes) otherwise. */
int ike_eesp_get_bag(const struct ike_kd *kd, uint8_t proto, uint32_t spi,
		     const uint8_t kwk[IKE_PSP_KWK_LEN], bool want_phase, struct ike_eesp_sa *out);

#endif /* EESP_IKE_EESP_H */
