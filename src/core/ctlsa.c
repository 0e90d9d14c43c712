// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlsa.c - the arguments of the sa-* control verbs (runtime SAs, grammar in
 * ctlproto.h): parsed strictly, so that every accepted request has exactly
 * one spelling (eesp_ctl_format() gives it back), and without ever quoting
 * a key or salt token in an error message.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto_int.h"

#define fail eesp_ctl_fail
#define tok_is eesp_ctl_tok_is

/* the cursor over a request's arguments */
struct args {
	const char *const *tok;
	const size_t *len;
	size_t n, at;
};

static bool more(const struct args *a)
{
	return a->at < a->n;
}

static bool next_is(const struct args *a, const char *word)
{
	return more(a) && tok_is(a->tok[a->at], a->len[a->at], word);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* exactly n lower-case hex digits into n/2 bytes */
static int unhex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return n % 2 ? -1 : 0;
}

static int peer_arg(struct args *a, struct eesp_ctl_req *r, const char *usage, char *err, size_t el)
{
	if (!more(a))
		return fail(err, el, "usage: %s", usage);
	if (a->len[a->at] > EESP_CTL_MAX_PEER)
		return fail(err, el, "peer name longer than %d bytes", EESP_CTL_MAX_PEER);
	memcpy(r->peer, a->tok[a->at], a->len[a->at]);
	r->peer[a->len[a->at]] = 0;
	a->at++;
	return 0;
}

static bool is_spi(const char *s, size_t n)
{
	if (n != 10 || s[0] != '0' || s[1] != 'x')
		return false;
	for (size_t i = 2; i < n; i++)
		if (hexval(s[i]) < 0)
			return false;
	return true;
}

static int spi_arg(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	const char *s = a->tok[a->at];
	size_t n = a->len[a->at];
	uint8_t b[4];
	/* not quoted: a key given in the wrong place must not reach a log */
	if (!is_spi(s, n) || unhex(s + 2, 8, b))
		return fail(err, el, "bad SPI (argument %zu: 0x and 8 lower-case hex digits)",
			    a->at + 1);
	r->spi = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	if (!r->spi)
		return fail(err, el, "SPI 0x00000000 is reserved");
	a->at++;
	return 0;
}

static int key_arg(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	size_t n = a->len[a->at];
	if ((n != 32 && n != 64) || unhex(a->tok[a->at], n, r->key)) {
		memset(r->key, 0, sizeof(r->key));
		return fail(err, el, "bad key (%zu characters; 32 or 64 lower-case hex digits)", n);
	}
	r->key_len = (uint8_t)(n / 2);
	a->at++;
	return 0;
}

/* "<word> <value>" with value decimal in [0, max] */
static int number_after(struct args *a, const char *word, uint64_t max, uint64_t *v, char *err,
			size_t el)
{
	if (a->at + 1 >= a->n)
		return fail(err, el, "%s needs a value", word);
	a->at++;
	if (eesp_ctl_parse_u64(a->tok[a->at], a->len[a->at], max, v))
		return fail(err, el, "bad %s (decimal 0..%llu)", word, (unsigned long long)max);
	a->at++;
	return 0;
}

static int salt_after(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	if (a->at + 1 >= a->n)
		return fail(err, el, "salt needs a value");
	a->at++;
	if (a->len[a->at] != 8 || unhex(a->tok[a->at], 8, r->salt)) {
		memset(r->salt, 0, sizeof(r->salt));
		return fail(err, el, "bad salt (8 lower-case hex digits)");
	}
	r->has_salt = true;
	a->at++;
	return 0;
}

/* the optional words of sa-tx-set, in their order */
static int tx_set_options(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	uint64_t v;
	if (next_is(a, "version")) {
		if (number_after(a, "version", 3, &v, err, el))
			return -1;
		r->version = (int)v;
	}
	if (next_is(a, "salt") && salt_after(a, r, err, el))
		return -1;
	if (next_is(a, "phase")) {
		if (number_after(a, "phase", 3, &v, err, el))
			return -1;
		r->phase = (int)v;
	}
	if (next_is(a, "epoch")) {
		if (number_after(a, "epoch", UINT32_MAX, &v, err, el))
			return -1;
		r->epoch = (uint32_t)v;
		r->has_epoch = true;
	}
	return 0;
}

