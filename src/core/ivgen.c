/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ivgen.c - strictly increasing 64-bit IVs handed out from persisted blocks.
 */
#include "ivgen.h"

uint64_t eesp_ivgen_start(uint64_t unix_seconds, uint64_t persisted_hwm)
{
	uint64_t clock = unix_seconds > UINT32_MAX ? UINT64_MAX : unix_seconds << 32;
	uint64_t s = clock > persisted_hwm ? clock : persisted_hwm;
	return s ? s : 1;
}

void eesp_ivgen_init(struct eesp_ivgen *g, uint64_t start)
{
	g->next = start ? start : 1;
	g->limit = g->next; /* nothing reserved yet */
}

uint64_t eesp_ivgen_reserve(struct eesp_ivgen *g)
{
	uint64_t base = g->limit > g->next ? g->limit : g->next;
	if (base > UINT64_MAX - EESP_IVGEN_BLOCK)
		g->limit = UINT64_MAX; /* the last IV, 2^64-1, is never handed out */
	else
		g->limit = base + EESP_IVGEN_BLOCK;
	return g->limit;
}

int eesp_ivgen_next(struct eesp_ivgen *g, uint64_t *iv)
{
	if (g->next == 0 || g->next >= g->limit || g->next == UINT64_MAX)
		return EESP_E_NOSPACE;
	*iv = g->next++;
	return EESP_E_OK;
}
