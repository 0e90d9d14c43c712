/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sandbox.h - what eespd may still do once it runs: a seccomp allow-list
 * for every thread, io_uring rings limited to the operations the workers
 * submit, and no core dumps or ptrace by the daemon user.
 *
 * Order at start-up (main.c): privilege drop (privs.c, which also clears
 * the dumpable flag) -> worker rings created disabled and restricted
 * (worker.c, sandbox_ring_restrict) -> worker threads started (each enables
 * its ring) -> sandbox_apply(): the filter goes onto every thread at once
 * (SECCOMP_FILTER_FLAG_TSYNC), so no thread is ever created under it and
 * clone, fork, execve and io_uring_setup are all outside the list.
 */
#ifndef EESPD_SANDBOX_H
#define EESPD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

/* Sanitizer builds (make check-asan) skip the filter: their runtimes need
 * system calls eespd does not, and make mlock() a no-op. */
#include "sanitizer.h"

/* Once start-up is complete (every thread running): not dumpable, then the
 * seccomp filter on all threads unless seccomp is false (daemon.seccomp,
 * for debugging) or this is a sanitizer build; both cases are logged.
 * 0, or -1 with err. */
int sandbox_apply(bool seccomp, char *err, size_t err_len);

/* The filter itself, on every thread of the caller, unconditionally (the
 * unit tests call it).  Returns the number of allowed system calls, or -1
 * with err. */
int sandbox_seccomp_load(char *err, size_t err_len);

/* A ring created with IORING_SETUP_R_DISABLED: allow only the SQE opcodes
 * and flags the workers use, and no io_uring_register() operation once the
 * submitting thread has enabled it (sandbox_ring_enable).  0 or -errno. */
struct io_uring;
int sandbox_ring_restrict(struct io_uring *ring);
/* Enable a disabled ring; the calling thread becomes its single issuer.
 * 0 or -errno. */
int sandbox_ring_enable(struct io_uring *ring);

#endif /* EESPD_SANDBOX_H */
