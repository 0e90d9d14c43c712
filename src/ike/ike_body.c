/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_body.c - the simple payload bodies: KE, Nonce, ID, AUTH, Notify,
 * Delete, TS (ike_wire.h).  Every length is checked before it is used. */
#include <string.h>

#include "ike_wire.h"

int ike_ke_parse(const struct ike_payload *p, struct ike_ke *ke)
{
	if (!p || !ke || p->type != IKE_PT_KE)
		return IKE_E_INVALID;
	/* Group(2) RESERVED(2) and at least one octet of key exchange data */
	if (p->body_len < 5)
		return IKE_E_MALFORMED;
	ke->group = ike_get16(p->body);
	ke->data = p->body + 4;
	ke->len = p->body_len - 4;
	return IKE_E_OK;
}

int ike_nonce_parse(const struct ike_payload *p, const uint8_t **nonce, size_t *len)
{
	if (!p || !nonce || !len || p->type != IKE_PT_NONCE)
		return IKE_E_INVALID;
	if (p->body_len < IKE_NONCE_MIN || p->body_len > IKE_NONCE_MAX)
		return IKE_E_MALFORMED;
	*nonce = p->body;
	*len = p->body_len;
	return IKE_E_OK;
}

int ike_id_parse(const struct ike_payload *p, struct ike_id *id)
{
	if (!p || !id || (p->type != IKE_PT_IDI && p->type != IKE_PT_IDR))
		return IKE_E_INVALID;
	if (p->body_len < 5)
		return IKE_E_MALFORMED;
	id->type = p->body[0];
	id->data = p->body + 4;
	id->len = p->body_len - 4;
	id->body = p->body;
	id->body_len = p->body_len;
	if (id->type == IKE_ID_IPV4_ADDR && id->len != 4)
		return IKE_E_MALFORMED;
	if (id->type == IKE_ID_IPV6_ADDR && id->len != 16)
		return IKE_E_MALFORMED;
	return IKE_E_OK;
}

int ike_auth_parse(const struct ike_payload *p, struct ike_auth *a)
{
	if (!p || !a || p->type != IKE_PT_AUTH)
		return IKE_E_INVALID;
	if (p->body_len < 5)
		return IKE_E_MALFORMED;
	a->method = p->body[0];
	a->data = p->body + 4;
	a->len = p->body_len - 4;
	return IKE_E_OK;
}

int ike_notify_parse(const struct ike_payload *p, struct ike_notify *n)
{
	if (!p || !n || p->type != IKE_PT_NOTIFY)
		return IKE_E_INVALID;
	if (p->body_len < 4)
		return IKE_E_MALFORMED;
	n->proto = p->body[0];
	n->spi_size = p->body[1];
	n->type = ike_get16(p->body + 2);
	if (p->body_len - 4 < n->spi_size)
		return IKE_E_MALFORMED;
	n->spi = n->spi_size ? p->body + 4 : NULL;
	n->data = p->body + 4 + n->spi_size;
	n->len = p->body_len - 4 - n->spi_size;
	return IKE_E_OK;
}

int ike_delete_parse(const struct ike_payload *p, struct ike_delete *d)
{
	if (!p || !d || p->type != IKE_PT_DELETE)
		return IKE_E_INVALID;
	if (p->body_len < 4)
		return IKE_E_MALFORMED;
	d->proto = p->body[0];
	d->spi_size = p->body[1];
	d->n_spi = ike_get16(p->body + 2);
	d->spis = p->body + 4;
	if ((size_t)d->n_spi * d->spi_size != p->body_len - 4)
		return IKE_E_MALFORMED;
	/* SPIs without a size would be uncountable nonsense */
	if (d->n_spi && !d->spi_size)
		return IKE_E_MALFORMED;
	return IKE_E_OK;
}

/* One traffic selector at q with `left` octets; *used = its length. */
static int ts_one(const uint8_t *q, size_t left, struct ike_ts *ts, size_t *used)
{
	size_t alen, tlen;

	if (left < 4)
		return IKE_E_MALFORMED;
	tlen = ike_get16(q + 2);
	if (tlen < 8 || tlen > left)
		return IKE_E_MALFORMED;
	if (q[0] == IKE_TS_IPV4_ADDR_RANGE)
		alen = 4;
	else if (q[0] == IKE_TS_IPV6_ADDR_RANGE)
		alen = 16;
	else
		return IKE_E_UNSUPPORTED;
	if (tlen != 8 + 2 * alen)
		return IKE_E_MALFORMED;
	memset(ts, 0, sizeof(*ts));
	ts->type = q[0];
	ts->ip_proto = q[1];
	ts->start_port = ike_get16(q + 4);
	ts->end_port = ike_get16(q + 6);
	memcpy(ts->start, q + 8, alen);
	memcpy(ts->end, q + 8 + alen, alen);
	*used = tlen;
	return IKE_E_OK;
}

int ike_ts_parse(const struct ike_payload *p, struct ike_ts *out, unsigned cap, unsigned *n)
{
	const uint8_t *q;
	size_t left;
	unsigned count;

	if (!p || !n || (cap && !out) || (p->type != IKE_PT_TSI && p->type != IKE_PT_TSR))
		return IKE_E_INVALID;
	*n = 0;
	if (p->body_len < 4)
		return IKE_E_MALFORMED;
	count = p->body[0];
	if (count == 0)
		return IKE_E_MALFORMED;
	if (count > cap)
		return IKE_E_TOO_MANY;
	q = p->body + 4;
	left = p->body_len - 4;
	for (unsigned i = 0; i < count; i++) {
		size_t used;
		int e = ts_one(q, left, &out[i], &used);

		if (e)
			return e;
		q += used;
		left -= used;
	}
	if (left)
		return IKE_E_MALFORMED; /* octets after the announced selectors */
	*n = count;
	return IKE_E_OK;
}