static int rx_alloc_args(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	uint64_t v;
	if (peer_arg(a, r, "sa-rx-alloc <peer> [psp-version 0|1|2|3 | eesp] [json]", err, el))
		return -1;
	if (next_is(a, "psp-version")) {
		if (number_after(a, "psp-version", 3, &v, err, el))
			return -1;
		r->version = (int)v;
	} else if (next_is(a, "eesp")) {
		r->eesp = true;
		a->at++;
	}
	return 0;
}

static int sa_set_args(struct args *a, struct eesp_ctl_req *r, const char *usage, char *err,
		       size_t el)
{
	if (peer_arg(a, r, usage, err, el))
		return -1;
	if (a->at + 2 > a->n)
		return fail(err, el, "usage: %s", usage);
	if (spi_arg(a, r, err, el) || key_arg(a, r, err, el))
		return -1;
	if (r->verb == EESP_CTL_SA_TX_SET)
		return tx_set_options(a, r, err, el);
	if (!next_is(a, "salt"))
		return fail(err, el, "usage: %s", usage);
	return salt_after(a, r, err, el);
}

static int wait_args(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	uint64_t v;
	if (!more(a) || next_is(a, "json"))
		return fail(err, el, "usage: sa-wait <serial> [<seconds>] [json]");
	if (eesp_ctl_parse_u64(a->tok[a->at], a->len[a->at], UINT64_MAX, &r->serial))
		return fail(err, el, "bad serial (decimal)");
	a->at++;
	if (more(a) && !next_is(a, "json")) {
		if (eesp_ctl_parse_u64(a->tok[a->at], a->len[a->at], EESP_CTL_WAIT_MAX, &v) ||
		    v == 0)
			return fail(err, el, "bad seconds (1..%d)", EESP_CTL_WAIT_MAX);
		r->wait_s = (uint32_t)v;
		a->at++;
	}
	return 0;
}

static int verb_args(struct args *a, struct eesp_ctl_req *r, char *err, size_t el)
{
	switch (r->verb) {
	case EESP_CTL_SA_RX_ALLOC:
		return rx_alloc_args(a, r, err, el);
	case EESP_CTL_SA_TX_ALLOC:
		return peer_arg(a, r, "sa-tx-alloc <peer> [json]", err, el);
	case EESP_CTL_SA_TX_SET:
		return sa_set_args(a, r,
				   "sa-tx-set <peer> <spi> <key> [version N] [salt HEX] [phase N] "
				   "[epoch N] [json]",
				   err, el);
	case EESP_CTL_SA_RX_SET:
		return sa_set_args(a, r, "sa-rx-set <peer> <spi> <key> salt HEX [json]", err, el);
	case EESP_CTL_SA_RELEASE:
		if (peer_arg(a, r, "sa-release <peer> [<spi>] [json]", err, el))
			return -1;
		return more(a) && !next_is(a, "json") ? spi_arg(a, r, err, el) : 0;
	case EESP_CTL_SA_LIST:
		return 0;
	case EESP_CTL_SA_WAIT:
		return wait_args(a, r, err, el);
	default:
		return fail(err, el, "not an sa verb");
	}
}

int eesp_ctl_parse_sa(struct eesp_ctl_req *req, const char *const *tok, const size_t *tlen,
		      size_t n, char *err, size_t err_len)
{
	struct args a = {tok, tlen, n, 0};
	int rc;
	req->version = -1;
	req->phase = -1;
	/* a peer called "json" is still a peer: the name comes first */
	rc = verb_args(&a, req, err, err_len);
	if (!rc && next_is(&a, "json")) {
		req->json = true;
		a.at++;
	}
	if (!rc && more(&a))
		rc = fail(err, err_len, "%s: unexpected argument %zu",
			  eesp_ctl_verb_name(req->verb), a.at + 1);
	if (rc) {
		/* a refused request keeps no key material */
		memset(req->key, 0, sizeof(req->key));
		memset(req->salt, 0, sizeof(req->salt));
		req->key_len = 0;
		req->has_salt = false;
	}
	return rc;
}

