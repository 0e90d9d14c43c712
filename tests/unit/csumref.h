/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * csumref.h - the test oracle for the offload checksums: an RFC 1071 sum
 * written byte by byte over big-endian 16-bit words, independent of the
 * 64-bit one in src/eespd/offload.c.  Shared by tests/unit/test_offload.c
 * and tests/fuzz/fuzz_vnet.c.
 */
#ifndef EESP_TEST_CSUMREF_H
#define EESP_TEST_CSUMREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* one's complement sum of big-endian 16-bit words, folded */
static inline uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* sum of the pseudo header of an L4 part of l4len bytes */
static inline uint32_t pseudo_sum(const uint8_t *pkt, bool v6, size_t l4len, unsigned proto)
{
	uint32_t s = v6 ? sum16(pkt + 8, 32, 0) : sum16(pkt + 12, 8, 0);
	s += proto + (uint32_t)(l4len & 0xffff) + (uint32_t)(l4len >> 16);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* the L4 checksum verifies: pseudo header + L4 bytes sum to 0xffff */
static inline bool l4_ok(const uint8_t *pkt, bool v6, size_t l4off, size_t l4len, unsigned proto)
{
	return sum16(pkt + l4off, l4len, pseudo_sum(pkt, v6, l4len, proto)) == 0xffff;
}

/* the IPv4 header checksum verifies */
static inline bool ip4_hdr_ok(const uint8_t *p, size_t ihl)
{
	return sum16(p, ihl, 0) == 0xffff;
}

#endif /* EESP_TEST_CSUMREF_H */
