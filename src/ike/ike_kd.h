/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_kd.h - the Key Download payload (type 52, RFC 9838 §4.5) that the
 * PSP draft's CREATE_CHILD_SA carries: a list of key bags.  A Group Key
 * Bag (first octet = security protocol, non-zero) names an SA by protocol
 * and SPI and holds SA_KEY attributes whose value is a Wrapped Key
 * (Key ID | KWK ID | KWA output); a Member Key Bag (first octet 0) holds
 * WRAP_KEY/AUTH_KEY/GM_SENDER_ID attributes.  Wrapping itself is
 * ike_kwp.h; here are only the octets.
 */
#ifndef EESP_IKE_KD_H
#define EESP_IKE_KD_H

#include "ike_wire.h"

#define IKE_KD_MAX_BAGS 8
#define IKE_KD_SPI_MAX 16

struct ike_key_bag {
	uint8_t proto; /* IKE_KD_MEMBER_KEY_BAG (0) or the SA's protocol */
	uint8_t spi_size;
	const uint8_t *spi;
	const uint8_t *attrs; /* the bag's attributes, walk with ike_attr_next() */
	size_t attrs_len;
};

struct ike_kd {
	uint8_t n;
	struct ike_key_bag bag[IKE_KD_MAX_BAGS];
};

/* Key bags of a KD payload.  Refuses: a bag header or Length past the
 * payload or shorter than its header and SPI (MALFORMED), a Member Key Bag
 * with a non-zero RESERVED octet (MALFORMED), SPI Size > 16 (MALFORMED),
 * attributes badly framed (BAD_ATTR), an empty KD (MALFORMED), more than
 * IKE_KD_MAX_BAGS bags (TOO_MANY). */
int ike_kd_parse(const struct ike_payload *p, struct ike_kd *kd);

struct ike_wrapped_key {
	uint32_t key_id; /* 0: SA keying material */
	uint32_t kwk_id; /* 0: the default KWK (SK_w) */
	const uint8_t *wrapped;
	size_t wrapped_len;
};

/* The Wrapped Key of an SA_KEY attribute's value (>= 8 + 16 octets for
 * a KWP output, else MALFORMED). */
int ike_wrapped_key_parse(const struct ike_attr *a, struct ike_wrapped_key *wk);

/* The bag's only SA_KEY: MALFORMED when it has none or more than one
 * (PSP draft: exactly one, Key ID = KWK ID = 0, which the caller checks),
 * or when the bag is a Member Key Bag. */
int ike_bag_sa_key(const struct ike_key_bag *bag, struct ike_wrapped_key *wk);

/* Building: open the KD with ike_build_begin(b, IKE_PT_KD, 0), add bags,
 * close with ike_build_end(). */
void ike_put_group_key_bag(struct ike_builder *b, uint8_t proto, const uint8_t *spi,
			   uint8_t spi_size, uint32_t key_id, uint32_t kwk_id,
			   const uint8_t *wrapped, size_t wrapped_len);
/* A Member Key Bag from already encoded attributes (ike_put_attr_*
 * into a scratch builder, or raw TLVs). */
void ike_put_member_key_bag(struct ike_builder *b, const uint8_t *attrs, size_t attrs_len);

#endif /* EESP_IKE_KD_H */
