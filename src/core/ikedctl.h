/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikedctl.h - the control-socket protocol of eesp-iked, in the style of
 * eespd's (ctlproto.h): one request line per connection, the reply "ok\n"
 * and a body, or "error <message>\n".
 *
 *   status [json]              one-line summary
 *   show [json]                the IKE SAs: SPIs, suite, state, peer, age
 *   counters [json]            counters by name (drops by reason)
 *   initiate <peer>            bring up an IKE SA with a configured peer
 *   terminate <peer>           delete the peer's IKE SAs (no re-initiation)
 *
 * status, show and counters are read verbs (anyone who can reach the
 * socket); initiate and terminate are admin verbs (root and the admin
 * group).  Pure: the daemon, eespctl and the unit tests share it.
 */
#ifndef EESP_IKEDCTL_H
#define EESP_IKEDCTL_H

#include <stdbool.h>
#include <stddef.h>

#define IKED_CTL_MAX_LINE 256
#define IKED_CTL_PEER_MAX 63

enum iked_ctl_verb {
	IKED_CTL_STATUS,
	IKED_CTL_SHOW,
	IKED_CTL_COUNTERS,
	IKED_CTL_INITIATE,
	IKED_CTL_TERMINATE,
	IKED_CTL__COUNT
};

struct iked_ctl_req {
	enum iked_ctl_verb verb;
	bool json;
	char peer[IKED_CTL_PEER_MAX + 1];
};

/* One request line (with or without its newline); 0, or -1 with err. */
int iked_ctl_parse(const char *line, size_t len, struct iked_ctl_req *req, char *err,
		   size_t err_len);
/* The line for a request (with '\n'), its length; 0 when invalid. */
size_t iked_ctl_format(const struct iked_ctl_req *req, char *out, size_t cap);
/* Wire name of a verb, NULL for none. */
const char *iked_ctl_verb_name(enum iked_ctl_verb v);
/* true for initiate and terminate. */
bool iked_ctl_verb_is_admin(enum iked_ctl_verb v);

#endif /* EESP_IKEDCTL_H */
