/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gcks_int.h - the server's rings, shared by gcks.c and gcks_exch.c.
 */
#ifndef IKED_GCKS_INT_H
#define IKED_GCKS_INT_H

#include "gcks.h"
#include "ike_gcks.h"
#include "keys.h"

#define GCKS_MAX_RINGS (1 + EESP_MAX_TENANTS + EESP_MAX_GROUPS)

enum gcks_step { STEP_NONE, STEP_SWITCH, STEP_RETIRE };
const char *gcks_step_name(enum gcks_step s);

struct gcks_ring {
	struct ike_gcks_ring r;
	enum gcks_step step;
	uint64_t wait_serial; /* STEP_SWITCH: once the members answered this push */
	int64_t at_ms;	      /* STEP_SWITCH: at the latest; STEP_RETIRE: then */
	bool removal;	      /* the step serves a removal (for the log) */
	int64_t born_ms[3];   /* by slot: when we first held the generation */
	int64_t switched_ms;  /* when the current one became current */
};

struct gcks_server {
	unsigned n;
	uint64_t serial; /* bumped at every ring change */
	struct gcks_ring ring[GCKS_MAX_RINGS];
};

/* May the member peer receive this ring? */
bool gcks_entitled(const struct iked_peer *pe, const struct ike_gcks_ring *r);

#endif /* IKED_GCKS_INT_H */
