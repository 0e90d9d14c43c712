// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keydir.c - a key directory's files into a keyset (keydir.h).
 */
#include "keydir.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "keyfile.h"
#include "names.h"
#include "secmem.h"

enum slot { SLOT_GENERATION, SLOT_CUR, SLOT_PREV, SLOT_NEXT, SLOT__COUNT };
static const char *const slot_word[SLOT__COUNT] = {"generation", "cur", "prev", "next"};

/* The files of one ring (index into the caller's array, -1: absent). */
struct ring_files {
	unsigned level;
	uint32_t id;
	int file[SLOT__COUNT];
};

#define MAX_RINGS (1 + EESP_MAX_TENANTS + EESP_MAX_GROUPS)
/* one key-file line per key: "tenant 4294967295 4294967295 <64 hex> next\n" */
#define LINE_MAX_LEN 112

struct dir_parse {
	struct ring_files ring[MAX_RINGS];
	unsigned n_rings;
	const char *line_file[MAX_RINGS * 3]; /* the file each generated line came from */
	unsigned n_lines;
	struct eesp_keyfile_error *err;
};

static int fail(struct dir_parse *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct dir_parse *d, const char *fmt, ...)
{
	va_list ap;
	if (d->err) {
		d->err->line = 0;
		va_start(ap, fmt);
		vsnprintf(d->err->msg, sizeof(d->err->msg), fmt, ap);
		va_end(ap);
	}
	return EESP_E_INVALID;
}

/* The text of a file without surrounding white space. */
static void trimmed(const struct eesp_keydir_file *f, const char **p, size_t *n)
{
	const char *s = f->text, *e = f->text + f->len;
	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	*p = s;
	*n = (size_t)(e - s);
}

/* "tenant-7.cur" -> level tenant, id 7, slot cur; -1 if not a key name. */
static int name_parse(const char *name, unsigned *level, uint32_t *id, enum slot *slot)
{
	const char *rest = name;
	*level = EESP_LEVEL_DOMAIN;
	*id = 0;
	for (unsigned lv = EESP_LEVEL_TENANT; lv <= EESP_LEVEL_GROUP; lv++) {
		const char *w = eesp_name_of(eesp_level_names, lv);
		size_t wl = strlen(w);
		if (strncmp(name, w, wl) || name[wl] != '-')
			continue;
		const char *dot = strchr(name + wl + 1, '.');
		struct eesp_kf_field f = {.p = name + wl + 1,
					  .n = dot ? (size_t)(dot - (name + wl + 1)) : 0};
		if (!dot || !eesp_kf_u32(&f, id) || *id == 0)
			return -1;
		*level = lv;
		rest = dot + 1;
		break;
	}
	for (unsigned s = 0; s < SLOT__COUNT; s++)
		if (!strcmp(rest, slot_word[s])) {
			*slot = (enum slot)s;
			return 0;
		}
	return -1;
}

static struct ring_files *ring_of(struct dir_parse *d, unsigned level, uint32_t id)
{
	for (unsigned i = 0; i < d->n_rings; i++)
		if (d->ring[i].level == level && d->ring[i].id == id)
			return &d->ring[i];
	if (d->n_rings == MAX_RINGS)
		return NULL;
	struct ring_files *r = &d->ring[d->n_rings++];
	r->level = level;
	r->id = id;
	for (unsigned s = 0; s < SLOT__COUNT; s++)
		r->file[s] = -1;
	return r;
}

static int sort_files(struct dir_parse *d, const struct eesp_keydir_file *files, size_t n)
{
	if (n > EESP_KEYDIR_MAX_FILES)
		return fail(d, "more than %u files", EESP_KEYDIR_MAX_FILES);
	for (size_t i = 0; i < n; i++) {
		unsigned level;
		uint32_t id;
		enum slot slot;
		if (!strncmp(files[i].name, "..", 2))
			continue; /* the Secret volume's "..data" and its timestamped dirs */
		if (files[i].len > EESP_KEYDIR_MAX_FILE)
			return fail(d, "%s: larger than %u bytes", files[i].name,
				    EESP_KEYDIR_MAX_FILE);
		if (name_parse(files[i].name, &level, &id, &slot))
			return fail(d,
				    "%s: not a key directory file (generation, cur, prev, next, "
				    "optionally prefixed tenant-<id>. or group-<id>.)",
				    files[i].name);
		struct ring_files *r = ring_of(d, level, id);
		if (!r)
			return fail(d, "%s: too many rings", files[i].name);
		r->file[slot] = (int)i;
	}
	if (!d->n_rings)
		return fail(d, "no key files (expected at least generation and cur)");
	return 0;
}

