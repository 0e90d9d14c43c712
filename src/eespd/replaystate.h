/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * replaystate.h - what the replay tables must remember across a restart.
 *
 * The windows themselves live in memory (replaytab.c).  What a restarted
 * receiver needs is a floor: every SN it accepted before the restart must be
 * refused after it.  Sender SNs carry the sender's clock in their top 32
 * bits (ivgen.h), so one number per domain does it: the highest clock part
 * of an accepted SN, H.  It is saved once a second while the daemon runs
 * (state_dir/<interface>.replay, written as the daemon user through the
 * state directory's descriptor) and once more at a clean stop.  At start:
 *
 *   clean stop:    refuse every SN whose clock part is <= H
 *   crash:         refuse up to max(H, saved + 2): the packets accepted in
 *                  the last interval before the crash carry clock parts of
 *                  at most the crash time (from senders whose clocks are not
 *                  ahead of ours)
 *   always:        refuse up to now - clock_skew (a lost file, a first start)
 *
 * Senders keep going above the floor within a second (their clock moves
 * on); a sender whose clock is d seconds behind the one that set H waits
 * about d seconds.  The residual exposure is documented in eesp.7.
 */
#ifndef EESPD_REPLAYSTATE_H
#define EESPD_REPLAYSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct replay_tables;
struct snap;

/* After replay_sync() and the privilege drop, before the workers start:
 * raise the floors of s's replay domains in t from the saved state of
 * interface ifname.  A missing file is a first start; an unreadable or
 * malformed one is an error (never guess a floor).  0 or -1 with err. */
int replay_state_load(int dirfd, const char *ifname, const struct snap *s, struct replay_tables *t,
		      uint64_t now, char *err, size_t err_len);

/* Save the accepted clock of every replay domain (clean: at the stop). */
int replay_state_save(int dirfd, const char *ifname, const struct snap *s, struct replay_tables *t,
		      uint64_t now, bool clean);

#endif /* EESPD_REPLAYSTATE_H */
