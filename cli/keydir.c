// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keydir.c - `eespctl keydir`: create, rotate, retire, import and show a key
 * directory (eespd.conf key_dir; src/core/keydir.h for the files).
 *
 * Every change is computed on a keyset by the core (eesp_ring_rotate,
 * eesp_ring_set_next, eesp_ring_retire_previous) and written whole by
 * keydir_swap(), so the running set is replaced in one rename; a daemon
 * watching the directory applies it by itself (keywatch.h).
 */
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "keydir_cli.h"
#include "keydirload.h"

struct keydir_args {
	const char *dir;
	const char *file; /* import: the key file */
	struct keydir_owner owner;
	unsigned level;
	uint32_t id;
	uint32_t generation;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s keydir init DIR [--generation N] [--user NAME]\n"
		"       %s keydir rotate DIR [LEVEL [ID]] [--user NAME]\n"
		"       %s keydir retire DIR [LEVEL [ID]] [--user NAME]\n"
		"       %s keydir import DIR KEYFILE|KEYDIR [--user NAME]\n"
		"       %s keydir show DIR [--json] [--user NAME]\n\n"
		"A key directory holds a domain's root keys as files (generation, prev, cur,\n"
		"next; tenant-ID.* and group-ID.* for other levels), written the way a\n"
		"Kubernetes Secret volume is: a new set is swapped in by one rename of\n"
		"..data, and eespd (key_dir in eespd.conf) applies it by itself.\n"
		"  init    a new domain ring: random current and next keys (generation N, 1)\n"
		"  rotate  next -> current -> previous, and a new random next\n"
		"  retire  drop the previous generation\n"
		"  import  the rings of a key file (consecutive generations) or of another\n"
		"          key directory\n"
		"  show    the set in force: version, generations, fingerprints (no keys)\n"
		"LEVEL is domain (the default), tenant ID or group ID.  Files are owned by\n"
		"--user (as root the default is eesp, the daemon user), mode 0400, and are\n"
		"read as that user would read them.\n\n"
		"Example:\n  %s keydir init /etc/eespd/lab.keys.d && %s keydir rotate "
		"/etc/eespd/lab.keys.d\n",
		PROG, PROG, PROG, PROG, PROG, PROG, PROG);
}

static int owner_of(const char *user, struct keydir_owner *o)
{
	if (!user && geteuid() != 0) {
		o->uid = geteuid();
		o->gid = getegid();
		return 0;
	}
	struct passwd *pw = getpwnam(user ? user : "eesp");
	if (!pw) {
		err("user '%s' does not exist (give the daemon user with --user)",
		    user ? user : "eesp");
		return -1;
	}
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
	return 0;
}

