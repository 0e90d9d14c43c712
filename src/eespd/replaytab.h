/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replaytab.h - the daemon's anti-replay tables, one pair per trust domain,
 * shared by every receive worker (core: replay.h).
 */
#ifndef EESPD_REPLAYTAB_H
#define EESPD_REPLAYTAB_H

#include <stdint.h>

#include "snap.h"

struct replay_tables;
struct eesp_replay_key;

struct replay_tables *replay_tables_new(void);
void replay_tables_free(struct replay_tables *t);

/* Create the tables of s's domains that enable replay (main thread, before
 * publishing s); a new table refuses SNs older than now - clock_skew.
 * 0 or -1 with err. */
int replay_sync(struct replay_tables *t, const struct snap *s, uint64_t now, char *err,
		size_t err_len);

/* Receive (any worker, thread-safe): 0 = new, else the counter to drop
 * under (EESP_E_REPLAY or CNT_REPLAY_TOO_OLD).  check before the AEAD
 * (duplicates only), update after the ICV verified and the inner source
 * passed, with the inner flow's hash (returns the windows it evicted). */
unsigned replay_rx_check(struct replay_tables *t, unsigned dom, const struct eesp_replay_key *k,
			 uint64_t sn);
unsigned replay_rx_update(struct replay_tables *t, unsigned dom, const struct eesp_replay_key *k,
			  uint32_t flow, uint64_t sn, uint64_t *evicted);

void replay_table_stats(struct replay_tables *t, unsigned dom, uint64_t *entries,
			uint64_t *capacity, uint64_t *evictions);

/* The highest SN clock part (unix seconds) accepted in domain dom. */
uint64_t replay_accepted_clock(struct replay_tables *t, unsigned dom);
/* Refuse every SN of domain dom whose clock part is <= clock (raises the
 * floors of its tables; restart rule, replaystate.h). */
void replay_refuse_up_to(struct replay_tables *t, unsigned dom, uint64_t clock);
/* The highest restart floor of any domain (0: none). */
uint64_t replay_floor_clock(struct replay_tables *t);

#endif /* EESPD_REPLAYTAB_H */
