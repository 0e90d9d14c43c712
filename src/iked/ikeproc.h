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
#include "udp.h"

struct iked_ike {
	const struct iked_conf *conf; /* without PSKs */
	struct udp_socks udp;
	int auth_fd;	/* to the authenticating process */
	int ctl_fd;	/* listening control socket */
	int sig_fd;	/* SIGTERM, SIGINT, SIGHUP */
	int key_log_fd; /* daemon.key_log (keylog.h), -1: none */
	struct ctlserve *ctl;
	struct iked_engine *eng;
};

/* Run until SIGTERM/SIGINT (then a Delete for every SA) or a failure;
 * the exit status of the process. */
int ikeproc_run(struct iked_ike *p);

/* The control socket's answer to one request (ctlserve_answer_fn). */
char *ikeproc_answer(void *arg, const struct ctl_peer *peer, char *line, size_t len,
		     size_t *out_len);

#endif /* IKED_IKEPROC_H */
