/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.c - set-associative table of anti-replay windows with an eviction
 * floor sketch; the safety argument is in replay.h.
 */
#include "replay.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define RP_WORDS (EESP_REPLAY_BITS / 64)

struct rp_entry {
	uint64_t hwm;  /* highest accepted SN; 0 = slot empty (SN 0 is invalid) */
	uint64_t base; /* SNs <= base are refused (floor when created) */
	uint64_t last; /* table tick of the last update (LRU) */
	uint32_t spi, scope, sender;
	uint16_t session, flow;
	uint64_t bits[RP_WORDS]; /* bit (sn % BITS) set = sn seen */
};

struct eesp_replay {
	unsigned bucket_bits;
	uint64_t seed;
	uint64_t tick;
	size_t nslots;	  /* floor sketch slots (power of two) */
	uint64_t *floors; /* sketch: max hwm of evicted windows hashed there */
	struct eesp_replay_stats st;
	struct rp_entry *e; /* 2^bucket_bits * WAYS */
};

static uint64_t key_hash(const struct eesp_replay *t, const struct eesp_replay_key *k,
			 uint64_t salt, uint16_t flow)
{
	uint64_t h = eesp_splitmix64(t->seed ^ salt);
	h = eesp_splitmix64(h ^ ((uint64_t)k->spi << 32 | k->sender));
	h = eesp_splitmix64(h ^ ((uint64_t)k->scope << 32 | (uint64_t)flow << 16 | k->session));
	return h;
}

/* The sender's buckets, without the flow; the flow picks one of
 * EESP_REPLAY_FLOW_SPREAD consecutive ones (the per-sender cap, replay.h). */
static struct rp_entry *bucket_of(const struct eesp_replay *t, const struct eesp_replay_key *k)
{
	uint64_t h = key_hash(t, k, 0x6275636b6574ull /* "bucket" */, 0);
	size_t b =
	    (size_t)((h + (k->flow % EESP_REPLAY_FLOW_SPREAD)) & ((1ull << t->bucket_bits) - 1));
	return &t->e[b * EESP_REPLAY_WAYS];
}

static void slots_of(const struct eesp_replay *t, const struct eesp_replay_key *k, size_t s[2])
{
	uint64_t h = key_hash(t, k, 0x666c6f6f72ull /* "floor" */, k->flow);
	s[0] = (size_t)(h & (t->nslots - 1));
	s[1] = (size_t)((h >> 32) & (t->nslots - 1));
	if (s[1] == s[0])
		s[1] = (s[0] + 1) & (t->nslots - 1);
}

static uint64_t floor_of(const struct eesp_replay *t, const struct eesp_replay_key *k)
{
	size_t s[2];
	slots_of(t, k, s);
	uint64_t a = t->floors[s[0]], b = t->floors[s[1]];
	return a < b ? a : b;
}

static int key_eq(const struct rp_entry *e, const struct eesp_replay_key *k)
{
	return e->hwm != 0 && e->spi == k->spi && e->sender == k->sender && e->scope == k->scope &&
	       e->session == k->session && e->flow == k->flow;
}

static struct rp_entry *find(const struct eesp_replay *t, const struct eesp_replay_key *k)
{
	struct rp_entry *b = bucket_of(t, k);
	for (int i = 0; i < EESP_REPLAY_WAYS; i++)
		if (key_eq(&b[i], k))
			return &b[i];
	return NULL;
}

static int bit_get(const struct rp_entry *e, uint64_t sn)
{
	unsigned i = (unsigned)(sn % EESP_REPLAY_BITS);
	return (int)((e->bits[i / 64] >> (i % 64)) & 1);
}

static void bit_set(struct rp_entry *e, uint64_t sn)
{
	unsigned i = (unsigned)(sn % EESP_REPLAY_BITS);
	e->bits[i / 64] |= 1ull << (i % 64);
}

static enum eesp_replay_verdict window_verdict(const struct rp_entry *e, uint64_t sn)
{
	if (sn <= e->base)
		return EESP_REPLAY_TOO_OLD;
	if (sn > e->hwm)
		return EESP_REPLAY_OK;
	if (e->hwm - sn >= EESP_REPLAY_SPAN)
		return EESP_REPLAY_TOO_OLD;
	return bit_get(e, sn) ? EESP_REPLAY_DUP : EESP_REPLAY_OK;
}

static enum eesp_replay_verdict verdict(const struct eesp_replay *t,
					const struct eesp_replay_key *k, uint64_t sn,
					struct rp_entry **found)
{
	struct rp_entry *e = find(t, k);
	*found = e;
	if (e)
		return window_verdict(e, sn);
	return sn > floor_of(t, k) ? EESP_REPLAY_OK : EESP_REPLAY_TOO_OLD;
}

