/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_wire_psp.c - PSP header parse/build: known bytes from psp.md,
 * build->parse round trips and every rejection; the stable drop-reason
 * names the parsers return.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testwire.h"

/* -------------------------------------------------------------- errors -- */

Test(errors, names_stable_and_unique)
{
	cr_assert_str_eq(eesp_err_name(EESP_E_OK), "ok");
	cr_assert_str_eq(eesp_err_name(EESP_E_AUTH), "auth_failed");
	cr_assert_str_eq(eesp_err_name(EESP_E_OPTLEN), "option_overrun");
	cr_assert_str_eq(eesp_err_name(EESP_E_CRYPTO), "crypto_error");
	cr_assert_str_eq(eesp_err_name(-1), "unknown");
	cr_assert_str_eq(eesp_err_name(EESP_E__COUNT), "unknown");
	for (int i = 0; i < EESP_E__COUNT; i++) {
		cr_assert_not_null(eesp_err_name(i));
		cr_assert_str_neq(eesp_err_name(i), "unknown");
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(eesp_err_name(i), eesp_err_name(j), "%d and %d", i, j);
	}
}

/* ----------------------------------------------------------------- PSP -- */

/* psp.md §1.2: "11 01 01 01 9a 34 56 78 00 00 00 00 00 00 00 01" */
Test(psp_wire, example_header_byte_exact)
{
	uint8_t want[16], out[32];
	struct psp_hdr_params p = {
	    .next_hdr = 17, .crypt_off = 1, .version = 0, .spi = 0x9a345678, .iv = 1};

	unhex(want, sizeof(want), "110101019a3456780000000000000001");
	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 16);
	cr_assert_arr_eq(out, want, 16);
}

/* psp.md §3.7 vector A: AAD = header || 2b6756ce, CT 36 bytes, ICV 16. */
Test(psp_wire, vector_a_header_and_regions)
{
	uint8_t aad[20], pkt[128], out[32];
	struct psp_hdr_params p = {.next_hdr = 17, .crypt_off = 1, .spi = 0x9a345678, .iv = 1};
	struct psp_view v;
	size_t len;

	cr_assert_eq(unhex(aad, sizeof(aad), "110101019a34567800000000000000012b6756ce"), 20);
	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 16);
	cr_assert_arr_eq(out, aad, 16);
	len = 20 + 36 + 16;
	memset(pkt, 0x5a, sizeof(pkt));
	memcpy(pkt, aad, 20);
	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.next_hdr, 17);
	cr_assert_eq(v.hdr_ext_len, 1);
	cr_assert_eq(v.crypt_off, 1);
	cr_assert_eq(v.version, 0);
	cr_assert_eq(v.spi, 0x9a345678u);
	cr_assert_eq(v.iv, 1);
	cr_assert(!v.v && !v.s && !v.d);
	cr_assert_eq(v.hdr_len, 16);
	cr_assert_eq(v.aad_len, 20);
	cr_assert_eq(v.ct_off, 20);
	cr_assert_eq(v.ct_len, 36);
	cr_assert_eq(v.icv_off, 56);
}

/* psp.md §3.7 vector B: V=1 (VC 0), HdrExtLen 2, CryptOff 3, AAD 28 bytes. */
Test(psp_wire, vector_b_header_with_vc)
{
	uint8_t aad[28], pkt[128], out[32];
	struct psp_hdr_params p = {
	    .next_hdr = 17, .crypt_off = 3, .spi = 0x9a345678, .iv = 1, .v = true, .vc = 0};
	struct psp_view v;

	cr_assert_eq(
	    unhex(aad, sizeof(aad), "110203039a345678000000000000000100000000000000002b6756ce"),
	    28);
	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 24);
	cr_assert_arr_eq(out, aad, 24);
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, aad, 28);
	assert_err(psp_parse(pkt, 28 + 36 + 16, &v), EESP_E_OK);
	cr_assert(v.v);
	cr_assert_eq(v.vc, 0);
	cr_assert_eq(v.hdr_len, 24);
	cr_assert_eq(v.aad_len, 28);
	cr_assert_eq(v.ct_len, 36);
}

Test(psp_wire, build_flags_version_vc)
{
	uint8_t out[32];
	struct psp_hdr_params p = {.next_hdr = 4,
				   .crypt_off = 63,
				   .version = 1,
				   .s = true,
				   .d = true,
				   .v = true,
				   .spi = 0x00000001,
				   .iv = 0x0102030405060708,
				   .vc = 0xeeddccbbaa998877};
	struct psp_view v;
	uint8_t pkt[24 + 252 + 16] = {0};

	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 24);
	cr_assert_eq(out[1], 2);
	cr_assert_eq(out[2], 63);
	cr_assert_eq(out[3], 0x80 | 0x40 | 1 << 2 | 0x02 | 0x01);
	memcpy(pkt, out, 24);
	/* crypt offset 63 exactly up to the ICV: empty ciphertext allowed */
	assert_err(psp_parse(pkt, 16 + 252 + 16, &v), EESP_E_OK);
	cr_assert_eq(v.ct_len, 0);
	cr_assert(v.s && v.d && v.v);
	cr_assert_eq(v.version, 1);
	cr_assert_eq(v.vc, 0xeeddccbbaa998877);
	cr_assert_eq(v.iv, 0x0102030405060708);
	/* one byte less: the crypt offset points past the ciphertext */
	assert_err(psp_parse(pkt, 16 + 252 + 15, &v), EESP_E_CRYPT_OFFSET);
	/* builder refusals */
	cr_assert_eq(psp_build_header(out, 23, &p), 0);
	p.v = false;
	cr_assert_eq(psp_build_header(out, 16, &p), 16);
	cr_assert_eq(psp_build_header(out, 15, &p), 0);
	p.version = 4; /* reserved */
	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 0);
	p.version = 2; /* AES-GMAC: crypt offset must be 0 */
	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 0);
	p.version = 0;
	p.crypt_off = 64;
	cr_assert_eq(psp_build_header(out, sizeof(out), &p), 0);
}

