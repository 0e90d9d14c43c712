// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * derive.c - `eespctl derive psp|eesp`: a data key given out of band.
 *
 * psp:  the PSP server-mode key for an SPI (psp.md §2) from the master key
 *       that SPI bit 31 selects (core: psp_derive_key).
 * eesp: the data key and salt a packet with a given context uses (core:
 *       eesp_data_key_for, i.e. roots -> master -> SP 800-108 KDF).
 * Both print hex and a key-file line (`sa psp ...` / `sa eesp ...`) that
 * eespd and the Wireshark plugin read.
 * pairkey: seed 004's pair keys, in derive_pairkey.c.
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "kdf.h"
#include "keys.h"
#include "packet.h"

static void usage(FILE *f)
{
	char prof[64], kdf[32], suite[64];

	fprintf(f,
		"Usage: %s derive psp --spi SPI [--version 0-3 (default 1)] [--keys FILE|DIR|-] "
		"[--json|--line]\n"
		"       %s derive eesp [--domain DIR | --keys FILE|-] [--spi SPI] [--session N]\n"
		"              [--profile %s] [--kdf %s]\n"
		"              [--suite %s] [--epoch N] [--node N]\n"
		"              [--peer-node N] [--tenant N] [--group N] [--phases D[,T[,G]]]\n"
		"              [--json|--line]\n",
		PROG, PROG, word_choices(eesp_profile_names, prof, sizeof(prof)),
		word_choices(eesp_kdf_names, kdf, sizeof(kdf)),
		word_choices(eesp_suite_names, suite, sizeof(suite)));
	derive_pairkey_usage(f);
	fprintf(f, "\npsp: the data key of a PSP SPI (server mode) from the master key that SPI\n"
		   "bit 31 selects, for version 0/1 (AES-GCM-128/256) or 2/3 (AES-GMAC-128/256,\n"
		   "label \"Pv2\"/\"Pv3\", eesp.7).  Master keys come from a key file (`psp 0 "
		   "HEX`, `psp 1 HEX`\n"
		   "lines), a PSP domain directory, or stdin (the default): key-file lines or\n"
		   "just the selected master key in hex.\n\n"
		   "eesp: the data key and salt for a packet context.  Root keys come from a\n"
		   "domain directory (which also gives defaults for id, profile, kdf, suite,\n"
		   "node, tenant, group and epoch) or a key file.  --spi defaults to the domain\n"
		   "id; --phases defaults to the phases of the current generations.\n\n"
		   "Output: hex and a key-file line (`sa psp SPI KEY` / `sa eesp SPI KEY SALT`)\n"
		   "for eespd and the Wireshark plugin; --line prints only that line, --json\n"
		   "one JSON object.\n\n");
	derive_pairkey_help(f);
	fprintf(f,
		"\nExamples:\n"
		"  %s derive psp --spi 0x12345678 --version 0 --keys psp\n"
		"  %s derive eesp --domain lab --node 2 --epoch 7\n"
		"  %s key add lab group 9\n"
		"  %s genkey | %s derive pairkey --keys lab --group 9 --spi-i 0001020304050607 \\\n"
		"      --spi-r 08090a0b0c0d0e0f --node 1 --peer-node 2\n"
		"(the last with a random stand-in for the SK_d of nodes 1 and 2's IKE SA)\n",
		PROG, PROG, PROG, PROG, PROG);
}

enum out_style { OUT_TEXT, OUT_JSON, OUT_LINE };

