/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memlock.h - keep a daemon's memory, and with it every key, out of swap.
 *
 * Key files, root and data keys live in secure memory (core secmem: each
 * allocation mlock()ed).  The AES key schedules, though, live inside
 * OpenSSL's cipher and MAC contexts, in ordinary heap memory; the only way
 * to keep those out of swap is to lock all of the process:
 * mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT).  MCL_FUTURE makes every
 * later mapping count against RLIMIT_MEMLOCK once the capabilities are
 * gone, so the limit is raised to unlimited first, as root; MCL_ONFAULT
 * leaves untouched pages (thread stacks, malloc arena reserves)
 * unpopulated.
 *
 * daemon.lock_memory chooses (eespd.conf(5)):
 *   "auto" (default)  everything if RLIMIT_MEMLOCK can be made unlimited,
 *                     else key memory only, with a warning at start-up
 *   "all"             everything, or start-up fails
 *   "keys"            key memory only
 * In every mode a secure allocation that cannot be locked is reported
 * once, loudly (log warning naming RLIMIT_MEMLOCK and LimitMEMLOCK=).
 */
#ifndef EESP_SYS_MEMLOCK_H
#define EESP_SYS_MEMLOCK_H

#include <stddef.h>

enum memlock_mode { MEMLOCK_AUTO = 0, MEMLOCK_ALL, MEMLOCK_KEYS };

/* After daemon(3) (locks do not survive fork) and before the privilege
 * drop (raising the limit needs root).  0, or -1 with err when mode is
 * MEMLOCK_ALL and the process cannot be locked. */
int memlock_setup(int mode, char *err, size_t err_len);

#endif /* EESP_SYS_MEMLOCK_H */
