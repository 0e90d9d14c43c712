// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - eespd: command line, start-up order, signals, reload.
 *
 * Start-up: load + check the configuration and key files (as root) -> state
 * directory and IV files -> control socket -> TUN queues -> sockets ->
 * memory locking (memlock.h) -> privilege drop (no capabilities left) ->
 * worker threads -> seccomp filter (sandbox.h) -> main loop (control
 * socket + signalfd: SIGHUP reloads, SIGTERM/SIGINT stop).
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "ctlsock.h"
#include "eespd.h"
#include "replaystate.h"
#include "statefile.h"
#include "memlock.h"
#include "sandbox.h"

_Atomic(struct cfg *) g_cfg;
struct daemon_state g_d = {.lock = PTHREAD_MUTEX_INITIALIZER};
static char g_conf_path[4096];
static int g_verbose;

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

void daemon_publish(struct cfg *n)
{
	pthread_mutex_lock(&g_d.lock);
	struct cfg *old = atomic_exchange(&g_cfg, n);
	pthread_mutex_unlock(&g_d.lock);
	if (!old || old == n)
		return;
	/* wait until every worker runs with the new snapshot (they look
	 * between batches and at least every 200 ms), then free the old one */
	for (int i = 0; i < 400; i++) {
		bool all = true;
		for (unsigned w = 0; w < g_d.n_workers; w++)
			if (worker_cfg_serial(g_d.w[w]) != n->serial)
				all = false;
		if (all) {
			cfg_free(old);
			return;
		}
		usleep(5000);
	}
	log_warn("a worker did not pick up configuration %llu within 2 s; keeping the old "
		 "snapshot allocated",
		 (unsigned long long)n->serial);
}

int daemon_reload(char *err, size_t err_len)
{
	struct cfg *cur = atomic_load(&g_cfg);
	struct cfg *n = cfg_load(g_conf_path, (uid_t)-1, err, err_len);
	if (!n) {
		log_err("reload failed, keeping the running configuration: %s", err);
		return -1;
	}
	if (n->mode != cur->mode) {
		snprintf(err, err_len, "%s: mode changed: restart eespd to apply", g_conf_path);
		cfg_free(n);
		return -1;
	}
	/* settings bound to open devices, sockets and buffers need a restart */
	if (strcmp(n->ifname, cur->ifname) || n->mtu != cur->mtu || n->port != cur->port ||
	    n->workers != cur->workers || n->offload != cur->offload || n->gro != cur->gro ||
	    n->udp_gro != cur->udp_gro || n->sport_min != cur->sport_min ||
	    n->sport_max != cur->sport_max || strcmp(n->user, cur->user) ||
	    strcmp(n->ctl_path, cur->ctl_path) || strcmp(n->state_dir, cur->state_dir) ||
	    n->n_addrs != cur->n_addrs ||
	    (n->n_addrs && memcmp(n->addrs, cur->addrs, n->n_addrs * sizeof(*n->addrs))))
		log_warn("reload: daemon settings (interface, mtu, addresses, port, workers, "
			 "offload, gro, udp_gro, source_ports, user, control_socket, state_dir) "
			 "need a restart; keeping "
			 "the running ones");
	snprintf(n->ifname, sizeof(n->ifname), "%s", cur->ifname);
	n->mtu = cur->mtu;
	n->port = cur->port;
	n->workers = cur->workers;
	n->offload = cur->offload;
	n->gro = cur->gro;
	n->udp_gro = cur->udp_gro;
	n->sport_min = cur->sport_min;
	n->sport_max = cur->sport_max;
	snprintf(n->user, sizeof(n->user), "%s", cur->user);
	snprintf(n->ctl_path, sizeof(n->ctl_path), "%s", cur->ctl_path);
	snprintf(n->state_dir, sizeof(n->state_dir), "%s", cur->state_dir);
	struct prefix *addrs = cur->n_addrs ? malloc(cur->n_addrs * sizeof(*addrs)) : NULL;
	if (cur->n_addrs && !addrs) {
		snprintf(err, err_len, "out of memory");
		cfg_free(n);
		return -1;
	}
	if (addrs)
		memcpy(addrs, cur->addrs, cur->n_addrs * sizeof(*addrs));
	free(n->addrs);
	n->addrs = addrs;
	n->n_addrs = cur->n_addrs;
	if (!g_verbose)
		log_set_level(n->log_level);
	snprintf(n->ctl_group, sizeof(n->ctl_group), "%s", cur->ctl_group);
	n->iv_block = cur->iv_block;
	if (replay_sync(n, err, err_len)) {
		cfg_free(n);
		return -1;
	}
	daemon_publish(n);
	log_info("configuration reloaded (serial %llu, %u peers)", (unsigned long long)n->serial,
		 n->n_peers);
	return 0;
}

