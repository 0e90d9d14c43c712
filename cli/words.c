// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * words.c - the words of profiles, KDFs, suites, levels, generation slots
 * and wire modes, read from options and configuration and printed, all
 * through the core's one table (names.h): eespctl accepts exactly the words
 * eespd does, and prints the ones it reads.
 */
#include "eespctl.h"

/* value of s in t; -1 with "unknown WHAT 's' (expected a, b or c)" */
static int parse_word(const struct eesp_name *t, const char *what, const char *s, unsigned *v)
{
	char list[96];

	if (!eesp_value_of(t, s, v))
		return 0;
	err("unknown %s '%s' (expected %s)", what, s, eesp_names_list(t, list, sizeof(list)));
	return -1;
}

int parse_level(const char *s, enum eesp_level *level)
{
	unsigned v;
	if (parse_word(eesp_level_names, "level", s, &v))
		return -1;
	*level = (enum eesp_level)v;
	return 0;
}

bool is_level(const char *s)
{
	unsigned v;
	return !eesp_value_of(eesp_level_names, s, &v);
}

const char *level_name(enum eesp_level level)
{
	return eesp_name_of(eesp_level_names, level);
}

int parse_profile(const char *s, unsigned *p)
{
	return parse_word(eesp_profile_names, "profile", s, p);
}

const char *profile_name(unsigned p)
{
	return eesp_name_of(eesp_profile_names, p);
}

int parse_kdf(const char *s, unsigned *k)
{
	return parse_word(eesp_kdf_names, "kdf", s, k);
}

const char *kdf_name(unsigned k)
{
	return eesp_name_of(eesp_kdf_names, k);
}

int parse_suite(const char *s, unsigned *suite)
{
	return parse_word(eesp_suite_names, "suite", s, suite);
}

const char *suite_name(unsigned s)
{
	return eesp_name_of(eesp_suite_names, s);
}

int parse_mode(const char *s, enum eesp_mode *mode)
{
	unsigned v;
	if (parse_word(eesp_mode_names, "mode", s, &v))
		return -1;
	*mode = (enum eesp_mode)v;
	return 0;
}

int parse_mode_arg(const char *cmd, const char *s, enum eesp_mode *mode)
{
	char list[32];
	unsigned v;

	if (!eesp_value_of(eesp_mode_names, s, &v)) {
		*mode = (enum eesp_mode)v;
		return 0;
	}
	err("%s: unknown mode '%s' (expected %s)", cmd, s,
	    eesp_names_list(eesp_mode_names, list, sizeof(list)));
	return -1;
}

const char *mode_name(enum eesp_mode mode)
{
	return eesp_name_of(eesp_mode_names, mode);
}

bool is_mode(const char *s, enum eesp_mode mode)
{
	unsigned v;
	return !eesp_value_of(eesp_mode_names, s, &v) && v == (unsigned)mode;
}

const char *slot_name(enum eesp_gen_slot slot)
{
	return eesp_name_of(eesp_slot_names, slot);
}

const char *psp_version_name(unsigned version)
{
	return eesp_name_of(eesp_psp_version_names, version);
}

const char *word_choices(const struct eesp_name *t, char *buf, size_t cap)
{
	size_t len = 0;

	if (cap)
		buf[0] = 0;
	for (size_t i = 0; t[i].word; i++) {
		int n = snprintf(buf + len, cap - len, "%s%s", i ? "|" : "", t[i].word);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	return buf;
}
