/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_ike.c - libFuzzer harness for the IKE core's parsers.  The first
 * octet picks what the rest is:
 *   0  a whole IKE message: ike_msg_parse(), every payload's own parser,
 *      and ike_sk_open() with a fixed key when there is an SK payload;
 *   1  SK plaintext (octet 1 = first inner type, then the inner octets):
 *      sealed with the fixed key, reparsed and opened again, so the
 *      decryption path and the inner chain see fuzzed plaintext;
 *   2  a KD payload body, plus the same octets as SA and TS bodies.
 * Invariants: every result is a known code; what parsed stays inside the
 * input; a sealed message always opens (no ICV error).
 */
#include <stdlib.h>
#include <string.h>

#include "ike_eesp.h"
#include "ike_kd.h"
#include "ike_psp.h"
#include "ike_sa.h"
#include "ike_sk.h"
#include "ike_wire.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static const uint8_t sk_e[36] = {1,  2,	 3,  4,	 5,  6,	 7,  8,	 9,  10, 11, 12,
				 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
				 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36};

static void check_inside(const struct ike_chain *c, const uint8_t *base, size_t len)
{
	for (unsigned i = 0; i < c->n; i++) {
		CHECK(c->pl[i].body >= base);
		CHECK(c->pl[i].body + c->pl[i].body_len <= base + len);
		CHECK(c->pl[i].off + IKE_GEN_HDR_LEN + c->pl[i].body_len <= len + IKE_HDR_LEN);
	}
}

/* Every payload through its own parser; results must be known codes. */
/* the key-download children's readers (ike_psp.h, ike_eesp.h) on a bag */
static void kd_children(const struct ike_kd *kd, const struct ike_key_bag *bag)
{
	static const uint8_t kwk[IKE_PSP_KWK_LEN] = {7};
	struct ike_psp_codes c = {.proto = bag->proto, .params_type = 241};
	struct ike_eesp_sa es;
	uint8_t key[IKE_PSP_KEY_MAX];
	if (bag->spi_size != 4)
		return;
	uint32_t spi = ike_get32(bag->spi);
	int e = ike_psp_get_key(kd, &c, spi, kwk, key, 32);
	CHECK(e >= 0 && e < IKE_E__COUNT);
	e = ike_eesp_get_bag(kd, bag->proto, spi, kwk, spi & 1, &es);
	CHECK(e >= 0 && e < IKE_E__COUNT);
	CHECK(e || es.key_len == 16 || es.key_len == 32);
}

static void bodies(const struct ike_chain *c)
{
	for (unsigned i = 0; i < c->n; i++) {
		const struct ike_payload *p = &c->pl[i];
		struct ike_proposal props[8];
		struct ike_ts ts[8];
		union {
			struct ike_ke ke;
			struct ike_id id;
			struct ike_auth auth;
			struct ike_notify n;
			struct ike_delete d;
			struct ike_kd kd;
		} u;
		const uint8_t *nonce;
		size_t nl;
		unsigned n;
		int e = IKE_E_OK;

		switch (p->type) {
		case IKE_PT_SA:
			e = ike_sa_parse(p, props, 8, &n);
			if (!e)
				CHECK(n >= 1 && n <= 8);
			for (unsigned j = 0; !e && j < n; j++) {
				struct ike_psp_codes c = {.proto = props[j].proto,
							  .params_type = 241};
				unsigned v;
				uint32_t spi;
				if (!ike_psp_proposal_get(&c, &props[j], &v, &spi))
					CHECK(v <= 3 && props[j].spi_size == 4);
				if (!ike_eesp_proposal_get(props[j].proto, &props[j], &spi))
					CHECK(props[j].n == 1);
			}
			break;
		case IKE_PT_KE:
			e = ike_ke_parse(p, &u.ke);
			break;
		case IKE_PT_IDI:
		case IKE_PT_IDR:
			e = ike_id_parse(p, &u.id);
			if (!e)
				CHECK(u.id.len + 4 == p->body_len);
			break;
		case IKE_PT_AUTH:
			e = ike_auth_parse(p, &u.auth);
			break;
		case IKE_PT_NONCE:
			e = ike_nonce_parse(p, &nonce, &nl);
			break;
		case IKE_PT_NOTIFY:
			e = ike_notify_parse(p, &u.n);
			if (!e)
				CHECK(4 + u.n.spi_size + u.n.len == p->body_len);
			break;
		case IKE_PT_DELETE:
			e = ike_delete_parse(p, &u.d);
			break;
		case IKE_PT_TSI:
		case IKE_PT_TSR:
			e = ike_ts_parse(p, ts, 8, &n);
			break;
		case IKE_PT_KD:
			e = ike_kd_parse(p, &u.kd);
			if (!e) {
				for (unsigned j = 0; j < u.kd.n; j++) {
					struct ike_wrapped_key wk;
					int e2 = ike_bag_sa_key(&u.kd.bag[j], &wk);

					CHECK(e2 >= 0 && e2 < IKE_E__COUNT);
					kd_children(&u.kd, &u.kd.bag[j]);
				}
			}
			break;
		default:
			break;
		}
		CHECK(e >= 0 && e < IKE_E__COUNT);
	}
}