/* appends to out at *at; false when cap is short */
__attribute__((format(printf, 4, 5))) static bool put(char *out, size_t cap, size_t *at,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + *at, cap - *at, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *at)
		return false;
	*at += (size_t)n;
	return true;
}

static bool put_hex(char *out, size_t cap, size_t *at, const uint8_t *p, size_t n)
{
	static const char dig[] = "0123456789abcdef";
	if (cap - *at <= 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		out[(*at)++] = dig[p[i] >> 4];
		out[(*at)++] = dig[p[i] & 15];
	}
	out[*at] = 0;
	return true;
}

static bool peer_ok(const char *p)
{
	size_t n = strlen(p);
	if (!n || n > EESP_CTL_MAX_PEER)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static bool format_set(const struct eesp_ctl_req *r, char *out, size_t cap, size_t *at)
{
	bool ok = r->spi && (r->key_len == 16 || r->key_len == 32) &&
		  put(out, cap, at, " 0x%08x ", r->spi) &&
		  put_hex(out, cap, at, r->key, r->key_len);
	if (!ok)
		return false;
	if (r->verb == EESP_CTL_SA_RX_SET)
		return r->has_salt && put(out, cap, at, " salt ") &&
		       put_hex(out, cap, at, r->salt, 4);
	if (r->version > 3 || r->phase > 3)
		return false;
	if (r->version >= 0 && !put(out, cap, at, " version %d", r->version))
		return false;
	if (r->has_salt && !(put(out, cap, at, " salt ") && put_hex(out, cap, at, r->salt, 4)))
		return false;
	if (r->phase >= 0 && !put(out, cap, at, " phase %d", r->phase))
		return false;
	return !r->has_epoch || put(out, cap, at, " epoch %u", r->epoch);
}

static bool format_args(const struct eesp_ctl_req *r, char *out, size_t cap, size_t *at)
{
	switch (r->verb) {
	case EESP_CTL_SA_RX_ALLOC:
		if (r->version > 3 || (r->version >= 0 && r->eesp))
			return false;
		if (r->version >= 0)
			return put(out, cap, at, " %s psp-version %d", r->peer, r->version);
		return put(out, cap, at, " %s%s", r->peer, r->eesp ? " eesp" : "");
	case EESP_CTL_SA_TX_ALLOC:
		return put(out, cap, at, " %s", r->peer);
	case EESP_CTL_SA_TX_SET:
	case EESP_CTL_SA_RX_SET:
		return put(out, cap, at, " %s", r->peer) && format_set(r, out, cap, at);
	case EESP_CTL_SA_RELEASE:
		return put(out, cap, at, " %s", r->peer) &&
		       (!r->spi || put(out, cap, at, " 0x%08x", r->spi));
	case EESP_CTL_SA_LIST:
		return true;
	case EESP_CTL_SA_WAIT:
		if (r->wait_s > EESP_CTL_WAIT_MAX)
			return false;
		return put(out, cap, at, " %llu", (unsigned long long)r->serial) &&
		       (!r->wait_s || put(out, cap, at, " %u", r->wait_s));
	default:
		return false;
	}
}

size_t eesp_ctl_format_sa(const struct eesp_ctl_req *r, const char *verb, char *out, size_t cap)
{
	size_t at = 0;
	bool named = r->verb != EESP_CTL_SA_LIST && r->verb != EESP_CTL_SA_WAIT;
	if ((named && !peer_ok(r->peer)) || !put(out, cap, &at, "%s", verb) ||
	    !format_args(r, out, cap, &at) || (r->json && !put(out, cap, &at, " json")) ||
	    !put(out, cap, &at, "\n") || at > EESP_CTL_MAX_LINE) {
		memset(out, 0, cap); /* a half-written key must not stay */
		return 0;
	}
	return at;
}
