// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rootset.c - the root-set verb (rootset.h).  Main thread only.
 */
#include "rootset.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "keys.h"
#include "log.h"
#include "names.h"
#include "publish.h"
#include "secmem.h"

/* the first key_server domain (root-set has no domain argument: eesp-iked
 * serves one domain per eespd) */
static struct domain *key_server_domain(struct snap *s)
{
	for (unsigned i = 0; i < s->n_doms; i++)
		if (s->dom[i].key_server && s->dom[i].keys)
			return &s->dom[i];
	return NULL;
}

/* the ring of level/id, added (empty) when the key set lacks it */
static struct eesp_ring *ring_for(struct eesp_keyset *ks, int level, uint32_t id)
{
	struct eesp_ring *r = (struct eesp_ring *)eesp_keyset_ring(ks, level, id);
	if (r || level == EESP_LEVEL_DOMAIN)
		return r ? r : &ks->domain;
	unsigned *n = level == EESP_LEVEL_TENANT ? &ks->n_tenants : &ks->n_groups;
	struct eesp_ring *tab = level == EESP_LEVEL_TENANT ? ks->tenant : ks->group;
	if (*n >= EESP_MAX_TENANTS) /* == EESP_MAX_GROUPS */
		return NULL;
	r = &tab[(*n)++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	return r;
}

int rootset_verb(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		 size_t el)
{
	const struct snap *cur = atomic_load(&e->snap);
	const char *lname = eesp_name_of(eesp_level_names, (unsigned)r->level);
	char fp[17];
	if (e->conf.mode != EESP_MODE_EESP) {
		snprintf(err, el, "root-set: eesp mode only");
		return -1;
	}
	struct snap *n = snap_clone(cur);
	struct domain *d = n ? key_server_domain(n) : NULL;
	struct eesp_ring *ring = d ? ring_for(d->keys, r->level, r->id) : NULL;
	if (!ring) {
		snprintf(err, el, "%s",
			 !n   ? "out of memory"
			 : !d ? "root-set: no domain has key_server = true"
			      : "root-set: no room for another ring");
		snap_free(n);
		return -1;
	}
	for (int s = 0; s < EESP_GENS; s++) {
		ring->gen[s].present = r->root[s].present;
		ring->gen[s].generation = r->root[s].present ? r->root[s].generation : 0;
		memcpy(ring->gen[s].key, r->root[s].key, EESP_ROOT_KEY_LEN);
	}
	snap_finish_keys(n);
	eespd_publish(e, n);
	eesp_key_fingerprint(r->root[1].key, EESP_ROOT_KEY_LEN, fp);
	log_info("root-set %s %u: current generation %" PRIu32 " (%s)%s%s", lname, r->id,
		 r->root[1].generation, fp, r->root[0].present ? ", previous kept" : "",
		 r->root[2].present ? ", next ahead" : "");
	strbuf_printf(b, "%s %u current %" PRIu32 " %s\n", lname, r->id, r->root[1].generation, fp);
	return 0;
}

void rootset_carry(const struct snap *running, struct snap *next)
{
	for (unsigned i = 0; i < next->n_doms; i++) {
		struct domain *d = &next->dom[i];
		if (!d->key_server || !d->keys)
			continue;
		for (unsigned k = 0; k < running->n_doms; k++) {
			const struct domain *o = &running->dom[k];
			if (o->key_server && o->keys && !strcmp(o->name, d->name) &&
			    o->dom.spi == d->dom.spi) {
				memcpy(d->keys, o->keys, sizeof(*d->keys));
				break;
			}
		}
	}
	snap_finish_keys(next);
}
