/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_build.c - the message builder and the simple payloads (ike_wire.h).
 * Errors are sticky so that a sequence of puts needs one check. */
#include <string.h>

#include "ike_wire.h"

static int room(struct ike_builder *b, size_t n)
{
	if (b->err)
		return 0;
	if (n > b->cap - b->len) {
		b->err = IKE_E_NOSPACE;
		return 0;
	}
	return 1;
}

void ike_build_init(struct ike_builder *b, uint8_t *buf, size_t cap, const struct ike_hdr *h)
{
	struct ike_hdr hh;

	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->cap = buf ? cap : 0;
	b->np_off = 16;
	if (!buf || !h) {
		b->err = IKE_E_INVALID;
		return;
	}
	hh = *h;
	hh.next_payload = IKE_PT_NONE; /* linked by the first ike_build_begin() */
	hh.length = 0;
	b->err = ike_hdr_write(buf, cap, &hh);
	if (!b->err)
		b->len = IKE_HDR_LEN;
}

size_t ike_build_begin(struct ike_builder *b, uint8_t type, int critical)
{
	size_t off = b->len;

	if (!room(b, IKE_GEN_HDR_LEN))
		return 0;
	b->buf[b->np_off] = type;
	b->np_off = off;
	b->buf[off] = IKE_PT_NONE;
	b->buf[off + 1] = critical ? IKE_CRITICAL : 0;
	ike_put16(b->buf + off + 2, 0);
	b->len += IKE_GEN_HDR_LEN;
	return off;
}

void ike_build_bytes(struct ike_builder *b, const void *p, size_t n)
{
	if (!room(b, n))
		return;
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void ike_build_u8(struct ike_builder *b, uint8_t v)
{
	ike_build_bytes(b, &v, 1);
}

void ike_build_u16(struct ike_builder *b, uint16_t v)
{
	uint8_t x[2];

	ike_put16(x, v);
	ike_build_bytes(b, x, 2);
}

void ike_build_u32(struct ike_builder *b, uint32_t v)
{
	uint8_t x[4];

	ike_put32(x, v);
	ike_build_bytes(b, x, 4);
}

size_t ike_build_reserve(struct ike_builder *b, size_t n)
{
	size_t off = b->len;

	if (!room(b, n))
		return 0;
	memset(b->buf + off, 0, n);
	b->len += n;
	return off;
}

void ike_build_end(struct ike_builder *b, size_t off)
{
	size_t plen;

	if (b->err)
		return;
	if (off < IKE_HDR_LEN || off + IKE_GEN_HDR_LEN > b->len) {
		b->err = IKE_E_INVALID;
		return;
	}
	plen = b->len - off;
	if (plen > 0xffff) {
		b->err = IKE_E_OVERSIZE;
		return;
	}
	ike_put16(b->buf + off + 2, (uint16_t)plen);
}

int ike_build_finish(struct ike_builder *b, size_t *len)
{
	if (!b->err && b->len > IKE_MSG_MAX)
		b->err = IKE_E_OVERSIZE;
	if (b->err)
		return b->err;
	ike_put32(b->buf + 24, (uint32_t)b->len);
	if (len)
		*len = b->len;
	return IKE_E_OK;
}

/* Payloads whose body is Type-ish(1) | RESERVED(3) | data, or (KE)
 * Group(2) | RESERVED(2) | data. */
static void put_simple(struct ike_builder *b, uint8_t type, const uint8_t lead[4],
		       const uint8_t *data, size_t len)
{
	size_t off = ike_build_begin(b, type, 0);

	ike_build_bytes(b, lead, 4);
	ike_build_bytes(b, data, len);
	ike_build_end(b, off);
}

void ike_put_ke(struct ike_builder *b, uint16_t group, const uint8_t *data, size_t len)
{
	uint8_t lead[4] = {(uint8_t)(group >> 8), (uint8_t)group, 0, 0};

	put_simple(b, IKE_PT_KE, lead, data, len);
}

void ike_put_nonce(struct ike_builder *b, const uint8_t *nonce, size_t len)
{
	size_t off = ike_build_begin(b, IKE_PT_NONCE, 0);

	ike_build_bytes(b, nonce, len);
	ike_build_end(b, off);
}

void ike_put_id(struct ike_builder *b, uint8_t type_, uint8_t id_type, const uint8_t *data,
		size_t len)
{
	uint8_t lead[4] = {id_type, 0, 0, 0};

	put_simple(b, type_, lead, data, len);
}

void ike_put_auth(struct ike_builder *b, uint8_t method, const uint8_t *data, size_t len)
{
	uint8_t lead[4] = {method, 0, 0, 0};

	put_simple(b, IKE_PT_AUTH, lead, data, len);
}

void ike_put_notify(struct ike_builder *b, uint8_t proto, const uint8_t *spi, uint8_t spi_size,
		    uint16_t type, const uint8_t *data, size_t len)
{
	size_t off = ike_build_begin(b, IKE_PT_NOTIFY, 0);

	ike_build_u8(b, proto);
	ike_build_u8(b, spi_size);
	ike_build_u16(b, type);
	ike_build_bytes(b, spi, spi_size);
	ike_build_bytes(b, data, len);
	ike_build_end(b, off);
}

void ike_put_delete(struct ike_builder *b, uint8_t proto, uint8_t spi_size, const uint8_t *spis,
		    uint16_t n_spi)
{
	size_t off = ike_build_begin(b, IKE_PT_DELETE, 0);

	ike_build_u8(b, proto);
	ike_build_u8(b, spi_size);
	ike_build_u16(b, n_spi);
	ike_build_bytes(b, spis, (size_t)spi_size * n_spi);
	ike_build_end(b, off);
}

void ike_put_vendor(struct ike_builder *b, const uint8_t *vid, size_t len)
{
	size_t off = ike_build_begin(b, IKE_PT_VENDOR, 0);

	ike_build_bytes(b, vid, len);
	ike_build_end(b, off);
}

void ike_put_ts(struct ike_builder *b, uint8_t type_, const struct ike_ts *ts, unsigned n)
{
	size_t off = ike_build_begin(b, type_, 0);

	if (n > 255 && !b->err)
		b->err = IKE_E_INVALID;
	ike_build_u8(b, (uint8_t)n);
	ike_build_bytes(b, "\0\0\0", 3);
	for (unsigned i = 0; i < n && !b->err; i++) {
		size_t alen = ts[i].type == IKE_TS_IPV6_ADDR_RANGE ? 16 : 4;

		ike_build_u8(b, ts[i].type);
		ike_build_u8(b, ts[i].ip_proto);
		ike_build_u16(b, (uint16_t)(8 + 2 * alen));
		ike_build_u16(b, ts[i].start_port);
		ike_build_u16(b, ts[i].end_port);
		ike_build_bytes(b, ts[i].start, alen);
		ike_build_bytes(b, ts[i].end, alen);
	}
	ike_build_end(b, off);
}

void ike_put_attr_tv(struct ike_builder *b, uint16_t type, uint16_t value)
{
	ike_build_u16(b, (uint16_t)(type | IKE_ATTR_AF));
	ike_build_u16(b, value);
}

void ike_put_attr_tlv(struct ike_builder *b, uint16_t type, const uint8_t *data, size_t len)
{
	if (len > 0xffff && !b->err)
		b->err = IKE_E_INVALID;
	ike_build_u16(b, (uint16_t)(type & ~IKE_ATTR_AF));
	ike_build_u16(b, (uint16_t)len);
	ike_build_bytes(b, data, len);
}
