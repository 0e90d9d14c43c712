/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_wire_eesp.c - EESP header build and parse: round trips over every
 * profile, level flag and crypt offset, known bytes of the full format and
 * padding, build refusals, and the UDP payload classifier.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testwire.h"

static const uint8_t profiles[] = {EESP_PROFILE_SPI, EESP_PROFILE_NODE, EESP_PROFILE_PAIR,
				   EESP_PROFILE_TENANT};

static void check_sctx_eq(const struct eesp_sctx *a, const struct eesp_sctx *b)
{
	cr_assert_eq(a->profile, b->profile);
	cr_assert_eq(a->kdf, b->kdf);
	cr_assert_eq(a->suite, b->suite);
	cr_assert_eq(a->flags, b->flags);
	cr_assert_arr_eq(a->phase, b->phase, 3);
	cr_assert_eq(a->epoch, b->epoch);
	cr_assert_eq(a->tenant_id, b->tenant_id);
	cr_assert_eq(a->group_id, b->group_id);
	cr_assert_eq(a->node_id, b->node_id);
	cr_assert_eq(a->peer_node_id, b->peer_node_id);
}

Test(eesp_wire, round_trip_all_profiles_flags_offsets)
{
	static const uint8_t flagsets[] = {0, EESP_SCTX_FLAG_T, EESP_SCTX_FLAG_G,
					   EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G};
	static const uint8_t cos[] = {0, 1, 7};
	unsigned cases = 0;

	for (size_t pi = 0; pi < sizeof(profiles); pi++)
		for (size_t fi = 0; fi < sizeof(flagsets); fi++)
			for (size_t ci = 0; ci < sizeof(cos); ci++)
				for (unsigned ks = 0; ks < 4; ks++) {
					uint8_t pkt[512];
					struct eesp_view v;
					size_t hn, len, inner = 60;
					struct eesp_hdr_params p =
					    base_params(profiles[pi], flagsets[fi], cos[ci]);

					if (profiles[pi] == EESP_PROFILE_TENANT &&
					    !(flagsets[fi] & EESP_SCTX_FLAG_T))
						continue;
					p.sctx.kdf =
					    ks & 1 ? EESP_KDF_HMAC_SHA256 : EESP_KDF_CMAC_AES256;
					p.sctx.suite = ks & 2 ? EESP_SUITE_AES_GCM_256
							      : EESP_SUITE_AES_GCM_128;
					len = eesp_pkt(pkt, sizeof(pkt), &p, inner, &hn);
					cases++;
					/* inner packet 8-byte aligned from the EESP start */
					cr_assert_eq(hn % 8, 0, "hn %zu", hn);
					assert_err(eesp_parse(pkt, len, 63, &v), EESP_E_OK);
					cr_assert_eq(pkt[0], 0x80);
					cr_assert_eq(v.opt_len, pkt[1]);
					cr_assert_eq(v.session_id, p.session_id);
					cr_assert_eq(v.spi, p.spi);
					cr_assert_eq(v.sn, p.sn);
					check_sctx_eq(&v.sctx, &p.sctx);
					/* SCTX is the first option */
					cr_assert_eq(pkt[8], EESP_OPT_SCTX);
					cr_assert_eq(v.sctx_off, 10);
					cr_assert_eq(v.sctx_len, eesp_sctx_data_len(profiles[pi],
										    flagsets[fi]));
					cr_assert_eq(v.hdr_len, 8 + (size_t)v.opt_len + 8);
					cr_assert_eq(eesp_get64(pkt + v.hdr_len - 8), p.sn);
					cr_assert_eq(v.icv_off, len - 16);
					cr_assert_eq(v.ct_off, v.aad_len);
					cr_assert_eq(v.aad_len + v.ct_len + 16, len);
					if (cos[ci] == 0) {
						cr_assert(!v.has_crypt_offset);
						cr_assert_eq(find_opt(pkt, EESP_OPT_CRYPT_OFFSET),
							     0);
						cr_assert_eq(hn, v.hdr_len);
						cr_assert_eq(v.aad_len, hn);
						cr_assert_eq(v.ct_len, inner);
					} else {
						cr_assert(v.has_crypt_offset);
						cr_assert_eq(v.crypt_offset, cos[ci]);
						cr_assert_eq(v.payload_offset * 4u, v.hdr_len);
						cr_assert_eq(hn, v.hdr_len + 4);
						cr_assert_eq(v.aad_len, v.hdr_len + 4u * cos[ci]);
						/* PIH: 0x0 | reserved | next header | pad len 0 */
						cr_assert_eq(pkt[v.hdr_len], 0);
						cr_assert_eq(pkt[v.hdr_len + 1], 0);
						cr_assert_eq(pkt[v.hdr_len + 2], 4);
						cr_assert_eq(pkt[v.hdr_len + 3], 0);
						cr_assert_eq(v.ct_len, 4 + inner - 4u * cos[ci]);
						/* crypt offset option right after the SCTX */
						cr_assert_eq(find_opt(pkt, EESP_OPT_CRYPT_OFFSET),
							     10 + v.sctx_len);
					}
					/* the builder and the length function agree for any cap */
					cr_assert_eq(eesp_build_header(pkt, hn - 1, &p), 0);
				}
	cr_assert_eq(cases, (3 * 4 + 2) * 3 * 4);
}

