/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eespd.h - the state of one eespd process, in one struct passed by
 * pointer to every part that needs it (no process-wide globals).
 *
 * Who writes what: the main thread (main.c) fills conf and the start-up
 * fields before any worker runs, and afterwards only it publishes snapshots
 * (under lock).  Workers read conf and the published snapshot, and write
 * only their own struct worker.  The replay tables and the IV persister
 * have their own locks.
 */
#ifndef EESPD_EESPD_H
#define EESPD_EESPD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "conf.h"
#include "ctlsock.h"
#include "snap.h"
#include "version.h"

#define EESPD_VERSION EESP_RELEASE

struct worker;
struct replay_tables;
struct ivpersist;
struct spistate;
struct ctl_server;
struct keyage;
struct sastate;
struct keywatch;

struct eespd {
	struct eespd_conf conf;	     /* restart-only; fixed once the workers run */
	_Atomic(struct snap *) snap; /* the published snapshot (snap.h) */
	pthread_mutex_t lock;	     /* one reload/rotate/retire/publish at a time */
	uint64_t next_serial;	     /* under lock */
	struct snap *retired[8];     /* replaced, not yet released by every worker */
	unsigned n_retired;

	struct worker *w[EESPD_MAX_WORKERS];
	unsigned n_workers;
	struct replay_tables *replay; /* replaytab.h */
	struct ivpersist *iv;	      /* ivstate.h */
	struct spistate *spi;	      /* spistate.h */
	struct ctl_server *ctl;	      /* ctlserver.h */
	struct sastate *sa;	      /* runtime SAs (saverbs.h), main thread only */
	struct keywatch *keywatch;    /* keywatch.h: key directories */
	struct ctl_listener listener; /* the control socket */
	struct keyage *keyage;	      /* when each key in force was first held (keyage.h) */

	int state_fd; /* the state directory, opened after the privilege drop */
	uid_t uid;    /* the daemon user */
	gid_t gid;
	char user[64];
	bool tun_uso; /* the TUN takes and gives UDP super-packets */
	time_t started;
	int verbose; /* -v: debug logging, overrides log_level */
};

#endif /* EESPD_EESPD_H */
