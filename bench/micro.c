// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/micro.c - micro-benchmarks of the eesp core (issue 7), built against
 * build/libeespcore.a by `make build/bench_micro`, run by bench/bench.sh.
 *
 *   bench_micro              run everything, print "name value unit  # note"
 *   bench_micro psp-derive MASTERHEX SPI VERSION
 *                            print the PSP data key (hex) for a sender, so
 *                            bench.sh can configure eespd in PSP mode.
 *
 * Measures: AEAD seal/open of a 1400-byte packet through the core
 * (eesp_aead_*) against raw OpenSSL EVP AES-128-GCM with the same key,
 * nonces, AAD and sizes; whole-packet eesp_seal / eesp_parse+eesp_open;
 * uncached eesp_derive_data_key (CMAC and HMAC PRF); a cached data-key
 * lookup through struct eesp_crypto (eesp_data_key_for); a flood of forged
 * packets against the derivation budget (bench_forged); receiver RSS
 * (/proc/self/statm) after opening packets from 1 k, 100 k and 1 M distinct
 * sender node ids through one eesp_crypto.  Timings are the fastest of REPS
 * repetitions (interleaved where two things are compared); nothing here is asserted (make check never runs it).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aead.h"
#include "kdf.h"
#include "keys.h"
#include "packet.h"
#include "wire.h"

#define PKT 1400
#define AAD 32
#define REPS 9
#define AEAD_REPS 41 /* short blocks, many of them: the fastest is undisturbed */
#define DKCACHE 256  /* data-key cache entries per eesp_crypto, as eespd's workers use */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The least disturbed repetition: the VM's noise only ever adds time. */
static double fastest(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[0];
}

static void die(const char *what, int err)
{
	fprintf(stderr, "bench_micro: %s failed: %d (%s)\n", what, err, eesp_err_name(err));
	exit(1);
}

static long rss_kib(void)
{
	long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld %ld", &size, &res) != 2)
		res = -1;
	fclose(f);
	return res < 0 ? -1 : res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void nonce_for(uint8_t n[EESP_NONCE_LEN], uint64_t sn)
{
	memset(n, 0xa5, 4);
	eesp_put64(n + 4, sn);
}

/* ------------------------------------------------------------ raw EVP -- */

static int evp_seal(EVP_CIPHER_CTX *c, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		    const uint8_t *pt, size_t len, uint8_t *ct, uint8_t *tag)
{
	int l;
	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &l, aad, (int)aad_len) != 1 ||
	    EVP_EncryptUpdate(c, ct, &l, pt, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + l, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
		return -1;
	return 0;
}

static int evp_open(EVP_CIPHER_CTX *c, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		    const uint8_t *ct, size_t len, uint8_t *pt, const uint8_t *tag)
{
	int l;
	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &l, aad, (int)aad_len) != 1 ||
	    EVP_DecryptUpdate(c, pt, &l, ct, (int)len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) != 1 ||
	    EVP_DecryptFinal_ex(c, pt + l, &l) != 1)
		return -1;
	return 0;
}

/* ----------------------------------------------------------------- AEAD -- */

