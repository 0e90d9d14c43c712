// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gcks.c - the domain key server's rings: loading, the rotation and
 * removal steps, their timers, the report (gcks.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "gcks_int.h"
#include "keydirload.h"
#include "keyload.h"
#include "log.h"
#include "names.h"
#include "secmem.h"

static const char *const step_names[] = {"none", "switch", "retire"};

const char *gcks_step_name(enum gcks_step s)
{
	return (unsigned)s < 3 ? step_names[s] : "?";
}

int gcks_load(const struct iked_conf *c, unsigned reader_uid, unsigned reader_gid,
	      struct eesp_keyset **out, char *err, size_t el)
{
	char version[KEYDIR_VERSION_MAX];
	int rc = c->gcks.key_is_dir
		     ? keydir_load(c->gcks.key_path, (uid_t)reader_uid, (gid_t)reader_gid, out,
				   version, err, el)
		     : keyload_file(c->gcks.key_path, (uid_t)reader_uid, out, err, el);
	if (rc)
		return -1;
	if ((*out)->has_domain_spi && (*out)->domain_spi != c->gcks.domain) {
		snprintf(err, el, "%s: root keys of domain 0x%08x, gcks.domain is 0x%08x",
			 c->gcks.key_path, (*out)->domain_spi, c->gcks.domain);
		eesp_keyset_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* the file's generations are as old as our reading of them: a file carries
 * no dates */
static void ring_from(struct gcks_ring *g, uint8_t level, const struct eesp_ring *r, int64_t now)
{
	memset(g, 0, sizeof(*g));
	g->switched_ms = now;
	g->r.level = level;
	g->r.id = r->id;
	for (int s = 0; s < 3; s++) {
		g->r.gen[s].present = r->gen[s].present;
		g->r.gen[s].generation = r->gen[s].generation;
		memcpy(g->r.gen[s].key, r->gen[s].key, IKE_GCKS_KEY_LEN);
		ike_gcks_fingerprint(g->r.gen[s].key, g->r.gen[s].fp);
		g->born_ms[s] = r->gen[s].present ? now : 0;
	}
}

int gcks_attach(struct iked_engine *e, const struct eesp_keyset *ks, char *err, size_t el)
{
	struct gcks_server *g = eesp_secure_alloc(sizeof(*g), NULL);
	if (!g) {
		snprintf(err, el, "gcks: out of locked memory");
		return -1;
	}
	memset(g, 0, sizeof(*g));
	if (ks->domain.gen[EESP_GEN_CURRENT].present)
		ring_from(&g->ring[g->n++], EESP_LEVEL_DOMAIN, &ks->domain, now_ms(e));
	for (unsigned i = 0; i < ks->n_tenants; i++)
		if (ks->tenant[i].gen[EESP_GEN_CURRENT].present)
			ring_from(&g->ring[g->n++], EESP_LEVEL_TENANT, &ks->tenant[i], now_ms(e));
	for (unsigned i = 0; i < ks->n_groups; i++)
		if (ks->group[i].gen[EESP_GEN_CURRENT].present)
			ring_from(&g->ring[g->n++], EESP_LEVEL_GROUP, &ks->group[i], now_ms(e));
	if (!g->n) {
		snprintf(err, el, "%s: no root key with a current generation",
			 e->conf->gcks.key_path);
		eesp_secure_free(g, sizeof(*g));
		return -1;
	}
	g->serial = 1;
	e->gcks = g;
	log_info("key server for domain 0x%08x: %u ring(s) from %s", e->conf->gcks.domain, g->n,
		 e->conf->gcks.key_path);
	return 0;
}

static bool same_gens(const struct ike_gcks_ring *a, const struct ike_gcks_ring *b)
{
	for (int s = 0; s < 3; s++)
		if (a->gen[s].present != b->gen[s].present ||
		    (a->gen[s].present && (a->gen[s].generation != b->gen[s].generation ||
					   memcmp(a->gen[s].key, b->gen[s].key, IKE_GCKS_KEY_LEN))))
			return false;
	return true;
}

/* the birth of each generation of n that g already held, kept */
static void keep_births(struct gcks_ring *n, const struct gcks_ring *g)
{
	for (int s = 0; s < 3; s++)
		for (int o = 0; n->r.gen[s].present && o < 3; o++)
			if (g->r.gen[o].present &&
			    g->r.gen[o].generation == n->r.gen[s].generation &&
			    !memcmp(g->r.gen[o].key, n->r.gen[s].key, IKE_GCKS_KEY_LEN))
				n->born_ms[s] = g->born_ms[o];
	if (g->r.gen[EESP_GEN_CURRENT].present && n->r.gen[EESP_GEN_CURRENT].present &&
	    g->r.gen[EESP_GEN_CURRENT].generation == n->r.gen[EESP_GEN_CURRENT].generation)
		n->switched_ms = g->switched_ms;
}

static void changed(struct iked_engine *e, struct gcks_ring *g, const char *what);
static struct gcks_ring *find_ring(struct gcks_server *g, int level, uint32_t id);
static const char *ring_name(const struct gcks_ring *g, char *buf, size_t cap);

/* one ring of the new set into ours; true if it changed */
static bool reload_ring(struct iked_engine *e, struct gcks_ring *n)
{
	struct gcks_ring *g = find_ring(e->gcks, n->r.level, n->r.id);
	char rn[48];
	if (g && same_gens(&g->r, &n->r))
		return false;
	/* our own rotation is not undone by an older or equal key set: only
	 * an operator's newer file replaces it */
	if (g && g->own && g->r.gen[EESP_GEN_CURRENT].present &&
	    n->r.gen[EESP_GEN_CURRENT].generation <= g->r.gen[EESP_GEN_CURRENT].generation) {
		log_info("key server: %s: the key set's current generation %" PRIu32
			 " is not above ours (%" PRIu32 "): ours stays",
			 ring_name(g, rn, sizeof(rn)), n->r.gen[EESP_GEN_CURRENT].generation,
			 g->r.gen[EESP_GEN_CURRENT].generation);
		return false;
	}
	if (!g) {
		if (e->gcks->n >= GCKS_MAX_RINGS)
			return false;
		g = &e->gcks->ring[e->gcks->n++];
	} else {
		keep_births(n, g);
	}
	*g = *n;
	changed(e, g, "reloaded from the key set");
	return true;
}

int gcks_reload(struct iked_engine *e, const struct eesp_keyset *ks, char *err, size_t el)
{
	struct gcks_ring *n = eesp_secure_alloc(sizeof(*n), NULL);
	int changes = 0;
	if (!e->gcks || !n) {
		snprintf(err, el, "%s", n ? "not a key server (no gcks group)" : "out of memory");
		eesp_secure_free(n, sizeof(*n));
		return -1;
	}
	bool seen[GCKS_MAX_RINGS] = {false};
	const struct eesp_ring *all[GCKS_MAX_RINGS];
	uint8_t lv[GCKS_MAX_RINGS];
	unsigned k = 0;
	all[k] = &ks->domain, lv[k++] = EESP_LEVEL_DOMAIN;
	for (unsigned i = 0; i < ks->n_tenants; i++)
		all[k] = &ks->tenant[i], lv[k++] = EESP_LEVEL_TENANT;
	for (unsigned i = 0; i < ks->n_groups; i++)
		all[k] = &ks->group[i], lv[k++] = EESP_LEVEL_GROUP;
	for (unsigned i = 0; i < k; i++) {
		if (!all[i]->gen[EESP_GEN_CURRENT].present)
			continue;
		ring_from(n, lv[i], all[i], now_ms(e));
		changes += reload_ring(e, n);
		struct gcks_ring *g = find_ring(e->gcks, lv[i], all[i]->id);
		if (g)
			seen[g - e->gcks->ring] = true;
	}
	for (unsigned i = 0; i < e->gcks->n; i++) {
		struct gcks_ring *g = &e->gcks->ring[i];
		if (seen[i] || !g->r.gen[EESP_GEN_CURRENT].present)
			continue;
		log_warn("key server: ring %s %u is not in the key set any more: served no more",
			 eesp_name_of(eesp_level_names, g->r.level), g->r.id);
		eesp_wipe(g->r.gen, sizeof(g->r.gen));
		g->step = STEP_NONE;
		changes++;
	}
	if (changes)
		gcks_state_flush(e);
	eesp_secure_free(n, sizeof(*n));
	log_info("key server: key set read again: %d ring(s) changed", changes);
	return changes;
}

void gcks_free(struct iked_engine *e)
{
	if (e->gcks)
		eesp_secure_free(e->gcks, sizeof(*e->gcks));
	e->gcks = NULL;
}

bool gcks_entitled(const struct iked_peer *pe, const struct ike_gcks_ring *r)
{
	const struct iked_gcks_member *m = &pe->member;
	if (!m->on)
		return false;
	if (r->level == EESP_LEVEL_DOMAIN)
		return m->domain;
	const uint32_t *ids = r->level == EESP_LEVEL_TENANT ? m->tenants : m->groups;
	unsigned n = r->level == EESP_LEVEL_TENANT ? m->n_tenants : m->n_groups;
	for (unsigned i = 0; i < n; i++)
		if (ids[i] == r->id)
			return true;
	return false;
}

static struct gcks_ring *find_ring(struct gcks_server *g, int level, uint32_t id)
{
	for (unsigned i = 0; i < g->n; i++)
		if (g->ring[i].r.level == level && g->ring[i].r.id == id)
			return &g->ring[i];
	return NULL;
}

static const char *ring_name(const struct gcks_ring *g, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s %u", eesp_name_of(eesp_level_names, g->r.level), g->r.id);
	return buf;
}

/* a fresh random key for slot s with generation gen; 0 or -1 */
static int fresh(struct iked_engine *e, struct ike_gcks_gen *s, uint32_t gen)
{
	if (e->io.random(e->io.arg, s->key, IKE_GCKS_KEY_LEN))
		return -1;
	s->present = true;
	s->generation = gen;
	return ike_gcks_fingerprint(s->key, s->fp) ? -1 : 0;
}

/* the ring changed: a new serial, pushed to its members */
static void changed(struct iked_engine *e, struct gcks_ring *g, const char *what)
{
	char rn[48], fp[17];
	const struct ike_gcks_gen *c = &g->r.gen[EESP_GEN_CURRENT];
	e->gcks->serial++;
	cnt(e, CNT_GSA_ROTATIONS);
	for (int i = 0; i < IKE_GCKS_FP_LEN; i++)
		snprintf(fp + 2 * i, 3, "%02x", c->fp[i]);
	log_info("key server: %s %s: current %" PRIu32 " (%s)%s, serial %" PRIu64,
		 ring_name(g, rn, sizeof(rn)), what, c->generation, fp,
		 g->r.gen[EESP_GEN_NEXT].present ? ", next ahead" : "", e->gcks->serial);
	/* written before it is pushed: a restart never serves less than what
	 * a member already holds */
	g->held = true;
	gcks_state_flush(e);
}

/* a new next (replacing one that some removed member knows) */
static int new_next(struct iked_engine *e, struct gcks_ring *g, bool removal)
{
	struct ike_gcks_gen *n = &g->r.gen[EESP_GEN_NEXT];
	uint32_t cur = g->r.gen[EESP_GEN_CURRENT].generation;
	/* a replaced next is skipped: its number stays with the key it named */
	uint32_t gen = n->present ? n->generation + 1 : cur + 1;
	if (gen < cur || gen - cur > 2 || gen == UINT32_MAX) {
		return -1; /* generations never wrap (keys.h) */
	}
	if (g->r.gen[EESP_GEN_PREVIOUS].present && gen - g->r.gen[EESP_GEN_PREVIOUS].generation > 3)
		g->r.gen[EESP_GEN_PREVIOUS].present = false; /* within three: phases */
	if (fresh(e, n, gen))
		return -1;
	g->born_ms[EESP_GEN_NEXT] = now_ms(e);
	g->own = true;
	g->step = STEP_SWITCH;
	g->removal = removal;
	changed(e, g, removal ? "new next (removal)" : "new next");
	g->wait_serial = e->gcks->serial;
	g->at_ms = now_ms(e) + e->conf->gcks.ack_timeout;
	return 0;
}

/* next -> current -> previous, a fresh next; previous retired later */
static int do_switch(struct iked_engine *e, struct gcks_ring *g)
{
	struct ike_gcks_gen *s = g->r.gen;
	if (!s[EESP_GEN_NEXT].present)
		return -1;
	s[EESP_GEN_PREVIOUS] = s[EESP_GEN_CURRENT];
	s[EESP_GEN_CURRENT] = s[EESP_GEN_NEXT];
	memset(&s[EESP_GEN_NEXT], 0, sizeof(s[EESP_GEN_NEXT]));
	g->born_ms[EESP_GEN_PREVIOUS] = g->born_ms[EESP_GEN_CURRENT];
	g->born_ms[EESP_GEN_CURRENT] = g->born_ms[EESP_GEN_NEXT];
	g->born_ms[EESP_GEN_NEXT] = now_ms(e);
	g->switched_ms = now_ms(e);
	g->own = true; /* the key set's next is ours now: not undone by it */
	if (s[EESP_GEN_CURRENT].generation - s[EESP_GEN_PREVIOUS].generation < 3 &&
	    s[EESP_GEN_CURRENT].generation < UINT32_MAX - 1 &&
	    fresh(e, &s[EESP_GEN_NEXT], s[EESP_GEN_CURRENT].generation + 1))
		return -1;
	g->step = STEP_RETIRE;
	g->at_ms = now_ms(e) + (int64_t)e->conf->gcks.grace * 1000;
	changed(e, g, "switched");
	return 0;
}

static void do_retire(struct iked_engine *e, struct gcks_ring *g)
{
	g->step = STEP_NONE;
	g->removal = false;
	if (!g->r.gen[EESP_GEN_PREVIOUS].present)
		return;
	eesp_wipe(&g->r.gen[EESP_GEN_PREVIOUS], sizeof(g->r.gen[EESP_GEN_PREVIOUS]));
	g->born_ms[EESP_GEN_PREVIOUS] = 0;
	changed(e, g, "previous retired");
}

int gcks_rotate(struct iked_engine *e, int level, uint32_t id, char *err, size_t el)
{
	struct gcks_ring *g = e->gcks ? find_ring(e->gcks, level, id) : NULL;
	char rn[48];
	if (!g) {
		snprintf(err, el, e->gcks ? "no ring %s %u" : "not a key server (no gcks group)",
			 eesp_name_of(eesp_level_names, (unsigned)level), id);
		return -1;
	}
	if (g->step == STEP_SWITCH) {
		snprintf(err, el, "%s: a rotation is under way (switch pending)",
			 ring_name(g, rn, sizeof(rn)));
		return -1;
	}
	/* a retire still pending is done first: at most three generations */
	if (g->step == STEP_RETIRE)
		do_retire(e, g);
	int rc = g->r.gen[EESP_GEN_NEXT].present ? do_switch(e, g) : new_next(e, g, false);
	if (rc)
		snprintf(err, el, "%s: cannot rotate (generations exhausted or no random)",
			 ring_name(g, rn, sizeof(rn)));
	return rc;
}

int gcks_remove(struct iked_engine *e, const char *peer, char *err, size_t el)
{
	const struct iked_peer *p = iked_conf_peer_by_name(e->conf, peer);
	struct ike_sa *sa;
	char rn[48];
	if (!e->gcks || !p || !p->member.on) {
		snprintf(err, el, "%s",
			 !e->gcks ? "not a key server (no gcks group)"
			 : !p	  ? "no such peer"
				  : "the peer is no member (no member group)");
		return -1;
	}
	struct peer_state *ps = &e->peers[p - e->conf->peers];
	if (ps->gk.removed) {
		snprintf(err, el, "%s was removed already", peer);
		return -1;
	}
	ps->gk.removed = true;
	ps->gk.registered = false;
	cnt(e, CNT_GSA_REMOVED);
	log_info("key server: member %s removed: its rings get new generations; it stays refused "
		 "(%s) until its member group leaves the configuration",
		 peer, e->conf->gcks.state_path);
	if (gcks_state_flush(e))
		log_err("key server: the removal of %s is not written yet: a restart now would "
			"forget it",
			peer);
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));)
		if (sa->peer == p && (sa->state == SA_ESTABLISHED || sa->state == SA_REKEYED)) {
			sa->want = WANT_DELETE;
			sa_kick(e, sa);
		}
	for (unsigned i = 0; i < e->gcks->n; i++) {
		struct gcks_ring *g = &e->gcks->ring[i];
		if (!gcks_entitled(p, &g->r))
			continue;
		if (g->step == STEP_RETIRE)
			do_retire(e, g);
		/* a switch still waiting for answers happens now: its next may
		 * be known to the removed member, so it cannot be the new one */
		if (g->step == STEP_SWITCH && do_switch(e, g) == 0)
			do_retire(e, g);
		if (new_next(e, g, true))
			log_err("key server: %s: no new generation for the removal",
				ring_name(g, rn, sizeof(rn)));
	}
	return 0;
}

