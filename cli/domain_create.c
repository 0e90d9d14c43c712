// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain_create.c - `eespctl domain create DIR`: a new trust domain
 * directory (layout in domain.c) with fresh keys, a complete eespd.conf for
 * this node (its tunnel addresses and endpoint with --address and
 * --endpoint), and the node roster that `domain invite` allocates ids from.
 * Owners and modes are confdir.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "eespctl.h"
#include "keys.h"
#include "onboard.h"

struct create_opts {
	const char *dir, *name, *user, *ifname, *node_name;
	uint32_t id, node, tenant, group;
	unsigned profile, kdf, suite;
	enum eesp_mode mode;
	bool has_id, has_user;
	char addrs[NC_MAX_ADDRS][NC_TEXT];
	unsigned n_addrs;
	char endpoint[NC_TEXT]; /* "-": not given */
	unsigned port;
};

/* --user: a name that can stand between quotes in the skeleton */
static bool quotable(const char *s)
{
	return *s && !strpbrk(s, "\"\\\n");
}

static int opt_level_id(int c, const char *arg, struct create_opts *o)
{
	uint32_t v;
	if (parse_u32(arg, &v) || !v) {
		err("--%s: expected a non-zero 32-bit number, got '%s'",
		    c == 'N'   ? "node"
		    : c == 't' ? "tenant"
			       : "group",
		    arg);
		return -1;
	}
	*(c == 'N' ? &o->node : c == 't' ? &o->tenant : &o->group) = v;
	return 0;
}

/* The options of this node's own settings: 0, or -1 (reported). */
static int create_node_opt(int c, const char *arg, struct create_opts *o)
{
	switch (c) {
	case 'a':
		if (o->n_addrs == NC_MAX_ADDRS) {
			err("--address: at most %d", NC_MAX_ADDRS);
			return -1;
		}
		return nc_address("--address", arg, o->addrs[o->n_addrs++]);
	case 'e':
		return nc_endpoint("--endpoint", arg, EESP_UDP_PORT, o->endpoint,
				   sizeof(o->endpoint), &o->port);
	case 'I':
		if (strlen(arg) >= 16 || !nc_name_ok(arg)) {
			err("--interface: a name of at most 15 letters, digits, '.', '_', '-'");
			return -1;
		}
		o->ifname = arg;
		return 0;
	case 'H':
		if (!nc_name_ok(arg)) {
			err("--node-name: letters, digits, '.', '_' and '-' only");
			return -1;
		}
		o->node_name = arg;
		return 0;
	default:
		return -1;
	}
}

/* One option: 0, or -1 (reported). */
static int create_opt(int c, const char *arg, struct create_opts *o)
{
	switch (c) {
	case 'n':
		o->name = arg;
		if (strpbrk(arg, "\"\\\n")) {
			err("--name: no quotes, backslashes or newlines");
			return -1;
		}
		return 0;
	case 'i':
		if (parse_u32(arg, &o->id) || !o->id) {
			err("--id: expected a non-zero 32-bit SPI (0x-hex or decimal), got '%s'",
			    arg);
			return -1;
		}
		o->has_id = true;
		return 0;
	case 'p':
		return parse_profile(arg, &o->profile);
	case 'k':
		return parse_kdf(arg, &o->kdf);
	case 'S':
		return parse_suite(arg, &o->suite);
	case 'N':
	case 't':
	case 'g':
		return opt_level_id(c, arg, o);
	case 'u':
		o->user = arg;
		o->has_user = true;
		if (!quotable(arg)) {
			err("--user: a user name, no quotes, backslashes or newlines");
			return -1;
		}
		return 0;
	case 'm':
		return parse_mode(arg, &o->mode);
	default:
		return create_node_opt(c, arg, o);
	}
}