static int ring_generation(struct dir_parse *d, const struct eesp_keydir_file *files,
			   const struct ring_files *r, uint32_t *gen)
{
	const struct eesp_keydir_file *gf;
	const char *p;
	size_t n;
	char prefix[32] = "";
	if (r->level != EESP_LEVEL_DOMAIN)
		snprintf(prefix, sizeof(prefix), "%s-%u.", eesp_name_of(eesp_level_names, r->level),
			 r->id);
	if (r->file[SLOT_GENERATION] < 0 || r->file[SLOT_CUR] < 0)
		return fail(d, "%s%s missing (a ring needs %sgeneration and %scur)", prefix,
			    r->file[SLOT_CUR] < 0 ? "cur" : "generation", prefix, prefix);
	gf = &files[r->file[SLOT_GENERATION]];
	trimmed(gf, &p, &n);
	/* decimal only: a generation file is written by programs, and "010"
	 * read as octal by one and decimal by another would split a fleet */
	struct eesp_kf_field f = {.p = p, .n = n};
	bool digits = n > 0;
	for (size_t i = 0; i < n; i++)
		digits = digits && p[i] >= '0' && p[i] <= '9';
	if (!digits || !eesp_kf_u32(&f, gen))
		return fail(d, "%s: not a generation number (decimal, 0 to 4294967295)", gf->name);
	if (r->file[SLOT_PREV] >= 0 && *gen == 0)
		return fail(d, "%s: generation 0 has no previous generation",
			    files[r->file[SLOT_PREV]].name);
	if (r->file[SLOT_NEXT] >= 0 && *gen == EESP_GEN_LAST)
		return fail(d, "%s: generation %u is the last one (generations never wrap)",
			    files[r->file[SLOT_NEXT]].name, *gen);
	return 0;
}

/* One key file line for slot s of ring r into out (cap LINE_MAX_LEN). */
static int key_line(struct dir_parse *d, const struct eesp_keydir_file *kf,
		    const struct ring_files *r, uint32_t gen, enum slot s, char *out, size_t *len)
{
	const char *p;
	size_t n;
	trimmed(kf, &p, &n);
	if (n != 2 * EESP_ROOT_KEY_LEN)
		return fail(d, "%s: a root key is %u hex digits (found %zu characters)", kf->name,
			    2 * EESP_ROOT_KEY_LEN, n);
	for (size_t i = 0; i < n; i++)
		if (eesp_kf_hexval(p[i]) < 0)
			return fail(d, "%s: not a hex digit at offset %zu", kf->name, i);
	uint32_t g = s == SLOT_PREV ? gen - 1 : s == SLOT_NEXT ? gen + 1 : gen;
	int m = snprintf(out, LINE_MAX_LEN, "%s %u %u %.*s%s\n",
			 eesp_name_of(eesp_level_names, r->level), r->id, g, (int)n, p,
			 s == SLOT_NEXT ? " next" : "");
	if (m < 0 || m >= LINE_MAX_LEN)
		return fail(d, "%s: internal line overflow", kf->name);
	*len = (size_t)m;
	d->line_file[d->n_lines++] = kf->name;
	return 0;
}

static int build_text(struct dir_parse *d, const struct eesp_keydir_file *files, char *text,
		      size_t *len)
{
	static const enum slot order[] = {SLOT_PREV, SLOT_CUR, SLOT_NEXT};
	*len = 0;
	for (unsigned i = 0; i < d->n_rings; i++) {
		const struct ring_files *r = &d->ring[i];
		uint32_t gen = 0;
		int rc = ring_generation(d, files, r, &gen);
		if (rc)
			return rc;
		for (unsigned k = 0; k < 3; k++) {
			size_t n = 0;
			if (r->file[order[k]] < 0)
				continue;
			rc = key_line(d, &files[r->file[order[k]]], r, gen, order[k], text + *len,
				      &n);
			if (rc)
				return rc;
			*len += n;
		}
	}
	return 0;
}

int eesp_keydir_parse(struct eesp_keyset *ks, const struct eesp_keydir_file *files, size_t n,
		      struct eesp_keyfile_error *err)
{
	struct dir_parse d = {.err = err};
	size_t cap = (size_t)MAX_RINGS * 3 * LINE_MAX_LEN, len = 0;
	int locked, rc;
	char *text;

