// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyops.c - reload, rotate and retire: the next snapshot, published
 * (keyops.h).  All run in the main thread (control verbs, SIGHUP).
 */
#include "keyops.h"

#include <stdio.h>
#include <time.h>

#include "confenv.h"
#include "log.h"
#include "names.h"
#include "publish.h"
#include "replaytab.h"
#include "saverbs.h"

int keyops_reload(struct eespd *e, char *err, size_t err_len)
{
	struct eespd_conf next;
	struct snap *s = NULL;
	char names[512];

	if (eespd_conf_load(e->conf.path, &next, &s, err, err_len)) {
		log_err("reload failed, keeping the running configuration: %s", err);
		return -1;
	}
	if (next.mode != e->conf.mode) {
		snprintf(err, err_len, "%s: mode changed: restart eespd to apply", e->conf.path);
		snap_free(s);
		return -1;
	}
	/* settings bound to open devices, sockets and threads: the running
	 * ones stay, whatever the file says now */
	if (conf_restart_diff(&e->conf, &next, names, sizeof(names)))
		log_warn("reload: daemon settings (%s) need a restart; keeping the running ones",
			 names);
	if (!e->verbose)
		log_set_level(s->log_level);
	if (replay_sync(e->replay, s, (uint64_t)time(NULL), err, err_len)) {
		snap_free(s);
		return -1;
	}
	/* runtime SAs survive for the peers that are still there */
	if (saverbs_on_reload(e, s, err, err_len)) {
		log_err("%s", err);
		snap_free(s);
		return -1;
	}
	eespd_publish(e, s);
	log_info("configuration reloaded (serial %llu, %u peers)", (unsigned long long)s->serial,
		 s->n_peers);
	return 0;
}

int keyops_rotate(struct eespd *e, int level, uint32_t id, bool retire, char *err, size_t err_len)
{
	const char *verb = retire ? "retire" : "rotate";
	const char *lname = eesp_name_of(eesp_level_names, (unsigned)level);
	const struct snap *cur = atomic_load(&e->snap);
	if (e->conf.mode != EESP_MODE_EESP || !cur->dom[0].keys) {
		snprintf(err, err_len, "%s: eesp mode only", verb);
		return -1;
	}
	struct snap *n = snap_clone(cur);
	struct eesp_ring *ring =
	    n ? (struct eesp_ring *)eesp_keyset_ring(n->dom[0].keys, (enum eesp_level)level, id)
	      : NULL;
	if (!ring) {
		snprintf(err, err_len, "no key ring %s %u", lname, id);
		snap_free(n);
		return -1;
	}
	if (!retire) {
		int rc = eesp_ring_rotate(ring);
		if (rc) {
			snprintf(err, err_len, "rotate %s %u: %s (is there a next generation?)",
				 lname, id, eesp_err_name(rc));
			snap_free(n);
			return -1;
		}
	} else {
		eesp_ring_retire_previous(ring);
	}
	snap_finish_keys(n);
	eespd_publish(e, n);
	log_info("%s %s %u done (in memory; a reload re-reads the key file)", verb, lname, id);
	return 0;
}