static const char *base_name(const char *dir)
{
	static char buf[64];
	const char *e = dir + strlen(dir), *s;
	while (e > dir && e[-1] == '/')
		e--;
	s = e;
	while (s > dir && s[-1] != '/')
		s--;
	snprintf(buf, sizeof(buf), "%.*s", (int)(e - s), s);
	for (char *p = buf; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '_';
	return buf[0] ? buf : "domain";
}

/* The options and defaults: 0, 1 (--help shown) or -1 (usage error). */
static int create_parse(int argc, char *argv[], struct create_opts *o)
{
	static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
					     {"id", required_argument, NULL, 'i'},
					     {"profile", required_argument, NULL, 'p'},
					     {"kdf", required_argument, NULL, 'k'},
					     {"suite", required_argument, NULL, 'S'},
					     {"node", required_argument, NULL, 'N'},
					     {"tenant", required_argument, NULL, 't'},
					     {"group", required_argument, NULL, 'g'},
					     {"mode", required_argument, NULL, 'm'},
					     {"user", required_argument, NULL, 'u'},
					     {"address", required_argument, NULL, 'a'},
					     {"endpoint", required_argument, NULL, 'e'},
					     {"interface", required_argument, NULL, 'I'},
					     {"node-name", required_argument, NULL, 'H'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c;

	*o = (struct create_opts){.user = "eesp",
				  .node = 1,
				  .profile = EESP_PROFILE_NODE,
				  .kdf = EESP_KDF_CMAC_AES256,
				  .suite = EESP_SUITE_AES_GCM_256,
				  .mode = EESP_MODE_EESP,
				  .ifname = NULL,
				  .endpoint = "-",
				  .port = 0};
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			domain_usage(stdout);
			return 1;
		}
		if (c == '?' || create_opt(c, optarg, o)) {
			if (c == '?')
				domain_usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		domain_usage(stderr);
		return -1;
	}
	o->dir = argv[optind];
	if (o->profile == EESP_PROFILE_TENANT && !o->tenant) {
		err("profile tenant needs --tenant N");
		return -1;
	}
	if (!o->name)
		o->name = base_name(o->dir);
	/* the configuration directory itself: eespd's default domain name */
	if (!strcmp(o->name, "eespd"))
		o->name = "default";
	if (o->mode == EESP_MODE_PSP && (o->n_addrs || o->port || o->node_name)) {
		err("--address, --endpoint and --node-name are for eesp domains");
		return -1;
	}
	return 0;
}

/* DIR (confdir.c), new or one that holds neither a key file nor a config;
 * the descriptor, or -1 (reported). */
static int make_dir(const struct create_opts *o, const struct owners *own)
{
	const char *kf = o->mode == EESP_MODE_PSP ? DOMAIN_PSP_KEYS : DOMAIN_KEYS;
	int fd = confdir_open(o->dir, own, true);

	if (fd < 0)
		return -1;
	if (confdir_has(fd, kf) || confdir_has(fd, DOMAIN_CONF)) {
		err("%s: already holds %s; refusing to overwrite it", o->dir,
		    confdir_has(fd, kf) ? kf : DOMAIN_CONF);
		close(fd);
		return -1;
	}
	return fd;
}

static int add_ring_key(struct eesp_ring *r, uint32_t id, uint32_t gen, int slot)
{
	r->id = id;
	r->gen[slot].present = true;
	r->gen[slot].generation = gen;
	if (RAND_bytes(r->gen[slot].key, EESP_ROOT_KEY_LEN) != 1) {
		err("RAND_bytes failed");
		return -1;
	}
	return 0;
}

/* Fresh keys: two PSP master keys, or generation 0 of each level asked for. */
static struct eesp_keyset *new_keys(const struct create_opts *o)
{
	struct eesp_keyset *ks = eesp_keyset_new();

	if (!ks) {
		err("out of memory");
		return NULL;
	}
	if (o->mode == EESP_MODE_PSP) {
		if (RAND_bytes(ks->psp_master[0], PSP_MASTER_KEY_LEN) != 1 ||
		    RAND_bytes(ks->psp_master[1], PSP_MASTER_KEY_LEN) != 1) {
			err("RAND_bytes failed");
			goto fail;
		}
		ks->has_psp[0] = ks->has_psp[1] = true;
		return ks;
	}
	if (add_ring_key(&ks->domain, 0, 0, EESP_GEN_CURRENT))
		goto fail;
	if (o->tenant) {
		ks->n_tenants = 1;
		if (add_ring_key(&ks->tenant[0], o->tenant, 0, EESP_GEN_CURRENT))
			goto fail;
	}
	if (o->group) {
		ks->n_groups = 1;
		if (add_ring_key(&ks->group[0], o->group, 0, EESP_GEN_CURRENT))
			goto fail;
	}
	return ks;
fail:
	eesp_keyset_free(ks);
	return NULL;
}

/* DIR/domain.keys or DIR/psp.keys: the daemon user's, mode 0600. */
static int write_keys(const struct create_opts *o, int dfd, const struct owners *own,
		      const struct eesp_keyset *ks)
{
	bool psp = o->mode == EESP_MODE_PSP;
	char comment[160];
	size_t tlen = 0;
	char *text;
	int rc;

	snprintf(comment, sizeof(comment), "%s keys of domain \"%s\"", psp ? "PSP master" : "Root",
		 o->name);
	text = keyset_format(ks, !psp, o->id, comment, &tlen);
	if (!text)
		return -1;
	rc = confdir_write(dfd, o->dir, psp ? DOMAIN_PSP_KEYS : DOMAIN_KEYS, text, tlen,
			   CONFDIR_KEY, own, false, NULL);
	free_secret(text, tlen);
	return rc;
}

/* The PSP receiver's eespd.conf: its keys and settings, no peers yet. */
static char *psp_conf(const struct create_opts *o, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f) {
		err("out of memory");
		return NULL;
	}
	fprintf(f,
		"# eespd.conf of PSP domain \"%s\", written by `eespctl domain create`.\n"
		"# See eespd.conf(5).  Relative paths are relative to this file's directory.\n"
		"# Add addresses and peers (their tx_spi from their spi-alloc).\n\n"
		"daemon: {\n  mode = \"%s\";\n  interface = \"%s\";\n  mtu = 1400;\n"
		"  addresses = [ ];\n  port = %d;\n  source_ports = [ 49152, 65535 ];\n"
		"  workers = 1;\n  user = \"%s\";\n  control_socket = \"%s/%s.sock\";\n"
		"  state_dir = \"%s\";\n  log_level = \"info\";\n};\n\n"
		"psp: {\n  key_file = \"%s\";\n"
		"  version = 1;                      # 0 = AES-GCM-128, 1 = AES-GCM-256\n"
		"  crypt_offset = 0;\n  spi_master = 1;\n};\n\npeers = ( );\n",
		o->name, mode_name(o->mode), o->ifname, PSP_UDP_PORT, o->user, NC_SOCKET_DIR,
		o->ifname, NC_STATE_DIR, DOMAIN_PSP_KEYS);
	if (fclose(f)) {
		free(text);
		err("out of memory");
		return NULL;
	}
	return text;
}

