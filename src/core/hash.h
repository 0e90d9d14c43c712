/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hash.h - the non-cryptographic mixers of the project, written once.
 *
 * None of them is a MAC: every table that indexes by one of them either
 * confirms a hit by a full compare (data-key cache, replay table) or only
 * spreads load (flow hash, vector inputs).  Where a sender could aim its
 * inputs at one bucket, the caller keys the hash with a random seed.
 *
 *  - eesp_mulxs64:        one multiply, one xor-shift per 64-bit word
 *                         (data-key cache, keycache.h)
 *  - eesp_splitmix64:     the splitmix64 finaliser (replay table, replay.c)
 *  - eesp_murmur3_round32, eesp_murmur3_fmix32:
 *                         MurmurHash3's 32-bit block round and finaliser
 *                         (flow hash, flowhash.c)
 *  - eesp_fnv1a32, eesp_fnv1a64:
 *                         FNV-1a over bytes (eespctl's flow source port,
 *                         the vector generator's seeds)
 *
 * Their values are part of behaviour (outer source ports, replay buckets of
 * a restarted daemon, the committed vectors): test_hash.c pins them.
 */
#ifndef EESP_HASH_H
#define EESP_HASH_H

#include <stddef.h>
#include <stdint.h>

/* One step: fold 8 bytes in with one multiply (golden ratio) and a shift. */
static inline uint64_t eesp_mulxs64(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

/* splitmix64 finaliser: a bijection with full avalanche. */
static inline uint64_t eesp_splitmix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* MurmurHash3 (x86_32) block round: mix the 32-bit block v into h. */
static inline uint32_t eesp_murmur3_round32(uint32_t h, uint32_t v)
{
	v *= 0xcc9e2d51u;
	v = (v << 15) | (v >> 17);
	v *= 0x1b873593u;
	h ^= v;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

/* MurmurHash3 32-bit finaliser. */
static inline uint32_t eesp_murmur3_fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline uint32_t eesp_fnv1a32(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static inline uint64_t eesp_fnv1a64(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

#endif /* EESP_HASH_H */
