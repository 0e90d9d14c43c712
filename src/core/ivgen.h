/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ivgen.h - per-sender 64-bit IV (= EESP sequence number, PSP IV) generator.
 *
 * Strictly increasing, never 0, never repeated for a key, also across a
 * restart.  The start value is max(unix_seconds << 32, persisted high-water
 * mark): the clock part means a restart never goes back even with no state
 * (a sender would need to average 2^32 packets per second since its last
 * start to catch up with the clock), the persisted mark covers a clock that
 * was stepped back.  The generator hands out IVs from a reserved block; when
 * the block is used up, eesp_ivgen_next() fails with EESP_E_NOSPACE and the
 * caller persists a new high-water mark (eesp_ivgen_reserve) before going
 * on.  The core does no I/O: persisting is the caller's job.
 */
#ifndef EESP_IVGEN_H
#define EESP_IVGEN_H

#include "eesp_proto.h"
#include "errors.h"

#define EESP_IVGEN_BLOCK (1ull << 24) /* IVs reserved per persisted mark */

struct eesp_ivgen {
	uint64_t next;        /* next IV to hand out */
	uint64_t limit;       /* first IV not reserved */
};

/* Start value for a sender: max(unix_seconds << 32, persisted_hwm), at least 1. */
uint64_t eesp_ivgen_start(uint64_t unix_seconds, uint64_t persisted_hwm);

/* Initialise at start with no reservation (the first next() asks for one). */
void eesp_ivgen_init(struct eesp_ivgen *g, uint64_t start);

/* Reserve the next block; returns the high-water mark the caller must
 * persist before using it (IVs below it may then be handed out). */
uint64_t eesp_ivgen_reserve(struct eesp_ivgen *g);

/* Next IV, or EESP_E_NOSPACE when the reservation is used up (or at 2^64-1). */
int eesp_ivgen_next(struct eesp_ivgen *g, uint64_t *iv);

#endif /* EESP_IVGEN_H */