static void bench_aead(void)
{
	enum { N = 4000 };
	static uint8_t pt[PKT], ct[PKT], ct2[PKT], out[PKT];
	uint8_t key[16], aad[AAD], tag[16], tag2[16], nonce[EESP_NONCE_LEN];
	double t_core_s[AEAD_REPS], t_evp_s[AEAD_REPS], t_core_o[AEAD_REPS], t_evp_o[AEAD_REPS];
	struct eesp_aead *a = eesp_aead_new();
	EVP_CIPHER_CTX *es = EVP_CIPHER_CTX_new(), *eo = EVP_CIPHER_CTX_new();
	int err;

	RAND_bytes(key, sizeof(key));
	RAND_bytes(aad, sizeof(aad));
	RAND_bytes(pt, sizeof(pt));
	if (!a || !es || !eo)
		die("allocation", EESP_E_CRYPTO);
	if ((err = eesp_aead_setkey(a, key, sizeof(key))))
		die("eesp_aead_setkey", err);
	/* The raw baseline does what a careful caller does: explicitly fetched
	 * cipher, key schedule once, per packet only the nonce. */
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	if (!gcm || EVP_EncryptInit_ex(es, gcm, NULL, key, NULL) != 1 ||
	    EVP_DecryptInit_ex(eo, gcm, NULL, key, NULL) != 1)
		die("EVP init", EESP_E_CRYPTO);

	/* Both implementations must agree byte for byte before we time them. */
	nonce_for(nonce, 1);
	if ((err = eesp_aead_seal(a, nonce, aad, AAD, pt, PKT, ct, tag)))
		die("eesp_aead_seal", err);
	if (evp_seal(es, nonce, aad, AAD, pt, PKT, ct2, tag2) || memcmp(ct, ct2, PKT) ||
	    memcmp(tag, tag2, 16)) {
		fprintf(stderr, "bench_micro: eesp_aead_seal differs from raw EVP\n");
		exit(1);
	}

	/* Each repetition times both implementations, in alternating order. */
	for (int r = 0; r < AEAD_REPS; r++) {
		for (int half = 0; half < 2; half++) {
			bool core = (half == 0) == (r % 2 == 0);
			double t0 = now_ns();
			for (int i = 0; i < N; i++) {
				nonce_for(nonce, (uint64_t)i + 2);
				if (core)
					eesp_aead_seal(a, nonce, aad, AAD, pt, PKT, ct2, tag2);
				else
					evp_seal(es, nonce, aad, AAD, pt, PKT, ct2, tag2);
			}
			(core ? t_core_s : t_evp_s)[r] = (now_ns() - t0) / N;
		}
		nonce_for(nonce, 1);
		for (int half = 0; half < 2; half++) {
			bool core = (half == 0) == (r % 2 == 0);
			double t0 = now_ns();
			for (int i = 0; i < N; i++) {
				if (core) {
					if ((err = eesp_aead_open(a, nonce, aad, AAD, ct, PKT, out,
								  tag)))
						die("eesp_aead_open", err);
				} else if (evp_open(eo, nonce, aad, AAD, ct, PKT, out, tag)) {
					die("raw EVP open", EESP_E_AUTH);
				}
			}
			(core ? t_core_o : t_evp_o)[r] = (now_ns() - t0) / N;
		}
	}
	if (memcmp(out, pt, PKT))
		die("eesp_aead_open round trip", EESP_E_AUTH);
	printf("aead_seal_evp_ns %.1f ns  # raw EVP AES-128-GCM, %d B, %d B AAD, context reused\n",
	       fastest(t_evp_s, AEAD_REPS), PKT, AAD);
	printf("aead_seal_core_ns %.1f ns  # eesp_aead_seal, same key/nonces/sizes\n",
	       fastest(t_core_s, AEAD_REPS));
	printf("aead_open_evp_ns %.1f ns\n", fastest(t_evp_o, AEAD_REPS));
	printf("aead_open_core_ns %.1f ns  # eesp_aead_open\n", fastest(t_core_o, AEAD_REPS));
	eesp_aead_free(a);
	EVP_CIPHER_CTX_free(es);
	EVP_CIPHER_CTX_free(eo);
	EVP_CIPHER_free(gcm);
}

/* ----------------------------------------------- domain, packets, keys -- */

static struct eesp_keyset *ks;
static struct eesp_domain dom;