static void whole_message(const uint8_t *data, size_t size, struct ike_sk_cipher *c)
{
	static uint8_t pt[IKE_MSG_MAX];
	struct ike_msg m;
	struct ike_chain in;
	int e = ike_msg_parse(data, size, &m);

	CHECK(e >= 0 && e < IKE_E__COUNT);
	if (e)
		return;
	CHECK(m.len == size && m.hdr.length == size);
	check_inside(&m.outer, data, size);
	bodies(&m.outer);
	if (m.sk < 0)
		return;
	CHECK(m.outer.pl[m.sk].off + IKE_GEN_HDR_LEN + m.outer.pl[m.sk].body_len == size);
	e = ike_sk_open(c, &m, pt, sizeof(pt), &in);
	CHECK(e >= 0 && e < IKE_E__COUNT);
	if (!e)
		bodies(&in);
}

static void sealed_plaintext(const uint8_t *data, size_t size, struct ike_sk_cipher *c)
{
	static uint8_t buf[IKE_MSG_MAX], pt[IKE_MSG_MAX];
	struct ike_builder b;
	struct ike_hdr h;
	struct ike_msg m;
	struct ike_chain in;
	uint64_t iv = 1;
	size_t sk, len;
	int e;

	if (size < 1)
		return;
	memset(&h, 0, sizeof(h));
	h.exch_type = IKE_EXCH_INFORMATIONAL;
	ike_build_init(&b, buf, sizeof(buf), &h);
	sk = ike_sk_begin(&b);
	ike_build_bytes(&b, data + 1, size - 1);
	buf[sk] = data[0]; /* SK's Next Payload: the first inner type */
	e = ike_sk_seal(&b, sk, c, &iv, &len);
	if (e) {
		CHECK(e == IKE_E_NOSPACE || e == IKE_E_OVERSIZE);
		return;
	}
	CHECK(ike_msg_parse(buf, len, &m) == IKE_E_OK);
	CHECK(m.sk == 0 && m.sk_first == data[0]);
	e = ike_sk_open(c, &m, pt, sizeof(pt), &in);
	CHECK(e != IKE_E_ICV && e != IKE_E_PADDING && e >= 0 && e < IKE_E__COUNT);
	if (!e) {
		check_inside(&in, pt, size - 1);
		bodies(&in);
	}
}

static void raw_bodies(const uint8_t *data, size_t size)
{
	static const uint8_t types[] = {IKE_PT_KD, IKE_PT_SA, IKE_PT_TSI, IKE_PT_NOTIFY};
	struct ike_chain c;

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < sizeof(types); i++) {
		c.pl[i].type = types[i];
		c.pl[i].body = data;
		c.pl[i].body_len = size;
	}
	c.n = sizeof(types);
	bodies(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_sk_cipher c;
	static int keyed;

	if (!keyed) {
		CHECK(ike_sk_cipher_init(&c, IKE_ENCR_AES_GCM_16, sk_e, sizeof(sk_e)) == IKE_E_OK);
		keyed = 1;
	}
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		whole_message(data + 1, size - 1, &c);
		break;
	case 1:
		sealed_plaintext(data + 1, size - 1, &c);
		break;
	default:
		raw_bodies(data + 1, size - 1);
		break;
	}
	return 0;
}
