/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_psp.c - libFuzzer harness for psp_parse.  On success it checks the
 * view's invariants (versions 2/3: AAD up to the ICV, nothing encrypted,
 * crypt offset 0) and, for a canonical header (Hdr Ext Len = 1 + V, R
 * bits 0), that psp_build_header reproduces the header bytes exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct psp_view v;
	struct psp_hdr_params p;
	uint8_t hdr[32];
	int e = psp_parse(data, size, &v);
	size_t n;

	CHECK(e >= 0 && e < EESP_E__COUNT);
	if (e != EESP_E_OK)
		return 0;
	CHECK(v.version <= PSP_VER_MAX);
	CHECK(v.spi & ~PSP_SPI_KEY_SELECTOR);
	CHECK(v.hdr_ext_len >= (v.v ? 2 : 1));
	CHECK(v.hdr_len == 16 + 8 * ((size_t)v.hdr_ext_len - 1));
	CHECK(v.hdr_len + PSP_ICV_LEN <= size);
	CHECK(v.crypt_off <= 63);
	if (psp_version_is_gmac(v.version)) /* integrity only: all before the ICV */
		CHECK(v.crypt_off == 0 && v.aad_len == size - PSP_ICV_LEN && v.ct_len == 0);
	else
		CHECK(v.aad_len == 16 + 4 * (size_t)v.crypt_off);
	CHECK(v.ct_off == v.aad_len);
	CHECK(v.icv_off == size - PSP_ICV_LEN);
	CHECK(v.aad_len + v.ct_len + PSP_ICV_LEN == size);
	CHECK(v.iv == eesp_get64(data + 8));

	memset(&p, 0, sizeof(p));
	p.next_hdr = v.next_hdr;
	p.crypt_off = v.crypt_off;
	p.version = v.version;
	p.s = v.s;
	p.d = v.d;
	p.v = v.v;
	p.spi = v.spi;
	p.iv = v.iv;
	p.vc = v.vc;
	n = psp_build_header(hdr, sizeof(hdr), &p);
	CHECK(n == (v.v ? 24u : 16u));
	if (v.hdr_ext_len == (v.v ? 2 : 1) && !(data[2] & 0xc0))
		CHECK(n == v.hdr_len && memcmp(hdr, data, n) == 0);
	else
		CHECK(memcmp(hdr + 4, data + 4, 12) == 0);
	return 0;
}
