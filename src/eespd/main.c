// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - eespd: command line, start-up order, the main loop (control
 * socket, signals, timers), stop.
 *
 * Start-up: load + check the configuration and key files (as root) -> state
 * directory prepared -> control socket -> TUN queues -> UDP sockets ->
 * memory locking (memlock.h) -> privilege drop (no capabilities left) ->
 * state files opened as the daemon user (IV marks, replay floors, SPI
 * allocator) -> worker rings and threads -> seccomp filter (sandbox.h) ->
 * main loop (control socket + signalfd: SIGHUP reloads, SIGTERM/SIGINT
 * stop; once a second: replay floors saved, retired snapshots freed,
 * workers checked).  Without -f the process detaches first and its parent
 * waits until the start is done or failed (detach.h); under systemd,
 * Type=notify hears the same (notify.h).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "confenv.h"
#include "ctlserver.h"
#include "detach.h"
#include "eespd.h"
#include "ivstate.h"
#include "keyage.h"
#include "keyops.h"
#include "keywatch.h"
#include "log.h"
#include "memlock.h"
#include "names.h"
#include "notify.h"
#include "peerstats.h"
#include "privs.h"
#include "publish.h"
#include "replaystate.h"
#include "replaytab.h"
#include "sandbox.h"
#include "saverbs.h"
#include "socket.h"
#include "spistate.h"
#include "statefile.h"
#include "tun.h"
#include "worker.h"

/* What start-up opens, for the workers and for the stop. */
struct startup {
	int tun_fds[EESPD_MAX_WORKERS];
	struct sockset socks[EESPD_MAX_WORKERS];
	struct txpool txpool;
	uint64_t iv_marks[EESPD_MAX_WORKERS];
	int sfd;       /* signals */
	int report_fd; /* detached: the waiting parent (detach.h) */
	int notify_fd; /* systemd's NOTIFY_SOCKET (notify.h) */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: eespd [-f] [-t] [-v] [-c FILE]\n"
		   "  -c, --config FILE   configuration file (default /etc/eespd/eespd.conf)\n"
		   "  -f, --foreground    stay in the foreground, log to stderr\n"
		   "  -t, --test          check the configuration and key files, then exit\n"
		   "  -v, --verbose       more logging (debug), overrides log_level\n"
		   "  -h, --help          this text\n"
		   "  -V, --version       print the version\n"
		   "See eespd(8) and eespd.conf(5).\n");
}

/* Absolute, as the daemon changes to / and a reload reads the file again;
 * the directory is resolved, the file's own name is not: a symlink there
 * is refused when the file is opened (confenv.c), as key files are. */
static void absolute_path(char *path, size_t cap)
{
	char *slash = strrchr(path, '/');
	char dir[4096];
	const char *name = slash ? slash + 1 : path;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	char *abs = realpath(dir[0] ? dir : "/", NULL);
	size_t al = abs ? strlen(abs) : 0, nl = strlen(name);
	if (abs && nl && al + nl + 2 <= cap) {
		memmove(path + al + 1, name, nl + 1);
		memcpy(path, abs, al);
		path[al] = '/';
		if (al == 1) /* "/" itself */
			memmove(path + 1, path + 2, nl + 1);
	}
	free(abs);
}

