/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ivgen.c - lane-partitioned, clock-following 64-bit IVs handed out below a
 * persisted mark; the layout and the rules are in ivgen.h.
 */
#include "ivgen.h"

#define LANE_SHIFT EESP_IVGEN_COUNT_BITS
#define LANE_MASK ((uint64_t)(EESP_IVGEN_LANES - 1) << LANE_SHIFT)

uint64_t eesp_ivgen_clock(uint64_t unix_s, unsigned lane)
{
	if (unix_s > UINT32_MAX)
		return UINT64_MAX;
	return unix_s << 32 | (uint64_t)(lane & (EESP_IVGEN_LANES - 1)) << LANE_SHIFT;
}

uint64_t eesp_ivgen_in_lane(uint64_t x, unsigned lane)
{
	uint64_t hi = x >> 32;
	unsigned l = eesp_ivgen_lane_of(x);

	lane &= EESP_IVGEN_LANES - 1;
	if (l == lane)
		return x;
	if (l < lane) /* later in the same second: the start of our lane */
		return hi << 32 | (uint64_t)lane << LANE_SHIFT;
	if (hi == UINT32_MAX)
		return UINT64_MAX;
	return (hi + 1) << 32 | (uint64_t)lane << LANE_SHIFT;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void eesp_ivgen_init(struct eesp_ivgen *g, unsigned lane, uint64_t block, uint64_t persisted_mark)
{
	g->lane = lane & (EESP_IVGEN_LANES - 1);
	g->block = block ? block : EESP_IVGEN_BLOCK;
	/* every IV used before the restart was below the last mark */
	g->next = persisted_mark ? persisted_mark : 1;
	g->limit = g->next; /* nothing reserved yet */
}

/* The IV next() would hand out at now_s (UINT64_MAX if none is left). */
static uint64_t candidate(const struct eesp_ivgen *g, uint64_t now_s)
{
	uint64_t clk = eesp_ivgen_clock(now_s, g->lane);
	uint64_t c = eesp_ivgen_in_lane(g->next > clk ? g->next : clk, g->lane);
	return c == 0 ? eesp_ivgen_in_lane(1, g->lane) : c;
}

int eesp_ivgen_next(struct eesp_ivgen *g, uint64_t now_s, uint64_t *iv)
{
	uint64_t c = candidate(g, now_s);
	if (c == UINT64_MAX || c >= g->limit)
		return EESP_E_NOSPACE;
	*iv = c;
	g->next = c + 1;
	return EESP_E_OK;
}

bool eesp_ivgen_wants_mark(const struct eesp_ivgen *g, uint64_t now_s)
{
	uint64_t c = candidate(g, now_s);
	if (c == UINT64_MAX)
		return false; /* nothing left to reserve */
	return c >= g->limit || g->limit - c <= g->block / 2 ||
	       g->limit <= eesp_ivgen_clock(now_s + 1, g->lane);
}

uint64_t eesp_ivgen_mark(const struct eesp_ivgen *g, uint64_t now_s)
{
	uint64_t c = candidate(g, now_s), nx = eesp_ivgen_clock(now_s + 1, g->lane);
	uint64_t m = sat_add(c > nx ? c : nx, g->block);
	return m > g->limit ? m : g->limit;
}

void eesp_ivgen_extend(struct eesp_ivgen *g, uint64_t mark)
{
	if (mark > g->limit)
		g->limit = mark;
}
