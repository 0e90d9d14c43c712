/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_wire.c - IKE header, payload chain and simple payloads: round
 * trips through the builder, and every refusal of the parser with the
 * code meant for it (truncated, length overflow, broken Next Payload
 * chain, SK not last, critical unknown payload, oversized).
 */
#include <string.h>

#include "ike_wire.h"
#include "testhex.h"

static struct ike_hdr hdr(uint8_t exch, uint8_t flags, uint32_t mid)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof(h));
	memset(h.spi_i, 0x11, 8);
	memset(h.spi_r, 0x22, 8);
	h.exch_type = exch;
	h.flags = flags;
	h.msg_id = mid;
	return h;
}

/* A message with a Nonce and a Notify, n octets long. */
static size_t sample(uint8_t *buf, size_t cap)
{
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_SA_INIT, IKE_FLAG_I, 0);
	uint8_t nonce[32];
	size_t len = 0;

	memset(nonce, 0xab, sizeof(nonce));
	ike_build_init(&b, buf, cap, &h);
	ike_put_nonce(&b, nonce, sizeof(nonce));
	ike_put_notify(&b, 0, NULL, 0, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	return len;
}

Test(ike_wire, header_round_trip_and_lengths)
{
	uint8_t buf[256];
	size_t n = sample(buf, sizeof(buf));
	struct ike_msg m;

	cr_assert_eq(n, 28 + 36 + 8);
	cr_assert_eq(ike_get32(buf + 24), n);
	cr_assert_eq(buf[16], IKE_PT_NONCE);
	cr_assert_eq(buf[17], IKE_VERSION);
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_OK);
	cr_assert_eq(m.hdr.exch_type, IKE_EXCH_SA_INIT);
	cr_assert_eq(m.hdr.flags, IKE_FLAG_I);
	cr_assert_eq(m.outer.n, 2);
	cr_assert_eq(m.outer.pl[0].type, IKE_PT_NONCE);
	cr_assert_eq(m.outer.pl[0].off, 28);
	cr_assert_eq(m.outer.pl[1].type, IKE_PT_NOTIFY);
	cr_assert_eq(m.sk, -1);
}

Test(ike_wire, header_refusals)
{
	uint8_t buf[256];
	size_t n = sample(buf, sizeof(buf));
	struct ike_hdr h;
	static uint8_t big[IKE_MSG_MAX + 1];

	cr_assert_eq(ike_hdr_parse(buf, 27, &h), IKE_E_TRUNCATED);
	cr_assert_eq(ike_hdr_parse(buf, n - 1, &h), IKE_E_BAD_LENGTH);
	cr_assert_eq(ike_hdr_parse(buf, n + 1, &h), IKE_E_BAD_LENGTH);
	buf[17] = 0x10; /* IKEv1 */
	cr_assert_eq(ike_hdr_parse(buf, n, &h), IKE_E_BAD_VERSION);
	buf[17] = 0x21; /* minor version is ignored */
	cr_assert_eq(ike_hdr_parse(buf, n, &h), IKE_E_OK);
	memcpy(big, buf, 28);
	ike_put32(big + 24, sizeof(big));
	cr_assert_eq(ike_hdr_parse(big, sizeof(big), &h), IKE_E_OVERSIZE);
}

/* Patch a generic header field in the sample and reparse. */
static int parse_patched(size_t off, uint8_t v)
{
	uint8_t buf[256];
	size_t n = sample(buf, sizeof(buf));
	struct ike_msg m;

	buf[off] = v;
	return ike_msg_parse(buf, n, &m);
}

