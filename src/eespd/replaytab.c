// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replaytab.c - the daemon's anti-replay tables (core: replay.h).
 *
 * One table per trust domain index, shared by every receive worker: with
 * SO_REUSEPORT and per-flow outer source ports, packets of one (sender,
 * Session ID) arrive on any worker, so per-worker tables would let a replay
 * through on another worker.  Each domain's table is split into
 * REPLAY_SHARDS independent core tables, each with its own mutex (lock
 * striping): a key always hashes to the same shard, so the core's
 * guarantee (no replay of an SN still covered by a window or a floor) holds
 * per shard and therefore for the whole table, while workers receiving
 * different senders rarely contend.  Tables are created by the main thread
 * (startup and reload) before a snapshot that enables replay is published,
 * and live until the stop (windows survive reloads).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/rand.h>

#include "counters.h"
#include "log.h"
#include "replay.h"
#include "replaytab.h"

#define REPLAY_SHARD_BITS 4
#define REPLAY_SHARDS (1u << REPLAY_SHARD_BITS)

struct replay_shard {
	pthread_mutex_t lock;
	struct eesp_replay *t;
} __attribute__((aligned(64)));

struct replay_dom {
	struct replay_shard s[REPLAY_SHARDS];
	unsigned bits;
};

struct replay_tables {
	/* per domain: [0] windows per (SPI, tenant, sender, Session ID), used
	 * for the cheap duplicate check before the AEAD; [1] windows per
	 * (..., inner flow), the authoritative verdict after the ICV (see
	 * replay_rx_update) */
	_Atomic(struct replay_dom *) rt[2][EESPD_MAX_DOMAINS];
	/* per domain: the highest clock part (SN >> 32, unix seconds, ivgen.h)
	 * of an accepted SN; persisted (replaystate.c) so that a restarted
	 * receiver refuses every SN it accepted before */
	_Atomic uint64_t hi[EESPD_MAX_DOMAINS];
	/* per domain: the restart floor set at start (SN clock parts at or
	 * below it are refused), shown by status so that operators and tests
	 * know when senders get through again */
	_Atomic uint64_t floor[EESPD_MAX_DOMAINS];
};

static struct replay_dom *rd_new(unsigned bits)
{
	struct replay_dom *d = calloc(1, sizeof(*d));
	unsigned sb = bits > REPLAY_SHARD_BITS ? bits - REPLAY_SHARD_BITS : 0;
	if (!d)
		return NULL;
	d->bits = bits;
	for (unsigned i = 0; i < REPLAY_SHARDS; i++) {
		uint64_t seed = 0;
		RAND_bytes((unsigned char *)&seed, sizeof(seed));
		pthread_mutex_init(&d->s[i].lock, NULL);
		d->s[i].t = eesp_replay_new(sb, seed);
		if (!d->s[i].t) {
			for (unsigned j = 0; j < i; j++)
				eesp_replay_free(d->s[j].t);
			free(d);
			return NULL;
		}
	}
	return d;
}

struct replay_tables *replay_tables_new(void)
{
	return calloc(1, sizeof(struct replay_tables));
}

int replay_sync(struct replay_tables *t, const struct snap *c, uint64_t now, char *err,
		size_t err_len)
{
	for (unsigned i = 0; i < c->n_doms && i < EESPD_MAX_DOMAINS; i++) {
		const struct domain *d = &c->dom[i];
		struct replay_dom *have = atomic_load(&t->rt[0][i]);
		if (!d->replay)
			continue;
		if (have) {
			if (have->bits != d->replay_bits)
				log_warn(
				    "domain %s: replay_buckets changes need a restart; keeping "
				    "%u buckets",
				    d->name, 1u << have->bits);
			continue;
		}
		struct replay_dom *n = rd_new(d->replay_bits), *f = rd_new(d->replay_bits);
		if (!n || !f) {
			snprintf(err, err_len, "domain %s: no memory for the replay table",
				 d->name);
			return -1; /* (a partial table is freed at exit) */
		}
		atomic_store(&t->rt[1][i], f);
		atomic_store(&t->rt[0][i], n);
		/* a new table knows nothing: at least refuse what is older than
		 * any honest sender's clock can be (replaystate.h) */
		replay_refuse_up_to(t, i, now > d->clock_skew ? now - d->clock_skew : 0);
	}
	return 0;
}

void replay_tables_free(struct replay_tables *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < 2 * EESPD_MAX_DOMAINS; i++) {
		struct replay_dom *d = atomic_exchange(&t->rt[i & 1][i >> 1], NULL);
		if (!d)
			continue;
		for (unsigned j = 0; j < REPLAY_SHARDS; j++) {
			eesp_replay_free(d->s[j].t);
			pthread_mutex_destroy(&d->s[j].lock);
		}
		free(d);
	}
	free(t);
}

/* The shard of a key: by sender and Session ID, never by flow, so that all
 * windows of one sender meet the core's per-sender cap in one table. */
static struct replay_shard *shard_of(struct replay_tables *t, unsigned tab, unsigned dom,
				     const struct eesp_replay_key *k)
{
	struct replay_dom *d = atomic_load_explicit(&t->rt[tab][dom], memory_order_acquire);
	if (!d)
		return NULL;
	uint32_t h = (k->sender ^ k->spi ^ (k->scope * 0x85ebca6bu)) * 0x9e3779b1u;
	h ^= k->session * 0xc2b2ae35u;
	h ^= h >> 16;
	return &d->s[h & (REPLAY_SHARDS - 1)];
}

