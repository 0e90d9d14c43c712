// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikedctl.c - eesp-iked's control request lines (ikedctl.h).  The grammar
 * is eespd's: verb and arguments separated by single spaces, printable
 * ASCII, no leading or trailing space, an optional final '\n'.  A peer
 * name is 1 to 63 of [A-Za-z0-9._-], as eesp-iked.conf allows.
 */
#include "ikedctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum iked_ctl_verb verb;
	bool admin;
	bool peer; /* takes a peer name, else an optional "json" */
} verbs[] = {
    {"status", IKED_CTL_STATUS, false, false},	   {"show", IKED_CTL_SHOW, false, false},
    {"counters", IKED_CTL_COUNTERS, false, false}, {"initiate", IKED_CTL_INITIATE, true, true},
    {"terminate", IKED_CTL_TERMINATE, true, true},
};
#define N_VERBS (sizeof(verbs) / sizeof(verbs[0]))

const char *iked_ctl_verb_name(enum iked_ctl_verb v)
{
	for (size_t i = 0; i < N_VERBS; i++)
		if (verbs[i].verb == v)
			return verbs[i].name;
	return NULL;
}

bool iked_ctl_verb_is_admin(enum iked_ctl_verb v)
{
	for (size_t i = 0; i < N_VERBS; i++)
		if (verbs[i].verb == v)
			return verbs[i].admin;
	return true;
}

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t el, const char *fmt, ...)
{
	va_list ap;
	if (err && el) {
		va_start(ap, fmt);
		vsnprintf(err, el, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static bool peer_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > IKED_CTL_PEER_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int iked_ctl_parse(const char *line, size_t len, struct iked_ctl_req *req, char *err,
		   size_t err_len)
{
	const char *sp, *arg = NULL;
	size_t vlen, alen = 0;
	memset(req, 0, sizeof(*req));
	if (!line || len > IKED_CTL_MAX_LINE)
		return fail(err, err_len, "request missing or longer than %d octets",
			    IKED_CTL_MAX_LINE);
	if (len && line[len - 1] == '\n')
		len--;
	if (!len)
		return fail(err, err_len, "empty request");
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			return fail(err, err_len, "non-printable octet 0x%02x at offset %zu",
				    (unsigned char)line[i], i);
	if (line[0] == ' ' || line[len - 1] == ' ')
		return fail(err, err_len, "leading or trailing space");
	sp = memchr(line, ' ', len);
	vlen = sp ? (size_t)(sp - line) : len;
	if (sp) {
		arg = sp + 1;
		alen = len - vlen - 1;
		if (memchr(arg, ' ', alen))
			return fail(err, err_len, "too many arguments");
	}
	for (size_t i = 0; i < N_VERBS; i++) {
		if (strlen(verbs[i].name) != vlen || memcmp(verbs[i].name, line, vlen))
			continue;
		req->verb = verbs[i].verb;
		if (verbs[i].peer) {
			if (!arg || !peer_name_ok(arg, alen))
				return fail(err, err_len,
					    "usage: %s <peer> (a peer name of "
					    "eesp-iked.conf)",
					    verbs[i].name);
			memcpy(req->peer, arg, alen);
			return 0;
		}
		if (arg && (alen != 4 || memcmp(arg, "json", 4)))
			return fail(err, err_len, "%s takes only 'json'", verbs[i].name);
		req->json = arg != NULL;
		return 0;
	}
	return fail(err, err_len, "unknown verb '%.*s'", (int)(vlen > 32 ? 32 : vlen), line);
}

size_t iked_ctl_format(const struct iked_ctl_req *req, char *out, size_t cap)
{
	const char *v = iked_ctl_verb_name(req->verb);
	int n;
	if (!v || !cap)
		return 0;
	if (req->verb == IKED_CTL_INITIATE || req->verb == IKED_CTL_TERMINATE) {
		if (!peer_name_ok(req->peer, strlen(req->peer)))
			return 0;
		n = snprintf(out, cap, "%s %s\n", v, req->peer);
	} else {
		n = snprintf(out, cap, "%s%s\n", v, req->json ? " json" : "");
	}
	if (n < 0 || (size_t)n >= cap) {
		out[0] = 0;
		return 0;
	}
	return (size_t)n;
}
