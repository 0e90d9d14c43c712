// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyapply.c - a key file change that a running eespd is to follow (key
 * add, rotate, retire, rotate psp with -s): checked before the file is
 * written, and, when the daemon still fails to follow, said exactly what
 * was and was not applied and which command finishes it (issue 17, item 4:
 * the file was rewritten, then the command exited 1 without saying so).
 *
 * Before: the daemon must answer (a read verb), and its user must be able
 * to read the key file as eespd requires (keyload.h: owned by that uid, no
 * group or other bits; every directory on the way searchable by it, with
 * its primary group only, as eespd has no supplementary groups after the
 * drop).  After: each verb's answer is reported.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctlproto.h"
#include "eespctl.h"

/* The daemon's uid from its status line ("... pid P uid U mode ..."); 0
 * with *known false for a daemon that does not say. */
static int daemon_status(const char *sock, uid_t *uid, bool *known)
{
	struct eesp_ctl_req req = {.verb = EESP_CTL_STATUS};
	char *body, e[512];
	int rc = ctl_request(sock, &req, &body, e, sizeof(e));
	if (rc) {
		err("%s", e);
		return -1;
	}
	const char *u = strstr(body, " uid ");
	unsigned long v = 0;
	char *end = NULL;
	if (u)
		v = strtoul(u + 5, &end, 10);
	*known = u && end != u + 5 && (*end == ' ' || *end == '\n' || !*end);
	*uid = (uid_t)v;
	free(body);
	return 0;
}

/* Can uid (with its primary group only) search directory st? */
static bool can_search(const struct stat *st, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return true;
	if (st->st_uid == uid)
		return st->st_mode & S_IXUSR;
	if (st->st_gid == gid)
		return st->st_mode & S_IXGRP;
	return st->st_mode & S_IXOTH;
}

/* Would eespd, running as uid, read path on its reload?  NULL, or why not
 * (in buf). */
static const char *unreadable_by(const char *path, uid_t uid, char *buf, size_t cap)
{
	char dir[PATH_MAX];
	struct stat st;
	struct passwd *pw = getpwuid(uid);
	gid_t gid = pw ? pw->pw_gid : (gid_t)-1;
	if (!realpath(path, dir)) {
		snprintf(buf, cap, "%.400s: %s", path, strerror(errno));
		return buf;
	}
	if (lstat(path, &st) || !S_ISREG(st.st_mode)) {
		snprintf(buf, cap, "%.400s is not a regular file (eespd refuses symlinks)", path);
		return buf;
	}
	if (st.st_uid != uid || (st.st_mode & 077)) {
		snprintf(
		    buf, cap,
		    "%.300s is owned by uid %u with mode %04o; eespd reads it as uid %u and "
		    "needs it owned by that uid, mode 0600: chown %u %.300s; chmod 0600 %.300s",
		    path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)uid,
		    (unsigned)uid, path, path);
		return buf;
	}
	for (char *slash = strrchr(dir, '/'); slash; slash = strrchr(dir, '/')) {
		*slash = 0;
		const char *d = dir[0] ? dir : "/";
		if (stat(d, &st) == 0 && !can_search(&st, uid, gid)) {
			snprintf(
			    buf, cap,
			    "directory %.400s (mode %04o, owner %u:%u) is not searchable by uid "
			    "%u, which eespd reads the key file as: chmod o+x %.400s, or give "
			    "it to that user",
			    d, (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid,
			    (unsigned)st.st_gid, (unsigned)uid, d);
			return buf;
		}
		if (!dir[0])
			break;
	}
	return NULL;
}

int keyapply_check(const char *sock, const char *keyfile)
{
	char buf[256], why[1400];
	const char *path = ctl_socket_path(sock, buf, sizeof(buf));
	uid_t uid;
	bool known;
	if (daemon_status(path, &uid, &known)) {
		err("nothing changed: %s is as it was.  Start eespd, or leave out -s to change "
		    "only the file (then `%s reload -s %s`)",
		    keyfile, PROG, path);
		return 1;
	}
	if (known && unreadable_by(keyfile, uid, why, sizeof(why))) {
		err("nothing changed: the running eespd could not read the key file after this "
		    "change: %s",
		    why);
		return 1;
	}
	return 0;
}

/* One verb; 0 ok (body printed), else its error in e. */
static int ask(const char *path, enum eesp_ctl_verb verb, int level, uint32_t id, char *e,
	       size_t el)
{
	struct eesp_ctl_req req = {.verb = verb, .level = level, .id = id};
	char *body;
	int rc = ctl_request(path, &req, &body, e, el);
	if (rc)
		return rc;
	fputs(body, stdout);
	free(body);
	return 0;
}

int keyapply_tell(const char *sock, int verb, int level, uint32_t id, const char *keyfile,
		  const char *changed)
{
	char buf[256], e1[512] = "", e2[512] = "";
	const char *path = ctl_socket_path(sock, buf, sizeof(buf));
	int t = 0;
	/* rotate/retire in the daemon's memory first, then a reload makes it
	 * read the file just written; a refused verb (no next generation
	 * there: it had not reloaded since `key add`) leaves the reload to
	 * bring it to the file's state */
	if (verb == EESP_CTL_ROTATE || verb == EESP_CTL_RETIRE) {
		t = ask(path, (enum eesp_ctl_verb)verb, level, id, e1, sizeof(e1));
		if (t > 0)
			fprintf(stderr, "%s: %s; reloading the key file instead\n", prog, e1);
	}
	if (t >= 0 && !ask(path, EESP_CTL_RELOAD, 0, 0, e2, sizeof(e2)))
		return 0;
	err("%s was written (%s), but the running eespd at %s did not %s: %s", keyfile, changed,
	    path,
	    t < 0				? "hear of it"
	    : t == 0 && verb != EESP_CTL_RELOAD ? "re-read it (it did apply the change in memory)"
						: "load it",
	    t < 0 ? e1 : e2);
	err("to finish, once that is fixed (as root or a member of its admin_group): %s reload "
	    "-s %s",
	    PROG, path);
	return 1;
}
