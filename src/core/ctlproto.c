/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlproto.c - parse and format control-socket request lines (ctlproto.h).
 *
 * Grammar (strict): verb and arguments separated by single spaces, no
 * leading or trailing space, printable ASCII only, an optional final '\n'
 * (no '\r'), at most EESP_CTL_MAX_LINE bytes including the '\n'.
 * Ids are decimal 0..4294967295 without sign or leading zeros.
 * spi-alloc without an argument leaves the version to the daemon (version
 * -1: the configured psp version).  The sa-* verbs' arguments are in ctlsa.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
#include "ctlproto_int.h"
#include "eesp_proto.h"
#include "names.h"

/* The one table of verbs: wire name and permission class (ctlproto.h). */
static const struct {
	const char *name;
	enum eesp_ctl_verb verb;
	enum eesp_ctl_class cls;
} ctl_verbs[] = {
    {"status", EESP_CTL_STATUS, EESP_CTL_CLASS_READ},
    {"show", EESP_CTL_SHOW, EESP_CTL_CLASS_READ},
    {"counters", EESP_CTL_COUNTERS, EESP_CTL_CLASS_READ},
    {"keys", EESP_CTL_KEYS, EESP_CTL_CLASS_READ},
    {"reload", EESP_CTL_RELOAD, EESP_CTL_CLASS_ADMIN},
    {"rotate", EESP_CTL_ROTATE, EESP_CTL_CLASS_ADMIN},
    {"retire", EESP_CTL_RETIRE, EESP_CTL_CLASS_ADMIN},
    {"spi-alloc", EESP_CTL_SPI_ALLOC, EESP_CTL_CLASS_ADMIN},
    {"sa-rx-alloc", EESP_CTL_SA_RX_ALLOC, EESP_CTL_CLASS_SA},
    {"sa-tx-alloc", EESP_CTL_SA_TX_ALLOC, EESP_CTL_CLASS_SA},
    {"sa-tx-set", EESP_CTL_SA_TX_SET, EESP_CTL_CLASS_SA},
    {"sa-rx-set", EESP_CTL_SA_RX_SET, EESP_CTL_CLASS_SA},
    {"sa-release", EESP_CTL_SA_RELEASE, EESP_CTL_CLASS_SA},
    {"sa-list", EESP_CTL_SA_LIST, EESP_CTL_CLASS_SA},
    {"sa-wait", EESP_CTL_SA_WAIT, EESP_CTL_CLASS_SA},
    /* sa, not admin: a member's eesp-iked installs what its key server hands
     * it (only into key_server domains) and needs no reload or rotate */
    {"root-set", EESP_CTL_ROOT_SET, EESP_CTL_CLASS_SA},
    {"metrics", EESP_CTL_METRICS, EESP_CTL_CLASS_READ},
};
#define CTL_NVERBS (sizeof(ctl_verbs) / sizeof(ctl_verbs[0]))

static int verb_index(enum eesp_ctl_verb verb)
{
	for (size_t i = 0; i < CTL_NVERBS; i++)
		if (ctl_verbs[i].verb == verb)
			return (int)i;
	return -1;
}

int eesp_ctl_verb_class(enum eesp_ctl_verb verb)
{
	int i = verb_index(verb);
	return i < 0 ? -1 : (int)ctl_verbs[i].cls;
}

const char *eesp_ctl_verb_name(enum eesp_ctl_verb verb)
{
	int i = verb_index(verb);
	return i < 0 ? NULL : ctl_verbs[i].name;
}

const char *eesp_ctl_class_name(int cls)
{
	switch (cls) {
	case EESP_CTL_CLASS_READ:
		return "read";
	case EESP_CTL_CLASS_ADMIN:
		return "admin";
	case EESP_CTL_CLASS_SA:
		return "sa";
	}
	return NULL;
}

