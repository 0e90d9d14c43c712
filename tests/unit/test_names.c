/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_names.c - the one table of protocol words: every value has one word,
 * every word maps back to its value, and nothing else is accepted. */
#include <criterion/criterion.h>

#include "names.h"

static void round_trip(const struct eesp_name *t)
{
	for (const struct eesp_name *a = t; a->word; a++) {
		unsigned v = 12345;
		cr_assert_eq(eesp_value_of(t, a->word, &v), 0, "%s", a->word);
		cr_assert_eq(v, a->value);
		cr_assert_str_eq(eesp_name_of(t, a->value), a->word);
		for (const struct eesp_name *b = a + 1; b->word; b++) {
			cr_assert_str_neq(a->word, b->word, "word twice");
			cr_assert_neq(a->value, b->value, "value twice");
		}
	}
}

Test(names, every_table_round_trips)
{
	round_trip(eesp_profile_names);
	round_trip(eesp_kdf_names);
	round_trip(eesp_suite_names);
	round_trip(eesp_level_names);
	round_trip(eesp_slot_names);
	round_trip(eesp_mode_names);
	round_trip(eesp_psp_version_names);
	round_trip(eesp_kdf_spec_names);
}

Test(names, only_the_words_are_accepted)
{
	unsigned v = 7;
	cr_assert_eq(eesp_value_of(eesp_kdf_names, "1", &v), -1, "no numeric aliases");
	cr_assert_eq(eesp_value_of(eesp_suite_names, "AES-GCM-128", &v), -1, "case matters");
	cr_assert_eq(eesp_value_of(eesp_profile_names, "", &v), -1);
	cr_assert_eq(v, 7u, "untouched on failure");
	cr_assert_str_eq(eesp_name_of(eesp_profile_names, 99), "?");
	/* the wire values are the protocol's */
	cr_assert_eq(eesp_value_of(eesp_profile_names, "tenant", &v), 0);
	cr_assert_eq(v, (unsigned)EESP_PROFILE_TENANT);
}

Test(names, list_for_messages)
{
	char buf[64];
	cr_assert_str_eq(eesp_names_list(eesp_profile_names, buf, sizeof(buf)),
			 "spi, node, pair or tenant");
	cr_assert_str_eq(eesp_names_list(eesp_kdf_names, buf, sizeof(buf)), "cmac or hmac");
	cr_assert_str_eq(eesp_names_list(eesp_profile_names, buf, 8), "spi");
}

/* a field of a line (key file, control request): exactly its n bytes */
Test(names, field_of_a_line)
{
	unsigned v = 7;
	cr_assert_eq(eesp_value_of_n(eesp_level_names, "tenant 5 1 ab", 6, &v), 0);
	cr_assert_eq(v, (unsigned)EESP_LEVEL_TENANT);
	cr_assert_eq(eesp_value_of_n(eesp_level_names, "tenants", 7, &v), -1, "longer word");
	cr_assert_eq(eesp_value_of_n(eesp_level_names, "tenant", 5, &v), -1, "prefix");
	cr_assert_eq(eesp_value_of_n(eesp_mode_names, "", 0, &v), -1);
	cr_assert_eq(v, (unsigned)EESP_LEVEL_TENANT, "untouched on failure");
}
