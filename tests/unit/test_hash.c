/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hash.c - the mixers of hash.h give the values the copies they
 * replaced gave (packet.c dk_mix, replay.c mix64, tx.c mix32/fmix32), and
 * FNV-1a its published values.
 */
#include <criterion/criterion.h>

#include "hash.h"

Test(hash, mulxs64)
{
	cr_assert_eq(eesp_mulxs64(0, 0), 0);
	cr_assert_eq(eesp_mulxs64(1, 2), 0xdaa66d2ca7791913ull);
	cr_assert_eq(eesp_mulxs64(0x0123456789abcdefull, 0xfedcba9876543210ull),
		     0x61c88646e17d05adull);
}

Test(hash, splitmix64)
{
	cr_assert_eq(eesp_splitmix64(0), 0);
	cr_assert_eq(eesp_splitmix64(1), 0x5692161d100b05e5ull);
	cr_assert_eq(eesp_splitmix64(0xc0ffee01ull), 0x2bc6ca884d3ec75bull);
}

Test(hash, murmur3)
{
	cr_assert_eq(eesp_murmur3_round32(0, 0), 0xe6546b64u);
	cr_assert_eq(eesp_murmur3_round32(0x45455350u, 0xc0000201u), 0xde131ad5u);
	cr_assert_eq(eesp_murmur3_fmix32(0), 0);
	cr_assert_eq(eesp_murmur3_fmix32(1), 0x514e28b7u);
	cr_assert_eq(eesp_murmur3_fmix32(0xdeadbeefu), 0x0de5c6a9u);
}

Test(hash, fnv1a)
{
	cr_assert_eq(eesp_fnv1a32("", 0), 0x811c9dc5u);
	cr_assert_eq(eesp_fnv1a32("a", 1), 0xe40c292cu);
	cr_assert_eq(eesp_fnv1a64("", 0), 0xcbf29ce484222325ull);
	cr_assert_eq(eesp_fnv1a64("a", 1), 0xaf63dc4c8601ec8cull);
}
