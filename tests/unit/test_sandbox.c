// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_sandbox.c - the seccomp allow-list of src/eespd/sandbox.c really
 * kills: a child process loads it, then makes one call; allowed calls keep
 * working, forbidden ones end the child with SIGSYS.  And a restricted
 * io_uring refuses operations outside its list.
 *
 * The filter goes on in a forked child only: criterion's own process must
 * stay free of it.  Sanitizer builds skip the filter tests, as eespd skips
 * the filter: their runtimes call outside the list (sigaltstack, ...).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "sanitizer.h"

static int g_pipe[2];

/* Fork; the child loads the filter and runs body, which returns the
 * child's exit code.  The child's wait status. */
static int run_filtered(int (*body)(void))
{
	char err[256];
	int st = 0;
	if (EESP_SANITIZER) /* eespd skips the filter too (sandbox.h) */
		cr_skip_test("sanitizer build: its runtime makes calls outside the list");
	cr_assert_eq(pipe(g_pipe), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		if (sandbox_seccomp_load(err, sizeof(err)) < 0)
			_exit(100);
		_exit(body());
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	close(g_pipe[0]);
	close(g_pipe[1]);
	return st;
}

static void assert_killed(int st, const char *what)
{
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS,
		  "%s: expected death by SIGSYS, got %s %d", what,
		  WIFSIGNALED(st) ? "signal" : "exit",
		  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

/* What the daemon does all day must still work under the filter. */
static int allowed_calls(void)
{
	char buf[4] = "abc", got[4] = {0};
	if (write(g_pipe[1], buf, sizeof(buf)) != sizeof(buf) ||
	    read(g_pipe[0], got, sizeof(got)) != sizeof(got) || memcmp(buf, got, sizeof(buf)))
		return 1;
	void *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || mlock(m, 4096) || munlock(m, 4096) || munmap(m, 65536))
		return 2;
	void *h = malloc(1 << 20); /* mmap()ed by glibc, then freed */
	free(h);
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || close(fd))
		return 3;
	if (getpid() <= 0)
		return 4;
	struct timespec ts = {0, 1000};
	if (nanosleep(&ts, NULL))
		return 5;
	int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0); /* syslog(3) */
	if (u < 0 || close(u))
		return 6;
	return 0;
}

Test(sandbox, allowed_calls_work)
{
	int st = run_filtered(allowed_calls);
	cr_assert(
	    WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "allowed calls under the filter: status %s %d (exit 100: the filter did not load)",
	    WIFSIGNALED(st) ? "signal" : "exit", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static int call_execve(void)
{
	char *const argv[] = {(char *)"true", NULL};
	execve("/bin/true", argv, NULL);
	return 3;
}

Test(sandbox, execve_kills)
{
	assert_killed(run_filtered(call_execve), "execve");
}

static int call_ptrace(void)
{
	ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	return 3;
}

Test(sandbox, ptrace_kills)
{
	assert_killed(run_filtered(call_ptrace), "ptrace");
}

static int call_fork(void)
{
	pid_t p = fork(); /* clone() without CLONE_THREAD */
	if (p == 0)
		_exit(0);
	return 3;
}

Test(sandbox, fork_kills)
{
	assert_killed(run_filtered(call_fork), "fork");
}

static int call_inet_socket(void)
{
	socket(AF_INET, SOCK_DGRAM, 0); /* the daemon opens its sockets before */
	return 3;
}

Test(sandbox, inet_socket_kills)
{
	assert_killed(run_filtered(call_inet_socket), "socket(AF_INET)");
}

/* Executable memory is refused with EPERM (not a kill: glibc's NSS may
 * try to load a module during a reload's lookup): exit 0 only when both
 * requests failed so, and the writable page stayed unexecutable. */
static int call_exec_mmap(void)
{
	void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m != MAP_FAILED || errno != EPERM)
		return 1;
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 2;
	if (!mprotect(m, 4096, PROT_READ | PROT_EXEC) || errno != EPERM)
		return 3;
	return 0;
}

Test(sandbox, executable_memory_refused)
{
	int st = run_filtered(call_exec_mmap);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		  "mmap/mprotect(PROT_EXEC) under the filter: status %s %d (exit 1-3: a request "
		  "was not refused with EPERM)",
		  WIFSIGNALED(st) ? "signal" : "exit",
		  WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static int call_io_uring_setup(void)
{
	struct io_uring ring;
	io_uring_queue_init(4, &ring, 0); /* a new ring would escape the filter */
	return 3;
}

Test(sandbox, new_io_uring_kills)
{
	assert_killed(run_filtered(call_io_uring_setup), "io_uring_setup");
}

static int call_setuid(void)
{
	syscall(SYS_setuid, 0);
	return 3;
}

Test(sandbox, setuid_kills)
{
	assert_killed(run_filtered(call_setuid), "setuid");
}

/* One SQE on the ring, its CQE's result. */
static int submit_one(struct io_uring *ring, struct io_uring_sqe *sqe)
{
	struct io_uring_cqe *cqe;
	(void)sqe;
	cr_assert_eq(io_uring_submit(ring), 1);
	cr_assert_eq(io_uring_wait_cqe(ring, &cqe), 0);
	int res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

Test(sandbox, restricted_ring_refuses_other_operations)
{
	struct io_uring ring;
	int p[2];
	char buf[8] = "payload";
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(io_uring_queue_init(8, &ring, IORING_SETUP_R_DISABLED), 0);
	cr_assert_eq(sandbox_ring_restrict(&ring), 0);
	cr_assert_eq(sandbox_ring_enable(&ring), 0);

	struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, p[1], buf, sizeof(buf), 0);
	cr_assert_eq(submit_one(&ring, sqe), (int)sizeof(buf), "WRITE is on the list");

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, "/dev/null", O_RDONLY, 0);
	cr_assert_eq(submit_one(&ring, sqe), -EACCES, "OPENAT is not on the list");

	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_write(sqe, p[1], buf, sizeof(buf), 0);
	sqe->flags |= IOSQE_IO_LINK; /* only IOSQE_BUFFER_SELECT is allowed */
	cr_assert_eq(submit_one(&ring, sqe), -EACCES, "SQE flag outside the list");

	int fds[1] = {p[0]};
	cr_assert_eq(io_uring_register_files(&ring, fds, 1), -EACCES,
		     "no io_uring_register operation after enable");
	io_uring_queue_exit(&ring);
	close(p[0]);
	close(p[1]);
}
