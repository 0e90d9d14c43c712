// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * snap.c - a configuration snapshot's memory: free, deep copy, and the
 * fields derived from its keys (snap.h).
 */
#include "snap.h"

#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "secmem.h"

static void domain_free(struct domain *d)
{
	if (d->keys)
		eesp_keyset_free(d->keys);
	for (unsigned i = 0; i < d->n_policy; i++) {
		free(d->policy[i].nodes);
		free(d->policy[i].prefixes);
	}
	free(d->policy);
	if (d->rt)
		eesp_secure_free(d->rt, d->rt_bytes);
	free(d->released);
}

void snap_free(struct snap *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->n_doms; i++)
		domain_free(&s->dom[i]);
	for (unsigned i = 0; i < s->n_peers; i++) {
		free(s->peers[i].allowed);
		free(s->peers[i].rx_spi);
	}
	free(s->peers);
	free(s->routes);
	free(s->pstats); /* one block (peerstats.c) */
	free(s);
}

static void *dup_mem(const void *p, size_t n, bool *oom)
{
	void *q;
	if (!p || !n)
		return NULL;
	q = malloc(n);
	if (q)
		memcpy(q, p, n);
	else
		*oom = true;
	return q;
}

static void domain_copy(struct domain *d, const struct domain *o, bool *oom)
{
	*d = *o;
	d->keys = NULL;
	d->policy = dup_mem(o->policy, o->n_policy * sizeof(*o->policy), oom);
	if (!d->policy)
		d->n_policy = 0;
	for (unsigned i = 0; i < d->n_policy; i++) {
		d->policy[i].nodes = dup_mem(o->policy[i].nodes,
					     o->policy[i].n_nodes * sizeof(struct node_range), oom);
		d->policy[i].prefixes = dup_mem(
		    o->policy[i].prefixes, o->policy[i].n_prefixes * sizeof(struct prefix), oom);
	}
	if (o->keys) {
		d->keys = eesp_keyset_new();
		if (d->keys)
			memcpy(d->keys, o->keys, sizeof(*d->keys));
		else
			*oom = true;
	}
	d->dom.keys = d->keys;
	d->rt = NULL;
	d->released = dup_mem(o->released, o->n_released * sizeof(uint32_t), oom);
	if (!d->released)
		d->n_released = 0;
	if (o->rt) {
		int locked;
		d->rt = eesp_secure_alloc(o->rt_bytes, &locked);
		if (d->rt)
			memcpy(d->rt, o->rt, o->n_rt * sizeof(*o->rt));
		else
			*oom = true;
	}
	if (!d->rt)
		d->n_rt = d->rt_bytes = 0;
}

struct snap *snap_clone(const struct snap *o)
{
	bool oom = false;
	struct snap *s = malloc(sizeof(*s));
	if (!s)
		return NULL;
	*s = *o;
	s->n_doms = 0;
	s->pstats = NULL; /* the copy gets its own when published */
	s->peers = dup_mem(o->peers, o->n_peers * sizeof(*o->peers), &oom);
	s->n_peers = s->peers ? o->n_peers : 0;
	s->routes = dup_mem(o->routes, o->n_routes * sizeof(*o->routes), &oom);
	s->n_routes = s->routes ? o->n_routes : 0;
	for (unsigned i = 0; i < s->n_peers; i++) {
		s->peers[i].allowed = dup_mem(o->peers[i].allowed,
					      o->peers[i].n_allowed * sizeof(struct prefix), &oom);
		s->peers[i].rx_spi = dup_mem(o->peers[i].rx_spi, o->peers[i].n_rx_spi * 4, &oom);
	}
	for (unsigned i = 0; i < o->n_doms; i++) {
		domain_copy(&s->dom[i], &o->dom[i], &oom);
		s->n_doms = i + 1;
	}
	if (oom) {
		snap_free(s);
		return NULL;
	}
	return s;
}

/* The phase (generation mod 4) of the current root of a level, 0 if none. */
static uint8_t current_phase(const struct eesp_keyset *ks, enum eesp_level level, uint32_t id)
{
	const struct eesp_ring *r = eesp_keyset_ring(ks, level, id);
	const struct eesp_root_gen *g = r ? eesp_ring_current(r) : NULL;
	return g ? (uint8_t)(g->generation % 4) : 0;
}

void snap_finish_keys(struct snap *s)
{
	for (unsigned i = 0; i < s->n_doms; i++) {
		struct domain *d = &s->dom[i];
		d->dom.keys = d->keys;
		d->phase[0] = d->phase[1] = d->phase[2] = 0;
		if (s->mode != EESP_MODE_EESP || !d->keys)
			continue;
		d->phase[0] = current_phase(d->keys, EESP_LEVEL_DOMAIN, 0);
		if (d->tenant)
			d->phase[1] = current_phase(d->keys, EESP_LEVEL_TENANT, d->tenant);
		if (d->group)
			d->phase[2] = current_phase(d->keys, EESP_LEVEL_GROUP, d->group);
	}
}