Test(ike_wire, chain_refusals)
{
	uint8_t buf[256];
	size_t n;
	struct ike_msg m;

	/* Nonce Length: 3 (< header), 0x0100 (past the end) */
	cr_assert_eq(parse_patched(28 + 3, 3), IKE_E_PAYLOAD_LENGTH);
	cr_assert_eq(parse_patched(28 + 2, 1), IKE_E_PAYLOAD_LENGTH);
	/* a Nonce shorter than it is: the "next" header is nonce octets */
	cr_assert_eq(parse_patched(28 + 3, 32), IKE_E_PAYLOAD_LENGTH);
	/* the Nonce claims to be last but the Notify follows */
	cr_assert_eq(parse_patched(28, IKE_PT_NONE), IKE_E_BAD_CHAIN);
	/* the Notify names a next payload that is not there */
	cr_assert_eq(parse_patched(28 + 36, IKE_PT_VENDOR), IKE_E_BAD_CHAIN);
	/* trailing garbage after the last payload (header Length covers it) */
	n = sample(buf, sizeof(buf));
	memset(buf + n, 0, 4);
	ike_put32(buf + 24, n + 4);
	cr_assert_eq(ike_msg_parse(buf, n + 4, &m), IKE_E_BAD_CHAIN);
	/* truncated datagram */
	n = sample(buf, sizeof(buf));
	ike_put32(buf + 24, n - 5);
	cr_assert_eq(ike_msg_parse(buf, n - 5, &m), IKE_E_TRUNCATED);
	ike_put32(buf + 24, n - 1);
	cr_assert_eq(ike_msg_parse(buf, n - 1, &m), IKE_E_PAYLOAD_LENGTH);
}

Test(ike_wire, unknown_payloads_skipped_or_critical)
{
	uint8_t buf[256];
	size_t n;
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, IKE_FLAG_I, 2);
	struct ike_msg m;
	size_t off;

	ike_build_init(&b, buf, sizeof(buf), &h);
	off = ike_build_begin(&b, 200, 0); /* unknown, not critical */
	ike_build_bytes(&b, "xyz", 3);
	ike_build_end(&b, off);
	ike_put_vendor(&b, (const uint8_t *)"eesp", 4);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_OK);
	cr_assert_eq(m.outer.n, 1);
	cr_assert_eq(m.outer.skipped, 1);
	cr_assert_eq(m.outer.pl[0].type, IKE_PT_VENDOR);
	/* the same with the critical bit: the whole message is refused */
	buf[28 + 1] = IKE_CRITICAL;
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_CRITICAL);
	cr_assert_eq(m.outer.critical_type, 200);
	/* a known payload's C bit is ignored (RFC 7296 §3.2) */
	buf[28 + 1] = 0;
	buf[28 + 7 + 1] = IKE_CRITICAL;
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_OK);
	cr_assert_eq(m.outer.pl[0].critical, 1);
}

Test(ike_wire, sk_must_be_last)
{
	uint8_t buf[256];
	size_t n, off;
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_AUTH, IKE_FLAG_I, 1);
	struct ike_msg m;
	struct ike_chain c;

	ike_build_init(&b, buf, sizeof(buf), &h);
	off = ike_build_begin(&b, IKE_PT_SK, 0);
	ike_build_reserve(&b, 8 + 1 + 16);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_OK);
	cr_assert_eq(m.sk, 0);
	/* octets after the SK payload */
	memset(buf + n, 0, 8);
	ike_put32(buf + 24, n + 8);
	cr_assert_eq(ike_msg_parse(buf, n + 8, &m), IKE_E_SK_NOT_LAST);
	/* an SK inside SK's plaintext */
	cr_assert_eq(ike_chain_parse(buf + 28, n - 28, 28, IKE_PT_SK, 0, &c), IKE_E_MALFORMED);
}

Test(ike_wire, too_many_payloads)
{
	uint8_t buf[1024];
	size_t n;
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, 0, 3);
	struct ike_msg m;

	ike_build_init(&b, buf, sizeof(buf), &h);
	for (int i = 0; i < IKE_MAX_PAYLOADS + 1; i++)
		ike_put_vendor(&b, (const uint8_t *)"v", 1);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_TOO_MANY);
}

Test(ike_wire, builder_nospace_is_sticky)
{
	uint8_t buf[40], nonce[32] = {0};
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_SA_INIT, IKE_FLAG_I, 0);
	size_t n;

	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_nonce(&b, nonce, sizeof(nonce));
	ike_put_vendor(&b, (const uint8_t *)"v", 1);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_NOSPACE);
	ike_build_init(&b, buf, 20, &h);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_NOSPACE);
}

