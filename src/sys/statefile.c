// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * statefile.c - state files read and replaced through a directory
 * descriptor; the rules are in statefile.h.
 */
#include "statefile.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdread.h"
#include "openerr.h"

/* mkdir -p for the parents of path (0755); the last component is left alone */
static void make_parents(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		(void)mkdir(tmp, 0755);
		*p = '/';
	}
}

int statefile_dir_prepare(const char *path, uid_t uid, gid_t gid, char *err, size_t err_len)
{
	struct stat st;
	bool made = false;
	int fd;

	make_parents(path);
	if (mkdir(path, 0700) == 0)
		made = true;
	else if (errno != EEXIST) {
		snprintf(err, err_len, "state_dir %s: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "state_dir %s: %s", path, open_dir_error_text(path, errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, err_len, "state_dir %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!made && (st.st_uid != uid || (st.st_mode & 022))) {
		snprintf(
		    err, err_len,
		    "state_dir %s: owned by uid %u with mode %04o; it must belong to the daemon "
		    "user (uid %u) alone, mode 0700: chown it to that user and chmod 0700, or "
		    "remove it and eespd creates it",
		    path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)uid);
		close(fd);
		return -1;
	}
	if ((made && geteuid() == 0 && fchown(fd, uid, gid)) || fchmod(fd, 0700)) {
		snprintf(err, err_len, "state_dir %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int statefile_dir_open(const char *path, char *err, size_t err_len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, open_dir_error_text(path, errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & 022)) {
		snprintf(err, err_len,
			 "%s: owned by uid %u, mode %04o: must belong to uid %u (or root) and not "
			 "be writable by group or others",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777),
			 (unsigned)geteuid());
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

ssize_t statefile_read(int dirfd, const char *name, char *buf, size_t cap, char *err,
		       size_t err_len)
{
	struct stat st;
	size_t len = 0;
	int fd;

	if (cap == 0) {
		errno = EINVAL;
		return -1;
	}
	buf[0] = 0;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		int e = errno;
		snprintf(err, err_len, "%s: %s", name, open_error_text(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_uid != geteuid()) {
		snprintf(err, err_len,
			 "%s: refused (must be a regular file with one link, owned by uid %u)",
			 name, (unsigned)geteuid());
		close(fd);
		errno = EPERM;
		return -1;
	}
	if (fd_read_full(fd, buf, cap - 1, &len)) {
		int e = errno;
		snprintf(err, err_len, "%s: %s", name, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	buf[len] = 0;
	close(fd);
	return (ssize_t)len;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t r = write(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int statefile_install(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      uid_t uid, gid_t gid, int replace)
{
	char tmp[256];
	int fd, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.new", name) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (unlinkat(dirfd, tmp, 0) && errno != ENOENT)
		return -1;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if ((uid != (uid_t)-1 && fchown(fd, uid, gid)) || fchmod(fd, mode) ||
	    write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (close(fd) ||
	    (replace ? renameat(dirfd, tmp, dirfd, name) : linkat(dirfd, tmp, dirfd, name, 0))) {
		e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (!replace && unlinkat(dirfd, tmp, 0))
		return -1;
	return fsync(dirfd);
}

int statefile_write(int dirfd, const char *name, const void *data, size_t len)
{
	char tmp[256];
	int fd, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.new", name) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* a leftover of a crash between create and rename: ours, remove it */
	if (unlinkat(dirfd, tmp, 0) && errno != ENOENT)
		return -1;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) || fsync(fd)) {
		e = errno;
		close(fd);
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	if (close(fd) || renameat(dirfd, tmp, dirfd, name)) {
		e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	return fsync(dirfd);
}
