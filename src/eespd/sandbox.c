// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sandbox.c - the seccomp allow-list, the io_uring restrictions and the
 * dumpable flag; the order is in sandbox.h.
 *
 * The list is what the running daemon was seen to call (strace -f over the
 * whole integration suite) plus the calls of paths the suite does not
 * reach but the code has (noted below).  Anything else kills the process
 * (SCMP_ACT_KILL_PROCESS: SIGSYS, the kernel's audit log names the call).
 * io_uring operations are not system calls and seccomp never sees them:
 * the rings are restricted instead (sandbox_ring_restrict), and
 * io_uring_setup() is not allowed, so no unrestricted ring can be made.
 */
#include "sandbox.h"

#include <errno.h>
#include <grp.h>
#include <liburing.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sanitizer.h"

#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49 /* worker.c: kernel >= 6.7, not in liburing 2.3 */
#endif

/* Allowed whatever the arguments.  Each was seen in the survey (strace -f
 * of every integration test, run with seccomp = false) unless marked
 * "path:", a path of the code that the suite does not reach. */
static const int g_allow[] = {
    /* descriptors: control socket, signalfd, IV marks, configuration and
     * key files on reload (libconfig's stdio, getpwnam's /etc/passwd) */
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(pread64), /* path: IV mark files (ivstate.c) */
    SCMP_SYS(pwrite64),
    SCMP_SYS(lseek),
    SCMP_SYS(close),
    SCMP_SYS(openat),
    SCMP_SYS(fstat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(fsync),
    SCMP_SYS(renameat),		 /* path: state files (statefile.c) */
    SCMP_SYS(renameat2),	 /* path: the same where glibc maps renameat() to it */
    SCMP_SYS(unlink),		 /* the control socket at exit */
    SCMP_SYS(unlinkat),		 /* path: state files (statefile.c) */
    SCMP_SYS(readlinkat),	 /* path: a key directory's ..data (keydirload.c) */
    SCMP_SYS(getdents64),	 /* path: a key directory's files */
    SCMP_SYS(inotify_add_watch), /* path: key directories after a reload (keywatch.c) */
    SCMP_SYS(inotify_rm_watch),
    /* control socket clients; syslog(3) */
    SCMP_SYS(accept4),
    SCMP_SYS(sendto),
    SCMP_SYS(shutdown),
    SCMP_SYS(getsockopt), /* path: SO_PEERCRED of a control client */
    SCMP_SYS(connect),	  /* path: syslog(3) reconnecting to /dev/log */
    SCMP_SYS(poll),
    /* the data path: io_uring, and a refused GSO train re-sent datagram
     * by datagram (worker.c) */
    SCMP_SYS(io_uring_enter),
    SCMP_SYS(sendmmsg),
    /* memory: malloc, OpenSSL, secure memory (mlock, MADV_DONTDUMP) */
    SCMP_SYS(brk),
    SCMP_SYS(munmap),
    SCMP_SYS(mremap), /* path: glibc realloc() of a large block */
    SCMP_SYS(madvise),
    SCMP_SYS(mlock),
    SCMP_SYS(munlock),
    /* threads, time, randomness */
    SCMP_SYS(futex),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(clock_gettime), /* path: the vDSO falls back to these */
    SCMP_SYS(gettimeofday),
    SCMP_SYS(time),
    SCMP_SYS(getrandom),       /* path: OpenSSL reseeding its DRBG (hours) */
    SCMP_SYS(restart_syscall), /* path: a call restarted after SIGSTOP/SIGCONT */
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn), /* path: return from a signal handler */
    /* a thread still starting when the filter lands (glibc start_thread) */
    SCMP_SYS(rseq),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(getpid),
    SCMP_SYS(getuid),
    SCMP_SYS(geteuid), /* path: owner checks of state files (statefile.c) */
    SCMP_SYS(getegid), /* path: the reader's group of a key directory (confenv.c) */
    SCMP_SYS(sysinfo), /* path: glibc qsort() of a route table > 1 KB (reload) */
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
};

/* Allowed with one argument checked.  The number of rules, or -errno. */
static int add_conditional(scmp_filter_ctx ctx)
{
	const struct {
		int nr;
		struct scmp_arg_cmp cmp;
	} rules[] = {
	    /* no executable memory: no injected code, no dlopen() after start-up */
	    {SCMP_SYS(mmap), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)},
	    {SCMP_SYS(mprotect), SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)},
	    /* syslog(3) reconnecting to /dev/log; getpwnam() on reload asking nscd */
	    {SCMP_SYS(socket), SCMP_A0(SCMP_CMP_EQ, AF_UNIX)},
	    /* a worker naming itself (pthread_setname_np) */
	    {SCMP_SYS(prctl), SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME)},
	    /* abort() raising SIGABRT on this process only */
	    {SCMP_SYS(tgkill), SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid())},
	    /* a worker registering and enabling its ring (worker.c: that may
	     * happen after the filter is in place), io_uring_queue_exit() */
	    {SCMP_SYS(io_uring_register), SCMP_A1(SCMP_CMP_EQ, IORING_REGISTER_RING_FDS)},
	    {SCMP_SYS(io_uring_register), SCMP_A1(SCMP_CMP_EQ, IORING_REGISTER_ENABLE_RINGS)},
	    {SCMP_SYS(io_uring_register), SCMP_A1(SCMP_CMP_EQ, IORING_UNREGISTER_RING_FDS)},
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, rules[i].nr, 1, rules[i].cmp);
		if (r)
			return r;
	}
	/* executable memory asked for anyway fails with EPERM instead of
	 * killing the daemon: glibc's NSS may dlopen() a module named in
	 * nsswitch.conf during a reload's group lookup; that lookup then just
	 * fails (the reload answers an error) and no code is mapped */
	static const int exec_maps[] = {SCMP_SYS(mmap), SCMP_SYS(mprotect)};
	for (size_t i = 0; i < sizeof(exec_maps) / sizeof(exec_maps[0]); i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), exec_maps[i], 1,
					 SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, PROT_EXEC));
		if (r)
			return r;
	}
	return (int)(sizeof(rules) / sizeof(rules[0]) + sizeof(exec_maps) / sizeof(exec_maps[0]));
}