/* This node's complete eespd.conf (nodeconf.c); no peers until invite. */
static char *eesp_conf(const struct create_opts *o, size_t *len)
{
	struct node_conf c;
	char head[512];

	nc_defaults(&c, o->name, o->id, o->node);
	nc_set_ifname(&c, o->ifname);
	snprintf(c.user, sizeof(c.user), "%s", o->user);
	if (o->port)
		c.port = o->port;
	memcpy(c.addrs, o->addrs, sizeof(c.addrs));
	c.n_addrs = o->n_addrs;
	c.profile = o->profile;
	c.kdf = o->kdf;
	c.suite = o->suite;
	c.tenant = o->tenant;
	c.group = o->group;
	snprintf(head, sizeof(head),
		 "# eespd.conf of node %u of domain \"%s\", written by `eespctl domain create`.\n"
		 "# Complete: `eespd -t` checks it, `eespd` runs it (eespd.conf(5)).\n"
		 "# `eespctl domain invite` adds each new node to the peers list at the end.\n"
		 "# Relative paths are relative to this file's directory.\n",
		 o->node, o->name);
	return nc_format(&c, head, len);
}

/* The node's name in the others' peers lists: --node-name, the short host
 * name, or node<N>. */
static void node_name(const struct create_opts *o, char out[NC_TEXT])
{
	char h[256] = "";
	if (o->node_name) {
		snprintf(out, NC_TEXT, "%s", o->node_name);
		return;
	}
	if (!gethostname(h, sizeof(h) - 1))
		h[strcspn(h, ".")] = 0;
	if (nc_name_ok(h)) /* which bounds its length below NC_TEXT */
		snprintf(out, NC_TEXT, "%.*s", NC_TEXT - 1, h);
	else
		snprintf(out, NC_TEXT, "node%u", o->node);
}

/* DIR/eespd.conf (root's, 0644) and, eesp, DIR/nodes: never over existing ones. */
static int write_conf(const struct create_opts *o, int dfd, const struct owners *own)
{
	size_t len = 0;
	char name[NC_TEXT],
	    *text = o->mode == EESP_MODE_PSP ? psp_conf(o, &len) : eesp_conf(o, &len);
	int rc;

	if (!text)
		return -1;
	rc = confdir_write(dfd, o->dir, DOMAIN_CONF, text, len, CONFDIR_CONF, own, false, NULL);
	free(text);
	if (rc || o->mode == EESP_MODE_PSP)
		return rc;
	node_name(o, name);
	if (!(text = roster_new(o->node, name, o->endpoint, &len)))
		return -1;
	rc = confdir_write(dfd, o->dir, ROSTER_FILE, text, len, CONFDIR_CONF, own, false, NULL);
	free(text);
	return rc;
}

int domain_create(int argc, char *argv[])
{
	struct create_opts o;
	struct owners own;
	struct eesp_keyset *ks;
	int rc = create_parse(argc, argv, &o), dfd;

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (!o.ifname)
		o.ifname = o.mode == EESP_MODE_PSP ? "psp0" : NC_DEFAULT_IFNAME;
	if (!o.has_id) {
		if (RAND_bytes((uint8_t *)&o.id, sizeof(o.id)) != 1) {
			err("RAND_bytes failed");
			return 1;
		}
		o.id |= 1; /* non-zero */
	}
	/* a node configured to run now gets its default account made */
	if (owners_get(o.user, !o.has_user && o.n_addrs, &own))
		return 1;
	if ((dfd = make_dir(&o, &own)) < 0)
		return 1;
	if (!(ks = new_keys(&o))) {
		close(dfd);
		return 1;
	}
	rc = write_keys(&o, dfd, &own, ks) || write_conf(&o, dfd, &own);
	eesp_keyset_free(ks);
	close(dfd);
	if (rc)
		return 1;
	if (o.mode == EESP_MODE_PSP)
		printf("created PSP domain \"%s\" in %s (master keys in %s/%s)\n", o.name, o.dir,
		       o.dir, DOMAIN_PSP_KEYS);
	else
		printf("created domain \"%s\" id 0x%08x in %s (root keys in %s/%s)\n", o.name, o.id,
		       o.dir, o.dir, DOMAIN_KEYS);
	return 0;
}
