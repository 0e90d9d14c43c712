/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_gcks_state - libFuzzer harness for the key server's state file
 * parser (ike_gcks_state.h): on success every ring has a current
 * generation, the generations are in order within three, and formatting
 * the result and parsing it again gives the same state.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike_gcks_state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct ike_gcks_state *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		const struct ike_gcks_gen *g = s->ring[i].r.gen;
		if (!g[1].present || s->ring[i].r.level > 2)
			abort();
		if ((g[0].present && g[0].generation >= g[1].generation) ||
		    (g[2].present && g[2].generation <= g[1].generation))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_gcks_state a, b;
	static struct ike_gcks_removed ra, rb;
	static char text[1 << 16];
	char err[256];
	if (ike_gcks_state_parse((const char *)data, size, "f", &a, &ra, err, sizeof(err)))
		return 0;
	check(&a);
	size_t n = ike_gcks_state_format(&a, &ra, text, sizeof(text));
	if (!n)
		return 0; /* larger than this buffer: fine */
	if (ike_gcks_state_parse(text, n, "f", &b, &rb, err, sizeof(err)))
		abort(); /* what we write we read */
	if (a.n != b.n || a.serial != b.serial || a.domain != b.domain || ra.n != rb.n)
		abort();
	for (unsigned i = 0; i < a.n; i++)
		if (memcmp(&a.ring[i].r, &b.ring[i].r, sizeof(a.ring[i].r)) ||
		    a.ring[i].at != b.ring[i].at || a.ring[i].own != b.ring[i].own)
			abort();
	return 0;
}
