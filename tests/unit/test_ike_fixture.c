/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_fixture.c - the IKE core against a real strongSwan 5.9.8 run
 * (tests/unit/data/ike/: two IKE_SA_INIT and two IKE_AUTH messages, the
 * PSK, g^ir and strongSwan's logged SKEYSEED, SK_*, AUTH values; see the
 * README there).  Recomputes every key and both AUTH values, decrypts both
 * IKE_AUTH SK payloads, and rebuilds the messages byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike_crypto.h"
#include "ike_sa.h"
#include "ike_sk.h"
#include "ike_wire.h"
#include "testhex.h"

#define FIXTURE "tests/unit/data/ike/strongswan.txt"

struct blob {
	uint8_t p[2048];
	size_t n;
};

/* The value of `name` in the fixture (asserts it is there). */
static void fx(const char *name, struct blob *b)
{
	char line[8192];
	size_t nl = strlen(name);
	FILE *f = fopen(FIXTURE, "r");

	cr_assert_not_null(f, FIXTURE " not found: run build/test_unit from the repository root");
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, name, nl) || strncmp(line + nl, " = ", 3))
			continue;
		v = line + nl + 3;
		v[strcspn(v, "\n")] = 0;
		b->n = th_unhex(v, b->p, sizeof(b->p));
		fclose(f);
		return;
	}
	fclose(f);
	cr_assert_fail("fixture has no %s", name);
}

struct sa_init {
	struct blob req, resp;
	struct ike_msg mreq, mresp;
	const uint8_t *ni, *nr;
	size_t ni_len, nr_len;
	struct ike_suite suite;
};

static void load_init(struct sa_init *s)
{
	const struct ike_payload *p;
	struct ike_proposal props[4];
	unsigned n;

	fx("init_req", &s->req);
	fx("init_resp", &s->resp);
	cr_assert_eq(ike_msg_parse(s->req.p, s->req.n, &s->mreq), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(s->resp.p, s->resp.n, &s->mresp), IKE_E_OK);
	p = ike_chain_find(&s->mreq.outer, IKE_PT_NONCE, 0);
	cr_assert_not_null(p);
	cr_assert_eq(ike_nonce_parse(p, &s->ni, &s->ni_len), IKE_E_OK);
	p = ike_chain_find(&s->mresp.outer, IKE_PT_NONCE, 0);
	cr_assert_not_null(p);
	cr_assert_eq(ike_nonce_parse(p, &s->nr, &s->nr_len), IKE_E_OK);
	p = ike_chain_find(&s->mresp.outer, IKE_PT_SA, 0);
	cr_assert_not_null(p);
	cr_assert_eq(ike_sa_parse(p, props, 4, &n), IKE_E_OK);
	cr_assert_eq(n, 1);
	cr_assert_eq(ike_suite_from_proposal(&props[0], &s->suite), IKE_E_OK);
}

static void derive(struct sa_init *s, struct ike_keys *k)
{
	struct blob gir;
	uint8_t skeyseed[IKE_PRF_MAX];

	fx("gir", &gir);
	cr_assert_eq(
	    ike_skeyseed(s->suite.prf, s->ni, s->ni_len, s->nr, s->nr_len, gir.p, gir.n, skeyseed),
	    IKE_E_OK);
	cr_assert_eq(ike_derive_keys(&s->suite, skeyseed, s->ni, s->ni_len, s->nr, s->nr_len,
				     s->mreq.hdr.spi_i, s->mresp.hdr.spi_r, k),
		     IKE_E_OK);
}