int sandbox_seccomp_load(char *err, size_t err_len)
{
	const size_t n_allow = sizeof(g_allow) / sizeof(g_allow[0]);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int r, n_cond = 0;
	if (!ctx) {
		snprintf(err, err_len, "seccomp_init failed");
		return -1;
	}
	/* every thread, atomically; no_new_privs is set (libseccomp default) */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; !r && i < n_allow; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, g_allow[i], 0);
	if (!r) {
		n_cond = add_conditional(ctx);
		r = n_cond < 0 ? n_cond : 0;
	}
	if (!r)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r) {
		snprintf(err, err_len, "seccomp filter: %s (set seccomp = false to run without it)",
			 strerror(-r));
		return -1;
	}
	return (int)n_allow + n_cond;
}

/* A reload looks users and groups up again; glibc loads the NSS modules
 * nsswitch.conf names (libnss_systemd, ...) on the first lookup that
 * reaches them, i.e. the first one that misses in /etc/group.  A lookup
 * of a name that cannot exist, now, loads them while loading code is
 * still allowed, so a reload finds what they know. */
static void preload_nss(void)
{
	(void)getpwnam("eespd-nss-preload.invalid");
	(void)getgrnam("eespd-nss-preload.invalid");
	endpwent();
	endgrent();
}

int sandbox_apply(bool seccomp, char *err, size_t err_len)
{
	/* also set by privs_drop(); again here for a start without root */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, err_len, "prctl(PR_SET_DUMPABLE, 0): %s", strerror(errno));
		return -1;
	}
	if (!seccomp) {
		log_warn("seccomp = false: no system call filter (for debugging only)");
		return 0;
	}
	if (EESP_SANITIZER) {
		log_info("sanitizer build: no seccomp filter (the sanitizer runtime needs system "
			 "calls eespd does not)");
		return 0;
	}
	preload_nss();
	int n = sandbox_seccomp_load(err, err_len);
	if (n < 0)
		return -1;
	log_info("seccomp: %d system call rules on every thread, any other call kills eespd", n);
	return 0;
}

int sandbox_ring_restrict(struct io_uring *ring)
{
	static const unsigned char ops[] = {
	    IORING_OP_RECVMSG,	      /* multishot UDP receive */
	    IORING_OP_READ_MULTISHOT, /* TUN read */
	    IORING_OP_READ,	      /* TUN read, kernels without multishot read */
	    IORING_OP_SENDMSG,	      /* UDP send, GSO trains */
	    IORING_OP_WRITE,	      /* TUN write */
	    IORING_OP_WRITEV,	      /* TUN write of a GRO super-packet (tungro.c) */
	};
	struct io_uring_restriction res[sizeof(ops) + 1];
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < sizeof(ops); i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = ops[i];
	}
	res[sizeof(ops)].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
	res[sizeof(ops)].sqe_flags = IOSQE_BUFFER_SELECT;
	/* io_uring_register_restrictions() and io_uring_enable_rings() are in
	 * liburing 2.3's header but not exported by its shared library (missing
	 * from its symbol map): the plain io_uring_register() call instead */
	return io_uring_register((unsigned)ring->ring_fd, IORING_REGISTER_RESTRICTIONS, res,
				 (unsigned)(sizeof(ops) + 1));
}

int sandbox_ring_enable(struct io_uring *ring)
{
	return io_uring_register((unsigned)ring->ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
}
