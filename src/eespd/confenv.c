// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * confenv.c - users, groups and key files for the configuration parser
 * (confenv.h).
 */
#include "confenv.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>
#include <stdio.h>

#include "keydirload.h"
#include "keyload.h"
#include "log.h"
#include "privs.h"

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

int eespd_conf_load(const char *path, struct eespd_conf *conf, struct snap **snap, char *err,
		    size_t err_len)
{
	struct conf_env env;
	struct conf_warnings warn = {0};
	eespd_conf_env(&env);
	int rc = conf_parse(path, NULL, NULL, &env, conf, snap, &warn, err, err_len);
	for (unsigned i = 0; i < warn.n; i++)
		log_warn("%s", warn.msg[i]);
	return rc;
}