static void setup_domain(void)
{
	uint8_t root[EESP_ROOT_KEY_LEN];
	char line[160];
	struct eesp_keyfile_error ke;
	int err, n = snprintf(line, sizeof(line), "domain 0 1 ");

	RAND_bytes(root, sizeof(root));
	for (size_t i = 0; i < sizeof(root); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%02x", root[i]);
	snprintf(line + n, sizeof(line) - (size_t)n, "\n");
	ks = eesp_keyset_new();
	if (!ks)
		die("eesp_keyset_new", EESP_E_CRYPTO);
	if ((err = eesp_keyfile_parse(ks, line, strlen(line), &ke))) {
		fprintf(stderr, "bench_micro: key line rejected: %s\n", ke.msg);
		die("eesp_keyfile_parse", err);
	}
	dom.spi = 0xC0FFEE01;
	dom.spi_min = dom.spi_max = 0;
	dom.keys = ks;
	dom.epoch_window = 2;
	dom.self_node_id = 1;
	dom.max_crypt_offset = 0;
}

static void params(struct eesp_hdr_params *p, uint32_t node, uint16_t session, uint64_t sn)
{
	memset(p, 0, sizeof(*p));
	p->session_id = session;
	p->spi = dom.spi;
	p->sctx.profile = EESP_PROFILE_NODE;
	p->sctx.kdf = EESP_KDF_CMAC_AES256;
	p->sctx.suite = EESP_SUITE_AES_GCM_128;
	p->sctx.phase[0] = 1; /* generation 1 */
	p->sctx.node_id = node;
	p->sn = sn;
}

/* An IPv4/UDP packet of len bytes (198.51.100.1 -> .2) with a valid header checksum. */
static void inner_packet(uint8_t *b, size_t len)
{
	uint32_t sum = 0;
	memset(b, 0x5a, len);
	memset(b, 0, 28);
	b[0] = 0x45;
	eesp_put16(b + 2, (uint16_t)len);
	b[8] = 64;
	b[9] = 17;
	b[12] = 198, b[13] = 51, b[14] = 100, b[15] = 1;
	b[16] = 198, b[17] = 51, b[18] = 100, b[19] = 2;
	for (int i = 0; i < 20; i += 2)
		sum += eesp_get16(b + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	eesp_put16(b + 10, (uint16_t)~sum);
	eesp_put16(b + 20, 5001);
	eesp_put16(b + 22, 5201);
	eesp_put16(b + 24, (uint16_t)(len - 20));
}

static void bench_packet(void)
{
	enum { K = 4096 };
	static uint8_t inner[PKT];
	static uint8_t pkts[K][PKT + 128];
	static size_t lens[K];
	struct eesp_crypto *tx = eesp_crypto_new(64), *rx = eesp_crypto_new(DKCACHE);
	struct eesp_hdr_params p;
	double ts[REPS], to[REPS];
	uint64_t sn = 1;
	int err;

	if (!tx || !rx)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	inner_packet(inner, PKT);
	params(&p, 2, 1, sn);
	for (int r = 0; r < REPS; r++) {
		double t0 = now_ns();
		for (int i = 0; i < K; i++) {
			p.sn = sn++;
			if ((err = eesp_seal(tx, &dom, &p, inner, PKT, pkts[i], sizeof(pkts[i]),
					     &lens[i])))
				die("eesp_seal", err);
		}
		double t1 = now_ns();
		for (int i = 0; i < K; i++) {
			struct eesp_view v;
			size_t off, ilen;
			if ((err = eesp_parse(pkts[i], lens[i], 0, &v)))
				die("eesp_parse", err);
			if ((err = eesp_open(rx, &dom, 0, pkts[i], lens[i], &v, &off, &ilen)))
				die("eesp_open", err);
			if (ilen != PKT)
				die("eesp_open length", EESP_E_BAD_INNER);
		}
		double t2 = now_ns();
		ts[r] = (t1 - t0) / K;
		to[r] = (t2 - t1) / K;
	}
	printf("packet_seal_ns %.1f ns  # eesp_seal %d B inner, node profile, cached key\n",
	       fastest(ts, REPS), PKT);
	printf("packet_open_ns %.1f ns  # eesp_parse + eesp_open, cached key\n", fastest(to, REPS));
	eesp_crypto_free(tx);
	eesp_crypto_free(rx);
}

static void bench_kdf(void)
{
	enum { N = 20000 };
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	uint8_t master[EESP_MASTER_KEY_LEN], key[32], salt[EESP_SALT_LEN], sctx[EESP_SCTX_MAX_LEN];
	struct eesp_sctx c = {.profile = EESP_PROFILE_NODE,
			      .kdf = EESP_KDF_CMAC_AES256,
			      .suite = EESP_SUITE_AES_GCM_128,
			      .node_id = 7};
	double t[REPS];
	int err;

	if (!k)
		die("eesp_kdf_ctx_new", EESP_E_CRYPTO);
	RAND_bytes(master, sizeof(master));
	size_t sl = eesp_sctx_encode(sctx, &c);
	for (int prf = EESP_KDF_CMAC_AES256; prf <= EESP_KDF_HMAC_SHA256; prf++) {
		for (int r = 0; r < REPS; r++) {
			double t0 = now_ns();
			for (int i = 0; i < N; i++) {
				if ((err = eesp_derive_data_key(k, master, (enum eesp_kdf)prf,
								EESP_SUITE_AES_GCM_128, dom.spi,
								(uint16_t)i, sctx, sl, key, salt)))
					die("eesp_derive_data_key", err);
			}
			t[r] = (now_ns() - t0) / N;
		}
		printf(
		    "derive_%s_ns %.1f ns  # uncached eesp_derive_data_key, AES-GCM-128 key+salt\n",
		    prf == EESP_KDF_CMAC_AES256 ? "cmac" : "hmac", fastest(t, REPS));

		/* The pre-keyed fast path a receiver uses on a cache miss: the MAC is
		 * keyed with the master once, each derivation restarts it. */
		struct eesp_prf *pk = eesp_prf_new(k, (enum eesp_kdf)prf, master, sizeof(master));
		uint8_t ctx[EESP_KDF_CONTEXT_MAX], key2[32], salt2[EESP_SALT_LEN];
		if (!pk)
			die("eesp_prf_new", EESP_E_CRYPTO);
		size_t cl = eesp_kdf_context(ctx, dom.spi, 7, sctx, sl);
		if ((err =
			 eesp_derive_data_key(k, master, (enum eesp_kdf)prf, EESP_SUITE_AES_GCM_128,
					      dom.spi, 7, sctx, sl, key, salt)) ||
		    (err = eesp_prf_data_key(pk, EESP_SUITE_AES_GCM_128, ctx, cl, key2, salt2)))
			die("derivation", err);
		if (memcmp(key, key2, 16) || memcmp(salt, salt2, EESP_SALT_LEN)) {
			fprintf(stderr, "bench_micro: eesp_prf_data_key != eesp_derive_data_key\n");
			exit(1);
		}
		for (int r = 0; r < REPS; r++) {
			double t0 = now_ns();
			for (int i = 0; i < N; i++) {
				eesp_put16(ctx + 4, (uint16_t)i); /* Session ID */
				if ((err = eesp_prf_data_key(pk, EESP_SUITE_AES_GCM_128, ctx, cl,
							     key2, salt2)))
					die("eesp_prf_data_key", err);
			}
			t[r] = (now_ns() - t0) / N;
		}
		printf("derive_prekeyed_%s_ns %.1f ns  # eesp_prf_data_key, master MAC keyed once "
		       "(cache-miss path)\n",
		       prf == EESP_KDF_CMAC_AES256 ? "cmac" : "hmac", fastest(t, REPS));
		eesp_prf_free(pk);
	}
	eesp_kdf_ctx_free(k);
}

/* Cached lookup: the same parameters again and again through one eesp_crypto. */
static void bench_cached(void)
{
	/*
	 * The data-key cache has no lookup call of its own, so its cost is
	 * measured as a difference of two public paths on the same 64-byte
	 * packet: eesp_seal (root lookup, master identity, SCTX and KDF
	 * context encoding, hash, cache hit) minus eesp_seal_with_key (the
	 * same AEAD context reused, after a 16-byte key compare).  The hit counter must grow by
	 * one per eesp_seal, and both paths must produce identical packets.
	 */
	enum { M = 50000 };
	double tc[AEAD_REPS], tk[AEAD_REPS];
	uint8_t inner[64], o1[256], o2[256];
	size_t l1, l2;
	int err;
	struct eesp_crypto *cr = eesp_crypto_new(DKCACHE), *ck = eesp_crypto_new(DKCACHE);
	struct eesp_crypto_stats s0, s1;
	struct eesp_hdr_params p;
	struct eesp_dkey dk;

	if (!cr || !ck)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	inner_packet(inner, sizeof(inner));
	params(&p, 9, 3, 1);
	if ((err = eesp_data_key_for(cr, &dom, &p, &dk)))
		die("eesp_data_key_for", err);
	if ((err = eesp_seal(cr, &dom, &p, inner, sizeof(inner), o1, sizeof(o1), &l1)) ||
	    (err = eesp_seal_with_key(ck, &dk, &p, inner, sizeof(inner), o2, sizeof(o2), &l2)))
		die("eesp_seal/eesp_seal_with_key", err);
	if (l1 != l2 || memcmp(o1, o2, l1)) {
		fprintf(stderr, "bench_micro: eesp_seal and eesp_seal_with_key disagree\n");
		exit(1);
	}
	eesp_crypto_stats(cr, &s0);
	for (int r = 0; r < AEAD_REPS; r++) {
		for (int half = 0; half < 2; half++) {
			bool cached = (half == 0) == (r % 2 == 0);
			double t0 = now_ns();
			for (int i = 0; i < M; i++) {
				p.sn = (uint64_t)i + 2;
				if (cached)
					eesp_seal(cr, &dom, &p, inner, sizeof(inner), o1,
						  sizeof(o1), &l1);
				else
					eesp_seal_with_key(ck, &dk, &p, inner, sizeof(inner), o2,
							   sizeof(o2), &l2);
			}
			(cached ? tc : tk)[r] = (now_ns() - t0) / M;
		}
	}
	eesp_crypto_stats(cr, &s1);
	double a = fastest(tc, AEAD_REPS), b = fastest(tk, AEAD_REPS);
	bool hit =
	    s1.dk_hits - s0.dk_hits == (uint64_t)M * AEAD_REPS && s1.dk_misses == s0.dk_misses;
	printf("seal64_cached_ns %.1f ns  # eesp_seal, 64 B inner, key from the cache\n", a);
	printf("seal64_withkey_ns %.1f ns  # eesp_seal_with_key, 64 B inner, same AEAD context\n",
	       b);
	printf("cached_lookup_ns %.1f ns  # difference of the two = data-key cache lookup; "
	       "dk_hits +%" PRIu64 ", dk_misses +%" PRIu64 "%s\n",
	       a - b, s1.dk_hits - s0.dk_hits, s1.dk_misses - s0.dk_misses,
	       hit ? "" : " (NOT all served from the cache)");
	eesp_crypto_free(cr);
	eesp_crypto_free(ck);
}

/* Receiver memory with many distinct senders: sender crypto with a tiny cache,
 * receiver with the DKCACHE bound; every packet has a new node id. */
static void bench_rss(void)
{
	static const uint32_t marks[] = {1000, 100000, 1000000};
	struct eesp_crypto *tx = eesp_crypto_new(16), *rx = eesp_crypto_new(DKCACHE);
	uint8_t inner[64], pkt[256];
	struct eesp_hdr_params p;
	struct eesp_crypto_stats st;
	double open_ns = 0;
	uint32_t node = 1, opened = 0;
	int err;

	if (!tx || !rx)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	inner_packet(inner, sizeof(inner));
	/* warm up both (fetches, first allocations) before the baseline */
	for (int i = 0; i < 2; i++) {
		size_t len, off, il;
		struct eesp_view v;
		params(&p, 0xFFFF0000u + (uint32_t)i, 1, 1);
		if ((err = eesp_seal(tx, &dom, &p, inner, sizeof(inner), pkt, sizeof(pkt), &len)))
			die("eesp_seal", err);
		if ((err = eesp_parse(pkt, len, 0, &v)) ||
		    (err = eesp_open(rx, &dom, 0, pkt, len, &v, &off, &il)))
			die("eesp_open (warm-up)", err);
	}
	printf("rss_base_kib %ld KiB  # receiver process before traffic (cache bound %d)\n",
	       rss_kib(), DKCACHE);
	for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
		for (; node <= marks[m]; node++) {
			size_t len, off, il;
			struct eesp_view v;
			params(&p, node + 16, 1, 1);
			if ((err = eesp_seal(tx, &dom, &p, inner, sizeof(inner), pkt, sizeof(pkt),
					     &len)))
				die("eesp_seal", err);
			double t0 = now_ns();
			if ((err = eesp_parse(pkt, len, 0, &v)) ||
			    (err = eesp_open(rx, &dom, 0, pkt, len, &v, &off, &il)))
				die("eesp_open (distinct senders)", err);
			open_ns += now_ns() - t0;
			opened++;
		}
		printf("rss_%u_kib %ld KiB  # after opening packets from %u distinct node ids\n",
		       marks[m], rss_kib(), marks[m]);
	}
	eesp_crypto_stats(rx, &st);
	printf("miss_open_ns %.1f ns  # parse+open of a 64 B packet from a new sender (derive, key "
	       "setup, AEAD)\n",
	       open_ns / opened);
	printf("# receiver cache: hits %" PRIu64 " misses %" PRIu64 " evictions %" PRIu64
	       " master derivations %" PRIu64 "\n",
	       st.dk_hits, st.dk_misses, st.dk_evictions, st.master_derivations);
	eesp_crypto_free(tx);
	eesp_crypto_free(rx);
}

/* ------------------------------------------------ forged-packet flood -- */

/*
 * Audit issue 14 finding 4 / performance target 5a.  A sender without keys
 * cycles its packets through every (domain generation x tenant x group x
 * level flags) combination the receiver's keyset makes reachable, each with
 * a random node id, so that each one asks for a master and a data key the
 * receiver has not cached.  One receiver eesp_crypto, its derivation budget
 * refilled as eespd's workers refill it (a token bucket of
 * EESP_DERIVE_BUDGET_PER_S tokens a second, EESP_DERIVE_BUDGET_BURST at
 * most, topped up every 32 packets from the clock).  All packets are parsed
 * and opened (64 B inner):
 *   legit_open64_ns       a legitimate packet, key cached (FLOOD_LEGIT masters)
 *   forged_open64_ns      a forged packet of the flood
 *   legit_in_mix_ns       legitimate and forged 1:1: the fastest time per
 *                         pair minus the fastest forged_open64_ns (an upper
 *                         bound: forged packets slowed by the mix count
 *                         against the legitimate ones)
 *   forged_derive64_ns    a forged packet with no budget (every one derives):
 *                         the work one budget token of a flood buys
 * Targets: forged <= 2 x legit, legit_in_mix <= 1.2 x legit.
 */
#define FLOOD_DOM_GENS 3
#define FLOOD_IDS 4 /* tenants 11.., groups 21.., three generations each */
#define FLOOD_COMBOS (FLOOD_DOM_GENS * (1 + 2 * FLOOD_IDS * 3 + FLOOD_IDS * 3 * FLOOD_IDS * 3))

static void key_line(char *buf, size_t cap, const char *level, unsigned id, unsigned gen)
{
	uint8_t k[EESP_ROOT_KEY_LEN];
	size_t n = strlen(buf);
	RAND_bytes(k, sizeof(k));
	n += (size_t)snprintf(buf + n, cap - n, "%s %u %u ", level, id, gen);
	for (size_t i = 0; i < sizeof(k) && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%02x", k[i]);
	snprintf(buf + n, cap - n, "\n");
}

static struct eesp_keyset *flood_keyset(void)
{
	static char text[16384];
	struct eesp_keyset *fks = eesp_keyset_new();
	struct eesp_keyfile_error ke;
	int err;

	text[0] = 0;
	for (unsigned g = 1; g <= 3; g++) {
		key_line(text, sizeof(text), "domain", 0, g);
		for (unsigned i = 0; i < FLOOD_IDS; i++) {
			key_line(text, sizeof(text), "tenant", 11 + i, g);
			key_line(text, sizeof(text), "group", 21 + i, g);
		}
	}
	if (!fks)
		die("eesp_keyset_new", EESP_E_CRYPTO);
	if ((err = eesp_keyfile_parse(fks, text, strlen(text), &ke))) {
		fprintf(stderr, "bench_micro: flood key line %u rejected: %s\n", ke.line, ke.msg);
		die("eesp_keyfile_parse", err);
	}
	return fks;
}

/* Combination i of FLOOD_COMBOS: flags, phases (generations 1..3), ids. */
static void flood_params(struct eesp_hdr_params *p, unsigned i, uint32_t node, uint64_t sn)
{
	unsigned dg = i % FLOOD_DOM_GENS, rest = i / FLOOD_DOM_GENS, lv = 3 * FLOOD_IDS;

	memset(p, 0, sizeof(*p));
	p->spi = dom.spi;
	p->session_id = 1;
	p->sn = sn;
	p->sctx.profile = EESP_PROFILE_NODE;
	p->sctx.kdf = EESP_KDF_CMAC_AES256;
	p->sctx.suite = EESP_SUITE_AES_GCM_128;
	p->sctx.node_id = node;
	p->sctx.phase[0] = (uint8_t)(1 + dg);
	if (rest == 0)
		return;
	rest--;
	if (rest < 2 * lv) { /* one level: tenant, then group */
		unsigned l = rest < lv ? 1 : 2, t = rest % lv;
		p->sctx.flags = l == 1 ? EESP_SCTX_FLAG_T : EESP_SCTX_FLAG_G;
		p->sctx.phase[l] = (uint8_t)(1 + t % 3);
		if (l == 1)
			p->sctx.tenant_id = 11 + t / 3;
		else
			p->sctx.group_id = 21 + t / 3;
		return;
	}
	rest -= 2 * lv; /* both levels */
	p->sctx.flags = EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G;
	p->sctx.phase[1] = (uint8_t)(1 + (rest % lv) % 3);
	p->sctx.tenant_id = 11 + (rest % lv) / 3;
	p->sctx.phase[2] = (uint8_t)(1 + (rest / lv) % 3);
	p->sctx.group_id = 21 + (rest / lv) / 3;
}

/* Legitimate traffic: FLOOD_LEGIT masters (tenants, then groups) at the current
 * generation, node 7, one after the other; with 1:1 forged packets between them,
 * more masters than the old 8-slot cache could keep. */
#define FLOOD_LEGIT 8

static void legit_params(struct eesp_hdr_params *p, unsigned i, uint64_t sn)
{
	params(p, 7, 1, sn);
	p->sctx.phase[0] = 2;
	if (i < FLOOD_IDS) {
		p->sctx.flags = EESP_SCTX_FLAG_T;
		p->sctx.tenant_id = 11 + i;
		p->sctx.phase[1] = 2;
	} else {
		p->sctx.flags = EESP_SCTX_FLAG_G;
		p->sctx.group_id = 21 + i % FLOOD_IDS;
		p->sctx.phase[2] = 2;
	}
}

/* eespd's refill (worker.c), here from the bench clock. */
struct flood_bucket {
	double last_ns;
};

static void flood_refill(struct eesp_crypto *c, struct flood_bucket *b)
{
	double now = now_ns(), add = (now - b->last_ns) * EESP_DERIVE_BUDGET_PER_S / 1e9;
	if (add < 1)
		return;
	b->last_ns += (double)(uint32_t)add * 1e9 / EESP_DERIVE_BUDGET_PER_S;
	eesp_crypto_budget_refill(c, (uint32_t)add, EESP_DERIVE_BUDGET_BURST);
}

enum { FLOOD_K = 4096, FLOOD_CAP = 192 };

struct flood_set {
	uint8_t pkt[FLOOD_K][FLOOD_CAP], work[FLOOD_K][FLOOD_CAP];
	size_t len[FLOOD_K];
};

/* Parse + open packet i of s (its working copy); returns the verdict. */
static int flood_open(struct eesp_crypto *c, const struct eesp_domain *d, struct flood_set *s,
		      int i)
{
	struct eesp_view v;
	size_t off, il;
	int err = eesp_parse(s->work[i], s->len[i], 0, &v);
	return err ? err : eesp_open(c, d, 0, s->work[i], s->len[i], &v, &off, &il);
}

static void flood_expect(int err, bool legit)
{
	if (legit ? err != EESP_E_OK : err != EESP_E_AUTH && err != EESP_E_DERIVE_BUDGET)
		die(legit ? "legitimate open in the flood" : "forged open", err);
}

static void bench_forged(void)
{
	static struct flood_set legit, forged;
	struct eesp_keyset *fks = flood_keyset();
	struct eesp_domain fd = dom;
	struct eesp_crypto *tx = eesp_crypto_new(16), *rx = eesp_crypto_new(DKCACHE);
	struct eesp_crypto_stats s0, s1;
	struct flood_bucket b;
	struct eesp_hdr_params p;
	uint8_t inner[64];
	double tl[REPS], tf[REPS], tm[REPS], tu[REPS];
	int err;

	if (!tx || !rx)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	fd.keys = fks;
	inner_packet(inner, sizeof(inner));
	for (int i = 0; i < FLOOD_K; i++) {
		uint32_t node;
		RAND_bytes((uint8_t *)&node, sizeof(node));
		legit_params(&p, (unsigned)i % FLOOD_LEGIT, (uint64_t)i + 1);
		if ((err = eesp_seal(tx, &fd, &p, inner, sizeof(inner), legit.pkt[i], FLOOD_CAP,
				     &legit.len[i])))
			die("eesp_seal (legitimate)", err);
		flood_params(&p, (unsigned)i % FLOOD_COMBOS, node, (uint64_t)i + 1);
		if ((err = eesp_seal(tx, &fd, &p, inner, sizeof(inner), forged.pkt[i], FLOOD_CAP,
				     &forged.len[i])))
			die("eesp_seal (forged)", err);
		forged.pkt[i][forged.len[i] - 1] ^= 0x80; /* no key: the tag is wrong */
	}
	memcpy(legit.work, legit.pkt, sizeof(legit.pkt));
	for (int i = 0; i < FLOOD_LEGIT; i++) /* the legitimate keys, cached */
		flood_expect(flood_open(rx, &fd, &legit, i), true);
	b.last_ns = now_ns();
	eesp_crypto_budget_refill(rx, EESP_DERIVE_BUDGET_BURST, EESP_DERIVE_BUDGET_BURST);
	eesp_crypto_stats(rx, &s0);
	for (int r = 0; r < REPS; r++) {
		double t0;
		memcpy(legit.work, legit.pkt, sizeof(legit.pkt));
		t0 = now_ns();
		for (int i = 0; i < FLOOD_K; i++)
			flood_expect(flood_open(rx, &fd, &legit, i), true);
		tl[r] = (now_ns() - t0) / FLOOD_K;

		memcpy(forged.work, forged.pkt, sizeof(forged.pkt));
		t0 = now_ns();
		for (int i = 0; i < FLOOD_K; i++) {
			if (!(i & 31))
				flood_refill(rx, &b);
			flood_expect(flood_open(rx, &fd, &forged, i), false);
		}
		tf[r] = (now_ns() - t0) / FLOOD_K;

		memcpy(legit.work, legit.pkt, sizeof(legit.pkt));
		memcpy(forged.work, forged.pkt, sizeof(forged.pkt));
		t0 = now_ns();
		for (int i = 0; i < FLOOD_K; i++) {
			if (!(i & 15))
				flood_refill(rx, &b);
			flood_expect(flood_open(rx, &fd, &legit, i), true);
			flood_expect(flood_open(rx, &fd, &forged, i), false);
		}
		tm[r] = (now_ns() - t0) / FLOOD_K;
	}
	eesp_crypto_stats(rx, &s1);

	/* the same flood against a receiver without a budget: every packet derives */
	{
		struct eesp_crypto *un = eesp_crypto_new(DKCACHE);
		if (!un)
			die("eesp_crypto_new", EESP_E_CRYPTO);
		for (int r = 0; r < REPS; r++) {
			memcpy(forged.work, forged.pkt, sizeof(forged.pkt));
			double t0 = now_ns();
			for (int i = 0; i < FLOOD_K; i++)
				flood_expect(flood_open(un, &fd, &forged, i), false);
			tu[r] = (now_ns() - t0) / FLOOD_K;
		}
		eesp_crypto_free(un);
	}
	double l = fastest(tl, REPS), f = fastest(tf, REPS), m = fastest(tm, REPS) - f;
	printf("legit_open64_ns %.1f ns  # parse+open, 64 B inner, cached key (flood receiver)\n",
	       l);
	printf("forged_open64_ns %.1f ns  # forged, cycling %d (generation x tenant x group x "
	       "flags) combinations, random node ids, budget %d/s burst %d: %.2f x legit "
	       "(target <= 2)\n",
	       f, FLOOD_COMBOS, EESP_DERIVE_BUDGET_PER_S, EESP_DERIVE_BUDGET_BURST, f / l);
	printf("legit_in_mix_ns %.1f ns  # legitimate opens interleaved 1:1 with forged ones "
	       "(pair - forged): %+.0f%% vs clean (target <= +20%%)\n",
	       m, 100 * (m / l - 1));
	printf("forged_derive64_ns %.1f ns  # forged, no budget: master + data-key derivation, "
	       "key setup, AEAD\n",
	       fastest(tu, REPS));
	printf("# flood receiver: derive_refused +%" PRIu64 ", master derivations +%" PRIu64
	       ", dk misses +%" PRIu64 ", dk hits +%" PRIu64 "\n",
	       s1.derive_refused - s0.derive_refused, s1.master_derivations - s0.master_derivations,
	       s1.dk_misses - s0.dk_misses, s1.dk_hits - s0.dk_hits);
	eesp_crypto_free(tx);
	eesp_crypto_free(rx);
	eesp_keyset_free(fks);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int psp_derive_cmd(int argc, char **argv)
{
	uint8_t master[PSP_MASTER_KEY_LEN], out[32];
	if (argc != 5 || strlen(argv[2]) != 2 * PSP_MASTER_KEY_LEN) {
		fprintf(stderr, "usage: bench_micro psp-derive MASTERHEX(64) SPI VERSION\n");
		return 2;
	}
	for (int i = 0; i < PSP_MASTER_KEY_LEN; i++) {
		int h = hexval(argv[2][2 * i]), l = hexval(argv[2][2 * i + 1]);
		if (h < 0 || l < 0) {
			fprintf(stderr, "bench_micro: bad hex\n");
			return 2;
		}
		master[i] = (uint8_t)(h << 4 | l);
	}
	uint32_t spi = (uint32_t)strtoul(argv[3], NULL, 0);
	unsigned ver = (unsigned)strtoul(argv[4], NULL, 0);
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	int err = k ? psp_derive_key(k, master, spi, ver, out) : EESP_E_CRYPTO;
	eesp_kdf_ctx_free(k);
	if (err) {
		fprintf(stderr, "bench_micro: psp_derive_key: %s\n", eesp_err_name(err));
		return 1;
	}
	for (int i = 0; i < (ver ? 32 : 16); i++)
		printf("%02x", out[i]);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "psp-derive"))
		return psp_derive_cmd(argc, argv);
	if (argc > 1) {
		fprintf(stderr, "usage: bench_micro [psp-derive MASTERHEX SPI VERSION]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# bench_micro: eesp core vs raw OpenSSL EVP (%s)\n",
	       OpenSSL_version(OPENSSL_VERSION));
	setup_domain();
	bench_aead();
	bench_kdf();
	bench_packet();
	bench_cached();
	bench_forged();
	bench_rss();
	eesp_keyset_free(ks);
	return 0;
}
