// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gcks_state.c - what the key server serves, kept across restarts
 * (gcks.state_file, eesp-iked.conf(5)): the rings' live generations with
 * their schedule and the removed members, written through io->gcks_save
 * after every change and before the change is pushed, so no restart can
 * serve a member something older than what it already holds, or serve a
 * removed member again.  The text is ike_gcks_state.h's; the file itself
 * is gcks_statefile.c's (the engine does no I/O).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "gcks_int.h"
#include "ike_gcks_state.h"
#include "log.h"
#include "names.h"
#include "secmem.h"

/* the text of a full state: header, rings of 3 generations, names */
#define RING_TEXT 512
#define NAME_TEXT (IKE_GCKS_STATE_NAME_MAX + 16)

static int64_t wall_now(struct iked_engine *e)
{
	return e->io.wall_ms ? e->io.wall_ms(e->io.arg) : now_ms(e);
}

/* a monotonic time as wall time and back (0 stays "none") */
static int64_t to_wall(int64_t t, int64_t mono, int64_t wall)
{
	int64_t w = t ? wall + (t - mono) : 0;
	return t && w <= 0 ? 1 : w;
}

static int64_t to_mono(int64_t w, int64_t mono, int64_t wall)
{
	int64_t t = w ? mono + (w - wall) : 0;
	return w && !t ? 1 : t;
}

static void ring_out(const struct gcks_ring *g, struct ike_gcks_state_ring *o, int64_t mono,
		     int64_t wall)
{
	o->r = g->r;
	o->step = (uint8_t)g->step;
	o->removal = g->removal;
	o->own = g->own;
	o->at = g->step != STEP_NONE ? to_wall(g->at_ms, mono, wall) : 0;
	o->switched = to_wall(g->switched_ms, mono, wall);
	for (int s = 0; s < 3; s++)
		o->born[s] = g->r.gen[s].present ? to_wall(g->born_ms[s], mono, wall) : 0;
}

static void removed_out(const struct iked_engine *e, struct ike_gcks_removed *rm)
{
	rm->n = 0;
	for (unsigned i = 0; i < e->conf->n_peers && rm->n < IKE_GCKS_STATE_MAX_REMOVED; i++)
		if (e->conf->peers[i].member.on && e->peers[i].gk.removed)
			snprintf(rm->name[rm->n++], IKE_GCKS_STATE_NAME_MAX, "%s",
				 e->conf->peers[i].name);
}

/* the state as text, through io->gcks_save; 0 or -1 */
static int save(struct iked_engine *e)
{
	const struct gcks_server *g = e->gcks;
	struct ike_gcks_state *st = eesp_secure_alloc(sizeof(*st), NULL);
	struct ike_gcks_removed *rm = calloc(1, sizeof(*rm));
	size_t cap = 512 + (size_t)g->n * RING_TEXT + (size_t)e->conf->n_peers * NAME_TEXT, len = 0;
	char *buf = st && rm ? eesp_secure_alloc(cap, NULL) : NULL;
	int64_t mono = now_ms(e), wall = wall_now(e);
	int rc = -1;
	if (buf) {
		st->domain = e->conf->gcks.domain;
		st->serial = g->serial;
		st->written = wall;
		for (unsigned i = 0; i < g->n && st->n < IKE_GCKS_STATE_MAX_RINGS; i++)
			if (g->ring[i].r.gen[EESP_GEN_CURRENT].present)
				ring_out(&g->ring[i], &st->ring[st->n++], mono, wall);
		removed_out(e, rm);
		len = ike_gcks_state_format(st, rm, buf, cap);
		rc = len ? e->io.gcks_save(e->io.arg, buf, len) : -1;
	}
	if (buf)
		eesp_secure_free(buf, cap);
	if (st)
		eesp_secure_free(st, sizeof(*st));
	free(rm);
	return rc;
}

int gcks_state_flush(struct iked_engine *e)
{
	struct gcks_server *g = e->gcks;
	if (!g)
		return 0;
	if (e->io.gcks_save && save(e)) {
		if (!g->unsaved)
			log_err("key server: cannot write the state file %s: changed rings are not "
				"pushed and registrations are refused until it is written",
				e->conf->gcks.state_path);
		g->unsaved = true;
		return -1;
	}
	if (g->unsaved)
		log_info("key server: state file %s written again", e->conf->gcks.state_path);
	g->unsaved = false;
	for (unsigned i = 0; i < g->n; i++)
		if (g->ring[i].held) {
			g->ring[i].held = false;
			gcks_ring_changed(e, i);
		}
	return 0;
}

