// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * files.c - files of the subcommands: whole files read into memory (secret
 * ones only if no one else may read them, wiped when freed), files replaced
 * atomically, and key files parsed by the core into keysets.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "keys.h"

static int read_fd(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap);
	if (!b)
		return -1;
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = malloc(cap * 2);
			if (!nb) {
				OPENSSL_cleanse(b, cap);
				free(b);
				return -1;
			}
			memcpy(nb, b, n);
			OPENSSL_cleanse(b, cap);
			free(b);
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			OPENSSL_cleanse(b, cap);
			free(b);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

static int read_file_mode(const char *path, char **buf, size_t *len, bool secret)
{
	int fd, rc;
	struct stat st;
	if (!strcmp(path, "-"))
		return read_fd(0, buf, len) ? (err("reading stdin: %s", strerror(errno)), -1) : 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		err("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		err("%s: is a directory", path);
		close(fd);
		return -1;
	}
	if (secret && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		err("%s: key file is accessible by group or others (mode %04o); refusing it "
		    "(chmod 600 %s)",
		    path, (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	rc = read_fd(fd, buf, len);
	if (rc)
		err("%s: %s", path, strerror(errno));
	close(fd);
	return rc;
}

int read_file(const char *path, char **buf, size_t *len)
{
	return read_file_mode(path, buf, len, false);
}

int read_secret_file(const char *path, char **buf, size_t *len)
{
	return read_file_mode(path, buf, len, true);
}

void free_secret(char *buf, size_t len)
{
	if (!buf)
		return;
	OPENSSL_cleanse(buf, len);
	free(buf);
}

int write_file_atomic(const char *path, const char *buf, size_t len, unsigned mode)
{
	char tmp[4200];
	int fd;
	size_t off = 0;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= sizeof(tmp)) {
		err("%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		err("%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode))
		goto fail;
	/* replacing a file: keep its owner and group (e.g. the daemon user
	 * that must be able to re-read a key file after dropping root) */
	struct stat st;
	if (!stat(path, &st) && (st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(fd, st.st_uid, st.st_gid))
		fprintf(stderr, "%s: warning: %s: cannot keep owner %u:%u (%s)\n", prog, path,
			(unsigned)st.st_uid, (unsigned)st.st_gid, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd))
		goto fail;
	if (close(fd)) {
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path)) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	err("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

struct eesp_keyset *load_keys(const char *path)
{
	return load_keys_id(path, NULL, NULL);
}

struct eesp_keyset *load_keys_id(const char *path, bool *has_id, uint32_t *id)
{
	char *buf;
	size_t len;
	struct eesp_keyfile_error e = {0};
	struct eesp_keyset *ks;
	if (read_secret_file(path, &buf, &len))
		return NULL;
	if (has_id)
		*has_id = keyfile_domain_id(buf, id);
	ks = eesp_keyset_new();
	if (!ks) {
		err("out of memory");
		free_secret(buf, len);
		return NULL;
	}
	if (eesp_keyfile_parse(ks, buf, len, &e)) {
		if (e.line)
			err("%s:%u: %s", strcmp(path, "-") ? path : "<stdin>", e.line, e.msg);
		else
			err("%s: %s", strcmp(path, "-") ? path : "<stdin>", e.msg);
		eesp_keyset_free(ks);
		free_secret(buf, len);
		return NULL;
	}
	free_secret(buf, len);
	return ks;
}

bool keyfile_domain_id(const char *buf, uint32_t *spi)
{
	const char *p = buf;
	while (p && *p) {
		char w1[16], w2[32], w3[8];
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char line[256];
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = 0;
			char *hash = strchr(line, '#');
			if (hash)
				*hash = 0;
			if (sscanf(line, "%15s %31s %7s", w1, w2, w3) == 2 &&
			    !strcmp(w1, level_name(EESP_LEVEL_DOMAIN)) && !parse_u32(w2, spi))
				return true;
		}
		p = nl ? nl + 1 : NULL;
	}
	return false;
}
