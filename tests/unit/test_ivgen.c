/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ivgen.c - the IV generator: lanes never overlap, IVs strictly
 * increase and follow the clock, never 0 or 2^64-1, and never run past the
 * persisted reservation, also across a restart with the clock stepped back. */
#include <criterion/criterion.h>

#include "ivgen.h"

#define T0 1700000000ull

/* a generator whose reservation is extended whenever it asks */
static uint64_t next_reserving(struct eesp_ivgen *g, uint64_t now)
{
	uint64_t iv;
	if (eesp_ivgen_wants_mark(g, now))
		eesp_ivgen_extend(g, eesp_ivgen_mark(g, now));
	cr_assert_eq(eesp_ivgen_next(g, now, &iv), EESP_E_OK);
	return iv;
}

Test(ivgen, layout)
{
	cr_assert_eq(eesp_ivgen_clock(T0, 0), T0 << 32);
	cr_assert_eq(eesp_ivgen_clock(T0, 5), T0 << 32 | 5ull << 26);
	cr_assert_eq(eesp_ivgen_clock(1ull << 32, 0), UINT64_MAX, "past 2106");
	cr_assert_eq(eesp_ivgen_lane_of(T0 << 32 | 63ull << 26 | 12345), 63u);
	/* in_lane: same lane unchanged, a lower lane jumps up, a higher lane
	 * moves to the next second */
	uint64_t x = T0 << 32 | 3ull << 26 | 77;
	cr_assert_eq(eesp_ivgen_in_lane(x, 3), x);
	cr_assert_eq(eesp_ivgen_in_lane(x, 9), T0 << 32 | 9ull << 26);
	cr_assert_eq(eesp_ivgen_in_lane(x, 1), (T0 + 1) << 32 | 1ull << 26);
	cr_assert_eq(eesp_ivgen_in_lane(UINT64_MAX - 5, 2), UINT64_MAX);
}

Test(ivgen, needs_a_persisted_mark_first)
{
	struct eesp_ivgen g;
	uint64_t iv;
	eesp_ivgen_init(&g, 0, 0, 0);
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_NOSPACE, "nothing reserved yet");
	cr_assert(eesp_ivgen_wants_mark(&g, T0));
	uint64_t m = eesp_ivgen_mark(&g, T0);
	/* the mark covers the rest of this second and the start of the next */
	cr_assert_geq(m, eesp_ivgen_clock(T0 + 1, 0) + EESP_IVGEN_BLOCK);
	eesp_ivgen_extend(&g, m);
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_OK);
	cr_assert_eq(iv, T0 << 32, "the first IV is the clock");
	cr_assert_not(eesp_ivgen_wants_mark(&g, T0));
	/* a new second: still covered, but the following one is not */
	cr_assert_eq(eesp_ivgen_next(&g, T0 + 1, &iv), EESP_E_OK);
	cr_assert_eq(iv, (T0 + 1) << 32);
	cr_assert(eesp_ivgen_wants_mark(&g, T0 + 1));
	/* two seconds later without a new mark: refused, never past the mark */
	cr_assert_eq(eesp_ivgen_next(&g, T0 + 2, &iv), EESP_E_NOSPACE);
}

Test(ivgen, follows_the_clock_and_strictly_increases)
{
	struct eesp_ivgen g;
	uint64_t last = 0;
	eesp_ivgen_init(&g, 7, 64, 0);
	for (uint64_t t = T0; t < T0 + 5; t++)
		for (int i = 0; i < 1000; i++) {
			uint64_t iv = next_reserving(&g, t);
			cr_assert_gt(iv, last);
			cr_assert_eq(iv >> 32, t, "top 32 bits are the clock");
			cr_assert_eq(eesp_ivgen_lane_of(iv), 7u);
			cr_assert_lt(iv, g.limit);
			last = iv;
		}
	/* the clock stepped back: IVs keep increasing */
	uint64_t iv = next_reserving(&g, T0 - 100);
	cr_assert_gt(iv, last);
}