static unsigned verdict_cnt(enum eesp_replay_verdict v)
{
	switch (v) {
	case EESP_REPLAY_OK:
		return 0;
	case EESP_REPLAY_DUP:
		return EESP_E_REPLAY;
	default:
		return CNT_REPLAY_TOO_OLD;
	}
}

/*
 * Before the AEAD: only an exact duplicate of an SN recorded for this
 * (sender, Session ID) is dropped here (cheap: no decryption).  A "too old"
 * verdict of this window is not trusted: one sender's flows leave on
 * different outer source ports and so are received by different workers,
 * which reorders the Session ID's packets by more than a window when a
 * worker is briefly descheduled.
 */
unsigned replay_rx_check(struct replay_tables *t, unsigned dom, const struct eesp_replay_key *k,
			 uint64_t sn)
{
	struct replay_shard *s = shard_of(t, 0, dom, k);
	if (!s)
		return 0; /* replay enabled by a reload whose table failed: logged there */
	pthread_mutex_lock(&s->lock);
	enum eesp_replay_verdict v = eesp_replay_check(s->t, k, sn);
	pthread_mutex_unlock(&s->lock);
	return v == EESP_REPLAY_DUP ? EESP_E_REPLAY : 0;
}

static enum eesp_replay_verdict upd(struct replay_shard *s, const struct eesp_replay_key *k,
				    uint64_t sn, uint64_t *evicted)
{
	struct eesp_replay_stats a, b;
	pthread_mutex_lock(&s->lock);
	eesp_replay_get_stats(s->t, &a);
	enum eesp_replay_verdict v = eesp_replay_update(s->t, k, sn);
	eesp_replay_get_stats(s->t, &b);
	pthread_mutex_unlock(&s->lock);
	*evicted += b.evictions - a.evictions;
	return v;
}

/*
 * After the ICV: the verdict comes from the window of (sender, Session ID,
 * inner flow): a flow keeps one outer source port, so one receive worker
 * sees its packets in order, while every replay of a packet decrypts to the
 * same flow and meets the same window (safety per key, replay.h).  The
 * session window is updated too (for the check above); a duplicate there
 * is a replay as well.
 */
static void note_accepted(struct replay_tables *t, unsigned dom, uint64_t sn)
{
	uint64_t clk = sn >> 32, h = atomic_load_explicit(&t->hi[dom], memory_order_relaxed);
	while (clk > h && !atomic_compare_exchange_weak_explicit(
			      &t->hi[dom], &h, clk, memory_order_relaxed, memory_order_relaxed))
		;
}

unsigned replay_rx_update(struct replay_tables *t, unsigned dom, const struct eesp_replay_key *k,
			  uint32_t flow, uint64_t sn, uint64_t *evicted)
{
	struct eesp_replay_key fk = *k;
	fk.flow = (uint16_t)flow;
	struct replay_shard *s = shard_of(t, 0, dom, k), *f = shard_of(t, 1, dom, &fk);
	*evicted = 0;
	if (!s || !f)
		return 0;
	enum eesp_replay_verdict vf = upd(f, &fk, sn, evicted);
	if (vf != EESP_REPLAY_OK)
		return verdict_cnt(vf);
	if (upd(s, k, sn, evicted) == EESP_REPLAY_DUP)
		return EESP_E_REPLAY;
	if (dom < EESPD_MAX_DOMAINS)
		note_accepted(t, dom, sn);
	return 0;
}

uint64_t replay_accepted_clock(struct replay_tables *t, unsigned dom)
{
	return dom < EESPD_MAX_DOMAINS ? atomic_load(&t->hi[dom]) : 0;
}

void replay_refuse_up_to(struct replay_tables *t, unsigned dom, uint64_t clock)
{
	uint64_t floor = clock >= UINT32_MAX ? UINT64_MAX : (clock << 32) | 0xffffffffu;
	for (unsigned tab = 0; tab < 2 && dom < EESPD_MAX_DOMAINS; tab++) {
		struct replay_dom *d = atomic_load(&t->rt[tab][dom]);
		for (unsigned j = 0; d && j < REPLAY_SHARDS; j++) {
			pthread_mutex_lock(&d->s[j].lock);
			eesp_replay_set_floor(d->s[j].t, floor);
			pthread_mutex_unlock(&d->s[j].lock);
		}
	}
	if (dom < EESPD_MAX_DOMAINS) {
		note_accepted(t, dom, (uint64_t)clock << 32);
		if (clock > atomic_load(&t->floor[dom]))
			atomic_store(&t->floor[dom], clock);
	}
}

uint64_t replay_floor_clock(struct replay_tables *t)
{
	uint64_t m = 0;
	for (unsigned i = 0; i < EESPD_MAX_DOMAINS; i++)
		if (atomic_load(&t->floor[i]) > m)
			m = atomic_load(&t->floor[i]);
	return m;
}

void replay_table_stats(struct replay_tables *tb, unsigned dom, uint64_t *entries,
			uint64_t *capacity, uint64_t *evictions)
{
	*entries = *capacity = *evictions = 0;
	for (unsigned k = 0; k < 2 * REPLAY_SHARDS; k++) {
		struct replay_dom *d =
		    dom < EESPD_MAX_DOMAINS ? atomic_load(&tb->rt[k / REPLAY_SHARDS][dom]) : NULL;
		unsigned j = k % REPLAY_SHARDS;
		if (!d)
			continue;
		struct eesp_replay_stats st;
		pthread_mutex_lock(&d->s[j].lock);
		eesp_replay_get_stats(d->s[j].t, &st);
		pthread_mutex_unlock(&d->s[j].lock);
		*entries += st.entries;
		*capacity += st.capacity;
		*evictions += st.evictions;
	}
}
