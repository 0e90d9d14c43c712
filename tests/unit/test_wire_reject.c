/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_wire_reject.c - every EESP parser rejection path, each caught by the
 * rule meant to catch it, on corrupted copies of one valid packet.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testwire.h"

/* A valid full-format packet to corrupt: node profile, T, crypt offset 1. */
struct fixture {
	uint8_t pkt[512];
	size_t len, hn;
	struct eesp_hdr_params p;
	struct eesp_view v;
};

static void fixture_init(struct fixture *f, uint8_t profile, uint8_t flags, uint8_t co)
{
	memset(f, 0, sizeof(*f));
	f->p = base_params(profile, flags, co);
	f->len = eesp_pkt(f->pkt, sizeof(f->pkt), &f->p, 48, &f->hn);
	assert_err(eesp_parse(f->pkt, f->len, 63, &f->v), EESP_E_OK);
}

Test(eesp_reject, truncated)
{
	struct fixture f;
	struct eesp_view v;

	fixture_init(&f, EESP_PROFILE_NODE, 0, 0);
	for (size_t l = 0; l < 8; l++)
		assert_err(eesp_parse(f.pkt, l, 63, &v), EESP_E_TRUNCATED);
	/* options present, but no room for the peer header + ICV */
	assert_err(eesp_parse(f.pkt, f.v.hdr_len + 15, 63, &v), EESP_E_TRUNCATED);
	assert_err(eesp_parse(f.pkt, f.v.hdr_len - 1, 63, &v), EESP_E_TRUNCATED);
	/* exactly header + ICV: empty ciphertext is a parse success */
	assert_err(eesp_parse(f.pkt, f.v.hdr_len + 16, 63, &v), EESP_E_OK);
	cr_assert_eq(v.ct_len, 0);
	/* full format: no room for the Payload Info Header + ICV */
	fixture_init(&f, EESP_PROFILE_NODE, 0, 1);
	assert_err(eesp_parse(f.pkt, f.v.hdr_len + 19, 63, &v), EESP_E_TRUNCATED);
	assert_err(eesp_parse(f.pkt, f.v.hdr_len + 20, 63, &v), EESP_E_OK);
	cr_assert_eq(v.ct_len, 0);
	cr_assert_eq(v.aad_len, f.v.hdr_len + 4);
}

Test(eesp_reject, not_eesp_version_reserved)
{
	struct fixture f;
	struct eesp_view v;

	fixture_init(&f, EESP_PROFILE_PAIR, EESP_SCTX_FLAG_G, 7);
	f.pkt[0] = 0x00;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_NOT_EESP);
	f.pkt[0] = 0x7f;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_NOT_EESP);
	for (unsigned ver = 1; ver < 16; ver++) {
		f.pkt[0] = (uint8_t)(0x80 | ver << 3);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_VERSION);
	}
	for (unsigned r = 1; r < 8; r++) {
		f.pkt[0] = (uint8_t)(0x80 | r);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_RESERVED_BITS);
	}
	f.pkt[0] = 0x80;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OK);
}

Test(eesp_reject, option_overrun)
{
	struct fixture f;
	struct eesp_view v;
	size_t padn;

	fixture_init(&f, EESP_PROFILE_NODE, 0, 0);
	/* Opt Len past the packet */
	f.pkt[1] = 255;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OPTLEN);
	assert_err(eesp_parse(f.pkt, 8 + 16, 63, &v), EESP_E_OPTLEN);
	/* SCTX data crossing the end of the options */
	f.pkt[1] = 8;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OPTLEN);
	/* option type byte as the last options byte (no length byte) */
	fixture_init(&f, EESP_PROFILE_NODE, 0, 0);
	f.pkt[1] = 15; /* SCTX (14) then the PadN's type byte alone */
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OPTLEN);
	/* PadN length one too long */
	fixture_init(&f, EESP_PROFILE_NODE, 0, 0);
	padn = find_opt(f.pkt, EESP_OPT_PADN);
	cr_assert_neq(padn, 0);
	f.pkt[padn + 1]++;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OPTLEN);
}

