/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_sa.c - SA payload codec (private protocol IDs and transform
 * types passed in, Key Length TV, KWA type 13), its refusals, and the
 * proposal choice: unknown transform types refuse only their proposal
 * (RFC 7296 §3.3.6), NONE-optional types, the initiator's reply check.
 */
#include <string.h>

#include "ike_sa.h"
#include "testhex.h"

#define PSP_PROTO 201 /* what a configuration would give */
#define PSP_PARAMS 241

static void ike_props(struct ike_proposal p[2])
{
	/* #1 with KWA (the PSP draft), #2 without: as the reference lab sent */
	ike_proposal_init(&p[0], 1, IKE_PROTO_IKE, NULL, 0);
	ike_proposal_add(&p[0], IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_proposal_add(&p[0], IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_proposal_add(&p[0], IKE_TT_KE, IKE_KE_X25519, 0);
	ike_proposal_add(&p[0], IKE_TT_KWA, IKE_KWA_5649_256, 0);
	p[1] = p[0];
	p[1].num = 2;
	p[1].n = 3;
}

/* Build an SA payload from props and parse it back into out. */
static size_t sa_round_trip(const struct ike_proposal *props, unsigned n, uint8_t *buf, size_t cap,
			    struct ike_proposal *out, unsigned *nout)
{
	struct ike_builder b;
	struct ike_hdr h;
	struct ike_msg m;
	size_t len;

	memset(&h, 0, sizeof(h));
	h.exch_type = IKE_EXCH_SA_INIT;
	ike_build_init(&b, buf, cap, &h);
	ike_put_sa(&b, props, n);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sa_parse(&m.outer.pl[0], out, 8, nout), IKE_E_OK);
	return len;
}

Test(ike_sa, round_trip_with_private_numbers)
{
	struct ike_proposal p[3], back[8];
	uint8_t buf[512], spi[4] = {0x80, 0, 0, 7};
	unsigned n;

	ike_props(p);
	ike_proposal_init(&p[2], 3, PSP_PROTO, spi, 4);
	ike_proposal_add(&p[2], PSP_PARAMS, IKE_PSP_HDR0_AES_GCM_256, 0);
	ike_proposal_add(&p[2], PSP_PARAMS, IKE_PSP_HDR0_AES_GCM_128, 0);
	ike_proposal_add(&p[2], IKE_TT_KWA, IKE_KWA_5649_256, 0);
	sa_round_trip(p, 3, buf, sizeof(buf), back, &n);
	cr_assert_eq(n, 3);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(back[i].num, p[i].num);
		cr_assert_eq(back[i].proto, p[i].proto);
		cr_assert_eq(back[i].spi_size, p[i].spi_size);
		cr_assert_eq(back[i].n, p[i].n);
		for (unsigned j = 0; j < p[i].n; j++) {
			cr_assert_eq(back[i].t[j].type, p[i].t[j].type);
			cr_assert_eq(back[i].t[j].id, p[i].t[j].id);
			cr_assert_eq(back[i].t[j].key_bits, p[i].t[j].key_bits);
			cr_assert_eq(back[i].t[j].unknown_attr, 0);
		}
	}
	cr_assert(!memcmp(back[2].spi, spi, 4));
	/* Key Length is the TV attribute 0x800E */
	cr_assert(!memcmp(buf + 28 + 4 + 8 + 8, "\x80\x0e\x01\x00", 4));
}

/* Octets of a one-proposal SA payload body from the builder, for patching. */
static size_t sa_body(uint8_t *buf, size_t cap)
{
	struct ike_proposal p[2], back[8];
	unsigned n;

	ike_props(p);
	return sa_round_trip(p, 1, buf, cap, back, &n);
}

static int sa_parse_raw(const uint8_t *buf, size_t len)
{
	struct ike_payload p = {IKE_PT_SA, 0, buf + 32, len - 32, 28};
	struct ike_proposal out[8];
	unsigned n;

	return ike_sa_parse(&p, out, 8, &n);
}

Test(ike_sa, refusals)
{
	uint8_t buf[512];
	size_t len = sa_body(buf, sizeof(buf));
	const size_t prop = 32, xf = prop + 8;

	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_OK);
	buf[prop] = 2; /* "more proposals" with none following */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	buf[prop] = 1; /* neither 0 nor 2 */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	buf[prop] = 0;
	buf[prop + 7] = 5; /* five transforms announced, four present */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	buf[prop + 7] = 3; /* three announced, four present */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	buf[prop + 7] = 4;
	ike_put16(buf + prop + 2, 0x200); /* proposal Length past the payload */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	ike_put16(buf + prop + 2, (uint16_t)(len - prop));
	buf[xf] = 0; /* first transform marked last */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	buf[xf] = 3;
	ike_put16(buf + xf + 2, 7); /* transform Length below its header */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	ike_put16(buf + xf + 2, 12);
	buf[xf + 8] = 0x00; /* Key Length as TLV whose length runs past the transform */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_ATTR);
	buf[xf + 8] = 0x80;
	buf[prop + 6] = 17; /* SPI Size beyond 16 */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_BAD_PROPOSAL);
	buf[prop + 6] = 0;
	cr_assert_eq(sa_parse_raw(buf, 32), IKE_E_BAD_PROPOSAL); /* empty SA */
	cr_assert_eq(sa_parse_raw(buf, len), IKE_E_OK);
}

