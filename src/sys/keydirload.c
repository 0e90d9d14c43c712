// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keydirload.c - reading a key directory from disk (keydirload.h).
 */
#include "keydirload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdread.h"
#include "keydir.h"
#include "secmem.h"

#define DATA_LINK "..data"
#define READ_TRIES 3

/* What one read of the directory holds. */
struct dir_files {
	unsigned n;
	char name[EESP_KEYDIR_MAX_FILES][NAME_MAX + 1];
	char *text[EESP_KEYDIR_MAX_FILES]; /* locked, EESP_KEYDIR_MAX_FILE + 1 each */
	size_t len[EESP_KEYDIR_MAX_FILES];
};

/*
 * Call each(arg, name) for every entry of the directory fd (not "." and
 * ".."), stopping at the first non-zero return.  getdents64 on a
 * descriptor of our own, not readdir(): fdopendir() needs fcntl() and
 * dup(), which eespd's system call filter does not allow (sandbox.c).
 */
static int list_dir(int fd, int (*each)(void *arg, const char *name), void *arg)
{
	char buf[4096] __attribute__((aligned(8)));
	int lfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
	ssize_t n;
	if (lfd < 0)
		return -1;
	while (!rc && (n = getdents64(lfd, buf, sizeof(buf))) > 0)
		for (ssize_t off = 0; !rc && off < n;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf + off);
			off += de->d_reclen;
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				rc = each(arg, de->d_name);
		}
	if (!rc && n < 0)
		rc = -1;
	close(lfd);
	return rc;
}

static bool owner_ok(const struct stat *st, uid_t reader)
{
	return st->st_uid == 0 || st->st_uid == reader;
}

