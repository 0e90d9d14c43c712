/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_sa.c - SA payload codec and proposal choice (ike_sa.h). */
#include <string.h>

#include "ike_sa.h"

#define PROP_HDR_LEN 8
#define XFORM_HDR_LEN 8
#define LAST_PROPOSAL 0
#define MORE_PROPOSALS 2
#define LAST_TRANSFORM 0
#define MORE_TRANSFORMS 3

/* A transform's attributes: the Key Length, or a mark for anything else. */
static int xform_attrs(const uint8_t *q, size_t left, struct ike_transform *t)
{
	int have_kl = 0;

	while (left) {
		struct ike_attr a;
		int e = ike_attr_next(&q, &left, &a);

		if (e)
			return e;
		if (a.type == IKE_ATTR_KEY_LENGTH && a.tv && !have_kl) {
			t->key_bits = a.value;
			have_kl = 1;
		} else {
			t->unknown_attr = 1;
		}
	}
	return IKE_E_OK;
}

/* The n transforms in q[0..len): exactly n, the last marked last, ending
 * exactly at len. */
static int parse_xforms(const uint8_t *q, size_t len, unsigned n, struct ike_proposal *p)
{
	size_t pos = 0;

	if (n == 0)
		return IKE_E_BAD_PROPOSAL;
	if (n > IKE_MAX_TRANSFORMS)
		return IKE_E_TOO_MANY;
	for (unsigned i = 0; i < n; i++) {
		struct ike_transform *t = &p->t[i];
		size_t tlen;
		int e;

		if (len - pos < XFORM_HDR_LEN)
			return IKE_E_BAD_PROPOSAL;
		tlen = ike_get16(q + pos + 2);
		if (tlen < XFORM_HDR_LEN || tlen > len - pos)
			return IKE_E_BAD_PROPOSAL;
		if (q[pos] != (i + 1 == n ? LAST_TRANSFORM : MORE_TRANSFORMS))
			return IKE_E_BAD_PROPOSAL;
		memset(t, 0, sizeof(*t));
		t->type = q[pos + 4];
		t->id = ike_get16(q + pos + 6);
		e = xform_attrs(q + pos + XFORM_HDR_LEN, tlen - XFORM_HDR_LEN, t);
		if (e)
			return e;
		pos += tlen;
	}
	p->n = (uint8_t)n;
	return pos == len ? IKE_E_OK : IKE_E_BAD_PROPOSAL;
}

int ike_sa_parse(const struct ike_payload *p, struct ike_proposal *out, unsigned cap, unsigned *n)
{
	const uint8_t *q;
	size_t left;
	unsigned count = 0;
	int more = 1;

	if (!p || !n || (cap && !out) || p->type != IKE_PT_SA)
		return IKE_E_INVALID;
	*n = 0;
	q = p->body;
	left = p->body_len;
	if (!left)
		return IKE_E_BAD_PROPOSAL;
	while (more) {
		struct ike_proposal *pr;
		size_t plen;
		uint8_t spi_size;
		int e;

		if (left < PROP_HDR_LEN)
			return IKE_E_BAD_PROPOSAL;
		if (q[0] != LAST_PROPOSAL && q[0] != MORE_PROPOSALS)
			return IKE_E_BAD_PROPOSAL;
		more = q[0] == MORE_PROPOSALS;
		plen = ike_get16(q + 2);
		spi_size = q[6];
		if (spi_size > IKE_PROP_SPI_MAX || plen < PROP_HDR_LEN + (size_t)spi_size ||
		    plen > left)
			return IKE_E_BAD_PROPOSAL;
		if (count >= cap)
			return IKE_E_TOO_MANY;
		pr = &out[count];
		memset(pr, 0, sizeof(*pr));
		pr->num = q[4];
		pr->proto = q[5];
		pr->spi_size = spi_size;
		memcpy(pr->spi, q + PROP_HDR_LEN, spi_size);
		e = parse_xforms(q + PROP_HDR_LEN + spi_size, plen - PROP_HDR_LEN - spi_size, q[7],
				 pr);
		if (e)
			return e;
		count++;
		q += plen;
		left -= plen;
	}
	if (left)
		return IKE_E_BAD_PROPOSAL; /* octets after the proposal marked last */
	*n = count;
	return IKE_E_OK;
}

