/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_kd.c - Key Download payload codec (ike_kd.h, RFC 9838 §4.5). */
#include <string.h>

#include "ike_kd.h"

#define KWP_MIN_OUT 16

/* The attributes of a bag must be well framed (values are read later). */
static int attrs_ok(const uint8_t *q, size_t left)
{
	while (left) {
		struct ike_attr a;
		int e = ike_attr_next(&q, &left, &a);

		if (e)
			return e;
	}
	return IKE_E_OK;
}

/* One key bag at q (left octets): fills bag, *used = its Length. */
static int parse_bag(const uint8_t *q, size_t left, struct ike_key_bag *bag, size_t *used)
{
	size_t blen, hlen;

	if (left < IKE_KD_BAG_HDR_LEN)
		return IKE_E_MALFORMED;
	memset(bag, 0, sizeof(*bag));
	bag->proto = q[0];
	blen = ike_get16(q + 2);
	if (bag->proto == IKE_KD_MEMBER_KEY_BAG) {
		if (q[1] != 0)
			return IKE_E_MALFORMED; /* RESERVED in a Member Key Bag */
	} else {
		bag->spi_size = q[1];
		if (bag->spi_size > IKE_KD_SPI_MAX)
			return IKE_E_MALFORMED;
		bag->spi = bag->spi_size ? q + IKE_KD_BAG_HDR_LEN : NULL;
	}
	hlen = IKE_KD_BAG_HDR_LEN + bag->spi_size;
	if (blen < hlen || blen > left)
		return IKE_E_MALFORMED;
	bag->attrs = q + hlen;
	bag->attrs_len = blen - hlen;
	*used = blen;
	return attrs_ok(bag->attrs, bag->attrs_len);
}

int ike_kd_parse(const struct ike_payload *p, struct ike_kd *kd)
{
	const uint8_t *q;
	size_t left;

	if (!p || !kd || p->type != IKE_PT_KD)
		return IKE_E_INVALID;
	memset(kd, 0, sizeof(*kd));
	q = p->body;
	left = p->body_len;
	if (!left)
		return IKE_E_MALFORMED;
	while (left) {
		size_t used;
		int e;

		if (kd->n >= IKE_KD_MAX_BAGS)
			return IKE_E_TOO_MANY;
		e = parse_bag(q, left, &kd->bag[kd->n], &used);
		if (e)
			return e;
		kd->n++;
		q += used;
		left -= used;
	}
	return IKE_E_OK;
}

int ike_wrapped_key_parse(const struct ike_attr *a, struct ike_wrapped_key *wk)
{
	if (!a || !wk)
		return IKE_E_INVALID;
	if (a->tv || a->type != IKE_KD_ATTR_SA_KEY || a->len < IKE_KD_WRAPPED_HDR_LEN + KWP_MIN_OUT)
		return IKE_E_MALFORMED;
	wk->key_id = ike_get32(a->data);
	wk->kwk_id = ike_get32(a->data + 4);
	wk->wrapped = a->data + IKE_KD_WRAPPED_HDR_LEN;
	wk->wrapped_len = a->len - IKE_KD_WRAPPED_HDR_LEN;
	return IKE_E_OK;
}

int ike_bag_sa_key(const struct ike_key_bag *bag, struct ike_wrapped_key *wk)
{
	const uint8_t *q;
	size_t left;
	unsigned found = 0;

	if (!bag || !wk)
		return IKE_E_INVALID;
	if (bag->proto == IKE_KD_MEMBER_KEY_BAG)
		return IKE_E_MALFORMED;
	q = bag->attrs;
	left = bag->attrs_len;
	while (left) {
		struct ike_attr a;
		int e = ike_attr_next(&q, &left, &a);

		if (e)
			return e;
		if (a.type != IKE_KD_ATTR_SA_KEY)
			continue;
		if (found++)
			return IKE_E_MALFORMED; /* a second SA_KEY */
		e = ike_wrapped_key_parse(&a, wk);
		if (e)
			return e;
	}
	return found ? IKE_E_OK : IKE_E_MALFORMED;
}

void ike_put_group_key_bag(struct ike_builder *b, uint8_t proto, const uint8_t *spi,
			   uint8_t spi_size, uint32_t key_id, uint32_t kwk_id,
			   const uint8_t *wrapped, size_t wrapped_len)
{
	size_t alen = IKE_KD_WRAPPED_HDR_LEN + wrapped_len;
	size_t blen = IKE_KD_BAG_HDR_LEN + (size_t)spi_size + 4 + alen;

	if (b->err)
		return;
	if (proto == IKE_KD_MEMBER_KEY_BAG || spi_size > IKE_KD_SPI_MAX || blen > 0xffff) {
		b->err = IKE_E_INVALID;
		return;
	}
	ike_build_u8(b, proto);
	ike_build_u8(b, spi_size);
	ike_build_u16(b, (uint16_t)blen);
	ike_build_bytes(b, spi, spi_size);
	ike_build_u16(b, IKE_KD_ATTR_SA_KEY);
	ike_build_u16(b, (uint16_t)alen);
	ike_build_u32(b, key_id);
	ike_build_u32(b, kwk_id);
	ike_build_bytes(b, wrapped, wrapped_len);
}

void ike_put_member_key_bag(struct ike_builder *b, const uint8_t *attrs, size_t attrs_len)
{
	size_t blen = IKE_KD_BAG_HDR_LEN + attrs_len;

	if (b->err)
		return;
	if (blen > 0xffff) {
		b->err = IKE_E_INVALID;
		return;
	}
	ike_build_u8(b, IKE_KD_MEMBER_KEY_BAG);
	ike_build_u8(b, 0);
	ike_build_u16(b, (uint16_t)blen);
	ike_build_bytes(b, attrs, attrs_len);
}
