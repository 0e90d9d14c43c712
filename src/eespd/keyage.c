// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyage.c - when each key in force was first held (keyage.h).  A small
 * table rebuilt at every publication: the keys of the new snapshot, each
 * with the stamp it had before or now.
 */
#include "keyage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

struct keyage_entry {
	char dom[64];
	unsigned level;
	uint32_t id, generation;
	char fp[17]; /* fingerprint: a key, not only a generation */
	time_t since;
};

struct keyage {
	struct keyage_entry *e;
	unsigned n, cap;
};

struct keyage *keyage_new(void)
{
	return calloc(1, sizeof(struct keyage));
}

void keyage_free(struct keyage *k)
{
	if (k)
		free(k->e);
	free(k);
}

static const struct keyage_entry *find(const struct keyage_entry *e, unsigned n,
				       const struct keyage_entry *want)
{
	for (unsigned i = 0; i < n; i++)
		if (e[i].level == want->level && e[i].id == want->id &&
		    e[i].generation == want->generation && !strcmp(e[i].fp, want->fp) &&
		    !strcmp(e[i].dom, want->dom))
			return &e[i];
	return NULL;
}

static void fill(struct keyage_entry *x, const char *dom, unsigned level, uint32_t id,
		 uint32_t generation, const uint8_t *key, size_t key_len)
{
	memset(x, 0, sizeof(*x));
	snprintf(x->dom, sizeof(x->dom), "%s", dom);
	x->level = level;
	x->id = id;
	x->generation = generation;
	eesp_key_fingerprint(key, key_len, x->fp);
}

/* The next table being built from a snapshot, beside the old one. */
struct build {
	const struct keyage *old;
	struct keyage_entry *e;
	unsigned n, cap;
	time_t now;
	bool oom;
};

static void add(struct build *b, const char *dom, unsigned level, uint32_t id, uint32_t gen,
		const uint8_t *key, size_t key_len)
{
	struct keyage_entry x;
	if (b->oom)
		return;
	if (b->n == b->cap) {
		unsigned cap = b->cap ? 2 * b->cap : 16;
		struct keyage_entry *ne = realloc(b->e, cap * sizeof(*ne));
		if (!ne) {
			b->oom = true;
			return;
		}
		b->e = ne;
		b->cap = cap;
	}
	fill(&x, dom, level, id, gen, key, key_len);
	const struct keyage_entry *was = find(b->old->e, b->old->n, &x);
	x.since = was ? was->since : b->now;
	b->e[b->n++] = x;
}

static void add_ring(struct build *b, const char *dom, unsigned level, const struct eesp_ring *r)
{
	for (unsigned g = 0; g < EESP_GENS; g++)
		if (r->gen[g].present)
			add(b, dom, level, r->id, r->gen[g].generation, r->gen[g].key,
			    EESP_ROOT_KEY_LEN);
}

void keyage_note(struct keyage *k, const struct snap *s, time_t now)
{
	struct build b = {.old = k, .now = now};
	if (!k || !s)
		return;
	for (unsigned d = 0; d < s->n_doms; d++) {
		const struct eesp_keyset *ks = s->dom[d].keys;
		const char *nm = s->dom[d].name;
		if (!ks)
			continue;
		add_ring(&b, nm, EESP_LEVEL_DOMAIN, &ks->domain);
		for (unsigned i = 0; i < ks->n_tenants && i < EESP_MAX_TENANTS; i++)
			add_ring(&b, nm, EESP_LEVEL_TENANT, &ks->tenant[i]);
		for (unsigned i = 0; i < ks->n_groups && i < EESP_MAX_GROUPS; i++)
			add_ring(&b, nm, EESP_LEVEL_GROUP, &ks->group[i]);
		for (unsigned m = 0; m < 2; m++)
			if (ks->has_psp[m])
				add(&b, nm, KEYAGE_LEVEL_PSP, m, 0, ks->psp_master[m],
				    PSP_MASTER_KEY_LEN);
	}
	if (b.oom) {
		free(b.e); /* the old stamps stay: better than none */
		return;
	}
	free(k->e);
	k->e = b.e;
	k->n = b.n;
	k->cap = b.cap;
}

time_t keyage_since(const struct keyage *k, const char *dom, unsigned level, uint32_t id,
		    uint32_t generation, const uint8_t *key, size_t key_len)
{
	struct keyage_entry x;
	if (!k)
		return 0;
	fill(&x, dom, level, id, generation, key, key_len);
	const struct keyage_entry *e = find(k->e, k->n, &x);
	return e ? e->since : 0;
}
