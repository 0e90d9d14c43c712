/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.h - the one place where the words of the protocol's enums are
 * spelled: profiles, KDFs, AEAD suites, key levels, generation slots and
 * wire modes.  The daemon's configuration, the CLI's options and output, the
 * vector generator, the control protocol and the Wireshark plugin all read
 * and print these words through this table, so a word one of them accepts
 * is accepted by all of them.
 *
 * Header-only (static tables, inline lookups) so that the Wireshark plugin,
 * which links nothing of the core, uses the same table.
 */
#ifndef EESP_NAMES_H
#define EESP_NAMES_H

#include <stddef.h>
#include <string.h>

#include "eesp_proto.h"

struct eesp_name {
	unsigned value;
	const char *word;
};

/* NULL-terminated tables */
static const struct eesp_name eesp_profile_names[] = {
    {EESP_PROFILE_SPI, "spi"},
    {EESP_PROFILE_NODE, "node"},
    {EESP_PROFILE_PAIR, "pair"},
    {EESP_PROFILE_TENANT, "tenant"},
    {0, NULL},
};

static const struct eesp_name eesp_kdf_names[] = {
    {EESP_KDF_CMAC_AES256, "cmac"},
    {EESP_KDF_HMAC_SHA256, "hmac"},
    {0, NULL},
};

/* the KDFs' full names (SP 800-108 counter mode and its PRF), as the
 * vectors' JSON spells them */
static const struct eesp_name eesp_kdf_spec_names[] = {
    {EESP_KDF_CMAC_AES256, "sp800-108-counter-cmac-aes256"},
    {EESP_KDF_HMAC_SHA256, "sp800-108-counter-hmac-sha256"},
    {0, NULL},
};

static const struct eesp_name eesp_suite_names[] = {
    {EESP_SUITE_AES_GCM_128, "aes-gcm-128"},
    {EESP_SUITE_AES_GCM_256, "aes-gcm-256"},
    {0, NULL},
};

static const struct eesp_name eesp_level_names[] = {
    {EESP_LEVEL_DOMAIN, "domain"},
    {EESP_LEVEL_TENANT, "tenant"},
    {EESP_LEVEL_GROUP, "group"},
    {0, NULL},
};

/* generation slots of a ring (keys.h); "next" also marks a key-file line */
enum eesp_gen_slot { EESP_GEN_PREVIOUS = 0, EESP_GEN_CURRENT = 1, EESP_GEN_NEXT = 2 };
static const struct eesp_name eesp_slot_names[] = {
    {EESP_GEN_PREVIOUS, "previous"},
    {EESP_GEN_CURRENT, "current"},
    {EESP_GEN_NEXT, "next"},
    {0, NULL},
};

/* wire modes (configuration "mode", eespctl --mode) */
enum eesp_mode { EESP_MODE_EESP = 0, EESP_MODE_PSP = 1 };
static const struct eesp_name eesp_mode_names[] = {
    {EESP_MODE_EESP, "eesp"},
    {EESP_MODE_PSP, "psp"},
    {0, NULL},
};

/* PSP versions by their AEAD (PSP specification; psp.md): 2 and 3 are
 * integrity only (AES-GMAC) */
static const struct eesp_name eesp_psp_version_names[] = {
    {PSP_VER_AES_GCM_128, "aes-gcm-128"},
    {PSP_VER_AES_GCM_256, "aes-gcm-256"},
    {PSP_VER_AES_GMAC_128, "aes-gmac-128"},
    {PSP_VER_AES_GMAC_256, "aes-gmac-256"},
    {0, NULL},
};

/* The word of value in table t, or "?" if it has none. */
static inline const char *eesp_name_of(const struct eesp_name *t, unsigned value)
{
	for (; t->word; t++)
		if (t->value == value)
			return t->word;
	return "?";
}

/* The value of word in table t: 0 with *value set, -1 if t has no such word. */
static inline int eesp_value_of(const struct eesp_name *t, const char *word, unsigned *value)
{
	for (; t->word; t++)
		if (!strcmp(t->word, word)) {
			*value = t->value;
			return 0;
		}
	return -1;
}

/* Same for the n bytes at word (a field of a line, not NUL-terminated). */
static inline int eesp_value_of_n(const struct eesp_name *t, const char *word, size_t n,
				  unsigned *value)
{
	for (; t->word; t++)
		if (strlen(t->word) == n && !memcmp(t->word, word, n)) {
			*value = t->value;
			return 0;
		}
	return -1;
}

/* "a, b or c": the words of t, for error messages. */
static inline const char *eesp_names_list(const struct eesp_name *t, char *buf, size_t cap)
{
	size_t n = 0, len = 0;
	while (t[n].word)
		n++;
	if (cap)
		buf[0] = 0;
	for (size_t i = 0; i < n && len + 1 < cap; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		size_t a = strlen(sep), b = strlen(t[i].word);
		if (len + a + b + 1 > cap)
			break;
		memcpy(buf + len, sep, a);
		memcpy(buf + len + a, t[i].word, b + 1);
		len += a + b;
	}
	return buf;
}

#endif /* EESP_NAMES_H */
