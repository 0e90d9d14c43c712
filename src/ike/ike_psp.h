/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_psp.h - the PSP child SA of draft-smyslov-ipsecme-ikev2-psp as eesp
 * speaks it: the CREATE_CHILD_SA's SA proposals (protocol PSP, SPI size 4,
 * one "PSP Parameters" transform and a KWA transform each) and the key
 * bags of its KD payload, each the sender's receive key for one proposal's
 * SPI wrapped under SK_w = prf+(SK_d, "Key Wrap for PSP") with AES-KWP.
 *
 * The draft leaves the protocol ID and the transform type to IANA, so the
 * caller passes them (eesp-iked.conf code_points: 201 and 241 by default)
 * and sends them only behind the eesp Vendor ID (IKE_EESP_VID).  Each
 * proposal carries its own SPI and its own key bag because a PSP key is
 * derived per version (a v0 key is not the first half of the v1 key): the
 * responder picks a proposal and uses the bag with that proposal's SPI.
 * Pure: no I/O, no global state.
 */
#ifndef EESP_IKE_PSP_H
#define EESP_IKE_PSP_H

#include <stdbool.h>

#include "ike_kd.h"
#include "ike_sa.h"

/* The eesp Vendor ID (16 ASCII octets, no NUL). */
#define IKE_EESP_VID "eesp-ikev2-kd-01"
#define IKE_EESP_VID_LEN 16

#define IKE_PSP_MAX_OFFERS 4
#define IKE_PSP_KEY_MAX 32
#define IKE_PSP_KWA IKE_KWA_5649_256
#define IKE_PSP_KWK_LEN 32

/* The private numbers in use (eesp-iked.conf code_points). */
struct ike_psp_codes {
	uint8_t proto;	     /* Security Protocol ID of PSP (201) or EESP (202) */
	uint8_t params_type; /* PSP Parameters transform type (241) */
};

/* PSP Parameters transform ID of a PSP version (Linux psp_version + 1)
 * and back (-1 when not 1-4). */
static inline uint16_t ike_psp_transform_id(unsigned version)
{
	return (uint16_t)(version + 1);
}
int ike_psp_version_of(uint16_t transform_id);
/* Key length of a PSP version: 16 (v0, v2) or 32 (v1, v3); 0 if unknown. */
size_t ike_psp_key_len(unsigned version);

/* One proposal: number num, SPI spi (0 = none, for a responder's list),
 * transforms PSP Parameters = version + 1 and KWA = KW_5649_256. */
int ike_psp_proposal(const struct ike_psp_codes *c, uint8_t num, uint32_t spi, unsigned version,
		     struct ike_proposal *out);

/* The PSP version and SPI of a chosen or received proposal: INVALID unless
 * it is protocol c->proto with a 4-octet SPI, exactly one PSP Parameters
 * transform of a known version and KWA KW_5649_256. */
int ike_psp_proposal_get(const struct ike_psp_codes *c, const struct ike_proposal *p,
			 unsigned *version, uint32_t *spi);

/* The transform types a PSP proposal may carry (for ike_sa_select()). */
void ike_psp_known_types(const struct ike_psp_codes *c, struct ike_type_set *s);

/* SK_w of an IKE SA. */
int ike_psp_kwk(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, uint8_t kwk[IKE_PSP_KWK_LEN]);

/* Append to the open KD payload one Group Key Bag: protocol c->proto, SPI
 * spi, SA_KEY with Key ID = KWK ID = 0 holding key wrapped under kwk.
 * The builder's error is set on failure. */
void ike_psp_put_bag(struct ike_builder *b, const struct ike_psp_codes *c, uint32_t spi,
		     const uint8_t kwk[IKE_PSP_KWK_LEN], const uint8_t *key, size_t key_len);

/* The key of SPI spi from a parsed KD: the bag of protocol c->proto and
 * that SPI (MALFORMED when absent or twice), its one SA_KEY with Key ID =
 * KWK ID = 0 (UNSUPPORTED otherwise), unwrapped under kwk (UNWRAP), of
 * exactly want_len octets (MALFORMED).  The key lands in out[want_len]. */
int ike_psp_get_key(const struct ike_kd *kd, const struct ike_psp_codes *c, uint32_t spi,
		    const uint8_t kwk[IKE_PSP_KWK_LEN], uint8_t *out, size_t want_len);

/* Whether a chain holds the eesp Vendor ID. */
bool ike_has_eesp_vid(const struct ike_chain *c);

#endif /* EESP_IKE_PSP_H */
