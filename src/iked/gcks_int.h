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
	bool own;	      /* we made the current generation (not the key set) */
	bool held;	      /* changed, not pushed: the state file is not written */
};

struct gcks_server {
	unsigned n;
	uint64_t serial; /* bumped at every ring change */
	bool unsaved;	 /* the state file lags behind the rings (gcks_state.c) */
	struct gcks_ring ring[GCKS_MAX_RINGS];
};

/* May the member peer receive this ring? */
bool gcks_entitled(const struct iked_peer *pe, const struct ike_gcks_ring *r);

/* ------------------------------------------------------- gcks_state.c */

/* Write the state (io->gcks_save) and push the rings held back until it
 * was written; 0, or -1 (the rings stay held, unsaved set). */
int gcks_state_flush(struct iked_engine *e);
/* The rings and removed members of a state file over the rings attached
 * from the key set (gcks_attach); 0 or -1 with err. */
int gcks_state_restore(struct iked_engine *e, const char *text, size_t len, const char *name,
		       char *err, size_t el);

#endif /* IKED_GCKS_INT_H */
