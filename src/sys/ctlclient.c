// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlclient.c - one request to a daemon's control socket (ctlclient.h).
 */
#include "ctlclient.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "secmem.h"

#define CTL_TIMEOUT_MS 10000
#define CTL_MAX_REPLY (4u << 20)

/* what a failed connect() most likely means */
static void connect_hint(int e, const char *daemon, char *out, size_t cap)
{
	out[0] = 0;
	if (e == ENOENT)
		snprintf(out, cap, " (is %s running? use -s SOCKET)", daemon);
	/* the daemon cannot remove its socket after dropping root (eespd(8)):
	 * nobody listening there means it is no longer running */
	if (e == ECONNREFUSED)
		snprintf(out, cap, " (%s is not running: stale socket)", daemon);
}

/* A reply may carry keys (spi-alloc): wiped before its memory goes back. */
static void reply_free(char *rep, size_t cap)
{
	if (rep)
		eesp_wipe(rep, cap);
	free(rep);
}

int ctl_call(const char *sock, const char *line, size_t n, char **body, char *errbuf, size_t errlen)
{
	return ctl_call_full("eespd", sock, line, n, CTL_TIMEOUT_MS, body, errbuf, errlen);
}

int ctl_call_daemon(const char *daemon, const char *sock, const char *line, size_t n, char **body,
		    char *errbuf, size_t errlen)
{
	return ctl_call_full(daemon, sock, line, n, CTL_TIMEOUT_MS, body, errbuf, errlen);
}

int ctl_call_timeout(const char *sock, const char *line, size_t n, int timeout_ms, char **body,
		     char *errbuf, size_t errlen)
{
	return ctl_call_full("eespd", sock, line, n, timeout_ms, body, errbuf, errlen);
}

int ctl_call_full(const char *daemon, const char *sock, const char *line, size_t n, int timeout_ms,
		  char **body, char *errbuf, size_t errlen)
{
	char hint[80];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t cap = 4096, len = 0;
	char *rep = NULL;
	int fd = -1;

	*body = NULL;
	if (strlen(sock) >= sizeof(sa.sun_path)) {
		snprintf(errbuf, errlen, "%s: socket path too long", sock);
		return -1;
	}
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int e = errno;
		connect_hint(e, daemon, hint, sizeof(hint));
		snprintf(errbuf, errlen, "cannot connect to %s at %s: %s%s", daemon, sock,
			 strerror(e), hint);
		goto fail;
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = send(fd, line + off, n - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(errbuf, errlen, "%s: send: %s", sock, strerror(errno));
			goto fail;
		}
		off += (size_t)w;
	}
	shutdown(fd, SHUT_WR);
	rep = malloc(cap);
	if (!rep)
		goto oom;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int pr = poll(&p, 1, timeout_ms);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			snprintf(errbuf, errlen, "%s: no reply from %s within %d s", sock, daemon,
				 timeout_ms / 1000);
			goto fail;
		}
		if (len + 1 >= cap) {
			if (cap >= CTL_MAX_REPLY) {
				snprintf(errbuf, errlen, "%s: reply too long", sock);
				goto fail;
			}
			char *nr = malloc(cap * 2); /* not realloc: the old copy is wiped */
			if (!nr)
				goto oom;
			memcpy(nr, rep, len);
			reply_free(rep, cap);
			rep = nr;
			cap *= 2;
		}
		ssize_t r = recv(fd, rep + len, cap - len - 1, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(errbuf, errlen, "%s: recv: %s", sock, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	rep[len] = 0;
	close(fd);
	fd = -1;
	char *nl = strchr(rep, '\n');
	char *first_end = nl ? nl : rep + len;
	if ((size_t)(first_end - rep) == 2 && !strncmp(rep, "ok", 2)) {
		size_t blen = nl ? len - (size_t)(nl + 1 - rep) : 0;
		memmove(rep, nl ? nl + 1 : rep + len, blen);
		eesp_wipe(rep + blen, cap - blen); /* the moved tail; terminates too */
		*body = rep;
		return 0;
	}
	if (!strncmp(rep, "error", 5)) {
		*first_end = 0;
		const char *m = rep + 5;
		while (*m == ' ')
			m++;
		snprintf(errbuf, errlen, "%s: %s", daemon, *m ? m : "error");
		reply_free(rep, cap);
		return 1;
	}
	*first_end = 0;
	snprintf(errbuf, errlen, "%s: malformed reply from %s: '%.60s'", sock, daemon, rep);
	reply_free(rep, cap);
	return -1;
oom:
	snprintf(errbuf, errlen, "out of memory");
fail:
	reply_free(rep, cap);
	if (fd >= 0)
		close(fd);
	return -1;
}
