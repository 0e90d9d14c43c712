// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * genkey.c - `eespctl genkey` and `eespctl fingerprint`.
 *
 * genkey writes 32 random bytes (OpenSSL RAND_bytes) as 64 hex digits; as
 * `wg genkey` does, it warns when stdout is a file that group or others can
 * read.  fingerprint reads a key from stdin and prints the short fingerprint
 * that `domain show` and eespd display (keys.h, first 8 bytes of SHA-256).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "eespctl.h"
#include "keys.h"

static void genkey_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s genkey [--help]\n\n"
		"Writes a new random 32-byte key (64 hex digits) to stdout: a root key for\n"
		"a domain, tenant or group level, or a PSP master key.  Warns when stdout is\n"
		"a file that group or others can read.\n\n"
		"Example:\n  umask 077; %s genkey > root.key\n",
		PROG, PROG);
}

int genkey_main(int argc, char *argv[])
{
	uint8_t key[32];
	char hex[65];
	struct stat st;

	if (want_help(argc, argv)) {
		genkey_usage(stdout);
		return 0;
	}
	if (argc != 1) {
		genkey_usage(stderr);
		return EXIT_USAGE;
	}
	if (!fstat(STDOUT_FILENO, &st) && S_ISREG(st.st_mode) && (st.st_mode & (S_IRGRP | S_IROTH)))
		warnx("writing a secret key to a file that group or others can read (mode %04o).\n"
		      "Consider setting your umask to 077 and trying again.",
		      (unsigned)(st.st_mode & 07777));
	if (RAND_bytes(key, sizeof(key)) != 1) {
		err("RAND_bytes failed");
		return 1;
	}
	hex_encode(key, sizeof(key), hex);
	OPENSSL_cleanse(key, sizeof(key));
	if (printf("%s\n", hex) < 0 || fflush(stdout)) {
		OPENSSL_cleanse(hex, sizeof(hex));
		err("writing stdout: %s", strerror(errno));
		return 1;
	}
	OPENSSL_cleanse(hex, sizeof(hex));
	return 0;
}

static void fingerprint_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s fingerprint [--help] < KEY\n\n"
		"Reads one key in hex from stdin (64 hex digits for a root or master key,\n"
		"32 for an AES-128 data key) and prints its fingerprint: the first 8 bytes\n"
		"of its SHA-256, as `domain show` and `eespctl show` display it.\n\n"
		"Example:\n  %s genkey | tee root.key | %s fingerprint\n",
		PROG, PROG, PROG);
}

int fingerprint_main(int argc, char *argv[])
{
	char *buf;
	size_t len;
	uint8_t key[32];
	char fp[17];

	if (want_help(argc, argv)) {
		fingerprint_usage(stdout);
		return 0;
	}
	if (argc != 1) {
		fingerprint_usage(stderr);
		return EXIT_USAGE;
	}
	if (read_file("-", &buf, &len))
		return 1;
	size_t klen = 0;
	if (!hex_decode(buf, len, key, 32))
		klen = 32;
	else if (!hex_decode(buf, len, key, 16))
		klen = 16;
	free_secret(buf, len);
	if (!klen) {
		OPENSSL_cleanse(key, sizeof(key)); /* what a failed decode left */
		err("fingerprint: expected a key of 64 (or 32) hex digits on stdin");
		return 1;
	}
	eesp_key_fingerprint(key, klen, fp);
	OPENSSL_cleanse(key, sizeof(key));
	printf("%s\n", fp);
	return 0;
}