static void put_xform(struct ike_builder *b, const struct ike_transform *t, int last)
{
	ike_build_u8(b, last ? LAST_TRANSFORM : MORE_TRANSFORMS);
	ike_build_u8(b, 0);
	ike_build_u16(b, t->key_bits ? XFORM_HDR_LEN + 4 : XFORM_HDR_LEN);
	ike_build_u8(b, t->type);
	ike_build_u8(b, 0);
	ike_build_u16(b, t->id);
	if (t->key_bits)
		ike_put_attr_tv(b, IKE_ATTR_KEY_LENGTH, t->key_bits);
}

void ike_put_sa(struct ike_builder *b, const struct ike_proposal *props, unsigned n)
{
	size_t off = ike_build_begin(b, IKE_PT_SA, 0);

	for (unsigned i = 0; i < n && !b->err; i++) {
		const struct ike_proposal *p = &props[i];
		size_t poff = b->len;

		if (p->spi_size > IKE_PROP_SPI_MAX || p->n > IKE_MAX_TRANSFORMS) {
			b->err = IKE_E_INVALID;
			return;
		}
		ike_build_u8(b, i + 1 == n ? LAST_PROPOSAL : MORE_PROPOSALS);
		ike_build_u8(b, 0);
		ike_build_u16(b, 0); /* length, below */
		ike_build_u8(b, p->num);
		ike_build_u8(b, p->proto);
		ike_build_u8(b, p->spi_size);
		ike_build_u8(b, p->n);
		ike_build_bytes(b, p->spi, p->spi_size);
		for (unsigned j = 0; j < p->n; j++)
			put_xform(b, &p->t[j], j + 1 == p->n);
		if (!b->err) {
			if (b->len - poff > 0xffff)
				b->err = IKE_E_OVERSIZE;
			else
				ike_put16(b->buf + poff + 2, (uint16_t)(b->len - poff));
		}
	}
	ike_build_end(b, off);
}

const struct ike_transform *ike_proposal_get(const struct ike_proposal *p, uint8_t type)
{
	for (unsigned i = 0; p && i < p->n; i++)
		if (p->t[i].type == type)
			return &p->t[i];
	return NULL;
}

void ike_proposal_init(struct ike_proposal *p, uint8_t num, uint8_t proto, const uint8_t *spi,
		       uint8_t spi_size)
{
	memset(p, 0, sizeof(*p));
	p->num = num;
	p->proto = proto;
	if (spi && spi_size <= IKE_PROP_SPI_MAX) {
		p->spi_size = spi_size;
		memcpy(p->spi, spi, spi_size);
	}
}

int ike_proposal_add(struct ike_proposal *p, uint8_t type, uint16_t id, uint16_t key_bits)
{
	struct ike_transform *t;

	if (!p || p->n >= IKE_MAX_TRANSFORMS)
		return IKE_E_INVALID;
	t = &p->t[p->n++];
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->id = id;
	t->key_bits = key_bits;
	return IKE_E_OK;
}

void ike_type_set_standard(struct ike_type_set *s)
{
	static const uint8_t std[] = {IKE_TT_ENCR, IKE_TT_PRF, IKE_TT_INTEG, IKE_TT_KE,
				      IKE_TT_SN,   IKE_TT_KWA, IKE_TT_GCAUTH};

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(std); i++)
		ike_type_set_add(s, std[i]);
}

void ike_type_set_add(struct ike_type_set *s, uint8_t type)
{
	s->bits[type >> 3] |= (uint8_t)(1u << (type & 7));
}

int ike_type_set_has(const struct ike_type_set *s, uint8_t type)
{
	return s->bits[type >> 3] >> (type & 7) & 1;
}

static int has_type(const struct ike_proposal *p, uint8_t type)
{
	return ike_proposal_get(p, type) != NULL;
}

static int offers_none(const struct ike_proposal *p, uint8_t type)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->t[i].type == type && p->t[i].id == 0)
			return 1;
	return 0;
}

static int same_xform(const struct ike_transform *a, const struct ike_transform *b)
{
	return a->type == b->type && a->id == b->id && a->key_bits == b->key_bits &&
	       !a->unknown_attr && !b->unknown_attr;
}

