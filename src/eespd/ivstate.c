// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ivstate.c - IV high-water marks on disk and the persister thread
 * (ivstate.h).  File format: one decimal number and a newline.
 */
#include "ivstate.h"

#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "statefile.h"

struct ivslot {
	char name[IFNAMSIZ + 16];
	uint64_t want;		    /* highest mark asked for (under lock) */
	_Atomic uint64_t persisted; /* highest mark on disk */
	bool failed;		    /* the last write of want failed (under lock) */
	bool used;
};

struct ivpersist {
	int dirfd;
	unsigned delay_ms;
	pthread_mutex_t lock;
	pthread_cond_t work; /* to the persister */
	pthread_cond_t done; /* to waiting workers */
	bool stop, running;
	pthread_t thread;
	struct ivslot slot[EESPD_MAX_WORKERS];
};

struct ivpersist *ivpersist_new(int dirfd, unsigned delay_ms)
{
	struct ivpersist *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->dirfd = dirfd;
	p->delay_ms = delay_ms % 10000;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	return p;
}

void ivpersist_free(struct ivpersist *p)
{
	if (!p)
		return;
	ivpersist_stop(p);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	free(p);
}

int ivpersist_open(struct ivpersist *p, const char *ifname, unsigned worker, uint64_t *mark,
		   char *err, size_t err_len)
{
	char buf[64], why[256], *end;
	ssize_t n;

	if (worker >= EESPD_MAX_WORKERS) {
		snprintf(err, err_len, "IV state: worker %u out of range", worker);
		return -1;
	}
	struct ivslot *sl = &p->slot[worker];
	snprintf(sl->name, sizeof(sl->name), "%s.%u.iv", ifname, worker);
	n = statefile_read(p->dirfd, sl->name, buf, sizeof(buf), why, sizeof(why));
	if (n < 0) {
		snprintf(err, err_len, "IV state: %s", why);
		return -1;
	}
	*mark = 0;
	if (n > 0) {
		errno = 0;
		*mark = strtoull(buf, &end, 10);
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
	sl->want = *mark;
	atomic_store(&sl->persisted, *mark);
	sl->used = true;
	return 0;
}

static int write_mark(const struct ivpersist *p, const struct ivslot *sl, uint64_t mark)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020" PRIu64 "\n", mark);
	return statefile_write(p->dirfd, sl->name, buf, (size_t)n);
}

/* One pass over the slots (lock held, released around each write);
 * true if anything was written. */
static bool persist_pass(struct ivpersist *p)
{
	bool did = false;
	for (unsigned i = 0; i < EESPD_MAX_WORKERS; i++) {
		struct ivslot *sl = &p->slot[i];
		uint64_t want = sl->want;
		if (!sl->used || sl->failed || want <= atomic_load(&sl->persisted))
			continue;
		pthread_mutex_unlock(&p->lock);
		if (p->delay_ms)
			usleep(p->delay_ms * 1000u);
		int r = write_mark(p, sl, want);
		if (r)
			log_err("IV state (worker %u): cannot persist mark %" PRIu64 ": %s", i,
				want, strerror(errno));
		pthread_mutex_lock(&p->lock);
		if (r)
			sl->failed = true;
		else if (want > atomic_load(&sl->persisted))
			atomic_store(&sl->persisted, want);
		did = true;
	}
	return did;
}

static void *persister(void *arg)
{
	struct ivpersist *p = arg;
	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		if (persist_pass(p))
			pthread_cond_broadcast(&p->done);
		else
			pthread_cond_wait(&p->work, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int ivpersist_start(struct ivpersist *p)
{
	p->stop = false;
	if (p->delay_ms)
		log_warn("EESPD_TEST_IV_DELAY_MS: IV marks are written %u ms late (tests only)",
			 p->delay_ms);
	if (pthread_create(&p->thread, NULL, persister, p))
		return -1;
	pthread_setname_np(p->thread, "eespd-iv");
	p->running = true;
	return 0;
}

void ivpersist_stop(struct ivpersist *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->running = false;
}

void ivstate_request(struct ivpersist *p, unsigned worker, uint64_t mark)
{
	struct ivslot *sl = &p->slot[worker];
	pthread_mutex_lock(&p->lock);
	if (mark > sl->want)
		sl->want = mark;
	sl->failed = false; /* a new request retries a failed write */
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
}

uint64_t ivstate_persisted(struct ivpersist *p, unsigned worker)
{
	return atomic_load_explicit(&p->slot[worker].persisted, memory_order_acquire);
}

int ivstate_wait(struct ivpersist *p, unsigned worker, uint64_t mark)
{
	struct ivslot *sl = &p->slot[worker];
	int rc = 0;
	pthread_mutex_lock(&p->lock);
	while (atomic_load(&sl->persisted) < mark) {
		if (sl->failed || !p->running || p->stop) {
			rc = -1;
			break;
		}
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		pthread_cond_timedwait(&p->done, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}
