/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dp.h - per-worker data-path context shared by tx.c (TUN -> seal -> UDP),
 * rx.c (UDP -> open -> checks -> TUN) and worker.c (the io_uring loop).
 */
#ifndef EESPD_DP_H
#define EESPD_DP_H

#include "eespd.h"
#include "ivgen.h"

struct dp {
	struct eesp_crypto *crypto;
	struct cfg *cfg; /* snapshot in use (between batches it may switch) */
	uint16_t session_id;
	struct eesp_ivgen iv;
	struct ivstate ivs;
	uint32_t flow_seed;
	bool raw; /* raw sockets: the daemon writes the UDP header */
	uint64_t *cnt;
};

/*
 * Seal one inner packet read from the TUN.  out receives the datagram to
 * send (with an 8-byte UDP header first when dp->raw).  Returns 0 and the
 * peer, or the counter index of the drop reason.
 */
unsigned tx_packet(struct dp *dp, const uint8_t *inner, size_t len, uint8_t *out, size_t cap,
		   size_t *out_len, const struct peer **peer);

/* Outer source port of an inner packet (hash of its 5-tuple into the range). */
uint16_t tx_source_port(uint32_t seed, const uint8_t *inner, size_t len, uint16_t lo, uint16_t hi);

/*
 * Open one received UDP payload in place.  Returns 0 with the inner packet
 * at pkt[*off .. *off + *ilen), or the counter index of the drop reason.
 */
unsigned rx_packet(struct dp *dp, uint8_t *pkt, size_t len, size_t *off, size_t *ilen);

#endif /* EESPD_DP_H */
