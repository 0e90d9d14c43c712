/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowhash.c - inner 5-tuple -> number in a range (flowhash.h), with the
 * MurmurHash3 round of hash.h over 32-bit words of the headers.
 */
#include "flowhash.h"

#include <stdbool.h>

#include "eesp_proto.h"
#include "hash.h"

uint16_t eesp_flow_bucket(uint32_t seed, const uint8_t *p, size_t len, uint16_t lo, uint16_t hi)
{
	uint32_t h = seed;
	unsigned proto = 0;
	size_t l4 = 0;
	bool ports = false;

	if (len >= 20 && (p[0] >> 4) == 4) {
		size_t ihl = (size_t)(p[0] & 0x0f) * 4;
		for (int i = 12; i < 20; i += 4)
			h = eesp_murmur3_round32(h, eesp_get32(p + i));
		proto = p[9];
		l4 = ihl;
		/* no ports in fragments */
		ports = ihl >= 20 && !(eesp_get16(p + 6) & 0x3fff);
	} else if (len >= 40 && (p[0] >> 4) == 6) {
		for (int i = 8; i < 40; i += 4)
			h = eesp_murmur3_round32(h, eesp_get32(p + i));
		h = eesp_murmur3_round32(h, eesp_get32(p) & 0x000fffff); /* flow label */
		proto = p[6];
		l4 = 40;
		ports = true;
	}
	h = eesp_murmur3_round32(h, proto);
	if (ports && (proto == 6 || proto == 17 || proto == 132 || proto == 136) && l4 + 4 <= len)
		h = eesp_murmur3_round32(h, eesp_get32(p + l4));
	h = eesp_murmur3_fmix32(h);
	return (uint16_t)(lo + h % ((uint32_t)hi - lo + 1));
}
