/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"

/* Make room for at least `need` more bytes plus the terminator. */
static bool strbuf_grow(struct strbuf *b, size_t need)
{
	size_t ncap;
	char *np;

	if (b->cap - b->len > need)
		return true;
	ncap = (b->cap ? b->cap * 2 : 4096) + need + 1;
	np = malloc(ncap);
	if (!np) {
		strbuf_free(b);
		b->oom = true;
		return false;
	}
	if (b->p) {
		memcpy(np, b->p, b->len + 1);
		eesp_wipe(b->p, b->cap);
		free(b->p);
	} else {
		np[0] = 0;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void strbuf_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!strbuf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void strbuf_hex(struct strbuf *b, const uint8_t *d, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	if (b->oom || !strbuf_grow(b, 2 * n))
		return;
	for (size_t i = 0; i < n; i++) {
		b->p[b->len++] = digits[d[i] >> 4];
		b->p[b->len++] = digits[d[i] & 15];
	}
	b->p[b->len] = 0;
}

void strbuf_json(struct strbuf *b, const char *s)
{
	strbuf_printf(b, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			strbuf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			strbuf_printf(b, "\\u%04x", ch);
		else
			strbuf_printf(b, "%c", ch);
	}
	strbuf_printf(b, "\"");
}

void strbuf_free(struct strbuf *b)
{
	if (b->p) {
		eesp_wipe(b->p, b->cap);
		free(b->p);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}