/* Replay protection that leaves captured packets acceptable: say so. */
static void warn_weak_replay(const struct cfg *c)
{
	for (unsigned i = 0; c->mode == MODE_EESP && i < c->n_doms; i++) {
		const struct cfg *d = c->doms[i];
		bool fixed = !d->epoch_period && !d->epoch_packets;
		if (!d->replay)
			log_warn(
			    "domain %s: replay = false: a captured packet is accepted again as "
			    "long as its epoch and root generations are (%s)",
			    d->dom_name,
			    fixed ? "the epoch is fixed: until the next root rotation"
				  : "epoch_window epochs");
		else if (fixed)
			log_warn(
			    "domain %s: the epoch is fixed (epoch_period = 0): data keys change "
			    "only when a root generation rotates",
			    d->dom_name);
	}
}

int main(int argc, char **argv)
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
	bool fg = false, test = false;
	char err[1024];
	int o, tun_fds[EESPD_MAX_WORKERS];
	struct sockset socks[EESPD_MAX_WORKERS];
	static struct txpool txpool;
	struct ivstate ivs[EESPD_MAX_WORKERS];

	snprintf(g_conf_path, sizeof(g_conf_path), "/etc/eespd/eespd.conf");
	while ((o = getopt_long(argc, argv, "c:ftvhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			snprintf(g_conf_path, sizeof(g_conf_path), "%s", optarg);
			break;
		case 'f':
			fg = true;
			break;
		case 't':
			test = true;
			break;
		case 'v':
			g_verbose++;
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
	log_open(true, g_verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	/* absolute: daemon() changes to /, and reload reads the file again */
	char *abs = realpath(g_conf_path, NULL);
	if (abs) {
		snprintf(g_conf_path, sizeof(g_conf_path), "%s", abs);
		free(abs);
	}

	struct cfg *c = cfg_load(g_conf_path, (uid_t)-1, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "eespd: %s\n", err);
		return 1;
	}
	if (test) {
		printf("%s: configuration OK (mode %s, %u peers)\n", g_conf_path,
		       c->mode == MODE_EESP ? "eesp" : "psp", c->n_peers);
		cfg_free(c);
		return 0;
	}
	if (!g_verbose)
		log_set_level(c->log_level);
	/* cfg_load checked it; the account may have gone since */
	if (privs_lookup(c->user, &g_d.uid, &g_d.gid, g_d.user, sizeof(g_d.user))) {
		fprintf(stderr, "eespd: %s: user '%s' does not exist\n", g_conf_path, c->user);
		return 1;
	}
	if (!fg) {
		if (daemon(0, 0)) {
			perror("eespd: daemon");
			return 1;
		}
		log_open(false, g_verbose ? LOG_LVL_DEBUG : c->log_level);
	}
	if (replay_sync(c, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	atomic_store(&g_cfg, c);
	g_d.started = time(NULL);
	g_d.n_workers = c->workers;

	/* the state directory is the daemon user's alone; its IV files are
	 * opened after the privilege drop (ivstate.c) */
	if (statefile_dir_prepare(c->state_dir, g_d.uid, g_d.gid, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	/* control socket group: daemon.control_group, else "eesp" if that group
	 * exists, else none (root only); never the daemon user's own group */
	gid_t ctl_gid = (gid_t)-1;
	{
		const char *gn = c->ctl_group[0] ? c->ctl_group : "eesp";
		struct group *gr = getgrnam(gn);
		if (gr)
			ctl_gid = gr->gr_gid;
		else if (c->ctl_group[0])
			log_warn(
			    "control_group '%s' does not exist; control socket root-only (0600)",
			    gn);
		else
			log_info("no group 'eesp': control socket root-only (0600)");
	}
	int ctl = ctl_listen(c->ctl_path, ctl_gid, err, sizeof(err));
	if (ctl < 0) {
		log_err("%s", err);
		return 1;
	}
	if (c->offload &&
	    tun_open(c->ifname, c->workers, true, tun_fds, &g_d.tun_uso, err, sizeof(err))) {
		log_warn("%s; continuing without TUN offload", err);
		c->offload = false;
	} else if (c->offload) {
		goto tun_done;
	}
	if (tun_open(c->ifname, c->workers, false, tun_fds, &g_d.tun_uso, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
tun_done:
	if (tun_configure(c->ifname, c->mtu, c->addrs, c->n_addrs, err, sizeof(err)) ||
	    sockets_open(c, c->workers, socks, &txpool, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}

	/* signals: handled by the main thread through a signalfd */
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &ss, NULL);
	int sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	if (sfd < 0) {
		log_err("signalfd: %s", strerror(errno));
		return 1;
	}

	if (memlock_setup(c->lock_memory, err, sizeof(err))) {
		log_err("%s: %s", g_conf_path, err);
		unlink(c->ctl_path);
		return 1;
	}
	if (geteuid() == 0) {
		if (privs_drop(g_d.uid, g_d.gid, err, sizeof(err))) {
			log_err("privilege drop: %s", err);
			return 1;
		}
		log_info("running as %s (uid %u), no capabilities", g_d.user, (unsigned)g_d.uid);
	} else {
		log_warn("not started as root: running as uid %u", (unsigned)getuid());
	}

	int state_fd = statefile_dir_open(c->state_dir, err, sizeof(err));
	if (state_fd < 0) {
		log_err("state_dir: %s", err);
		return 1;
	}
	for (unsigned i = 0; i < c->workers; i++)
		if (ivstate_open(state_fd, c->ifname, i, &ivs[i], err, sizeof(err))) {
			log_err("%s", err);
			return 1;
		}
	if (replay_state_load(state_fd, c, (uint64_t)time(NULL), err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	warn_weak_replay(c);
	if (ivstate_start()) {
		log_err("cannot start the IV persister thread");
		return 1;
	}
	uint32_t seed = 0;
	RAND_bytes((unsigned char *)&seed, sizeof(seed));
	for (unsigned i = 0; i < c->workers; i++) {
		g_d.w[i] = worker_new(i, tun_fds[i], &socks[i], &ivs[i]);
		if (!g_d.w[i]) {
			log_err("worker %u: cannot set up its buffers and ring", i);
			return 1;
		}
	}
	for (unsigned i = 0; i < c->workers; i++) {
		/* same seed everywhere: a flow keeps its port whichever queue reads it */
		worker_set_seed(g_d.w[i], seed);
		if (worker_start(g_d.w[i])) {
			log_err("worker %u: cannot start thread", i);
			return 1;
		}
	}
	/* every thread runs: from here on only the allow-list (sandbox.h) */
	if (sandbox_apply(c->seccomp, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	log_info("eespd %s started: mode %s, interface %s, port %u, %u worker(s), send from %u "
		 "source port(s), UDP GSO %s, UDP GRO %s, TUN offload %s",
		 EESPD_VERSION, c->mode == MODE_EESP ? "eesp" : "psp", c->ifname, c->port,
		 c->workers, txpool.n ? txpool.n : 1, c->udp_gso ? "on" : "off",
		 c->udp_gro ? "on" : "off",
		 c->offload ? (c->gro ? "on (TSO/USO split, GRO coalescing)" : "on (TSO/USO split)")
			    : "off");

	bool running = true;
	int rc = 0;
	time_t check_at = time(NULL) + 1;
	while (running) {
		struct pollfd p[64];
		p[0] = (struct pollfd){.fd = sfd, .events = POLLIN};
		unsigned np = 1 + ctl_pollfds(ctl, p + 1, 63);
		int to = ctl_timeout_ms();
		int n = poll(p, np, to >= 0 && to < 500 ? to : 500);
		if (n < 0 && errno != EINTR)
			break;
		if (n < 0)
			continue;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					log_info("SIGHUP: reloading %s", g_conf_path);
					daemon_reload(err, sizeof(err));
				} else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
					log_info("signal %u: stopping", si.ssi_signo);
					running = false;
				}
			}
		}
		ctl_process(ctl, p + 1, np - 1);
		if (time(NULL) >= check_at) {
			if (replay_state_save(state_fd, atomic_load(&g_cfg), (uint64_t)time(NULL),
					      false))
				log_warn("replay state: cannot save: %s", strerror(errno));
			for (unsigned i = 0; i < g_d.n_workers; i++)
				if (worker_failed(g_d.w[i])) {
					log_err("worker %u failed; stopping", i);
					running = false;
					rc = 1;
				}
			check_at = time(NULL) + 1;
		}
	}
	for (unsigned i = 0; i < g_d.n_workers; i++)
		worker_stop_join(g_d.w[i]);
	for (unsigned i = 0; i < g_d.n_workers; i++)
		worker_free(g_d.w[i]);
	/* the workers are gone: the accepted clocks are final */
	if (replay_state_save(state_fd, atomic_load(&g_cfg), (uint64_t)time(NULL), true))
		log_err("replay state: cannot save at stop: %s", strerror(errno));
	ivstate_stop();
	ctl_close_all();
	close(ctl); /* the socket itself stays (root's directory): see ctlsock.h */
	cfg_free(atomic_load(&g_cfg));
	replay_free_all();
	log_info("stopped");
	return rc;
}
