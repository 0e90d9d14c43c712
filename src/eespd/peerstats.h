/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * peerstats.h - per-peer traffic counters, as `wg show` has "transfer" and
 * "latest handshake": inner packets and bytes accepted from (rx) and sealed
 * to (tx) each configured peer, and the wall-clock second of the last
 * packet authenticated for it.
 *
 * The counters belong to a snapshot, since its peers array is what the
 * workers index: each published snapshot gets one block (peerstats_attach)
 * with a region per worker (whole cache lines, so no two workers share
 * one) that only that worker writes, with plain relaxed stores, like the
 * counters of counters.h.  A peer keeps its counts across reloads: a new
 * snapshot starts from the carry of the one it replaces, and when a
 * replaced snapshot is freed (every worker has left it, publish.c) its
 * final counts are added to the carry of the running one.  A peer is "the
 * same" when its name, domain, node id and tx_spi are; a peer removed and
 * added again starts from zero.  Everything but the workers' stores runs in
 * the main thread (publish, reap and the control verbs).
 *
 * Packets accepted through a receive policy from a node that is no
 * configured peer are counted only in the daemon's totals.
 */
#ifndef EESPD_PEERSTATS_H
#define EESPD_PEERSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct eespd;
struct snap;

#define PEERSTATS_NONE 0xffffffffu /* no configured peer (policy, or not yet known) */

struct peer_ctr {
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t latest_rx; /* unix seconds of the last authenticated packet; 0: never */
};

/* One block (one allocation: snap_free frees it with free()). */
struct peerstats {
	unsigned n_peers, n_workers;
	struct peer_ctr *carry;		       /* n_peers: counts of freed snapshots */
	struct peer_ctr *w[EESPD_MAX_WORKERS]; /* n_peers each, written by worker i only */
};

/* Give snapshot s (not yet published) its counters for n_workers workers,
 * starting from the carry of cur (the running snapshot, or NULL).  On
 * failure (no memory) s has none and its peers are not counted. */
void peerstats_attach(struct snap *s, unsigned n_workers, const struct snap *cur);

/* old is about to be freed (no worker uses it): add its counts to the
 * carry of cur, peer by peer. */
void peerstats_fold(struct snap *cur, const struct snap *old);

/* The counts of peer i of cur: its carry, plus what every worker counted in
 * cur and in the replaced snapshots not yet freed (e->retired). */
void peerstats_sum(const struct eespd *e, const struct snap *cur, unsigned i, struct peer_ctr *out);

/* Worker w's region of snapshot s, or NULL (no counters). */
struct peer_ctr *peerstats_of(const struct snap *s, unsigned w);

static inline void peerstats_bump(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

/* Data path: an inner packet of len bytes accepted from peer (receive). */
static inline void peerstats_rx(struct peer_ctr *pc, unsigned peer, size_t len, uint64_t now)
{
	if (!pc || peer == PEERSTATS_NONE)
		return;
	peerstats_bump(&pc[peer].rx_packets, 1);
	peerstats_bump(&pc[peer].rx_bytes, len);
	__atomic_store_n(&pc[peer].latest_rx, now, __ATOMIC_RELAXED);
}

/* Data path: an inner packet of len bytes sealed and queued for peer. */
static inline void peerstats_tx(struct peer_ctr *pc, unsigned peer, size_t len)
{
	if (!pc || peer == PEERSTATS_NONE)
		return;
	peerstats_bump(&pc[peer].tx_packets, 1);
	peerstats_bump(&pc[peer].tx_bytes, len);
}

#endif /* EESPD_PEERSTATS_H */
