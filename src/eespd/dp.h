/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dp.h - a worker's data-path context shared by tx.c (TUN -> seal -> UDP),
 * rx.c (UDP -> open -> checks -> TUN) and the worker's ring loop.
 */
#ifndef EESPD_DP_H
#define EESPD_DP_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "ivgen.h"
#include "lookup.h"
#include "snap.h"

struct replay_tables;
struct peer_ctr;
struct ivpersist;

struct dp {
	struct eesp_crypto *crypto;
	const struct eespd_conf *conf; /* restart-only settings */
	const struct snap *snap;       /* the snapshot in use (switched between batches) */
	struct replay_tables *replay;
	uint16_t session_id;
	unsigned lane; /* IV lane = worker index (ivgen.h) */
	struct eesp_ivgen iv;
	struct ivpersist *ivp;
	uint64_t iv_pending; /* next block's mark, asked for, maybe not on disk (0 = none) */
	uint64_t last_tx_s;  /* wall clock of the last IV handed out (0 = none yet) */
	uint32_t flow_seed;
	uint64_t *cnt;
	struct peer_ctr *pctr; /* this worker's per-peer counters in snap (peerstats.h) */
	unsigned rx_peer;      /* peer of the last packet opened, or PEERSTATS_NONE */
	/* trust domains: the domain index of the last packet opened, and the
	 * packet-count epoch: each sender worker advances its epoch every
	 * epoch_packets packets (ep_tx counts them per domain); a receiver
	 * follows authenticated epochs ahead of its own (ep_adv) so that the
	 * window check stays centred on the senders. */
	unsigned rx_dom;
	uint64_t now_s; /* wall clock, read once per batch */
	uint64_t ep_tx[EESPD_MAX_DOMAINS];
	uint32_t ep_adv[EESPD_MAX_DOMAINS];
};

/* The epoch a receiver checks domain d's packets against. */
static inline uint32_t dp_rx_epoch(const struct dp *dp, const struct domain *d)
{
	return domain_epoch_at(d, dp->now_s) + (d->epoch_packets ? dp->ep_adv[d->idx] : 0);
}

/* An authenticated packet of domain d carried epoch e: follow it forward. */
static inline void dp_rx_epoch_seen(struct dp *dp, const struct domain *d, uint32_t e)
{
	int32_t diff = (int32_t)(e - dp_rx_epoch(dp, d));
	if (d->epoch_packets && diff > 0)
		dp->ep_adv[d->idx] += (uint32_t)diff;
}

/* The epoch a sender puts in its next packet of domain d. */
static inline uint32_t dp_tx_epoch(struct dp *dp, const struct domain *d)
{
	uint32_t e = domain_epoch_at(d, dp->now_s);
	if (d->epoch_packets)
		e += (uint32_t)(dp->ep_tx[d->idx]++ / d->epoch_packets);
	return e;
}

/* Cryptokey routing: the peer an inner packet goes to, or NULL with the
 * drop reason in *why (no_route, non_ip). */
const struct peer *tx_route(const struct dp *dp, const uint8_t *inner, size_t len, unsigned *why);

/*
 * Seal one inner packet (already routed to peer) into out: the UDP payload
 * to send.  Returns 0 with its length in *out_len, or the drop reason.
 */
unsigned tx_seal(struct dp *dp, const struct peer *peer, const uint8_t *inner, size_t len,
		 uint8_t *out, size_t cap, size_t *out_len);

/* Between batches: keep the IV mark ahead of the clock for a while after the
 * last packet sent, so that a packet after an idle gap need not wait for
 * the disk. */
void tx_keep_ahead(struct dp *dp);

/*
 * Open one received UDP payload in place.  Returns 0 with the inner packet
 * at pkt[*off .. *off + *ilen), or the counter index of the drop reason.
 */
unsigned rx_packet(struct dp *dp, uint8_t *pkt, size_t len, size_t *off, size_t *ilen);

#endif /* EESPD_DP_H */
