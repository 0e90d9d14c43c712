/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testhex.h - hex helpers for the unit tests (criterion). */
#ifndef EESP_TESTHEX_H
#define EESP_TESTHEX_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static inline int th_nib(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode hex (whitespace ignored) into out; asserts on bad input. */
static inline size_t th_unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int v;
		if (*s == ' ' || *s == '\n' || *s == '\t')
			continue;
		v = th_nib(*s);
		cr_assert(v >= 0, "bad hex digit '%c'", *s);
		if (hi < 0) {
			hi = v;
			continue;
		}
		cr_assert(n < cap, "hex too long");
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	cr_assert(hi < 0, "odd number of hex digits");
	return n;
}

static inline void th_hex(const uint8_t *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = 0;
}

/* Assert equal bytes, printing both sides in hex on failure. */
#define th_assert_mem(got, exp, n, ...)                                                            \
	do {                                                                                       \
		const uint8_t *g_ = (const uint8_t *)(got), *e_ = (const uint8_t *)(exp);          \
		size_t n_ = (n);                                                                   \
		if (memcmp(g_, e_, n_)) {                                                          \
			char gh_[1025], eh_[1025];                                                 \
			size_t m_ = n_ > 512 ? 512 : n_;                                           \
			th_hex(g_, m_, gh_);                                                       \
			th_hex(e_, m_, eh_);                                                       \
			cr_log_error(__VA_ARGS__);                                                 \
			cr_assert_fail("bytes differ\n got %s\nwant %s", gh_, eh_);                \
		}                                                                                  \
	} while (0)

#endif
