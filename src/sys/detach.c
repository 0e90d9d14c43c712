// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * detach.c - fork into the background, the parent waiting for the child's
 * report (detach.h).  The report is one message on a stream socket pair:
 * "R" (ready) or "E<reason>" (failed), then the child closes its end.
 */
#include "detach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define REPORT_MAX 1024

/* The parent: wait for the report, pass it on, exit. */
static void parent_wait(int fd, pid_t child, const char *ident)
{
	char buf[REPORT_MAX + 1];
	size_t len = 0;
	int status;
	for (;;) {
		ssize_t r = read(fd, buf + len, REPORT_MAX - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (len += (size_t)r) == REPORT_MAX)
			break;
	}
	buf[len] = 0;
	if (len && buf[0] == 'R')
		exit(0);
	if (len > 1 && buf[0] == 'E') {
		fprintf(stderr, "%s: %s\n", ident, buf + 1);
		exit(1);
	}
	/* no word: the child is gone (its end closes only with a report or
	 * at its exit); its status says how */
	if (waitpid(child, &status, 0) == child && WIFSIGNALED(status))
		fprintf(stderr, "%s: died during start-up (signal %d); see the system log\n", ident,
			WTERMSIG(status));
	else
		fprintf(stderr, "%s: exited during start-up; see the system log\n", ident);
	exit(1);
}

static void to_dev_null(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
}

int detach_start(const char *ident, char *err, size_t err_len)
{
	int sv[2];
	pid_t pid;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		snprintf(err, err_len, "socketpair: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, err_len, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid > 0) {
		close(sv[1]);
		parent_wait(sv[0], pid, ident);
	}
	close(sv[0]);
	setsid();
	int rc = chdir("/"); /* "/" is there; nothing depends on the cwd */
	(void)rc;
	to_dev_null();
	return sv[1];
}

static void report(int fd, const char *msg, size_t len)
{
	if (fd < 0)
		return;
	while (len) {
		ssize_t w = send(fd, msg, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		msg += w;
		len -= (size_t)w;
	}
	close(fd);
}

void detach_ready(int fd)
{
	report(fd, "R", 1);
}

void detach_failed(int fd, const char *reason)
{
	char m[REPORT_MAX];
	int n = snprintf(m, sizeof(m), "E%s", reason && *reason ? reason : "start-up failed");
	report(fd, m, n < 0 ? 0 : (size_t)n < sizeof(m) ? (size_t)n : sizeof(m) - 1);
}
