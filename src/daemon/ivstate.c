// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ivstate.c - persisted IV high-water marks, one file per worker (Session
 * ID, IV lane) in state_dir: "<interface>.<worker>.iv", one decimal number.
 * The files are read and replaced through the state directory's descriptor
 * after the privilege drop, as the daemon user that owns the directory
 * (statefile.h): root never opens a path in it.  A new mark replaces the old
 * file (write-new + fsync + rename) and is on disk before any IV below it
 * is used (see ivgen.h).
 *
 * The writes happen off the data path, in one persister thread: a sender
 * worker asks for the next mark (ivstate_request) ahead of need - once a
 * second for the next second's IVs, and when half of its block is used -
 * and goes on below its current mark; it moves past that mark only once
 * ivstate_persisted() covers the new one.  If the disk is slower than the
 * traffic, the worker waits (ivstate_wait, counted as iv_persist_wait).  So
 * an IV is never used before a persisted mark covers it, and the fsync
 * latency is normally hidden.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eespd.h"
#include "statefile.h"

struct ivslot {
	int dirfd;
	char name[IFNAMSIZ + 16];
	uint64_t want;		    /* highest mark asked for (under g_lock) */
	_Atomic uint64_t persisted; /* highest mark on disk */
	bool failed;		    /* the last write of want failed (under g_lock) */
	bool used;
};

static struct ivslot g_slot[EESPD_MAX_WORKERS];
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_work = PTHREAD_COND_INITIALIZER; /* to the persister */
static pthread_cond_t g_done = PTHREAD_COND_INITIALIZER; /* to waiting workers */
static bool g_stop, g_running;
static unsigned g_delay_ms; /* EESPD_TEST_IV_DELAY_MS: slow disk, for tests only */
static pthread_t g_thread;

int ivstate_open(int dirfd, const char *ifname, unsigned worker, struct ivstate *s, char *err,
		 size_t err_len)
{
	char buf[64], why[256], *end;
	ssize_t n;

	if (worker >= EESPD_MAX_WORKERS) {
		snprintf(err, err_len, "IV state: worker %u out of range", worker);
		return -1;
	}
	struct ivslot *sl = &g_slot[worker];
	snprintf(sl->name, sizeof(sl->name), "%s.%u.iv", ifname, worker);
	n = statefile_read(dirfd, sl->name, buf, sizeof(buf), why, sizeof(why));
	if (n < 0) {
		snprintf(err, err_len, "IV state: %s", why);
		return -1;
	}
	s->hwm = 0;
	if (n > 0) {
		errno = 0;
		s->hwm = strtoull(buf, &end, 10);
		if (errno || end == buf || (*end && *end != '\n')) {
			/* never guess a mark: a wrong one could repeat IVs */
			snprintf(
			    err, err_len,
			    "IV state: %s: not a decimal mark; remove it only if no IV of this "
			    "worker can have been used since the clock was last correct",
			    sl->name);
			return -1;
		}
	}
	s->slot = worker;
	sl->dirfd = dirfd;
	sl->want = s->hwm;
	atomic_store(&sl->persisted, s->hwm);
	sl->used = true;
	return 0;
}

static int write_mark(const struct ivslot *sl, uint64_t hwm)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020" PRIu64 "\n", hwm);
	return statefile_write(sl->dirfd, sl->name, buf, (size_t)n);
}

static void *persister(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_lock);
	while (!g_stop) {
		bool did = false;
		for (unsigned i = 0; i < EESPD_MAX_WORKERS; i++) {
			struct ivslot *sl = &g_slot[i];
			uint64_t want = sl->want;
			if (!sl->used || sl->failed || want <= atomic_load(&sl->persisted))
				continue;
			pthread_mutex_unlock(&g_lock);
			if (g_delay_ms)
				usleep(g_delay_ms * 1000u);
			int r = write_mark(sl, want);
			if (r)
				log_err("IV state (worker %u): cannot persist mark %" PRIu64 ": %s",
					i, want, strerror(errno));
			pthread_mutex_lock(&g_lock);
			if (r)
				sl->failed = true;
			else if (want > atomic_load(&sl->persisted))
				atomic_store(&sl->persisted, want);
			did = true;
		}
		if (did)
			pthread_cond_broadcast(&g_done);
		else
			pthread_cond_wait(&g_work, &g_lock);
	}
	pthread_mutex_unlock(&g_lock);
	return NULL;
}

int ivstate_start(void)
{
	g_stop = false;
	const char *d = getenv("EESPD_TEST_IV_DELAY_MS");
	if (d && *d) {
		g_delay_ms = (unsigned)strtoul(d, NULL, 10) % 10000;
		log_warn("EESPD_TEST_IV_DELAY_MS: IV marks are written %u ms late (tests only)",
			 g_delay_ms);
	}
	if (pthread_create(&g_thread, NULL, persister, NULL))
		return -1;
	pthread_setname_np(g_thread, "eespd-iv");
	g_running = true;
	return 0;
}

void ivstate_stop(void)
{
	if (!g_running)
		return;
	pthread_mutex_lock(&g_lock);
	g_stop = true;
	pthread_cond_signal(&g_work);
	pthread_mutex_unlock(&g_lock);
	pthread_join(g_thread, NULL);
	g_running = false;
}

void ivstate_request(const struct ivstate *s, uint64_t mark)
{
	struct ivslot *sl = &g_slot[s->slot];
	pthread_mutex_lock(&g_lock);
	if (mark > sl->want)
		sl->want = mark;
	sl->failed = false; /* a new request retries a failed write */
	pthread_cond_signal(&g_work);
	pthread_mutex_unlock(&g_lock);
}

uint64_t ivstate_persisted(const struct ivstate *s)
{
	return atomic_load_explicit(&g_slot[s->slot].persisted, memory_order_acquire);
}

int ivstate_wait(const struct ivstate *s, uint64_t mark)
{
	struct ivslot *sl = &g_slot[s->slot];
	int rc = 0;
	pthread_mutex_lock(&g_lock);
	while (atomic_load(&sl->persisted) < mark) {
		if (sl->failed || !g_running || g_stop) {
			rc = -1;
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&g_done, &g_lock, &ts);
	}
	pthread_mutex_unlock(&g_lock);
	return rc;
}
