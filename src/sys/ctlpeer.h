/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlpeer.h - who may use which control verb (issue 14, finding 9).
 *
 * The socket's mode lets root and the control group connect; each verb's
 * class (src/core/ctlproto.h) then decides: read verbs for every client,
 * admin verbs for uid 0 and for members (primary or supplementary group,
 * from SO_PEERCRED and SO_PEERGROUPS at connect time) of daemon.admin_group.
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
};

/* Credentials of the client on fd, measured against admin_gid ((gid_t)-1:
 * no admin group).  A client whose credentials cannot be read gets read
 * verbs only. */
void ctl_peer_get(int fd, gid_t admin_gid, struct ctl_peer *p);

/* 0 if the peer may use the verb; else -1 with "permission denied: <verb>
 * needs root or group <admin_group>" in err (admin_group: its name, "" for
 * none). */
int ctl_peer_allow(const struct ctl_peer *p, enum eesp_ctl_verb verb, const char *admin_group,
		   char *err, size_t err_len);

#endif /* EESP_SYS_CTLPEER_H */
