/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlclient.h - the client side of the control protocol (src/core/ctlproto.h):
 * one request line per connection, then the reply "ok\n<body>" or
 * "error <message>\n" until the daemon closes.  Used by eespctl, and by any
 * program that drives eespd.
 */
#ifndef EESP_SYS_CTLCLIENT_H
#define EESP_SYS_CTLCLIENT_H

#include <stddef.h>

/*
 * Send the n bytes of line (ending in '\n') to the daemon at sock and read
 * its reply.  0: "ok", the body (NUL-terminated, malloc()ed: the caller
 * frees it, wiping it first when it may hold keys) in *body.  1: the daemon
 * answered an error, its message in errbuf.  -1: no answer (connect, I/O,
 * timeout, malformed reply), the reason in errbuf.
 */
int ctl_call(const char *sock, const char *line, size_t n, char **body, char *errbuf,
	     size_t errlen);
/* The same for another daemon, named daemon ("eesp-iked") in the messages. */
int ctl_call_daemon(const char *daemon, const char *sock, const char *line, size_t n, char **body,
		    char *errbuf, size_t errlen);
/* The same with the time to wait for the reply (ctl_call: 10 s), for a
 * request that waits in the daemon (sa-wait). */
int ctl_call_timeout(const char *sock, const char *line, size_t n, int timeout_ms, char **body,
		     char *errbuf, size_t errlen);
/* All of them: daemon names the daemon in messages, timeout_ms bounds the wait. */
int ctl_call_full(const char *daemon, const char *sock, const char *line, size_t n, int timeout_ms,
		  char **body, char *errbuf, size_t errlen);

#endif /* EESP_SYS_CTLCLIENT_H */
