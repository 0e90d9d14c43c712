/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_replay.c - anti-replay windows: duplicates refused, reordering inside
 * the window accepted once, old SNs refused, and eviction under pressure
 * never accepting a (sender, SN) that was accepted before. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "replay.h"

#define T0 (1700000000ull << 32) /* a clock-based SN start (ivgen.h) */

static struct eesp_replay_key key(uint32_t sender, uint16_t session)
{
	struct eesp_replay_key k = {
	    .spi = 0xC0FFEE01, .scope = 0, .sender = sender, .session = session};
	return k;
}

/* check then update, as the daemon does; both must agree */
static enum eesp_replay_verdict rx(struct eesp_replay *t, const struct eesp_replay_key *k,
				   uint64_t sn)
{
	enum eesp_replay_verdict c = eesp_replay_check(t, k, sn);
	if (c != EESP_REPLAY_OK)
		return c;
	enum eesp_replay_verdict u = eesp_replay_update(t, k, sn);
	cr_assert_eq(u, EESP_REPLAY_OK, "check said ok, update said %s for sn %llu",
		     eesp_replay_verdict_name(u), (unsigned long long)sn);
	return u;
}

Test(replay, duplicate_in_window)
{
	struct eesp_replay *t = eesp_replay_new(4, 1);
	struct eesp_replay_key k = key(2, 0);
	struct eesp_replay_stats st;
	cr_assert_not_null(t);
	for (uint64_t i = 0; i < 100; i++)
		cr_assert_eq(rx(t, &k, T0 + i), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k, T0 + 99), EESP_REPLAY_DUP);
	cr_assert_eq(rx(t, &k, T0 + 50), EESP_REPLAY_DUP);
	cr_assert_eq(rx(t, &k, T0), EESP_REPLAY_DUP);
	/* update alone (no prior check) refuses too */
	cr_assert_eq(eesp_replay_update(t, &k, T0 + 7), EESP_REPLAY_DUP);
	/* the same SN from another session or sender is a different window */
	struct eesp_replay_key k2 = key(2, 1), k3 = key(3, 0);
	cr_assert_eq(rx(t, &k2, T0 + 50), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k3, T0 + 50), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k3, T0 + 50), EESP_REPLAY_DUP);
	eesp_replay_get_stats(t, &st);
	cr_assert_eq(st.accepted, 102);
	cr_assert_eq(st.replays, 5);
	cr_assert_eq(st.too_old, 0);
	cr_assert_eq(st.entries, 3);
	cr_assert_eq(eesp_replay_check(t, &k, 0), EESP_REPLAY_BADARG);
	cr_assert_eq(eesp_replay_update(t, &k, 0), EESP_REPLAY_BADARG);
	eesp_replay_free(t);
}

Test(replay, check_changes_nothing)
{
	struct eesp_replay *t = eesp_replay_new(2, 7);
	struct eesp_replay_key k = key(9, 3);
	cr_assert_eq(rx(t, &k, T0 + 10), EESP_REPLAY_OK);
	/* a forged packet far ahead passes check but must not move the window */
	cr_assert_eq(eesp_replay_check(t, &k, T0 + 1000000), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k, T0 + 5), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k, T0 + 11), EESP_REPLAY_OK);
	/* an unknown sender's check creates nothing */
	struct eesp_replay_key u = key(77, 0);
	struct eesp_replay_stats st;
	cr_assert_eq(eesp_replay_check(t, &u, T0), EESP_REPLAY_OK);
	eesp_replay_get_stats(t, &st);
	cr_assert_eq(st.entries, 1);
	eesp_replay_free(t);
}

