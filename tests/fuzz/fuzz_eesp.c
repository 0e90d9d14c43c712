/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_eesp.c - libFuzzer harness for the EESP parser (eesp_parse) and the
 * UDP payload classifier.  On a successful parse it checks the view's
 * invariants and that rebuilding a header from the view parses back to the
 * same context (and the same SCTX bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static void check_view(const uint8_t *pkt, size_t len, unsigned max, const struct eesp_view *v)
{
	uint8_t buf[512];
	struct eesp_hdr_params p;
	struct eesp_view w;
	size_t n, plen;

	CHECK(len >= EESP_BASE_LEN + EESP_PEER_LEN + EESP_ICV_LEN);
	CHECK(v->hdr_len == EESP_BASE_LEN + (size_t)v->opt_len + EESP_PEER_LEN);
	CHECK(v->icv_off == len - EESP_ICV_LEN);
	CHECK(v->ct_off == v->aad_len);
	CHECK(v->aad_len + v->ct_len + EESP_ICV_LEN == len);
	CHECK(v->sn != 0 && v->sn == eesp_get64(pkt + v->hdr_len - EESP_PEER_LEN));
	CHECK(v->sctx_off >= EESP_BASE_LEN + 2);
	CHECK(v->sctx_off + v->sctx_len <= EESP_BASE_LEN + (size_t)v->opt_len);
	CHECK(pkt[v->sctx_off - 2] == EESP_OPT_SCTX);
	CHECK(v->sctx_len == eesp_sctx_data_len(v->sctx.profile, v->sctx.flags));
	CHECK(eesp_profile_known(v->sctx.profile) && eesp_kdf_known(v->sctx.kdf) &&
	      eesp_suite_known(v->sctx.suite));
	if (v->has_crypt_offset) {
		CHECK(v->crypt_offset <= max);
		CHECK((size_t)v->payload_offset * 4 == v->hdr_len);
		CHECK(v->hdr_len + EESP_PIH_LEN + EESP_ICV_LEN <= len);
		CHECK(v->aad_len == v->hdr_len + 4 * (size_t)v->crypt_offset);
	} else {
		CHECK(v->aad_len == v->hdr_len);
		CHECK(v->crypt_offset == 0);
	}

	/* rebuild from the view, parse again */
	memset(&p, 0, sizeof(p));
	p.session_id = v->session_id;
	p.spi = v->spi;
	p.sctx = v->sctx;
	p.crypt_offset = v->has_crypt_offset ? v->crypt_offset : 0;
	p.next_hdr = 4;
	p.sn = v->sn;
	n = eesp_build_header(buf, sizeof(buf), &p);
	CHECK(n == eesp_header_len(&p));
	CHECK(n % 8 == 0);
	plen = n + 4 * (size_t)p.crypt_offset + EESP_ICV_LEN;
	CHECK(plen <= sizeof(buf));
	memset(buf + n, 0x5a, plen - n);
	CHECK(eesp_parse(buf, plen, 63, &w) == EESP_E_OK);
	CHECK(w.spi == v->spi && w.session_id == v->session_id && w.sn == v->sn);
	CHECK(w.sctx_len == v->sctx_len);
	CHECK(memcmp(buf + w.sctx_off, pkt + v->sctx_off, v->sctx_len) == 0);
	CHECK(memcmp(&w.sctx, &v->sctx, sizeof(w.sctx)) == 0);
	CHECK(w.has_crypt_offset == (p.crypt_offset != 0));
	CHECK(w.crypt_offset == p.crypt_offset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned maxes[] = {0, 1, 7, 63};
	enum eesp_udp_class cls = eesp_udp_classify(data, size);
	struct eesp_view v;

	CHECK(cls <= EESP_UDP_RUNT);
	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		int e = eesp_parse(data, size, maxes[i], &v);

		CHECK(e >= 0 && e < EESP_E__COUNT);
		if (e == EESP_E_OK) {
			CHECK(cls == EESP_UDP_EESP);
			check_view(data, size, maxes[i], &v);
		}
	}
	return 0;
}