/* Master keys for PSP: key file, PSP domain dir or stdin (file lines or one hex key). */
static int psp_masters(const char *src, uint32_t spi, uint8_t master[PSP_MASTER_KEY_LEN])
{
	char path[PATH_MAX];
	struct stat st;
	unsigned sel = (spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	struct eesp_keyset *ks;

	if (!src)
		src = "-";
	if (strcmp(src, "-") && !stat(src, &st) && S_ISDIR(st.st_mode)) {
		if (domain_key_path(src, path, sizeof(path)))
			return -1;
		src = path;
	}
	if (!strcmp(src, "-")) {
		char *buf;
		size_t len;
		struct eesp_keyfile_error e = {0};
		if (read_file("-", &buf, &len))
			return -1;
		if (!hex_decode(buf, len, master, PSP_MASTER_KEY_LEN)) {
			free_secret(buf, len);
			return 0;
		}
		OPENSSL_cleanse(master, PSP_MASTER_KEY_LEN); /* a failed decode may stop half-way */
		ks = eesp_keyset_new();
		if (!ks || eesp_keyfile_parse(ks, buf, len, &e)) {
			err("stdin: expected a master key (64 hex digits) or key-file lines "
			    "`psp 0|1 HEX`%s%s",
			    ks ? ": " : "", ks ? e.msg : "");
			free_secret(buf, len);
			eesp_keyset_free(ks);
			return -1;
		}
		free_secret(buf, len);
	} else {
		ks = load_keys(src);
		if (!ks)
			return -1;
	}
	if (!ks->has_psp[sel]) {
		err("no PSP master key %u (selected by SPI bit 31 of 0x%08x) in %s", sel, spi,
		    strcmp(src, "-") ? src : "stdin");
		eesp_keyset_free(ks);
		return -1;
	}
	memcpy(master, ks->psp_master[sel], PSP_MASTER_KEY_LEN);
	eesp_keyset_free(ks);
	return 0;
}

static int derive_psp(int argc, char *argv[])
{
	static const struct option opts[] = {{"spi", required_argument, NULL, 'i'},
					     {"version", required_argument, NULL, 'V'},
					     {"keys", required_argument, NULL, 'k'},
					     {"json", no_argument, NULL, 'j'},
					     {"line", no_argument, NULL, 'l'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	uint32_t spi = 0, ver = 1;
	bool has_spi = false;
	const char *keys = NULL;
	enum out_style out = OUT_TEXT;
	uint8_t master[PSP_MASTER_KEY_LEN], key[32];
	char hex[65];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (parse_u32(optarg, &spi)) {
				err("--spi: expected a 32-bit SPI (0x-hex or decimal), got '%s'",
				    optarg);
				return EXIT_USAGE;
			}
			has_spi = true;
			break;
		case 'V':
			if (parse_u32(optarg, &ver) || ver > PSP_VER_MAX) {
				err("--version: PSP version 0 (AES-GCM-128), 1 (AES-GCM-256), 2 "
				    "(AES-GMAC-128) or 3 (AES-GMAC-256), got '%s'",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'k':
			keys = optarg;
			break;
		case 'j':
			out = OUT_JSON;
			break;
		case 'l':
			out = OUT_LINE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !has_spi) {
		if (!has_spi)
			err("derive psp: --spi is required");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!(spi & ~PSP_SPI_KEY_SELECTOR)) {
		err("--spi: the low 31 bits of a PSP SPI must not be zero");
		return 1;
	}
	if (psp_masters(keys, spi, master))
		return 1;
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	int rc = k ? psp_derive_key(k, master, spi, ver, key) : -1;
	eesp_kdf_ctx_free(k);
	OPENSSL_cleanse(master, sizeof(master));
	if (rc) {
		OPENSSL_cleanse(key, sizeof(key));
		err("PSP key derivation failed (%s)", eesp_err_name(rc));
		return 1;
	}
	size_t klen = psp_version_key_len(ver);
	hex_encode(key, klen, hex);
	OPENSSL_cleanse(key, sizeof(key));
	char line[SA_LINE_MAX];
	sa_line(line, EESP_MODE_PSP, spi, hex, NULL);
	switch (out) {
	case OUT_TEXT:
		printf("spi 0x%08x  master %u  version %u (%s)\nkey %s\n%s\n", spi, spi >> 31, ver,
		       psp_version_name(ver), hex, line);
		break;
	case OUT_JSON:
		printf("{\"mode\":\"%s\",\"spi\":%u,\"spi_hex\":\"0x%08x\",\"master\":%u,"
		       "\"version\":%u,\"key\":\"%s\",\"line\":\"%s\"}\n",
		       mode_name(EESP_MODE_PSP), spi, spi, spi >> 31, ver, hex, line);
		break;
	case OUT_LINE:
		printf("%s\n", line);
		break;
	}
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(hex, sizeof(hex));
	return 0;
}

static int derive_eesp(int argc, char *argv[])
{
	static const struct option opts[] = {CTX_LONG_OPTIONS,
					     {"json", no_argument, NULL, 'j'},
					     {"line", no_argument, NULL, 'l'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct ctx_opts o = {0};
	struct ctx_resolved r;
	struct eesp_hdr_params p;
	enum out_style out = OUT_TEXT;
	int c, rc = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int h = ctx_opt(c, optarg, &o);
		if (h < 0)
			return EXIT_USAGE;
		if (h)
			continue;
		switch (c) {
		case 'j':
			out = OUT_JSON;
			break;
		case 'l':
			out = OUT_LINE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ctx_resolve(&o, true, &r, &p))
		return 1;
	if (r.dc.mode == EESP_MODE_PSP) {
		err("%s is a PSP domain: use `%s derive psp --keys %s`", o.dir, PROG, o.dir);
		goto out;
	}
	struct eesp_domain d = {.spi = p.spi,
				.spi_min = 0,
				.spi_max = UINT32_MAX,
				.keys = r.ks,
				.epoch_window = UINT32_MAX / 2,
				.self_node_id = p.sctx.peer_node_id};
	struct eesp_crypto *cr = eesp_crypto_new(4);
	struct eesp_dkey dk;
	int e = cr ? eesp_data_key_for(cr, &d, &p, &dk) : EESP_E_CRYPTO;
	eesp_crypto_free(cr);
	if (e) {
		OPENSSL_cleanse(&dk, sizeof(dk));
		err("derivation failed: %s", eesp_err_name(e));
		goto out;
	}
	const struct eesp_sctx *x = &p.sctx;
	size_t klen = eesp_suite_key_len(x->suite);
	char khex[65], shex[9];
	hex_encode(dk.key, klen, khex);
	hex_encode(dk.salt, EESP_SALT_LEN, shex);
	OPENSSL_cleanse(&dk, sizeof(dk));
	char line[SA_LINE_MAX];
	sa_line(line, EESP_MODE_EESP, p.spi, khex, shex);
	switch (out) {
	case OUT_TEXT:
		printf("spi 0x%08x  session %u  profile %s  kdf %s  suite %s  epoch %u\n", p.spi,
		       p.session_id, profile_name(x->profile), kdf_name(x->kdf),
		       suite_name(x->suite), x->epoch);
		printf("phases %u/%u/%u", x->phase[0], x->phase[1], x->phase[2]);
		if (x->flags & EESP_SCTX_FLAG_T)
			printf("  tenant %u", x->tenant_id);
		if (x->flags & EESP_SCTX_FLAG_G)
			printf("  group %u", x->group_id);
		if (eesp_profile_has_node(x->profile))
			printf("  node %u", x->node_id);
		if (x->profile == EESP_PROFILE_PAIR)
			printf("  peer-node %u", x->peer_node_id);
		printf("\nkey %s\nsalt %s\n%s\n", khex, shex, line);
		break;
	case OUT_JSON:
		printf("{\"mode\":\"%s\",\"spi\":%u,\"spi_hex\":\"0x%08x\",\"session\":%u,"
		       "\"profile\":\"%s\",\"kdf\":\"%s\",\"suite\":\"%s\",\"epoch\":%u,"
		       "\"phases\":[%u,%u,%u],\"tenant\":%u,\"group\":%u,\"node\":%u,"
		       "\"peer_node\":%u,\"key\":\"%s\",\"salt\":\"%s\","
		       "\"line\":\"%s\"}\n",
		       mode_name(EESP_MODE_EESP), p.spi, p.spi, p.session_id,
		       profile_name(x->profile), kdf_name(x->kdf), suite_name(x->suite), x->epoch,
		       x->phase[0], x->phase[1], x->phase[2], x->tenant_id, x->group_id, x->node_id,
		       x->peer_node_id, khex, shex, line);
		break;
	case OUT_LINE:
		printf("%s\n", line);
		break;
	}
	OPENSSL_cleanse(line, sizeof(line));
	OPENSSL_cleanse(khex, sizeof(khex));
	OPENSSL_cleanse(shex, sizeof(shex));
	rc = 0;
out:
	ctx_release(&r);
	return rc;
}

int derive_main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "pairkey"))
		return derive_pairkey_main(argc - 1, argv + 1);
	enum eesp_mode mode;
	if (parse_mode_arg("derive", argv[1], &mode)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return mode == EESP_MODE_PSP ? derive_psp(argc - 1, argv + 1)
				     : derive_eesp(argc - 1, argv + 1);
}
