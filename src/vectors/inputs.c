/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inputs.c - the fixed inputs of the vectors: root keys are SHA-256 of a
 * readable string, inner packets come from a xorshift generator seeded by
 * the case name.
 */
#include "vecgen.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "hash.h"
#include "names.h"
#include "pcapfile.h"

/* FNV-1a of the name; xorshift needs a non-zero state */
uint64_t vec_rng_seed(const char *s)
{
	uint64_t h = eesp_fnv1a64(s, strlen(s));
	return h ? h : 1;
}

static uint8_t rng_byte(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (uint8_t)((*x * 0x2545f4914f6cdd1dull) >> 56);
}

int vec_root_key(unsigned level, uint32_t id, uint32_t gen, uint8_t out[32])
{
	char s[96];
	unsigned hl = 0;
	int n = snprintf(s, sizeof(s), "eesp test vectors: %s %u generation %u",
			 eesp_name_of(eesp_level_names, level), id, gen);
	return EVP_Digest(s, (size_t)n, out, &hl, EVP_sha256(), NULL) == 1 && hl == 32
		   ? 0
		   : EESP_E_CRYPTO;
}

size_t vec_make_inner(enum inner_kind k, uint64_t *rng, uint8_t *out, size_t cap)
{
	uint8_t payload[64];
	size_t plen = 16 + rng_byte(rng) % 41, n;
	struct udp_frame_params p = {.sport = 5000, .dport = 6000, .ip_id = 0x1234};

	for (size_t i = 0; i < plen; i++)
		payload[i] = rng_byte(rng);
	if (k == IN_UDP6) {
		static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
		static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x20};
		p.family = 6;
		memcpy(p.src, s6, 16);
		memcpy(p.dst, d6, 16);
		return ip_build_udp(out, cap, &p, payload, plen);
	}
	p.family = 4;
	memcpy(p.src, (const uint8_t[]){192, 0, 2, 10}, 4);
	memcpy(p.dst, (const uint8_t[]){198, 51, 100, 20}, 4);
	if (k == IN_UDP4)
		return ip_build_udp(out, cap, &p, payload, plen);
	/* ICMP echo request */
	n = 20 + 8 + plen;
	if (n > cap)
		return 0;
	memset(out, 0, 28);
	out[0] = 0x45;
	eesp_put16(out + 2, (uint16_t)n);
	eesp_put16(out + 4, 0x4321);
	out[8] = 64;
	out[9] = 1;
	memcpy(out + 12, p.src, 4);
	memcpy(out + 16, p.dst, 4);
	ipv4_fix_checksum(out);
	out[20] = 8;
	eesp_put16(out + 24, 0x0eab);
	eesp_put16(out + 26, 1);
	memcpy(out + 28, payload, plen);
	eesp_put16(out + 22, inet_checksum(out + 20, n - 20, 0));
	return n;
}

void vec_unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v = 0;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}
