// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fdread.c - read an open file to its end (fdread.h).
 */
#include "fdread.h"

#include <errno.h>
#include <unistd.h>

int fd_read_full(int fd, void *buf, size_t cap, size_t *len)
{
	char *p = buf;
	*len = 0;
	while (*len < cap) {
		ssize_t r = read(fd, p + *len, cap - *len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		*len += (size_t)r;
	}
	return 0;
}
