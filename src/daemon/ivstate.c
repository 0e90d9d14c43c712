// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ivstate.c - persisted IV high-water marks, one file per worker (Session
 * ID) in state_dir: "<interface>.<worker>.iv", one decimal number.  The file
 * is opened before the privilege drop and kept open; a new mark is written
 * and fsync()ed before any IV below it is used (see ivgen.h).
 *
 * The writes happen off the data path, in one persister thread: a sender
 * worker asks for the next mark (ivstate_request) when half of its current
 * block is used, goes on with the current block, and moves to the next
 * block only once ivstate_persisted() covers it; if the disk is slower than
 * the remaining half block, the worker waits (ivstate_wait, counted as
 * iv_persist_wait).  So an IV is never used before a persisted mark covers
 * it, and the fsync latency is normally hidden.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eespd.h"

struct ivslot {
	int fd;
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

int ivstate_open(const char *dir, const char *ifname, unsigned worker, struct ivstate *s, char *err,
		 size_t err_len)
{
	char path[4200], buf[64];
	ssize_t n;

	if (worker >= EESPD_MAX_WORKERS) {
		snprintf(err, err_len, "IV state: worker %u out of range", worker);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s.%u.iv", dir, ifname, worker);
	s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	s->hwm = 0;
	s->slot = worker;
	n = pread(s->fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = 0;
		s->hwm = strtoull(buf, NULL, 10);
	}
	struct ivslot *sl = &g_slot[worker];
	sl->fd = s->fd;
	sl->want = s->hwm;
	atomic_store(&sl->persisted, s->hwm);
	sl->used = true;
	return 0;
}

static int write_mark(int fd, uint64_t hwm)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020" PRIu64 "\n", hwm);
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		return -1;
	if (fsync(fd))
		return -1;
	return 0;
}

int ivstate_persist(struct ivstate *s, uint64_t hwm)
{
	if (write_mark(s->fd, hwm))
		return -1;
	s->hwm = hwm;
	return 0;
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
			int r = write_mark(sl->fd, want);
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
