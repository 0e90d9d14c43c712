// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * derive_pairkey.c - `eespctl derive pairkey`: seed 004's pair keys by hand
 * (eesp.7 PAIRWISE KEYS; core: src/ike/ike_pairkey.h).  GK comes from the
 * group ring of a key file or domain directory, SK_d (hex) from a file or
 * stdin, never from the command line; --server-view prints only the group
 * half G, all that a key server holding GK but not SK_d can compute.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "ike_pairkey.h"
#include "keys.h"

void derive_pairkey_usage(FILE *f)
{
	fprintf(f,
		"       %s derive pairkey --keys FILE|DIR --group N [--generation G]\n"
		"              --spi-i HEX --spi-r HEX --node N --peer-node N\n"
		"              [--sk-d FILE|- | --server-view] [--json]\n",
		PROG);
}

void derive_pairkey_help(FILE *f)
{
	fputs("pairkey: seed 004's pair keys (eesp(7), PAIRWISE KEYS) between this node\n"
	      "and a peer: prf+(SK_d, ...) XOR prf+(GK, ...), HMAC-SHA2-256, one key per\n"
	      "direction.  GK is the group root N of the key file or domain directory,\n"
	      "generation G (default: the current one); SK_d is the SK_d of the pair's\n"
	      "IKE SA in hex (64 digits), read from --sk-d FILE or stdin (the default);\n"
	      "--spi-i/--spi-r are that SA's SPIs (16 hex digits each, in header order).\n"
	      "Prints the key this node sends with and the key it receives with, and\n"
	      "the SPI and salt of each as eesp-iked installs it (pair, eesp(7));\n"
	      "--server-view reads no SK_d and prints the group half only.\n",
	      f);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage:\n");
	derive_pairkey_usage(f);
	fputc('\n', f);
	derive_pairkey_help(f);
}

struct pk_opts {
	const char *keys, *sk_d;
	uint32_t group, gen, node, peer;
	bool has_group, has_gen, has_node, has_peer, has_spi_i, has_spi_r, server, json;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
};

static int u32_opt(const char *name, const char *arg, uint32_t *v, bool *has)
{
	if (parse_u32(arg, v)) {
		err("--%s: expected an unsigned 32-bit number (0x-hex or decimal), got '%s'", name,
		    arg);
		return -1;
	}
	*has = true;
	return 0;
}

static int spi_opt(const char *name, const char *arg, uint8_t spi[IKE_SPI_LEN], bool *has)
{
	if (hex_decode(arg, strlen(arg), spi, IKE_SPI_LEN)) {
		err("--%s: expected an IKE SPI of 16 hex digits, got '%s'", name, arg);
		return -1;
	}
	*has = true;
	return 0;
}

/* 0, EXIT_USAGE, or -1 for --help (printed). */
static int parse_opts(int argc, char *argv[], struct pk_opts *o)
{
	static const struct option opts[] = {{"keys", required_argument, NULL, 'k'},
					     {"group", required_argument, NULL, 'g'},
					     {"generation", required_argument, NULL, 'G'},
					     {"spi-i", required_argument, NULL, 'i'},
					     {"spi-r", required_argument, NULL, 'r'},
					     {"node", required_argument, NULL, 'n'},
					     {"peer-node", required_argument, NULL, 'p'},
					     {"sk-d", required_argument, NULL, 'd'},
					     {"server-view", no_argument, NULL, 's'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int c, bad = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->keys = optarg;
			break;
		case 'g':
			bad |= u32_opt("group", optarg, &o->group, &o->has_group);
			break;
		case 'G':
			bad |= u32_opt("generation", optarg, &o->gen, &o->has_gen);
			break;
		case 'n':
			bad |= u32_opt("node", optarg, &o->node, &o->has_node);
			break;
		case 'p':
			bad |= u32_opt("peer-node", optarg, &o->peer, &o->has_peer);
			break;
		case 'i':
			bad |= spi_opt("spi-i", optarg, o->spi_i, &o->has_spi_i);
			break;
		case 'r':
			bad |= spi_opt("spi-r", optarg, o->spi_r, &o->has_spi_r);
			break;
		case 'd':
			o->sk_d = optarg;
			break;
		case 's':
			o->server = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			return -1;
		default:
			return EXIT_USAGE;
		}
	}
	if (bad || optind != argc)
		return EXIT_USAGE;
	if (!o->keys || !o->has_group || !o->has_spi_i || !o->has_spi_r || !o->has_node ||
	    !o->has_peer) {
		err("derive pairkey: --keys, --group, --spi-i, --spi-r, --node and --peer-node "
		    "are required");
		return EXIT_USAGE;
	}
	if (o->server && o->sk_d) {
		err("derive pairkey: --server-view reads no SK_d; drop --sk-d");
		return EXIT_USAGE;
	}
	return 0;
}

