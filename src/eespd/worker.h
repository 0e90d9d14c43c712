/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker.h - a worker thread: one io_uring driving one TUN queue, one UDP
 * receive socket and the shared send sockets; its own IV lane (Session ID
 * = index + 1), counters and key caches.
 */
#ifndef EESPD_WORKER_H
#define EESPD_WORKER_H

#include <stdbool.h>
#include <stdint.h>

struct eespd;
struct sockset;
struct worker;

/* A worker for queue idx of the TUN (tun_fd) and the sockets s; iv_mark
 * is its lane's persisted IV mark.  Its ring is created here, disabled and
 * restricted (main thread, before the seccomp filter).  NULL on failure. */
struct worker *worker_new(struct eespd *e, unsigned idx, int tun_fd, const struct sockset *s,
			  uint64_t iv_mark);
int worker_start(struct worker *w);
void worker_stop_join(struct worker *w);
/* Wake the worker from its wait (a new snapshot to pick up); any thread. */
void worker_wake(struct worker *w);
void worker_free(struct worker *w);

/* Counters of a worker (read with relaxed atomic loads; counters.h). */
const uint64_t *worker_counters(const struct worker *w);
/* Serial of the snapshot the worker runs with (its acknowledgement). */
uint64_t worker_snap_serial(const struct worker *w);
bool worker_uses_multishot(const struct worker *w);
/* Traffic per trust domain (index in the snapshot): inner packets and
 * bytes opened and handed to the TUN, sealed and sent (proxy traffic is
 * counted per domain pair below). */
enum {
	WORKER_DCNT_RX_PACKETS,
	WORKER_DCNT_RX_BYTES,
	WORKER_DCNT_TX_PACKETS,
	WORKER_DCNT_TX_BYTES,
	WORKER_DCNT__COUNT
};
uint64_t worker_domain_counter(const struct worker *w, unsigned dom, unsigned which);
/* Proxy counters per domain pair (from, to: domain indexes; bytes 0/1). */
uint64_t worker_proxy_counter(const struct worker *w, unsigned from, unsigned to, unsigned bytes);
void worker_set_seed(struct worker *w, uint32_t seed);
/* The thread gave up (io_uring or buffer ring setup failed). */
bool worker_failed(const struct worker *w);

#endif /* EESPD_WORKER_H */
