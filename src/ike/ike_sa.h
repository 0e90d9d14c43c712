/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_sa.h - the SA payload (RFC 7296 §3.3): proposals, transforms and
 * their attributes, parsed into and built from plain structs, and the
 * proposal choice of a responder (and the check of the answer an
 * initiator gets back).
 *
 * Nothing here knows a private number: the PSP/EESP protocol IDs and the
 * PSP Parameters transform type are whatever the caller puts in its
 * proposals, and the transform types it understands are a set it passes
 * (struct ike_type_set), so a proposal carrying any other type is refused
 * as RFC 7296 §3.3.6 says while the remaining proposals are still
 * considered.
 */
#ifndef EESP_IKE_SA_H
#define EESP_IKE_SA_H

#include "ike_wire.h"

#define IKE_MAX_TRANSFORMS 16
#define IKE_PROP_SPI_MAX 16

struct ike_transform {
	uint8_t type;	      /* IKE_TT_* or a private type */
	uint16_t id;	      /* transform ID */
	uint16_t key_bits;    /* Key Length attribute; 0 = absent */
	uint8_t unknown_attr; /* carried an attribute other than Key Length */
};

struct ike_proposal {
	uint8_t num;   /* Proposal Num (1-based) */
	uint8_t proto; /* IKE_PROTO_* or a private protocol ID */
	uint8_t spi_size;
	uint8_t spi[IKE_PROP_SPI_MAX];
	uint8_t n; /* transforms in t[] */
	struct ike_transform t[IKE_MAX_TRANSFORMS];
};

/* Proposals of an SA payload into out[cap].  Refuses (BAD_PROPOSAL):
 * Last Substruc not 0/2 (proposals) or 0/3 (transforms), or 0 before the
 * end / 2,3 at the end; lengths past the payload or transform count not
 * matching; SPI Size > 16; a transform's attributes badly framed
 * (BAD_ATTR); more proposals than cap or transforms than 16 (TOO_MANY). */
int ike_sa_parse(const struct ike_payload *p, struct ike_proposal *out, unsigned cap, unsigned *n);

/* An SA payload with these proposals, numbered by their num field. */
void ike_put_sa(struct ike_builder *b, const struct ike_proposal *props, unsigned n);

/* First transform of a type in a proposal, NULL when absent. */
const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type);

/* Helpers for writing proposals in code. */
void ike_proposal_init(struct ike_proposal *p, uint8_t num, uint8_t proto, const uint8_t *spi,
		       uint8_t spi_size);
/* Append a transform; INVALID when the proposal is full. */
int ike_proposal_add(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_bits);

/* A set of transform types (256 bits). */
struct ike_type_set {
	uint8_t bits[32];
};
/* ENCR, PRF, INTEG, KE, SN, KWA, GCAUTH (1-5, 13, 14). */
void ike_type_set_standard(struct ike_type_set *s);
void ike_type_set_add(struct ike_type_set *s, uint8_t type);
int ike_type_set_has(const struct ike_type_set *s, uint8_t type);

struct ike_sa_choice {
	struct ike_proposal prop; /* their num/proto/SPI, one transform per type */
	unsigned ours;		  /* index into our list */
	unsigned theirs;	  /* index into theirs */
	unsigned refused_unknown; /* their proposals refused for an unknown type */
};

/*
 * Responder's choice.  Our proposals are in preference order; for each,
 * their proposals are tried in their order.  Theirs matches ours when:
 * same protocol; every transform type in theirs is in `known` and present
 * in ours; for each type in theirs one of their transforms (ID and Key
 * Length, no unknown attribute) is listed in ours, the first in our order
 * wins; every type of ours is in theirs unless ours lists ID 0 (NONE) for
 * it.  NO_PROPOSAL when nothing matches.
 */
int ike_sa_select(const struct ike_proposal *ours, unsigned n_ours,
		  const struct ike_proposal *theirs, unsigned n_theirs,
		  const struct ike_type_set *known, struct ike_sa_choice *out);

/*
 * Initiator's check of the responder's SA: exactly one proposal, whose num
 * names one we sent with the same protocol, holding exactly one transform
 * per type of that proposal (types we offered only as NONE may be absent),
 * each one we offered.  *sent_idx = index of that proposal.  NO_PROPOSAL
 * otherwise.
 */
int ike_sa_check_reply(const struct ike_proposal *sent, unsigned n_sent,
		       const struct ike_proposal *reply, unsigned n_reply, unsigned *sent_idx);

#endif /* EESP_IKE_SA_H */
