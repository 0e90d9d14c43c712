/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_wire.c - IKEv2 header and payload chain (ike_wire.h). */
#include <string.h>

#include "ike_wire.h"

int ike_hdr_parse(const uint8_t *buf, size_t len, struct ike_hdr *h)
{
	if (!buf || !h)
		return IKE_E_INVALID;
	if (len < IKE_HDR_LEN)
		return IKE_E_TRUNCATED;
	memcpy(h->spi_i, buf, IKE_SPI_LEN);
	memcpy(h->spi_r, buf + 8, IKE_SPI_LEN);
	h->next_payload = buf[16];
	h->version = buf[17];
	h->exch_type = buf[18];
	h->flags = buf[19];
	h->msg_id = ike_get32(buf + 20);
	h->length = ike_get32(buf + 24);
	/* RFC 7296 §3.1: the minor version is ignored, the major must be 2 */
	if (h->version >> 4 != 2)
		return IKE_E_BAD_VERSION;
	if (h->length > IKE_MSG_MAX)
		return IKE_E_OVERSIZE;
	if (h->length != len)
		return IKE_E_BAD_LENGTH;
	return IKE_E_OK;
}

int ike_hdr_write(uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	if (!buf || !h)
		return IKE_E_INVALID;
	if (cap < IKE_HDR_LEN)
		return IKE_E_NOSPACE;
	memcpy(buf, h->spi_i, IKE_SPI_LEN);
	memcpy(buf + 8, h->spi_r, IKE_SPI_LEN);
	buf[16] = h->next_payload;
	buf[17] = IKE_VERSION;
	buf[18] = h->exch_type;
	buf[19] = h->flags;
	ike_put32(buf + 20, h->msg_id);
	ike_put32(buf + 24, h->length);
	return IKE_E_OK;
}

int ike_payload_known(uint8_t type)
{
	return (type >= IKE_PT_SA && type <= IKE_PT_EAP) || type == IKE_PT_KD;
}

/* One generic header at p (len left): its Next Payload, C bit and Length. */
static int gen_hdr(const uint8_t *p, size_t len, uint8_t *next, uint8_t *crit, size_t *plen)
{
	if (len == 0)
		return IKE_E_BAD_CHAIN; /* the chain promised a payload that is not there */
	if (len < IKE_GEN_HDR_LEN)
		return IKE_E_TRUNCATED;
	*next = p[0];
	*crit = p[1] & IKE_CRITICAL ? 1 : 0;
	*plen = ike_get16(p + 2);
	if (*plen < IKE_GEN_HDR_LEN || *plen > len)
		return IKE_E_PAYLOAD_LENGTH;
	return IKE_E_OK;
}

/* Record a payload, or account for an unknown one. */
static int chain_add(struct ike_chain *c, uint8_t type, uint8_t crit, const uint8_t *p, size_t plen,
		     size_t off)
{
	struct ike_payload *pl;

	if (!ike_payload_known(type)) {
		if (crit) {
			c->critical_type = type;
			return IKE_E_CRITICAL;
		}
		c->skipped++;
		return IKE_E_OK;
	}
	if (c->n >= IKE_MAX_PAYLOADS)
		return IKE_E_TOO_MANY;
	pl = &c->pl[c->n++];
	pl->type = type;
	pl->critical = crit;
	pl->body = p + IKE_GEN_HDR_LEN;
	pl->body_len = plen - IKE_GEN_HDR_LEN;
	pl->off = off;
	return IKE_E_OK;
}

int ike_chain_parse(const uint8_t *p, size_t len, size_t base_off, uint8_t first, int allow_sk,
		    struct ike_chain *c)
{
	uint8_t type = first;
	size_t pos = 0;

	if (!c || (!p && len))
		return IKE_E_INVALID;
	memset(c, 0, sizeof(*c));
	while (type != IKE_PT_NONE) {
		uint8_t next, crit;
		size_t plen;
		int e = gen_hdr(p + pos, len - pos, &next, &crit, &plen);

		if (e)
			return e;
		if (type == IKE_PT_SK) {
			if (!allow_sk)
				return IKE_E_MALFORMED; /* SK inside SK */
			if (pos + plen != len)
				return IKE_E_SK_NOT_LAST;
		}
		e = chain_add(c, type, crit, p + pos, plen, base_off + pos);
		if (e)
			return e;
		pos += plen;
		if (type == IKE_PT_SK)
			return IKE_E_OK; /* its Next Payload names the inner chain */
		type = next;
	}
	return pos == len ? IKE_E_OK : IKE_E_BAD_CHAIN;
}

const struct ike_payload *ike_chain_find(const struct ike_chain *c, uint8_t type, unsigned nth)
{
	for (unsigned i = 0; c && i < c->n; i++)
		if (c->pl[i].type == type && nth-- == 0)
			return &c->pl[i];
	return NULL;
}

unsigned ike_chain_count(const struct ike_chain *c, uint8_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; c && i < c->n; i++)
		n += c->pl[i].type == type;
	return n;
}

int ike_msg_parse(const uint8_t *buf, size_t len, struct ike_msg *m)
{
	int e;

	if (!m)
		return IKE_E_INVALID;
	memset(m, 0, sizeof(*m));
	m->sk = -1;
	e = ike_hdr_parse(buf, len, &m->hdr);
	if (e)
		return e;
	m->raw = buf;
	m->len = len;
	e = ike_chain_parse(buf + IKE_HDR_LEN, len - IKE_HDR_LEN, IKE_HDR_LEN, m->hdr.next_payload,
			    1, &m->outer);
	if (e)
		return e;
	for (unsigned i = 0; i < m->outer.n; i++) {
		if (m->outer.pl[i].type == IKE_PT_SK) {
			m->sk = (int)i;
			m->sk_first = buf[m->outer.pl[i].off];
		}
	}
	return IKE_E_OK;
}

int ike_attr_next(const uint8_t **p, size_t *left, struct ike_attr *a)
{
	const uint8_t *q;
	uint16_t t;

	if (!p || !*p || !left || !a)
		return IKE_E_INVALID;
	q = *p;
	if (*left < 4)
		return IKE_E_BAD_ATTR;
	t = ike_get16(q);
	memset(a, 0, sizeof(*a));
	a->type = t & (uint16_t)~IKE_ATTR_AF;
	if (t & IKE_ATTR_AF) {
		a->tv = 1;
		a->value = ike_get16(q + 2);
		*p = q + 4;
		*left -= 4;
		return IKE_E_OK;
	}
	a->len = ike_get16(q + 2);
	if (a->len > *left - 4)
		return IKE_E_BAD_ATTR;
	a->data = q + 4;
	*p = q + 4 + a->len;
	*left -= 4 + a->len;
	return IKE_E_OK;
}
