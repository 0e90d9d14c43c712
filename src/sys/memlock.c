// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * memlock.c - RLIMIT_MEMLOCK, mlockall() and the warning about key memory
 * that cannot be locked; the rules are in memlock.h.
 */
#include "memlock.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "log.h"
#include "sanitizer.h"
#include "secmem.h"

#define MEMLOCK_HINT                                                                               \
	"raise RLIMIT_MEMLOCK (systemd: LimitMEMLOCK=infinity in the unit; shell: ulimit -l "      \
	"unlimited)"

static void key_lock_failed(int err)
{
	static atomic_bool warned;
	if (atomic_exchange(&warned, true))
		return;
	log_warn("KEY MEMORY NOT LOCKED: mlock() of key memory failed (%s); keys may be written to "
		 "swap. %s (reported once)",
		 strerror(err), MEMLOCK_HINT);
}

static void format_limit(rlim_t v, char *out, size_t cap)
{
	if (v == RLIM_INFINITY)
		snprintf(out, cap, "unlimited");
	else
		snprintf(out, cap, "%llu kB", (unsigned long long)v / 1024);
}

/* Make RLIMIT_MEMLOCK unlimited (needs CAP_SYS_RESOURCE), else at least the
 * soft limit as high as the hard one.  The soft limit in the end. */
static rlim_t raise_limit(void)
{
	struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
	if (setrlimit(RLIMIT_MEMLOCK, &r) == 0)
		return RLIM_INFINITY;
	if (getrlimit(RLIMIT_MEMLOCK, &r))
		return 0;
	if (r.rlim_cur != r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		(void)setrlimit(RLIMIT_MEMLOCK, &r);
	}
	return r.rlim_cur;
}

/* Lock the whole process; 0, or -1 with the reason in why. */
static int lock_all(char *why, size_t cap)
{
	char lim[32];
	rlim_t cur = raise_limit();
	format_limit(cur, lim, sizeof(lim));
	if (cur != RLIM_INFINITY) {
		/* with MCL_FUTURE a finite limit makes malloc() and thread stacks
		 * fail once it is reached: better not lock everything at all */
		snprintf(why, cap,
			 "RLIMIT_MEMLOCK is %s and cannot be raised to unlimited (no "
			 "CAP_SYS_RESOURCE)",
			 lim);
		return -1;
	}
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) {
		snprintf(why, cap, "mlockall: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int memlock_setup(int mode, char *err, size_t err_len)
{
	char why[160];
	eesp_secure_set_lock_hook(key_lock_failed);
	if (EESP_SANITIZER) {
		log_info("memory locking: sanitizer build, mlock() and mlockall() are no-ops here");
		return 0;
	}
	if (mode != MEMLOCK_KEYS && lock_all(why, sizeof(why)) == 0) {
		log_info("memory locking: all of the process's memory is locked (mlockall; "
			 "RLIMIT_MEMLOCK unlimited): keys and OpenSSL key schedules stay out of "
			 "swap");
		return 0;
	}
	/* key memory only: lock again what was allocated before daemon(3)
	 * forked (failures are reported through the hook) */
	eesp_secure_relock();
	if (mode == MEMLOCK_ALL) {
		snprintf(err, err_len,
			 "lock_memory = \"all\": %s; %s, or set lock_memory = \"auto\"", why,
			 MEMLOCK_HINT);
		return -1;
	}
	if (mode == MEMLOCK_KEYS) {
		log_info("memory locking: key memory only (lock_memory = \"keys\"): OpenSSL's key "
			 "schedules may reach swap");
		return 0;
	}
	log_warn("MEMORY NOT LOCKED: %s; only key memory is locked, the AES key schedules inside "
		 "OpenSSL may be written to swap. %s, or set lock_memory = \"keys\" to accept this",
		 why, MEMLOCK_HINT);
	return 0;
}