/* The group key of generation gen (or the current one) of group `group`. */
static int group_key(const struct pk_opts *o, struct eesp_root_gen *out)
{
	char path[PATH_MAX];
	const char *src = o->keys;
	struct stat st;
	const struct eesp_root_gen *g = NULL;

	if (!stat(src, &st) && S_ISDIR(st.st_mode)) {
		if (domain_key_path(src, path, sizeof(path)))
			return -1;
		src = path;
	}
	struct eesp_keyset *ks = load_keys(src);
	if (!ks)
		return -1;
	const struct eesp_ring *r = eesp_keyset_ring(ks, EESP_LEVEL_GROUP, o->group);
	for (unsigned s = 0; r && s < EESP_GENS && !g; s++)
		if (r->gen[s].present &&
		    (o->has_gen ? r->gen[s].generation == o->gen : s == EESP_GEN_CURRENT))
			g = &r->gen[s];
	if (g)
		*out = *g;
	else if (!r)
		err("%s: no group %u root keys", src, o->group);
	else if (o->has_gen)
		err("%s: group %u has no live generation %u", src, o->group, o->gen);
	else
		err("%s: group %u has no current generation", src, o->group);
	eesp_keyset_free(ks);
	return g ? 0 : -1;
}

static int read_sk_d(const char *src, uint8_t sk_d[IKE_PK_SK_D_LEN])
{
	char *buf;
	size_t len;

	if (!src)
		src = "-";
	if (read_secret_file(src, &buf, &len))
		return -1;
	int rc = hex_decode(buf, len, sk_d, IKE_PK_SK_D_LEN);
	free_secret(buf, len);
	if (rc) {
		OPENSSL_cleanse(sk_d, IKE_PK_SK_D_LEN);
		err("%s: expected SK_d as 64 hex digits (an IKE SA with HMAC-SHA2-256)",
		    strcmp(src, "-") ? src : "stdin");
	}
	return rc;
}

/* the runtime SA (ike_pk_sa) of each direction: SPI and salt */
struct pk_sas {
	uint32_t spi[2];
	char salt[2][2 * IKE_PK_SALT_LEN + 1];
};

static int pair_sas(uint8_t k[2][IKE_PK_KEY_LEN], struct pk_sas *out)
{
	uint8_t salt[IKE_PK_SALT_LEN];
	for (int d = 0; d < 2; d++) {
		if (ike_pk_sa(k[d], &out->spi[d], salt))
			return -1;
		hex_encode(salt, sizeof(salt), out->salt[d]);
	}
	OPENSSL_cleanse(salt, sizeof(salt));
	return 0;
}