Test(replay, reorder_within_window_once)
{
	struct eesp_replay *t = eesp_replay_new(3, 2);
	struct eesp_replay_key k = key(5, 0);
	/* deliver 0..2999 in a shuffled order with displacement < SPAN */
	enum { N = 3000, D = 500 };
	uint64_t order[N];
	for (int i = 0; i < N; i++)
		order[i] = (uint64_t)i;
	srand(42);
	for (int i = 0; i + D < N; i += D / 2)
		for (int j = 0; j < D; j++) {
			int a = i + rand() % D, b = i + rand() % D;
			uint64_t x = order[a];
			order[a] = order[b];
			order[b] = x;
		}
	uint64_t maxseen = 0;
	for (int i = 0; i < N; i++) {
		uint64_t sn = T0 + 1 + order[i];
		enum eesp_replay_verdict v = rx(t, &k, sn);
		if (maxseen > sn && maxseen - sn >= EESP_REPLAY_SPAN)
			cr_assert_eq(v, EESP_REPLAY_TOO_OLD);
		else
			cr_assert_eq(v, EESP_REPLAY_OK, "sn +%llu refused (%s)",
				     (unsigned long long)order[i], eesp_replay_verdict_name(v));
		if (sn > maxseen)
			maxseen = sn;
		/* and every one exactly once */
		cr_assert_neq(rx(t, &k, sn), EESP_REPLAY_OK);
	}
	eesp_replay_free(t);
}

Test(replay, too_old_and_span_edges)
{
	struct eesp_replay *t = eesp_replay_new(0, 3);
	struct eesp_replay_key k = key(1, 0);
	struct eesp_replay_stats st;
	uint64_t h = T0 + 100000;
	cr_assert_eq(rx(t, &k, h), EESP_REPLAY_OK);
	/* a fresh window: everything below hwm but inside the span is new */
	cr_assert_eq(rx(t, &k, h - (EESP_REPLAY_SPAN - 1)), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k, h - EESP_REPLAY_SPAN), EESP_REPLAY_TOO_OLD);
	cr_assert_eq(rx(t, &k, h - 5000), EESP_REPLAY_TOO_OLD);
	cr_assert_eq(rx(t, &k, 1), EESP_REPLAY_TOO_OLD);
	/* a jump of more than the ring: old bits gone, old SNs too old */
	cr_assert_eq(rx(t, &k, h + 5000), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k, h), EESP_REPLAY_TOO_OLD);
	cr_assert_eq(rx(t, &k, h + 4999), EESP_REPLAY_OK);
	cr_assert_eq(rx(t, &k, h + 4999), EESP_REPLAY_DUP);
	/* block boundaries: advance by exactly one 64-bit block at a time */
	for (uint64_t s = h + 5001; s < h + 5001 + 64 * 40; s += 64) {
		cr_assert_eq(rx(t, &k, s), EESP_REPLAY_OK);
		cr_assert_eq(rx(t, &k, s - 64),
			     s - 64 == h + 4937 ? EESP_REPLAY_OK : EESP_REPLAY_DUP);
	}
	eesp_replay_get_stats(t, &st);
	cr_assert_eq(st.too_old, 4);
	eesp_replay_free(t);
}

Test(replay, eviction_floor_blocks_evicted_senders_replays)
{
	/* one bucket of 4 ways: the fifth sender evicts the least recent */
	struct eesp_replay *t = eesp_replay_new(0, 4);
	struct eesp_replay_stats st;
	struct eesp_replay_key k[5];
	for (int i = 0; i < 5; i++) {
		k[i] = key((uint32_t)i + 1, 0);
		cr_assert_eq(rx(t, &k[i], T0 + (uint64_t)i * 10 + 1), EESP_REPLAY_OK);
	}
	eesp_replay_get_stats(t, &st);
	cr_assert_eq(st.evictions, 1);
	cr_assert_eq(st.entries, 4);
	/* sender 1 was evicted: its old SN is refused, a newer one is accepted */
	cr_assert_eq(rx(t, &k[0], T0 + 1), EESP_REPLAY_TOO_OLD);
	cr_assert_eq(rx(t, &k[0], T0 + 2), EESP_REPLAY_OK);
	/* its new window starts above the floor: T0+1 still refused */
	cr_assert_eq(rx(t, &k[0], T0 + 1), EESP_REPLAY_TOO_OLD);
	/* a sender started later (clock-based SN) is accepted despite evictions */
	struct eesp_replay_key late = key(99, 0);
	cr_assert_eq(rx(t, &late, T0 + (5ull << 32)), EESP_REPLAY_OK);
	eesp_replay_free(t);
}

