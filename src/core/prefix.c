/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prefix.c - IP prefixes; see prefix.h.
 */
#include "prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int prefix_parse(const char *s, struct prefix *p)
{
	char buf[128];
	char *slash;
	long len = -1;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		char *end;
		*slash = 0;
		errno = 0;
		len = strtol(slash + 1, &end, 10);
		if (errno || *end || end == slash + 1)
			return -1;
	}
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
		if (len < 0)
			len = 32;
		if (len > 32)
			return -1;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
		if (len < 0)
			len = 128;
		if (len > 128)
			return -1;
	} else {
		return -1;
	}
	p->len = (uint8_t)len;
	return 0;
}

static bool first_bits_equal(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rem = bits % 8;
	if (memcmp(a, b, full))
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((a[full] & mask) != (b[full] & mask))
			return false;
	}
	return true;
}

bool prefix_contains(const struct prefix *p, int family, const uint8_t *addr)
{
	return p->family == family && first_bits_equal(p->addr, addr, p->len);
}

bool prefix_overlaps(const struct prefix *a, const struct prefix *b)
{
	return a->family == b->family &&
	       first_bits_equal(a->addr, b->addr, a->len < b->len ? a->len : b->len);
}

void prefix_format(const struct prefix *p, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(out, cap, "%s/%u", a, p->len);
}
