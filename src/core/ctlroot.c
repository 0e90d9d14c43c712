// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlroot.c - the arguments of root-set (ctlproto.h): a ring's live
 * generations in one request, so that eespd swaps them in one snapshot.
 *
 *   root-set <level> <id> [prev=<gen>:<hex64>] cur=<gen>:<hex64> [next=<gen>:<hex64>]
 *
 * Strict, as the other verbs: the slots in this order, each at most once,
 * cur always; generations decimal without leading zeros and strictly
 * ascending, their phases (generation mod 4) distinct; keys 64 lower-case
 * hex digits.  An error never quotes a key.
 */
#include <stdio.h>
#include <string.h>

#include "ctlproto_int.h"
#include "names.h"

#define fail eesp_ctl_fail

static const char *const slot_word[3] = {"prev=", "cur=", "next="};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* "<gen>:<hex64>" into r; -1 with err naming the slot */
static int gen_key(const char *t, size_t n, const char *slot, struct eesp_ctl_root *r, char *err,
		   size_t el)
{
	const char *colon = memchr(t, ':', n);
	uint64_t g;
	if (!colon || eesp_ctl_parse_u64(t, (size_t)(colon - t), UINT32_MAX, &g))
		return fail(err, el, "root-set %s: expected <generation>:<64 hex digits>", slot);
	const char *k = colon + 1;
	size_t kn = n - (size_t)(k - t);
	if (kn != 64)
		return fail(err, el, "root-set %s: the key must be 64 lower-case hex digits", slot);
	for (size_t i = 0; i < 64; i += 2) {
		int hi = hexval(k[i]), lo = hexval(k[i + 1]);
		if (hi < 0 || lo < 0)
			return fail(err, el,
				    "root-set %s: the key must be 64 lower-case hex digits", slot);
		r->key[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	r->generation = (uint32_t)g;
	r->present = true;
	return 0;
}

/* ascending generations within a span of 3, so their phases (mod 4)
 * differ (keys.h: a ring's rules) */
static int check_order(const struct eesp_ctl_req *r, char *err, size_t el)
{
	int first = -1, last = -1;
	for (int i = 0; i < 3; i++) {
		if (!r->root[i].present)
			continue;
		if (last >= 0 && r->root[i].generation <= r->root[last].generation)
			return fail(err, el, "root-set: generations must ascend (%u then %u)",
				    r->root[last].generation, r->root[i].generation);
		if (first < 0)
			first = i;
		last = i;
	}
	if (r->root[last].generation - r->root[first].generation > 3)
		return fail(err, el,
			    "root-set: generations %u and %u are more than 3 apart (one phase)",
			    r->root[first].generation, r->root[last].generation);
	return 0;
}

int eesp_ctl_parse_root(struct eesp_ctl_req *req, const char *const *tok, const size_t *tlen,
			size_t n, char *err, size_t el)
{
	unsigned lv;
	uint64_t id;
	size_t at = 2;
	if (n < 3 || n > 5)
		return fail(err, el,
			    "usage: root-set domain|tenant|group <id> [prev=G:KEY] cur=G:KEY "
			    "[next=G:KEY]");
	if (eesp_value_of_n(eesp_level_names, tok[0], tlen[0], &lv))
		return fail(err, el, "bad level '%.*s' (domain, tenant or group)",
			    (int)(tlen[0] > 32 ? 32 : tlen[0]), tok[0]);
	if (eesp_ctl_parse_u64(tok[1], tlen[1], UINT32_MAX, &id) || (lv == 0 && id != 0))
		return fail(err, el, "bad id '%.*s' (decimal; 0 for the domain)",
			    (int)(tlen[1] > 32 ? 32 : tlen[1]), tok[1]);
	req->level = (int)lv;
	req->id = (uint32_t)id;
	for (int s = 0; s < 3 && at < n; s++) {
		size_t w = strlen(slot_word[s]);
		if (tlen[at] < w || memcmp(tok[at], slot_word[s], w))
			continue;
		if (gen_key(tok[at] + w, tlen[at] - w, slot_word[s], &req->root[s], err, el))
			return -1;
		at++;
	}
	if (at != n)
		return fail(err, el,
			    "root-set: argument %zu is not prev=, cur= or next= in that order",
			    at + 1);
	if (!req->root[1].present)
		return fail(err, el, "root-set: cur= is required");
	return check_order(req, err, el);
}

size_t eesp_ctl_format_root(const struct eesp_ctl_req *r, const char *verb, char *out, size_t cap)
{
	size_t at;
	int k;
	if (r->level < 0 || r->level > 2 || !r->root[1].present)
		return 0;
	k = snprintf(out, cap, "%s %s %u", verb, eesp_name_of(eesp_level_names, (unsigned)r->level),
		     r->id);
	if (k < 0 || (size_t)k >= cap)
		return 0;
	at = (size_t)k;
	for (int s = 0; s < 3; s++) {
		if (!r->root[s].present)
			continue;
		k = snprintf(out + at, cap - at, " %s%u:", slot_word[s], r->root[s].generation);
		if (k < 0 || (size_t)k >= cap - at || cap - at - (size_t)k < 65)
			return out[0] = 0, 0;
		at += (size_t)k;
		for (int i = 0; i < 32; i++)
			snprintf(out + at + 2 * (size_t)i, 3, "%02x", r->root[s].key[i]);
		at += 64;
	}
	if (at + 2 > cap || at + 1 > EESP_CTL_MAX_LINE)
		return out[0] = 0, 0;
	out[at++] = '\n';
	out[at] = 0;
	return at;
}