Test(eesp_reject, option_malformed_crypt_offset_len)
{
	/* hand-made options: SCTX (10) + Crypt Offset with 3 data bytes (5) + Pad1 */
	uint8_t q[128] = {0x80, 16, 0, 1, 0, 0, 0, 5};
	struct eesp_sctx c = {.profile = 1, .kdf = 1, .suite = 1};
	struct eesp_view v;

	q[8] = EESP_OPT_SCTX;
	q[9] = 8;
	eesp_sctx_encode(q + 10, &c);
	q[18] = EESP_OPT_CRYPT_OFFSET;
	q[19] = 3;
	q[20] = 8 << 2; /* PO 8 = 32 / 4 */
	q[21] = 0x10;
	q[22] = 0;
	q[23] = EESP_OPT_PAD1;
	eesp_put64(q + 24, 1);
	assert_err(eesp_parse(q, 32 + 4 + 20, 63, &v), EESP_E_OPT_MALFORMED);
	q[19] = 1;
	q[20] = 1; /* PadN 1 with one data byte would follow: keep walking sane */
	q[21] = 1;
	q[22] = 0;
	assert_err(eesp_parse(q, 32 + 4 + 20, 63, &v), EESP_E_OPT_MALFORMED);
	/* the same with length 2 and a PadN of 1 (3 bytes) after it is valid */
	q[19] = 2;
	q[20] = 8 << 2;
	q[21] = 0x10;
	q[22] = EESP_OPT_PADN;
	q[23] = 0;
	/* that PadN is 2 bytes (type, len 0): ends at 24, Opt Len 16 -> ok */
	assert_err(eesp_parse(q, 32 + 4 + 20, 63, &v), EESP_E_OK);
	cr_assert(v.has_crypt_offset);
	cr_assert_eq(v.crypt_offset, 1);
	cr_assert_eq(v.aad_len, 36);
}

Test(eesp_reject, option_duplicate)
{
	uint8_t q[128] = {0x80, 24, 0, 1, 0, 0, 0, 5};
	struct eesp_sctx c = {.profile = 1, .kdf = 1, .suite = 1};
	struct eesp_view v;

	/* two SCTX options (10 + 10) + PadN 4 */
	q[8] = EESP_OPT_SCTX;
	q[9] = 8;
	eesp_sctx_encode(q + 10, &c);
	memcpy(q + 18, q + 8, 10);
	q[28] = EESP_OPT_PADN;
	q[29] = 2;
	eesp_put64(q + 32, 1);
	assert_err(eesp_parse(q, 40 + 20 + 16, 63, &v), EESP_E_OPT_DUPLICATE);
	/* second one renamed to an unknown private type: skipped, accepted */
	q[18] = 0xE1;
	assert_err(eesp_parse(q, 40 + 20 + 16, 63, &v), EESP_E_OK);
	/* two crypt offset options: SCTX (10) + CO (4) + CO (4) + PadN 2 = 20 -> 28 (4 mod 8) */
	memset(q + 8, 0, 40);
	q[1] = 20;
	q[8] = EESP_OPT_SCTX;
	q[9] = 8;
	eesp_sctx_encode(q + 10, &c);
	q[18] = EESP_OPT_CRYPT_OFFSET;
	q[19] = 2;
	q[20] = 9 << 2; /* PIH at 36 */
	q[21] = 0x10;
	memcpy(q + 22, q + 18, 4);
	q[26] = EESP_OPT_PADN;
	q[27] = 0;
	eesp_put64(q + 28, 1);
	assert_err(eesp_parse(q, 36 + 4 + 20 + 16, 63, &v), EESP_E_OPT_DUPLICATE);
	q[22] = 0x03; /* unknown assigned-range type: skipped */
	assert_err(eesp_parse(q, 36 + 4 + 20 + 16, 63, &v), EESP_E_OK);
	cr_assert_eq(v.payload_offset, 9);
	cr_assert_eq(v.aad_len, 40);
}

