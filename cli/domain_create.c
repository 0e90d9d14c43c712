// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain_create.c - `eespctl domain create DIR`: a new trust domain
 * directory (layout in domain.c) with fresh keys and an eespd.conf skeleton.
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

struct create_opts {
	const char *dir, *name, *user;
	uint32_t id, node, tenant, group;
	unsigned profile, kdf, suite;
	enum eesp_mode mode;
	bool has_id;
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
		if (!quotable(arg)) {
			err("--user: a user name, no quotes, backslashes or newlines");
			return -1;
		}
		return 0;
	case 'm':
		return parse_mode(arg, &o->mode);
	default:
		return -1;
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
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},    {"id", required_argument, NULL, 'i'},
	    {"profile", required_argument, NULL, 'p'}, {"kdf", required_argument, NULL, 'k'},
	    {"suite", required_argument, NULL, 'S'},   {"node", required_argument, NULL, 'N'},
	    {"tenant", required_argument, NULL, 't'},  {"group", required_argument, NULL, 'g'},
	    {"mode", required_argument, NULL, 'm'},    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0}};
	int c;

	*o = (struct create_opts){.user = "eesp",
				  .node = 1,
				  .profile = EESP_PROFILE_NODE,
				  .kdf = EESP_KDF_CMAC_AES256,
				  .suite = EESP_SUITE_AES_GCM_256,
				  .mode = EESP_MODE_EESP};
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
	return 0;
}

/* DIR, mode 0700: new, or one that holds neither a key file nor a skeleton. */
static int make_dir(const struct create_opts *o)
{
	char path[PATH_MAX];

	if (mkdir(o->dir, 0700)) {
		if (errno != EEXIST) {
			err("%s: %s", o->dir, strerror(errno));
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", o->dir,
			 o->mode == EESP_MODE_PSP ? DOMAIN_PSP_KEYS : DOMAIN_KEYS);
		if (!access(path, F_OK)) {
			err("%s: already holds a key file (%s); refusing to overwrite it", o->dir,
			    path);
			return -1;
		}
		snprintf(path, sizeof(path), "%s/%s", o->dir, DOMAIN_CONF);
		if (!access(path, F_OK)) {
			err("%s: already holds %s; refusing to overwrite it", o->dir, path);
			return -1;
		}
	}
	if (chmod(o->dir, 0700)) {
		err("%s: %s", o->dir, strerror(errno));
		return -1;
	}
	return 0;
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

/*
 * Run as root: the key file and DIR go to the daemon user, who re-reads the
 * key file on every reload.  DIR was just made by us (mode 0700, ours), so
 * nobody else can have swapped the key file; still, both are changed
 * through descriptors opened without following links.
 */
static int give_to_user(const char *dir, const char *keyfile, const char *user)
{
	struct passwd *pw;
	int fd;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr,
			"%s: note: user '%s' does not exist: create it (useradd --system "
			"--no-create-home --shell /usr/sbin/nologin %s), then chown -R %s %s\n",
			PROG, user, user, user, dir);
		return 0;
	}
	fd = open(keyfile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, pw->pw_uid, pw->pw_gid)) {
		err("%s: %s", keyfile, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, pw->pw_uid, pw->pw_gid)) {
		err("%s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* DIR/domain.keys or DIR/psp.keys, mode 0600, handed to the daemon user. */
static int write_keys(const struct create_opts *o, const struct eesp_keyset *ks)
{
	bool psp = o->mode == EESP_MODE_PSP;
	char comment[160], path[PATH_MAX];
	size_t tlen = 0;
	char *text;
	int rc;

	snprintf(comment, sizeof(comment), "%s keys of domain \"%s\"", psp ? "PSP master" : "Root",
		 o->name);
	text = keyset_format(ks, !psp, o->id, comment, &tlen);
	if (!text)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", o->dir, psp ? DOMAIN_PSP_KEYS : DOMAIN_KEYS);
	rc = write_file_atomic(path, text, tlen, 0600);
	free_secret(text, tlen);
	if (!rc)
		rc = give_to_user(o->dir, path, o->user);
	return rc;
}

static void skeleton_daemon(FILE *f, const struct create_opts *o)
{
	bool psp = o->mode == EESP_MODE_PSP;

	fprintf(f,
		"# eespd.conf skeleton for domain \"%s\", written by `eespctl domain create`.\n"
		"# See eespd.conf(5) and conf/eespd.conf.  Relative paths are relative to this\n"
		"# file's directory.  Fill in addresses, policy and peers.\n\n"
		"daemon: {\n"
		"  mode = \"%s\";\n"
		"  interface = \"%s0\";\n"
		"  mtu = 1400;\n"
		"  addresses = [ ];\n"
		"  port = %d;\n"
		"  source_ports = [ 49152, 65535 ];\n"
		"  workers = 1;\n"
		"  user = \"%s\";\n"
		"  control_socket = \"/run/eespd/%s.sock\";\n"
		"  state_dir = \"/var/lib/eespd/%s\";\n"
		"  log_level = \"info\";\n"
		"};\n\n",
		o->name, mode_name(o->mode), mode_name(o->mode), psp ? PSP_UDP_PORT : EESP_UDP_PORT,
		o->user, o->name, o->name);
}

static void skeleton_domain(FILE *f, const struct create_opts *o)
{
	if (o->mode == EESP_MODE_PSP) {
		fprintf(f,
			"psp: {\n"
			"  key_file = \"%s\";\n"
			"  version = 1;                      # 0 = AES-GCM-128, 1 = AES-GCM-256\n"
			"  crypt_offset = 0;\n"
			"  spi_master = 1;\n"
			"};\n\n",
			DOMAIN_PSP_KEYS);
		return;
	}
	fprintf(f,
		"domain: {\n"
		"  name = \"%s\";\n"
		"  id = 0x%08X;\n"
		"  key_file = \"%s\";\n"
		"  profile = \"%s\";\n"
		"  kdf = \"%s\";\n"
		"  suite = \"%s\";\n"
		"  node_id = %u;\n"
		"  tenant = %u;\n"
		"  group = %u;\n"
		"  epoch = 0;\n"
		"  epoch_period = 0;\n"
		"  epoch_window = 2;\n"
		"  crypt_offset = 0;\n"
		"  max_crypt_offset = 0;\n"
		"  policy = ( );\n"
		"};\n\n",
		o->name, o->id, DOMAIN_KEYS, profile_name(o->profile), kdf_name(o->kdf),
		suite_name(o->suite), o->node, o->tenant, o->group);
}

/* DIR/eespd.conf, in conf/eespd.conf's format; never over an existing one. */
static int write_skeleton(const struct create_opts *o)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", o->dir, DOMAIN_CONF);
	f = fopen(path, "wx");
	if (!f) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	skeleton_daemon(f, o);
	skeleton_domain(f, o);
	fprintf(f, "peers = ( );\n");
	if (fclose(f)) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int domain_create(int argc, char *argv[])
{
	struct create_opts o;
	struct eesp_keyset *ks;
	int rc = create_parse(argc, argv, &o);

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (!o.has_id) {
		if (RAND_bytes((uint8_t *)&o.id, sizeof(o.id)) != 1) {
			err("RAND_bytes failed");
			return 1;
		}
		o.id |= 1; /* non-zero */
	}
	if (make_dir(&o) || !(ks = new_keys(&o)))
		return 1;
	rc = write_keys(&o, ks) || write_skeleton(&o);
	eesp_keyset_free(ks);
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
