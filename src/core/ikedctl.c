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
	bool peer; /* takes a peer name (or a ring), else an optional "json" */
} verbs[] = {
    {"gcks", IKED_CTL_GCKS, false, false},
    {"gcks-rotate", IKED_CTL_GCKS_ROTATE, true, true},
    {"gcks-remove", IKED_CTL_GCKS_REMOVE, true, true},
    {"gcks-reload", IKED_CTL_GCKS_RELOAD, true, false},
    {"status", IKED_CTL_STATUS, false, false},
    {"show", IKED_CTL_SHOW, false, false},
    {"counters", IKED_CTL_COUNTERS, false, false},
    {"initiate", IKED_CTL_INITIATE, true, true},
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

/* "domain", "tenant:<id>" or "group:<id>" (id 1..4294967295, decimal) */
static int ring_arg(const char *s, size_t n, struct iked_ctl_req *req)
{
	static const char *const lv[] = {"domain", "tenant:", "group:"};
	for (int l = 0; l < 3; l++) {
		size_t w = strlen(lv[l]);
		if (n < w || memcmp(s, lv[l], w))
			continue;
		if (l == 0)
			return n == w ? (req->level = 0, req->id = 0, 0) : -1;
		unsigned long long v = 0;
		if (n == w || n - w > 10 || s[w] == '0')
			return -1;
		for (size_t i = w; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		if (v > 0xffffffffULL)
			return -1;
		req->level = l;
		req->id = (unsigned)v;
		return 0;
	}
	return -1;
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
		if (verbs[i].verb == IKED_CTL_GCKS_ROTATE) {
			if (!arg || ring_arg(arg, alen, req))
				return fail(err, err_len,
					    "usage: gcks-rotate domain|tenant:<id>|group:<id>");
			memcpy(req->peer, arg, alen); /* the ring as given, for the reply */
			return 0;
		}
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
	if (req->verb == IKED_CTL_GCKS_ROTATE) {
		static const char *const lv[] = {"domain", "tenant", "group"};
		if (req->level < 0 || req->level > 2 || (req->level == 0) != (req->id == 0))
			return 0;
		n = req->level ? snprintf(out, cap, "%s %s:%u\n", v, lv[req->level], req->id)
			       : snprintf(out, cap, "%s domain\n", v);
	} else if (req->verb == IKED_CTL_INITIATE || req->verb == IKED_CTL_TERMINATE ||
		   req->verb == IKED_CTL_GCKS_REMOVE) {
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
