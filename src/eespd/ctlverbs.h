/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlverbs.h - one control request answered: parsed, checked against the
 * client's credentials, handled.
 */
#ifndef EESPD_CTLVERBS_H
#define EESPD_CTLVERBS_H

#include <stdbool.h>
#include <stddef.h>

#include "ctlpeer.h"
#include "eespd.h"

/* A request that may wait (sa-wait, until the key serial moves). */
struct ctl_wait {
	bool now;	  /* in: the client's deadline has come: answer as things stand */
	bool park;	  /* out: no reply yet; ask again with the same line later */
	unsigned wait_ms; /* out, with park: the client's deadline, from now */
};

/* The reply to one request line (complete or not; line has room for a NUL
 * at line[len]): "ok\n<body>" or "error <message>\n", malloc()ed (the
 * caller wipes and frees it); NULL if out of memory, or (w->park) when the
 * request waits: the caller asks again whenever something may have changed
 * (after each round of its poll loop) and with w->now at the deadline.  w
 * may be NULL (never wait). */
char *ctlverbs_answer(struct eespd *e, const struct ctl_peer *peer, char *line, size_t len,
		      size_t *out_len, struct ctl_wait *w);

/* The admin and sa groups of the running configuration (ctlpeer.h). */
void ctlverbs_groups(const struct eespd *e, struct ctl_groups *g);

#endif /* EESPD_CTLVERBS_H */