int eesp_ctl_fail(char *err, size_t err_len, const char *fmt, ...)
{
	va_list ap;

	if (err && err_len) {
		va_start(ap, fmt);
		vsnprintf(err, err_len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int eesp_ctl_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static int tok_u32(const char *s, size_t n, uint32_t *out)
{
	uint64_t v;
	if (eesp_ctl_parse_u64(s, n, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

bool eesp_ctl_tok_is(const char *t, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(t, s, n) == 0;
}

int eesp_ctl_parse(const char *line, size_t len, struct eesp_ctl_req *req, char *err,
		   size_t err_len)
{
	const char *tok[1 + CTL_MAX_ARGS];
	size_t tlen[1 + CTL_MAX_ARGS];
	size_t i, ntok = 0, nargs, start;
	unsigned lv;
	const char *verb_tok;
	bool found = false;

	memset(req, 0, sizeof(*req));
	if (err && err_len)
		err[0] = 0;
	if (!line)
		return eesp_ctl_fail(err, err_len, "no request");
	if (len > EESP_CTL_MAX_LINE)
		return eesp_ctl_fail(err, err_len, "line too long (%zu bytes, at most %d)", len,
				     EESP_CTL_MAX_LINE);
	if (len && line[len - 1] == '\n')
		len--;
	if (len == 0)
		return eesp_ctl_fail(err, err_len, "empty request");
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];

		if (c < 0x20 || c > 0x7e)
			return eesp_ctl_fail(err, err_len,
					     "non-printable byte 0x%02x at offset %zu", c, i);
	}
	if (line[0] == ' ' || line[len - 1] == ' ')
		return eesp_ctl_fail(err, err_len, "leading or trailing space");
	for (start = 0, i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start)
			return eesp_ctl_fail(err, err_len, "empty argument (double space)");
		if (ntok == 1 + CTL_MAX_ARGS)
			return eesp_ctl_fail(err, err_len, "too many arguments");
		tok[ntok] = line + start;
		tlen[ntok++] = i - start;
		start = i + 1;
	}
	verb_tok = tok[0];
	for (i = 0; i < CTL_NVERBS; i++) {
		if (eesp_ctl_tok_is(verb_tok, tlen[0], ctl_verbs[i].name)) {
			req->verb = ctl_verbs[i].verb;
			found = true;
			break;
		}
	}
	if (!found)
		return eesp_ctl_fail(err, err_len, "unknown verb '%.*s'",
				     (int)(tlen[0] > 32 ? 32 : tlen[0]), verb_tok);
	nargs = ntok - 1;
	switch (req->verb) {
	case EESP_CTL_STATUS:
	case EESP_CTL_RELOAD:
	case EESP_CTL_METRICS:
		if (nargs)
			return eesp_ctl_fail(err, err_len, "%.*s takes no arguments", (int)tlen[0],
					     verb_tok);
		return 0;
	case EESP_CTL_SHOW:
	case EESP_CTL_COUNTERS:
	case EESP_CTL_KEYS:
		if (nargs > 1)
			return eesp_ctl_fail(err, err_len, "%.*s takes at most one argument (json)",
					     (int)tlen[0], verb_tok);
		if (nargs == 1) {
			if (!eesp_ctl_tok_is(tok[1], tlen[1], "json"))
				return eesp_ctl_fail(err, err_len,
						     "unknown argument '%.*s' (expected json)",
						     (int)(tlen[1] > 32 ? 32 : tlen[1]), tok[1]);
			req->json = true;
		}
		return 0;
	case EESP_CTL_ROTATE:
	case EESP_CTL_RETIRE:
		if (nargs != 2)
			return eesp_ctl_fail(err, err_len, "usage: %.*s domain|tenant|group <id>",
					     (int)tlen[0], verb_tok);
		if (eesp_value_of_n(eesp_level_names, tok[1], tlen[1], &lv))
			return eesp_ctl_fail(err, err_len,
					     "bad level '%.*s' (domain, tenant or group)",
					     (int)(tlen[1] > 32 ? 32 : tlen[1]), tok[1]);
		req->level = (int)lv;
		if (tok_u32(tok[2], tlen[2], &req->id) < 0)
			return eesp_ctl_fail(err, err_len, "bad id '%.*s' (decimal 0..4294967295)",
					     (int)(tlen[2] > 32 ? 32 : tlen[2]), tok[2]);
		return 0;
	case EESP_CTL_SPI_ALLOC:
		if (nargs > 1)
			return eesp_ctl_fail(
			    err, err_len,
			    "spi-alloc takes at most one argument (a PSP version 0-3)");
		req->version = -1; /* none given: the daemon's configured version */
		if (nargs == 1) {
			/* one digit 0..3: PSP_VER_AES_GCM_128 .. PSP_VER_AES_GMAC_256 */
			if (tlen[1] != 1 || tok[1][0] < '0' || tok[1][0] > '0' + PSP_VER_MAX)
				return eesp_ctl_fail(err, err_len,
						     "bad PSP version '%.*s' (0, 1, 2 or 3)",
						     (int)(tlen[1] > 32 ? 32 : tlen[1]), tok[1]);
			req->version = tok[1][0] - '0';
		}
		return 0;
	case EESP_CTL_SA_RX_ALLOC:
	case EESP_CTL_SA_TX_ALLOC:
	case EESP_CTL_SA_TX_SET:
	case EESP_CTL_SA_RX_SET:
	case EESP_CTL_SA_RELEASE:
	case EESP_CTL_SA_LIST:
	case EESP_CTL_SA_WAIT:
		return eesp_ctl_parse_sa(req, tok + 1, tlen + 1, nargs, err, err_len);
	case EESP_CTL_ROOT_SET:
		return eesp_ctl_parse_root(req, tok + 1, tlen + 1, nargs, err, err_len);
	case EESP_CTL__COUNT:
		break;
	}
	return eesp_ctl_fail(err, err_len, "unknown verb");
}

/* Returns the line length including '\n', or 0 if the request is invalid
 * (unknown verb, level, version) or cap is short (the line is always NUL
 * terminated when cap allows). */
size_t eesp_ctl_format(const struct eesp_ctl_req *req, char *out, size_t cap)
{
	const char *verb = NULL;
	int n;

	if (!req || !out || cap == 0)
		return 0;
	out[0] = 0;
	verb = eesp_ctl_verb_name(req->verb);
	if (!verb)
		return 0;
	switch (req->verb) {
	case EESP_CTL_SHOW:
	case EESP_CTL_COUNTERS:
	case EESP_CTL_KEYS:
		n = snprintf(out, cap, "%s%s\n", verb, req->json ? " json" : "");
		break;
	case EESP_CTL_ROTATE:
	case EESP_CTL_RETIRE:
		if (req->level < 0 || req->level >= EESP_LEVELS)
			return 0;
		n = snprintf(out, cap, "%s %s %u\n", verb,
			     eesp_name_of(eesp_level_names, (unsigned)req->level), req->id);
		break;
	case EESP_CTL_SPI_ALLOC:
		if (req->version < -1 || req->version > PSP_VER_MAX)
			return 0;
		if (req->version < 0)
			n = snprintf(out, cap, "%s\n", verb);
		else
			n = snprintf(out, cap, "%s %d\n", verb, req->version);
		break;
	case EESP_CTL_SA_RX_ALLOC:
	case EESP_CTL_SA_TX_ALLOC:
	case EESP_CTL_SA_TX_SET:
	case EESP_CTL_SA_RX_SET:
	case EESP_CTL_SA_RELEASE:
	case EESP_CTL_SA_LIST:
	case EESP_CTL_SA_WAIT:
		return eesp_ctl_format_sa(req, verb, out, cap);
	case EESP_CTL_ROOT_SET:
		return eesp_ctl_format_root(req, verb, out, cap);
	default:
		n = snprintf(out, cap, "%s\n", verb);
		break;
	}
	if (n < 0 || (size_t)n >= cap) {
		out[0] = 0;
		return 0;
	}
	return (size_t)n;
}
