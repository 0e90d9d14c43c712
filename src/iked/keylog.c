// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keylog.c - the IKEv2 key log (keylog.h).
 */
#include "keylog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secmem.h"

int keylog_open(const char *path, char *err, size_t err_len)
{
	struct stat st;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EEXIST) {
		snprintf(err, err_len, "key_log %s: %s", path, strerror(errno));
		return -1;
	}
	/* it exists: append, but only to a file that is ours alone */
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "key_log %s: %s", path,
			 errno == ELOOP ? "a symbolic link (refused)" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st)) {
		snprintf(err, err_len, "key_log %s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		snprintf(err, err_len, "key_log %s: not a regular file with one link", path);
	} else if (st.st_uid != geteuid()) {
		snprintf(err, err_len, "key_log %s: owned by uid %u, not by this user (uid %u)",
			 path, (unsigned)st.st_uid, (unsigned)geteuid());
	} else if (st.st_mode & 077) {
		snprintf(err, err_len, "key_log %s: mode %04o, want 0600 (it holds secrets)", path,
			 (unsigned)(st.st_mode & 07777));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

const char *keylog_encr_name(uint16_t encr, uint16_t bits)
{
	if (encr != IKE_ENCR_AES_GCM_16)
		return "";
	switch (bits) {
	case 128:
		return "AES-GCM-128 with 16 octet ICV [RFC5282]";
	case 192:
		return "AES-GCM-192 with 16 octet ICV [RFC5282]";
	case 256:
		return "AES-GCM-256 with 16 octet ICV [RFC5282]";
	}
	return "";
}

static size_t put_hex(char *out, size_t cap, size_t at, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	if (at + 2 * n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++) {
		out[at++] = digits[p[i] >> 4];
		out[at++] = digits[p[i] & 15];
	}
	out[at] = 0;
	return at;
}

static size_t put_str(char *out, size_t cap, size_t at, const char *s)
{
	size_t n = strlen(s);
	if (!at || at + n >= cap)
		return 0;
	memcpy(out + at, s, n + 1);
	return at + n;
}

size_t keylog_format(char *out, size_t cap, const uint8_t spi_i[8], const uint8_t spi_r[8],
		     const struct ike_suite *s, const struct ike_keys *k)
{
	const char *encr = keylog_encr_name(s->encr, s->encr_bits);
	char prf[16];
	size_t at;
	if (!encr[0] || k->ak_len || !cap)
		return 0;
	snprintf(prf, sizeof(prf), " %u ", (unsigned)k->prf);
	at = put_hex(out, cap, 0, spi_i, 8);
	at = put_str(out, cap, at, ",");
	at = at ? put_hex(out, cap, at, spi_r, 8) : 0;
	at = put_str(out, cap, at, ",");
	at = at ? put_hex(out, cap, at, k->ei, k->ek_len) : 0;
	at = put_str(out, cap, at, ",");
	at = at ? put_hex(out, cap, at, k->er, k->ek_len) : 0;
	at = put_str(out, cap, at, ",\"");
	at = put_str(out, cap, at, encr);
	at = put_str(out, cap, at, "\",,,\"NONE [RFC4306]\"\n# eesp-iked SK_d ");
	at = at ? put_hex(out, cap, at, spi_i, 8) : 0;
	at = put_str(out, cap, at, " ");
	at = at ? put_hex(out, cap, at, spi_r, 8) : 0;
	at = put_str(out, cap, at, prf);
	at = at ? put_hex(out, cap, at, k->d, k->prf_len) : 0;
	at = put_str(out, cap, at, "\n");
	if (!at)
		out[0] = 0;
	return at;
}

int keylog_write(int fd, const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ike_suite *s,
		 const struct ike_keys *k)
{
	char *line = eesp_secure_alloc(KEYLOG_LINE_MAX, NULL);
	size_t n;
	ssize_t w = -1;
	if (!line)
		return -1;
	n = keylog_format(line, KEYLOG_LINE_MAX, spi_i, spi_r, s, k);
	if (n)
		w = write(fd, line, n);
	eesp_secure_free(line, KEYLOG_LINE_MAX);
	return n && w == (ssize_t)n ? 0 : -1;
}