static int check_dir(const char *what, const struct stat *st, uid_t reader, bool sticky_ok,
		     char *err, size_t el)
{
	if (!S_ISDIR(st->st_mode)) {
		snprintf(err, el, "%s: not a directory", what);
		return -1;
	}
	if (!owner_ok(st, reader)) {
		snprintf(err, el, "%s: owned by uid %u (must be root or the reader, uid %u)", what,
			 (unsigned)st->st_uid, (unsigned)reader);
		return -1;
	}
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_ok && (st->st_mode & S_ISVTX))) {
		snprintf(err, el, "%s: writable by group or others (mode %04o)", what,
			 (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

static int check_file(const char *dir, const char *name, const struct stat *st, uid_t reader,
		      gid_t reader_gid, char *err, size_t el)
{
	const char *why = NULL;
	if (!S_ISREG(st->st_mode))
		why = "not a regular file";
	else if (!owner_ok(st, reader))
		why = "owned by neither root nor the reader";
	else if (st->st_mode & (S_IWGRP | S_IWOTH))
		why = "writable by group or others";
	else if (st->st_mode & S_IROTH)
		why =
		    "readable by others (a Secret volume: defaultMode 0400, or 0440 with fsGroup)";
	else if ((st->st_mode & S_IRGRP) && st->st_gid != reader_gid)
		why = "readable by a group other than the reader's";
	else if (st->st_uid == reader ? !(st->st_mode & S_IRUSR) : !(st->st_mode & S_IRGRP))
		/* root can read it now, but every reload reads it as the reader */
		why = "not readable by the reader (owner the reader with mode 0400, or owner root, "
		      "group the reader's, mode 0440)";
	else if (st->st_size > EESP_KEYDIR_MAX_FILE)
		why = "too large for a key directory file";
	if (!why)
		return 0;
	snprintf(err, el, "key directory %s: %s: %s (mode %04o, uid %u, gid %u)", dir, name, why,
		 (unsigned)(st->st_mode & 07777), (unsigned)st->st_uid, (unsigned)st->st_gid);
	return -1;
}

/* The data directory: the target of "..data" (*link set), or the
 * directory itself.  A descriptor (-1 with err). */
static int open_data(int dfd, const char *path, uid_t reader, char link[KEYDIR_VERSION_MAX],
		     char *err, size_t el)
{
	struct stat st;
	ssize_t n = readlinkat(dfd, DATA_LINK, link, KEYDIR_VERSION_MAX - 1);
	if (n < 0 && (errno == ENOENT || errno == EINVAL)) {
		link[0] = 0;
		return openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (n < 0 || n == KEYDIR_VERSION_MAX - 1) {
		snprintf(err, el, "key directory %s: %s: %s", path, DATA_LINK,
			 n < 0 ? strerror(errno) : "target too long");
		return -1;
	}
	link[n] = 0;
	/* the Secret layout: one path component "..<timestamp>" */
	if (strncmp(link, "..", 2) || strchr(link, '/') || !strcmp(link, "..")) {
		snprintf(err, el,
			 "key directory %s: %s points to \"%s\", not to a ..<name> directory", path,
			 DATA_LINK, link);
		return -1;
	}
	if (fstatat(dfd, DATA_LINK, &st, AT_SYMLINK_NOFOLLOW) || !owner_ok(&st, reader)) {
		snprintf(err, el, "key directory %s: %s: not owned by root or the reader", path,
			 DATA_LINK);
		return -1;
	}
	int fd = openat(dfd, link, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, el, "key directory %s: %s: %s", path, link, strerror(errno));
		return -1;
	}
	char what[256];
	snprintf(what, sizeof(what), "key directory %s: %s", path, link);
	if (fstat(fd, &st) || check_dir(what, &st, reader, false, err, el)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void files_free(struct dir_files *f)
{
	for (unsigned i = 0; i < f->n; i++)
		eesp_secure_free(f->text[i], EESP_KEYDIR_MAX_FILE + 1);
	f->n = 0;
}

static int add_file(struct dir_files *f, int datafd, const char *path, const char *name,
		    uid_t reader, gid_t reader_gid, char *err, size_t el)
{
	struct stat st;
	int locked;
	if (f->n == EESP_KEYDIR_MAX_FILES) {
		snprintf(err, el, "key directory %s: more than %u files", path,
			 EESP_KEYDIR_MAX_FILES);
		return -1;
	}
	int ffd = openat(datafd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (ffd < 0) {
		snprintf(err, el, "key directory %s: %s: %s", path, name,
			 errno == ELOOP ? "a symlink (refused)" : strerror(errno));
		return -1;
	}
	char *buf = NULL;
	int rc = -1;
	if (fstat(ffd, &st) || check_file(path, name, &st, reader, reader_gid, err, el))
		goto out;
	buf = eesp_secure_alloc(EESP_KEYDIR_MAX_FILE + 1, &locked);
	if (!buf) {
		snprintf(err, el, "key directory %s: out of memory", path);
		goto out;
	}
	if (fd_read_full(ffd, buf, EESP_KEYDIR_MAX_FILE + 1, &f->len[f->n])) {
		snprintf(err, el, "key directory %s: %s: %s", path, name, strerror(errno));
		eesp_secure_free(buf, EESP_KEYDIR_MAX_FILE + 1);
		goto out;
	}
	snprintf(f->name[f->n], sizeof(f->name[0]), "%s", name);
	f->text[f->n++] = buf;
	rc = 0;
out:
	close(ffd);
	return rc;
}

struct file_walk {
	struct dir_files *f;
	int datafd;
	const char *path;
	uid_t reader;
	gid_t reader_gid;
	char *err;
	size_t el;
};

static int each_file(void *arg, const char *name)
{
	struct file_walk *w = arg;
	if (!strncmp(name, "..", 2))
		return 0; /* "..data", "..<timestamp>" */
	return add_file(w->f, w->datafd, w->path, name, w->reader, w->reader_gid, w->err, w->el);
}

/* Every file of the data directory (names starting ".." skipped). */
static int read_files(int datafd, const char *path, uid_t reader, gid_t reader_gid,
		      struct dir_files *f, char *err, size_t el)
{
	struct file_walk w = {f, datafd, path, reader, reader_gid, err, el};
	err[0] = 0;
	int rc = list_dir(datafd, each_file, &w);
	if (rc && !err[0])
		snprintf(err, el, "key directory %s: %s", path, strerror(errno));
	if (rc)
		files_free(f);
	return rc;
}

struct version_walk {
	int datafd;
	uint64_t h, n;
};

/* order-independent: the sum of one FNV-1a hash per entry */
static int each_version(void *arg, const char *name)
{
	struct version_walk *w = arg;
	struct stat st;
	if (fstatat(w->datafd, name, &st, AT_SYMLINK_NOFOLLOW))
		return 0;
	uint64_t e = 1469598103934665603ull;
	uint64_t v[4] = {(uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
			 (uint64_t)st.st_mtim.tv_nsec};
	for (const char *c = name; *c; c++)
		e = (e ^ (unsigned char)*c) * 1099511628211ull;
	for (unsigned i = 0; i < 4; i++)
		e = (e ^ v[i]) * 1099511628211ull;
	w->h += e;
	w->n++;
	return 0;
}

/* A plain directory's version: its entries' names and stat. */
static int flat_version(int datafd, char version[KEYDIR_VERSION_MAX])
{
	struct version_walk w = {datafd, 0, 0};
	if (list_dir(datafd, each_version, &w))
		return -1;
	snprintf(version, KEYDIR_VERSION_MAX, "files:%llu:%016llx", (unsigned long long)w.n,
		 (unsigned long long)w.h);
	return 0;
}

static int open_top(const char *path, uid_t reader, char *err, size_t el)
{
	struct stat st;
	char what[256];
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		snprintf(err, el, "key directory %s: %s", path,
			 errno == ELOOP ? "a symlink (refused)" : strerror(errno));
		return -1;
	}
	snprintf(what, sizeof(what), "key directory %s", path);
	if (fstat(dfd, &st) || check_dir(what, &st, reader, true, err, el)) {
		close(dfd);
		return -1;
	}
	return dfd;
}

/* The version of the set behind dfd now. */
static int version_of(int dfd, const char *path, uid_t reader, char version[KEYDIR_VERSION_MAX],
		      char *err, size_t el)
{
	int datafd = open_data(dfd, path, reader, version, err, el);
	if (datafd < 0)
		return -1;
	int rc = version[0] ? 0 : flat_version(datafd, version);
	close(datafd);
	if (rc)
		snprintf(err, el, "key directory %s: %s", path, strerror(errno));
	return rc;
}

int keydir_version(const char *path, char version[KEYDIR_VERSION_MAX], char *err, size_t err_len)
{
	int dfd = open_top(path, geteuid(), err, err_len);
	if (dfd < 0)
		return -1;
	int rc = version_of(dfd, path, geteuid(), version, err, err_len);
	close(dfd);
	return rc;
}

static int parse_files(const char *path, struct dir_files *f, struct eesp_keyset **out, char *err,
		       size_t el)
{
	struct eesp_keydir_file kf[EESP_KEYDIR_MAX_FILES];
	struct eesp_keyfile_error ke;
	for (unsigned i = 0; i < f->n; i++)
		kf[i] = (struct eesp_keydir_file){
		    .name = f->name[i], .text = f->text[i], .len = f->len[i]};
	struct eesp_keyset *ks = eesp_keyset_new();
	if (!ks) {
		snprintf(err, el, "key directory %s: out of memory", path);
		return -1;
	}
	if (eesp_keydir_parse(ks, kf, f->n, &ke)) {
		eesp_keyset_free(ks);
		snprintf(err, el, "key directory %s: %s", path, ke.msg);
		return -1;
	}
	*out = ks;
	return 0;
}

/* One read of the set; 1 if the version changed under it (read again). */
static int load_once(int dfd, const char *path, uid_t reader, gid_t reader_gid,
		     struct eesp_keyset **out, char version[KEYDIR_VERSION_MAX], char *err,
		     size_t el)
{
	char after[KEYDIR_VERSION_MAX];
	struct dir_files f = {.n = 0};
	if (version_of(dfd, path, reader, version, err, el))
		return -1;
	int datafd = open_data(dfd, path, reader, after, err, el);
	if (datafd < 0)
		return -1;
	int rc = read_files(datafd, path, reader, reader_gid, &f, err, el);
	close(datafd);
	if (rc)
		return -1;
	if (version_of(dfd, path, reader, after, err, el) == 0 && strcmp(after, version)) {
		files_free(&f);
		return 1;
	}
	rc = parse_files(path, &f, out, err, el);
	files_free(&f);
	return rc;
}

int keydir_load(const char *path, uid_t reader, gid_t reader_gid, struct eesp_keyset **out,
		char version[KEYDIR_VERSION_MAX], char *err, size_t err_len)
{
	int dfd = open_top(path, reader, err, err_len), rc = 1;
	*out = NULL;
	if (dfd < 0)
		return -1;
	for (unsigned t = 0; t < READ_TRIES && rc == 1; t++)
		rc = load_once(dfd, path, reader, reader_gid, out, version, err, err_len);
	close(dfd);
	if (rc == 1) {
		snprintf(err, err_len,
			 "key directory %s: changed during %u reads (a writer replacing files one "
			 "by one? swap ..data instead)",
			 path, READ_TRIES);
		return -1;
	}
	return rc;
}
