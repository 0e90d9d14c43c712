// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - eesp-iked: the command line and the parent process.
 *
 * The process structure follows openiked (a parent and one process per
 * job, each with its own state) and OpenSSH's monitor (the keys live
 * apart from the code that parses the network):
 *
 *   parent (struct iked_parent)  as root: reads the configuration and the
 *       PSK files, creates the control socket, binds the UDP sockets; then
 *       starts the two children, forgets the PSKs, closes every socket,
 *       drops to the daemon user and only supervises: SIGTERM/SIGINT stop
 *       both children, a child that dies stops the other and the daemon.
 *   authenticating process (struct iked_auth, authproc.c)  keeps the PSKs
 *       and computes AUTH values on request; no socket but its pair.
 *   IKE process (struct iked_ike, ikeproc.c)  the UDP sockets, the
 *       control socket and the engine; no PSK.
 *
 * Both children drop to the daemon user with no capabilities (privs.h),
 * are not dumpable and die with the parent (PR_SET_PDEATHSIG, set after
 * the drop, which clears it).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authproc.h"
#include "conf.h"
#include "ctlsock.h"
#include "ikeproc.h"
#include "statefile.h"
#include "keylog.h"
#include "keyload.h"
#include "gcks.h"
#include "keyload.h"
#include "keys.h"
#include "log.h"
#include "privs.h"
#include "psk.h"
#include "secmem.h"
#include "udp.h"

#define IKED_VERSION "0.1"
#define STOP_WAIT_MS 5000

/* The parent's state. */
struct iked_parent {
	struct iked_conf conf;
	bool fg, test;
	int verbose;
	char path[4096];
	struct ctl_listener ctl;
	struct udp_socks udp;
	int pair[2]; /* [0] IKE process, [1] authenticating process */
	int sig_fd;
	pid_t pid; /* the parent's own */
	pid_t ike_pid, auth_pid;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: eesp-iked [-f] [-t] [-v] [-c FILE]\n"
		   "  -c, --config FILE   configuration (default /etc/eesp-iked/eesp-iked.conf)\n"
		   "  -f, --foreground    stay in the foreground, log to stderr\n"
		   "  -t, --test          check the configuration and PSK files, then exit\n"
		   "  -v, --verbose       debug logging, overrides log_level\n"
		   "  -h, --help          this text\n"
		   "  -V, --version       print the version\n"
		   "See eesp-iked(8) and eesp-iked.conf(5).\n");
}