/* Known bytes: pair profile, T and G, crypt offset 7 (worked by hand). */
Test(eesp_wire, build_known_bytes_full_format)
{
	struct eesp_hdr_params p = {
	    .session_id = 7, .spi = 0x11223344, .sn = 5, .next_hdr = 4, .crypt_offset = 7};
	uint8_t want[64], out[64];
	size_t wn;

	p.sctx = (struct eesp_sctx){.profile = 3,
				    .kdf = 1,
				    .suite = 2,
				    .flags = 0xc0,
				    .phase = {1, 2, 3},
				    .node_id = 9,
				    .peer_node_id = 10};
	wn = unhex(want, sizeof(want),
		   "80240007 11223344"			 /* base, Opt Len 36 */
		   "e018 0312 c06c 00000000"		 /* SCTX fixed part */
		   "00000000 00000000 00000009 0000000a" /* tenant, group, node, peer */
		   "0202 3470"				 /* crypt offset: PO 13, CO 7 */
		   "0104 00000000"			 /* PadN 6 */
		   "0000000000000005"			 /* SN */
		   "00000400");				 /* PIH, NH 4 */
	cr_assert_eq(wn, 56);
	cr_assert_eq(eesp_build_header(out, sizeof(out), &p), 56);
	cr_assert_arr_eq(out, want, 56);
}

/* Padding: one byte of padding is a Pad1, more is a PadN. */
Test(eesp_wire, build_pad1_and_padn)
{
	uint8_t pkt[256];
	struct eesp_view v;
	size_t hn, len;
	/* spi profile, no flags: SCTX option 10 bytes, full format adds 4: 14 ->
	 * target 4 mod 8 -> 20: PadN of 6.  Optimized: 10 -> 16: PadN of 6. */
	struct eesp_hdr_params p = base_params(EESP_PROFILE_SPI, 0, 0);

	len = eesp_pkt(pkt, sizeof(pkt), &p, 20, &hn);
	cr_assert_eq(pkt[1], 16);
	cr_assert_eq(pkt[18], EESP_OPT_PADN);
	cr_assert_eq(pkt[19], 4);
	assert_err(eesp_parse(pkt, len, 0, &v), EESP_E_OK);
	/* node profile, G: SCTX 2+16 = 18 -> PadN 6 (24); with T too: 22 -> Pad... 24: PadN 2 */
	p = base_params(EESP_PROFILE_NODE, EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G, 0);
	len = eesp_pkt(pkt, sizeof(pkt), &p, 20, &hn);
	cr_assert_eq(pkt[1], 24);
	cr_assert_eq(pkt[30], EESP_OPT_PADN);
	cr_assert_eq(pkt[31], 0);
	assert_err(eesp_parse(pkt, len, 0, &v), EESP_E_OK);
	/* pair profile, T and G: SCTX 26 + CO 4 = 30 -> 36 (PadN 6); no G: 26 -> Pad 2 -> 28 */
	p = base_params(EESP_PROFILE_PAIR, EESP_SCTX_FLAG_T, 1);
	len = eesp_pkt(pkt, sizeof(pkt), &p, 20, &hn);
	cr_assert_eq(pkt[1], 28);
	cr_assert_eq(pkt[34], EESP_OPT_PADN);
	assert_err(eesp_parse(pkt, len, 63, &v), EESP_E_OK);
	cr_assert_eq(hn % 8, 0);
	/* Pad1: an options length of 7 mod 8 before padding does not occur with
	 * the defined options, so check the parser accepts a hand-made Pad1. */
	{
		uint8_t q[128] = {0x80, 16, 0, 1, 0, 0, 0, 5};
		struct eesp_sctx c = {.profile = 1, .kdf = 1, .suite = 1};

		q[8] = EESP_OPT_PAD1;
		q[9] = EESP_OPT_SCTX;
		q[10] = 8;
		eesp_sctx_encode(q + 11, &c);
		q[19] = EESP_OPT_PADN;
		q[20] = 1;
		q[21] = 0;
		q[22] = EESP_OPT_PAD1;
		q[23] = EESP_OPT_PAD1;
		eesp_put64(q + 24, 42);
		assert_err(eesp_parse(q, 32 + 10 + 16, 0, &v), EESP_E_OK);
		cr_assert_eq(v.sctx_off, 11);
		cr_assert_eq(v.sn, 42);
		cr_assert_eq(v.ct_len, 10);
	}
}

Test(eesp_wire, build_refusals)
{
	uint8_t out[128];
	struct eesp_hdr_params p = base_params(EESP_PROFILE_NODE, 0, 64);

	cr_assert_eq(eesp_header_len(&p), 0);
	cr_assert_eq(eesp_build_header(out, sizeof(out), &p), 0);
	p.crypt_offset = 63;
	cr_assert_neq(eesp_header_len(&p), 0);
	cr_assert_eq(eesp_build_header(out, eesp_header_len(&p) - 1, &p), 0);
	cr_assert_eq(eesp_build_header(out, eesp_header_len(&p), &p), eesp_header_len(&p));
}

Test(eesp_wire, udp_classify)
{
	uint8_t ka = 0xff, ike[8] = {0}, esp[8] = {0x12, 0x34}, e[8] = {0x80};

	cr_assert_eq(eesp_udp_classify(&ka, 1), EESP_UDP_KEEPALIVE);
	cr_assert_eq(eesp_udp_classify(ike, 8), EESP_UDP_IKE);
	cr_assert_eq(eesp_udp_classify(esp, 8), EESP_UDP_ESP);
	cr_assert_eq(eesp_udp_classify(e, 8), EESP_UDP_EESP);
	cr_assert_eq(eesp_udp_classify(e, 3), EESP_UDP_RUNT);
}