Test(ike_fixture, ike_sa_init_parses_as_strongswan_logged)
{
	struct sa_init s;
	const struct ike_payload *p;
	struct ike_ke ke;

	load_init(&s);
	/* strongSwan: SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) ... */
	cr_assert_eq(s.mreq.hdr.exch_type, IKE_EXCH_SA_INIT);
	cr_assert_eq(s.mreq.hdr.flags, IKE_FLAG_I);
	cr_assert_eq(s.mresp.hdr.flags, IKE_FLAG_R);
	cr_assert_eq(s.mreq.outer.pl[0].type, IKE_PT_SA);
	cr_assert_eq(s.mreq.outer.pl[1].type, IKE_PT_KE);
	cr_assert_eq(s.mreq.outer.pl[2].type, IKE_PT_NONCE);
	cr_assert_eq(s.ni_len, 32);
	cr_assert_eq(s.suite.encr, IKE_ENCR_AES_GCM_16);
	cr_assert_eq(s.suite.encr_bits, 256);
	cr_assert_eq(s.suite.prf, IKE_PRF_HMAC_SHA2_256);
	cr_assert_eq(s.suite.ke, IKE_KE_X25519);
	p = ike_chain_find(&s.mresp.outer, IKE_PT_KE, 0);
	cr_assert_eq(ike_ke_parse(p, &ke), IKE_E_OK);
	cr_assert_eq(ke.group, IKE_KE_X25519);
	cr_assert_eq(ke.len, 32);
	/* the responder announced childless support (RFC 6023) */
	for (unsigned i = 0, found = 0;; i++) {
		struct ike_notify n;

		p = ike_chain_find(&s.mresp.outer, IKE_PT_NOTIFY, i);
		if (!p) {
			cr_assert(found, "no N(CHILDLESS_IKEV2_SUPPORTED)");
			break;
		}
		cr_assert_eq(ike_notify_parse(p, &n), IKE_E_OK);
		found |= n.type == IKE_N_CHILDLESS_IKEV2_SUPPORTED;
	}
}

Test(ike_fixture, skeyseed_and_every_sk)
{
	struct sa_init s;
	struct ike_keys *k = ike_keys_new();
	struct blob want;

	cr_assert_not_null(k);
	load_init(&s);
	derive(&s, k);
	fx("skeyseed", &want);
	cr_assert_eq(want.n, k->prf_len);
	th_assert_mem(k->skeyseed, want.p, want.n, "SKEYSEED");
	fx("sk_d", &want);
	th_assert_mem(k->d, want.p, want.n, "SK_d");
	fx("sk_ei", &want);
	cr_assert_eq(want.n, k->ek_len);
	cr_assert_eq(k->ek_len, 36);
	th_assert_mem(k->ei, want.p, want.n, "SK_ei");
	fx("sk_er", &want);
	th_assert_mem(k->er, want.p, want.n, "SK_er");
	fx("sk_pi", &want);
	th_assert_mem(k->pi, want.p, want.n, "SK_pi");
	fx("sk_pr", &want);
	th_assert_mem(k->pr, want.p, want.n, "SK_pr");
	cr_assert_eq(k->ak_len, 0);
	ike_keys_free(k);
}

/* Decrypt an IKE_AUTH message; returns the inner chain. */
static void open_auth(const char *name, const uint8_t *sk_e, size_t sk_e_len, struct blob *msg,
		      struct ike_msg *m, uint8_t *pt, size_t cap, struct ike_chain *inner)
{
	struct ike_sk_cipher c;

	fx(name, msg);
	cr_assert_eq(ike_msg_parse(msg->p, msg->n, m), IKE_E_OK);
	cr_assert_eq(m->hdr.exch_type, IKE_EXCH_AUTH);
	cr_assert_eq(m->outer.n, 1);
	cr_assert_eq(m->sk, 0);
	cr_assert_eq(ike_sk_cipher_init(&c, IKE_ENCR_AES_GCM_16, sk_e, sk_e_len), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, m, pt, cap, inner), IKE_E_OK);
	ike_sk_cipher_free(&c);
}

