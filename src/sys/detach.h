/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * detach.h - going into the background without losing start-up errors.
 *
 * daemon(3) returns in the child and lets the parent exit 0 at once, so a
 * start that failed afterwards (the port taken, no TUN) exited 0 and said
 * so only in syslog (issue 17, item 1).  Here the parent stays until the
 * child reports over a socket pair: ready (the parent exits 0) or failed
 * (the parent prints the reason on stderr and exits 1); a child that dies
 * without a word makes the parent exit 1 too.
 */
#ifndef EESP_SYS_DETACH_H
#define EESP_SYS_DETACH_H

#include <stddef.h>

/*
 * Fork; the parent never returns (it exits with the child's report).  The
 * child runs on in a new session in /, with stdin, stdout and stderr on
 * /dev/null, and gets its end of the report channel (>= 0); -1 with err
 * if the fork itself failed (nothing detached).
 */
int detach_start(const char *ident, char *err, size_t err_len);
/* The child's report (each closes the channel; fd < 0: nothing). */
void detach_ready(int fd);
void detach_failed(int fd, const char *reason);

#endif /* EESP_SYS_DETACH_H */
