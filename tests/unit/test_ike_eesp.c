/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_eesp.c - the EESP child's proposal and key bags
 * (src/ike/ike_eesp.h): octets of the proposal, key | salt wrapped under
 * SK_w with phase and epoch, the client's bag without them, refusals.
 */
#include <string.h>

#include "ike_eesp.h"
#include "ike_kwp.h"
#include "testhex.h"

static struct ike_hdr hdr(void)
{
	struct ike_hdr h;
	memset(&h, 0, sizeof(h));
	memset(h.spi_i, 0xa1, 8);
	memset(h.spi_r, 0xb2, 8);
	h.exch_type = IKE_EXCH_CREATE_CHILD_SA;
	h.msg_id = 3;
	return h;
}

Test(ike_eesp, proposal)
{
	struct ike_proposal p, q;
	struct ike_builder b;
	struct ike_hdr h = hdr();
	struct ike_msg m;
	uint8_t buf[128], want[20];
	size_t len;
	unsigned n;
	uint32_t spi;
	cr_assert_eq(ike_eesp_proposal(202, 1, 0x1000, &p), IKE_E_OK);
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_sa(&b, &p, 1);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	th_unhex("0000001401ca0401"
		 "00001000"
		 "000000080d000003",
		 want, sizeof(want));
	th_assert_mem(buf + IKE_HDR_LEN + 4, want, 20, "EESP proposal");
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sa_parse(&m.outer.pl[0], &q, 1, &n), IKE_E_OK);
	cr_assert_eq(ike_eesp_proposal_get(202, &q, &spi), IKE_E_OK);
	cr_assert_eq(spi, 0x1000);
	cr_assert_eq(ike_eesp_proposal_get(201, &q, &spi), IKE_E_INVALID, "PSP's protocol");
	q.t[0].id = IKE_KWA_5649_128;
	cr_assert_eq(ike_eesp_proposal_get(202, &q, &spi), IKE_E_INVALID, "KWA 128");
}

static void build(uint8_t *buf, size_t cap, const uint8_t *kwk, const struct ike_eesp_sa *x,
		  const struct ike_eesp_sa *y, struct ike_kd *kd)
{
	struct ike_builder b;
	struct ike_hdr h = hdr();
	struct ike_msg m;
	size_t off, len;
	ike_build_init(&b, buf, cap, &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	ike_eesp_put_bag(&b, 202, kwk, x);
	ike_eesp_put_bag(&b, 202, kwk, y);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	/* bag X: 8 + SA_KEY 4 + 8 + 48 + two 8-octet attributes; bag Y: 8 + 4 + 8 + 32 */
	cr_assert_eq(len, IKE_HDR_LEN + 4 + (8 + 60 + 16) + (8 + 44));
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], kd), IKE_E_OK);
}

Test(ike_eesp, bags)
{
	struct ike_eesp_sa x = {.spi = 0x1001,
				.key_len = 32,
				.has_phase = true,
				.phase = 2,
				.epoch = 70000},
			   y = {.spi = 0x1002, .key_len = 16}, got;
	uint8_t kwk[32], other[32], buf[512];
	struct ike_kd kd;
	memset(kwk, 0x11, sizeof(kwk));
	memset(other, 0x12, sizeof(other));
	memset(x.key, 0xa0, 32);
	memcpy(x.salt, "\x01\x02\x03\x04", 4);
	memset(y.key, 0xb0, 16);
	memcpy(y.salt, "\x05\x06\x07\x08", 4);
	build(buf, sizeof(buf), kwk, &x, &y, &kd);
	cr_assert_eq(kd.n, 2);
	cr_assert_eq(ike_eesp_get_bag(&kd, 202, 0x1001, kwk, true, &got), IKE_E_OK);
	cr_assert(got.key_len == 32 && got.has_phase && got.phase == 2 && got.epoch == 70000);
	th_assert_mem(got.key, x.key, 32, "client tx key");
	th_assert_mem(got.salt, x.salt, 4, "client tx salt");
	cr_assert_eq(ike_eesp_get_bag(&kd, 202, 0x1002, kwk, false, &got), IKE_E_OK);
	cr_assert(got.key_len == 16 && !got.has_phase);
	th_assert_mem(got.key, y.key, 16, "client rx key");
	th_assert_mem(got.salt, y.salt, 4, "client rx salt");
	/* refusals */
	cr_assert_eq(ike_eesp_get_bag(&kd, 202, 0x1002, kwk, true, &got), IKE_E_MALFORMED,
		     "phase and epoch wanted");
	cr_assert_eq(ike_eesp_get_bag(&kd, 202, 0x1003, kwk, false, &got), IKE_E_MALFORMED,
		     "no such SPI");
	cr_assert_eq(ike_eesp_get_bag(&kd, 201, 0x1001, kwk, false, &got), IKE_E_MALFORMED,
		     "other protocol");
	cr_assert_eq(ike_eesp_get_bag(&kd, 202, 0x1001, other, true, &got), IKE_E_UNWRAP,
		     "other SK_w");
	kd.bag[1] = kd.bag[0];
	cr_assert_eq(ike_eesp_get_bag(&kd, 202, 0x1001, kwk, true, &got), IKE_E_MALFORMED, "twice");
	struct ike_eesp_sa bad = y;
	bad.key_len = 24;
	struct ike_builder b;
	struct ike_hdr h = hdr();
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_eesp_put_bag(&b, 202, kwk, &bad);
	cr_assert_eq(b.err, IKE_E_INVALID, "a 24-octet key");
}