Test(ivgen, a_full_lane_borrows_from_the_next_second_not_another_lane)
{
	struct eesp_ivgen g;
	uint64_t iv;
	uint64_t end = T0 << 32 | 4ull << 26 | ((1ull << 26) - 2);
	eesp_ivgen_init(&g, 4, 0, end); /* as if restarted near the end of the lane */
	eesp_ivgen_extend(&g, eesp_ivgen_mark(&g, T0));
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_OK);
	cr_assert_eq(iv, end);
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_OK);
	cr_assert_eq(iv, end + 1);
	iv = next_reserving(&g, T0);
	cr_assert_eq(iv, (T0 + 1) << 32 | 4ull << 26, "skips lanes 5..63, goes to the next second");
}

Test(ivgen, lanes_never_meet)
{
	/* 64 lanes, one clock that moves and jumps back: no IV twice */
	static struct eesp_ivgen g[EESP_IVGEN_LANES];
	uint64_t seen_hi[EESP_IVGEN_LANES] = {0};
	uint64_t now = T0, x = 88172645463325252ull;
	for (unsigned l = 0; l < EESP_IVGEN_LANES; l++)
		eesp_ivgen_init(&g[l], l, 1000, 0);
	for (int i = 0; i < 200000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned l = (unsigned)(x % EESP_IVGEN_LANES);
		if (x % 997 == 0)
			now += 1;
		if (x % 15013 == 0)
			now -= 3; /* clock stepped back */
		uint64_t iv = next_reserving(&g[l], now);
		cr_assert_eq(eesp_ivgen_lane_of(iv), l, "IV %#llx outside lane %u",
			     (unsigned long long)iv, l);
		cr_assert_gt(iv, seen_hi[l]);
		seen_hi[l] = iv;
	}
}

Test(ivgen, restart_starts_above_the_persisted_mark)
{
	struct eesp_ivgen g;
	uint64_t iv, last = 0, mark = 0;
	eesp_ivgen_init(&g, 2, 128, 0);
	for (int i = 0; i < 5000; i++) {
		if (eesp_ivgen_wants_mark(&g, T0)) {
			mark = eesp_ivgen_mark(&g, T0);
			eesp_ivgen_extend(&g, mark); /* "persisted" */
		}
		cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_OK);
		last = iv;
	}
	cr_assert_lt(last, mark);
	/* restart with the clock an hour behind: starts at the mark */
	eesp_ivgen_init(&g, 2, 128, mark);
	cr_assert_eq(eesp_ivgen_next(&g, T0 - 3600, &iv), EESP_E_NOSPACE);
	eesp_ivgen_extend(&g, eesp_ivgen_mark(&g, T0 - 3600));
	cr_assert_eq(eesp_ivgen_next(&g, T0 - 3600, &iv), EESP_E_OK);
	cr_assert_geq(iv, mark);
	cr_assert_gt(iv, last);
}

Test(ivgen, end_of_space)
{
	struct eesp_ivgen g;
	uint64_t iv;
	eesp_ivgen_init(&g, 63, 0, UINT64_MAX - 2);
	eesp_ivgen_extend(&g, UINT64_MAX);
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_OK);
	cr_assert_eq(iv, UINT64_MAX - 2);
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_OK);
	cr_assert_eq(iv, UINT64_MAX - 1);
	cr_assert_eq(eesp_ivgen_next(&g, T0, &iv), EESP_E_NOSPACE, "2^64-1 is never handed out");
	cr_assert_not(eesp_ivgen_wants_mark(&g, T0));
	/* lane 0 at clock 0 never hands out 0 */
	eesp_ivgen_init(&g, 0, 0, 0);
	eesp_ivgen_extend(&g, eesp_ivgen_mark(&g, 0));
	cr_assert_eq(eesp_ivgen_next(&g, 0, &iv), EESP_E_OK);
	cr_assert_eq(iv, 1u, "0 is never handed out");
}