	if (err) {
		err->line = 0;
		err->msg[0] = 0;
	}
	if (!ks || (!files && n))
		return fail(&d, "invalid arguments");
	rc = sort_files(&d, files, n);
	if (rc)
		return rc;
	text = eesp_secure_alloc(cap, &locked); /* it holds the keys in hex */
	if (!text)
		return fail(&d, "out of memory");
	rc = build_text(&d, files, text, &len);
	if (!rc) {
		struct eesp_keyfile_error kerr;
		rc = eesp_keyfile_parse(ks, text, len, &kerr);
		/* a line of the generated text is one file: name it */
		if (rc && kerr.line && kerr.line <= d.n_lines)
			fail(&d, "%s: %s", d.line_file[kerr.line - 1], kerr.msg);
		else if (rc)
			fail(&d, "%s", kerr.msg);
	}
	eesp_secure_free(text, cap);
	return rc;
}

/* ------------------------------------------------------------- format -- */

static int emit_ring(const struct eesp_ring *r, unsigned level, eesp_keydir_emit emit, void *arg,
		     struct dir_parse *d)
{
	static const enum eesp_gen_slot gs[] = {EESP_GEN_PREVIOUS, EESP_GEN_CURRENT, EESP_GEN_NEXT};
	static const enum slot fs[] = {SLOT_PREV, SLOT_CUR, SLOT_NEXT};
	const struct eesp_root_gen *cur = eesp_ring_current(r);
	char prefix[32] = "", name[64], text[2 * EESP_ROOT_KEY_LEN + 2];
	int rc = 0;
	if (!cur)
		return 0;
	if (level != EESP_LEVEL_DOMAIN)
		snprintf(prefix, sizeof(prefix), "%s-%u.", eesp_name_of(eesp_level_names, level),
			 r->id);
	const struct eesp_root_gen *pv = &r->gen[EESP_GEN_PREVIOUS], *nx = &r->gen[EESP_GEN_NEXT];
	if ((pv->present && pv->generation + 1 != cur->generation) ||
	    (nx->present && nx->generation != cur->generation + 1))
		return fail(d, "%sring: generations %s%u, %u, %s%u are not consecutive", prefix,
			    pv->present ? "" : "-", pv->present ? pv->generation : 0,
			    cur->generation, nx->present ? "" : "-",
			    nx->present ? nx->generation : 0);
	snprintf(name, sizeof(name), "%sgeneration", prefix);
	int n = snprintf(text, sizeof(text), "%u\n", cur->generation);
	rc = emit(arg, name, text, (size_t)n);
	for (unsigned k = 0; !rc && k < 3; k++) {
		const struct eesp_root_gen *g = &r->gen[gs[k]];
		static const char hx[] = "0123456789abcdef";
		if (!g->present)
			continue;
		for (unsigned i = 0; i < EESP_ROOT_KEY_LEN; i++) {
			text[2 * i] = hx[g->key[i] >> 4];
			text[2 * i + 1] = hx[g->key[i] & 15];
		}
		text[2 * EESP_ROOT_KEY_LEN] = '\n';
		snprintf(name, sizeof(name), "%s%s", prefix, slot_word[fs[k]]);
		rc = emit(arg, name, text, 2 * EESP_ROOT_KEY_LEN + 1);
	}
	eesp_wipe(text, sizeof(text));
	return rc;
}

int eesp_keydir_format(const struct eesp_keyset *ks, eesp_keydir_emit emit, void *arg,
		       struct eesp_keyfile_error *err)
{
	struct dir_parse d = {.err = err};
	int rc;
	if (err) {
		err->line = 0;
		err->msg[0] = 0;
	}
	if (!ks || !emit)
		return fail(&d, "invalid arguments");
	if (!eesp_ring_current(&ks->domain) && !ks->n_tenants && !ks->n_groups)
		return fail(&d, "no root keys to write");
	rc = emit_ring(&ks->domain, EESP_LEVEL_DOMAIN, emit, arg, &d);
	for (unsigned i = 0; !rc && i < ks->n_tenants && i < EESP_MAX_TENANTS; i++)
		rc = emit_ring(&ks->tenant[i], EESP_LEVEL_TENANT, emit, arg, &d);
	for (unsigned i = 0; !rc && i < ks->n_groups && i < EESP_MAX_GROUPS; i++)
		rc = emit_ring(&ks->group[i], EESP_LEVEL_GROUP, emit, arg, &d);
	return rc;
}