/* Build one payload of `type` with body bytes, parse it back. */
static struct ike_payload one(uint8_t *buf, size_t cap, uint8_t type, const void *body, size_t len)
{
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, 0, 0);
	struct ike_msg m;
	size_t n, off;

	ike_build_init(&b, buf, cap, &h);
	off = ike_build_begin(&b, type, 0);
	ike_build_bytes(&b, body, len);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_OK);
	cr_assert_eq(m.outer.n, 1);
	return m.outer.pl[0];
}

Test(ike_wire, simple_bodies_round_trip)
{
	uint8_t buf[512], ip6[16] = {0x20, 0x01, 0x0d, 0xb8}, spis[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, IKE_FLAG_R, 9);
	struct ike_msg m;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_auth a;
	struct ike_notify nt;
	struct ike_delete d;
	struct ike_ts ts[2], back[4];
	unsigned nts;
	size_t n;

	memset(ts, 0, sizeof(ts));
	ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	ts[0].end_port = 65535;
	memcpy(ts[0].start, "\xc6\x33\x64\x00", 4);
	memcpy(ts[0].end, "\xc6\x33\x64\xff", 4);
	ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
	ts[1].ip_proto = 17;
	memcpy(ts[1].start, ip6, 16);
	memcpy(ts[1].end, ip6, 16);
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_ke(&b, IKE_KE_X25519, ip6, 16);
	ike_put_id(&b, IKE_PT_IDI, IKE_ID_KEY_ID, (const uint8_t *)"client-7", 8);
	ike_put_auth(&b, IKE_AUTH_PSK, spis, 8);
	ike_put_notify(&b, IKE_PROTO_ESP, spis, 4, IKE_N_REKEY_SA, NULL, 0);
	ike_put_delete(&b, IKE_PROTO_ESP, 4, spis, 2);
	ike_put_ts(&b, IKE_PT_TSI, ts, 2);
	cr_assert_eq(ike_build_finish(&b, &n), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, n, &m), IKE_E_OK);
	cr_assert_eq(m.outer.n, 6);
	cr_assert_eq(ike_ke_parse(&m.outer.pl[0], &ke), IKE_E_OK);
	cr_assert(ke.group == IKE_KE_X25519 && ke.len == 16);
	cr_assert_eq(ike_id_parse(&m.outer.pl[1], &id), IKE_E_OK);
	cr_assert(id.type == IKE_ID_KEY_ID && id.len == 8 && !memcmp(id.data, "client-7", 8));
	cr_assert_eq(id.body_len, 12);
	cr_assert_eq(ike_auth_parse(&m.outer.pl[2], &a), IKE_E_OK);
	cr_assert(a.method == IKE_AUTH_PSK && a.len == 8);
	cr_assert_eq(ike_notify_parse(&m.outer.pl[3], &nt), IKE_E_OK);
	cr_assert(nt.type == IKE_N_REKEY_SA && nt.spi_size == 4 && nt.len == 0);
	cr_assert(!memcmp(nt.spi, spis, 4));
	cr_assert_eq(ike_delete_parse(&m.outer.pl[4], &d), IKE_E_OK);
	cr_assert(d.n_spi == 2 && d.spi_size == 4 && !memcmp(d.spis, spis, 8));
	cr_assert_eq(ike_ts_parse(&m.outer.pl[5], back, 4, &nts), IKE_E_OK);
	cr_assert_eq(nts, 2);
	cr_assert(!memcmp(&back[0], &ts[0], sizeof(ts[0])));
	cr_assert(!memcmp(&back[1], &ts[1], sizeof(ts[1])));
	cr_assert_eq(ike_ts_parse(&m.outer.pl[5], back, 1, &nts), IKE_E_TOO_MANY);
}

