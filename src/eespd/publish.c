// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * publish.c - swapping in a new snapshot and freeing the old one once no
 * worker can still be reading it (publish.h).
 */
#include "publish.h"

#include <time.h>
#include <unistd.h>

#include "keyage.h"
#include "log.h"
#include "peerstats.h"
#include "worker.h"

/* true when every worker has picked up snapshot serial (or a later one) */
static bool all_past(const struct eespd *e, uint64_t serial)
{
	for (unsigned i = 0; i < e->n_workers; i++)
		if (e->w[i] && worker_snap_serial(e->w[i]) < serial)
			return false;
	return true;
}

/* Free a replaced snapshot no worker uses; its peers' counts go on in the
 * running one. */
static void release(struct eespd *e, struct snap *old)
{
	peerstats_fold(atomic_load(&e->snap), old);
	snap_free(old);
}

static void retire(struct eespd *e, struct snap *old)
{
	if (e->n_retired == sizeof(e->retired) / sizeof(e->retired[0])) {
		/* a worker has been stuck for many publications: free the
		 * oldest only once it is past that one (never under it) */
		log_warn("eight replaced configuration snapshots are waiting for a worker");
		while (!all_past(e, e->retired[0]->serial + 1))
			usleep(5000);
		release(e, e->retired[0]);
		for (unsigned i = 1; i < e->n_retired; i++)
			e->retired[i - 1] = e->retired[i];
		e->n_retired--;
	}
	e->retired[e->n_retired++] = old;
}

void eespd_publish(struct eespd *e, struct snap *s)
{
	pthread_mutex_lock(&e->lock);
	s->serial = ++e->next_serial;
	peerstats_attach(s, e->conf.workers, atomic_load(&e->snap));
	struct snap *old = atomic_exchange(&e->snap, s);
	if (old)
		retire(e, old);
	pthread_mutex_unlock(&e->lock);
	keyage_note(e->keyage, s, time(NULL));
	/* workers look between batches; an idle one is woken (and looks at
	 * least every 200 ms anyway) */
	for (unsigned i = 0; i < e->n_workers; i++)
		worker_wake(e->w[i]);
	for (int i = 0; i < 400 && !all_past(e, s->serial); i++)
		usleep(5000);
	if (!all_past(e, s->serial))
		log_warn("a worker did not pick up configuration %llu within 2 s; the old "
			 "snapshot is freed once it has",
			 (unsigned long long)s->serial);
	eespd_reap(e);
}

void eespd_reap(struct eespd *e)
{
	pthread_mutex_lock(&e->lock);
	struct snap *cur = atomic_load(&e->snap);
	unsigned keep = 0;
	for (unsigned i = 0; i < e->n_retired; i++) {
		/* a retired snapshot is unused once every worker runs the current */
		if (all_past(e, cur->serial))
			release(e, e->retired[i]);
		else
			e->retired[keep++] = e->retired[i];
	}
	e->n_retired = keep;
	pthread_mutex_unlock(&e->lock);
}

void eespd_reap_all(struct eespd *e)
{
	for (unsigned i = 0; i < e->n_retired; i++)
		snap_free(e->retired[i]);
	e->n_retired = 0;
	snap_free(atomic_exchange(&e->snap, NULL));
}
