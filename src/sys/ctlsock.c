// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlsock.c - set-up of a control socket as root (ctlsock.h).
 *
 * The rule (issue 14, finding 2): root touches the socket's directory and
 * the socket only through one directory descriptor opened with O_NOFOLLOW,
 * and only when nobody but root can write that directory.  The directory
 * is created (or found) root-owned; owner, group and mode are set with
 * fchown/fchmod on the descriptor, the socket's mode comes from the umask
 * at bind() and its group from fchownat(AT_SYMLINK_NOFOLLOW).  bind() and
 * the probe connect() take the name relative to the descriptor (fchdir),
 * so no path is resolved twice.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsock.h"
#include "log.h"
#include "openerr.h"

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t err_len, const char *fmt,
						      ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, err_len, fmt, ap);
	va_end(ap);
	return -1;
}

/* path -> directory ("." or "/" when it has none) and last component */
static int split_path(const char *path, char *dir, size_t dir_cap, char *name, size_t name_cap,
		      char *err, size_t err_len)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return fail(err, err_len, "control socket %s: no file name", path);
	if (strlen(base) >= name_cap || (size_t)(base - path) >= dir_cap)
		return fail(err, err_len, "control socket %s: path too long", path);
	snprintf(name, name_cap, "%s", base);
	if (!slash)
		snprintf(dir, dir_cap, ".");
	else if (slash == path)
		snprintf(dir, dir_cap, "/");
	else
		snprintf(dir, dir_cap, "%.*s", (int)(slash - path), path);
	return 0;
}

/* bind (or connect) fd to name inside the directory dfd: change there and
 * back, so the name is looked up in exactly the directory checked (start-up
 * is single-threaded, the working directory is not in use meanwhile) */
static int sock_at(int dfd, int fd, const char *name, bool do_bind)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int here = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC), rc = -1, e;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", name);
	if (here < 0)
		return -1;
	if (fchdir(dfd) == 0) {
		rc = do_bind ? bind(fd, (struct sockaddr *)&a, sizeof(a))
			     : connect(fd, (struct sockaddr *)&a, sizeof(a));
		e = errno;
		if (fchdir(here))
			log_warn("control socket: cannot return to the working directory: %s",
				 strerror(errno));
	} else {
		e = errno;
	}
	close(here);
	errno = e;
	return rc;
}

/* true when the directory holds nothing but (maybe) our socket: it is ours
 * to set the group and mode of; a shared one (/run, a test's temp dir, a
 * directory with other daemons' sockets) keeps its own */
static bool dir_is_dedicated(int dfd, const char *name)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	bool only = d != NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (only && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, name))
			only = false;
	closedir(d);
	return only;
}

/* the checks on an existing directory (st: its fstat): owner root (eespd's
 * own uid when it was not started as root), nobody else may write */
static int dir_check(const char *dir, const struct stat *st, char *err, size_t err_len)
{
	if (!S_ISDIR(st->st_mode))
		return fail(err, err_len, "control socket directory %s: not a directory", dir);
	if (st->st_uid != geteuid())
		return fail(err, err_len,
			    "control socket directory %s is owned by uid %u, not %s: its owner "
			    "could redirect the socket set-up to any file. Remove it (eespd "
			    "creates it, owned by root) or give it to root: chown root:root %s "
			    "&& chmod 0700 %s",
			    dir, (unsigned)st->st_uid, geteuid() == 0 ? "root" : "eespd's user",
			    dir, dir);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return fail(err, err_len,
			    "control socket directory %s is %s-writable (mode %04o): whoever may "
			    "write it could redirect the socket set-up to any file. Use a "
			    "directory of its own, or: chmod go-w %s",
			    dir, st->st_mode & S_IWOTH ? "world" : "group",
			    (unsigned)(st->st_mode & 07777), dir);
	return 0;
}

/* Create or open the socket's directory and make it root-owned 0750
 * root:gid (0700 root:root without a group); returns its descriptor. */