Test(ike_sa, unknown_type_refuses_only_its_proposal)
{
	struct ike_proposal ours[2], theirs[2];
	struct ike_type_set known;
	struct ike_sa_choice ch;

	ike_props(theirs);
	ike_props(ours);
	ours[0] = theirs[1];
	/* a peer that does not know KWA: proposal #1 refused, #2 chosen */
	memset(&known, 0, sizeof(known));
	ike_type_set_add(&known, IKE_TT_ENCR);
	ike_type_set_add(&known, IKE_TT_PRF);
	ike_type_set_add(&known, IKE_TT_KE);
	cr_assert_eq(ike_sa_select(ours, 1, theirs, 2, &known, &ch), IKE_E_OK);
	cr_assert_eq(ch.prop.num, 2);
	cr_assert_eq(ch.theirs, 1);
	cr_assert_eq(ch.refused_unknown, 1);
	/* only the KWA proposal: NO_PROPOSAL_CHOSEN */
	cr_assert_eq(ike_sa_select(ours, 1, theirs, 1, &known, &ch), IKE_E_NO_PROPOSAL);
}

Test(ike_sa, preference_and_transform_choice)
{
	struct ike_proposal ours[2], theirs[2];
	struct ike_type_set known;
	struct ike_sa_choice ch;

	ike_type_set_standard(&known);
	ike_props(theirs);
	ike_props(ours);
	/* we prefer KWA: their #1 wins even though they listed both */
	cr_assert_eq(ike_sa_select(ours, 2, theirs, 2, &known, &ch), IKE_E_OK);
	cr_assert_eq(ch.prop.num, 1);
	cr_assert_eq(ch.prop.n, 4);
	cr_assert_eq(ike_proposal_get(&ch.prop, IKE_TT_KWA)->id, IKE_KWA_5649_256);
	/* a proposal without KWA does not match ours with KWA (no NONE offered) */
	cr_assert_eq(ike_sa_select(ours, 1, &theirs[1], 1, &known, &ch), IKE_E_NO_PROPOSAL);
	/* unless we list KWA NONE as acceptable */
	ike_proposal_add(&ours[0], IKE_TT_KWA, 0, 0);
	cr_assert_eq(ike_sa_select(ours, 1, &theirs[1], 1, &known, &ch), IKE_E_OK);
	cr_assert_eq(ch.prop.n, 3);
	/* key length must match: AES-GCM-128 is not AES-GCM-256 */
	theirs[0].t[0].key_bits = 128;
	cr_assert_eq(ike_sa_select(&ours[1], 1, theirs, 1, &known, &ch), IKE_E_NO_PROPOSAL);
	/* nor another protocol */
	theirs[1].proto = IKE_PROTO_ESP;
	cr_assert_eq(ike_sa_select(&ours[1], 1, &theirs[1], 1, &known, &ch), IKE_E_NO_PROPOSAL);
	/* an unknown attribute makes the transform unusable */
	ike_props(theirs);
	theirs[1].t[1].unknown_attr = 1;
	cr_assert_eq(ike_sa_select(&ours[1], 1, &theirs[1], 1, &known, &ch), IKE_E_NO_PROPOSAL);
}

Test(ike_sa, several_transforms_of_a_type_ours_first)
{
	struct ike_proposal ours, theirs;
	struct ike_type_set known;
	struct ike_sa_choice ch;

	ike_type_set_standard(&known);
	ike_proposal_init(&theirs, 1, IKE_PROTO_IKE, NULL, 0);
	ike_proposal_add(&theirs, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 128);
	ike_proposal_add(&theirs, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_proposal_add(&theirs, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_proposal_add(&theirs, IKE_TT_KE, IKE_KE_ECP256, 0);
	ike_proposal_add(&theirs, IKE_TT_KE, IKE_KE_X25519, 0);
	ike_proposal_init(&ours, 1, IKE_PROTO_IKE, NULL, 0);
	ike_proposal_add(&ours, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_proposal_add(&ours, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_proposal_add(&ours, IKE_TT_KE, IKE_KE_X25519, 0);
	ike_proposal_add(&ours, IKE_TT_KE, IKE_KE_ECP256, 0);
	cr_assert_eq(ike_sa_select(&ours, 1, &theirs, 1, &known, &ch), IKE_E_OK);
	cr_assert_eq(ch.prop.n, 3);
	cr_assert_eq(ike_proposal_get(&ch.prop, IKE_TT_ENCR)->key_bits, 256);
	cr_assert_eq(ike_proposal_get(&ch.prop, IKE_TT_KE)->id, IKE_KE_X25519);
}

Test(ike_sa, initiator_checks_the_reply)
{
	struct ike_proposal sent[2], reply[2];
	unsigned idx;

	ike_props(sent);
	reply[0] = sent[1];
	cr_assert_eq(ike_sa_check_reply(sent, 2, reply, 1, &idx), IKE_E_OK);
	cr_assert_eq(idx, 1);
	/* two proposals back */
	reply[1] = sent[0];
	cr_assert_eq(ike_sa_check_reply(sent, 2, reply, 2, &idx), IKE_E_NO_PROPOSAL);
	/* a number we never sent */
	reply[0].num = 7;
	cr_assert_eq(ike_sa_check_reply(sent, 2, reply, 1, &idx), IKE_E_NO_PROPOSAL);
	/* a transform we did not offer */
	reply[0] = sent[1];
	reply[0].t[2].id = IKE_KE_ECP256;
	cr_assert_eq(ike_sa_check_reply(sent, 2, reply, 1, &idx), IKE_E_NO_PROPOSAL);
	/* a type missing */
	reply[0] = sent[0];
	reply[0].n = 3; /* KWA dropped from proposal #1 */
	cr_assert_eq(ike_sa_check_reply(sent, 2, reply, 1, &idx), IKE_E_NO_PROPOSAL);
	/* two transforms of one type */
	reply[0] = sent[1];
	ike_proposal_add(&reply[0], IKE_TT_KE, IKE_KE_X25519, 0);
	cr_assert_eq(ike_sa_check_reply(sent, 2, reply, 1, &idx), IKE_E_NO_PROPOSAL);
}