static size_t psp_pkt(uint8_t *pkt, size_t cap, const struct psp_hdr_params *p, size_t body)
{
	size_t n = psp_build_header(pkt, cap, p);

	cr_assert(n);
	cr_assert(n + body + 16 <= cap);
	memset(pkt + n, 0xab, body + 16);
	return n + body + 16;
}

Test(psp_wire, rejections)
{
	uint8_t pkt[256];
	struct psp_hdr_params p = {.next_hdr = 4, .crypt_off = 6, .spi = 0x12345678, .iv = 9};
	struct psp_view v;
	size_t len = psp_pkt(pkt, sizeof(pkt), &p, 40);

	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.aad_len, 16 + 24);
	cr_assert_eq(v.ct_len, 16);

	assert_err(psp_parse(pkt, 15, &v), EESP_E_TRUNCATED);
	assert_err(psp_parse(pkt, 0, &v), EESP_E_TRUNCATED);
	assert_err(psp_parse(pkt, 31, &v), EESP_E_TRUNCATED); /* 16-byte header + ICV > 31 */
	assert_err(psp_parse(pkt, 32, &v), EESP_E_CRYPT_OFFSET);

	pkt[3] &= (uint8_t)~PSP_ALWAYS_1;
	assert_err(psp_parse(pkt, len, &v), EESP_E_PSP_ALWAYS1);
	pkt[3] |= PSP_ALWAYS_1;

	for (unsigned ver = 4; ver < 16; ver++) {
		pkt[3] = (uint8_t)(ver << 2 | 1);
		assert_err(psp_parse(pkt, len, &v), EESP_E_BAD_VERSION);
	}
	/* the GMAC versions with this packet's crypt offset 6 */
	for (unsigned ver = 2; ver < 4; ver++) {
		pkt[3] = (uint8_t)(ver << 2 | 1);
		assert_err(psp_parse(pkt, len, &v), EESP_E_PSP_GMAC_CO);
	}
	pkt[3] = 0x01;

	pkt[1] = 0;
	assert_err(psp_parse(pkt, len, &v), EESP_E_PSP_HDRLEN);
	pkt[1] = 1;
	pkt[3] |= PSP_FLAG_V; /* VC announced but Hdr Ext Len 1 */
	assert_err(psp_parse(pkt, len, &v), EESP_E_PSP_HDRLEN);
	pkt[1] = 2;
	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.hdr_len, 24);
	pkt[3] &= (uint8_t)~PSP_FLAG_V;
	/* Hdr Ext Len larger than needed: accepted, like the reference */
	pkt[1] = 3;
	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.hdr_len, 32);
	/* ... unless the header then runs into the ICV */
	pkt[1] = 255;
	assert_err(psp_parse(pkt, len, &v), EESP_E_TRUNCATED);
	pkt[1] = 1;

	eesp_put32(pkt + 4, 0);
	assert_err(psp_parse(pkt, len, &v), EESP_E_PSP_SPI_ZERO);
	eesp_put32(pkt + 4, 0x80000000u);
	assert_err(psp_parse(pkt, len, &v), EESP_E_PSP_SPI_ZERO);
	eesp_put32(pkt + 4, 0x80000001u);
	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.spi, 0x80000001u);

	pkt[2] = 63; /* 16 + 252 > len - 16 */
	assert_err(psp_parse(pkt, len, &v), EESP_E_CRYPT_OFFSET);
	pkt[2] = 0xc0 | 6; /* R bits: authenticated, not checked */
	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.crypt_off, 6);
}

/* The crypt offset counts from byte 16, so with V=1 and CryptOff 0 the VC is
 * encrypted: ct_off (16) lies before the end of the header (24). */
Test(psp_wire, crypt_offset_inside_vc)
{
	uint8_t pkt[128];
	struct psp_hdr_params p = {
	    .next_hdr = 17, .crypt_off = 0, .v = true, .spi = 0x9a345678, .iv = 1};
	struct psp_view v;
	size_t len = psp_pkt(pkt, sizeof(pkt), &p, 20);

	assert_err(psp_parse(pkt, len, &v), EESP_E_OK);
	cr_assert_eq(v.hdr_len, 24);
	cr_assert_eq(v.aad_len, 16);
	cr_assert_eq(v.ct_off, 16);
	cr_assert_eq(v.ct_len, 28);
}
