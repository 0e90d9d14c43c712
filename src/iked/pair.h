/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pair.h - seed 004's pair keys on the wire (eesp(7) PAIRWISE KEYS, "On the
 * wire"): for a peer with a `pair` group (another member of our key
 * server's domain) eesp-iked derives K = P XOR G for every live generation
 * of the group ring GK (ike_pairkey.h: P from the pair's own IKE SA, G from
 * GK) and installs each direction as an eesp runtime SA into our eespd
 * (sa-rx-set for the keys the peer seals with, sa-tx-set for the current
 * generation's key we seal with).  The SPI and salt of each SA come from
 * its key (ike_pk_sa), so both members name the same SAs without a
 * message; a group rekey pushed by the key server re-derives and installs
 * locally, with no message to the peer.
 *
 * Runs when the pair's IKE SA is established or rekeyed (new SPIs and SK_d)
 * and after every ring our key server hands us.  Receive SAs of a
 * generation that left the ring are released (retire).  After an IKE
 * rekey our transmit SA switches to the new keys a little later, once the
 * peer has installed its receive SA, and the replaced SA's receive SAs go
 * as long again after that, once the peer has switched too.  Two IKE SAs with the peer: both ends
 * use the one with the lower SPIs.  State in locked
 * memory, wiped when the SA goes.
 */
#ifndef IKED_PAIR_H
#define IKED_PAIR_H

#include <stdbool.h>
#include <stdint.h>

#include "ike_gcks.h"
#include "ike_pairkey.h"

struct iked_engine;
struct ike_sa;

#define PAIR_MAX_RX (2 * EESP_GENS) /* this SA's generations and a replaced SA's */

struct pair_state {
	bool bound; /* an IKE SA with the peer is up: spi_i, spi_r, sk_d hold */
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	uint8_t sk_d[IKE_PK_SK_D_LEN];
	bool have_gk; /* the key server gave us the group ring */
	struct eesp_ring gk;
	struct ike_pk_ring ring;
	uint32_t rx[PAIR_MAX_RX]; /* receive SPIs installed in eespd */
	unsigned n_rx;
	uint32_t tx;	     /* transmit SPI installed (0: none) */
	uint32_t tx_gen;     /* its generation */
	uint64_t syncs;	     /* pair rings derived and installed */
	int64_t tx_due_ms;   /* after an IKE rekey: switch the transmit SA then (0: no) */
	int64_t gc_due_ms;   /* ... and release the replaced SA's receive SAs then */
	bool swept;	     /* what an earlier process left in eespd was released */
	int64_t poll_due_ms; /* look for our transmit SA in eespd's sa-list then */
};

/* eespd holds runtime SAs in memory only: how often we check that it still
 * has ours (a restarted eespd has none; they are installed again) */
#define PAIR_POLL_MS 1000

/* Locked state for every peer with a pair group; 0 or -1. */
int pair_init(struct iked_engine *e);
void pair_free(struct iked_engine *e);

/* The pair's IKE SA is up (old: a rekey replaced old): bind and install. */
void pair_established(struct iked_engine *e, struct ike_sa *sa, const struct ike_sa *old);
/* An SA closes: if it is the one bound, the pair's runtime SAs go (or move
 * to another established SA with the peer). */
void pair_close(struct iked_engine *e, struct ike_sa *sa);
/* Rings from key server peer ks_idx (registration or push): each pair of
 * that key server whose group ring is among them re-derives and installs. */
void pair_rings_in(struct iked_engine *e, unsigned ks_idx, const struct ike_gcks_ring *rings,
		   unsigned n);

/* The deferred transmit switches of pair_established after a rekey and the
 * PAIR_POLL_MS check of eespd: when the next is due (0: none), and the
 * timer pass. */
int64_t pair_due_ms(const struct iked_engine *e);
void pair_timers(struct iked_engine *e);

/* The pair keys derived from sa, for `show`: a line (text) or
 * ,"pair":{...} / ,"pair":null (JSON); nothing (text) unless sa is bound. */
struct strbuf;
void pair_report(const struct iked_engine *e, const struct ike_sa *sa, struct strbuf *b, bool json);

#endif /* IKED_PAIR_H */