static void count(struct eesp_replay *t, enum eesp_replay_verdict v)
{
	if (v == EESP_REPLAY_DUP)
		t->st.replays++;
	else if (v == EESP_REPLAY_TOO_OLD)
		t->st.too_old++;
}

struct eesp_replay *eesp_replay_new(unsigned bucket_bits, uint64_t seed)
{
	if (bucket_bits > EESP_REPLAY_MAX_BUCKET_BITS)
		return NULL;
	struct eesp_replay *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	size_t nent = ((size_t)1 << bucket_bits) * EESP_REPLAY_WAYS;
	t->bucket_bits = bucket_bits;
	t->seed = seed;
	t->nslots = (size_t)1 << (bucket_bits + 5);
	t->e = calloc(nent, sizeof(*t->e));
	t->floors = calloc(t->nslots, sizeof(*t->floors));
	if (!t->e || !t->floors) {
		eesp_replay_free(t);
		return NULL;
	}
	t->st.capacity = nent;
	return t;
}

void eesp_replay_free(struct eesp_replay *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->floors);
	free(t);
}

enum eesp_replay_verdict eesp_replay_check(struct eesp_replay *t, const struct eesp_replay_key *k,
					   uint64_t sn)
{
	struct rp_entry *e;
	if (!t || !k || sn == 0)
		return EESP_REPLAY_BADARG;
	enum eesp_replay_verdict v = verdict(t, k, sn, &e);
	count(t, v);
	return v;
}

/* Move the window up to sn (> hwm): clear the 64-bit blocks that enter it. */
static void advance(struct rp_entry *e, uint64_t sn)
{
	uint64_t from = e->hwm / 64, to = sn / 64;
	if (to - from >= RP_WORDS) {
		memset(e->bits, 0, sizeof(e->bits));
	} else {
		for (uint64_t b = from + 1; b <= to; b++)
			e->bits[b % RP_WORDS] = 0;
	}
	e->hwm = sn;
}

static void evict(struct eesp_replay *t, struct rp_entry *victim)
{
	struct eesp_replay_key vk = {.spi = victim->spi,
				     .scope = victim->scope,
				     .sender = victim->sender,
				     .session = victim->session,
				     .flow = victim->flow};
	size_t s[2];
	slots_of(t, &vk, s);
	for (int i = 0; i < 2; i++)
		if (t->floors[s[i]] < victim->hwm)
			t->floors[s[i]] = victim->hwm;
	memset(victim, 0, sizeof(*victim));
	t->st.evictions++;
	t->st.entries--;
}

enum eesp_replay_verdict eesp_replay_update(struct eesp_replay *t, const struct eesp_replay_key *k,
					    uint64_t sn)
{
	struct rp_entry *e;
	if (!t || !k || sn == 0)
		return EESP_REPLAY_BADARG;
	enum eesp_replay_verdict v = verdict(t, k, sn, &e);
	if (v != EESP_REPLAY_OK) {
		count(t, v);
		return v;
	}
	t->tick++;
	if (!e) {
		uint64_t base = floor_of(t, k); /* before evicting: sn > base holds */
		struct rp_entry *b = bucket_of(t, k);
		e = NULL;
		for (int i = 0; i < EESP_REPLAY_WAYS; i++) {
			if (b[i].hwm == 0) {
				e = &b[i];
				break;
			}
			if (!e || b[i].last < e->last)
				e = &b[i];
		}
		if (e->hwm != 0)
			evict(t, e);
		e->spi = k->spi;
		e->scope = k->scope;
		e->sender = k->sender;
		e->session = k->session;
		e->flow = k->flow;
		e->base = base;
		e->hwm = sn;
		memset(e->bits, 0, sizeof(e->bits));
		t->st.entries++;
	} else if (sn > e->hwm) {
		advance(e, sn);
	}
	bit_set(e, sn);
	e->last = t->tick;
	t->st.accepted++;
	return EESP_REPLAY_OK;
}

void eesp_replay_set_floor(struct eesp_replay *t, uint64_t floor)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nslots; i++)
		if (t->floors[i] < floor)
			t->floors[i] = floor;
}

void eesp_replay_get_stats(const struct eesp_replay *t, struct eesp_replay_stats *s)
{
	if (!t || !s)
		return;
	*s = t->st;
}

const char *eesp_replay_verdict_name(enum eesp_replay_verdict v)
{
	switch (v) {
	case EESP_REPLAY_OK:
		return "ok";
	case EESP_REPLAY_DUP:
		return "replay";
	case EESP_REPLAY_TOO_OLD:
		return "too_old";
	case EESP_REPLAY_BADARG:
		return "invalid_argument";
	}
	return "unknown";
}
