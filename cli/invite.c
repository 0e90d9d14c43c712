// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * invite.c - `eespctl domain invite DIR NAME --address A --endpoint E`:
 * a new node for the domain.  It gets the next node id of DIR/nodes (on
 * disk before anything else), a join bundle (bundle.c) with that id, its
 * addresses, the domain settings and root keys of its levels and every
 * peer this node knows (this node included), and this node's eespd.conf
 * gains it as a peer; a running eespd is told to reload.
 *
 * Order, so that a failure leaves nothing half-done that matters: the
 * roster is written first (an id is burnt, never handed out twice), then
 * the new eespd.conf is built and checked in memory, the bundle is created
 * (never over an existing file), eespd.conf is replaced (on failure the
 * bundle is removed again), and eespd reloads.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctlproto.h"
#include "eespctl.h"
#include "onboard.h"
#include "statefile.h"

struct invite_opts {
	const char *dir, *name, *out, *sock;
	char addrs[NC_MAX_ADDRS][NC_TEXT];
	unsigned n_addrs;
	char endpoint[NC_TEXT];
	unsigned port;
};

static void invite_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s domain invite DIR NAME --address ADDR/LEN [--address ADDR/LEN]\n"
		"                 --endpoint ADDR[:PORT] [-o FILE] [-s SOCKET]\n\n"
		"Makes a join bundle for a new node NAME of the domain whose directory DIR\n"
		"was made by `domain create`: the next node id of DIR/%s (never one handed\n"
		"out before), its tunnel addresses, where the others reach it (--endpoint),\n"
		"the domain's settings and root keys, and the peers this node knows.  The\n"
		"bundle goes to FILE (default NAME.join; mode 0600, never over an existing\n"
		"file); DIR/%s gains NAME as a peer and a running eespd reloads (its\n"
		"control socket from eespd.conf, or -s).  On the new node: %s join FILE.\n\n"
		"Example:\n"
		"  %s domain invite /etc/eespd beta --address 192.0.2.2/24 --endpoint "
		"198.51.100.20\n",
		PROG, ROSTER_FILE, DOMAIN_CONF, PROG, PROG);
}

static int invite_parse(int argc, char *argv[], struct invite_opts *o)
{
	static const struct option opts[] = {
	    {"address", required_argument, NULL, 'a'}, {"endpoint", required_argument, NULL, 'e'},
	    {"output", required_argument, NULL, 'o'},  {"socket", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0}};
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:s:h", opts, NULL)) != -1) {
		if (c == 'h') {
			invite_usage(stdout);
			return 1;
		}
		if (c == 'a' && o->n_addrs < NC_MAX_ADDRS) {
			if (nc_address("--address", optarg, o->addrs[o->n_addrs++]))
				return -1;
		} else if (c == 'e') {
			if (nc_endpoint("--endpoint", optarg, EESP_UDP_PORT, o->endpoint,
					sizeof(o->endpoint), &o->port))
				return -1;
		} else if (c == 'o' || c == 's') {
			*(c == 'o' ? &o->out : &o->sock) = optarg;
		} else {
			invite_usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 2 || !o->n_addrs || !o->endpoint[0]) {
		if (optind == argc - 2)
			err("domain invite: --address and --endpoint are required");
		invite_usage(stderr);
		return -1;
	}
	o->dir = argv[optind];
	o->name = argv[optind + 1];
	if (!nc_name_ok(o->name)) {
		err("domain invite: NAME '%s': letters, digits, '.', '_' and '-' only", o->name);
		return -1;
	}
	return 0;
}

/* What invite works on: DIR's descriptor, eespd.conf (text and parsed),
 * the root keys, the roster. */
struct inviter {
	int dfd;
	struct owners own;
	char *conf_text;
	size_t conf_len;
	struct node_conf conf;
	struct eesp_keyset *ks;
	struct roster roster;
};

static void inviter_free(struct inviter *v)
{
	if (v->dfd >= 0)
		close(v->dfd);
	free(v->conf_text);
	nc_free(&v->conf);
	eesp_keyset_free(v->ks);
	roster_free(&v->roster);
}

static int load_keyfile(const char *dir, const struct node_conf *c, struct eesp_keyset **ks)
{
	char path[PATH_MAX];
	if (c->key_file[0] == '/')
		snprintf(path, sizeof(path), "%s", c->key_file);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, c->key_file);
	*ks = load_keys(path);
	return *ks ? 0 : -1;
}

