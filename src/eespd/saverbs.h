/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * saverbs.h - the sa-* control verbs (class sa; grammar in ctlproto.h,
 * replies in eespd(8) "Runtime SAs"): runtime SAs of configured peers for
 * eesp-iked, and the key serial that tells it when our master or root key
 * changed.
 *
 * Each verb that changes SAs builds a copy of the runtime SA table
 * (rtsa.h), lays it over a clone of the running snapshot and publishes
 * that; the reply leaves only once every worker runs with it (publish.h),
 * so traffic after an "ok" already uses the new SA.  A failure changes
 * nothing (an SPI allocated by a failed sa-rx-alloc stays used up).
 *
 * The key serial starts at 1 and grows by one whenever a new snapshot's
 * allocation keys differ from the last one seen: PSP master keys, the
 * spi_master and version; an EESP domain's root key ring and phase.  It is
 * computed lazily from the running snapshot (a SHA-256 over those keys,
 * kept instead of the keys), at most once per snapshot.
 */
#ifndef EESPD_SAVERBS_H
#define EESPD_SAVERBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctlproto.h"
#include "eespd.h"
#include "strbuf.h"

/* The handlers, one per verb: the reply body in b; 0, or -1 with err. */
int saverbs_rx_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el);
int saverbs_tx_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el);
int saverbs_set(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		size_t el);
int saverbs_release(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		    size_t el);
int saverbs_list(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		 size_t el);

/* sa-wait: the reply when the key serial differs from r->serial or now is
 * set (the wait is over); else nothing in b and *park set (the caller asks
 * again later, with now set at the deadline). */
int saverbs_wait(struct eespd *e, const struct eesp_ctl_req *r, bool now, bool *park,
		 struct strbuf *b, char *err, size_t el);

/* The key serial of the running snapshot. */
uint64_t saverbs_key_serial(struct eespd *e);

/* Reload: the runtime SAs laid over the new snapshot s before it is
 * published (those of peers s no longer has are dropped).  0, or -1 with
 * err (out of memory: the reload fails, the running state stays). */
int saverbs_on_reload(struct eespd *e, struct snap *s, char *err, size_t el);

/* At the stop: every runtime key wiped. */
void saverbs_free(struct eespd *e);

#endif /* EESPD_SAVERBS_H */
