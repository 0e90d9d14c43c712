/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_pairkey.h - seed 004's pairwise keys (draft-antony-ipsecme-ikev2-
 * group-key-distribution-01) as eesp defines them: a pair key is the XOR
 * of a half only the two members can compute (from the SK_d of their own
 * pairwise IKE SA) and a half every group member and the key server can
 * compute (from the group key GK of one generation).
 *
 * The draft leaves the prf, labels, inputs, lengths and direction split
 * open; this is eesp's reading (man/eesp.7, PAIRWISE KEYS):
 *
 *   ctx    = SPIi (8) | SPIr (8) | [lo]_32 | [hi]_32 | [GroupID]_32 | [g]_32
 *            (32 octets; SPIi|SPIr in IKE header order, lo < hi the node ids)
 *   P      = prf+(SK_d, "eesp pairwise v1" | ctx)     64 octets
 *   G      = prf+(GK,   "eesp group v1"    | ctx)     64 octets
 *   K_lh   = P[0..32)  XOR G[0..32)    sealed by lo, opened by hi
 *   K_hl   = P[32..64) XOR G[32..64)   sealed by hi, opened by lo
 *
 * prf is HMAC-SHA2-256 (IKE PRF 5), prf+ that of RFC 7296 §2.13; the
 * pairwise IKE SA must have negotiated that PRF (SK_d 32 octets).  GK is a
 * 32-octet root of the group ring GroupID, generation g.
 *
 * Pure functions over caller memory, no I/O, no global state; OpenSSL EVP
 * through ike_crypto.  A member's keys for every live generation of GK are
 * in a struct ike_pk_ring, re-derived locally from the group ring with no
 * peer contact (ike_pk_ring_sync) and chosen by phase on receipt.
 */
#ifndef EESP_IKE_PAIRKEY_H
#define EESP_IKE_PAIRKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_proto.h"
#include "keys.h"

#define IKE_PK_LABEL_PAIR "eesp pairwise v1" /* 16 ASCII octets, no NUL */
#define IKE_PK_LABEL_GROUP "eesp group v1"   /* 13 ASCII octets, no NUL */
#define IKE_PK_PRF IKE_PRF_HMAC_SHA2_256
#define IKE_PK_SK_D_LEN 32
#define IKE_PK_GK_LEN EESP_ROOT_KEY_LEN
#define IKE_PK_KEY_LEN 32			 /* one direction's key */
#define IKE_PK_HALF_LEN (2 * IKE_PK_KEY_LEN)	 /* P or G: both directions */
#define IKE_PK_CTX_LEN (2 * IKE_SPI_LEN + 4 * 4) /* 32 */

/* Direction index into a derived key pair and a half. */
enum ike_pk_dir {
	IKE_PK_LO_TO_HI = 0, /* sealed by the lower node id */
	IKE_PK_HI_TO_LO = 1, /* sealed by the higher node id */
};

/* A pair in canonical form: both members fill the same struct. */
struct ike_pk_pair {
	uint8_t spi_i[IKE_SPI_LEN]; /* the pairwise IKE SA's SPIs, in header order */
	uint8_t spi_r[IKE_SPI_LEN];
	uint32_t node_lo, node_hi; /* node_lo < node_hi */
	uint32_t group_id;	   /* the ring GK belongs to */
};

/* Canonical pair from the IKE SA's SPIs and the two node ids in either
 * order; INVALID when the ids are equal. */
int ike_pk_pair_init(struct ike_pk_pair *p, const uint8_t spi_i[IKE_SPI_LEN],
		     const uint8_t spi_r[IKE_SPI_LEN], uint32_t node_a, uint32_t node_b,
		     uint32_t group_id);

/* The direction a packet from `sender` travels in; INVALID when sender is
 * not a member of the pair. */
int ike_pk_dir_of(const struct ike_pk_pair *p, uint32_t sender, enum ike_pk_dir *dir);

/* ctx (above) for generation g: IKE_PK_CTX_LEN octets. */
size_t ike_pk_context(const struct ike_pk_pair *p, uint32_t generation,
		      uint8_t out[IKE_PK_CTX_LEN]);

