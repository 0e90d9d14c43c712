/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlserve.h - serving a control socket (ctlsock.h) from a program's poll
 * loop without ever blocking it: the listener and every connection are
 * non-blocking, each connection has a deadline to send its one request
 * line and another to take its reply, and at most CTLSERVE_MAX_CONNS are
 * open (later clients wait in the backlog).  What a request means is the
 * program's: a callback gets the line and the client's credentials
 * (ctlpeer.h) and returns the whole reply.
 *
 * Use: fill pollfds with ctlserve_pollfds(), poll with a timeout no longer
 * than ctlserve_timeout_ms() (-1: no deadline), then ctlserve_process()
 * the same entries.  eesp-iked uses it; eespd's ctlserver.c is the same
 * loop written for struct eespd.
 */
#ifndef EESP_SYS_CTLSERVE_H
#define EESP_SYS_CTLSERVE_H

#include <stddef.h>
#include <sys/types.h>

#include "ctlpeer.h"

#define CTLSERVE_MAX_CONNS 32

struct pollfd;
struct ctlserve;

/* The reply (malloc()ed, wiped and freed by the server; NULL: out of
 * memory, the connection is closed) to the request line (len octets,
 * NUL-terminated at line[len], writable) of the client peer. */
typedef char *ctlserve_answer_fn(void *arg, const struct ctl_peer *peer, char *line, size_t len,
				 size_t *out_len);

/* A server of the listening socket lfd (not owned); admin_gid: the group
 * whose members count as admins in struct ctl_peer ((gid_t)-1: none). */
struct ctlserve *ctlserve_new(int lfd, gid_t admin_gid, ctlserve_answer_fn *fn, void *arg);
/* Closes every connection. */
void ctlserve_free(struct ctlserve *s);

unsigned ctlserve_pollfds(const struct ctlserve *s, struct pollfd *p, unsigned cap);
int ctlserve_timeout_ms(const struct ctlserve *s);
void ctlserve_process(struct ctlserve *s, const struct pollfd *p, unsigned n);

#endif /* EESP_SYS_CTLSERVE_H */
