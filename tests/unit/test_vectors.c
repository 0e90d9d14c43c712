/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_vectors.c - the committed vectors/ are exactly what the generator
 * produces today (byte for byte, no missing or stale files), and every
 * packet in them opens with the committed key files to the inner packet its
 * JSON states, or, for a receive-rule case (a "verdict" other than "ok"),
 * authenticates and is dropped for exactly that reason.  Run from the
 * repository root (tools/check.sh does).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "packet.h"
#include "pcapfile.h"
#include "testhex.h"
#include "vectors.h"

#define VDIR "vectors/"
#define MAX_FILES 256

struct gen {
	unsigned n;
	char *name[MAX_FILES];
	uint8_t *data[MAX_FILES];
	size_t len[MAX_FILES];
};

static int collect(void *arg, const char *name, const uint8_t *data, size_t len)
{
	struct gen *g = arg;
	cr_assert(g->n < MAX_FILES);
	g->name[g->n] = strdup(name);
	g->data[g->n] = malloc(len ? len : 1);
	cr_assert(g->name[g->n] && g->data[g->n]);
	memcpy(g->data[g->n], data, len);
	g->len[g->n] = len;
	g->n++;
	return 0;
}

static void gen_free(struct gen *g)
{
	for (unsigned i = 0; i < g->n; i++) {
		free(g->name[i]);
		free(g->data[i]);
	}
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(n > 0 ? (size_t)n + 1 : 1);
	cr_assert_not_null(b);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* first differing offset, or -1 if equal */
static long first_diff(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return al == bl ? -1 : (long)n;
}

static void need_vectors_dir(void)
{
	FILE *f = fopen(VDIR "index.txt", "r");
	cr_assert_not_null(f, "vectors/index.txt not found: run build/test_unit from the "
			      "repository root (make vectors-regen creates vectors/)");
	fclose(f);
}

Test(vectors, regeneration_is_byte_identical)
{
	struct gen g = {0};
	unsigned json = 0, pcap = 0, pairkey = 0;
	need_vectors_dir();
	cr_assert_eq(eesp_vectors_generate(collect, &g), 0);
	for (unsigned i = 0; i < g.n; i++) {
		char path[512];
		size_t len;
		uint8_t *b;
		long d;
		snprintf(path, sizeof(path), VDIR "%s", g.name[i]);
		b = slurp(path, &len);
		cr_expect_not_null(b, "%s is generated but not committed (make vectors-regen)",
				   path);
		if (!b)
			continue;
		d = first_diff(b, len, g.data[i], g.len[i]);
		cr_expect_eq(d, -1, "%s differs from the regenerated file at byte %ld", path, d);
		free(b);
		/* packet cases at the top level; pairkey/ holds key derivations only */
		json += strstr(g.name[i], ".json") && !strchr(g.name[i], '/');
		pcap += strstr(g.name[i], ".pcap") != NULL;
		pairkey += !strncmp(g.name[i], "pairkey/", 8);
	}
	cr_assert_eq(json, pcap);
	cr_assert(json >= 24, "only %u cases", json);
	cr_assert(pairkey >= 3, "only %u pair-key cases", pairkey);
	/* no stale files: everything committed (but README.md) is generated */
	static const char *const dirs[] = {VDIR, VDIR "keys/", VDIR "pairkey/"};
	static const char *const sub[] = {"", "keys/", "pairkey/"};
	for (unsigned di = 0; di < 3; di++) {
		DIR *dir = opendir(dirs[di]);
		struct dirent *e;
		cr_assert_not_null(dir);
		while ((e = readdir(dir))) {
			char rel[512];
			bool found = false;
			if (e->d_name[0] == '.' || !strcmp(e->d_name, "keys") ||
			    !strcmp(e->d_name, "pairkey") || !strcmp(e->d_name, "README.md"))
				continue;
			snprintf(rel, sizeof(rel), "%s%s", sub[di], e->d_name);
			for (unsigned i = 0; i < g.n && !found; i++)
				found = !strcmp(g.name[i], rel);
			cr_expect(found, "vectors/%s is committed but no longer generated", rel);
		}
		closedir(dir);
	}
	gen_free(&g);
}

Test(vectors, comparison_catches_one_byte)
{
	uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};
	cr_assert_eq(first_diff(a, 4, a, 4), -1);
	cr_assert_eq(first_diff(a, 4, b, 4), 3);
	cr_assert_eq(first_diff(a, 4, a, 3), 3);
}

static struct eesp_keyset *load(const char *path)
{
	size_t len;
	char *b = (char *)slurp(path, &len);
	struct eesp_keyset *ks = eesp_keyset_new();
	struct eesp_keyfile_error e;
	cr_assert_not_null(b, "%s missing", path);
	cr_assert_eq(eesp_keyfile_parse(ks, b, len, &e), 0, "%s:%u: %s", path, e.line, e.msg);
	free(b);
	return ks;
}

/* hex value of "key": "..." in a JSON text */
static size_t json_hex(const char *json, const char *key, uint8_t *out, size_t cap)
{
	char pat[64];
	const char *p, *q;
	char tmp[4096];
	snprintf(pat, sizeof(pat), "\"%s\": \"", key);
	p = strstr(json, pat);
	cr_assert_not_null(p, "no %s", key);
	p += strlen(pat);
	q = strchr(p, '"');
	cr_assert(q && (size_t)(q - p) < sizeof(tmp));
	memcpy(tmp, p, (size_t)(q - p));
	tmp[q - p] = 0;
	return th_unhex(tmp, out, cap);
}

