/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prefix.h - IPv4 and IPv6 prefixes ("192.0.2.0/24", "2001:db8::/32"):
 * parsing, membership and printing.  Pure: no I/O.
 */
#ifndef EESP_PREFIX_H
#define EESP_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

/* "addr" or "addr/len"; 0, or -1 if it is neither an IPv4 nor an IPv6 prefix. */
int prefix_parse(const char *s, struct prefix *p);
/* Is addr (4 or 16 bytes, per family) inside p? */
bool prefix_contains(const struct prefix *p, int family, const uint8_t *addr);
/* Do two prefixes share an address? */
bool prefix_overlaps(const struct prefix *a, const struct prefix *b);
void prefix_format(const struct prefix *p, char *out, size_t cap);

#endif /* EESP_PREFIX_H */