Test(replay, set_floor_and_names)
{
	struct eesp_replay *t = eesp_replay_new(1, 5);
	struct eesp_replay_key k = key(1, 1);
	eesp_replay_set_floor(t, T0);
	cr_assert_eq(rx(t, &k, T0), EESP_REPLAY_TOO_OLD);
	cr_assert_eq(rx(t, &k, T0 + 1), EESP_REPLAY_OK);
	cr_assert_null(eesp_replay_new(EESP_REPLAY_MAX_BUCKET_BITS + 1, 0));
	cr_assert_str_eq(eesp_replay_verdict_name(EESP_REPLAY_DUP), "replay");
	cr_assert_str_eq(eesp_replay_verdict_name(EESP_REPLAY_TOO_OLD), "too_old");
	eesp_replay_free(t);
	eesp_replay_free(NULL);
}

/*
 * Many senders over a small table: senders restart now and then (a new
 * clock-based start, as ivgen.h does), every sender both advances and
 * re-sends SNs of its current and earlier incarnations (reorders and
 * replays).  A reference set of every accepted (sender, incarnation, SN)
 * must never see one accepted twice, under constant eviction.
 */
#define RS 200	/* senders */
#define RI 8	/* incarnations (restarts) remembered per sender */
#define RN 4096 /* SNs per incarnation */
Test(replay, randomized_eviction_never_accepts_replay, .timeout = 60)
{
	static uint8_t seen[RS][RI][RN];
	uint64_t start[RS][RI], next[RS];
	int inc[RS];
	struct eesp_replay_stats st;
	unsigned long long accepted = 0, replays_tried = 0, restarts = 0, fresh = 0,
			   fresh_refused = 0;
	uint64_t clock = 1700000000;
	struct eesp_replay *t = eesp_replay_new(3, 0x1234); /* 32 windows */
	cr_assert_not_null(t);
	srand(7);
	memset(seen, 0, sizeof(seen));
	for (int s = 0; s < RS; s++) {
		/* all started within the first minute */
		start[s][0] = (clock - 60 + (uint64_t)(rand() % 60)) << 32;
		inc[s] = 0;
		next[s] = 0;
	}
	for (int i = 0; i < 400000; i++) {
		if (i % 2000 == 0)
			clock++;
		/* a few hot senders, many cold ones */
		int s = (rand() % 4) ? rand() % 12 : rand() % RS;
		if (rand() % 500 == 0 && inc[s] + 1 < RI) { /* restart */
			inc[s]++;
			start[s][inc[s]] = clock << 32;
			next[s] = 0;
			restarts++;
		}
		int n = inc[s];
		uint64_t off;
		int r = rand() % 20, is_fresh = 0;
		if (r < 10 && next[s] < RN) {
			off = next[s]++; /* new SN */
			is_fresh = 1;
		} else if (r < 16 && next[s] > 0) {
			uint64_t back = (uint64_t)(rand() % 1100) + 1; /* reordered or replayed */
			off = next[s] > back ? next[s] - back : 0;
		} else if (r < 18 && n > 0) {
			n = rand() % n; /* an earlier incarnation's packet */
			off = (uint64_t)(rand() % RN);
		} else {
			off = (uint64_t)rand() % (next[s] + 1); /* anything sent (or next) */
			if (off == next[s] && next[s] < RN)
				next[s]++;
			else if (off == RN)
				off--;
		}
		struct eesp_replay_key k = key((uint32_t)s + 1, (uint16_t)(s % 3));
		replays_tried += seen[s][n][off];
		enum eesp_replay_verdict v = rx(t, &k, start[s][n] + off);
		if (v == EESP_REPLAY_OK) {
			cr_assert_eq(seen[s][n][off], 0,
				     "sender %d incarnation %d sn +%llu accepted twice", s, n,
				     (unsigned long long)off);
			seen[s][n][off] = 1;
			accepted++;
		}
		fresh += is_fresh;
		fresh_refused += is_fresh && v != EESP_REPLAY_OK;
	}
	eesp_replay_get_stats(t, &st);
	cr_log_info(
	    "replay random: %llu accepted, %llu replays tried, %llu restarts, %llu evictions, "
	    "%llu refused as replay, %llu as too_old; %llu of %llu fresh SNs refused",
	    accepted, replays_tried, restarts, (unsigned long long)st.evictions,
	    (unsigned long long)st.replays, (unsigned long long)st.too_old, fresh_refused, fresh);
	cr_assert(st.evictions > 1000, "not enough pressure: %llu evictions",
		  (unsigned long long)st.evictions);
	cr_assert(accepted > 50000, "only %llu accepted", accepted);
	cr_assert(replays_tried > 50000, "only %llu replays tried", replays_tried);
	eesp_replay_free(t);
}

