// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify.c - systemd's readiness protocol (notify.h): a datagram of
 * newline-separated assignments to the AF_UNIX socket in $NOTIFY_SOCKET.
 * systemd learns the sender's pid from the socket's credentials, so a
 * plain send() from the service's main process is all it takes.
 */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

int notify_open(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t n;
	int fd;
	if (!path || !*path)
		return -1;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
		log_warn("NOTIFY_SOCKET=%s: not a socket path; no readiness notification", path);
		unsetenv("NOTIFY_SOCKET");
		return -1;
	}
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = 0; /* abstract namespace */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa,
			      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n))) {
		log_warn("NOTIFY_SOCKET=%s: %s; no readiness notification", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	/* nothing this process starts may notify in its name */
	unsetenv("NOTIFY_SOCKET");
	return fd;
}

void notify_send(int fd, const char *msg)
{
	if (fd >= 0 && send(fd, msg, strlen(msg), MSG_NOSIGNAL) < 0)
		log_debug("sd_notify: %s", strerror(errno));
}

void notify_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
