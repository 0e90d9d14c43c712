/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testwire.h - EESP packets for the wire tests (criterion): parameters of
 * every profile, a built packet with filler payload, option lookup. */
#ifndef EESP_TESTWIRE_H
#define EESP_TESTWIRE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "wire.h"

#define assert_err(got, want)                                                                      \
	cr_assert_eq((got), (want), "got %s, want %s", eesp_err_name(got), eesp_err_name(want))

/* hex digits (blanks skipped) into out */
static inline size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		unsigned b;

		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		cr_assert(n < cap);
		cr_assert_eq(sscanf(hex, "%2x", &b), 1);
		out[n++] = (uint8_t)b;
		hex += 2;
	}
	return n;
}

/* node id, peer, tenant 77 and group 88 as the profile and flags ask */
static inline struct eesp_hdr_params base_params(uint8_t profile, uint8_t flags, uint8_t co)
{
	struct eesp_hdr_params p = {
	    .session_id = 0x0102,
	    .spi = 0xa1b2c3d4,
	    .crypt_offset = co,
	    .next_hdr = 4,
	    .sn = 0x0000000100000002ull,
	};

	p.sctx.profile = profile;
	p.sctx.kdf = EESP_KDF_CMAC_AES256;
	p.sctx.suite = EESP_SUITE_AES_GCM_128;
	p.sctx.flags = flags;
	p.sctx.phase[0] = 2;
	p.sctx.phase[1] = (flags & EESP_SCTX_FLAG_T) ? 1 : 0;
	p.sctx.phase[2] = (flags & EESP_SCTX_FLAG_G) ? 3 : 0;
	p.sctx.epoch = 0xdeadbeef;
	p.sctx.tenant_id = (flags & EESP_SCTX_FLAG_T) ? 77 : 0;
	p.sctx.group_id = (flags & EESP_SCTX_FLAG_G) ? 88 : 0;
	p.sctx.node_id = eesp_profile_has_node(profile) ? 0x0a0b0c0d : 0;
	p.sctx.peer_node_id = profile == EESP_PROFILE_PAIR ? 0x01020304 : 0;
	return p;
}

/* Header + inner bytes + ICV; returns the packet length, header length in *hn. */
static inline size_t eesp_pkt(uint8_t *pkt, size_t cap, const struct eesp_hdr_params *p,
			      size_t inner, size_t *hn)
{
	size_t n = eesp_build_header(pkt, cap, p);

	cr_assert(n, "build failed");
	cr_assert_eq(n, eesp_header_len(p));
	cr_assert(n + inner + 16 <= cap);
	for (size_t i = 0; i < inner + 16; i++)
		pkt[n + i] = (uint8_t)(0x40 + i);
	if (hn)
		*hn = n;
	return n + inner + 16;
}

/* Offset of the first option of type t within the options, or 0. */
static inline size_t find_opt(const uint8_t *pkt, uint8_t t)
{
	size_t i = 8, end = 8 + pkt[1];

	while (i < end) {
		if (pkt[i] == t)
			return i;
		i += pkt[i] == 0 ? 1 : 2 + (size_t)pkt[i + 1];
	}
	return 0;
}

#endif /* EESP_TESTWIRE_H */
