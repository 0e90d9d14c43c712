/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h - readiness for systemd (Type=notify): the NOTIFY_SOCKET
 * datagram protocol of sd_notify(3), done here rather than with libsystemd
 * (a library and its dependencies in a sandboxed daemon for one sendto;
 * libsystemd's sd_notify also uses sendmsg, which the seccomp filter does
 * not allow).
 *
 * notify_open() is called at start, before the privilege drop and the
 * filter: it connects a datagram socket to $NOTIFY_SOCKET (a path, or
 * "@name" in the abstract namespace) and unsets the variable.  Afterwards a
 * message is one send() on the connected socket, which the filter allows.
 */
#ifndef EESP_SYS_NOTIFY_H
#define EESP_SYS_NOTIFY_H

/* The connected socket, or -1 when not started by systemd with
 * NOTIFY_SOCKET (or the socket cannot be reached: logged). */
int notify_open(void);
/* One datagram of "KEY=value" lines ("READY=1\nSTATUS=..."); best effort,
 * nothing when fd < 0. */
void notify_send(int fd, const char *msg);
void notify_close(int fd);

#endif /* EESP_SYS_NOTIFY_H */
