// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keydir_swap.c - writing a key directory the way a Kubernetes Secret volume
 * is written: the new set goes into a fresh directory "..<timestamp>", which
 * is made visible by one rename of the symlink "..data"; the names at the
 * top ("cur", ...) are links through "..data".  A reader that follows
 * "..data" once sees the old set or the new one, never a mix
 * (src/sys/keydirload.h).  Everything below the directory is created
 * through descriptors (openat, O_EXCL, O_NOFOLLOW), so a link planted in
 * it is never followed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "keydir.h"
#include "keydir_cli.h"

#define DATA_LINK "..data"
#define DATA_TMP "..data_tmp"

struct writer {
	int dirfd; /* the new "..<timestamp>" directory */
	uid_t uid; /* owner of the files */
	gid_t gid;
	unsigned n; /* names written, for the top-level links */
	char name[EESP_KEYDIR_MAX_FILES][64];
	const char *path;
};

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* eesp_keydir_emit: one file of the set into the new directory */
static int emit_file(void *arg, const char *name, const char *text, size_t len)
{
	struct writer *w = arg;
	int fd = openat(w->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
	if (fd < 0 || fchown(fd, w->uid, w->gid) || fchmod(fd, 0400) || write_all(fd, text, len) ||
	    fsync(fd)) {
		err("key directory %s: %s: %s", w->path, name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	if (w->n < EESP_KEYDIR_MAX_FILES)
		snprintf(w->name[w->n++], sizeof(w->name[0]), "%s", name);
	return 0;
}

/* Remove a data directory we made (its files, then itself). */
static void remove_data_dir(int top, const char *name)
{
	int fd = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	unlinkat(top, name, AT_REMOVEDIR);
}

/* The top-level names: a link "..data/<name>" for each file of the new
 * set; links of names the set no longer has are removed. */
static void top_links(int top, const struct writer *w)
{
	char target[80];
	DIR *d;
	struct dirent *de;
	int fd = dup(top);
	for (unsigned i = 0; i < w->n; i++) {
		snprintf(target, sizeof(target), "%s/%s", DATA_LINK, w->name[i]);
		if (symlinkat(target, top, w->name[i]) && errno != EEXIST)
			warnx("key directory %s: link %s: %s", w->path, w->name[i],
			      strerror(errno));
	}
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		bool keep = !strncmp(de->d_name, "..", 2) || !strcmp(de->d_name, ".");
		for (unsigned i = 0; !keep && i < w->n; i++)
			keep = !strcmp(de->d_name, w->name[i]);
		struct stat st;
		if (!keep && !fstatat(top, de->d_name, &st, AT_SYMLINK_NOFOLLOW) &&
		    S_ISLNK(st.st_mode))
			unlinkat(top, de->d_name, 0);
	}
	closedir(d);
}

/* Open (creating it if missing) the top directory. */
static int open_top(const char *path, const struct keydir_owner *o)
{
	struct stat st;
	if (mkdir(path, 0755) == 0) {
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && fchown(fd, geteuid() == 0 ? 0 : o->uid, o->gid))
			warnx("key directory %s: chown: %s", path, strerror(errno));
		/* mkdir's mode is cut by the umask: under umask 077 the daemon
		 * user could not reach the set */
		if (fd >= 0 && fchmod(fd, 0755))
			warnx("key directory %s: chmod: %s", path, strerror(errno));
		close(fd);
	} else if (errno != EEXIST) {
		err("key directory %s: %s", path, strerror(errno));
		return -1;
	}
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		err("key directory %s: %s", path,
		    errno == ELOOP ? "a symlink (refused)" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		err("key directory %s: writable by group or others (mode %04o)", path,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	return fd;
}

int keydir_swap(const char *path, const struct eesp_keyset *ks, const struct keydir_owner *o)
{
	struct writer w = {.uid = o->uid, .gid = o->gid, .path = path};
	struct eesp_keyfile_error ke;
	char name[96], old[96];
	struct timespec ts;
	int rc = -1, top = open_top(path, o);
	if (top < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(name, sizeof(name), "..%04d_%02d_%02d_%02d_%02d_%02d.%09ld.%d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec,
		 (int)getpid());
	if (mkdirat(top, name, 0755)) {
		err("key directory %s: %s: %s", path, name, strerror(errno));
		goto out;
	}
	w.dirfd = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (w.dirfd < 0) {
		err("key directory %s: %s: %s", path, name, strerror(errno));
		goto out;
	}
	if (fchmod(w.dirfd, 0755)) { /* whatever the umask: see open_top */
		err("key directory %s: %s: chmod: %s", path, name, strerror(errno));
		goto undo;
	}
	if (eesp_keydir_format(ks, emit_file, &w, &ke)) {
		if (ke.msg[0])
			err("key directory %s: %s", path, ke.msg);
		goto undo;
	}
	if (fsync(w.dirfd))
		goto undo;
	ssize_t n = readlinkat(top, DATA_LINK, old, sizeof(old) - 1);
	old[n > 0 ? n : 0] = 0;
	unlinkat(top, DATA_TMP, 0);
	/* the swap: one rename makes the whole new set visible */
	if (symlinkat(name, top, DATA_TMP) || renameat(top, DATA_TMP, top, DATA_LINK)) {
		err("key directory %s: swapping %s: %s", path, DATA_LINK, strerror(errno));
		goto undo;
	}
	top_links(top, &w);
	fsync(top);
	if (old[0] && !strncmp(old, "..", 2) && !strchr(old, '/') && strcmp(old, name))
		remove_data_dir(top, old);
	printf("key directory %s: %s now holds the set (%u files)\n", path, name, w.n);
	rc = 0;
	goto out;
undo:
	close(w.dirfd);
	w.dirfd = -1;
	remove_data_dir(top, name);
out:
	if (w.dirfd >= 0)
		close(w.dirfd);
	close(top);
	return rc;
}
