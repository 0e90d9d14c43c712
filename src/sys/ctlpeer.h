/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlpeer.h - who may use which control verb (issue 14, finding 9).
 *
 * The socket's mode lets root and the control group connect; each verb's
 * class (src/core/ctlproto.h) then decides: read verbs for every client,
 * admin verbs for uid 0 and for members (primary or supplementary group,
 * from SO_PEERCRED and SO_PEERGROUPS at connect time) of daemon.admin_group,
 * sa verbs (runtime SAs) for those and for members of daemon.sa_group.
 */
#ifndef EESP_SYS_CTLPEER_H
#define EESP_SYS_CTLPEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ctlproto.h"

struct ctl_peer {
	bool known; /* SO_PEERCRED answered */
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool in_admin_group; /* primary or supplementary member of admin_gid */
	bool in_sa_group;    /* the same for sa_gid */
};

/* The groups that widen what a client may do ((gid_t)-1 / "": none). */
struct ctl_groups {
	gid_t admin_gid, sa_gid;
	const char *admin, *sa; /* their names, for messages */
};

/* Credentials of the client on fd, measured against the groups.  A client
 * whose credentials cannot be read gets read verbs only. */
void ctl_peer_get(int fd, const struct ctl_groups *g, struct ctl_peer *p);

/* 0 if the peer may use the verb; else -1 with "permission denied: <verb>
 * needs root or group <admin_group>" (sa verbs: "... or group <admin_group>
 * or group <sa_group>") in err. */
int ctl_peer_allow(const struct ctl_peer *p, enum eesp_ctl_verb verb, const struct ctl_groups *g,
		   char *err, size_t err_len);

#endif /* EESP_SYS_CTLPEER_H */
