/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlserver.h - serving the control socket from the main poll loop: fill
 * pollfds (listener + clients), poll with a timeout <= ctl_timeout_ms()
 * (-1: no deadline), then ctl_process() the same array.
 */
#ifndef EESPD_CTLSERVER_H
#define EESPD_CTLSERVER_H

struct eespd;
struct pollfd;
struct ctl_server;

/* The server of the listening socket lfd (not owned). */
struct ctl_server *ctl_server_new(struct eespd *e, int lfd);
/* Closes every connection. */
void ctl_server_free(struct ctl_server *s);

unsigned ctl_pollfds(const struct ctl_server *s, struct pollfd *p, unsigned cap);
int ctl_timeout_ms(const struct ctl_server *s);
void ctl_process(struct ctl_server *s, const struct pollfd *p, unsigned n);
/* How many requests wait (sa-wait) now. */
unsigned ctl_waiting(const struct ctl_server *s);

#endif /* EESPD_CTLSERVER_H */