static int inviter_load(const char *dir, struct inviter *v)
{
	char *rt = NULL, path[PATH_MAX];
	size_t rl;
	int rc;

	memset(v, 0, sizeof(*v));
	v->dfd = -1;
	/* invite writes only root's files (eespd.conf, the roster) */
	v->own.root = geteuid() == 0;
	if ((v->dfd = confdir_open(dir, &v->own, false)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_CONF);
	if ((rc = confdir_read(v->dfd, dir, DOMAIN_CONF, &v->conf_text, &v->conf_len))) {
		if (rc > 0)
			err("%s: no %s: not a domain directory", dir, DOMAIN_CONF);
		return -1;
	}
	if (nc_read(path, v->conf_text, &v->conf) || load_keyfile(dir, &v->conf, &v->ks))
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, ROSTER_FILE);
	if ((rc = confdir_read(v->dfd, dir, ROSTER_FILE, &rt, &rl))) {
		if (rc > 0)
			err("%s: no node roster (%s): invite from the node whose `eespctl domain "
			    "create` made the domain (a joined node hands out no ids)",
			    dir, ROSTER_FILE);
		return -1;
	}
	rc = roster_parse(path, rt, &v->roster);
	free(rt);
	if (rc)
		return -1;
	if (!strcmp(v->roster.self_ep, "-")) {
		err("%s: this node's endpoint is not known (domain create without --endpoint): "
		    "write it on the `self` line, as ADDR:PORT",
		    path);
		return -1;
	}
	if (!nc_name_ok(v->conf.name)) {
		err("%s: domain name '%s' cannot go into a bundle (letters, digits, '.', '_', '-')",
		    path, v->conf.name);
		return -1;
	}
	return 0;
}

/* Does address a (ADDR/LEN) fall in one of the prefixes? */
static const char *clash(const char *a, const char (*list)[NC_TEXT], unsigned n, bool host)
{
	struct prefix x, y;
	char h[NC_TEXT], l[NC_TEXT];
	nc_host_prefix(a, h);
	for (unsigned k = 0; k < n; k++) {
		if (host)
			nc_host_prefix(list[k], l);
		else
			snprintf(l, sizeof(l), "%s", list[k]);
		if (!prefix_parse(h, &x) && !prefix_parse(l, &y) && prefix_overlaps(&x, &y))
			return list[k];
	}
	return NULL;
}

/* The new node's name and addresses clash with nothing this node knows. */
static int check_new(const struct inviter *v, const struct invite_opts *o)
{
	const char *c;
	if (!strcmp(v->roster.self_name, o->name)) {
		err("domain invite: %s is this node's own name", o->name);
		return -1;
	}
	for (unsigned a = 0; a < o->n_addrs; a++)
		if ((c = clash(o->addrs[a], v->conf.addrs, v->conf.n_addrs, true))) {
			err("domain invite: address %s is this node's own (%s)", o->addrs[a], c);
			return -1;
		}
	for (unsigned i = 0; i < v->conf.n_peers; i++) {
		const struct nc_peer *p = &v->conf.peers[i];
		if (!strcmp(p->name, o->name)) {
			err("domain invite: a peer called %s is already in %s", o->name,
			    DOMAIN_CONF);
			return -1;
		}
		for (unsigned a = 0; a < o->n_addrs; a++)
			if ((c = clash(o->addrs[a], p->allowed, p->n_allowed, false))) {
				err("domain invite: address %s is already peer %s's (%s)",
				    o->addrs[a], p->name, c);
				return -1;
			}
	}
	return 0;
}

/* The peer entry of a node: its host prefixes are its allowed_ips. */
static void peer_of(struct nc_peer *p, uint32_t id, const char *name, const char *ep,
		    const char (*addrs)[NC_TEXT], unsigned n)
{
	memset(p, 0, sizeof(*p));
	p->node_id = id;
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->endpoint, sizeof(p->endpoint), "%s", ep);
	for (unsigned i = 0; i < n; i++)
		nc_host_prefix(addrs[i], p->allowed[p->n_allowed++]);
}

/* The new node: the domain's settings, its own, and every peer of this
 * node in this node's key boundary (the bundle carries only its roots). */
static int new_node(const struct inviter *v, const struct invite_opts *o, uint32_t id,
		    struct node_conf *n)
{
	const struct node_conf *c = &v->conf;
	struct nc_peer self;

	*n = *c;
	n->peers = NULL;
	n->n_peers = 0;
	n->node_id = id;
	snprintf(n->key_file, sizeof(n->key_file), "%s", DOMAIN_KEYS);
	snprintf(n->self_name, sizeof(n->self_name), "%s", o->name);
	n->port = o->port;
	memcpy(n->addrs, o->addrs, sizeof(n->addrs));
	n->n_addrs = o->n_addrs;
	peer_of(&self, c->node_id, v->roster.self_name, v->roster.self_ep, c->addrs, c->n_addrs);
	if (nc_add_peer(n, &self))
		return -1;
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct nc_peer *p = &c->peers[i];
		if ((p->tenant && p->tenant != c->tenant) || (p->group && p->group != c->group) ||
		    !nc_name_ok(p->name)) {
			fprintf(stderr, "%s: note: peer %s left out of the bundle (%s)\n", PROG,
				p->name,
				nc_name_ok(p->name) ? "another key boundary"
						    : "its name has "
						      "blanks or quotes");
			continue;
		}
		if (nc_add_peer(n, p))
			return -1;
	}
	return 0;
}

/* The bundle file, 0600, never over an existing one; its directory's
 * descriptor and base name in *dfd, base (for removing it again). */
