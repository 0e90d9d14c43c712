// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ike_gcks_state.c - the key server's state file text (ike_gcks_state.h):
 * formatting, and a line parser that names the line of every problem.
 */
#include "ike_gcks_state.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secmem.h"

static const char *const level_names[3] = {"domain", "tenant", "group"};
static const char *const slot_names[3] = {"previous", "current", "next"};
static const char *const step_names[3] = {"none", "switch", "retire"};

/* ------------------------------------------------------------ format */

struct out {
	char *buf;
	size_t cap, len;
	bool full;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	if (o->full)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len)
		o->full = true;
	else
		o->len += (size_t)n;
}

static void put_ring(struct out *o, const struct ike_gcks_state_ring *g)
{
	put(o,
	    "ring %s %" PRIu32 " step %s at %" PRId64 " removal %d own %d switched %" PRId64 "\n",
	    level_names[g->r.level % 3], g->r.id, step_names[g->step % 3], g->at, g->removal,
	    g->own, g->switched);
	for (int s = 0; s < 3; s++) {
		const struct ike_gcks_gen *x = &g->r.gen[s];
		char hex[2 * IKE_GCKS_KEY_LEN + 1];
		if (!x->present)
			continue;
		for (int i = 0; i < IKE_GCKS_KEY_LEN; i++)
			snprintf(hex + 2 * i, 3, "%02x", x->key[i]);
		put(o, "gen %s %" PRIu32 " %s born %" PRId64 "\n", slot_names[s], x->generation,
		    hex, g->born[s]);
		eesp_wipe(hex, sizeof(hex));
	}
}

size_t ike_gcks_state_format(const struct ike_gcks_state *s, const struct ike_gcks_removed *rm,
			     char *buf, size_t cap)
{
	struct out o = {.buf = buf, .cap = cap};
	if (!cap)
		return 0;
	buf[0] = 0;
	put(&o,
	    "# eesp-iked key server state (gcks.state_file): written by eesp-iked, not to be "
	    "edited\neesp-gcks-state 1\ndomain 0x%08" PRIx32 "\nserial %" PRIu64
	    "\nwritten %" PRId64 "\n",
	    s->domain, s->serial, s->written);
	for (unsigned i = 0; i < s->n; i++)
		put_ring(&o, &s->ring[i]);
	for (unsigned i = 0; rm && i < rm->n; i++)
		put(&o, "removed %s\n", rm->name[i]);
	put(&o, "end\n");
	if (o.full) {
		eesp_wipe(buf, cap);
		return 0;
	}
	return o.len;
}

/* ------------------------------------------------------------- parse */

#define MAX_WORDS 16

struct parse {
	const char *name;
	unsigned line;
	char *err;
	size_t el;
	struct ike_gcks_state *s;
	struct ike_gcks_removed *rm;
	struct ike_gcks_state_ring *cur; /* the ring the gen lines belong to */
	bool header, have_domain, ended;
	char *w[MAX_WORDS];
	unsigned nw;
};

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->el, "%s:%u: ", p->name, p->line);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < p->el)
		vsnprintf(p->err + n, p->el - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int index_of(const char *const *names, unsigned n, const char *w)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], w))
			return (int)i;
	return -1;
}

/* a decimal (or 0x-hex) number within [0, max] */
static int num(struct parse *p, const char *w, uint64_t max, const char *what, uint64_t *out)
{
	char *end;
	if (!w || !*w || *w == '-' || *w == '+' || *w == ' ')
		return fail(p, "%s: a number is wanted", what);
	unsigned long long v = strtoull(w, &end, 0);
	/* the word is not echoed: a damaged line may put a key here */
	if (*end || v > max)
		return fail(p, "%s: not a number up to %" PRIu64, what, max);
	*out = v;
	return 0;
}

