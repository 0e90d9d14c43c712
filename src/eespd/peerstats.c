// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * peerstats.c - per-peer counters of a snapshot: the block, the carry from
 * one snapshot to the next, and the sums the control verbs print
 * (peerstats.h).
 */
#include "peerstats.h"

#include <stdlib.h>
#include <string.h>

#include "eespd.h"

#define LINE 64

static size_t round_line(size_t n)
{
	return (n + LINE - 1) & ~(size_t)(LINE - 1);
}

/* The peer of b that is peer i of a (same name, domain, node id, tx_spi). */
static unsigned match(const struct snap *a, unsigned i, const struct snap *b)
{
	const struct peer *p = &a->peers[i];
	const char *dom = a->dom[p->dom].name;
	for (unsigned k = 0; k < b->n_peers; k++) {
		const struct peer *q = &b->peers[k];
		if (q->node_id == p->node_id && q->tx_spi == p->tx_spi &&
		    !strcmp(q->name, p->name) && !strcmp(b->dom[q->dom].name, dom))
			return k;
	}
	return PEERSTATS_NONE;
}

static void add(struct peer_ctr *to, const struct peer_ctr *c)
{
	to->rx_packets += __atomic_load_n(&c->rx_packets, __ATOMIC_RELAXED);
	to->rx_bytes += __atomic_load_n(&c->rx_bytes, __ATOMIC_RELAXED);
	to->tx_packets += __atomic_load_n(&c->tx_packets, __ATOMIC_RELAXED);
	to->tx_bytes += __atomic_load_n(&c->tx_bytes, __ATOMIC_RELAXED);
	uint64_t t = __atomic_load_n(&c->latest_rx, __ATOMIC_RELAXED);
	if (t > to->latest_rx)
		to->latest_rx = t;
}

/* What the workers counted for peer i of s (not its carry). */
static void add_workers(struct peer_ctr *to, const struct snap *s, unsigned i)
{
	const struct peerstats *ps = s->pstats;
	if (!ps || i >= ps->n_peers)
		return;
	for (unsigned w = 0; w < ps->n_workers; w++)
		add(to, &ps->w[w][i]);
}

void peerstats_attach(struct snap *s, unsigned n_workers, const struct snap *cur)
{
	size_t head = round_line(sizeof(struct peerstats));
	size_t region = round_line(s->n_peers * sizeof(struct peer_ctr));
	struct peerstats *ps;
	void *mem;

	s->pstats = NULL;
	if (!s->n_peers || !n_workers || n_workers > EESPD_MAX_WORKERS)
		return;
	if (posix_memalign(&mem, LINE, head + region * (n_workers + 1)))
		return;
	memset(mem, 0, head + region * (n_workers + 1));
	ps = mem;
	ps->n_peers = s->n_peers;
	ps->n_workers = n_workers;
	ps->carry = (struct peer_ctr *)((char *)mem + head);
	for (unsigned w = 0; w < n_workers; w++)
		ps->w[w] = (struct peer_ctr *)((char *)mem + head + region * (w + 1));
	for (unsigned i = 0; cur && cur->pstats && i < s->n_peers; i++) {
		unsigned k = match(s, i, cur);
		if (k != PEERSTATS_NONE)
			ps->carry[i] = cur->pstats->carry[k];
	}
	s->pstats = ps;
}

void peerstats_fold(struct snap *cur, const struct snap *old)
{
	if (!cur || !cur->pstats || !old || !old->pstats)
		return;
	for (unsigned i = 0; i < cur->n_peers; i++) {
		unsigned k = match(cur, i, old);
		if (k != PEERSTATS_NONE)
			add_workers(&cur->pstats->carry[i], old, k);
	}
}

void peerstats_sum(const struct eespd *e, const struct snap *cur, unsigned i, struct peer_ctr *out)
{
	memset(out, 0, sizeof(*out));
	if (!cur || i >= cur->n_peers)
		return;
	if (cur->pstats)
		add(out, &cur->pstats->carry[i]);
	add_workers(out, cur, i);
	for (unsigned r = 0; r < e->n_retired; r++) {
		const struct snap *old = e->retired[r];
		unsigned k = match(cur, i, old);
		if (k != PEERSTATS_NONE)
			add_workers(out, old, k);
	}
}

struct peer_ctr *peerstats_of(const struct snap *s, unsigned w)
{
	if (!s || !s->pstats || w >= s->pstats->n_workers)
		return NULL;
	return s->pstats->w[w];
}
