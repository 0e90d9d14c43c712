/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testjson.h - is a text one JSON value (RFC 8259), followed only by
 * white space?  A strict recursive-descent check for the unit tests of
 * JSON replies; no tree is built.
 */
#ifndef EESP_TESTJSON_H
#define EESP_TESTJSON_H

#include <stdbool.h>
#include <string.h>

static inline const char *tj_value(const char *p, int depth);

static inline const char *tj_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static inline const char *tj_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\')
			continue;
		p++;
		if (*p == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i])
					return NULL;
			p += 4;
		} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
			return NULL;
		}
	}
	return p + 1;
}

static inline const char *tj_digits(const char *p)
{
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

static inline const char *tj_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (!(p = tj_digits(p)))
		return NULL;
	if (*p == '.' && !(p = tj_digits(p + 1)))
		return NULL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		p = tj_digits(p);
	}
	return p;
}

/* "[ v, ... ]" or "{ "k": v, ... }" */
static inline const char *tj_members(const char *p, char close, bool keys, int depth)
{
	p = tj_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (keys) {
			if (!(p = tj_string(p)))
				return NULL;
			p = tj_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		if (!(p = tj_value(p, depth + 1)))
			return NULL;
		p = tj_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = tj_ws(p);
	}
}

static inline const char *tj_value(const char *p, int depth)
{
	p = tj_ws(p);
	if (depth > 64)
		return NULL;
	switch (*p) {
	case '{':
		return tj_members(p, '}', true, depth);
	case '[':
		return tj_members(p, ']', false, depth);
	case '"':
		return tj_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return tj_number(p);
	}
}

/* one JSON value and nothing but white space after it */
static inline bool json_valid(const char *text)
{
	const char *end = tj_value(text, 0);
	return end && !*tj_ws(end);
}

#endif