Test(eesp_reject, no_context)
{
	struct fixture f;
	struct eesp_view v;

	fixture_init(&f, EESP_PROFILE_SPI, 0, 0);
	f.pkt[8] = 0xE1; /* SCTX renamed to another private type */
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_NO_CONTEXT);
	f.pkt[8] = EESP_OPT_PADN;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_NO_CONTEXT);
	/* no options at all */
	{
		uint8_t q[64] = {0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};

		assert_err(eesp_parse(q, sizeof(q), 63, &v), EESP_E_NO_CONTEXT);
	}
}

Test(eesp_reject, unknown_profile_kdf_suite)
{
	struct fixture f;
	struct eesp_view v;
	uint8_t *s;

	fixture_init(&f, EESP_PROFILE_NODE, 0, 1);
	s = f.pkt + f.v.sctx_off;
	s[0] = 0;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_PROFILE);
	s[0] = 5;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_PROFILE);
	s[0] = EESP_PROFILE_NODE;
	for (unsigned k = 0; k < 16; k++) {
		s[1] = (uint8_t)(k << 4 | EESP_SUITE_AES_GCM_128);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v),
			   k == 1 || k == 2 ? EESP_E_OK : EESP_E_BAD_KDF);
	}
	for (unsigned su = 0; su < 16; su++) {
		s[1] = (uint8_t)(EESP_KDF_HMAC_SHA256 << 4 | su);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v),
			   su == 1 || su == 2 ? EESP_E_OK : EESP_E_BAD_SUITE);
	}
}

Test(eesp_reject, sctx_reserved_bits)
{
	struct fixture f;
	struct eesp_view v;
	uint8_t *s;

	fixture_init(&f, EESP_PROFILE_TENANT, EESP_SCTX_FLAG_T, 0);
	s = f.pkt + f.v.sctx_off;
	for (unsigned b = 0; b < 6; b++) {
		s[2] = (uint8_t)(EESP_SCTX_FLAG_T | 1u << b);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_RESERVED_BITS);
	}
	s[2] = EESP_SCTX_FLAG_T;
	for (unsigned b = 0; b < 2; b++) {
		s[3] ^= (uint8_t)(1u << b);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_RESERVED_BITS);
		s[3] ^= (uint8_t)(1u << b);
	}
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OK);
}

Test(eesp_reject, bad_context)
{
	struct fixture f;
	struct eesp_view v;
	uint8_t *s;

	/* tenant profile without T */
	fixture_init(&f, EESP_PROFILE_TENANT, EESP_SCTX_FLAG_T, 0);
	s = f.pkt + f.v.sctx_off;
	s[2] = 0;
	s[3] &= 0xc0; /* no tenant phase either */
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_CONTEXT);
	/* phase of an absent level */
	fixture_init(&f, EESP_PROFILE_NODE, 0, 0);
	s = f.pkt + f.v.sctx_off;
	s[3] |= 0x10; /* tenant phase without T */
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_CONTEXT);
	s[3] &= (uint8_t)~0x10;
	s[3] |= 0x04; /* group phase without G */
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_CONTEXT);
	s[3] &= (uint8_t)~0x04;
	/* length inconsistent with profile and flags: claim G (one more field) */
	s[2] = EESP_SCTX_FLAG_G;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_CONTEXT);
	/* ...or switch node -> pair (needs the peer node id) */
	s[2] = 0;
	s[0] = EESP_PROFILE_PAIR;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_CONTEXT);
	/* ...or node -> spi (one field too many) */
	s[0] = EESP_PROFILE_SPI;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_BAD_CONTEXT);
	s[0] = EESP_PROFILE_NODE;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OK);
	/* SCTX data shorter than its fixed part */
	{
		uint8_t q[64] = {0x80, 8, 0, 0, 0, 0, 0, 1, EESP_OPT_SCTX, 4, 1, 0x11, 0, 0, 0, 0};

		eesp_put64(q + 16, 1);
		assert_err(eesp_parse(q, sizeof(q), 63, &v), EESP_E_BAD_CONTEXT);
	}
}

