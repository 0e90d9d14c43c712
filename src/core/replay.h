/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replay.h - anti-replay windows per (sender, Session ID) in bounded memory.
 *
 * One sliding window per sender context: key = (SPI, scope, sender, Session
 * ID) where sender is the SCTX node id (profiles node/pair/tenant) or the SPI
 * itself (profile spi) and scope is the tenant id (0 if none).  Each sender
 * worker numbers its packets per Session ID with a strictly increasing SN
 * (ivgen.h), so one window per key sees every packet of that numbering.
 *
 * Two steps, as in the EESP draft (§4.4: the window advances only after the
 * ICV verifies):
 *   eesp_replay_check()  before decryption: cheap, does not change any
 *                        window (only bumps the drop counters);
 *   eesp_replay_update() after the ICV verified: re-checks (so a duplicate
 *                        that raced through check is still caught) and, if
 *                        the SN is new, records it.  Only packets that really
 *                        come from a key holder create or move a window.
 * Drop the packet unless update() returned EESP_REPLAY_OK.
 *
 * Memory is fixed at creation: 2^bucket_bits buckets of EESP_REPLAY_WAYS
 * windows (set-associative on a seeded hash of the key), each window a 64-bit
 * high-water mark (hwm) and a ring of EESP_REPLAY_BITS bits, plus a "floor
 * sketch" of 2^(bucket_bits + 5) 64-bit slots (8 per window).  A window accepts an SN iff
 *   sn > base, and
 *   sn > hwm, or hwm - sn < EESP_REPLAY_SPAN and its bit is clear.
 * (The ring is cleared in 64-bit blocks, RFC 6479 style, so the usable span
 * is EESP_REPLAY_BITS - 64.)  When a key with no window has a verified packet
 * and its bucket is full, the least recently updated window of the bucket is
 * evicted.
 *
 * Why eviction never lets a replay through.  Claim: once update(k, s)
 * returned OK, no later update(k, s) returns OK.
 *  - While k's window W lives, W.hwm >= s (hwm is the max accepted SN and
 *    never decreases), so s is either in the span with its bit set (the bit
 *    is only cleared when the block leaves the span) or hwm - s >= span, or
 *    s <= W.base: rejected in every case.
 *  - When W is evicted, its hwm (>= s) is max-ed into the two sketch slots
 *    h1(k), h2(k).  Slots only ever grow (max), so afterwards
 *    floor(k) = min(slot[h1(k)], slot[h2(k)]) >= s for ever.
 *  - A key with no window is accepted only if sn > floor(k), so s is refused.
 *    A new window for k starts with base = floor(k) >= s, and refuses
 *    every sn <= base for its whole life; a later eviction raises the
 *    slots again, so the argument repeats for any number of generations.
 * Other keys sharing a slot only raise floor(k) (fewer accepted packets,
 * never more), so collisions cost liveness, never safety.
 *
 * Liveness, and why a floor is workable: SNs start at unix_seconds << 32
 * (ivgen.h), so a sender (re)started after an evicted sender's last packet
 * starts above that sender's hwm (unless the evicted one averaged 2^32
 * packets per second) and is accepted.  The cost: a long-running sender
 * whose window was evicted, and whose two sketch slots both hold a higher
 * hwm of a younger sender, is refused (counted too_old) until it restarts
 * or the table is reset; sizing the table so active senders fit (4 ways per
 * bucket, LRU) makes eviction of an active sender rare, and two independent
 * sketch slots make the false floor rarer still.  Entries are only created
 * by authenticated packets, and the seed should be secret and random, so
 * only key holders can aim at a bucket.
 *
 * Restarts: the table lives in memory.  A caller that knows which SNs were
 * accepted before its restart (eespd: the clock part of SNs, see ivgen.h
 * and replaytab.c) raises every floor with eesp_replay_set_floor() before
 * the first packet, so those SNs are refused afterwards.
 *
 * Pure: no I/O, no globals, no locking.  Share one table among all receive
 * workers (a replay may arrive on another worker, e.g. with a different
 * outer source port) and serialise calls with a lock; check() and update()
 * may be called under separate lock holds, since update() re-checks.
 */