/* -1: go on; else the exit status */
static int parse_args(int argc, char **argv, char *path, size_t cap, bool *fg, bool *test,
		      int *verbose)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"foreground", no_argument, NULL, 'f'},
	    {"test", no_argument, NULL, 't'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	int o;
	snprintf(path, cap, "/etc/eespd/eespd.conf");
	while ((o = getopt_long(argc, argv, "c:ftvhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			snprintf(path, cap, "%s", optarg);
			break;
		case 'f':
			*fg = true;
			break;
		case 't':
			*test = true;
			break;
		case 'v':
			(*verbose)++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("eespd %s\n", EESPD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	absolute_path(path, cap);
	return -1;
}

/* Replay protection that leaves captured packets acceptable: say so. */
static void warn_weak_replay(const struct eespd *e, const struct snap *s)
{
	for (unsigned i = 0; e->conf.mode == EESP_MODE_EESP && i < s->n_doms; i++) {
		const struct domain *d = &s->dom[i];
		bool fixed = !d->epoch_period && !d->epoch_packets;
		if (!d->replay)
			log_warn(
			    "domain %s: replay = false: a captured packet is accepted again as "
			    "long as its epoch and root generations are (%s)",
			    d->name,
			    fixed ? "the epoch is fixed: until the next root rotation"
				  : "epoch_window epochs");
		else if (fixed)
			log_warn(
			    "domain %s: the epoch is fixed (epoch_period = 0): data keys change "
			    "only when a root generation rotates",
			    d->name);
	}
}

/* control socket group: daemon.control_group, else "eesp" if that group
 * exists, else none (root only); never the daemon user's own group */
static gid_t control_gid(const struct eespd_conf *c)
{
	const char *gn = c->ctl_group[0] ? c->ctl_group : "eesp";
	struct group *gr = getgrnam(gn);
	if (gr)
		return gr->gr_gid;
	if (c->ctl_group[0])
		log_warn("control_group '%s' does not exist; control socket root-only (0600)", gn);
	else
		log_info("no group 'eesp': control socket root-only (0600)");
	return (gid_t)-1;
}

/* TUN queues (with the virtio header when offload is on, falling back to
 * none), addresses, UDP sockets */
static int open_network(struct eespd *e, struct startup *st, char *err, size_t el)
{
	struct eespd_conf *c = &e->conf;
	bool vnet = c->offload;
	if (vnet && tun_open(c->ifname, c->workers, true, st->tun_fds, &e->tun_uso, err, el)) {
		log_warn("%s; continuing without TUN offload", err);
		c->offload = vnet = false;
	}
	if (!c->offload &&
	    tun_open(c->ifname, c->workers, false, st->tun_fds, &e->tun_uso, err, el))
		return -1;
	return tun_configure(c->ifname, c->mtu, c->addrs, c->n_addrs, err, el) ||
		       sockets_open(c, c->workers, st->socks, &st->txpool, err, el)
		   ? -1
		   : 0;
}

/* signals: handled by the main thread through a signalfd */
static int open_signals(struct startup *st, char *err, size_t el)
{
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	st->sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	if (st->sfd < 0) {
		snprintf(err, el, "signalfd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* As root: everything privileged, then the drop. */
static int start_privileged(struct eespd *e, struct startup *st, char *err, size_t el)
{
	struct eespd_conf *c = &e->conf;
	/* the state directory is the daemon user's alone; its files are
	 * opened after the privilege drop (statefile.h) */
	if (statefile_dir_prepare(c->state_dir, e->uid, e->gid, err, el) ||
	    ctl_listen(&e->listener, c->ctl_path, control_gid(c), err, el) ||
	    open_network(e, st, err, el) || open_signals(st, err, el))
		return -1;
	char why[512];
	if (memlock_setup(c->lock_memory, why, sizeof(why))) {
		snprintf(err, el, "%.400s: %.500s", c->path, why);
		return -1;
	}
	if (geteuid() != 0) {
		log_warn("not started as root: running as uid %u", (unsigned)getuid());
		return 0;
	}
	if (privs_drop(e->uid, e->gid, err, el))
		return -1;
	log_info("running as %s (uid %u), no capabilities", e->user, (unsigned)e->uid);
	return 0;
}

/* As the daemon user: the state files, the persister, the key service. */
static int start_state(struct eespd *e, struct startup *st, const struct snap *s, char *err,
		       size_t el)
{
	const char *delay = getenv("EESPD_TEST_IV_DELAY_MS");
	e->state_fd = statefile_dir_open(e->conf.state_dir, err, el);
	if (e->state_fd < 0)
		return -1;
	e->iv = ivpersist_new(e->state_fd, delay ? (unsigned)strtoul(delay, NULL, 10) : 0);
	e->spi = spistate_new(e->state_fd, e->conf.state_dir, e->conf.ifname);
	if (!e->iv || !e->spi) {
		snprintf(err, el, "out of memory");
		return -1;
	}
	for (unsigned i = 0; i < e->conf.workers; i++)
		if (ivpersist_open(e->iv, e->conf.ifname, i, &st->iv_marks[i], err, el))
			return -1;
	if (replay_state_load(e->state_fd, e->conf.ifname, s, e->replay, (uint64_t)time(NULL), err,
			      el))
		return -1;
	if (ivpersist_start(e->iv)) {
		snprintf(err, el, "cannot start the IV persister thread");
		return -1;
	}
	return 0;
}

static int start_workers(struct eespd *e, struct startup *st, char *err, size_t el)
{
	uint32_t seed = 0;
	RAND_bytes((unsigned char *)&seed, sizeof(seed));
	for (unsigned i = 0; i < e->conf.workers; i++) {
		e->w[i] = worker_new(e, i, st->tun_fds[i], &st->socks[i], st->iv_marks[i]);
		if (!e->w[i]) {
			snprintf(err, el, "worker %u: cannot set up its buffers and ring", i);
			return -1;
		}
		e->n_workers = i + 1;
		/* same seed everywhere: a flow keeps its port whichever queue reads it */
		worker_set_seed(e->w[i], seed);
	}
	for (unsigned i = 0; i < e->n_workers; i++)
		if (worker_start(e->w[i])) {
			snprintf(err, el, "worker %u: cannot start thread", i);
			return -1;
		}
	/* every thread runs: from here on only the allow-list (sandbox.h) */
	return sandbox_apply(e->conf.seccomp, err, el);
}

/* Ready means every worker runs its ring: each acknowledges its first
 * snapshot once its ring is enabled and its crypto set up, or fails. */
static int workers_up(const struct eespd *e, char *err, size_t el)
{
	for (int ms = 0; ms < 10000; ms++) {
		bool all = true;
		for (unsigned i = 0; i < e->n_workers; i++) {
			if (worker_failed(e->w[i])) {
				snprintf(err, el,
					 "worker %u could not start its ring (see the log)", i);
				return -1;
			}
			all &= worker_snap_serial(e->w[i]) != 0;
		}
		if (all)
			return 0;
		usleep(1000);
	}
	snprintf(err, el, "the workers did not start within 10 s");
	return -1;
}

static void log_started(const struct eespd *e, const struct startup *st)
{
	const struct eespd_conf *c = &e->conf;
	log_info("eespd %s started: mode %s, interface %s, port %u, %u worker(s), send from %u "
		 "source port(s), UDP GSO %s, UDP GRO %s, TUN offload %s",
		 EESPD_VERSION, eesp_name_of(eesp_mode_names, (unsigned)c->mode), c->ifname,
		 c->port, c->workers, st->txpool.n ? st->txpool.n : 1, c->udp_gso ? "on" : "off",
		 c->udp_gro ? "on" : "off",
		 c->offload ? (c->gro ? "on (TSO/USO split, GRO coalescing)" : "on (TSO/USO split)")
			    : "off");
}

/* The once-a-second work of the main loop; false when eespd must stop. */
static bool tick(struct eespd *e)
{
	bool ok = true;
	if (replay_state_save(e->state_fd, e->conf.ifname, atomic_load(&e->snap), e->replay,
			      (uint64_t)time(NULL), false))
		log_warn("replay state: cannot save: %s", strerror(errno));
	eespd_reap(e);
	keywatch_check(e, e->keywatch, false, time(NULL));
	for (unsigned i = 0; i < e->n_workers; i++)
		if (worker_failed(e->w[i])) {
			log_err("worker %u failed; stopping", i);
			ok = false;
		}
	return ok;
}

/* false when a signal says stop */
static bool on_signal(struct eespd *e, int sfd)
{
	struct signalfd_siginfo si;
	char err[1024];
	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo == SIGHUP) {
		log_info("SIGHUP: reloading %s", e->conf.path);
		keyops_reload(e, err, sizeof(err));
		return true;
	}
	if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
		log_info("signal %u: stopping", si.ssi_signo);
		return false;
	}
	return true;
}

static int run(struct eespd *e, int sfd)
{
	time_t check_at = time(NULL) + 1;
	for (;;) {
		struct pollfd p[64];
		p[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
		p[1] = (struct pollfd){.fd = keywatch_fd(e->keywatch), .events = POLLIN};
		unsigned np = 2 + ctl_pollfds(e->ctl, p + 2, 62);
		int to = ctl_timeout_ms(e->ctl);
		int n = poll(p, np, to >= 0 && to < 500 ? to : 500);
		if (n < 0 && errno != EINTR)
			return 1;
		if (n < 0)
			continue;
		if ((p[0].revents & POLLIN) && !on_signal(e, sfd))
			return 0;
		if (p[1].revents & POLLIN)
			keywatch_check(e, e->keywatch, true, time(NULL));
		ctl_process(e->ctl, p + 2, np - 2);
		if (time(NULL) >= check_at) {
			if (!tick(e))
				return 1;
			check_at = time(NULL) + 1;
		}
	}
}

/* Everything start-up opened, in reverse; safe on a half-done start. */
static void stop(struct eespd *e, struct startup *st)
{
	for (unsigned i = 0; i < e->n_workers; i++)
		worker_stop_join(e->w[i]);
	for (unsigned i = 0; i < e->n_workers; i++)
		worker_free(e->w[i]);
	/* the workers are gone: the accepted clocks are final */
	if (e->state_fd >= 0 && e->n_workers &&
	    replay_state_save(e->state_fd, e->conf.ifname, atomic_load(&e->snap), e->replay,
			      (uint64_t)time(NULL), true))
		log_err("replay state: cannot save at stop: %s", strerror(errno));
	ivpersist_free(e->iv);
	spistate_free(e->spi);
	ctl_server_free(e->ctl);
	saverbs_free(e); /* runtime SAs: their keys wiped */
	keywatch_free(e->keywatch);
	/* the socket itself stays after the privilege drop (root's
	 * directory): the next start removes it as stale (ctlsock.h) */
	ctl_listener_close(&e->listener);
	if (st->sfd >= 0)
		close(st->sfd);
	if (e->state_fd >= 0)
		close(e->state_fd);
	eespd_reap_all(e);
	replay_tables_free(e->replay);
	keyage_free(e->keyage);
}

/* Running: whoever waits for the start hears it (the detached parent,
 * systemd's Type=notify). */
static void report_ready(const struct eespd *e, struct startup *st)
{
	char m[256];
	detach_ready(st->report_fd);
	st->report_fd = -1;
	snprintf(m, sizeof(m), "READY=1\nSTATUS=eespd %s: mode %s, interface %s, port %u",
		 EESPD_VERSION, eesp_name_of(eesp_mode_names, (unsigned)e->conf.mode),
		 e->conf.ifname, e->conf.port);
	notify_send(st->notify_fd, m);
}

/* The start failed: the log, the waiting parent (it prints err on stderr
 * and exits 1) and systemd's status line hear why. */
static void report_failed(struct startup *st, const char *err)
{
	char m[1100];
	log_err("%s", err);
	detach_failed(st->report_fd, err);
	st->report_fd = -1;
	snprintf(m, sizeof(m), "STATUS=start-up failed: %s", err);
	notify_send(st->notify_fd, m);
}

/* Start as the configuration says, run until told to stop. */
static int serve(struct eespd *e, struct snap *s, bool fg)
{
	struct startup st = {.sfd = -1, .report_fd = -1, .notify_fd = -1};
	char err[1024];
	int rc = 1;

	if (!fg) {
		/* the parent waits for report_ready/report_failed (detach.h) */
		st.report_fd = detach_start("eespd", err, sizeof(err));
		if (st.report_fd < 0) {
			log_report("%s", err);
			snap_free(s);
			return 1;
		}
		log_open("eespd", false, e->verbose ? LOG_LVL_DEBUG : s->log_level);
	}
	st.notify_fd = notify_open();
	e->replay = replay_tables_new();
	if (!e->replay || replay_sync(e->replay, s, (uint64_t)time(NULL), err, sizeof(err))) {
		report_failed(&st, e->replay ? err : "out of memory");
		notify_close(st.notify_fd);
		snap_free(s);
		replay_tables_free(e->replay);
		return 1;
	}
	s->serial = ++e->next_serial;
	peerstats_attach(s, e->conf.workers, NULL);
	atomic_store(&e->snap, s);
	e->started = time(NULL);
	e->keyage = keyage_new(); /* NULL: the metrics leave key ages out */
	keyage_note(e->keyage, s, e->started);
	if (start_privileged(e, &st, err, sizeof(err)) || start_state(e, &st, s, err, sizeof(err)))
		goto out;
	warn_weak_replay(e, s);
	e->ctl = ctl_server_new(e, e->listener.fd);
	e->keywatch = keywatch_new(e->conf.key_dir_inotify, e->conf.key_dir_poll);
	if (!e->ctl || !e->keywatch) {
		snprintf(err, sizeof(err), "out of memory");
		goto out;
	}
	if (start_workers(e, &st, err, sizeof(err)) || workers_up(e, err, sizeof(err)))
		goto out;
	log_started(e, &st);
	report_ready(e, &st);
	rc = run(e, st.sfd);
	notify_send(st.notify_fd, "STOPPING=1");
	err[0] = 0;
out:
	if (rc && st.report_fd >= 0 && !err[0])
		snprintf(err, sizeof(err), "start-up failed");
	if (rc && err[0])
		report_failed(&st, err);
	stop(e, &st);
	notify_close(st.notify_fd);
	log_info("stopped");
	return rc;
}

int main(int argc, char **argv)
{
	static struct eespd e = {
	    .lock = PTHREAD_MUTEX_INITIALIZER, .state_fd = -1, .listener = {.fd = -1, .dirfd = -1}};
	bool fg = false, test = false;
	char path[4096], err[1024];
	struct snap *s;
	int rc = parse_args(argc, argv, path, sizeof(path), &fg, &test, &e.verbose);

	if (rc >= 0)
		return rc;
	log_open("eespd", true, e.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (eespd_conf_load(path, &e.conf, &s, err, sizeof(err))) {
		log_report("%s", err);
		return 1;
	}
	if (test) {
		printf("%s: configuration OK (mode %s, %u peers)\n", path,
		       eesp_name_of(eesp_mode_names, (unsigned)e.conf.mode), s->n_peers);
		snap_free(s);
		return 0;
	}
	if (!e.verbose)
		log_set_level(s->log_level);
	/* the parser checked it; the account may have gone since */
	if (privs_lookup(e.conf.user, &e.uid, &e.gid, e.user, sizeof(e.user))) {
		log_report("%s: user '%s' does not exist", path, e.conf.user);
		snap_free(s);
		return 1;
	}
	/* what a start without root or CAP_NET_ADMIN would fail on, said
	 * before anything is created, with what to do */
	if (privs_check_start(e.conf.ifname, e.conf.user, err, sizeof(err))) {
		log_report("%s", err);
		snap_free(s);
		return 1;
	}
	return serve(&e, s, fg);
}
