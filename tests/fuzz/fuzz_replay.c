/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_replay - libFuzzer harness for the anti-replay table (replay.h):
 * the input is a sequence of check/update operations on a small table (one
 * or two buckets, so evictions are frequent) against a reference model that
 * remembers every accepted (key, SN).  Aborts if
 *  - update() accepts an SN already accepted for that key (safety),
 *  - check() and the following update() disagree,
 *  - while nothing was ever evicted, a verdict differs from an ideal
 *    per-key window (exact semantics without pressure),
 *  - the stats do not add up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NKEYS 12
#define MAXOPS 2048

struct ref {
	uint64_t sn[MAXOPS];
	unsigned n;
	uint64_t hwm;
};

static int ref_has(const struct ref *r, uint64_t sn)
{
	for (unsigned i = 0; i < r->n; i++)
		if (r->sn[i] == sn)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref refs[NKEYS];
	struct eesp_replay_stats st;
	uint64_t accepted = 0, dups = 0, olds = 0;
	if (size < 2)
		return 0;
	unsigned bucket_bits = data[0] & 1;
	struct eesp_replay *t =
	    eesp_replay_new(bucket_bits, (uint64_t)data[1] * 0x9e3779b97f4a7c15ull);
	if (!t)
		abort();
	memset(refs, 0, sizeof(refs));
	data += 2;
	size -= 2;
	for (unsigned op = 0; op < MAXOPS && size >= 3; op++, data += 3, size -= 3) {
		unsigned ki = data[0] % NKEYS;
		struct eesp_replay_key k = {.spi = 0xC0FFEE01 + (ki & 1),
					    .scope = (ki >> 3) & 1,
					    .sender = ki >> 1,
					    .session = (uint16_t)(ki % 3)};
		struct ref *r = &refs[ki];
		/* per key a clock-like start; younger keys start later */
		uint64_t start = (1700000000ull + ki) << 32;
		uint16_t arg = (uint16_t)(data[1] | data[2] << 8);
		uint64_t sn;
		switch (data[0] >> 5) {
		case 0: /* jump ahead */
			sn = (r->hwm ? r->hwm : start) + 1 + arg;
			break;
		case 1: /* next */
			sn = (r->hwm ? r->hwm : start) + 1;
			break;
		case 2: /* replay of an accepted SN */
			sn = r->n ? r->sn[arg % r->n] : start + arg;
			break;
		case 3: /* just below the high-water mark (window edge) */
			sn = (r->hwm ? r->hwm : start + 4096) - (arg % (EESP_REPLAY_BITS + 64));
			break;
		default: /* anything near the start */
			sn = start + arg;
			break;
		}
		if (sn == 0)
			sn = 1;
		int check_only = (data[0] >> 4) & 1 && (data[0] >> 5) == 7;
		eesp_replay_get_stats(t, &st);
		int exact = st.evictions == 0;
		enum eesp_replay_verdict c = eesp_replay_check(t, &k, sn);
		if (c == EESP_REPLAY_DUP)
			dups++;
		else if (c == EESP_REPLAY_TOO_OLD)
			olds++;
		else if (c != EESP_REPLAY_OK)
			abort();
		if (c == EESP_REPLAY_OK && ref_has(r, sn))
			abort(); /* check would let a replay through */
		if (exact) {
			enum eesp_replay_verdict want;
			if (r->hwm && sn <= r->hwm && r->hwm - sn >= EESP_REPLAY_SPAN)
				want = EESP_REPLAY_TOO_OLD;
			else if (ref_has(r, sn))
				want = EESP_REPLAY_DUP;
			else
				want = EESP_REPLAY_OK;
			if (c != want)
				abort();
		}
		if (check_only || c != EESP_REPLAY_OK)
			continue;
		enum eesp_replay_verdict u = eesp_replay_update(t, &k, sn);
		if (u != c)
			abort(); /* check and update disagree */
		accepted++;
		if (ref_has(r, sn))
			abort();
		r->sn[r->n++] = sn;
		if (sn > r->hwm)
			r->hwm = sn;
		/* and an immediate replay is refused */
		if (eesp_replay_update(t, &k, sn) != EESP_REPLAY_DUP)
			abort();
		dups++;
	}
	eesp_replay_get_stats(t, &st);
	if (st.accepted != accepted || st.replays != dups || st.too_old != olds ||
	    st.entries > st.capacity ||
	    st.capacity != ((uint64_t)1 << bucket_bits) * EESP_REPLAY_WAYS)
		abort();
	eesp_replay_free(t);
	return 0;
}
