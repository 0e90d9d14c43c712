// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rotate.c - `eespctl key add`, `eespctl rotate`, `eespctl retire`: the life
 * of a root key generation, edited in a domain directory's key file (parsed
 * and rotated by the core: eesp_keyfile_parse, eesp_ring_rotate,
 * eesp_ring_retire_previous) and announced to a running eespd.
 *
 * Lossless rotation across nodes: `key add` the same next generation on
 * every node (copy the key file) and reload them, so every receiver holds it;
 * then `rotate` one node after the other; finally `retire` the previous one.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "ctlproto.h"
#include "eespctl.h"
#include "keys.h"

enum op { OP_ADD, OP_ROTATE, OP_RETIRE };

static void usage(FILE *f, enum op op)
{
	switch (op) {
	case OP_ADD:
		fprintf(
		    f,
		    "Usage: %s key add DIR LEVEL [ID] [--key -] [-s SOCKET]\n\n"
		    "Adds a new root key as the NEXT generation (highest + 1) of a level\n"
		    "(domain, tenant ID or group ID) in domain directory DIR.  The key is\n"
		    "random, or read from stdin with --key - (64 hex digits, e.g. the same key\n"
		    "on every node).  Receivers accept the next generation at once; senders\n"
		    "keep using current until `rotate`.  A level that has no key yet gets its\n"
		    "first generation as current.  With -s, tells eespd to reload.\n\n"
		    "Example:\n  %s key add lab domain\n",
		    PROG, PROG);
		break;
	case OP_ROTATE:
		fprintf(
		    f,
		    "Usage: %s rotate [DIR] LEVEL [ID] [-s SOCKET | --daemon SOCKET]\n"
		    "       %s rotate DIR psp [-s SOCKET]\n\n"
		    "Rotates a level: next -> current -> previous (the old previous is dropped).\n"
		    "With DIR, edits DIR's key file; with -s also tells the running eespd\n"
		    "(`rotate` then `reload`, so memory and file agree).  Without DIR, -s\n"
		    "only rotates the daemon's keys in memory.\n"
		    "In a PSP domain, `rotate DIR psp` replaces the master key spi-alloc does\n"
		    "not use with a fresh one and makes spi-alloc use it (spi_master in\n"
		    "DIR/eespd.conf); SPIs of the other key keep working until the next\n"
		    "rotation, so clients re-key before a double rotation.\n\n"
		    "Example:\n  %s rotate lab domain -s /run/eespd/eesp0.sock\n",
		    PROG, PROG, PROG);
		break;
	case OP_RETIRE:
		fprintf(
		    f,
		    "Usage: %s retire [DIR] LEVEL [ID] [-s SOCKET | --daemon SOCKET]\n\n"
		    "Drops the previous generation of a level, once every sender has rotated;\n"
		    "packets still using it are then dropped (unknown_generation).  DIR and -s\n"
		    "as for rotate.\n\n"
		    "Example:\n  %s retire lab domain -s /run/eespd/eesp0.sock\n",
		    PROG, PROG);
		break;
	}
}