/* "verdict" of a receive-rule case; "ok" for the cases without one */
static void json_verdict(const char *json, char *out, size_t cap)
{
	const char *p = strstr(json, "\"verdict\": \""), *q;
	snprintf(out, cap, "ok");
	if (!p)
		return;
	p += strlen("\"verdict\": \"");
	q = strchr(p, '"');
	cr_assert(q && (size_t)(q - p) < cap);
	snprintf(out, cap, "%.*s", (int)(q - p), p);
}

/*
 * An EESP vector: parse and open as a receiver (all crypt offsets allowed,
 * epoch window 0 at the packet's epoch).  A drop at parse time (seq_zero,
 * seq_max) still leaves a complete view: the packet must authenticate
 * nonetheless, so that the rule, not a broken vector, is what drops it.
 */
static int open_eesp_vector(struct eesp_crypto *c, const struct eesp_keyset *ks, uint8_t *pkt,
			    size_t len, const char *name, size_t *io, size_t *il)
{
	struct eesp_view v;
	struct eesp_domain d = {.spi = EESP_VEC_DOMAIN,
				.spi_min = EESP_VEC_SPI_MIN,
				.spi_max = EESP_VEC_SPI_MAX,
				.keys = ks,
				.epoch_window = 0,
				.max_crypt_offset = 63};
	int prc = eesp_parse(pkt, len, 63, &v), rc;

	cr_assert(prc == EESP_E_OK || prc == EESP_E_SEQ_ZERO || prc == EESP_E_SEQ_MAX,
		  "%s: parse %s", name, eesp_err_name(prc));
	d.self_node_id = v.sctx.peer_node_id;
	rc = eesp_open(c, &d, v.sctx.epoch, pkt, len, &v, io, il);
	if (prc == EESP_E_OK)
		return rc;
	cr_assert_eq(rc, EESP_E_OK, "%s: dropped as %s, but does not open (%s)", name,
		     eesp_err_name(prc), eesp_err_name(rc));
	return prc;
}

Test(vectors, every_packet_opens)
{
	struct gen g = {0};
	struct eesp_keyset *eks, *pks;
	struct eesp_crypto *c = eesp_crypto_new(64);
	unsigned opened = 0, dropped = 0;
	need_vectors_dir();
	eks = load(VDIR "keys/eesp.keys");
	pks = load(VDIR "keys/psp.keys");
	cr_assert(eks->has_domain_spi && eks->domain_spi == EESP_VEC_DOMAIN);
	cr_assert_eq(eesp_vectors_generate(collect, &g), 0);
	for (unsigned i = 0; i < g.n; i++) {
		struct pcap_reader r;
		struct pcap_rec rec;
		struct frame_view fv;
		uint8_t frame[4096], inner[2048];
		char jname[256];
		const char *json = NULL;
		size_t io, il, want;
		size_t nl = strlen(g.name[i]);
		if (nl < 5 || strcmp(g.name[i] + nl - 5, ".pcap"))
			continue;
		snprintf(jname, sizeof(jname), "%.*s.json", (int)(nl - 5), g.name[i]);
		for (unsigned k = 0; k < g.n; k++)
			if (!strcmp(g.name[k], jname)) {
				json = strndup((const char *)g.data[k], g.len[k]);
				break;
			}
		cr_assert_not_null(json, "%s has no JSON", g.name[i]);
		want = json_hex(json, "inner_packet", inner, sizeof(inner));

		cr_assert_eq(pcap_reader_init(&r, g.data[i], g.len[i]), 0);
		cr_assert_eq(pcap_reader_next(&r, &rec), 1);
		cr_assert(rec.caplen <= sizeof(frame));
		memcpy(frame, rec.data, rec.caplen);
		cr_assert_eq(frame_parse(frame, rec.caplen, true, &fv), 0);
		cr_assert_eq(fv.proto, 17);
		uint8_t *pkt = frame + fv.payload_off;
		size_t len = fv.payload_len;
		int rc;
		char verdict[32];
		json_verdict(json, verdict, sizeof(verdict));
		if (fv.dport == EESP_UDP_PORT) {
			rc = open_eesp_vector(c, eks, pkt, len, g.name[i], &io, &il);
		} else {
			struct psp_view v;
			cr_assert_eq(fv.dport, PSP_UDP_PORT);
			rc = psp_parse(pkt, len, &v);
			cr_assert_eq(rc, EESP_E_OK, "%s: parse %s", g.name[i], eesp_err_name(rc));
			rc = psp_open(c, pks, pkt, len, &v, &io, &il);
		}
		cr_assert_str_eq(eesp_err_name(rc), verdict, "%s: verdict %s, want %s", g.name[i],
				 eesp_err_name(rc), verdict);
		if (rc) {
			free((void *)json);
			dropped++;
			continue;
		}
		cr_assert_eq(il, want, "%s: inner length", g.name[i]);
		th_assert_mem(pkt + io, inner, il, "%s inner packet", g.name[i]);
		free((void *)json);
		opened++;
	}
	cr_assert(opened >= 24, "opened %u", opened);
	cr_assert(dropped >= 6, "only %u receive-rule cases dropped", dropped);
	eesp_keyset_free(eks);
	eesp_keyset_free(pks);
	eesp_crypto_free(c);
	gen_free(&g);
}