Test(ike_fixture, both_auth_values_and_sk_decryption)
{
	static const uint8_t req_types[] = {IKE_PT_IDI,	   IKE_PT_NOTIFY, IKE_PT_IDR,	IKE_PT_AUTH,
					    IKE_PT_NOTIFY, IKE_PT_NOTIFY, IKE_PT_NOTIFY};
	struct sa_init s;
	struct ike_keys *k = ike_keys_new();
	struct blob msg, psk, want, idb;
	struct ike_msg m;
	struct ike_chain in;
	struct ike_id id;
	struct ike_auth a;
	uint8_t pt[1024], auth[IKE_PRF_MAX];

	load_init(&s);
	derive(&s, k);
	fx("psk", &psk);

	/* request: SK{IDi N(INIT_CONTACT) IDr AUTH N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP)} */
	open_auth("auth_req", k->ei, k->ek_len, &msg, &m, pt, sizeof(pt), &in);
	cr_assert_eq(in.n, sizeof(req_types));
	for (unsigned i = 0; i < in.n; i++)
		cr_assert_eq(in.pl[i].type, req_types[i], "inner payload %u", i);
	cr_assert_eq(ike_id_parse(&in.pl[0], &id), IKE_E_OK);
	cr_assert_eq(id.type, IKE_ID_FQDN);
	fx("idi_body", &idb);
	cr_assert_eq(id.body_len, idb.n);
	th_assert_mem(id.body, idb.p, idb.n, "IDi'");
	cr_assert_eq(ike_auth_parse(&in.pl[3], &a), IKE_E_OK);
	cr_assert_eq(a.method, IKE_AUTH_PSK);
	cr_assert_eq(ike_psk_auth(s.suite.prf, psk.p, psk.n, s.req.p, s.req.n, s.nr, s.nr_len,
				  k->pi, k->prf_len, id.body, id.body_len, auth),
		     IKE_E_OK);
	fx("auth_i", &want);
	th_assert_mem(auth, want.p, want.n, "initiator AUTH (strongSwan's log)");
	th_assert_mem(a.data, want.p, want.n, "initiator AUTH (the AUTH payload)");
	cr_assert_eq(ike_psk_auth_verify(s.suite.prf, psk.p, psk.n, s.req.p, s.req.n, s.nr,
					 s.nr_len, k->pi, k->prf_len, id.body, id.body_len, a.data,
					 a.len),
		     IKE_E_OK);
	/* a wrong PSK does not verify */
	psk.p[0] ^= 1;
	cr_assert_eq(ike_psk_auth_verify(s.suite.prf, psk.p, psk.n, s.req.p, s.req.n, s.nr,
					 s.nr_len, k->pi, k->prf_len, id.body, id.body_len, a.data,
					 a.len),
		     IKE_E_AUTH_FAILED);
	psk.p[0] ^= 1;

	/* response: SK{IDr AUTH} */
	open_auth("auth_resp", k->er, k->ek_len, &msg, &m, pt, sizeof(pt), &in);
	cr_assert_eq(in.n, 2);
	cr_assert_eq(in.pl[0].type, IKE_PT_IDR);
	cr_assert_eq(in.pl[1].type, IKE_PT_AUTH);
	cr_assert_eq(ike_id_parse(&in.pl[0], &id), IKE_E_OK);
	fx("idr_body", &idb);
	th_assert_mem(id.body, idb.p, idb.n, "IDr'");
	cr_assert_eq(ike_auth_parse(&in.pl[1], &a), IKE_E_OK);
	cr_assert_eq(ike_psk_auth(s.suite.prf, psk.p, psk.n, s.resp.p, s.resp.n, s.ni, s.ni_len,
				  k->pr, k->prf_len, id.body, id.body_len, auth),
		     IKE_E_OK);
	fx("auth_r", &want);
	th_assert_mem(auth, want.p, want.n, "responder AUTH (strongSwan's log)");
	th_assert_mem(a.data, want.p, want.n, "responder AUTH (the AUTH payload)");
	ike_keys_free(k);
}

