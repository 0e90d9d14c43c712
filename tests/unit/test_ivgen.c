/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_ivgen.c - the IV generator never repeats, never hands out 0, and
 * refuses to run past its persisted reservation. */
#include <criterion/criterion.h>

#include "ivgen.h"

Test(ivgen, start_value)
{
	cr_assert_eq(eesp_ivgen_start(0, 0), 1u);
	cr_assert_eq(eesp_ivgen_start(1700000000, 0), 1700000000ull << 32);
	cr_assert_eq(eesp_ivgen_start(1700000000, (1700000000ull << 32) + 5),
		     (1700000000ull << 32) + 5);
	cr_assert_eq(eesp_ivgen_start(5, 1), 5ull << 32); /* clock wins */
}

Test(ivgen, blocks_and_monotonic)
{
	struct eesp_ivgen g;
	uint64_t iv, last = 0, hwm;
	eesp_ivgen_init(&g, 1000);
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_NOSPACE); /* reserve first */
	hwm = eesp_ivgen_reserve(&g);
	cr_assert_eq(hwm, 1000 + EESP_IVGEN_BLOCK);
	for (uint64_t i = 0; i < EESP_IVGEN_BLOCK; i++) {
		cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_OK);
		cr_assert(iv > last && iv < hwm);
		last = iv;
		if (i == 0)
			cr_assert_eq(iv, 1000u);
	}
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_NOSPACE);
	hwm = eesp_ivgen_reserve(&g);
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_OK);
	cr_assert_eq(iv, last + 1);
	/* restart from the persisted mark: everything new is above all old IVs */
	cr_assert(eesp_ivgen_start(0, hwm) > iv);
}

Test(ivgen, end_of_space)
{
	struct eesp_ivgen g;
	uint64_t iv;
	eesp_ivgen_init(&g, UINT64_MAX - 2);
	cr_assert_eq(eesp_ivgen_reserve(&g), UINT64_MAX);
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_OK);
	cr_assert_eq(iv, UINT64_MAX - 2);
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_OK);
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_NOSPACE);
	eesp_ivgen_init(&g, 0);
	eesp_ivgen_reserve(&g);
	cr_assert_eq(eesp_ivgen_next(&g, &iv), EESP_E_OK);
	cr_assert_eq(iv, 1u, "0 is never handed out");
}