static void print_result(const struct pk_opts *o, const struct ike_pk_pair *p,
			 const struct eesp_root_gen *g, const char *ctx, const char *a,
			 const char *b, const struct pk_sas *sa)
{
	enum ike_pk_dir mine;
	ike_pk_dir_of(p, o->node, &mine);
	const char *send = mine == IKE_PK_LO_TO_HI ? a : b, *recv = mine == IKE_PK_LO_TO_HI ? b : a;
	unsigned ms = mine, mr = 1 - mine;
	unsigned phase = g->generation % EESP_PHASES;

	if (o->json) {
		printf("{\"group\":%u,\"generation\":%u,\"phase\":%u,\"node\":%u,\"peer_node\":%u,"
		       "\"node_lo\":%u,\"node_hi\":%u,\"context\":\"%s\",",
		       o->group, g->generation, phase, o->node, o->peer, p->node_lo, p->node_hi,
		       ctx);
		if (o->server)
			printf("\"group_half_lo_to_hi\":\"%s\",\"group_half_hi_to_lo\":\"%s\"}\n",
			       a, b);
		else
			printf("\"key_lo_to_hi\":\"%s\",\"key_hi_to_lo\":\"%s\",\"send\":\"%s\","
			       "\"recv\":\"%s\",\"send_spi\":\"0x%08x\",\"send_salt\":\"%s\","
			       "\"recv_spi\":\"0x%08x\",\"recv_salt\":\"%s\"}\n",
			       a, b, send, recv, sa->spi[ms], sa->salt[ms], sa->spi[mr],
			       sa->salt[mr]);
		return;
	}
	printf("group %u  generation %u (phase %u)  node %u  peer-node %u  (%s)\ncontext %s\n",
	       o->group, g->generation, phase, o->node, o->peer,
	       mine == IKE_PK_LO_TO_HI ? "lo -> hi" : "hi -> lo", ctx);
	if (o->server)
		printf("group-half lo->hi %s\ngroup-half hi->lo %s\n"
		       "(the server's view: not a key; the pair's half needs SK_d)\n",
		       a, b);
	else
		printf("send %s\nrecv %s\nsend-sa spi 0x%08x salt %s\nrecv-sa spi 0x%08x salt %s\n",
		       send, recv, sa->spi[ms], sa->salt[ms], sa->spi[mr], sa->salt[mr]);
}

int derive_pairkey_main(int argc, char *argv[])
{
	struct pk_opts o = {0};
	struct ike_pk_pair p;
	struct eesp_root_gen g;
	uint8_t sk_d[IKE_PK_SK_D_LEN], k[2][IKE_PK_KEY_LEN], half[IKE_PK_HALF_LEN],
	    ctx[IKE_PK_CTX_LEN];
	char a[2 * IKE_PK_KEY_LEN + 1], b[2 * IKE_PK_KEY_LEN + 1], chex[2 * IKE_PK_CTX_LEN + 1];
	int rc = parse_opts(argc, argv, &o);

	if (rc) {
		usage(rc < 0 ? stdout : stderr);
		return rc < 0 ? 0 : rc;
	}
	if (ike_pk_pair_init(&p, o.spi_i, o.spi_r, o.node, o.peer, o.group)) {
		err("derive pairkey: --node and --peer-node must differ");
		return EXIT_USAGE;
	}
	if (group_key(&o, &g))
		return 1;
	if (o.server) {
		rc = ike_pk_group_half(g.key, &p, g.generation, half);
		memcpy(k, half, sizeof(k));
	} else {
		rc = read_sk_d(o.sk_d, sk_d) ? -1
					     : ike_pk_derive(IKE_PK_PRF, sk_d, sizeof(sk_d), g.key,
							     &p, g.generation, k);
		OPENSSL_cleanse(sk_d, sizeof(sk_d));
	}
	OPENSSL_cleanse(&g.key, sizeof(g.key));
	OPENSSL_cleanse(half, sizeof(half));
	if (rc) {
		OPENSSL_cleanse(k, sizeof(k));
		if (rc > 0)
			err("pair-key derivation failed (%s)", ike_err_name(rc));
		return 1;
	}
	struct pk_sas sas = {0};
	if (!o.server && pair_sas(k, &sas)) {
		OPENSSL_cleanse(k, sizeof(k));
		err("pair SA derivation failed");
		return 1;
	}
	hex_encode(k[IKE_PK_LO_TO_HI], IKE_PK_KEY_LEN, a);
	hex_encode(k[IKE_PK_HI_TO_LO], IKE_PK_KEY_LEN, b);
	OPENSSL_cleanse(k, sizeof(k));
	hex_encode(ctx, ike_pk_context(&p, g.generation, ctx), chex);
	print_result(&o, &p, &g, chex, a, b, &sas);
	OPENSSL_cleanse(a, sizeof(a));
	OPENSSL_cleanse(b, sizeof(b));
	return 0;
}
