// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * psk.c - PSK files with the ownership and mode rules of psk.h.
 */
#include "psk.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdread.h"
#include "secmem.h"

#define PSK_FILE_MAX 4096

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int psk_parse(const char *text, size_t n, struct iked_psk *psk, char *err, size_t err_len)
{
	int locked;
	size_t len = 0;
	if (n && text[n - 1] == '\n')
		n--;
	if (n && text[n - 1] == '\r')
		n--;
	psk->key = eesp_secure_alloc(IKED_PSK_MAX, &locked);
	psk->len = 0;
	if (!psk->key) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	if (n >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		if ((n - 2) % 2 || (n - 2) / 2 > IKED_PSK_MAX) {
			snprintf(err, err_len,
				 "hex key: an even number of hex digits, at most %d "
				 "octets",
				 IKED_PSK_MAX);
			goto bad;
		}
		for (size_t i = 2; i < n; i += 2) {
			int a = hexval(text[i]), b = hexval(text[i + 1]);
			if (a < 0 || b < 0) {
				snprintf(err, err_len,
					 "hex key: '%c' at offset %zu is not a hex digit",
					 a < 0 ? text[i] : text[i + 1], a < 0 ? i : i + 1);
				goto bad;
			}
			psk->key[len++] = (uint8_t)(a << 4 | b);
		}
	} else {
		if (n > IKED_PSK_MAX) {
			snprintf(err, err_len, "longer than %d octets", IKED_PSK_MAX);
			goto bad;
		}
		if (memchr(text, '\n', n)) {
			snprintf(err, err_len,
				 "more than one line (the whole first line is the key)");
			goto bad;
		}
		memcpy(psk->key, text, n);
		len = n;
	}
	if (len < IKED_PSK_MIN) {
		snprintf(err, err_len,
			 "%zu octets: a PSK needs at least %d (AUTH can be attacked "
			 "offline with a guessable key)",
			 len, IKED_PSK_MIN);
		goto bad;
	}
	psk->len = len;
	return 0;
bad:
	eesp_secure_free(psk->key, IKED_PSK_MAX);
	psk->key = NULL;
	return -1;
}

/* the fstat rules of psk.h */
static int check_file(const char *path, const struct stat *st, uid_t uid, char *err, size_t err_len)
{
	if (!S_ISREG(st->st_mode))
		snprintf(err, err_len, "psk file %s: not a regular file", path);
	else if (st->st_nlink != 1)
		snprintf(err, err_len,
			 "psk file %s: has %lu hard links (one allowed: a link "
			 "could make another file pass for it)",
			 path, (unsigned long)st->st_nlink);
	else if (st->st_uid != uid)
		snprintf(err, err_len,
			 "psk file %s: owned by uid %u, not by the daemon user (uid %u) that "
			 "reads it: chown it to that user",
			 path, (unsigned)st->st_uid, (unsigned)uid);
	else if (st->st_mode & 077)
		snprintf(err, err_len,
			 "psk file %s: mode %04o is too open (0600 or stricter: no group or "
			 "other access)",
			 path, (unsigned)(st->st_mode & 07777));
	else if (st->st_size > PSK_FILE_MAX)
		snprintf(err, err_len, "psk file %s: larger than %d octets", path, PSK_FILE_MAX);
	else
		return 0;
	return -1;
}

int psk_load(const char *path, uid_t uid, struct iked_psk *psk, char *err, size_t err_len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	char why[200];
	struct stat st;
	size_t len = 0;
	int locked, rc = -1;
	char *buf;

	psk->key = NULL;
	psk->len = 0;
	if (fd < 0) {
		snprintf(err, err_len, "psk file %s: %s", path,
			 errno == ELOOP ? "a symbolic link (refused)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, err_len, "psk file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (check_file(path, &st, uid, err, err_len)) {
		close(fd);
		return -1;
	}
	buf = eesp_secure_alloc(PSK_FILE_MAX + 1, &locked);
	if (!buf) {
		snprintf(err, err_len, "psk file %s: out of memory", path);
		close(fd);
		return -1;
	}
	(void)fd_read_full(fd, buf, PSK_FILE_MAX, &len); /* a short read fails the parse */
	close(fd);
	if (psk_parse(buf, len, psk, why, sizeof(why)) == 0)
		rc = 0;
	else
		snprintf(err, err_len, "psk file %s: %s", path, why);
	eesp_secure_free(buf, PSK_FILE_MAX + 1);
	return rc;
}
