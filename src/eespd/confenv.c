// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confenv.c - users, groups and key files for the configuration parser
 * (confenv.h).
 */
#include "confenv.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdread.h"
#include "keydirload.h"
#include "keyload.h"
#include "log.h"
#include "openerr.h"
#include "privs.h"

#define CONF_MAX_SIZE (4u << 20)

static int user_uid(void *arg, const char *name, uid_t *uid)
{
	gid_t gid;
	char nm[64];
	(void)arg;
	return privs_lookup(name, uid, &gid, nm, sizeof(nm));
}

static int group_gid(void *arg, const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);
	(void)arg;
	if (!gr)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

static int load_keys(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
		     bool *positioned, char *err, size_t err_len)
{
	(void)arg;
	int rc = keyload_file(path, keyload_reader(uid), ks, err, err_len);
	*positioned = rc == KEYLOAD_E_TEXT;
	return rc == KEYLOAD_OK ? 0 : -1;
}

/* As root (the start) the daemon user's group comes from the passwd
 * database; after the privilege drop (a reload) it is our own. */
static int load_key_dir(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
			char *version, char *err, size_t err_len)
{
	(void)arg;
	uid_t reader = keyload_reader(uid);
	gid_t gid = getegid();
	if (geteuid() == 0 && reader != 0) {
		struct passwd *pw = getpwuid(reader);
		if (pw)
			gid = pw->pw_gid;
	}
	return keydir_load(path, reader, gid, ks, version, err, err_len);
}

void eespd_conf_env(struct conf_env *env)
{
	*env = (struct conf_env){.user_uid = user_uid,
				 .group_gid = group_gid,
				 .load_keys = load_keys,
				 .load_key_dir = load_key_dir};
}

/* The whole file, opened once without following a symlink (as key files
 * are): NUL-terminated, malloc()ed; NULL with err set. */
static char *read_conf_text(const char *path, char *err, size_t err_len)
{
	struct stat st;
	char *t = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ELOOP) {
		char *target = realpath(path, NULL);
		snprintf(err, err_len, "%s: cannot read: %s: name the file itself (-c %s)", path,
			 open_error_text(ELOOP), target ? target : "FILE");
		free(target);
		return NULL;
	}
	if (fd < 0) {
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_MAX_SIZE) {
		snprintf(err, err_len, "%s: cannot read: %s", path,
			 !S_ISREG(st.st_mode) ? "not a regular file" : "larger than 4 MB");
		goto out;
	}
	t = malloc((size_t)st.st_size + 1);
	if (t)
		(void)fd_read_full(fd, t, (size_t)st.st_size, &len); /* short: fails the parse */
	if (t)
		t[len] = 0;
	else
		snprintf(err, err_len, "%s: out of memory", path);
out:
	close(fd);
	return t;
}

int eespd_conf_load(const char *path, struct eespd_conf *conf, struct snap **snap, char *err,
		    size_t err_len)
{
	struct conf_env env;
	struct conf_warnings warn = {0};
	char *text = read_conf_text(path, err, err_len);
	if (!text)
		return -1;
	eespd_conf_env(&env);
	int rc = conf_parse(path, text, NULL, &env, conf, snap, &warn, err, err_len);
	free(text);
	for (unsigned i = 0; i < warn.n; i++)
		log_warn("%s", warn.msg[i]);
	return rc;
}