Test(eesp_reject, payload_offset)
{
	struct fixture f;
	struct eesp_view v;
	size_t co;

	fixture_init(&f, EESP_PROFILE_PAIR, EESP_SCTX_FLAG_T, 7);
	co = find_opt(f.pkt, EESP_OPT_CRYPT_OFFSET);
	cr_assert_neq(co, 0);
	cr_assert_eq(f.pkt[co + 2] >> 2, f.v.hdr_len / 4);
	for (unsigned po = 0; po < 64; po++) {
		f.pkt[co + 2] = (uint8_t)(po << 2 | (f.pkt[co + 2] & 3));
		assert_err(eesp_parse(f.pkt, f.len, 63, &v),
			   po * 4 == f.v.hdr_len ? EESP_E_OK : EESP_E_PAYLOAD_OFFSET);
	}
}

Test(eesp_reject, crypt_offset)
{
	struct fixture f;
	struct eesp_view v;
	size_t co;

	fixture_init(&f, EESP_PROFILE_NODE, 0, 7);
	/* configured maximum */
	assert_err(eesp_parse(f.pkt, f.len, 7, &v), EESP_E_OK);
	assert_err(eesp_parse(f.pkt, f.len, 6, &v), EESP_E_CRYPT_OFFSET);
	assert_err(eesp_parse(f.pkt, f.len, 0, &v), EESP_E_CRYPT_OFFSET);
	/* past the end of the ciphertext: 4 + 48 inner bytes = 13 units */
	co = find_opt(f.pkt, EESP_OPT_CRYPT_OFFSET);
	for (unsigned c = 0; c < 64; c++) {
		f.pkt[co + 2] = (uint8_t)((f.pkt[co + 2] & 0xfc) | c >> 4);
		f.pkt[co + 3] = (uint8_t)((c & 0x0f) << 4);
		assert_err(eesp_parse(f.pkt, f.len, 63, &v),
			   c <= 13 ? EESP_E_OK : EESP_E_CRYPT_OFFSET);
		if (c <= 13) {
			cr_assert_eq(v.crypt_offset, c);
			cr_assert_eq(v.aad_len, f.v.hdr_len + 4 * c);
			cr_assert_eq(v.ct_len, 52 - 4 * c);
		}
	}
	/* the option's 4 R bits are ignored */
	f.pkt[co + 2] = (uint8_t)((f.pkt[co + 2] & 0xfc));
	f.pkt[co + 3] = 0x1f;
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OK);
	cr_assert_eq(v.crypt_offset, 1);
}

Test(eesp_reject, seq_zero)
{
	struct fixture f;
	struct eesp_view v;

	fixture_init(&f, EESP_PROFILE_NODE, EESP_SCTX_FLAG_G, 0);
	eesp_put64(f.pkt + f.v.hdr_len - 8, 0);
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_SEQ_ZERO);
	eesp_put64(f.pkt + f.v.hdr_len - 8, 1);
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OK);
}

/* SN 2^64-1 is never sent (the last SN of a Session ID is 2^64-2) and is
 * dropped before any key is derived */
Test(eesp_reject, seq_max)
{
	struct fixture f;
	struct eesp_view v;

	fixture_init(&f, EESP_PROFILE_NODE, EESP_SCTX_FLAG_G, 0);
	eesp_put64(f.pkt + f.v.hdr_len - 8, UINT64_MAX);
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_SEQ_MAX);
	eesp_put64(f.pkt + f.v.hdr_len - 8, UINT64_MAX - 1);
	assert_err(eesp_parse(f.pkt, f.len, 63, &v), EESP_E_OK);
	cr_assert_eq(v.sn, EESP_SN_MAX);
}
