// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confdir.c - a node's configuration directory and its files, owned the way
 * eespd needs them (onboard.h):
 *
 *   DIR          root:<daemon group> 0750  (made by us; an existing one is
 *                                           kept as it is, if safe)
 *   eespd.conf   root:root 0644            eespd reads it as root at start
 *   domain.keys  <daemon user> 0600        eespd re-reads it on every reload
 *   nodes        root:root 0644            the roster (roster.c)
 *
 * Root never writes through a path the daemon user could have changed:
 * the directory is opened once without following links and every file is
 * made through that descriptor (statefile_install: O_EXCL temporary file,
 * owner and mode set on its descriptor, then linked or renamed into place).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdread.h"
#include "eespctl.h"
#include "onboard.h"
#include "statefile.h"

/* useradd --system, as the Debian package's sysusers entry makes it */
static int make_user(const char *user)
{
	char *const argv[] = {"useradd", "--system",	      "--no-create-home",
			      "--shell", "/usr/sbin/nologin", (char *)user,
			      NULL};
	char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve("/usr/sbin/useradd", argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int owners_get(const char *user, bool create, struct owners *o)
{
	struct passwd *pw;

	memset(o, 0, sizeof(*o));
	snprintf(o->user, sizeof(o->user), "%s", user);
	o->uid = geteuid();
	o->gid = getegid();
	o->root = geteuid() == 0;
	if (!o->root) {
		o->user_exists = true; /* files stay the caller's */
		return 0;
	}
	pw = getpwnam(user);
	if (!pw && create && !make_user(user)) {
		printf("created the system user %s for eespd (useradd --system)\n", user);
		pw = getpwnam(user);
	}
	if (!pw) {
		fprintf(stderr,
			"%s: note: user '%s' does not exist: create it (useradd --system "
			"--no-create-home --shell /usr/sbin/nologin %s), then chown %s the key "
			"file and chgrp %s its directory\n",
			PROG, user, user, user, user);
		o->uid = 0;
		o->gid = 0;
		return 0;
	}
	o->user_exists = true;
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	return 0;
}

/* An existing directory: safe to write in as root, and enterable by eespd? */
static int check_existing(int fd, const char *dir, const struct owners *o)
{
	struct stat st;
	if (fstat(fd, &st)) {
		err("%s: %s", dir, strerror(errno));
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) || (st.st_mode & 022)) {
		err("%s: owned by uid %u with mode %04o: another user could replace the "
		    "eespd.conf that eespd reads as root; chown root %s and chmod go-w %s "
		    "(eespctl before 0.2 gave the domain directory to the daemon user)",
		    dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), dir, dir);
		return -1;
	}
	if (o->root && o->user_exists && !(st.st_mode & S_IXOTH) &&
	    !(st.st_gid == o->gid && (st.st_mode & S_IXGRP)))
		fprintf(stderr,
			"%s: warning: %s: the daemon user %s cannot enter it to re-read the key "
			"file on reload: chgrp %s %s && chmod 0750 %s\n",
			PROG, dir, o->user, o->user, dir, dir);
	return 0;
}

int confdir_open(const char *dir, const struct owners *o, bool create)
{
	bool made = create && !mkdir(dir, 0700);
	int fd;

	if (create && !made && errno != EEXIST) {
		err("%s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		err("%s: %s%s", dir, strerror(errno),
		    errno == ELOOP || errno == ENOTDIR ? " (not a directory, or a symlink)" : "");
		return -1;
	}
	if (!made) {
		if (check_existing(fd, dir, o)) {
			close(fd);
			return -1;
		}
		return fd;
	}
	/* ours: root's, entered (not written) by the daemon's group */
	if (o->root && (fchown(fd, 0, o->gid) || fchmod(fd, 0750))) {
		err("%s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

bool confdir_has(int dirfd, const char *name)
{
	struct stat st;
	return !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW);
}

int confdir_write(int dirfd, const char *dir, const char *name, const void *data, size_t len,
		  enum confdir_kind kind, const struct owners *o, bool replace, const char *hint)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	mode_t mode = kind == CONFDIR_CONF ? 0644 : 0600;

	if (o->root) {
		uid = kind == CONFDIR_KEY ? o->uid : 0;
		gid = kind == CONFDIR_KEY ? o->gid : 0;
	}
	if (statefile_install(dirfd, name, data, len, mode, uid, gid, replace)) {
		if (errno == EEXIST)
			err("%s/%s already exists; refusing to overwrite it%s%s", dir, name,
			    hint ? " " : "", hint ? hint : "");
		else
			err("%s/%s: %s", dir, name, strerror(errno));
		return -1;
	}
	return 0;
}

int confdir_read(int dirfd, const char *dir, const char *name, char **buf, size_t *len)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), rc;
	char *b;

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		err("%s/%s: %s", dir, name, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (1 << 24)) {
		err("%s/%s: not a regular file of a sensible size", dir, name);
		close(fd);
		return -1;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		err("out of memory");
		return -1;
	}
	rc = !fd_read_full(fd, b, (size_t)st.st_size, len) && *len == (size_t)st.st_size ? 0 : -1;
	close(fd);
	if (rc) {
		err("%s/%s: short read", dir, name);
		free(b);
		return -1;
	}
	b[*len] = 0;
	*buf = b;
	return 0;
}
