/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlsock.h - set-up of the control socket (issue 14, finding 2).
 *
 * Root creates the socket and must never be steered by a less-privileged
 * user: the socket's directory belongs to root (0750 root:<control group>,
 * or 0700 root:root) and is used only through one O_NOFOLLOW directory
 * descriptor; nothing is chowned or chmodded by path.  A directory that is
 * not root's or is group/world-writable is refused.  Because the
 * unprivileged daemon then cannot remove its socket, a socket left at the
 * name is probed: a live daemon there stops the start ("in use"), a dead
 * one (ECONNREFUSED) is removed.
 */
#ifndef EESPD_CTLSOCK_H
#define EESPD_CTLSOCK_H

#include <stddef.h>
#include <sys/types.h>

/* Listen on path (non-blocking, close-on-exec).  gid: the control group
 * (socket 0660 root:gid, directory 0750 root:gid) or (gid_t)-1 (0600 and
 * 0700, root only).  Returns the listening descriptor, or -1 with a message
 * in err.  On success the socket is removed again at exit() when the process
 * still may (it is root's directory: usually only before the privilege
 * drop; afterwards the next start finds it stale and removes it). */
int ctl_listen(const char *path, gid_t gid, char *err, size_t err_len);

#endif /* EESPD_CTLSOCK_H */