Test(ike_fixture, sk_with_the_wrong_key_or_a_flipped_bit_is_refused)
{
	struct sa_init s;
	struct ike_keys *k = ike_keys_new();
	struct blob msg;
	struct ike_msg m;
	struct ike_chain in;
	struct ike_sk_cipher c;
	uint8_t pt[1024];

	load_init(&s);
	derive(&s, k);
	fx("auth_req", &msg);
	cr_assert_eq(ike_msg_parse(msg.p, msg.n, &m), IKE_E_OK);
	/* SK_er cannot open the initiator's message */
	cr_assert_eq(ike_sk_cipher_init(&c, IKE_ENCR_AES_GCM_16, k->er, k->ek_len), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_ICV);
	ike_sk_cipher_free(&c);
	/* the header is authenticated: flip the Message ID */
	cr_assert_eq(ike_sk_cipher_init(&c, IKE_ENCR_AES_GCM_16, k->ei, k->ek_len), IKE_E_OK);
	msg.p[23] ^= 1;
	cr_assert_eq(ike_msg_parse(msg.p, msg.n, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_ICV);
	msg.p[23] ^= 1;
	/* and so is the ciphertext */
	msg.p[msg.n - 20] ^= 0x10;
	cr_assert_eq(ike_msg_parse(msg.p, msg.n, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_ICV);
	ike_sk_cipher_free(&c);
	ike_keys_free(k);
}

/* Re-emit each inner payload of `in` (same type, C bit and body) into b. */
static void copy_chain(struct ike_builder *b, const struct ike_chain *in)
{
	for (unsigned i = 0; i < in->n; i++) {
		size_t off = ike_build_begin(b, in->pl[i].type, in->pl[i].critical);

		ike_build_bytes(b, in->pl[i].body, in->pl[i].body_len);
		ike_build_end(b, off);
	}
}

Test(ike_fixture, builder_and_seal_reproduce_strongswans_ike_auth_request)
{
	struct sa_init s;
	struct ike_keys *k = ike_keys_new();
	struct blob msg;
	struct ike_msg m;
	struct ike_chain in;
	struct ike_builder b;
	struct ike_sk_cipher c;
	uint8_t pt[1024], out[1024];
	uint64_t iv = 0;
	size_t sk, len;

	load_init(&s);
	derive(&s, k);
	open_auth("auth_req", k->ei, k->ek_len, &msg, &m, pt, sizeof(pt), &in);
	/* same header, same inner payloads, the IV strongSwan chose: same bytes */
	for (int i = 0; i < IKE_GCM_IV_LEN; i++)
		iv = iv << 8 | m.outer.pl[0].body[i];
	ike_build_init(&b, out, sizeof(out), &m.hdr);
	sk = ike_sk_begin(&b);
	copy_chain(&b, &in);
	cr_assert_eq(ike_sk_cipher_init(&c, IKE_ENCR_AES_GCM_16, k->ei, k->ek_len), IKE_E_OK);
	cr_assert_eq(ike_sk_seal(&b, sk, &c, &iv, &len), IKE_E_OK);
	cr_assert_eq(len, msg.n);
	th_assert_mem(out, msg.p, msg.n, "rebuilt IKE_AUTH request");
	ike_sk_cipher_free(&c);
	ike_keys_free(k);
}

Test(ike_fixture, builder_reproduces_strongswans_ike_sa_init_request)
{
	struct sa_init s;
	struct ike_builder b;
	struct ike_proposal props[4];
	unsigned n;
	uint8_t out[1024];
	size_t len;

	load_init(&s);
	ike_build_init(&b, out, sizeof(out), &s.mreq.hdr);
	for (unsigned i = 0; i < s.mreq.outer.n; i++) {
		const struct ike_payload *p = &s.mreq.outer.pl[i];
		struct ike_ke ke;
		struct ike_notify nt;

		switch (p->type) {
		case IKE_PT_SA:
			cr_assert_eq(ike_sa_parse(p, props, 4, &n), IKE_E_OK);
			ike_put_sa(&b, props, n);
			break;
		case IKE_PT_KE:
			cr_assert_eq(ike_ke_parse(p, &ke), IKE_E_OK);
			ike_put_ke(&b, ke.group, ke.data, ke.len);
			break;
		case IKE_PT_NONCE:
			ike_put_nonce(&b, p->body, p->body_len);
			break;
		case IKE_PT_NOTIFY:
			cr_assert_eq(ike_notify_parse(p, &nt), IKE_E_OK);
			ike_put_notify(&b, nt.proto, nt.spi, nt.spi_size, nt.type, nt.data, nt.len);
			break;
		default:
			cr_assert_fail("unexpected payload %u", p->type);
		}
	}
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(len, s.req.n);
	th_assert_mem(out, s.req.p, len, "rebuilt IKE_SA_INIT request");
}

Test(ike_fixture, responder_choice_on_strongswans_proposal)
{
	struct sa_init s;
	const struct ike_payload *p;
	struct ike_proposal theirs[4], ours[2];
	struct ike_sa_choice ch;
	struct ike_type_set known;
	unsigned n, idx;

	load_init(&s);
	p = ike_chain_find(&s.mreq.outer, IKE_PT_SA, 0);
	cr_assert_eq(ike_sa_parse(p, theirs, 4, &n), IKE_E_OK);
	ike_proposal_init(&ours[0], 1, IKE_PROTO_IKE, NULL, 0);
	ike_proposal_add(&ours[0], IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_proposal_add(&ours[0], IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_proposal_add(&ours[0], IKE_TT_KE, IKE_KE_ECP256, 0);
	ike_proposal_add(&ours[0], IKE_TT_KE, IKE_KE_X25519, 0);
	ike_type_set_standard(&known);
	cr_assert_eq(ike_sa_select(ours, 1, theirs, n, &known, &ch), IKE_E_OK);
	cr_assert_eq(ch.prop.n, 3);
	cr_assert_eq(ike_proposal_get(&ch.prop, IKE_TT_KE)->id, IKE_KE_X25519);
	/* what strongSwan answered is what we would have chosen, and the
	 * initiator's check accepts it */
	p = ike_chain_find(&s.mresp.outer, IKE_PT_SA, 0);
	cr_assert_eq(ike_sa_parse(p, ours, 2, &n), IKE_E_OK);
	cr_assert_eq(ike_sa_check_reply(theirs, 1, ours, n, &idx), IKE_E_OK);
	cr_assert_eq(idx, 0);
}
