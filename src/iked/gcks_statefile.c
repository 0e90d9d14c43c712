// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gcks_statefile.c - the key server's state file through a directory
 * descriptor (gcks_statefile.h).
 */
#include "gcks_statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdread.h"
#include "ike_gcks_state.h"
#include "secmem.h"
#include "statefile.h"

int gcks_statefile_open(struct gcks_statefile *f, const char *dir, const char *base,
			const char *path, char *err, size_t el)
{
	char e2[4400];
	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(f->base, sizeof(f->base), "%s", base);
	f->dirfd = statefile_dir_open(dir, e2, sizeof(e2));
	if (f->dirfd < 0) {
		snprintf(err, el, "state_file %s: its directory %s", path, e2);
		return -1;
	}
	return 0;
}

static int check(const struct gcks_statefile *f, const struct stat *st, char *err, size_t el)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink != 1) {
		snprintf(err, el, "%s: refused: not a regular file with one link", f->path);
		return -1;
	}
	if (st->st_uid != geteuid() || (st->st_mode & 07777) != 0600) {
		snprintf(err, el,
			 "%s: refused: owned by uid %u with mode %04o (must be uid %u, 0600)",
			 f->path, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777),
			 (unsigned)geteuid());
		return -1;
	}
	if (st->st_size > IKE_GCKS_STATE_MAX_TEXT) {
		snprintf(err, el, "%s: refused: larger than %u octets", f->path,
			 IKE_GCKS_STATE_MAX_TEXT);
		return -1;
	}
	return 0;
}

int gcks_statefile_read(const struct gcks_statefile *f, char **text, size_t *len, size_t *cap,
			char *err, size_t el)
{
	struct stat st;
	int fd =
	    openat(f->dirfd, f->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	*text = NULL;
	*len = *cap = 0;
	if (el)
		err[0] = 0;
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, el, "%s: %s", f->path,
			 errno == ELOOP ? "refused: a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || check(f, &st, err, el)) {
		if (!*err)
			snprintf(err, el, "%s: %s", f->path, strerror(errno));
		close(fd);
		return -1;
	}
	*cap = (size_t)st.st_size + 1;
	*text = eesp_secure_alloc(*cap, NULL);
	if (!*text || fd_read_full(fd, *text, (size_t)st.st_size, len)) {
		snprintf(err, el, "%s: %s", f->path, *text ? strerror(errno) : "out of memory");
		if (*text)
			eesp_secure_free(*text, *cap);
		*text = NULL;
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int gcks_statefile_write(const struct gcks_statefile *f, const char *text, size_t len)
{
	return statefile_install(f->dirfd, f->base, text, len, 0600, (uid_t)-1, (gid_t)-1, 1);
}

void gcks_statefile_close(struct gcks_statefile *f)
{
	if (f->dirfd >= 0)
		close(f->dirfd);
	f->dirfd = -1;
}