/* [LEVEL [ID]] after DIR */
static int level_args(int argc, char *argv[], int i, struct keydir_args *a)
{
	a->level = EESP_LEVEL_DOMAIN;
	a->id = 0;
	if (i >= argc)
		return 0;
	unsigned lv;
	if (eesp_value_of(eesp_level_names, argv[i], &lv)) {
		err("unknown level '%s' (expected domain, tenant ID or group ID)", argv[i]);
		return -1;
	}
	a->level = lv;
	if (a->level != EESP_LEVEL_DOMAIN &&
	    (i + 1 >= argc || parse_u32(argv[i + 1], &a->id) || !a->id)) {
		err("%s needs a non-zero ID", argv[i]);
		return -1;
	}
	if (i + (a->level == EESP_LEVEL_DOMAIN ? 1 : 2) != argc) {
		err("unexpected argument '%s'", argv[argc - 1]);
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char *argv[], const char *op, struct keydir_args *a)
{
	static const struct option opts[] = {{"user", required_argument, NULL, 'u'},
					     {"generation", required_argument, NULL, 'g'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *user = NULL;
	int c;
	a->generation = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'u')
			user = optarg;
		else if (c == 'g' && !parse_u32(optarg, &a->generation) && a->generation)
			continue;
		else if (c == 'j')
			a->json = true;
		else if (c == 'h') {
			usage(stdout);
			exit(0);
		} else {
			if (c == 'g')
				err("--generation: a number from 1 to 4294967294");
			return -1;
		}
	}
	if (optind >= argc) {
		err("%s: missing DIR", op);
		return -1;
	}
	a->dir = argv[optind++];
	if (!strcmp(op, "import")) {
		if (optind + 1 != argc) {
			err("import: expected DIR KEYFILE");
			return -1;
		}
		a->file = argv[optind];
	} else if (!strcmp(op, "rotate") || !strcmp(op, "retire")) {
		if (level_args(argc, argv, optind, a))
			return -1;
	} else if (optind != argc) {
		err("%s: unexpected argument '%s'", op, argv[optind]);
		return -1;
	}
	return owner_of(user, &a->owner);
}

static int random_key(uint8_t key[EESP_ROOT_KEY_LEN])
{
	if (RAND_bytes(key, EESP_ROOT_KEY_LEN) == 1)
		return 0;
	err("RAND_bytes failed");
	return -1;
}

static struct eesp_keyset *load(const struct keydir_args *a, uid_t reader, gid_t gid)
{
	char version[KEYDIR_VERSION_MAX], e[1024];
	struct eesp_keyset *ks;
	if (keydir_load(a->dir, reader, gid, &ks, version, e, sizeof(e))) {
		err("%s", e);
		return NULL;
	}
	return ks;
}

static int op_init(struct keydir_args *a)
{
	uint8_t k[EESP_ROOT_KEY_LEN];
	struct eesp_keyset *ks = eesp_keyset_new();
	int rc = -1;
	if (!ks || a->generation == EESP_GEN_LAST || random_key(k))
		goto out;
	ks->domain.gen[EESP_GEN_CURRENT].present = true;
	ks->domain.gen[EESP_GEN_CURRENT].generation = a->generation;
	memcpy(ks->domain.gen[EESP_GEN_CURRENT].key, k, sizeof(k));
	if (random_key(k) || eesp_ring_set_next(&ks->domain, a->generation + 1, k))
		goto out;
	rc = keydir_swap(a->dir, ks, &a->owner);
out:
	OPENSSL_cleanse(k, sizeof(k));
	eesp_keyset_free(ks);
	return rc;
}

static struct eesp_ring *ring_of(struct eesp_keyset *ks, const struct keydir_args *a)
{
	struct eesp_ring *r =
	    (struct eesp_ring *)eesp_keyset_ring(ks, (enum eesp_level)a->level, a->id);
	if (!r)
		err("%s holds no %s ring%s", a->dir, eesp_name_of(eesp_level_names, a->level),
		    a->level == EESP_LEVEL_DOMAIN ? "" : " of that id");
	return r;
}

static int op_rotate(struct keydir_args *a, bool retire)
{
	struct eesp_keyset *ks = load(a, a->owner.uid, a->owner.gid);
	struct eesp_ring *r = ks ? ring_of(ks, a) : NULL;
	uint8_t k[EESP_ROOT_KEY_LEN];
	uint32_t gen;
	int rc = -1;
	if (!r)
		goto out;
	if (retire) {
		eesp_ring_retire_previous(r);
	} else if (eesp_ring_rotate(r)) {
		err("%s: no next generation to rotate to", a->dir);
		goto out;
	} else if (eesp_ring_next_generation(r, &gen) || random_key(k) ||
		   eesp_ring_set_next(r, gen, k)) {
		err("%s: cannot add the next generation (the last generation is 4294967295)",
		    a->dir);
		goto out;
	}
	rc = keydir_swap(a->dir, ks, &a->owner);
out:
	OPENSSL_cleanse(k, sizeof(k));
	eesp_keyset_free(ks);
	return rc;
}

static int op_import(struct keydir_args *a)
{
	struct stat st;
	struct eesp_keyset *ks;
	if (!stat(a->file, &st) && S_ISDIR(st.st_mode)) {
		/* another key directory: the same set, e.g. for a second node */
		struct keydir_args from = *a;
		from.dir = a->file;
		ks = load(&from, a->owner.uid, a->owner.gid);
	} else {
		ks = load_keys(a->file);
	}
	if (!ks)
		return -1;
	int rc = keydir_swap(a->dir, ks, &a->owner);
	eesp_keyset_free(ks);
	return rc;
}

static void show_ring(const struct eesp_ring *r, unsigned level, bool json, bool *first)
{
	for (unsigned s = 0; s < EESP_GENS; s++) {
		char fp[17];
		if (!r->gen[s].present)
			continue;
		eesp_key_fingerprint(r->gen[s].key, EESP_ROOT_KEY_LEN, fp);
		if (json)
			printf("%s{\"level\":\"%s\",\"id\":%u,\"slot\":\"%s\",\"generation\":%u,"
			       "\"fingerprint\":\"%s\"}",
			       *first ? "" : ",", eesp_name_of(eesp_level_names, level), r->id,
			       eesp_name_of(eesp_slot_names, s), r->gen[s].generation, fp);
		else
			printf("%s %u %s generation %u fingerprint %s\n",
			       eesp_name_of(eesp_level_names, level), r->id,
			       eesp_name_of(eesp_slot_names, s), r->gen[s].generation, fp);
		*first = false;
	}
}

static int op_show(struct keydir_args *a)
{
	char version[KEYDIR_VERSION_MAX], e[1024];
	struct eesp_keyset *ks;
	bool first = true;
	if (keydir_load(a->dir, a->owner.uid, a->owner.gid, &ks, version, e, sizeof(e))) {
		err("%s", e);
		return -1;
	}
	if (a->json) {
		printf("{\"dir\":");
		json_str(stdout, a->dir);
		printf(",\"version\":");
		json_str(stdout, version);
		printf(",\"keys\":[");
	} else {
		printf("key directory %s version %s\n", a->dir, version);
	}
	show_ring(&ks->domain, EESP_LEVEL_DOMAIN, a->json, &first);
	for (unsigned i = 0; i < ks->n_tenants; i++)
		show_ring(&ks->tenant[i], EESP_LEVEL_TENANT, a->json, &first);
	for (unsigned i = 0; i < ks->n_groups; i++)
		show_ring(&ks->group[i], EESP_LEVEL_GROUP, a->json, &first);
	if (a->json)
		printf("]}\n");
	eesp_keyset_free(ks);
	return 0;
}

int keydir_main(int argc, char *argv[])
{
	struct keydir_args a = {0};
	const char *op = argc > 1 ? argv[1] : "";
	if (want_help(argc, argv) && argc <= 2) {
		usage(stdout);
		return 0;
	}
	if (strcmp(op, "init") && strcmp(op, "rotate") && strcmp(op, "retire") &&
	    strcmp(op, "import") && strcmp(op, "show")) {
		if (op[0])
			err("keydir: unknown operation '%s'", op);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (parse_args(argc - 1, argv + 1, op, &a))
		return EXIT_USAGE;
	int rc = !strcmp(op, "init")	 ? op_init(&a)
		 : !strcmp(op, "rotate") ? op_rotate(&a, false)
		 : !strcmp(op, "retire") ? op_rotate(&a, true)
		 : !strcmp(op, "import") ? op_import(&a)
					 : op_show(&a);
	return rc ? 1 : 0;
}
