/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * genvectors - write the project's EESP/PSP test vectors into a directory.
 *
 *   build/genvectors vectors        (make vectors-regen)
 *
 * The output is deterministic; tests/unit/test_vectors.c regenerates it in
 * memory and fails if a single byte differs from the committed files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "errors.h"
#include "vectors.h"

static int write_file(void *arg, const char *name, const uint8_t *data, size_t len)
{
	const char *dir = arg;
	char path[4096];
	FILE *f;

	if (strchr(name, '/')) {
		/* one level of subdirectory (keys/) */
		char sub[4096];
		snprintf(sub, sizeof(sub), "%s/%.*s", dir, (int)(strchr(name, '/') - name), name);
		if (mkdir(sub, 0755) && errno != EEXIST) {
			fprintf(stderr, "genvectors: %s: %s\n", sub, strerror(errno));
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "genvectors: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s DIR\n  write the EESP/PSP test vectors into DIR\n",
			argv[0]);
		return 2;
	}
	if (mkdir(argv[1], 0755) && errno != EEXIST) {
		fprintf(stderr, "genvectors: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	rc = eesp_vectors_generate(write_file, argv[1]);
	if (rc) {
		fprintf(stderr, "genvectors: failed (%s)\n",
			rc > 0 ? eesp_err_name(rc) : "write error");
		return 1;
	}
	return 0;
}