#ifndef EESP_REPLAY_H
#define EESP_REPLAY_H

#include <stdint.h>

#define EESP_REPLAY_WAYS 4			 /* windows per bucket */
#define EESP_REPLAY_BITS 1024			 /* ring bits per window */
#define EESP_REPLAY_SPAN (EESP_REPLAY_BITS - 64) /* accepted distance below hwm */
#define EESP_REPLAY_MAX_BUCKET_BITS 20

struct eesp_replay_key {
	uint32_t spi;	  /* domain SPI (spi profile: the SA's SPI) */
	uint32_t scope;	  /* tenant id, 0 if none */
	uint32_t sender;  /* SCTX node id; spi profile: the SPI */
	uint16_t session; /* Session ID */
	uint16_t flow;	  /* 0, or a hash of the inner flow (one window per flow) */
};

/*
 * Windows per sender are capped: every window of one (SPI, scope, sender,
 * Session ID) lives in the same EESP_REPLAY_FLOW_SPREAD consecutive buckets
 * (the flow picks one of them), so one sender's flows, however many,
 * occupy and evict at most EESP_REPLAY_FLOW_SPREAD * EESP_REPLAY_WAYS
 * windows, shared only with the few other senders that hash there.
 */
#define EESP_REPLAY_FLOW_SPREAD 4

enum eesp_replay_verdict {
	EESP_REPLAY_OK = 0,  /* new SN: accept (check) / recorded (update) */
	EESP_REPLAY_DUP,     /* inside the window and already seen */
	EESP_REPLAY_TOO_OLD, /* below the window, below its base, or below the floor */
	EESP_REPLAY_BADARG,  /* SN 0 or NULL argument */
};

struct eesp_replay_stats {
	uint64_t accepted;  /* update() OK */
	uint64_t replays;   /* EESP_REPLAY_DUP from check() or update() */
	uint64_t too_old;   /* EESP_REPLAY_TOO_OLD from check() or update() */
	uint64_t evictions; /* windows evicted to make room */
	uint64_t entries;   /* windows in use now */
	uint64_t capacity;  /* windows in the table */
};

struct eesp_replay;

/* New empty table of 2^bucket_bits * EESP_REPLAY_WAYS windows (bucket_bits
 * <= EESP_REPLAY_MAX_BUCKET_BITS; about 170 bytes per window).  seed keys
 * the hash; use a random value.  NULL on a bad argument or no memory. */
struct eesp_replay *eesp_replay_new(unsigned bucket_bits, uint64_t seed);
void eesp_replay_free(struct eesp_replay *t);

/* Before decryption: the verdict update() would give now.  Changes no
 * window; counts DUP/TOO_OLD in the stats (a dropped packet is counted by
 * exactly one of check/update if the caller stops at the first refusal). */
enum eesp_replay_verdict eesp_replay_check(struct eesp_replay *t, const struct eesp_replay_key *k,
					   uint64_t sn);

/* After the ICV verified: record sn (creating or evicting a window as
 * needed) and return OK, or refuse it (DUP/TOO_OLD) without changes. */
enum eesp_replay_verdict eesp_replay_update(struct eesp_replay *t, const struct eesp_replay_key *k,
					    uint64_t sn);

/* Raise every floor slot to at least floor (SNs <= floor of keys without a
 * window are refused).  Never lowers anything; safe at any time. */
void eesp_replay_set_floor(struct eesp_replay *t, uint64_t floor);

void eesp_replay_get_stats(const struct eesp_replay *t, struct eesp_replay_stats *s);

/* "ok", "replay", "too_old", "invalid_argument". */
const char *eesp_replay_verdict_name(enum eesp_replay_verdict v);

#endif /* EESP_REPLAY_H */
