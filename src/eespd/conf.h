/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.h - eespd's configuration file: its text into the restart-only
 * settings (struct eespd_conf) and a snapshot of the reloadable ones
 * (struct snap, snap.h).
 *
 * The parser is pure: it reads no file itself and looks up no user or
 * group.  The caller hands it the text (or a path for libconfig to read,
 * with its @include files) and a struct conf_env whose functions load key
 * files and resolve group names, so that the daemon, the unit tests and the
 * fuzzer run the same code with real files, keys in memory or nothing at
 * all.  Every error is "file:line: problem" naming the setting; notes that
 * do not stop the start (a policy entry that cannot match, a changed
 * default) are returned as warnings for the caller to log.
 */
#ifndef EESPD_CONF_H
#define EESPD_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "prefix.h"
#include "snap.h"

#define EESPD_MAX_WORKERS 64

/* Bound to open devices, sockets, threads and memory: read at start; a
 * reload that changes one says so and keeps the running value. */
struct eespd_conf {
	char path[4096]; /* the configuration file */
	char dir[4096];	 /* relative paths resolve here */
	int mode;	 /* EESP_MODE_EESP or EESP_MODE_PSP (names.h) */
	char ifname[IFNAMSIZ];
	unsigned mtu;
	struct prefix addrs[16];
	unsigned n_addrs;
	uint16_t port;
	uint16_t sport_min, sport_max;
	unsigned workers;
	bool offload; /* TUN virtio header + TSO */
	bool gro;     /* coalesce received TCP segments (needs offload) */
	bool udp_gso; /* send a flow's datagrams as one UDP_SEGMENT sendmsg */
	bool udp_gro; /* UDP_GRO on the listening socket(s) */
	char user[64];
	unsigned user_line; /* where "user" was set (0: the default), for messages */
	char ctl_path[256];
	char state_dir[1024];
	char ctl_group[64]; /* "" = the default: "eesp" if it exists */
	uint64_t iv_block;  /* IVs per persisted reservation (tests) */
	bool seccomp;
	int lock_memory; /* enum memlock_mode */
	/* key directories (key_dir): checked every key_dir_poll seconds, and
	 * at once on an inotify event unless key_dir_inotify is false */
	uint32_t key_dir_poll;
	bool key_dir_inotify;
};

/* What the parser needs from the world; see above. */
struct conf_env {
	void *arg;
	/* The uid of the daemon user; -1 if there is no such user. */
	int (*user_uid)(void *arg, const char *name, uid_t *uid);
	/* The gid of a group name; -1 if there is none. */
	int (*group_gid)(void *arg, const char *name, gid_t *gid);
	/* Load the key file at path, to be read by uid on every reload, into
	 * a new keyset (*ks).  0, or -1 with a message in err; *positioned is
	 * set when the message already names the key file's own line (else
	 * the parser prefixes the configuration's file and line). */
	int (*load_keys)(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
			 bool *positioned, char *err, size_t err_len);
	/* Load the key directory at path (keydirload.h) for uid, its set's
	 * version into version (128 bytes).  0, or -1 with err. */
	int (*load_key_dir)(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
			    char *version, char *err, size_t err_len);
};

#define CONF_MAX_WARNINGS 32
struct conf_warnings {
	unsigned n;
	char msg[CONF_MAX_WARNINGS][320];
};

/*
 * Parse a configuration: text (NULL: libconfig reads path) named path in
 * messages, relative paths and @include resolving under dir (NULL: path's
 * directory).  On success *conf is filled, *snap is a new snapshot (serial
 * 0: the caller numbers it) and 0 is returned; else -1 with "file:line:
 * problem" in err.  warn may be NULL.
 */
int conf_parse(const char *path, const char *text, const char *dir, const struct conf_env *env,
	       struct eespd_conf *conf, struct snap **snap, struct conf_warnings *warn, char *err,
	       size_t err_len);

/*
 * Restart-only settings that differ between the running configuration and
 * a newly read one: their names ("mtu, workers") in names, and how many.
 */
unsigned conf_restart_diff(const struct eespd_conf *running, const struct eespd_conf *next,
			   char *names, size_t cap);

#endif /* EESPD_CONF_H */
