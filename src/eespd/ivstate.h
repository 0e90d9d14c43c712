/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ivstate.h - the persisted IV high-water marks: one file per worker
 * ("<interface>.<worker>.iv" in the state directory) and the persister
 * thread that writes them off the data path.
 *
 * A sender worker asks for its next mark ahead of need (ivstate_request):
 * once a second for the next second's IVs, and when half of its block is
 * used; it goes on below its current mark and moves past it only once
 * ivstate_persisted() covers the new one.  If the disk is slower than the
 * traffic, the worker waits (ivstate_wait, counted as iv_persist_wait).  So
 * an IV is never used before a persisted mark covers it (ivgen.h), and the
 * fsync latency is normally hidden.  The files are read and replaced
 * through the state directory's descriptor after the privilege drop, as the
 * daemon user (statefile.h): root never opens a path in it.
 */
#ifndef EESPD_IVSTATE_H
#define EESPD_IVSTATE_H

#include <stddef.h>
#include <stdint.h>

struct ivpersist;

/* A persister for state directory dirfd; delay_ms > 0 slows every write
 * down (a slow disk, for tests: EESPD_TEST_IV_DELAY_MS).  NULL if no memory. */
struct ivpersist *ivpersist_new(int dirfd, unsigned delay_ms);
void ivpersist_free(struct ivpersist *p);

/* Read worker's mark (0 if none yet) and take its slot.  0, or -1 with err
 * (a mark that cannot be read or trusted stops the start). */
int ivpersist_open(struct ivpersist *p, const char *ifname, unsigned worker, uint64_t *mark,
		   char *err, size_t err_len);

/* The persister thread: started before the workers, stopped after them. */
int ivpersist_start(struct ivpersist *p);
void ivpersist_stop(struct ivpersist *p);

/* Ask for a mark >= mark to be written (returns at once). */
void ivstate_request(struct ivpersist *p, unsigned worker, uint64_t mark);
/* The highest mark known to be on disk. */
uint64_t ivstate_persisted(struct ivpersist *p, unsigned worker);
/* Block until a mark >= mark is on disk; -1 if its write failed. */
int ivstate_wait(struct ivpersist *p, unsigned worker, uint64_t mark);

#endif /* EESPD_IVSTATE_H */
