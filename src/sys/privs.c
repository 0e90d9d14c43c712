// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * privs.c - drop to the configured user with libcap-ng: no capabilities at
 * all afterwards (effective, permitted, inheritable, bounding and ambient
 * sets empty), supplementary groups dropped, not dumpable (no core dump,
 * no ptrace by the daemon user).  Everything privileged (TUN, raw and UDP
 * sockets, control socket, state files) is opened before.
 */
#include <cap-ng.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privs.h"

int privs_lookup(const char *user, uid_t *uid, gid_t *gid, char *name_out, size_t cap)
{
	/* no fallback: a missing user is an error (config.c says how to add it) */
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	snprintf(name_out, cap, "%s", pw->pw_name);
	return 0;
}

int privs_drop(uid_t uid, gid_t gid, char *err, size_t err_len)
{
	int rc;
	if (getuid() != 0 && geteuid() != 0)
		return 0; /* not root: nothing to drop (tests as a user) */
	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc) {
		snprintf(err, err_len, "capng_change_id(%u, %u) failed (%d): %s", (unsigned)uid,
			 (unsigned)gid, rc, strerror(errno));
		return -1;
	}
	/* the uid change set the dumpable flag from fs.suid_dumpable, which
	 * may allow core dumps and ptrace by the daemon user: clear it now */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)) {
		snprintf(err, err_len, "prctl(PR_SET_DUMPABLE, 0): %s", strerror(errno));
		return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE) {
		snprintf(err, err_len, "capabilities still held after the drop");
		return -1;
	}
	if (getuid() == 0 || geteuid() == 0) {
		snprintf(err, err_len, "still root after the drop");
		return -1;
	}
	return 0;
}

int privs_check_start(const char *ifname, const char *user, char *err, size_t err_len)
{
	capng_get_caps_process();
	if (capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
		return 0;
	if (geteuid() != 0)
		snprintf(
		    err, err_len,
		    "must be started as root (it runs as uid %u): it creates the TUN "
		    "device %s and binds its port, then runs as user '%s' without any "
		    "capability; start it with sudo, or as the service (systemctl start eespd)",
		    (unsigned)geteuid(), ifname, user);
	else
		snprintf(err, err_len,
			 "runs as root but without CAP_NET_ADMIN, which creating the TUN "
			 "device %s needs: grant it (a container: --cap-add NET_ADMIN and "
			 "--device /dev/net/tun; a systemd unit: CAP_NET_ADMIN in "
			 "CapabilityBoundingSet=)",
			 ifname);
	return -1;
}