static int time_of(struct parse *p, const char *w, const char *what, int64_t *out)
{
	uint64_t v;
	if (num(p, w, (uint64_t)INT64_MAX, what, &v))
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* "word value" pairs from index i: each key expected in order */
static int expect(struct parse *p, unsigned i, const char *key)
{
	if (i + 1 >= p->nw || strcmp(p->w[i], key))
		return fail(p, "'%s <value>' expected", key);
	return 0;
}

static int ring_line(struct parse *p)
{
	struct ike_gcks_state *s = p->s;
	uint64_t id, rem, own;
	int lv, st;
	if (p->nw != 13)
		return fail(p, "ring: level id step S at T removal 0|1 own 0|1 switched T wanted");
	if (s->n >= IKE_GCKS_STATE_MAX_RINGS)
		return fail(p, "more than %d rings", IKE_GCKS_STATE_MAX_RINGS);
	struct ike_gcks_state_ring *g = &s->ring[s->n];
	memset(g, 0, sizeof(*g));
	if ((lv = index_of(level_names, 3, p->w[1])) < 0)
		return fail(p, "ring: the level is none of domain, tenant, group");
	if (num(p, p->w[2], UINT32_MAX, "ring id", &id) || expect(p, 3, "step"))
		return -1;
	if ((st = index_of(step_names, 3, p->w[4])) < 0)
		return fail(p, "ring: the step is none of none, switch, retire");
	if (expect(p, 5, "at") || time_of(p, p->w[6], "at", &g->at) || expect(p, 7, "removal") ||
	    num(p, p->w[8], 1, "removal", &rem) || expect(p, 9, "own") ||
	    num(p, p->w[10], 1, "own", &own) || expect(p, 11, "switched") ||
	    time_of(p, p->w[12], "switched", &g->switched))
		return -1;
	if (lv == 0 && id != 0)
		return fail(p, "ring: the domain ring's id is 0");
	for (unsigned i = 0; i < s->n; i++)
		if (s->ring[i].r.level == lv && s->ring[i].r.id == id)
			return fail(p, "ring %s %" PRIu64 " twice", level_names[lv], id);
	if (st != 0 && !g->at)
		return fail(p, "ring: a step without its time (at)");
	g->r.level = (uint8_t)lv;
	g->r.id = (uint32_t)id;
	g->step = (uint8_t)st;
	g->removal = rem;
	g->own = own;
	p->cur = g;
	s->n++;
	return 0;
}

static int hex_key(struct parse *p, const char *w, uint8_t key[IKE_GCKS_KEY_LEN])
{
	if (strlen(w) != 2 * IKE_GCKS_KEY_LEN)
		return fail(p, "gen: the key is not %d hex digits", 2 * IKE_GCKS_KEY_LEN);
	for (int i = 0; i < IKE_GCKS_KEY_LEN; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = w[2 * i + k];
			int d = c >= '0' && c <= '9'   ? c - '0'
				: c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10
						       : -1;
			if (d < 0)
				return fail(p, "gen: the key is not hex");
			v = v * 16 + (unsigned)d;
		}
		key[i] = (uint8_t)v;
	}
	return 0;
}

static int gen_line(struct parse *p)
{
	uint64_t gen;
	int slot;
	if (!p->cur)
		return fail(p, "gen before any ring");
	if (p->nw != 6 || strcmp(p->w[4], "born"))
		return fail(p, "gen: slot generation key born T wanted");
	if ((slot = index_of(slot_names, 3, p->w[1])) < 0)
		return fail(p, "gen: the slot is none of previous, current, next");
	struct ike_gcks_gen *x = &p->cur->r.gen[slot];
	if (x->present)
		return fail(p, "gen: slot %s twice", slot_names[slot]);
	if (num(p, p->w[2], UINT32_MAX - 1, "generation", &gen) || hex_key(p, p->w[3], x->key) ||
	    time_of(p, p->w[5], "born", &p->cur->born[slot]))
		return -1;
	eesp_wipe(p->w[3], strlen(p->w[3]));
	x->generation = (uint32_t)gen;
	x->present = true;
	if (ike_gcks_fingerprint(x->key, x->fp))
		return fail(p, "gen: no fingerprint (crypto)");
	return 0;
}

/* the ring just ended: a current one, generations in order within three */
static int ring_check(struct parse *p)
{
	const struct ike_gcks_state_ring *g = p->cur;
	const struct ike_gcks_gen *x = g ? g->r.gen : NULL;
	if (!g)
		return 0;
	if (!x[1].present)
		return fail(p, "ring %s %" PRIu32 " has no current generation",
			    level_names[g->r.level], g->r.id);
	if ((x[0].present && x[0].generation >= x[1].generation) ||
	    (x[2].present && x[2].generation <= x[1].generation) ||
	    (x[0].present && x[1].generation - x[0].generation > 3) ||
	    (x[2].present && x[2].generation - x[1].generation > 2))
		return fail(p,
			    "ring %s %" PRIu32 ": generations out of order (previous < current < "
			    "next, within three)",
			    level_names[g->r.level], g->r.id);
	return 0;
}

static int removed_line(struct parse *p)
{
	struct ike_gcks_removed *rm = p->rm;
	if (p->nw != 2 || strlen(p->w[1]) >= IKE_GCKS_STATE_NAME_MAX)
		return fail(p, "removed: one peer name (under %d characters) wanted",
			    IKE_GCKS_STATE_NAME_MAX);
	if (rm->n >= IKE_GCKS_STATE_MAX_REMOVED)
		return fail(p, "more than %d removed members", IKE_GCKS_STATE_MAX_REMOVED);
	for (unsigned i = 0; i < rm->n; i++)
		if (!strcmp(rm->name[i], p->w[1]))
			return fail(p, "removed %s twice", p->w[1]);
	snprintf(rm->name[rm->n++], IKE_GCKS_STATE_NAME_MAX, "%s", p->w[1]);
	return 0;
}

