// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * util.c - helpers shared by the subcommands: messages, hex, numbers, files
 * with secrets, key files (parsed by the core), names of levels/profiles.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "keys.h"

const char *prog = PROG;

void err(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void warnx(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "Warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool want_help(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int hex_decode(const char *s, size_t slen, uint8_t *out, size_t len)
{
	size_t i = 0, n = 0;
	while (i < slen && isspace((unsigned char)s[i]))
		i++;
	while (slen > i && isspace((unsigned char)s[slen - 1]))
		slen--;
	if (slen - i != 2 * len)
		return -1;
	for (; n < len; n++, i += 2) {
		int hi = hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[n] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

long hex_decode_var(const char *s, uint8_t *out, size_t cap)
{
	size_t l = strlen(s);
	if (l >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		l -= 2;
	}
	if (l % 2 || l / 2 > cap)
		return -1;
	if (hex_decode(s, l, out, l / 2))
		return -1;
	return (long)(l / 2);
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = d[in[i] >> 4];
		out[2 * i + 1] = d[in[i] & 15];
	}
	out[2 * len] = 0;
}

void print_hex(FILE *f, const uint8_t *in, size_t len)
{
	char buf[2 * 64 + 1];
	while (len) {
		size_t n = len > 64 ? 64 : len;
		hex_encode(in, n, buf);
		fputs(buf, f);
		in += n;
		len -= n;
	}
}

int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	int base = 10;
	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -1;
	}
	errno = 0;
	unsigned long long x = strtoull(s, &end, base);
	if (errno || *end)
		return -1;
	*v = x;
	return 0;
}

int parse_u32(const char *s, uint32_t *v)
{
	uint64_t x;
	if (parse_u64(s, &x) || x > UINT32_MAX)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

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

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