static int open_dir(const char *dir, const char *name, gid_t gid, char *err, size_t err_len)
{
	bool grp = gid != (gid_t)-1;
	mode_t mode = grp ? 0750 : 0700;
	bool created = mkdir(dir, mode) == 0;
	struct stat st;
	int dfd;
	if (!created && errno != EEXIST)
		return fail(err, err_len, "control socket directory %s: mkdir: %s", dir,
			    strerror(errno));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return fail(err, err_len, "control socket directory %s: %s (name a real directory)",
			    dir, open_dir_error_text(dir, errno));
	if (fstat(dfd, &st) || dir_check(dir, &st, err, err_len)) {
		if (!err[0])
			fail(err, err_len, "control socket directory %s: fstat: %s", dir,
			     strerror(errno));
		close(dfd);
		return -1;
	}
	if (!created && !dir_is_dedicated(dfd, name)) {
		log_debug("control socket directory %s holds other files: mode %04o kept", dir,
			  (unsigned)(st.st_mode & 07777));
		return dfd;
	}
	/* root's now; nobody can swap it any more: fix group and mode by fd */
	if (fchown(dfd, geteuid() == 0 ? 0 : (uid_t)-1, grp ? gid : (gid_t)-1) || fchmod(dfd, mode))
		log_warn("control socket directory %s: fchown/fchmod: %s", dir, strerror(errno));
	return dfd;
}

/* A socket left at the name: another daemon's (refuse) or a dead one's
 * (remove).  Anything else there is refused.  0 or -1 with err. */
static int clear_stale(int dfd, const char *name, const char *path, char *err, size_t err_len)
{
	struct stat st;
	int fd, e;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		return fail(err, err_len, "control socket %s: %s", path, strerror(errno));
	}
	if (!S_ISSOCK(st.st_mode))
		return fail(err, err_len,
			    "control socket %s: the name is taken by something that is not a "
			    "socket (mode %06o); remove it",
			    path, (unsigned)st.st_mode);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(err, err_len, "control socket: %s", strerror(errno));
	if (sock_at(dfd, fd, name, false) == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		struct ucred cr = {0};
		socklen_t cl = sizeof(cr);
		char who[32] = "";
		if (!getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) && cr.pid > 0)
			snprintf(who, sizeof(who), " (pid %d)", (int)cr.pid);
		close(fd);
		return fail(err, err_len,
			    "control socket %s is in use by a running eespd%s: stop it first, or "
			    "give this one its own control_socket",
			    path, who);
	}
	e = errno;
	close(fd);
	if (e != ECONNREFUSED)
		return fail(err, err_len, "control socket %s: probing the socket there: %s", path,
			    strerror(e));
	if (unlinkat(dfd, name, 0))
		return fail(err, err_len, "control socket %s: removing the stale socket: %s", path,
			    strerror(errno));
	log_info("removed the stale control socket %s (no eespd was listening)", path);
	return 0;
}

void ctl_listener_close(struct ctl_listener *l)
{
	struct stat st;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	if (l->dirfd < 0)
		return;
	/* only our own socket; after the privilege drop the daemon may not
	 * (root's directory) and the next start removes it as stale */
	if (fstatat(l->dirfd, l->name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == l->dev && st.st_ino == l->ino && unlinkat(l->dirfd, l->name, 0))
		log_debug("control socket %s not removed: %s", l->name, strerror(errno));
	close(l->dirfd);
	l->dirfd = -1;
}

/* bind + listen in dfd; mode from the umask, group by fchownat */
static int listen_at(struct ctl_listener *l, int dfd, const char *name, const char *path, gid_t gid,
		     char *err, size_t err_len)
{
	bool grp = gid != (gid_t)-1;
	struct stat st;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return fail(err, err_len, "control socket: %s", strerror(errno));
	mode_t old = umask(grp ? 0117 : 0177);
	int rc = sock_at(dfd, fd, name, true);
	int e = errno;
	umask(old);
	if (rc || listen(fd, 64)) {
		fail(err, err_len, "control socket %s: %s", path, strerror(rc ? e : errno));
		close(fd);
		return -1;
	}
	if (geteuid() == 0 && fchownat(dfd, name, 0, grp ? gid : 0, AT_SYMLINK_NOFOLLOW))
		log_warn("control socket %s: fchownat: %s", path, strerror(errno));
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		l->dev = st.st_dev;
		l->ino = st.st_ino;
	}
	return fd;
}

int ctl_listen(struct ctl_listener *l, const char *path, gid_t gid, char *err, size_t err_len)
{
	char dir[4096];
	int dfd;
	err[0] = 0;
	l->fd = l->dirfd = -1;
	if (split_path(path, dir, sizeof(dir), l->name, sizeof(l->name), err, err_len))
		return -1;
	dfd = open_dir(dir, l->name, gid, err, err_len);
	if (dfd < 0)
		return -1;
	if (clear_stale(dfd, l->name, path, err, err_len) ||
	    (l->fd = listen_at(l, dfd, l->name, path, gid, err, err_len)) < 0) {
		close(dfd);
		l->fd = -1;
		return -1;
	}
	l->dirfd = dfd;
	return 0;
}
