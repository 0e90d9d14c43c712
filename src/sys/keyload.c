// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyload.c - key files into locked memory, with the owner and mode rules
 * of keyload.h; the parsing is the core's (eesp_keyfile_parse).
 */
#include "keyload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdread.h"
#include "openerr.h"
#include "secmem.h"

#define KEYFILE_MAX (1 << 20)

uid_t keyload_reader(uid_t daemon_uid)
{
	return geteuid() == 0 ? daemon_uid : geteuid();
}

/* fstat checks: what may be read as a key file by reader */
static int check_file(const char *path, const struct stat *st, uid_t reader, char *err,
		      size_t err_len)
{
	if (!S_ISREG(st->st_mode)) {
		snprintf(err, err_len, "key file %s: not a regular file", path);
		return -1;
	}
	if (st->st_mode & 077) {
		snprintf(err, err_len,
			 "key file %s: mode %04o is too open (must be 0600 or stricter: no "
			 "group/other access)",
			 path, (unsigned)(st->st_mode & 07777));
		return -1;
	}
	if (st->st_uid != reader) {
		/* mode 0600: only its owner can read it after the privilege
		 * drop, and every reload must re-read it (or fail) */
		snprintf(err, err_len,
			 "key file %s: owned by uid %u, but eespd reads it as uid %u (the daemon "
			 "user) on every reload: chown it to that user (before eesp 0.2 a "
			 "root-owned key file was accepted and a reload silently kept the old "
			 "keys)",
			 path, (unsigned)st->st_uid, (unsigned)reader);
		return -1;
	}
	if (st->st_size > KEYFILE_MAX) {
		snprintf(err, err_len, "key file %s: too large", path);
		return -1;
	}
	return 0;
}

/* The whole file into locked memory (*cap bytes allocated). */
static char *read_secure(int fd, size_t size, size_t *len, size_t *cap)
{
	int locked;
	char *buf = eesp_secure_alloc(size + 1, &locked);
	*len = 0;
	*cap = size + 1;
	if (!buf)
		return NULL;
	(void)fd_read_full(fd, buf, size, len); /* a short read fails the parse */
	return buf;
}

int keyload_file(const char *path, uid_t reader, struct eesp_keyset **out, char *err,
		 size_t err_len)
{
	struct eesp_keyfile_error ke;
	struct eesp_keyset *ks;
	struct stat st;
	size_t len, cap;
	char *buf;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	*out = NULL;
	if (fd < 0) {
		/* a reload that cannot read a key file fails: keeping the old
		 * keys would silently undo a revocation made in the file */
		if (errno == ELOOP)
			snprintf(err, err_len, "key file %s: %s", path, open_error_text(ELOOP));
		else
			snprintf(err, err_len, "key file %s: %s%s", path, strerror(errno),
				 errno == EACCES ? " (it must belong to the daemon user)" : "");
		return KEYLOAD_E_FILE;
	}
	if (fstat(fd, &st)) {
		snprintf(err, err_len, "key file %s: %s", path, strerror(errno));
		close(fd);
		return KEYLOAD_E_FILE;
	}
	if (check_file(path, &st, reader, err, err_len)) {
		close(fd);
		return KEYLOAD_E_FILE;
	}
	buf = read_secure(fd, (size_t)st.st_size, &len, &cap);
	close(fd);
	ks = buf ? eesp_keyset_new() : NULL;
	if (!ks) {
		eesp_secure_free(buf, cap);
		snprintf(err, err_len, "key file %s: out of memory", path);
		return KEYLOAD_E_FILE;
	}
	memset(&ke, 0, sizeof(ke));
	int rc = eesp_keyfile_parse(ks, buf, len, &ke);
	eesp_secure_free(buf, cap);
	if (rc) {
		eesp_keyset_free(ks);
		if (ke.line)
			snprintf(err, err_len, "%s:%u: %s", path, ke.line, ke.msg);
		else
			snprintf(err, err_len, "%s: %s", path, ke.msg);
		return KEYLOAD_E_TEXT;
	}
	*out = ks;
	return KEYLOAD_OK;
}