/* Our first transform of type that theirs also carries, NULL if none. */
static const struct ike_transform *pick(const struct ike_proposal *ours,
					const struct ike_proposal *theirs, uint8_t type)
{
	for (unsigned i = 0; i < ours->n; i++) {
		if (ours->t[i].type != type)
			continue;
		for (unsigned j = 0; j < theirs->n; j++)
			if (same_xform(&ours->t[i], &theirs->t[j]))
				return &theirs->t[j];
	}
	return NULL;
}

static int first_of_type(const struct ike_proposal *p, unsigned idx)
{
	for (unsigned i = 0; i < idx; i++)
		if (p->t[i].type == p->t[idx].type)
			return 0;
	return 1;
}

/* Does theirs match ours?  On success out holds the reduced proposal. */
static int match(const struct ike_proposal *ours, const struct ike_proposal *theirs,
		 struct ike_proposal *out)
{
	if (ours->proto != theirs->proto)
		return 0;
	ike_proposal_init(out, theirs->num, theirs->proto, theirs->spi, theirs->spi_size);
	for (unsigned j = 0; j < theirs->n; j++) {
		const struct ike_transform *t;

		if (!first_of_type(theirs, j))
			continue;
		t = pick(ours, theirs, theirs->t[j].type);
		if (!t)
			return 0;
		out->t[out->n++] = *t;
	}
	for (unsigned i = 0; i < ours->n; i++)
		if (!has_type(theirs, ours->t[i].type) && !offers_none(ours, ours->t[i].type))
			return 0;
	return 1;
}

static int all_types_known(const struct ike_proposal *p, const struct ike_type_set *known)
{
	for (unsigned i = 0; i < p->n; i++)
		if (!ike_type_set_has(known, p->t[i].type))
			return 0;
	return 1;
}

int ike_sa_select(const struct ike_proposal *ours, unsigned n_ours,
		  const struct ike_proposal *theirs, unsigned n_theirs,
		  const struct ike_type_set *known, struct ike_sa_choice *out)
{
	if (!ours || !theirs || !known || !out)
		return IKE_E_INVALID;
	memset(out, 0, sizeof(*out));
	/* RFC 7296 §3.3.6: an unknown type makes that proposal unacceptable */
	for (unsigned j = 0; j < n_theirs; j++)
		out->refused_unknown += !all_types_known(&theirs[j], known);
	for (unsigned i = 0; i < n_ours; i++) {
		for (unsigned j = 0; j < n_theirs; j++) {
			if (!all_types_known(&theirs[j], known))
				continue;
			if (match(&ours[i], &theirs[j], &out->prop)) {
				out->ours = i;
				out->theirs = j;
				return IKE_E_OK;
			}
		}
	}
	memset(&out->prop, 0, sizeof(out->prop));
	return IKE_E_NO_PROPOSAL;
}

/* Every transform of r is one of s's, one per type, no unknown attribute. */
static int reply_subset(const struct ike_proposal *s, const struct ike_proposal *r)
{
	for (unsigned j = 0; j < r->n; j++) {
		int offered = 0;

		if (!first_of_type(r, j))
			return 0;
		for (unsigned i = 0; i < s->n && !offered; i++)
			offered = same_xform(&s->t[i], &r->t[j]);
		if (!offered)
			return 0;
	}
	return 1;
}

int ike_sa_check_reply(const struct ike_proposal *sent, unsigned n_sent,
		       const struct ike_proposal *reply, unsigned n_reply, unsigned *sent_idx)
{
	if (!sent || !reply || !sent_idx)
		return IKE_E_INVALID;
	if (n_reply != 1)
		return IKE_E_NO_PROPOSAL;
	for (unsigned i = 0; i < n_sent; i++) {
		const struct ike_proposal *s = &sent[i];

		if (s->num != reply->num)
			continue;
		if (s->proto != reply->proto || !reply_subset(s, reply))
			return IKE_E_NO_PROPOSAL;
		for (unsigned k = 0; k < s->n; k++)
			if (!has_type(reply, s->t[k].type) && !offers_none(s, s->t[k].type))
				return IKE_E_NO_PROPOSAL;
		*sent_idx = i;
		return IKE_E_OK;
	}
	return IKE_E_NO_PROPOSAL;
}
