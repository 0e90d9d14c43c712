/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h - the bodies of the read verbs (status, show, counters, keys),
 * as text or JSON, from the running daemon and a snapshot.
 */
#ifndef EESPD_STATUS_H
#define EESPD_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "eespd.h"
#include "strbuf.h"

/* Every counter summed over the workers (tot has CNT__COUNT entries). */
void status_sum_counters(const struct eespd *e, uint64_t *tot);
/* The one-line status (ends in a newline; JSON: one object). */
void status_line(struct strbuf *b, bool json, const struct eespd *e, const struct snap *s);
void status_show(struct strbuf *b, bool json, const struct eespd *e, const struct snap *s);
/* "counters":{...} and the proxy pairs (and per worker) inside a JSON
 * object being written, or "name value" lines. */
void status_counters(struct strbuf *b, bool json, const struct eespd *e, const struct snap *s,
		     const uint64_t *tot, bool per_worker);
/* The generations and fingerprints of every level ("keys":[...] in JSON). */
void status_keys(struct strbuf *b, bool json, const struct snap *s);

#endif /* EESPD_STATUS_H */