/* without pressure the table is exact: an ideal per-sender window model */
Test(replay, exact_without_eviction, .timeout = 60)
{
	enum { S = 8, N = 20000 };
	static uint8_t seen[S][N];
	uint64_t hwm[S] = {0};
	struct eesp_replay *t = eesp_replay_new(8, 99); /* 1024 windows for 8 senders */
	struct eesp_replay_stats st;
	memset(seen, 0, sizeof(seen));
	srand(11);
	for (int i = 0; i < 200000; i++) {
		int s = rand() % S;
		uint64_t off = (uint64_t)(rand() % N) + 1;
		struct eesp_replay_key k = key(1, (uint16_t)s);
		enum eesp_replay_verdict want;
		if (hwm[s] && off <= hwm[s] && hwm[s] - off >= EESP_REPLAY_SPAN)
			want = EESP_REPLAY_TOO_OLD;
		else if (seen[s][off - 1])
			want = EESP_REPLAY_DUP;
		else
			want = EESP_REPLAY_OK;
		enum eesp_replay_verdict v = rx(t, &k, T0 + off);
		cr_assert_eq(v, want, "sender %d off %llu hwm %llu: got %s want %s", s,
			     (unsigned long long)off, (unsigned long long)hwm[s],
			     eesp_replay_verdict_name(v), eesp_replay_verdict_name(want));
		if (v == EESP_REPLAY_OK) {
			seen[s][off - 1] = 1;
			if (off > hwm[s])
				hwm[s] = off;
		}
	}
	eesp_replay_get_stats(t, &st);
	cr_assert_eq(st.evictions, 0);
	eesp_replay_free(t);
}

/* One sender with thousands of flows (a member flooding windows under one
 * node id and Session ID) occupies at most EESP_REPLAY_FLOW_SPREAD buckets:
 * the windows of senders hashed elsewhere survive, so their replays are
 * still recognised as duplicates rather than merely too old. */
Test(replay, windows_per_sender_are_capped)
{
	struct eesp_replay *t = eesp_replay_new(8, 42); /* 256 buckets */
	struct eesp_replay_stats st;
	unsigned survived = 0;
	for (uint32_t s = 100; s < 150; s++) {
		struct eesp_replay_key k = key(s, 1);
		k.flow = 7;
		cr_assert_eq(rx(t, &k, T0 + s), EESP_REPLAY_OK);
	}
	for (unsigned f = 0; f < 5000; f++) {
		struct eesp_replay_key a = key(1, 1);
		a.flow = (uint16_t)f;
		cr_assert_eq(rx(t, &a, T0 + 1000 + f), EESP_REPLAY_OK);
	}
	eesp_replay_get_stats(t, &st);
	cr_assert_leq(st.entries, 50 + EESP_REPLAY_FLOW_SPREAD * EESP_REPLAY_WAYS,
		      "the flooding sender holds more than its share: %llu windows",
		      (unsigned long long)st.entries);
	for (uint32_t s = 100; s < 150; s++) {
		struct eesp_replay_key k = key(s, 1);
		k.flow = 7;
		if (eesp_replay_check(t, &k, T0 + s) == EESP_REPLAY_DUP)
			survived++;
	}
	/* at most the senders sharing the flooder's 4 of 256 buckets are hit */
	cr_assert_geq(survived, 44u, "only %u of 50 other senders kept their windows", survived);
	eesp_replay_free(t);
}