static int header_line(struct parse *p)
{
	const char *k = p->w[0];
	uint64_t v = 0;
	if (!p->header) {
		if (p->nw != 2 || strcmp(k, "eesp-gcks-state") || strcmp(p->w[1], "1"))
			return fail(p, "not a key server state file (eesp-gcks-state 1 expected)");
		p->header = true;
		return 0;
	}
	if (p->nw != 2)
		return fail(p, "%s: one value wanted", k);
	if (!strcmp(k, "domain")) {
		if (num(p, p->w[1], UINT32_MAX, "domain", &v) || !v)
			return v ? -1 : fail(p, "domain: 1..4294967295");
		p->s->domain = (uint32_t)v;
		p->have_domain = true;
		return 0;
	}
	if (!strcmp(k, "serial")) {
		if (num(p, p->w[1], UINT64_MAX, "serial", &v))
			return -1;
		p->s->serial = v;
		return 0;
	}
	return time_of(p, p->w[1], "written", &p->s->written);
}

static int one_line(struct parse *p)
{
	const char *k = p->w[0];
	if (p->ended)
		return fail(p, "text after end");
	if (!p->header || !strcmp(k, "domain") || !strcmp(k, "serial") || !strcmp(k, "written")) {
		if (p->s->n || p->rm->n)
			return fail(p, "%s after the rings", k);
		return header_line(p);
	}
	if (!strcmp(k, "ring"))
		return ring_check(p) || ring_line(p);
	if (!strcmp(k, "gen"))
		return gen_line(p);
	if (!strcmp(k, "removed") || !strcmp(k, "end")) {
		if (ring_check(p))
			return -1;
		p->cur = NULL;
		if (!strcmp(k, "removed"))
			return removed_line(p);
		if (p->nw != 1)
			return fail(p, "end: nothing after it");
		p->ended = true;
		return 0;
	}
	/* named only when it is a plain word, never a key's digits */
	if (strlen(k) <= 16 && strspn(k, "abcdefghijklmnopqrstuvwxyz-") == strlen(k))
		return fail(p, "unknown line '%s'", k);
	return fail(p, "unknown line");
}

/* split line (NUL-terminated, modified) into words */
static int split(struct parse *p, char *line)
{
	p->nw = 0;
	for (char *t = line; *t;) {
		while (*t == ' ' || *t == '\t')
			*t++ = 0;
		if (!*t)
			break;
		if (p->nw >= MAX_WORDS)
			return fail(p, "too many words");
		p->w[p->nw++] = t;
		while (*t && *t != ' ' && *t != '\t') {
			if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e)
				return fail(p, "a control or non-ASCII character");
			t++;
		}
	}
	return 0;
}

static int parse_all(struct parse *p, char *text, size_t len)
{
	for (size_t off = 0; off < len;) {
		char *nl = memchr(text + off, '\n', len - off);
		char *line = text + off;
		p->line++;
		if (!nl)
			return fail(p, "the last line has no newline (a torn file)");
		*nl = 0;
		off = (size_t)(nl - text) + 1;
		if (memchr(line, 0, (size_t)(nl - line)))
			return fail(p, "a NUL octet");
		if (split(p, line))
			return -1;
		if (!p->nw || p->w[0][0] == '#')
			continue;
		if (one_line(p))
			return -1;
	}
	if (!p->ended)
		return fail(p, "no 'end' line (a torn file)");
	if (!p->have_domain)
		return fail(p, "no domain line");
	return 0;
}

int ike_gcks_state_parse(const char *text, size_t len, const char *name, struct ike_gcks_state *s,
			 struct ike_gcks_removed *rm, char *err, size_t el)
{
	struct parse p = {.name = name, .err = err, .el = el, .s = s, .rm = rm};
	char *copy;
	int rc;
	memset(s, 0, sizeof(*s));
	rm->n = 0;
	if (len > IKE_GCKS_STATE_MAX_TEXT) {
		snprintf(err, el, "%s: too large", name);
		return -1;
	}
	copy = eesp_secure_alloc(len + 1, NULL);
	if (!copy) {
		snprintf(err, el, "%s: out of memory", name);
		return -1;
	}
	memcpy(copy, text, len);
	rc = parse_all(&p, copy, len);
	eesp_secure_free(copy, len + 1);
	if (rc)
		eesp_wipe(s, sizeof(*s));
	return rc;
}