static struct gcks_ring *ring_slot(struct gcks_server *g, uint8_t level, uint32_t id)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->ring[i].r.level == level && g->ring[i].r.id == id)
			return &g->ring[i];
	return g->n < GCKS_MAX_RINGS ? &g->ring[g->n++] : NULL;
}

static void ring_in(struct gcks_ring *g, const struct ike_gcks_state_ring *o, int64_t mono,
		    int64_t wall)
{
	memset(g, 0, sizeof(*g));
	g->r = o->r;
	g->step = (enum gcks_step)o->step;
	g->removal = o->removal;
	g->own = o->own;
	/* a switch waited for answers of members registered before the
	 * restart: none is registered now, so it may go at once */
	g->at_ms = g->step != STEP_NONE ? to_mono(o->at, mono, wall) : 0;
	g->switched_ms = to_mono(o->switched, mono, wall);
	for (int s = 0; s < 3; s++)
		g->born_ms[s] = g->r.gen[s].present ? to_mono(o->born[s], mono, wall) : 0;
}

/* removed members that are still members stay refused; the others are
 * dropped (the operator took them out of the configuration) */
static void removed_in(struct iked_engine *e, const struct ike_gcks_removed *rm, const char *name)
{
	for (unsigned i = 0; i < rm->n; i++) {
		const struct iked_peer *p = iked_conf_peer_by_name(e->conf, rm->name[i]);
		if (!p || !p->member.on) {
			log_info("key server: %s: %s was removed and is no member any more: "
				 "forgotten",
				 name, rm->name[i]);
			continue;
		}
		e->peers[p - e->conf->peers].gk.removed = true;
		log_info("key server: %s: member %s stays removed (refused)", name, rm->name[i]);
	}
}

int gcks_state_restore(struct iked_engine *e, const char *text, size_t len, const char *name,
		       char *err, size_t el)
{
	struct ike_gcks_state *st = eesp_secure_alloc(sizeof(*st), NULL);
	struct ike_gcks_removed *rm = calloc(1, sizeof(*rm));
	int64_t mono = now_ms(e), wall = wall_now(e);
	int rc = -1;
	if (!st || !rm)
		snprintf(err, el, "%s: out of memory", name);
	else if (!ike_gcks_state_parse(text, len, name, st, rm, err, el)) {
		if (st->domain != e->conf->gcks.domain)
			snprintf(err, el,
				 "%s: the state of domain 0x%08" PRIx32
				 ", gcks.domain is 0x%08" PRIx32,
				 name, st->domain, e->conf->gcks.domain);
		else
			rc = 0;
	}
	for (unsigned i = 0; rc == 0 && i < st->n; i++) {
		struct gcks_ring *g = ring_slot(e->gcks, st->ring[i].r.level, st->ring[i].r.id);
		if (g)
			ring_in(g, &st->ring[i], mono, wall);
	}
	if (rc == 0) {
		if (st->serial > e->gcks->serial)
			e->gcks->serial = st->serial;
		removed_in(e, rm, name);
		log_info("key server: %u ring(s) and %u removed member(s) from %s", st->n, rm->n,
			 name);
	}
	if (st)
		eesp_secure_free(st, sizeof(*st));
	free(rm);
	return rc;
}

int gcks_start(struct iked_engine *e, const struct eesp_keyset *ks, const char *state, size_t len,
	       char *err, size_t el)
{
	const char *name = e->conf->gcks.state_path;
	if (gcks_attach(e, ks, err, el))
		return -1;
	/* the state first, then the key set over it: a ring the key set
	 * rotated beyond ours (the operator's newer file) wins, a ring we
	 * rotated or rekeyed for a removal stays ours */
	if (len && (gcks_state_restore(e, state, len, name, err, el) < 0 ||
		    gcks_reload(e, ks, err, el) < 0)) {
		gcks_free(e);
		return -1;
	}
	if (gcks_state_flush(e)) {
		snprintf(err, el, "%s: cannot be written (gcks.state_file)", name);
		gcks_free(e);
		return -1;
	}
	return 0;
}
