/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rtsa.h - runtime SAs: the security associations of configured peers that
 * arrive over the control socket (the sa-* verbs, saverbs.h; eespd(8)
 * "Runtime SAs") instead of from key files, for eesp-iked.
 *
 * The table lives in the main thread's memory only (a restart loses it),
 * with its keys in locked memory, wiped when an SA goes.  It is never read
 * by the data path: every new snapshot gets the table laid over it
 * (rtsa_apply), so workers see runtime SAs exactly like configured ones,
 * through the same immutable snapshots:
 *   - a receive SA (RTSA_RX) adds its SPI to the peer's rx_spi, so the
 *     peer's inner sources are checked against its allowed_ips; an eesp
 *     client's receive key (it cannot derive one) goes to domain->rt;
 *   - the transmit SA (RTSA_TX, at most one per peer; a new one replaces it)
 *     goes to domain->rt with the header fields it is bound to, and
 *     peer->rt_tx points at it (it wins over a configured tx_spi);
 *   - released receive SPIs go to domain->released (counted sa_released).
 * A peer is named by its configuration name; when a reload removes the peer
 * (or moves it to another domain) its SAs are dropped (rtsa_prune).
 */
#ifndef EESPD_RTSA_H
#define EESPD_RTSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "snap.h"

#define RTSA_MAX 4096		/* runtime SAs in all */
#define RTSA_MAX_RX_PER_PEER 16 /* receive SAs of one peer (make-before-break) */
#define RTSA_RELEASED_MAX 1024	/* released SPIs remembered for sa_released */

/*
 * RTSA_TX_PENDING: an eesp key holder's transmit SA allocated by
 * sa-tx-alloc and not used yet: it becomes the transmit SA (RTSA_TX) with
 * sa-tx-set once the client has its receive key, so that the client never
 * gets packets it cannot open (make-before-break for the receiver).
 */
enum rtsa_dir { RTSA_RX = 0, RTSA_TX = 1, RTSA_TX_PENDING = 2 };

/* "rx", "tx", "tx-pending" */
const char *rtsa_dir_name(unsigned dir);

struct rtsa_sa {
	char peer[64];	 /* the configured peer's name */
	char domain[64]; /* its domain's name when the SA was set */
	uint8_t dir;	 /* RTSA_RX: the peer sends with spi; RTSA_TX(_PENDING): we do */
	bool psp;
	bool derived;	/* the key comes from our own master or root: not kept */
	int8_t version; /* psp header version; -1 for eesp */
	int8_t master;	/* psp, derived: the master key it is under; -1 */
	int8_t phase;	/* eesp: the domain phase it is bound to; -1 */
	bool has_gen;	/* eesp, derived: the root generation */
	uint32_t generation;
	bool has_epoch; /* eesp: the epoch it is bound to */
	uint32_t epoch;
	uint32_t spi;
	time_t created;
	char fp[17];	 /* the key's fingerprint (eesp_key_fingerprint) */
	uint8_t key_len; /* 0 when derived */
	uint8_t key[32];
	uint8_t salt[4];
};

struct rtsa;

/* An empty table; NULL if out of memory. */
struct rtsa *rtsa_new(void);
/* A copy to change (a verb builds on a copy and keeps it only once the
 * snapshot with it is published); NULL if out of memory. */
struct rtsa *rtsa_copy(const struct rtsa *t);
/* Wipes every key. */
void rtsa_free(struct rtsa *t);

unsigned rtsa_count(const struct rtsa *t);
const struct rtsa_sa *rtsa_at(const struct rtsa *t, unsigned i);

/* Add sa (copied; the caller wipes its own).  A transmit SA replaces the
 * peer's previous one (wiped).  0, or -1 with err (table or peer full). */
int rtsa_add(struct rtsa *t, const struct rtsa_sa *sa, char *err, size_t err_len);

/* The peer's pending transmit SA with this SPI becomes its transmit SA (the
 * previous one goes, wiped).  0, or -1 if there is no such pending SA. */
int rtsa_activate(struct rtsa *t, const char *peer, uint32_t spi);

/* Remove the peer's receive or pending SA with this SPI (spi 0: all of the
 * peer's SAs, its transmit SA too: a transmit SPI is the peer's, from
 * another space, so an SPI never names it); each
 * removed receive SPI is remembered as released in domain dom (an index
 * into the snapshot).  Returns how many were removed; their copies (keys
 * wiped) go to out[0 .. cap) for the reply. */
unsigned rtsa_release(struct rtsa *t, const char *peer, uint32_t spi, unsigned dom,
		      struct rtsa_sa *out, unsigned cap);

/* Drop the SAs whose peer s no longer has, or has in another domain, or
 * under a name two peers share; each dropped peer is logged.  Returns how
 * many SAs were dropped. */
unsigned rtsa_prune(struct rtsa *t, const struct snap *s);

/* The peer of s named name: its index, or -1 if there is none, -2 if two
 * peers have that name. */
int rtsa_peer_index(const struct snap *s, const char *name);

/* Lay the table over s (a new snapshot, fresh from the parser or a clone of
 * the running one: the runtime part of a clone is rebuilt, not added to).
 * 0, or -1 when out of memory (s is then only fit for snap_free). */
int rtsa_apply(const struct rtsa *t, struct snap *s);

#endif /* EESPD_RTSA_H */