static int64_t min_due(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* the ring's own schedule: its next switch (period), 0 for none */
static int64_t switch_due(const struct iked_engine *e, const struct gcks_ring *g)
{
	uint32_t per = e->conf->gcks.period[g->r.level];
	return per && g->r.gen[EESP_GEN_CURRENT].present ? g->switched_ms + (int64_t)per * 1000 : 0;
}

/* when the oldest live generation reaches its lifetime, 0 for never */
static int64_t expiry_due(const struct iked_engine *e, const struct gcks_ring *g)
{
	uint32_t life = e->conf->gcks.lifetime[g->r.level];
	int64_t due = 0;
	for (int s = 0; life && s < 3; s++)
		if (g->r.gen[s].present)
			due = min_due(due, g->born_ms[s] + (int64_t)life * 1000);
	return due;
}

int64_t gcks_due_ms(const struct iked_engine *e)
{
	int64_t next = 0;
	if (!e->gcks)
		return 0;
	if (e->gcks->unsaved) /* the state file is tried again every second */
		next = now_ms((struct iked_engine *)e) + 1000;
	for (unsigned i = 0; i < e->gcks->n; i++) {
		const struct gcks_ring *g = &e->gcks->ring[i];
		if (g->step != STEP_NONE)
			next = min_due(next, g->at_ms);
		else
			next = min_due(next, switch_due(e, g));
		next = min_due(next, expiry_due(e, g));
	}
	return next;
}

/* a generation past its lifetime is served no more: a current one is
 * replaced by next (if any) at once, the others dropped */
static void expire(struct iked_engine *e, struct gcks_ring *g, int64_t t)
{
	uint32_t life = e->conf->gcks.lifetime[g->r.level];
	char rn[48];
	for (int s = 0; life && s < 3; s++) {
		if (!g->r.gen[s].present || t < g->born_ms[s] + (int64_t)life * 1000)
			continue;
		log_warn("key server: %s: generation %" PRIu32 " reached its lifetime (%u s)",
			 ring_name(g, rn, sizeof(rn)), g->r.gen[s].generation, life);
		if (s == EESP_GEN_CURRENT && g->r.gen[EESP_GEN_NEXT].present &&
		    do_switch(e, g) == 0) {
			do_retire(e, g);
			return;
		}
		eesp_wipe(&g->r.gen[s], sizeof(g->r.gen[s]));
		g->born_ms[s] = 0;
		if (s == EESP_GEN_CURRENT)
			log_err("key server: %s: no generation left to serve (no next); the "
				"members keep what they hold until a rotation",
				ring_name(g, rn, sizeof(rn)));
		changed(e, g, "expired");
		return;
	}
}

void gcks_timers(struct iked_engine *e)
{
	int64_t t = now_ms(e);
	char rn[48];
	if (e->gcks && e->gcks->unsaved)
		gcks_state_flush(e);
	for (unsigned i = 0; e->gcks && i < e->gcks->n; i++) {
		struct gcks_ring *g = &e->gcks->ring[i];
		if (g->step == STEP_SWITCH &&
		    (t >= g->at_ms || gcks_ring_acked(e, i, g->wait_serial))) {
			if (t >= g->at_ms)
				log_warn("key server: %s: not every member answered within %u ms; "
					 "switching",
					 ring_name(g, rn, sizeof(rn)), e->conf->gcks.ack_timeout);
			if (do_switch(e, g))
				log_err("key server: %s: switch failed",
					ring_name(g, rn, sizeof(rn)));
		} else if (g->step == STEP_RETIRE && t >= g->at_ms) {
			do_retire(e, g);
		} else if (g->step == STEP_NONE && switch_due(e, g) && t >= switch_due(e, g)) {
			int rc = g->r.gen[EESP_GEN_NEXT].present ? do_switch(e, g)
								 : new_next(e, g, false);
			if (rc)
				log_err("key server: %s: scheduled rotation failed",
					ring_name(g, rn, sizeof(rn)));
		}
		if (expiry_due(e, g) && t >= expiry_due(e, g))
			expire(e, g, t);
	}
}

static void report_gen(struct strbuf *b, bool json, const char *slot, const struct ike_gcks_gen *s,
		       bool *first)
{
	if (!s->present)
		return;
	if (json) {
		strbuf_printf(b, "%s{\"slot\":\"%s\",\"generation\":%" PRIu32 ",\"fingerprint\":\"",
			      *first ? "" : ",", slot, s->generation);
		strbuf_hex(b, s->fp, IKE_GCKS_FP_LEN);
		strbuf_printf(b, "\"}");
	} else {
		strbuf_printf(b, " %s %" PRIu32 " ", slot, s->generation);
		strbuf_hex(b, s->fp, IKE_GCKS_FP_LEN);
	}
	*first = false;
}

void gcks_report(struct iked_engine *e, struct strbuf *b, bool json)
{
	static const char *const slots[3] = {"previous", "current", "next"};
	const struct gcks_server *g = e->gcks;
	if (json)
		strbuf_printf(b, "{\"key_server\":%s,\"serial\":%" PRIu64 ",\"rings\":[",
			      g ? "true" : "false", g ? g->serial : 0);
	else if (g)
		strbuf_printf(b, "key server domain 0x%08x serial %" PRIu64 "\n",
			      e->conf->gcks.domain, g->serial);
	for (unsigned i = 0; g && i < g->n; i++) {
		const struct gcks_ring *r = &g->ring[i];
		const char *lv = eesp_name_of(eesp_level_names, r->r.level);
		bool first = true;
		/* the current generation's age, and when the next step is due
		 * (-1: none scheduled) */
		int64_t t = now_ms(e), at = r->step != STEP_NONE ? r->at_ms : switch_due(e, r);
		long age = (long)((t - r->switched_ms) / 1000);
		long in = at ? (long)((at > t ? at - t : 0) / 1000) : -1;
		if (json)
			strbuf_printf(b,
				      "%s{\"level\":\"%s\",\"id\":%u,\"step\":\"%s\",\"age\":%ld,"
				      "\"next_step_in\":%ld,\"gens\":[",
				      i ? "," : "", lv, r->r.id, gcks_step_name(r->step), age, in);
		else
			strbuf_printf(b, "ring %s %u step %s", lv, r->r.id,
				      gcks_step_name(r->step));
		for (int s = 0; s < 3; s++)
			report_gen(b, json, slots[s], &r->r.gen[s], &first);
		if (json)
			strbuf_printf(b, "]}");
		else
			strbuf_printf(b, " age %ld next_step_in %ld\n", age, in);
	}
	if (json)
		strbuf_printf(b, "],\"peers\":[");
	for (unsigned i = 0, k = 0; i < e->conf->n_peers; i++) {
		const struct iked_peer *pe = &e->conf->peers[i];
		const struct gcks_peer *gp = &e->peers[i].gk;
		if (!pe->member.on && !pe->key_server.on)
			continue;
		const char *role = pe->member.on ? "member" : "key_server";
		const char *st = pe->member.on ? (gp->removed	   ? "removed"
						  : gp->registered ? "registered"
								   : "not-registered")
					       : (gp->joined ? "joined" : "not-joined");
		if (json)
			strbuf_printf(b,
				      "%s{\"peer\":\"%s\",\"role\":\"%s\",\"state\":\"%s\","
				      "\"acked\":%" PRIu64 ",\"applied\":%" PRIu64 "}",
				      k++ ? "," : "", pe->name, role, st, gp->acked, gp->applied);
		else
			strbuf_printf(b, "peer %s %s %s acked %" PRIu64 " applied %" PRIu64 "\n",
				      pe->name, role, st, gp->acked, gp->applied);
	}
	if (json)
		strbuf_printf(b, "]}\n");
}
