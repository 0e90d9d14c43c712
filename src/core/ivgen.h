/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ivgen.h - per-sender-worker 64-bit IV (= EESP sequence number, PSP IV)
 * generator.
 *
 * Layout of an IV handed out by lane L (one lane per sender worker):
 *
 *    63            32 31     26 25             0
 *   +----------------+---------+----------------+
 *   |  unix seconds  | lane L  |    counter     |
 *   +----------------+---------+----------------+
 *
 * A lane only ever uses IVs whose bits 31..26 are L, so two workers of one
 * sender never produce the same IV, even under one key (a PSP SA is shared
 * by every worker that sends to that peer).  Within a lane the IVs strictly
 * increase: the next IV is the smallest value of the lane that is above the
 * previous one and at or above now << 32 | L << 26.  The clock term makes
 * the top 32 bits follow the sender's clock (a receiver can tell an SN from
 * the future or from before its restart), and a restart never goes back
 * while the clock does not.  2^26 IVs per lane per second are available
 * before a lane borrows from the next second.
 *
 * For a clock that was stepped back, the generator also keeps a persisted
 * high-water mark: an IV is handed out only below a mark that the caller
 * has made durable (eesp_ivgen_extend), and a restarted generator starts at
 * or above the last mark (eesp_ivgen_init).  The mark is asked for ahead of
 * need (eesp_ivgen_wants_mark / eesp_ivgen_mark): it always covers the start
 * of the next second plus a block of IVs, so the caller can persist it off
 * the data path once per second.  The core does no I/O: persisting is the
 * caller's job.
 *
 * 0 and 2^64-1 are never handed out.
 */
#ifndef EESP_IVGEN_H
#define EESP_IVGEN_H

#include <stdbool.h>

#include "eesp_proto.h"
#include "errors.h"

#define EESP_IVGEN_LANE_BITS 6
#define EESP_IVGEN_LANES (1u << EESP_IVGEN_LANE_BITS) /* sender workers per daemon */
#define EESP_IVGEN_COUNT_BITS 26		      /* IVs per lane per second */
#define EESP_IVGEN_BLOCK (1ull << 24)		      /* default reservation beyond a second */

struct eesp_ivgen {
	uint64_t next;	/* lowest value the next IV may take */
	uint64_t limit; /* first IV not covered by a persisted mark */
	uint64_t block; /* IVs reserved beyond the start of the next second */
	unsigned lane;
};

/* The first IV of lane at unix time unix_s (UINT64_MAX past 2106). */
uint64_t eesp_ivgen_clock(uint64_t unix_s, unsigned lane);

/* The smallest IV >= x that belongs to lane (UINT64_MAX if there is none). */
uint64_t eesp_ivgen_in_lane(uint64_t x, unsigned lane);

/* The lane an IV belongs to (bits 31..26). */
static inline unsigned eesp_ivgen_lane_of(uint64_t iv)
{
	return (unsigned)(iv >> EESP_IVGEN_COUNT_BITS) & (EESP_IVGEN_LANES - 1);
}

/*
 * Start a generator for lane (< EESP_IVGEN_LANES) after a (re)start:
 * persisted_mark is the last mark read back from disk (0 if none).  Nothing
 * is reserved yet: the first IV needs a mark (eesp_ivgen_mark) persisted
 * and handed to eesp_ivgen_extend.  block 0 means EESP_IVGEN_BLOCK.
 */
void eesp_ivgen_init(struct eesp_ivgen *g, unsigned lane, uint64_t block, uint64_t persisted_mark);

/* The IV for a packet sent at unix time now_s, or EESP_E_NOSPACE when the
 * reservation does not cover it (persist a new mark first) or the lane's
 * space is used up. */
int eesp_ivgen_next(struct eesp_ivgen *g, uint64_t now_s, uint64_t *iv);

/* Should a new mark be persisted now, ahead of need? (less than half a
 * block left, or the start of the next second is not covered) */
bool eesp_ivgen_wants_mark(const struct eesp_ivgen *g, uint64_t now_s);

/* The mark to persist: the start of the next second (or the next IV, if
 * later) plus one block.  Never below the current limit. */
uint64_t eesp_ivgen_mark(const struct eesp_ivgen *g, uint64_t now_s);

/* mark is durable: IVs below it may be handed out. */
void eesp_ivgen_extend(struct eesp_ivgen *g, uint64_t mark);

#endif /* EESP_IVGEN_H */
