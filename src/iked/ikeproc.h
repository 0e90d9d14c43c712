/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikeproc.h - the IKE process: the engine (engine.h) over the UDP sockets
 * the parent bound, the control socket the parent created, and the
 * authenticating process behind a socket pair.  It runs as the daemon
 * user without capabilities and holds no PSK.
 */
#ifndef IKED_IKEPROC_H
#define IKED_IKEPROC_H

#include "conf.h"
#include "ctlserve.h"
#include "engine.h"
#include "gcks_statefile.h"
#include "keydirload.h"
#include "udp.h"

/* The key server's watch of its key set (gcks_watch.c). */
struct gcks_watch {
	char version[KEYDIR_VERSION_MAX]; /* of the set in force */
	char refused[KEYDIR_VERSION_MAX]; /* of the last set refused (logged once) */
	int64_t next_ms;
};

struct iked_ike {
	const struct iked_conf *conf; /* without PSKs */
	struct udp_socks udp;
	int auth_fd;	/* to the authenticating process */
	int ctl_fd;	/* listening control socket */
	int sig_fd;	/* SIGTERM, SIGINT, SIGHUP */
	int key_log_fd; /* daemon.key_log (keylog.h), -1: none */
	struct ctlserve *ctl;
	struct iked_engine *eng;
	struct gcks_watch gkw;
	struct gcks_statefile gks; /* gcks.state_file's directory */
};

/* Run until SIGTERM/SIGINT (then a Delete for every SA) or a failure;
 * the exit status of the process. */
int ikeproc_run(struct iked_ike *p);

/* The key server's key file or directory read again (SIGHUP, gcks-reload):
 * how many rings changed, or -1 with err (the running rings stay). */
int ikeproc_gcks_reload(struct iked_ike *p, char *err, size_t el);
/* Once a second: a new version of the key set is read (gcks_watch.c). */
void gcks_watch(struct iked_ike *p);

/* The control socket's answer to one request (ctlserve_answer_fn). */
char *ikeproc_answer(void *arg, const struct ctl_peer *peer, char *line, size_t len,
		     size_t *out_len);

#endif /* IKED_IKEPROC_H */
