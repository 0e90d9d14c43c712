/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * publish.h - a snapshot's life after it is built: published (workers pick
 * it up between batches), the old one freed once every worker has moved
 * past it.
 */
#ifndef EESPD_PUBLISH_H
#define EESPD_PUBLISH_H

#include "eespd.h"

/*
 * Make s (the caller's, now eespd's) the running snapshot: give it the next
 * serial, swap it in, and wait (bounded, 2 s) until every worker runs with
 * it, so that traffic after the call sees it; the old snapshot is freed
 * then, or later by eespd_reap() if a worker was slow.  Call with e->lock
 * NOT held.
 */
void eespd_publish(struct eespd *e, struct snap *s);

/* Free the replaced snapshots every worker has left (main loop, timer). */
void eespd_reap(struct eespd *e);

/* Free everything still retired (at the stop, workers gone). */
void eespd_reap_all(struct eespd *e);

#endif /* EESPD_PUBLISH_H */
