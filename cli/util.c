// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c - helpers shared by the subcommands: messages, --help, hex,
 * numbers, JSON strings.  Files are in files.c, protocol words in words.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"

const char *prog = PROG;

void err(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warnx(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "Warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool want_help(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_decode(const char *s, size_t slen, uint8_t *out, size_t len)
{
	size_t i = 0, n = 0;
	while (i < slen && isspace((unsigned char)s[i]))
		i++;
	while (slen > i && isspace((unsigned char)s[slen - 1]))
		slen--;
	if (slen - i != 2 * len)
		return -1;
	for (; n < len; n++, i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[n] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

long hex_decode_var(const char *s, uint8_t *out, size_t cap)
{
	size_t l = strlen(s);
	if (l >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		l -= 2;
	}
	if (l % 2 || l / 2 > cap)
		return -1;
	if (hex_decode(s, l, out, l / 2))
		return -1;
	return (long)(l / 2);
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = 0;
}

void print_hex(FILE *f, const uint8_t *in, size_t len)
{
	char buf[2 * 64 + 1];
	while (len) {
		size_t n = len > 64 ? 64 : len;
		hex_encode(in, n, buf);
		fputs(buf, f);
		in += n;
		len -= n;
	}
}

int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	int base = 10;
	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	errno = 0;
	unsigned long long x = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;
	if (parse_u64(s, &x) || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
