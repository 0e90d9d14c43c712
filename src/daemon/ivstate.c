// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ivstate.c - persisted IV high-water marks, one file per worker (Session
 * ID) in state_dir: "<interface>.<worker>.iv", one decimal number.  The file
 * is opened before the privilege drop and kept open; a new mark is written
 * and fsync()ed before any IV below it is used (see ivgen.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eespd.h"

int ivstate_open(const char *dir, const char *ifname, unsigned worker, struct ivstate *s, char *err,
		 size_t err_len)
{
	char path[4200], buf[64];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s.%u.iv", dir, ifname, worker);
	s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	s->hwm = 0;
	n = pread(s->fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		buf[n] = 0;
		s->hwm = strtoull(buf, NULL, 10);
	}
	return 0;
}

int ivstate_persist(struct ivstate *s, uint64_t hwm)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020" PRIu64 "\n", hwm);
	if (pwrite(s->fd, buf, (size_t)n, 0) != n)
		return -1;
	if (fsync(s->fd))
		return -1;
	s->hwm = hwm;
	return 0;
}