/* -1: go on; else the exit status */
static int parse_args(struct iked_parent *p, int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"foreground", no_argument, NULL, 'f'},
					     {"test", no_argument, NULL, 't'},
					     {"verbose", no_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'h'},
					     {"version", no_argument, NULL, 'V'},
					     {NULL, 0, NULL, 0}};
	int o;
	snprintf(p->path, sizeof(p->path), "/etc/eesp-iked/eesp-iked.conf");
	while ((o = getopt_long(argc, argv, "c:ftvhV", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			snprintf(p->path, sizeof(p->path), "%s", optarg);
			break;
		case 'f':
			p->fg = true;
			break;
		case 't':
			p->test = true;
			break;
		case 'v':
			p->verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("eesp-iked %s\n", IKED_VERSION);
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
	char *abs = realpath(p->path, NULL);
	if (abs) {
		snprintf(p->path, sizeof(p->path), "%s", abs);
		free(abs);
	}
	return -1;
}

/* ------------------------------------------------- the real system ---- */

static int env_user(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
	char n[64];
	(void)arg;
	return privs_lookup(name, uid, gid, n, sizeof(n));
}

static int env_group(void *arg, const char *name, gid_t *gid)
{
	struct group *g = getgrnam(name);
	(void)arg;
	if (!g)
		return -1;
	*gid = g->gr_gid;
	return 0;
}

/* the daemon user reads its PSKs (it owns them); root checks that */
static int env_psk(void *arg, const char *path, uid_t uid, struct iked_psk *psk, char *err,
		   size_t el)
{
	(void)arg;
	return psk_load(path, keyload_reader(uid), psk, err, el);
}

/* control socket group: control_group, else "eesp" if it exists, else root only */
static gid_t control_gid(const struct iked_conf *c)
{
	const char *gn = c->ctl_group[0] ? c->ctl_group : "eesp";
	struct group *g = getgrnam(gn);
	if (g)
		return g->gr_gid;
	if (c->ctl_group[0])
		log_warn("control_group '%s' does not exist: control socket root-only (0600)", gn);
	return (gid_t)-1;
}

/* ------------------------------------------------------ the children -- */

static void child_common(struct iked_parent *p)
{
	close(p->sig_fd);
}

/* Drop to the daemon user, then ask for SIGTERM when the parent dies:
 * after the drop, because a change of credentials clears that setting;
 * the parent may have died before it was set. */
static void drop_or_die(struct iked_parent *p, const char *who)
{
	char err[256];
	if (privs_drop(p->conf.uid, p->conf.gid, err, sizeof(err))) {
		log_err("%s process: %s", who, err);
		_exit(1);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != p->pid)
		_exit(1);
}

static void run_auth(struct iked_parent *p)
{
	struct iked_auth a = {.conf = &p->conf, .fd = p->pair[1]};
	sigset_t ss;
	child_common(p);
	close(p->pair[0]);
	udp_close(&p->udp);
	close(p->ctl.fd);
	close(p->ctl.dirfd);
	/* memory locks are not inherited: the PSKs are locked again here */
	eesp_secure_relock();
	drop_or_die(p, "authenticating");
	sigemptyset(&ss);
	sigprocmask(SIG_SETMASK, &ss, NULL);
	_exit(authproc_run(&a));
}

/* daemon.key_log, opened as the daemon user (never as root: the file's
 * directory may be the user's) once, before any key exists */
static void open_key_log(struct iked_parent *p, struct iked_ike *k)
{
	char err[4200];
	if (!p->conf.key_log[0])
		return;
	k->key_log_fd = keylog_open(p->conf.key_log, err, sizeof(err));
	if (k->key_log_fd < 0) {
		log_err("IKE process: %s", err);
		_exit(1);
	}
	log_warn("writing the IKE SAs' keys to %s (daemon.key_log): whoever reads it decrypts "
		 "them",
		 p->conf.key_log);
}

static void run_ike(struct iked_parent *p)
{
	struct iked_ike k = {.conf = &p->conf,
			     .udp = p->udp,
			     .auth_fd = p->pair[0],
			     .ctl_fd = p->ctl.fd,
			     .sig_fd = -1,
			     .key_log_fd = -1,
			     .gks = {.dirfd = -1}};
	sigset_t ss;
	child_common(p);
	close(p->pair[1]);
	close(p->ctl.dirfd);
	iked_conf_drop_psks(&p->conf); /* this process never needs them */
	drop_or_die(p, "IKE");
	open_key_log(p, &k);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	k.sig_fd = signalfd(-1, &ss, SFD_CLOEXEC);
	if (k.sig_fd < 0) {
		log_err("IKE process: signalfd: %s", strerror(errno));
		_exit(1);
	}
	log_info("IKE process running as %s (uid %u), no capabilities, no PSK", p->conf.user,
		 (unsigned)getuid());
	_exit(ikeproc_run(&k));
}

static pid_t spawn(struct iked_parent *p, void (*fn)(struct iked_parent *))
{
	pid_t pid = fork();
	if (pid == 0)
		fn(p);
	return pid;
}

/* ------------------------------------------------------- the parent --- */

static int open_everything(struct iked_parent *p, char *err, size_t el)
{
	sigset_t ss;
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigaddset(&ss, SIGCHLD);
	sigaddset(&ss, SIGPIPE);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	p->sig_fd = signalfd(-1, &ss, SFD_CLOEXEC);
	if (p->sig_fd < 0) {
		snprintf(err, el, "signalfd: %s", strerror(errno));
		return -1;
	}
	if (ctl_listen(&p->ctl, p->conf.ctl_path, control_gid(&p->conf), err, el) ||
	    udp_open(&p->conf, &p->udp, err, el))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p->pair)) {
		snprintf(err, el, "socketpair: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* wait for both children, SIGKILL after STOP_WAIT_MS */
static void reap_all(struct iked_parent *p)
{
	for (int t = 0; t < STOP_WAIT_MS / 50 && (p->ike_pid > 0 || p->auth_pid > 0); t++) {
		pid_t w;
		while ((w = waitpid(-1, NULL, WNOHANG)) > 0) {
			if (w == p->ike_pid)
				p->ike_pid = 0;
			if (w == p->auth_pid)
				p->auth_pid = 0;
		}
		if (p->ike_pid > 0 || p->auth_pid > 0)
			poll(NULL, 0, 50);
	}
	if (p->ike_pid > 0)
		kill(p->ike_pid, SIGKILL);
	if (p->auth_pid > 0)
		kill(p->auth_pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* a child ended: 0 when it was asked to, 1 otherwise */
static int child_gone(struct iked_parent *p)
{
	int st, rc = 0;
	pid_t w;
	while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
		const char *who = w == p->ike_pid    ? "IKE"
				  : w == p->auth_pid ? "authenticating"
						     : NULL;
		if (!who)
			continue;
		if (WIFEXITED(st))
			log_err("the %s process exited with status %d", who, WEXITSTATUS(st));
		else
			log_err("the %s process was killed by signal %d", who, WTERMSIG(st));
		if (w == p->ike_pid)
			p->ike_pid = 0;
		else
			p->auth_pid = 0;
		rc = 1;
	}
	return rc;
}

static int supervise(struct iked_parent *p)
{
	for (;;) {
		struct signalfd_siginfo si;
		if (read(p->sig_fd, &si, sizeof(si)) != sizeof(si)) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (si.ssi_signo == SIGCHLD && child_gone(p))
			break;
		if (si.ssi_signo == SIGHUP && p->ike_pid > 0)
			kill(p->ike_pid, SIGHUP);
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: stopping", si.ssi_signo);
			if (p->ike_pid > 0)
				kill(p->ike_pid, SIGTERM);
			/* the IKE process sends its Deletes, then closes the
			 * pair, which ends the authenticating process */
			reap_all(p);
			return 0;
		}
	}
	if (p->ike_pid > 0)
		kill(p->ike_pid, SIGTERM);
	if (p->auth_pid > 0)
		kill(p->auth_pid, SIGTERM);
	reap_all(p);
	return 1;
}

/* gcks.state_file's directory, as root before the children start: made
 * (0700, the daemon user's) when missing, refused when it belongs to
 * someone else or others may write in it; the IKE process opens it after
 * its drop (gcks_statefile.h) */
static int prepare_gcks_state(const struct iked_conf *c, char *err, size_t el)
{
	char e2[4400];
	if (!c->gcks.on)
		return 0;
	if (statefile_dir_prepare(c->gcks.state_dir, c->uid, c->gid, e2, sizeof(e2))) {
		snprintf(err, el, "gcks.state_file: %.900s", e2);
		return -1;
	}
	return 0;
}

static int serve(struct iked_parent *p)
{
	char err[1024];
	if (!p->fg) {
		if (daemon(0, 0)) {
			perror("eesp-iked: daemon");
			return 1;
		}
		log_open("eesp-iked", false, p->verbose ? LOG_LVL_DEBUG : p->conf.log_level);
	}
	if (open_everything(p, err, sizeof(err)) ||
	    prepare_gcks_state(&p->conf, err, sizeof(err))) {
		log_err("%s", err);
		return 1;
	}
	p->pid = getpid();
	p->auth_pid = spawn(p, run_auth);
	p->ike_pid = p->auth_pid > 0 ? spawn(p, run_ike) : -1;
	/* what the children have, the parent forgets */
	iked_conf_drop_psks(&p->conf);
	close(p->pair[0]);
	close(p->pair[1]);
	udp_close(&p->udp);
	close(p->ctl.fd);
	close(p->ctl.dirfd);
	if (p->auth_pid < 0 || p->ike_pid < 0) {
		log_err("fork: %s", strerror(errno));
		if (p->auth_pid > 0)
			kill(p->auth_pid, SIGTERM);
		reap_all(p);
		return 1;
	}
	if (privs_drop(p->conf.uid, p->conf.gid, err, sizeof(err))) {
		log_err("parent: %s", err);
		kill(p->ike_pid, SIGTERM);
		reap_all(p);
		return 1;
	}
	log_info("eesp-iked %s started: %u peer(s), %u listen address(es), port %u", IKED_VERSION,
		 p->conf.n_peers, p->conf.n_listen, p->conf.port);
	int rc = supervise(p);
	log_info("stopped");
	return rc;
}

/* The key server's keys, read now as the IKE process will read them (as
 * the daemon user), so a bad file stops the start with its line. */
static int check_gcks_keys(const struct iked_conf *c, char *err, size_t el)
{
	struct eesp_keyset *ks = NULL;
	uid_t reader = keyload_reader(c->uid);
	gid_t gid = reader == c->uid ? c->gid : getgid();
	if (gcks_load(c, (unsigned)reader, (unsigned)gid, &ks, err, el))
		return -1;
	eesp_keyset_free(ks);
	return 0;
}

int main(int argc, char **argv)
{
	static struct iked_parent p = {.pair = {-1, -1}, .sig_fd = -1};
	struct iked_conf_env env = {
	    .user_ids = env_user, .group_gid = env_group, .load_psk = env_psk};
	char err[1024];
	int rc = parse_args(&p, argc, argv);
	if (rc >= 0)
		return rc;
	log_open("eesp-iked", true, p.verbose ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	if (iked_conf_parse(p.path, NULL, &env, &p.conf, err, sizeof(err))) {
		fprintf(stderr, "eesp-iked: %s\n", err);
		return 1;
	}
	if (p.conf.gcks.on && check_gcks_keys(&p.conf, err, sizeof(err))) {
		fprintf(stderr, "eesp-iked: %s\n", err);
		iked_conf_free(&p.conf);
		return 1;
	}
	if (p.test) {
		printf("%s: configuration OK (%u peer(s))\n", p.path, p.conf.n_peers);
		iked_conf_free(&p.conf);
		return 0;
	}
	if (!p.verbose)
		log_set_level(p.conf.log_level);
	if (!p.conf.n_peers)
		log_warn("%s: no peers: every IKE_SA_INIT will be refused", p.path);
	rc = serve(&p);
	iked_conf_free(&p.conf);
	return rc;
}