/* P: the pair's half.  UNSUPPORTED unless prf is IKE_PK_PRF; INVALID
 * unless sk_d_len is IKE_PK_SK_D_LEN. */
int ike_pk_pair_half(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		     const struct ike_pk_pair *p, uint32_t generation,
		     uint8_t out[IKE_PK_HALF_LEN]);

/* G: the group's half, all that the key server (or another member) can
 * compute for this pair. */
int ike_pk_group_half(const uint8_t gk[IKE_PK_GK_LEN], const struct ike_pk_pair *p,
		      uint32_t generation, uint8_t out[IKE_PK_HALF_LEN]);

/* Both directions' keys: k[IKE_PK_LO_TO_HI], k[IKE_PK_HI_TO_LO]. */
int ike_pk_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		  const uint8_t gk[IKE_PK_GK_LEN], const struct ike_pk_pair *p, uint32_t generation,
		  uint8_t k[2][IKE_PK_KEY_LEN]);

/* One member's keys of a pair for one GK generation. */
struct ike_pk_gen {
	bool present;
	uint32_t generation;
	uint8_t send[IKE_PK_KEY_LEN]; /* this member seals with it */
	uint8_t recv[IKE_PK_KEY_LEN]; /* the peer seals with it */
};

/* One member's keys of a pair for every live generation of the group ring,
 * slot for slot (enum eesp_gen_slot: previous, current, next). */
struct ike_pk_ring {
	struct ike_pk_pair pair;
	uint32_t self; /* this member's node id: pair.node_lo or node_hi */
	struct ike_pk_gen gen[EESP_GENS];
};

/* A zeroed ring in locked memory (NULL on failure); free wipes it. */
struct ike_pk_ring *ike_pk_ring_new(void);
void ike_pk_ring_free(struct ike_pk_ring *r);

/* Set the pair and the member's own id (INVALID unless self is in the pair);
 * every slot is emptied. */
int ike_pk_ring_init(struct ike_pk_ring *r, const struct ike_pk_pair *p, uint32_t self);

/*
 * Group rekey, locally: the slots follow the group ring gk (whose id must
 * be pair.group_id), each live generation's keys derived from SK_d and that
 * generation's GK, each absent slot wiped.  Run after every change of the
 * group ring (a new next, a rotation, a retirement): the previous
 * generation's pair keys stay exactly as long as the group ring keeps the
 * previous GK, i.e. until both sides (all members) have switched and the
 * key server retires it.  On error the ring is left emptied.
 */
int ike_pk_ring_sync(struct ike_pk_ring *r, uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		     const struct eesp_ring *gk);

/* The keys to seal with (GK's current generation); NULL when none. */
const struct ike_pk_gen *ike_pk_ring_current(const struct ike_pk_ring *r);

/* The keys a received packet names by its group phase (generation mod 4);
 * NULL when no live generation has that phase (unknown_generation). */
const struct ike_pk_gen *ike_pk_ring_by_phase(const struct ike_pk_ring *r, unsigned phase);

/*
 * The wire [ours]: one direction's pair key of one generation is an eesp
 * runtime SA (profile spi, eespd(8) sa-rx-set / sa-tx-set) whose SPI and
 * salt both members compute from the key alone, so no message names them:
 *
 *   S    = prf(K, "eesp pair sa v1")               32 octets
 *   salt = S[0..4)
 *   SPI  = 0x80000000 | (S[4..8) & 0x7fffffff)     (big-endian)
 *
 * Bit 31 keeps pair SPIs off 0 and away from the low SPI ranges that key
 * holders use in practice (spi_min..spi_max, eespd.conf(5) examples); a
 * collision with another SA of the receiving eespd is a 2^-31 chance per
 * SA.  The SA key is K itself.
 */
#define IKE_PK_LABEL_SA "eesp pair sa v1" /* 15 ASCII octets, no NUL */
#define IKE_PK_SALT_LEN 4
#define IKE_PK_SPI_BIT 0x80000000u
int ike_pk_sa(const uint8_t key[IKE_PK_KEY_LEN], uint32_t *spi, uint8_t salt[IKE_PK_SALT_LEN]);

#endif /* EESP_IKE_PAIRKEY_H */
