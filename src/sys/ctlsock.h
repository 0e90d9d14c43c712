/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlsock.h - the listening side of a control socket, set up as root.
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
#ifndef EESP_SYS_CTLSOCK_H
#define EESP_SYS_CTLSOCK_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/un.h>

struct ctl_listener {
	int fd;	   /* listening, non-blocking, close-on-exec; -1 when closed */
	int dirfd; /* the socket's directory */
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev; /* the socket's inode, to remove only our own */
	ino_t ino;
};

/*
 * Listen on path.  gid: the control group (socket 0660 root:gid, directory
 * 0750 root:gid) or (gid_t)-1 (0600 and 0700, root only).  0, or -1 with a
 * message in err naming what to fix.
 */
int ctl_listen(struct ctl_listener *l, const char *path, gid_t gid, char *err, size_t err_len);

/* Close the listener and remove the socket if it is still ours and the
 * process still may (root's directory: usually only before the privilege
 * drop; afterwards the next start finds it stale and removes it). */
void ctl_listener_close(struct ctl_listener *l);

#endif /* EESP_SYS_CTLSOCK_H */
