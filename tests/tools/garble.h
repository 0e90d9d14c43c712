/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * garble.h - the test data generator the inject tools share: a seeded
 * xorshift32 and the "valid packet with a few bytes changed" mutation.
 */
#ifndef EESP_TESTS_GARBLE_H
#define EESP_TESTS_GARBLE_H

#include <stddef.h>
#include <stdint.h>

/* set from -R; never 0 (xorshift32 would stay at 0) */
static uint32_t rng_state = 0x12345678;

static uint32_t rnd(void)
{
	/* xorshift32: test data only, no security meaning */
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

/*
 * Change 1-4 distinct bytes of pkt[0..len) by a non-zero XOR each.
 * Distinct positions matter: two flips of one byte with the same value
 * cancel, and the "garbage" packet was the valid packet again (seed 32747
 * in the soak test hit it).  Each rnd() call is its own statement so the
 * sequence does not depend on the compiler's evaluation order.
 */
static void garble_bytes(uint8_t *pkt, size_t len)
{
	size_t pos[4];
	unsigned k = 1 + rnd() % 4, done = 0;

	if (k > len)
		k = (unsigned)len;
	while (done < k) {
		size_t p = rnd() % len;
		uint8_t x = (uint8_t)(1 + rnd() % 255);
		unsigned i;

		for (i = 0; i < done && pos[i] != p; i++)
			;
		if (i < done)
			continue; /* already changed: pick another byte */
		pos[done++] = p;
		pkt[p] ^= x;
	}
}

#endif
