// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confpeer.c - one more peer in an existing eespd.conf, every other byte
 * (comments, the operator's own edits) kept: the top-level `peers` list is
 * found by a small scanner that knows libconfig's comments, strings and
 * brackets, the entry goes before its closing parenthesis, and the result
 * must parse with exactly one peer more, or nothing is written.
 */
#include <ctype.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"
#include "onboard.h"

struct scan {
	const char *t;
	size_t n, i;
};

/* Skip blanks and comments (#, //, C style). */
static void skip_space(struct scan *s)
{
	while (s->i < s->n) {
		const char *p = s->t + s->i;
		if (isspace((unsigned char)*p)) {
			s->i++;
		} else if (*p == '#' || (*p == '/' && s->i + 1 < s->n && p[1] == '/')) {
			while (s->i < s->n && s->t[s->i] != '\n')
				s->i++;
		} else if (*p == '/' && s->i + 1 < s->n && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			s->i = e ? (size_t)(e - s->t) + 2 : s->n;
		} else {
			return;
		}
	}
}

/* One token; returns its first character (0 at the end). */
static char next_token(struct scan *s)
{
	skip_space(s);
	if (s->i >= s->n)
		return 0;
	char c = s->t[s->i];
	if (c == '"') {
		for (s->i++; s->i < s->n && s->t[s->i] != '"'; s->i++)
			if (s->t[s->i] == '\\')
				s->i++;
		s->i++;
	} else if (isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '+') {
		while (s->i < s->n && (isalnum((unsigned char)s->t[s->i]) || s->t[s->i] == '_' ||
				       s->t[s->i] == '-' || s->t[s->i] == '.' || s->t[s->i] == '+'))
			s->i++;
	} else {
		s->i++;
	}
	return c;
}

/* The top-level peers list: the offsets of its '(' and ')' and the end of
 * its last element (0: empty).  0, or -1 if there is none. */
static int find_peers(const char *t, size_t n, size_t *open, size_t *close, size_t *last)
{
	struct scan s = {.t = t, .n = n};
	int depth = 0;
	bool want_open = false;
	char c;
	size_t start;

	*open = 0;
	*last = 0;
	for (;;) {
		skip_space(&s);
		start = s.i;
		if (!(c = next_token(&s)))
			return -1;
		if (*open && depth == 1 && c == ')') {
			*close = start;
			return 0;
		}
		if (*open && depth >= 1 && c != ',')
			*last = s.i;
		if (c == '(' || c == '{' || c == '[') {
			if (want_open && c == '(' && depth == 0)
				*open = start;
			else if (want_open)
				return -1; /* peers = { ... }: not a list */
			want_open = false;
			depth++;
			continue;
		}
		if (c == ')' || c == '}' || c == ']') {
			if (--depth < 0)
				return -1;
			continue;
		}
		if (want_open && (c == '=' || c == ':'))
			continue;
		want_open =
		    depth == 0 && !*open && s.i - start == 5 && !memcmp(t + start, "peers", 5);
	}
}

static int count_peers(const char *text, int *n, char *e, size_t el)
{
	config_t cfg;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		snprintf(e, el, "line %d: %s", config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	const config_setting_t *l = config_lookup(&cfg, "peers");
	*n = l && config_setting_is_list(l) ? config_setting_length(l) : -1;
	config_destroy(&cfg);
	return 0;
}

int confpeer_add(const char *path, const char *text, const struct nc_peer *p, char **out,
		 size_t *len)
{
	size_t n = strlen(text), open, close, last, plen;
	int before, after;
	char e[256] = "no peers list", *entry, *r;

	if (count_peers(text, &before, e, sizeof(e)) || before < 0 ||
	    find_peers(text, n, &open, &close, &last)) {
		err("%s: no top-level `peers = ( ... );` list found; add the new peer by hand",
		    path);
		return -1;
	}
	if (!(entry = nc_format_peer(p, &plen)))
		return -1;
	r = malloc(n + plen + 8);
	if (!r) {
		free(entry);
		err("out of memory");
		return -1;
	}
	/* ... last element[,] ... (blanks, comments) <entry>\n) ... */
	size_t k = 0, at = last ? last : open + 1;
	memcpy(r, text, at);
	k = at;
	if (last)
		r[k++] = ',';
	memcpy(r + k, text + at, close - at);
	k += close - at;
	if (k && r[k - 1] != '\n')
		r[k++] = '\n';
	memcpy(r + k, entry, plen);
	k += plen;
	r[k++] = '\n';
	memcpy(r + k, text + close, n - close);
	k += n - close;
	r[k] = 0;
	free(entry);
	after = -1;
	if (count_peers(r, &after, e, sizeof(e)) || after != before + 1) {
		err("%s: adding the peer would break the file (%s); add it by hand", path,
		    after < 0 ? e : "the peers list did not grow by one");
		free(r);
		return -1;
	}
	*out = r;
	*len = k;
	return 0;
}
