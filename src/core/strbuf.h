/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strbuf.h - a growing text buffer for reports, JSON and key files.
 *
 * Growth copies into a fresh allocation and wipes the old one, and
 * strbuf_free() wipes before freeing, so the same buffer can hold key
 * material (eespctl writes key files with it).  An allocation failure sets
 * `oom` and turns later appends into no-ops; check it once at the end.
 */
#ifndef EESP_STRBUF_H
#define EESP_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *p; /* NUL-terminated while !oom and p != NULL */
	size_t len, cap;
	bool oom;
};

void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Lower-case hex of n bytes. */
void strbuf_hex(struct strbuf *b, const uint8_t *d, size_t n);
/* A JSON string literal, quotes included, with escapes. */
void strbuf_json(struct strbuf *b, const char *s);
/* Wipe and free; the buffer is empty again afterwards. */
void strbuf_free(struct strbuf *b);

#endif /* EESP_STRBUF_H */
