// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keywatch.c - applying new sets from key directories (keywatch.h).
 */
#include "keywatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "eespd.h"
#include "keydirload.h"
#include "keyops.h"
#include "log.h"

/* A rename of "..data" (a Secret volume's swap), files written or
 * replaced in a plain directory, their modes changed. */
#define WATCH_EVENTS                                                                               \
	(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB |        \
	 IN_ONLYDIR | IN_DONT_FOLLOW)

struct keywatch {
	int ifd; /* -1: polling only */
	unsigned poll_s;
	time_t next_poll;
	uint64_t serial;	   /* the snapshot the watches and refusals are for */
	int wd[EESPD_MAX_DOMAINS]; /* -1: none */
	char refused[EESPD_MAX_DOMAINS][KEYDIR_VERSION_MAX];
	char why[EESPD_MAX_DOMAINS][512];
};

struct keywatch *keywatch_new(bool inotify, unsigned poll_s)
{
	struct keywatch *kw = calloc(1, sizeof(*kw));
	if (!kw)
		return NULL;
	kw->ifd = inotify ? inotify_init1(IN_NONBLOCK | IN_CLOEXEC) : -1;
	if (inotify && kw->ifd < 0)
		log_warn("key directories: inotify: %s; checking every %u s only", strerror(errno),
			 poll_s);
	kw->poll_s = poll_s ? poll_s : 1;
	for (unsigned i = 0; i < EESPD_MAX_DOMAINS; i++)
		kw->wd[i] = -1;
	return kw;
}

void keywatch_free(struct keywatch *kw)
{
	if (!kw)
		return;
	if (kw->ifd >= 0)
		close(kw->ifd);
	free(kw);
}

int keywatch_fd(const struct keywatch *kw)
{
	return kw ? kw->ifd : -1;
}

const char *keywatch_refusal(const struct keywatch *kw, unsigned idx)
{
	return kw && idx < EESPD_MAX_DOMAINS ? kw->why[idx] : "";
}

/* A new snapshot (a reload): watch its key directories, forget refusals. */
static void follow(struct keywatch *kw, const struct snap *s)
{
	if (s->serial == kw->serial)
		return;
	kw->serial = s->serial;
	for (unsigned i = 0; i < EESPD_MAX_DOMAINS; i++) {
		if (kw->wd[i] >= 0)
			inotify_rm_watch(kw->ifd, kw->wd[i]);
		kw->wd[i] = -1;
		kw->refused[i][0] = 0;
		kw->why[i][0] = 0;
	}
	for (unsigned i = 0; kw->ifd >= 0 && i < s->n_doms; i++) {
		if (!s->dom[i].key_is_dir)
			continue;
		kw->wd[i] = inotify_add_watch(kw->ifd, s->dom[i].key_path, WATCH_EVENTS);
		if (kw->wd[i] < 0)
			log_warn("key directory %s: inotify: %s; checking every %u s",
				 s->dom[i].key_path, strerror(errno), kw->poll_s);
	}
}

/* A refusal: the version not to try again, and why. */
static void refuse(struct keywatch *kw, unsigned i, const char *version, const char *why)
{
	size_t n = strnlen(version, sizeof(kw->refused[i]) - 1);
	memcpy(kw->refused[i], version, n);
	kw->refused[i][n] = 0;
	n = strnlen(why, sizeof(kw->why[i]) - 1);
	memcpy(kw->why[i], why, n);
	kw->why[i][n] = 0;
}

static void drain(struct keywatch *kw)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (kw->ifd >= 0 && read(kw->ifd, buf, sizeof(buf)) > 0)
		;
}

/* Is the set of domain i (of s) new, and not already refused?  Its
 * version in v. */
static bool changed(struct keywatch *kw, const struct domain *d, unsigned i,
		    char v[KEYDIR_VERSION_MAX])
{
	char err[512];
	if (keydir_version(d->key_path, v, err, sizeof(err))) {
		/* unreadable now: say so once; the running keys stay */
		snprintf(v, KEYDIR_VERSION_MAX, "error");
		if (strcmp(kw->refused[i], v)) {
			log_err("%s; the running keys stay in force", err);
			refuse(kw, i, v, err);
		}
		return false;
	}
	return strcmp(v, d->key_version) && strcmp(v, kw->refused[i]);
}

void keywatch_check(struct eespd *e, struct keywatch *kw, bool event, time_t now)
{
	char v[EESPD_MAX_DOMAINS][KEYDIR_VERSION_MAX], err[1024];
	bool any = false;
	const struct snap *s = atomic_load(&e->snap);
	if (!kw || !s)
		return;
	if (event)
		drain(kw);
	else if (now < kw->next_poll)
		return;
	kw->next_poll = now + (time_t)kw->poll_s;
	follow(kw, s);
	for (unsigned i = 0; i < s->n_doms && i < EESPD_MAX_DOMAINS; i++)
		if (s->dom[i].key_is_dir && changed(kw, &s->dom[i], i, v[i])) {
			log_info("key directory %s: new set %s (was %s): reloading",
				 s->dom[i].key_path, v[i], s->dom[i].key_version);
			any = true;
		}
	if (!any)
		return;
	if (keyops_reload(e, err, sizeof(err)) == 0)
		return; /* the next check follows the new snapshot */
	log_err("key directory: new set refused, the running keys stay in force: %s", err);
	for (unsigned i = 0; i < s->n_doms && i < EESPD_MAX_DOMAINS; i++)
		if (s->dom[i].key_is_dir && strcmp(v[i], s->dom[i].key_version))
			refuse(kw, i, v[i], err);
}