static struct eesp_ring *find_ring(struct eesp_keyset *ks, enum eesp_level level, uint32_t id,
				   bool create)
{
	struct eesp_ring *r = (struct eesp_ring *)eesp_keyset_ring(ks, level, id);
	if (r || !create)
		return r;
	if (level == EESP_LEVEL_DOMAIN) {
		ks->domain.id = 0;
		return &ks->domain;
	}
	unsigned *n = level == EESP_LEVEL_TENANT ? &ks->n_tenants : &ks->n_groups;
	struct eesp_ring *arr = level == EESP_LEVEL_TENANT ? ks->tenant : ks->group;
	if (*n >= (level == EESP_LEVEL_TENANT ? EESP_MAX_TENANTS : EESP_MAX_GROUPS)) {
		err("too many %s levels in this key file", level_name(level));
		return NULL;
	}
	r = &arr[(*n)++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	return r;
}

static bool ring_empty(const struct eesp_ring *r)
{
	return !r->gen[0].present && !r->gen[1].present && !r->gen[2].present;
}

/* 0 ok, 1 the daemon said error, -1 transport error (each reported). */
static int tell_daemon(const char *sock, enum eesp_ctl_verb verb, enum eesp_level level,
		       uint32_t id)
{
	struct eesp_ctl_req req = {.verb = verb, .level = level, .id = id};
	char *body, e[512], buf[256];
	const char *path = ctl_socket_path(sock, buf, sizeof(buf));
	int rc = ctl_request(path, &req, &body, e, sizeof(e));
	if (rc) {
		err("%s", e);
		return rc;
	}
	fputs(body, stdout);
	free(body);
	return 0;
}

/*
 * PSP master keys are double-buffered: spi-alloc derives under spi_master,
 * receivers hold both.  Rotation replaces the other key (SPIs handed out
 * under it two rotations ago stop working) and makes it the one spi-alloc
 * uses; SPIs of the previous master keep working until the next rotation.
 */
static int rotate_psp(const char *dir, const char *sock)
{
	struct domain_conf dc;
	char kpath[PATH_MAX], cpath[PATH_MAX], fp[17], *text = NULL, *conf = NULL;
	size_t tlen = 0, clen = 0;
	struct eesp_keyset *ks;
	int rc = 1;

	if (domain_conf_read(dir, &dc) || domain_key_path(dir, kpath, sizeof(kpath)))
		return 1;
	if (dc.mode != EESP_MODE_PSP) {
		err("rotate psp: %s is not a PSP domain", dir);
		return 1;
	}
	snprintf(cpath, sizeof(cpath), "%s/%s", dir, DOMAIN_CONF);
	if (read_file(cpath, &conf, &clen))
		return 1;
	/* the `spi_master = N;` line of the psp section */
	char *p = strstr(conf, "spi_master");
	while (p && p > conf && p[-1] != '\n' && p[-1] != ' ' && p[-1] != '\t')
		p = strstr(p + 1, "spi_master");
	char *eq = p ? p + strlen("spi_master") : NULL;
	while (eq && (*eq == ' ' || *eq == '\t'))
		eq++;
	if (!eq || (*eq != '=' && *eq != ':')) {
		err("rotate psp: no `spi_master = 0|1;` line in %s", cpath);
		free(conf);
		return 1;
	}
	char *digit = eq + 1;
	while (*digit == ' ' || *digit == '\t')
		digit++;
	if (*digit != '0' && *digit != '1') {
		err("rotate psp: spi_master in %s is not 0 or 1", cpath);
		free(conf);
		return 1;
	}
	unsigned old = (unsigned)(*digit - '0'), nw = old ^ 1;
	if (sock && keyapply_check(sock, kpath)) {
		free(conf);
		return 1;
	}
	ks = load_keys(kpath);
	if (!ks) {
		free(conf);
		return 1;
	}
	if (RAND_bytes(ks->psp_master[nw], PSP_MASTER_KEY_LEN) != 1) {
		err("RAND_bytes failed");
		goto out;
	}
	ks->has_psp[nw] = true;
	text = keyset_format(ks, false, 0, "PSP master keys", &tlen);
	if (!text || write_file_atomic(kpath, text, tlen, 0600))
		goto out;
	*digit = (char)('0' + nw);
	if (write_file_atomic(cpath, conf, clen, 0644))
		goto out;
	eesp_key_fingerprint(ks->psp_master[nw], PSP_MASTER_KEY_LEN, fp);
	printf("psp: master key %u replaced (fingerprint %s); spi-alloc now uses master %u.\n"
	       "SPIs of master %u keep working until the next rotation: clients holding them\n"
	       "must re-key (spi-alloc) before then.\n",
	       nw, fp, nw, old);
	rc = 0;
	if (sock) {
		char what[96];
		snprintf(what, sizeof(what), "psp master key %u replaced; spi_master = %u in %s",
			 nw, nw, DOMAIN_CONF);
		rc = keyapply_tell(sock, EESP_CTL_RELOAD, 0, 0, kpath, what);
	}
out:
	free_secret(text, tlen);
	free(conf);
	eesp_keyset_free(ks);
	return rc;
}

static int run(int argc, char *argv[], enum op op)
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"daemon", required_argument, NULL, 's'},
					     {"key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *sock = NULL, *dir = NULL, *keysrc = NULL;
	enum eesp_level level;
	uint32_t id = 0;
	int c, rc = 1, pos;
	char path[PATH_MAX], *text = NULL, *orig = NULL;
	size_t tlen = 0, olen = 0;
	struct eesp_keyset *ks = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'k':
			if (op != OP_ADD) {
				usage(stderr, op);
				return EXIT_USAGE;
			}
			keysrc = optarg;
			break;
		case 'h':
			usage(stdout, op);
			return 0;
		default:
			usage(stderr, op);
			return EXIT_USAGE;
		}
	}
	pos = optind;
	/* [DIR] LEVEL [ID]: DIR is whatever is not a level name */
	if (pos < argc && !is_level(argv[pos]) && (strchr(argv[pos], '/') || argc - pos >= 2))
		dir = argv[pos++];
	if (pos >= argc || argc - pos > 2) {
		usage(stderr, op);
		return EXIT_USAGE;
	}
	if (is_mode(argv[pos], EESP_MODE_PSP) && op == OP_ROTATE && dir && pos == argc - 1)
		return rotate_psp(dir, sock);
	/* a level or id that is not one is a usage error (exit 2), as an
	 * unknown option is (issue 17, item 6) */
	if (parse_level(argv[pos], &level))
		return EXIT_USAGE;
	if (pos + 1 < argc) {
		if (parse_u32(argv[pos + 1], &id)) {
			err("bad %s id '%s' (expected a 32-bit number)", level_name(level),
			    argv[pos + 1]);
			return EXIT_USAGE;
		}
	}
	if (level == EESP_LEVEL_DOMAIN && id) {
		err("the domain level has id 0, not %u", id);
		return EXIT_USAGE;
	}
	if (level != EESP_LEVEL_DOMAIN && !id) {
		err("level %s needs a non-zero id (e.g. `%s 7`)", level_name(level),
		    level_name(level));
		return EXIT_USAGE;
	}
	if (!dir && (op == OP_ADD || !sock)) {
		err("%s: a domain directory is needed%s", op == OP_ADD ? "key add" : argv[0],
		    op == OP_ADD ? "" : " (or -s SOCKET to rotate only the daemon's keys)");
		usage(stderr, op);
		return EXIT_USAGE;
	}
	if (!dir) /* daemon only */
		return tell_daemon(sock, op == OP_ROTATE ? EESP_CTL_ROTATE : EESP_CTL_RETIRE, level,
				   id)
			   ? 1
			   : 0;

	struct domain_conf dc;
	if (domain_conf_read(dir, &dc) || domain_key_path(dir, path, sizeof(path)))
		return 1;
	if (dc.mode == EESP_MODE_PSP) {
		err("%s: a PSP domain has two master keys, not generations: `%s rotate %s psp`",
		    dir, PROG, dir);
		return 1;
	}
	if (sock && keyapply_check(sock, path))
		return 1;
	ks = load_keys(path);
	if (!ks)
		return 1;
	if (read_secret_file(path, &orig, &olen))
		goto out;
	if (!dc.has_id)
		dc.has_id = keyfile_domain_id(orig, &dc.id);

	struct eesp_ring *r = find_ring(ks, level, id, op == OP_ADD);
	if (!r || (op != OP_ADD && ring_empty(r))) {
		if (op != OP_ADD)
			err("%s: no %s %u level in %s", argv[0], level_name(level), id, path);
		goto out;
	}
	char fp[17], changed[128] = "";
	switch (op) {
	case OP_ADD: {
		uint32_t gen = 0;
		int slot = EESP_GEN_NEXT;
		if (r->gen[EESP_GEN_NEXT].present) {
			err("%s %u already has a next generation (%u); rotate first",
			    level_name(level), id, r->gen[EESP_GEN_NEXT].generation);
			goto out;
		}
		if (eesp_ring_next_generation(r, &gen)) {
			err("key add: %s %u: generation %u is the last one: generations never "
			    "wrap; replace the ring (a new %s id, or a key file with only a new "
			    "generation 0 on every member at once)",
			    level_name(level), id, EESP_GEN_LAST, level_name(level));
			goto out;
		}
		if (ring_empty(r))
			slot = EESP_GEN_CURRENT;
		else if (!r->gen[EESP_GEN_CURRENT].present) {
			err("%s %u has no current generation", level_name(level), id);
			goto out;
		}
		uint8_t nk[EESP_ROOT_KEY_LEN];
		if (keysrc) {
			char *kb;
			size_t kl;
			if (read_secret_file(keysrc, &kb, &kl))
				goto out;
			int bad = hex_decode(kb, kl, nk, EESP_ROOT_KEY_LEN);
			free_secret(kb, kl);
			if (bad) {
				OPENSSL_cleanse(nk, sizeof(nk));
				err("key add: the key must be 64 hex digits (32 bytes)");
				goto out;
			}
		} else if (RAND_bytes(nk, EESP_ROOT_KEY_LEN) != 1) {
			OPENSSL_cleanse(nk, sizeof(nk));
			err("RAND_bytes failed");
			goto out;
		}
		if (slot == EESP_GEN_NEXT) {
			int e = eesp_ring_set_next(r, gen, nk);
			OPENSSL_cleanse(nk, sizeof(nk));
			if (e) {
				err("key add: %s %u: cannot add generation %u as next (%s)",
				    level_name(level), id, gen, eesp_err_name(e));
				goto out;
			}
		} else {
			r->gen[slot].generation = gen;
			memcpy(r->gen[slot].key, nk, EESP_ROOT_KEY_LEN);
			OPENSSL_cleanse(nk, sizeof(nk));
			r->gen[slot].present = true;
		}
		eesp_key_fingerprint(r->gen[slot].key, EESP_ROOT_KEY_LEN, fp);
		snprintf(changed, sizeof(changed), "%s %u: added generation %u as %s",
			 level_name(level), id, gen, slot == EESP_GEN_NEXT ? "next" : "current");
		printf("%s %u: added generation %u (phase %u, fingerprint %s) as %s\n",
		       level_name(level), id, gen, gen % EESP_PHASES, fp, slot_name(slot));
		break;
	}
	case OP_ROTATE:
		if (!r->gen[EESP_GEN_NEXT].present && r->gen[EESP_GEN_CURRENT].present &&
		    r->gen[EESP_GEN_CURRENT].generation == EESP_GEN_LAST) {
			err("rotate: %s %u: current generation %u is the last one: generations "
			    "never wrap, there is no next to rotate to",
			    level_name(level), id, EESP_GEN_LAST);
			goto out;
		}
		if (!r->gen[EESP_GEN_NEXT].present) {
			err("rotate: %s %u has no next generation; `%s key add %s %s%s%s` first",
			    level_name(level), id, PROG, dir, level_name(level), id ? " " : "",
			    id ? argv[pos + 1] : "");
			goto out;
		}
		if (eesp_ring_rotate(r)) {
			err("rotate: %s %u cannot be rotated", level_name(level), id);
			goto out;
		}
		snprintf(changed, sizeof(changed), "%s %u rotated: current generation %u",
			 level_name(level), id, r->gen[EESP_GEN_CURRENT].generation);
		printf("%s %u: current generation is now %u (phase %u)\n", level_name(level), id,
		       r->gen[EESP_GEN_CURRENT].generation,
		       r->gen[EESP_GEN_CURRENT].generation % EESP_PHASES);
		break;
	case OP_RETIRE:
		if (!r->gen[EESP_GEN_PREVIOUS].present) {
			err("retire: %s %u has no previous generation", level_name(level), id);
			goto out;
		}
		snprintf(changed, sizeof(changed), "%s %u: generation %u retired",
			 level_name(level), id, r->gen[EESP_GEN_PREVIOUS].generation);
		printf("%s %u: retired generation %u\n", level_name(level), id,
		       r->gen[EESP_GEN_PREVIOUS].generation);
		eesp_ring_retire_previous(r);
		break;
	}
	text = keyset_format(ks, dc.has_id, dc.id, "Root keys", &tlen);
	if (!text || write_file_atomic(path, text, tlen, 0600))
		goto out;
	rc = sock ? keyapply_tell(sock,
				  op == OP_ADD	    ? EESP_CTL_RELOAD
				  : op == OP_ROTATE ? EESP_CTL_ROTATE
						    : EESP_CTL_RETIRE,
				  level, id, path, changed)
		  : 0;
out:
	free_secret(text, tlen);
	free_secret(orig, olen);
	eesp_keyset_free(ks);
	return rc;
}

int key_main(int argc, char *argv[])
{
	if (argc < 2 || strcmp(argv[1], "add")) {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			usage(stdout, OP_ADD);
			return 0;
		}
		if (argc >= 2)
			err("key: unknown action '%s' (expected add)", argv[1]);
		usage(stderr, OP_ADD);
		return EXIT_USAGE;
	}
	return run(argc - 1, argv + 1, OP_ADD);
}

int rotate_main(int argc, char *argv[])
{
	return run(argc, argv, OP_ROTATE);
}

int retire_main(int argc, char *argv[])
{
	return run(argc, argv, OP_RETIRE);
}
