// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain_show.c - `eespctl domain show DIR [--json] [--show-keys]`: the
 * settings of a domain directory, its levels with their generations, phases
 * and key fingerprints, its PSP master keys and out-of-band keys; the keys
 * themselves only with --show-keys.
 */
#include <getopt.h>
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "keys.h"

/* "  key <hex>" or ",\"key\":\"<hex>\"" after a fingerprint, with --show-keys */
static void print_key(const uint8_t *key, size_t len, bool json)
{
	char hex[2 * 64 + 1];
	hex_encode(key, len, hex);
	printf(json ? ",\"key\":\"%s\"" : "  key %s", hex);
	OPENSSL_cleanse(hex, sizeof(hex));
}

static bool ring_used(const struct eesp_ring *r)
{
	return r->gen[0].present || r->gen[1].present || r->gen[2].present;
}

/* ------------------------------------------------------------- text -- */

static void ring_text(const struct eesp_ring *r, enum eesp_level level, bool keys)
{
	char fp[17];
	printf("  %s %u:\n", level_name(level), r->id);
	for (int i = EESP_GEN_NEXT; i >= 0; i--) {
		if (!r->gen[i].present)
			continue;
		eesp_key_fingerprint(r->gen[i].key, EESP_ROOT_KEY_LEN, fp);
		printf("    %-8s generation %u  phase %u  fingerprint %s", slot_name(i),
		       r->gen[i].generation, r->gen[i].generation % EESP_PHASES, fp);
		if (keys)
			print_key(r->gen[i].key, EESP_ROOT_KEY_LEN, false);
		putchar('\n');
	}
}

static void show_text(const char *dir, const char *path, const struct domain_conf *dc,
		      const struct eesp_keyset *ks, bool keys)
{
	char fp[17];

	printf("domain: %s\n", dir);
	printf("  mode: %s\n  key file: %s\n", mode_name(dc->mode), path);
	if (dc->has_id)
		printf("  id: 0x%08x\n", dc->id);
	if (dc->mode != EESP_MODE_PSP)
		printf("  profile: %s  kdf: %s  suite: %s  node: %u\n", profile_name(dc->profile),
		       kdf_name(dc->kdf), suite_name(dc->suite), dc->node_id);
	printf("levels:\n");
	if (ring_used(&ks->domain))
		ring_text(&ks->domain, EESP_LEVEL_DOMAIN, keys);
	for (unsigned i = 0; i < ks->n_tenants; i++)
		ring_text(&ks->tenant[i], EESP_LEVEL_TENANT, keys);
	for (unsigned i = 0; i < ks->n_groups; i++)
		ring_text(&ks->group[i], EESP_LEVEL_GROUP, keys);
	for (int i = 0; i < 2; i++) {
		if (!ks->has_psp[i])
			continue;
		eesp_key_fingerprint(ks->psp_master[i], PSP_MASTER_KEY_LEN, fp);
		printf("  %s master %d: fingerprint %s", mode_name(EESP_MODE_PSP), i, fp);
		if (keys)
			print_key(ks->psp_master[i], PSP_MASTER_KEY_LEN, false);
		putchar('\n');
	}
	for (unsigned i = 0; i < ks->n_sa; i++) {
		eesp_key_fingerprint(ks->sa[i].key, ks->sa[i].key_len, fp);
		printf("  sa %s 0x%08x: fingerprint %s\n",
		       mode_name(ks->sa[i].psp ? EESP_MODE_PSP : EESP_MODE_EESP), ks->sa[i].spi,
		       fp);
	}
}

/* ------------------------------------------------------------- json -- */

static void ring_json(const struct eesp_ring *r, enum eesp_level level, bool keys, bool first)
{
	char fp[17];
	bool f1 = true;
	printf("%s{\"level\":\"%s\",\"id\":%u,\"generations\":[", first ? "" : ",",
	       level_name(level), r->id);
	for (int i = 0; i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		eesp_key_fingerprint(r->gen[i].key, EESP_ROOT_KEY_LEN, fp);
		printf("%s{\"slot\":\"%s\",\"generation\":%u,\"phase\":%u,\"fingerprint\":\"%s\"",
		       f1 ? "" : ",", slot_name(i), r->gen[i].generation,
		       r->gen[i].generation % EESP_PHASES, fp);
		if (keys)
			print_key(r->gen[i].key, EESP_ROOT_KEY_LEN, true);
		putchar('}');
		f1 = false;
	}
	printf("]}");
}

static void levels_json(const struct eesp_keyset *ks, bool keys)
{
	bool first = true;

	printf(",\"levels\":[");
	if (ring_used(&ks->domain)) {
		ring_json(&ks->domain, EESP_LEVEL_DOMAIN, keys, first);
		first = false;
	}
	for (unsigned i = 0; i < ks->n_tenants; i++, first = false)
		ring_json(&ks->tenant[i], EESP_LEVEL_TENANT, keys, first);
	for (unsigned i = 0; i < ks->n_groups; i++, first = false)
		ring_json(&ks->group[i], EESP_LEVEL_GROUP, keys, first);
	printf("]");
}

static void show_json(const char *dir, const char *path, const struct domain_conf *dc,
		      const struct eesp_keyset *ks, bool keys)
{
	char fp[17];
	bool first = true;

	printf("{\"directory\":");
	json_str(stdout, dir);
	printf(",\"mode\":\"%s\",\"key_file\":", mode_name(dc->mode));
	json_str(stdout, path);
	if (dc->has_id)
		printf(",\"id\":%u,\"id_hex\":\"0x%08x\"", dc->id, dc->id);
	if (dc->mode != EESP_MODE_PSP)
		printf(",\"profile\":\"%s\",\"kdf\":\"%s\",\"suite\":\"%s\",\"node_id\":%u",
		       profile_name(dc->profile), kdf_name(dc->kdf), suite_name(dc->suite),
		       dc->node_id);
	levels_json(ks, keys);
	printf(",\"psp_masters\":[");
	for (int i = 0; i < 2; i++) {
		if (!ks->has_psp[i])
			continue;
		eesp_key_fingerprint(ks->psp_master[i], PSP_MASTER_KEY_LEN, fp);
		printf("%s{\"index\":%d,\"fingerprint\":\"%s\"", first ? "" : ",", i, fp);
		if (keys)
			print_key(ks->psp_master[i], PSP_MASTER_KEY_LEN, true);
		putchar('}');
		first = false;
	}
	printf("],\"sa\":[");
	for (unsigned i = 0; i < ks->n_sa; i++) {
		eesp_key_fingerprint(ks->sa[i].key, ks->sa[i].key_len, fp);
		printf("%s{\"mode\":\"%s\",\"spi\":%u,\"fingerprint\":\"%s\"}", i ? "," : "",
		       mode_name(ks->sa[i].psp ? EESP_MODE_PSP : EESP_MODE_EESP), ks->sa[i].spi,
		       fp);
	}
	printf("]}\n");
}

int domain_show(int argc, char *argv[])
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"show-keys", no_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	bool json = false, keys = false;
	struct domain_conf dc;
	char path[PATH_MAX];
	struct eesp_keyset *ks;
	const char *dir;
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
	dir = argv[optind];
	if (domain_conf_read(dir, &dc) || domain_key_path(dir, path, sizeof(path)))
		return 1;
	ks = load_keys_id(path, dc.has_id ? NULL : &dc.has_id, &dc.id);
	if (!ks)
		return 1;
	if (json)
		show_json(dir, path, &dc, ks, keys);
	else
		show_text(dir, path, &dc, ks, keys);
	eesp_keyset_free(ks);
	return 0;
}
