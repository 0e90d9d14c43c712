/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs.h - the daemon user and the privilege drop.
 */
#ifndef EESP_SYS_PRIVS_H
#define EESP_SYS_PRIVS_H

#include <stddef.h>
#include <sys/types.h>

/* The user's uid, primary gid and name; -1 if there is no such user (no
 * fallback to "nobody", a uid other services share). */
int privs_lookup(const char *user, uid_t *uid, gid_t *gid, char *name_out, size_t cap);

/* Can this process do the privileged part of the start (the TUN device
 * ifname needs CAP_NET_ADMIN)?  0, or -1 with what to do in err: start as
 * root (user: who it runs as after), or grant the capability. */
int privs_check_start(const char *ifname, const char *user, char *err, size_t err_len);

/* Become uid:gid with no capabilities at all (effective, permitted,
 * inheritable, bounding and ambient sets empty), no supplementary groups,
 * no_new_privs and not dumpable.  Not root: nothing to drop, 0.  0 or -1
 * with a message in err. */
int privs_drop(uid_t uid, gid_t gid, char *err, size_t err_len);

#endif /* EESP_SYS_PRIVS_H */
