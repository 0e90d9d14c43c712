// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gcks_watch.c - the key server follows its key file or key directory by
 * itself: once a second the set's version (keydirload.h: the "..data"
 * link's target, or the files' names, inodes, sizes and times; for a key
 * file its inode, size and modification time) is compared with the one
 * last read, and a new one is read whole (ikeproc_gcks_reload).  A set
 * that is refused leaves the running rings in force and is logged once.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ikeproc.h"
#include "keydirload.h"
#include "log.h"

#define WATCH_MS 1000

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int version_of(const struct iked_conf *c, char v[KEYDIR_VERSION_MAX], char *err, size_t el)
{
	struct stat st;
	if (c->gcks.key_is_dir)
		return keydir_version(c->gcks.key_path, v, err, el);
	if (lstat(c->gcks.key_path, &st)) {
		snprintf(err, el, "%.400s: cannot stat", c->gcks.key_path);
		return -1;
	}
	snprintf(v, KEYDIR_VERSION_MAX, "%llu:%lld:%lld.%09ld", (unsigned long long)st.st_ino,
		 (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	return 0;
}

void gcks_watch(struct iked_ike *p)
{
	struct gcks_watch *w = &p->gkw;
	char v[KEYDIR_VERSION_MAX], err[512];
	int64_t t = mono_ms();
	if (!p->conf->gcks.on || t < w->next_ms)
		return;
	w->next_ms = t + WATCH_MS;
	if (version_of(p->conf, v, err, sizeof(err)))
		return; /* a writer between two steps; the next look sees it whole */
	/* the first look reads the set again too (unchanged: nothing is
	 * pushed): it may have changed since the start's read */
	if (w->version[0] && (!strcmp(v, w->version) || !strcmp(v, w->refused)))
		return;
	if (ikeproc_gcks_reload(p, err, sizeof(err)) < 0) {
		log_err("key server: the new key set (%s) is refused, the running rings stay: %s",
			v, err);
		memcpy(w->refused, v, sizeof(v));
		return;
	}
	log_info("key server: new key set %s applied", v);
	memcpy(w->version, v, sizeof(v));
	w->refused[0] = 0;
}
