// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain.c - `eespctl domain create|show`: a trust domain as a directory.
 *
 *   DIR/            mode 0700
 *   DIR/eespd.conf  config skeleton in conf/eespd.conf's format (eespd.conf(5))
 *   DIR/domain.keys the root keys of every level (key-file format, keys.h), 0600
 *   DIR/psp.keys    instead, for --mode psp: the two PSP master keys, 0600
 *
 * The key file is parsed by the core (eesp_keyfile_parse); this file only
 * writes key-file lines and reads the skeleton with libconfig.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "eespctl.h"
#include "keys.h"
#include "strbuf.h"

/* ------------------------------------------------------- shared bits -- */

int domain_key_path(const char *dir, char *out, size_t cap)
{
	struct domain_conf c;
	if (domain_conf_read(dir, &c))
		return -1;
	if (c.key_file[0] == '/')
		snprintf(out, cap, "%s", c.key_file);
	else
		snprintf(out, cap, "%s/%s", dir, c.key_file);
	return 0;
}

static bool lookup_u32(const config_t *cfg, const char *path, uint32_t *v)
{
	long long x;
	if (config_lookup_int64(cfg, path, &x) != CONFIG_TRUE || x < 0 || x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

int domain_conf_read(const char *dir, struct domain_conf *c)
{
	char path[PATH_MAX];
	config_t cfg;
	const char *s;
	struct stat st;

	memset(c, 0, sizeof(*c));
	strcpy(c->mode, "eesp");
	strcpy(c->key_file, DOMAIN_KEYS);
	c->profile = EESP_PROFILE_NODE;
	c->kdf = EESP_KDF_CMAC_AES256;
	c->suite = EESP_SUITE_AES_GCM_256;
	c->node_id = 1;
	c->spi_max = UINT32_MAX;

	if (stat(dir, &st)) {
		err("%s: not a domain directory (%s)", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		err("%s: not a domain directory (not a directory)", dir);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_CONF);
	if (access(path, F_OK)) {
		/* no skeleton: a bare directory of key files */
		snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_KEYS);
		if (access(path, F_OK)) {
			snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_PSP_KEYS);
			if (!access(path, F_OK)) {
				strcpy(c->mode, "psp");
				strcpy(c->key_file, DOMAIN_PSP_KEYS);
				return 0;
			}
			err("%s: not a domain directory (no %s or %s)", dir, DOMAIN_CONF,
			    DOMAIN_KEYS);
			return -1;
		}
		return 0;
	}
	config_init(&cfg);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		err("%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	if (config_lookup_string(&cfg, "daemon.mode", &s) == CONFIG_TRUE)
		snprintf(c->mode, sizeof(c->mode), "%s", s);
	const char *sect = strcmp(c->mode, "psp") ? "domain" : "psp";
	char k[64];
	snprintf(k, sizeof(k), "%s.key_file", sect);
	if (config_lookup_string(&cfg, k, &s) == CONFIG_TRUE)
		snprintf(c->key_file, sizeof(c->key_file), "%s", s);
	else if (!strcmp(c->mode, "psp"))
		strcpy(c->key_file, DOMAIN_PSP_KEYS);
	c->has_id = lookup_u32(&cfg, "domain.id", &c->id);
	if (config_lookup_string(&cfg, "domain.profile", &s) == CONFIG_TRUE &&
	    parse_profile(s, &c->profile))
		goto bad;
	if (config_lookup_string(&cfg, "domain.kdf", &s) == CONFIG_TRUE && parse_kdf(s, &c->kdf))
		goto bad;
	if (config_lookup_string(&cfg, "domain.suite", &s) == CONFIG_TRUE &&
	    parse_suite(s, &c->suite))
		goto bad;
	lookup_u32(&cfg, "domain.node_id", &c->node_id);
	lookup_u32(&cfg, "domain.tenant", &c->tenant);
	lookup_u32(&cfg, "domain.group", &c->group);
	lookup_u32(&cfg, "domain.epoch", &c->epoch);
	lookup_u32(&cfg, "domain.spi_min", &c->spi_min);
	lookup_u32(&cfg, "domain.spi_max", &c->spi_max);
	uint32_t co = 0;
	if (lookup_u32(&cfg, "domain.crypt_offset", &co))
		c->crypt_offset = co;
	if (lookup_u32(&cfg, "domain.max_crypt_offset", &co)) {
		if (co > 63)
			goto bad; /* eespd refuses it too */
		c->max_crypt_offset = co;
	}
	if (lookup_u32(&cfg, "psp.spi_master", &co))
		c->spi_master = co & 1;
	config_destroy(&cfg);
	return 0;
bad:
	err("%s: bad domain settings", path);
	config_destroy(&cfg);
	return -1;
}

static void format_ring(struct strbuf *b, const struct eesp_ring *r, enum eesp_level level)
{
	static const char *const slot[] = {"previous", "current", "next"};
	char hex[2 * EESP_ROOT_KEY_LEN + 1];
	for (int i = 0; i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		hex_encode(r->gen[i].key, EESP_ROOT_KEY_LEN, hex);
		/* the parser makes the highest generation current and reads the
		 * trailing "next" marker; previous is the one below current */
		strbuf_printf(b, "%s %u %u %s%s\t# %s, phase %u\n", level_name(level), r->id,
			      r->gen[i].generation, hex, i == EESP_GEN_NEXT ? " next" : "", slot[i],
			      r->gen[i].generation % EESP_PHASES);
		OPENSSL_cleanse(hex, sizeof(hex));
	}
}

char *keyset_format(const struct eesp_keyset *ks, bool has_id, uint32_t id, const char *comment,
		    size_t *len)
{
	struct strbuf b = {0};
	char hex[2 * PSP_MASTER_KEY_LEN + 1];
	strbuf_printf(&b, "# %s\n# Format: src/core/keys.h; written by eespctl. Keep mode 0600.\n",
		      comment);
	if (!has_id && ks->has_domain_spi) {
		has_id = true;
		id = ks->domain_spi;
	}
	if (has_id)
		strbuf_printf(&b, "domain 0x%08x\n", id);
	format_ring(&b, &ks->domain, EESP_LEVEL_DOMAIN);
	for (unsigned i = 0; i < ks->n_tenants; i++)
		format_ring(&b, &ks->tenant[i], EESP_LEVEL_TENANT);
	for (unsigned i = 0; i < ks->n_groups; i++)
		format_ring(&b, &ks->group[i], EESP_LEVEL_GROUP);
	for (int i = 0; i < 2; i++) {
		if (!ks->has_psp[i])
			continue;
		hex_encode(ks->psp_master[i], PSP_MASTER_KEY_LEN, hex);
		strbuf_printf(&b, "psp %d %s\n", i, hex);
		OPENSSL_cleanse(hex, sizeof(hex));
	}
	for (unsigned i = 0; i < ks->n_sa; i++) { /* out-of-band data keys */
		const struct eesp_sa_key *sa = &ks->sa[i];
		char salt[2 * EESP_SALT_LEN + 1];
		hex_encode(sa->key, sa->key_len, hex);
		hex_encode(sa->salt, EESP_SALT_LEN, salt);
		if (sa->psp)
			strbuf_printf(&b, "sa psp 0x%08x %s\n", sa->spi, hex);
		else
			strbuf_printf(&b, "sa eesp 0x%08x %s %s\n", sa->spi, hex, salt);
		OPENSSL_cleanse(hex, sizeof(hex));
		OPENSSL_cleanse(salt, sizeof(salt));
	}
	if (b.oom || !b.p) {
		strbuf_free(&b);
		err("out of memory");
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* --------------------------------------------------------- create -- */

static void domain_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s domain create DIR [--name NAME] [--id SPI] [--profile "
		"spi|node|pair|tenant]\n"
		"                 [--kdf cmac|hmac] [--suite aes-gcm-128|aes-gcm-256] [--node N]\n"
		"                 [--tenant N] [--group N] [--mode eesp|psp] [--user NAME]\n"
		"       %s domain show DIR [--json] [--show-keys]\n\n"
		"create makes DIR (mode 0700) with a fresh root key for the domain level (and\n"
		"the tenant/group levels given), written to DIR/%s (mode 0600), and a\n"
		"config skeleton DIR/%s in eespd.conf(5) format.  With --mode psp it writes\n"
		"two PSP master keys to DIR/%s instead.  SPI values are 0x-hex or decimal;\n"
		"the default id is random.  --user names the daemon user of the skeleton\n"
		"(default eesp): run as root, create hands DIR and the key file to that user,\n"
		"since eespd re-reads its key files as that user on every reload.\n\n"
		"show prints the levels, their generations (previous/current/next), phases and\n"
		"key fingerprints; never the keys themselves unless --show-keys is given.\n\n"
		"Examples:\n"
		"  %s domain create lab --id 0xC0FFEE01 --profile node --node 1\n"
		"  %s domain create psp --mode psp\n"
		"  %s domain show lab --json\n",
		PROG, PROG, DOMAIN_KEYS, DOMAIN_CONF, DOMAIN_PSP_KEYS, PROG, PROG, PROG);
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

static int domain_create(int argc, char *argv[])
{
	static const struct option opts[] = {
	    {"name", required_argument, NULL, 'n'},    {"id", required_argument, NULL, 'i'},
	    {"profile", required_argument, NULL, 'p'}, {"kdf", required_argument, NULL, 'k'},
	    {"suite", required_argument, NULL, 'S'},   {"node", required_argument, NULL, 'N'},
	    {"tenant", required_argument, NULL, 't'},  {"group", required_argument, NULL, 'g'},
	    {"mode", required_argument, NULL, 'm'},    {"user", required_argument, NULL, 'u'},
	    {"help", no_argument, NULL, 'h'},	       {NULL, 0, NULL, 0}};
	const char *name = NULL, *dir, *user = "eesp";
	uint32_t id = 0, node = 1, tenant = 0, group = 0;
	unsigned profile = EESP_PROFILE_NODE, kdf = EESP_KDF_CMAC_AES256,
		 suite = EESP_SUITE_AES_GCM_256;
	bool has_id = false, psp = false;
	int c, rc = 1;
	char path[PATH_MAX];
	struct eesp_keyset *ks = NULL;
	char *text = NULL;
	size_t tlen = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			if (strpbrk(name, "\"\\\n")) {
				err("--name: no quotes, backslashes or newlines");
				return EXIT_USAGE;
			}
			break;
		case 'i':
			if (parse_u32(optarg, &id) || !id) {
				err("--id: expected a non-zero 32-bit SPI (0x-hex or decimal), got "
				    "'%s'",
				    optarg);
				return EXIT_USAGE;
			}
			has_id = true;
			break;
		case 'p':
			if (parse_profile(optarg, &profile))
				return EXIT_USAGE;
			break;
		case 'k':
			if (parse_kdf(optarg, &kdf))
				return EXIT_USAGE;
			break;
		case 'S':
			if (parse_suite(optarg, &suite))
				return EXIT_USAGE;
			break;
		case 'N':
		case 't':
		case 'g': {
			uint32_t v;
			if (parse_u32(optarg, &v) || !v) {
				err("--%s: expected a non-zero 32-bit number, got '%s'",
				    c == 'N'   ? "node"
				    : c == 't' ? "tenant"
					       : "group",
				    optarg);
				return EXIT_USAGE;
			}
			*(c == 'N' ? &node : c == 't' ? &tenant : &group) = v;
			break;
		}
		case 'u':
			user = optarg;
			if (!*user || strpbrk(user, "\"\\\n")) {
				err("--user: a user name, no quotes, backslashes or newlines");
				return EXIT_USAGE;
			}
			break;
		case 'm':
			if (!strcmp(optarg, "psp"))
				psp = true;
			else if (strcmp(optarg, "eesp")) {
				err("--mode: expected eesp or psp, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			domain_usage(stdout);
			return 0;
		default:
			domain_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		domain_usage(stderr);
		return EXIT_USAGE;
	}
	dir = argv[optind];
	if (profile == EESP_PROFILE_TENANT && !tenant) {
		err("profile tenant needs --tenant N");
		return EXIT_USAGE;
	}
	if (!name)
		name = base_name(dir);
	if (!has_id) {
		if (RAND_bytes((uint8_t *)&id, sizeof(id)) != 1) {
			err("RAND_bytes failed");
			return 1;
		}
		id |= 1; /* non-zero */
	}
	if (mkdir(dir, 0700)) {
		if (errno != EEXIST) {
			err("%s: %s", dir, strerror(errno));
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, psp ? DOMAIN_PSP_KEYS : DOMAIN_KEYS);
		if (!access(path, F_OK)) {
			err("%s: already holds a key file (%s); refusing to overwrite it", dir,
			    path);
			return 1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_CONF);
		if (!access(path, F_OK)) {
			err("%s: already holds %s; refusing to overwrite it", dir, path);
			return 1;
		}
	}
	if (chmod(dir, 0700)) {
		err("%s: %s", dir, strerror(errno));
		return 1;
	}
	ks = eesp_keyset_new();
	if (!ks) {
		err("out of memory");
		return 1;
	}
	if (psp) {
		if (RAND_bytes(ks->psp_master[0], PSP_MASTER_KEY_LEN) != 1 ||
		    RAND_bytes(ks->psp_master[1], PSP_MASTER_KEY_LEN) != 1) {
			err("RAND_bytes failed");
			goto out;
		}
		ks->has_psp[0] = ks->has_psp[1] = true;
	} else {
		if (add_ring_key(&ks->domain, 0, 0, EESP_GEN_CURRENT))
			goto out;
		if (tenant) {
			ks->n_tenants = 1;
			if (add_ring_key(&ks->tenant[0], tenant, 0, EESP_GEN_CURRENT))
				goto out;
		}
		if (group) {
			ks->n_groups = 1;
			if (add_ring_key(&ks->group[0], group, 0, EESP_GEN_CURRENT))
				goto out;
		}
	}
	char comment[160];
	snprintf(comment, sizeof(comment), "%s keys of domain \"%s\"", psp ? "PSP master" : "Root",
		 name);
	text = keyset_format(ks, !psp, id, comment, &tlen);
	if (!text)
		goto out;
	snprintf(path, sizeof(path), "%s/%s", dir, psp ? DOMAIN_PSP_KEYS : DOMAIN_KEYS);
	if (write_file_atomic(path, text, tlen, 0600))
		goto out;
	if (give_to_user(dir, path, user))
		goto out;

	/* the config skeleton, in conf/eespd.conf's format */
	FILE *f;
	snprintf(path, sizeof(path), "%s/%s", dir, DOMAIN_CONF);
	f = fopen(path, "wx");
	if (!f) {
		err("%s: %s", path, strerror(errno));
		goto out;
	}
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
		name, psp ? "psp" : "eesp", psp ? "psp" : "eesp",
		psp ? PSP_UDP_PORT : EESP_UDP_PORT, user, name, name);
	if (psp)
		fprintf(f,
			"psp: {\n"
			"  key_file = \"%s\";\n"
			"  version = 1;                      # 0 = AES-GCM-128, 1 = AES-GCM-256\n"
			"  crypt_offset = 0;\n"
			"  spi_master = 1;\n"
			"};\n\n",
			DOMAIN_PSP_KEYS);
	else
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
			name, id, DOMAIN_KEYS, profile_name(profile), kdf_name(kdf),
			suite_name(suite), node, tenant, group);
	fprintf(f, "peers = ( );\n");
	if (fclose(f)) {
		err("%s: %s", path, strerror(errno));
		goto out;
	}
	if (psp)
		printf("created PSP domain \"%s\" in %s (master keys in %s/%s)\n", name, dir, dir,
		       DOMAIN_PSP_KEYS);
	else
		printf("created domain \"%s\" id 0x%08x in %s (root keys in %s/%s)\n", name, id,
		       dir, dir, DOMAIN_KEYS);
	rc = 0;
out:
	free_secret(text, tlen);
	eesp_keyset_free(ks);
	return rc;
}

/* ----------------------------------------------------------- show -- */

static void show_ring_text(const struct eesp_ring *r, enum eesp_level level, bool keys)
{
	static const char *const slot[] = {"previous", "current", "next"};
	char fp[17], hex[2 * EESP_ROOT_KEY_LEN + 1];
	printf("  %s %u:\n", level_name(level), r->id);
	for (int i = EESP_GEN_NEXT; i >= 0; i--) {
		if (!r->gen[i].present)
			continue;
		eesp_key_fingerprint(r->gen[i].key, EESP_ROOT_KEY_LEN, fp);
		printf("    %-8s generation %u  phase %u  fingerprint %s", slot[i],
		       r->gen[i].generation, r->gen[i].generation % EESP_PHASES, fp);
		if (keys) {
			hex_encode(r->gen[i].key, EESP_ROOT_KEY_LEN, hex);
			printf("  key %s", hex);
			OPENSSL_cleanse(hex, sizeof(hex));
		}
		putchar('\n');
	}
}

static void show_ring_json(const struct eesp_ring *r, enum eesp_level level, bool keys, bool first)
{
	static const char *const slot[] = {"previous", "current", "next"};
	char fp[17], hex[2 * EESP_ROOT_KEY_LEN + 1];
	bool f1 = true;
	printf("%s{\"level\":\"%s\",\"id\":%u,\"generations\":[", first ? "" : ",",
	       level_name(level), r->id);
	for (int i = 0; i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		eesp_key_fingerprint(r->gen[i].key, EESP_ROOT_KEY_LEN, fp);
		printf("%s{\"slot\":\"%s\",\"generation\":%u,\"phase\":%u,\"fingerprint\":\"%s\"",
		       f1 ? "" : ",", slot[i], r->gen[i].generation,
		       r->gen[i].generation % EESP_PHASES, fp);
		if (keys) {
			hex_encode(r->gen[i].key, EESP_ROOT_KEY_LEN, hex);
			printf(",\"key\":\"%s\"", hex);
			OPENSSL_cleanse(hex, sizeof(hex));
		}
		putchar('}');
		f1 = false;
	}
	printf("]}");
}

static int domain_show(int argc, char *argv[])
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"show-keys", no_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	bool json = false, keys = false;
	struct domain_conf dc;
	char path[PATH_MAX], fp[17], hex[65];
	struct eesp_keyset *ks;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'k':
			keys = true;
			break;
		case 'h':
			domain_usage(stdout);
			return 0;
		default:
			domain_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		domain_usage(stderr);
		return EXIT_USAGE;
	}
	const char *dir = argv[optind];
	if (domain_conf_read(dir, &dc) || domain_key_path(dir, path, sizeof(path)))
		return 1;
	ks = load_keys(path);
	if (!ks)
		return 1;
	if (!dc.has_id) {
		char *buf;
		size_t len;
		if (!read_secret_file(path, &buf, &len)) {
			dc.has_id = keyfile_domain_id(buf, &dc.id);
			free_secret(buf, len);
		}
	}
	bool psp = !strcmp(dc.mode, "psp");
	if (json) {
		printf("{\"directory\":");
		json_str(stdout, dir);
		printf(",\"mode\":\"%s\",\"key_file\":", psp ? "psp" : "eesp");
		json_str(stdout, path);
		if (dc.has_id)
			printf(",\"id\":%u,\"id_hex\":\"0x%08x\"", dc.id, dc.id);
		if (!psp)
			printf(",\"profile\":\"%s\",\"kdf\":\"%s\",\"suite\":\"%s\",\"node_id\":%u",
			       profile_name(dc.profile), kdf_name(dc.kdf), suite_name(dc.suite),
			       dc.node_id);
		printf(",\"levels\":[");
		bool first = true;
		if (ks->domain.gen[0].present || ks->domain.gen[1].present ||
		    ks->domain.gen[2].present) {
			show_ring_json(&ks->domain, EESP_LEVEL_DOMAIN, keys, first);
			first = false;
		}
		for (unsigned i = 0; i < ks->n_tenants; i++, first = false)
			show_ring_json(&ks->tenant[i], EESP_LEVEL_TENANT, keys, first);
		for (unsigned i = 0; i < ks->n_groups; i++, first = false)
			show_ring_json(&ks->group[i], EESP_LEVEL_GROUP, keys, first);
		printf("],\"psp_masters\":[");
		first = true;
		for (int i = 0; i < 2; i++) {
			if (!ks->has_psp[i])
				continue;
			eesp_key_fingerprint(ks->psp_master[i], PSP_MASTER_KEY_LEN, fp);
			printf("%s{\"index\":%d,\"fingerprint\":\"%s\"", first ? "" : ",", i, fp);
			if (keys) {
				hex_encode(ks->psp_master[i], PSP_MASTER_KEY_LEN, hex);
				printf(",\"key\":\"%s\"", hex);
				OPENSSL_cleanse(hex, sizeof(hex));
			}
			putchar('}');
			first = false;
		}
		printf("],\"sa\":[");
		for (unsigned i = 0; i < ks->n_sa; i++) {
			eesp_key_fingerprint(ks->sa[i].key, ks->sa[i].key_len, fp);
			printf("%s{\"mode\":\"%s\",\"spi\":%u,\"fingerprint\":\"%s\"}",
			       i ? "," : "", ks->sa[i].psp ? "psp" : "eesp", ks->sa[i].spi, fp);
		}
		printf("]}\n");
	} else {
		printf("domain: %s\n", dir);
		printf("  mode: %s\n  key file: %s\n", psp ? "psp" : "eesp", path);
		if (dc.has_id)
			printf("  id: 0x%08x\n", dc.id);
		if (!psp)
			printf("  profile: %s  kdf: %s  suite: %s  node: %u\n",
			       profile_name(dc.profile), kdf_name(dc.kdf), suite_name(dc.suite),
			       dc.node_id);
		printf("levels:\n");
		if (ks->domain.gen[0].present || ks->domain.gen[1].present ||
		    ks->domain.gen[2].present)
			show_ring_text(&ks->domain, EESP_LEVEL_DOMAIN, keys);
		for (unsigned i = 0; i < ks->n_tenants; i++)
			show_ring_text(&ks->tenant[i], EESP_LEVEL_TENANT, keys);
		for (unsigned i = 0; i < ks->n_groups; i++)
			show_ring_text(&ks->group[i], EESP_LEVEL_GROUP, keys);
		for (int i = 0; i < 2; i++) {
			if (!ks->has_psp[i])
				continue;
			eesp_key_fingerprint(ks->psp_master[i], PSP_MASTER_KEY_LEN, fp);
			printf("  psp master %d: fingerprint %s", i, fp);
			if (keys) {
				hex_encode(ks->psp_master[i], PSP_MASTER_KEY_LEN, hex);
				printf("  key %s", hex);
				OPENSSL_cleanse(hex, sizeof(hex));
			}
			putchar('\n');
		}
		for (unsigned i = 0; i < ks->n_sa; i++) {
			eesp_key_fingerprint(ks->sa[i].key, ks->sa[i].key_len, fp);
			printf("  sa %s 0x%08x: fingerprint %s\n", ks->sa[i].psp ? "psp" : "eesp",
			       ks->sa[i].spi, fp);
		}
	}
	eesp_keyset_free(ks);
	return 0;
}

int domain_main(int argc, char *argv[])
{
	if (argc < 2) {
		domain_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		domain_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "create"))
		return domain_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return domain_show(argc - 1, argv + 1);
	err("domain: unknown action '%s' (expected create or show)", argv[1]);
	return EXIT_USAGE;
}
