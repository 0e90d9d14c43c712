// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * showfilter.c - what `eespctl show` leaves out unless --all is given: the
 * counters that are zero, and a peer's "latest_rx never", as `wg show`
 * prints no transfer line for a peer that has sent nothing.  The daemon's
 * body always has every line (scripts read it through --json or the
 * control socket); this is only how a person sees it.
 */
#include <ctype.h>
#include <string.h>

#include "eespctl.h"

/* "  name 0", "name 0" or "  latest_rx never": a line eespctl hides. */
static bool zero_line(const char *s, size_t n)
{
	size_t i = 0, w;
	while (i < n && s[i] == ' ')
		i++;
	w = i;
	while (i < n &&
	       (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
		i++;
	if (i == w || i >= n || s[i] != ' ' || !islower((unsigned char)s[w]))
		return false;
	i++;
	return (n - i == 1 && s[i] == '0') || (n - i == 5 && !memcmp(s + i, "never", 5));
}

void show_print(FILE *f, const char *body, bool all)
{
	unsigned hidden = 0;
	for (const char *p = body; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (!all && zero_line(p, n))
			hidden++;
		else
			fprintf(f, "%.*s\n", (int)n, p);
		p += n + (nl ? 1 : 0);
	}
	if (hidden)
		fprintf(f, "(%u zero counters not shown; --all shows them)\n", hidden);
}