Test(ike_wire, simple_body_refusals)
{
	uint8_t buf[512], body[300] = {0};
	struct ike_payload p;
	const uint8_t *nonce;
	size_t nl;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_notify nt;
	struct ike_delete d;
	struct ike_ts ts[2];
	unsigned n;

	p = one(buf, sizeof(buf), IKE_PT_NONCE, body, 15);
	cr_assert_eq(ike_nonce_parse(&p, &nonce, &nl), IKE_E_MALFORMED);
	p = one(buf, sizeof(buf), IKE_PT_NONCE, body, 257);
	cr_assert_eq(ike_nonce_parse(&p, &nonce, &nl), IKE_E_MALFORMED);
	p = one(buf, sizeof(buf), IKE_PT_KE, body, 4);
	cr_assert_eq(ike_ke_parse(&p, &ke), IKE_E_MALFORMED);
	body[0] = IKE_ID_IPV4_ADDR;
	p = one(buf, sizeof(buf), IKE_PT_IDI, body, 4 + 5);
	cr_assert_eq(ike_id_parse(&p, &id), IKE_E_MALFORMED);
	p = one(buf, sizeof(buf), IKE_PT_IDI, body, 4 + 4);
	cr_assert_eq(ike_id_parse(&p, &id), IKE_E_OK);
	/* Notify SPI Size larger than the body */
	body[1] = 8;
	p = one(buf, sizeof(buf), IKE_PT_NOTIFY, body, 4 + 4);
	cr_assert_eq(ike_notify_parse(&p, &nt), IKE_E_MALFORMED);
	/* Delete: 3 SPIs of 4 announced, 8 octets present */
	body[1] = 4;
	ike_put16(body + 2, 3);
	p = one(buf, sizeof(buf), IKE_PT_DELETE, body, 4 + 8);
	cr_assert_eq(ike_delete_parse(&p, &d), IKE_E_MALFORMED);
	/* TS: a selector whose Length is past the payload; an unknown type */
	memset(body, 0, sizeof(body));
	body[0] = 1;
	body[4] = IKE_TS_IPV4_ADDR_RANGE;
	ike_put16(body + 6, 40);
	p = one(buf, sizeof(buf), IKE_PT_TSR, body, 4 + 16);
	cr_assert_eq(ike_ts_parse(&p, ts, 2, &n), IKE_E_MALFORMED);
	body[4] = 9; /* TS_FC_ADDR_RANGE */
	ike_put16(body + 6, 16);
	p = one(buf, sizeof(buf), IKE_PT_TSR, body, 4 + 16);
	cr_assert_eq(ike_ts_parse(&p, ts, 2, &n), IKE_E_UNSUPPORTED);
	/* a parser refuses a payload of another type */
	cr_assert_eq(ike_ke_parse(&p, &ke), IKE_E_INVALID);
}

Test(ike_wire, attributes)
{
	uint8_t a[] = {0x80, 0x0e, 0x01, 0x00, 0x00, 0x01, 0x00, 0x02, 0xaa, 0xbb};
	const uint8_t *p = a;
	size_t left = sizeof(a);
	struct ike_attr at;

	cr_assert_eq(ike_attr_next(&p, &left, &at), IKE_E_OK);
	cr_assert(at.tv && at.type == IKE_ATTR_KEY_LENGTH && at.value == 256);
	cr_assert_eq(ike_attr_next(&p, &left, &at), IKE_E_OK);
	cr_assert(!at.tv && at.type == 1 && at.len == 2 && at.data[1] == 0xbb);
	cr_assert_eq(left, 0);
	p = a + 4;
	left = 5; /* TLV of 2 octets with one present */
	cr_assert_eq(ike_attr_next(&p, &left, &at), IKE_E_BAD_ATTR);
	p = a;
	left = 3;
	cr_assert_eq(ike_attr_next(&p, &left, &at), IKE_E_BAD_ATTR);
	cr_assert_str_eq(ike_err_name(IKE_E_CRITICAL), "unsupported_critical");
	cr_assert_str_eq(ike_err_name(-1), "unknown");
}