static int write_bundle(const char *out, const char *text, size_t len, int *dfd, char *base,
			size_t cap)
{
	char d[PATH_MAX], b[PATH_MAX];
	snprintf(d, sizeof(d), "%s", out);
	snprintf(b, sizeof(b), "%s", out);
	snprintf(base, cap, "%s", basename(b));
	*dfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*dfd < 0) {
		err("%s: %s", out, strerror(errno));
		return -1;
	}
	if (statefile_install(*dfd, base, text, len, 0600, (uid_t)-1, (gid_t)-1, 0)) {
		err("%s: %s%s", out, strerror(errno),
		    errno == EEXIST ? " (refusing to overwrite it; -o names another file)" : "");
		close(*dfd);
		*dfd = -1;
		return -1;
	}
	return 0;
}

/* eespd, if it runs, reloads: 0, 1 (not running) or -1 (refused, reported). */
static int tell_daemon(const struct inviter *v, const struct invite_opts *o)
{
	struct eesp_ctl_req req = {.verb = EESP_CTL_RELOAD};
	const char *sock = o->sock ? o->sock : v->conf.control_socket;
	char buf[256], e[512], *body = NULL;
	struct stat st;

	sock = ctl_socket_path(sock, buf, sizeof(buf));
	if (!o->sock && stat(sock, &st) && errno == ENOENT)
		return 1;
	if (ctl_request(sock, &req, &body, e, sizeof(e))) {
		err("%s; the files are written: run `%s reload` once eespd runs", e, PROG);
		free(body);
		return -1;
	}
	free(body);
	return 0;
}

/* The roster, the bundle, this node's eespd.conf: 0 or -1 (reported). */
static int invite_write(struct inviter *v, const struct invite_opts *o, uint32_t id,
			const char *out)
{
	struct node_conf n = {0};
	struct nc_peer peer;
	char *rt, *bt = NULL, *ct = NULL, base[PATH_MAX], path[PATH_MAX];
	size_t rl, bl = 0, cl = 0;
	int bfd = -1, rc = -1;

	if (!(rt = roster_record(&v->roster, id, o->name, o->addrs[0], o->endpoint, &rl)))
		return -1;
	rc = confdir_write(v->dfd, o->dir, ROSTER_FILE, rt, rl, CONFDIR_CONF, &v->own, true, NULL);
	free(rt);
	if (rc)
		return -1;
	rc = -1;
	snprintf(path, sizeof(path), "%s/%s", o->dir, DOMAIN_CONF);
	peer_of(&peer, id, o->name, o->endpoint, o->addrs, o->n_addrs);
	if (new_node(v, o, id, &n) || !(bt = bundle_format(&n, v->ks, &bl)) ||
	    confpeer_add(path, v->conf_text, &peer, &ct, &cl) ||
	    write_bundle(out, bt, bl, &bfd, base, sizeof(base)))
		goto out;
	if (confdir_write(v->dfd, o->dir, DOMAIN_CONF, ct, cl, CONFDIR_CONF, &v->own, true, NULL)) {
		unlinkat(bfd, base, 0);
		goto out;
	}
	rc = 0;
out:
	if (bfd >= 0)
		close(bfd);
	if (bt)
		free_secret(bt, bl);
	free(ct);
	nc_free(&n);
	return rc;
}

int domain_invite(int argc, char *argv[])
{
	struct invite_opts o;
	struct inviter v;
	uint32_t id, *used;
	char out[PATH_MAX], fp[17];
	int rc = invite_parse(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	snprintf(out, sizeof(out), "%s", o.out ? o.out : "");
	if (!o.out)
		snprintf(out, sizeof(out), "%s.join", o.name);
	if (inviter_load(o.dir, &v) || check_new(&v, &o)) {
		inviter_free(&v);
		return 1;
	}
	used = calloc(v.conf.n_peers + 1, sizeof(*used));
	rc = !used;
	for (unsigned i = 0; used && i < v.conf.n_peers; i++)
		used[i] = v.conf.peers[i].node_id;
	if (used)
		used[v.conf.n_peers] = v.conf.node_id;
	rc = rc || roster_next(&v.roster, used, v.conf.n_peers + 1, &id) ||
	     invite_write(&v, &o, id, out);
	free(used);
	if (rc) {
		inviter_free(&v);
		return 1;
	}
	bundle_fingerprint(v.ks, fp);
	printf("node %u (%s) invited into domain \"%s\": join bundle %s (secret, mode 0600; copy "
	       "it over a secure channel, e.g. scp)\n"
	       "%s/%s: peer %s added; domain key fingerprint %s\n",
	       id, o.name, v.conf.name, out, o.dir, DOMAIN_CONF, o.name, fp);
	rc = tell_daemon(&v, &o);
	if (rc == 1)
		printf("eespd is not running: it reads the new peer when it starts\n");
	else if (!rc)
		printf("eespd reloaded: it now sends to %s\n", o.name);
	printf("on %s: %s join %s && eespd\n", o.name, PROG, out);
	inviter_free(&v);
	return rc < 0 ? 1 : 0;
}
