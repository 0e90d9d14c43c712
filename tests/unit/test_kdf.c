/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_kdf.c - known answers for the KDFs.
 *
 * Sources: psp.md §2 (PSP Architecture Specification p.7 and the google/psp
 * reference), eesp.md §5.2 (NIST CAVP KBKDF CounterMode vectors as carried in
 * OpenSSL's evpkdf_kbkdf_counter.txt), and eesp.md §5.1 (OpenSSL EVP_KDF-KB
 * man page example).
 */
#include <criterion/criterion.h>
#include <string.h>

#include <openssl/evp.h>

#include "kdf.h"
#include "testhex.h"

static struct eesp_kdf_ctx *K;

static void setup(void)
{
	K = eesp_kdf_ctx_new();
	cr_assert_not_null(K);
}
static void teardown(void)
{
	eesp_kdf_ctx_free(K);
}

TestSuite(kdf, .init = setup, .fini = teardown);

static const char *K0 = "34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca";
static const char *K1 = "563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739";

static void psp_case(const char *mk_hex, uint32_t spi, unsigned ver, const char *want)
{
	uint8_t mk[32], out[32], exp[32];
	size_t n = th_unhex(want, exp, sizeof(exp));
	th_unhex(mk_hex, mk, sizeof(mk));
	cr_assert_eq(psp_derive_key(K, mk, spi, ver, out), EESP_E_OK);
	cr_assert_eq(n, ver ? 32u : 16u);
	th_assert_mem(out, exp, n, "PSP derived key SPI %08x v%u", spi, ver);
}

/* psp.md §2 table: spec p.7, RUN with openssl and psp_encrypt -v */
Test(kdf, psp_spec_v0_spi_12345678)
{
	psp_case(K0, 0x12345678, 0, "96c22dc799198090b74b70ae468e4e30");
}
Test(kdf, psp_spec_v0_spi_9a345678)
{
	psp_case(K1, 0x9a345678, 0, "3946da2554eae46ad1ef77a64372edc4");
}
Test(kdf, psp_spec_v1_spi_12345678)
{
	psp_case(K0, 0x12345678, 1,
		 "2b7d72074e42ca334487f2990e3f8c4037e436f38283449b76463e9b7fb2e3de");
}
Test(kdf, psp_spec_v1_spi_9a345678)
{
	psp_case(K1, 0x9a345678, 1,
		 "fa00f609df6020289a1c93d6027081a637ad45b24a5576b36e6f49dd43114d80");
}

/* The same block written out by hand (psp.md §2 "Input block") through the
 * generic raw KBKDF: counter 1 || "Pv0\0" || SPI || 00000080. */
Test(kdf, psp_block_via_raw_kbkdf)
{
	uint8_t mk[32], fixed[12], out[16], exp[16];
	th_unhex(K1, mk, 32);
	th_unhex("507630009a34567800000080", fixed, sizeof(fixed));
	th_unhex("3946da2554eae46ad1ef77a64372edc4", exp, 16);
	cr_assert_eq(eesp_kbkdf(K, EESP_KDF_CMAC_AES256, mk, 32, NULL, 0, fixed, sizeof(fixed),
				true, out, 16),
		     EESP_E_OK);
	th_assert_mem(out, exp, 16, "raw KBKDF PSP block");
}

Test(kdf, psp_bad_version)
{
	uint8_t mk[32] = {0}, out[32];
	/* 0..3 are PSP versions (2, 3: AES-GMAC, test_psp_gmac.c); 4..15 reserved */
	for (unsigned v = 4; v < 16; v++)
		cr_assert_eq(psp_derive_key(K, mk, 1, v, out), EESP_E_INVALID, "version %u", v);
}

static void nist_case(enum eesp_kdf prf, const char *ki_hex, const char *fixed_hex,
		      const char *ko_hex)
{
	uint8_t ki[64], fixed[128], ko[64], out[64];
	size_t kl = th_unhex(ki_hex, ki, sizeof(ki));
	size_t fl = th_unhex(fixed_hex, fixed, sizeof(fixed));
	size_t ol = th_unhex(ko_hex, ko, sizeof(ko));
	cr_assert_eq(eesp_kbkdf(K, prf, ki, kl, NULL, 0, fixed, fl, true, out, ol), EESP_E_OK);
	th_assert_mem(out, ko, ol, "NIST KBKDF");
}

/* eesp.md §5.2: CMAC-AES128, r = 32, COUNT = 0, L = 128 */
Test(kdf, nist_cmac_aes128_r32_count0)
{
	nist_case(EESP_KDF_CMAC_AES256, "c10b152e8c97b77e18704e0f0bd38305",
		  "98cd4cbbbebe15d17dc86e6dbad800a2dcbd64f7c7ad0e78e9cf94ffdba89d03e97eadf6c4f7b8"
		  "06caf52aa38f09d0eb71d71f497bcc6906b48d36c4",
		  "26faf61908ad9ee881b8305c221db53f");
}

/* eesp.md §5.2: HMAC-SHA256, r = 32, COUNT = 10, L = 256 */
Test(kdf, nist_hmac_sha256_r32_count10)
{
	nist_case(EESP_KDF_HMAC_SHA256,
		  "e204d6d466aad507ffaf6d6dab0a5b26152c9e21e764370464e360c8fbc765c6",
		  "7b03b98d9f94b899e591f3ef264b71b193fba7043c7e953cde23bc5384bc1a6293580115fae349"
		  "5fd845dadbd02bd6455cf48d0f62b33e62364a3a80",
		  "770dfab6a6a4a4bee0257ff335213f78d8287b4fd537d5c1fffa956910e7c779");
}

/* eesp.md §5.2: HMAC-SHA256, r = 32, COUNT = 0, L = 128 */
Test(kdf, nist_hmac_sha256_r32_count0)
{
	nist_case(EESP_KDF_HMAC_SHA256,
		  "dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0",
		  "01322b96b30acd197979444e468e1c5c6859bf1b1cf951b7e725303e237e46b864a145fab25e51"
		  "7b08f8683d0315bb2911d80a0e8aba17f3b413faac",
		  "10621342bfb0fd40046c0e29f2cfdbf0");
}

/* eesp.md §5.1: OpenSSL man page example (label/context form with separator
 * and L): KI "secret", Label "label", Context "context", HMAC-SHA256, first
 * 10 bytes 83425bcfae07b2a1a340.  Checks the non-raw framing. */
Test(kdf, openssl_manpage_label_context)
{
	uint8_t out[10], exp[10];
	th_unhex("83425bcfae07b2a1a340", exp, 10);
	cr_assert_eq(eesp_kbkdf(K, EESP_KDF_HMAC_SHA256, (const uint8_t *)"secret", 6,
				(const uint8_t *)"label", 5, (const uint8_t *)"context", 7, false,
				out, 10),
		     EESP_E_OK);
	th_assert_mem(out, exp, 10, "EVP_KDF-KB man page example");
	/* and the pre-keyed path frames it the same way */
	struct eesp_prf *p = eesp_prf_new(K, EESP_KDF_HMAC_SHA256, (const uint8_t *)"secret", 6);
	cr_assert_not_null(p);
	memset(out, 0, sizeof(out));
	cr_assert_eq(
	    eesp_prf_kbkdf(p, (const uint8_t *)"label", 5, (const uint8_t *)"context", 7, out, 10),
	    EESP_E_OK);
	th_assert_mem(out, exp, 10, "fast path, man page example");
	eesp_prf_free(p);
}

/* The master chain written out with independent EVP_Q_mac calls. */
static void q_hmac(const uint8_t *key, const uint8_t *msg, size_t n, uint8_t out[32])
{
	size_t ol = 0;
	cr_assert_not_null(
	    EVP_Q_mac(NULL, "HMAC", NULL, "SHA2-256", NULL, key, 32, msg, n, out, 32, &ol));
	cr_assert_eq(ol, 32u);
}

Test(kdf, master_chain_matches_definition)
{
	uint8_t rd[32], rt[32], rg[32], m[32], exp[32], msg[EESP_MASTER_MSG_MAX];
	size_t n;
	for (int i = 0; i < 32; i++) {
		rd[i] = (uint8_t)i;
		rt[i] = (uint8_t)(0x40 + i);
		rg[i] = (uint8_t)(0x80 + i);
	}
	/* domain only */
	memcpy(msg, "EESPv0 master\0\0\0\0\0", 18);
	q_hmac(rd, msg, 18, exp);
	cr_assert_eq(eesp_derive_master(K, rd, NULL, 0, NULL, 0, m), EESP_E_OK);
	th_assert_mem(m, exp, 32, "domain-only master");
	/* + tenant 7 + group 0x01020304 */
	n = eesp_master_msg(msg, EESP_LEVEL_TENANT, 7, exp);
	cr_assert_eq(n, 13u + 1 + 4 + 32);
	cr_assert_eq(msg[13], 1);
	cr_assert_eq(msg[17], 7);
	q_hmac(rt, msg, n, exp);
	n = eesp_master_msg(msg, EESP_LEVEL_GROUP, 0x01020304, exp);
	q_hmac(rg, msg, n, exp);
	cr_assert_eq(eesp_derive_master(K, rd, rt, 7, rg, 0x01020304, m), EESP_E_OK);
	th_assert_mem(m, exp, 32, "domain+tenant+group master");
	/* every root matters */
	rg[5] ^= 1;
	cr_assert_eq(eesp_derive_master(K, rd, rt, 7, rg, 0x01020304, m), EESP_E_OK);
	cr_assert(memcmp(m, exp, 32) != 0, "group root must change the master");
	rg[5] ^= 1;
	cr_assert_eq(eesp_derive_master(K, rd, rt, 8, rg, 0x01020304, m), EESP_E_OK);
	cr_assert(memcmp(m, exp, 32) != 0, "tenant id must change the master");
}

/* eesp_derive_data_key() equals the definition in eesp_proto.h, computed with
 * an independent EVP_Q_mac loop; and the fast path equals EVP_KDF KBKDF for
 * both PRFs and both suites, over many contexts. */
Test(kdf, data_key_definition_and_fast_path)
{
	uint8_t master[32], sctx[EESP_SCTX_MAX_LEN], ctx[EESP_KDF_CONTEXT_MAX];
	struct eesp_sctx c = {.profile = EESP_PROFILE_PAIR,
			      .flags = EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G,
			      .phase = {1, 2, 3},
			      .epoch = 0x01020304,
			      .tenant_id = 5,
			      .group_id = 6,
			      .node_id = 7,
			      .peer_node_id = 8};
	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)(0xa0 ^ i);
	for (unsigned prf = 1; prf <= 2; prf++) {
		struct eesp_prf *p = eesp_prf_new(K, (enum eesp_kdf)prf, master, 32);
		cr_assert_not_null(p);
		for (unsigned suite = 1; suite <= 2; suite++) {
			size_t kl = eesp_suite_key_len(suite);
			for (unsigned it = 0; it < 50; it++) {
				uint8_t k1[32], s1[4], k2[32], s2[4], blk[64], def[64];
				size_t sl, cl, done = 0;
				c.kdf = (uint8_t)prf;
				c.suite = (uint8_t)suite;
				c.epoch = 0x01020304 + it;
				sl = eesp_sctx_encode(sctx, &c);
				cr_assert_eq(eesp_derive_data_key(K, master, prf, suite, 0xc0ffee01,
								  (uint16_t)it, sctx, sl, k1, s1),
					     EESP_E_OK);
				cl = eesp_kdf_context(ctx, 0xc0ffee01, (uint16_t)it, sctx, sl);
				cr_assert_eq(eesp_prf_data_key(p, suite, ctx, cl, k2, s2),
					     EESP_E_OK);
				th_assert_mem(k2, k1, kl, "fast key prf %u suite %u", prf, suite);
				th_assert_mem(s2, s1, 4, "fast salt prf %u suite %u", prf, suite);
				if (it)
					continue;
				/* definition: K(i) = PRF(master, [i] || label || 00 || ctx || [L]) */
				for (uint32_t i = 1; done < kl + 4; i++) {
					uint8_t in[128];
					size_t n = 0, ol = 0;
					eesp_put32(in, i);
					n = 4;
					memcpy(in + n, "EESPv0 data", 11);
					n += 11;
					in[n++] = 0;
					memcpy(in + n, ctx, cl);
					n += cl;
					eesp_put32(in + n, (uint32_t)((kl + 4) * 8));
					n += 4;
					if (prf == EESP_KDF_CMAC_AES256)
						cr_assert_not_null(EVP_Q_mac(
						    NULL, "CMAC", NULL, "AES-256-CBC", NULL, master,
						    32, in, n, blk, sizeof(blk), &ol));
					else
						cr_assert_not_null(EVP_Q_mac(
						    NULL, "HMAC", NULL, "SHA2-256", NULL, master,
						    32, in, n, blk, sizeof(blk), &ol));
					memcpy(def + done, blk, ol);
					done += ol;
				}
				th_assert_mem(k1, def, kl, "definition key");
				th_assert_mem(s1, def + kl, 4, "definition salt");
			}
		}
		eesp_prf_free(p);
	}
}

/* The generic derivations keep their MAC keyed with the last master (a
 * derivation under the same master only restarts it): whether the master
 * repeats, alternates or follows another derivation kind, every key equals
 * what OpenSSL's KBKDF (eesp_kbkdf, the reference path) computes. */
Test(kdf, kept_master_equals_kbkdf)
{
	uint8_t masters[3][32], sctx[EESP_SCTX_MAX_LEN], ctx[EESP_KDF_CONTEXT_MAX];
	struct eesp_sctx c = {.profile = EESP_PROFILE_NODE, .node_id = 9};
	static const unsigned pick[] = {0, 0, 1, 0, 2, 2, 1, 1, 0, 2};
	for (int m = 0; m < 3; m++)
		for (int i = 0; i < 32; i++)
			masters[m][i] = (uint8_t)(m * 37 + i * 11 + 1);
	for (unsigned it = 0; it < 3 * sizeof(pick) / sizeof(pick[0]); it++) {
		const uint8_t *mk = masters[pick[it % 10]];
		enum eesp_kdf prf = it % 3 == 2 ? EESP_KDF_HMAC_SHA256 : EESP_KDF_CMAC_AES256;
		enum eesp_suite suite = it & 1 ? EESP_SUITE_AES_GCM_256 : EESP_SUITE_AES_GCM_128;
		size_t kl = eesp_suite_key_len(suite), sl, cl;
		uint8_t k1[32], s1[4], ref[36], pk[32], pref[32], lab[PSP_KDF_LABEL_LEN], spi[4];
		c.kdf = (uint8_t)prf;
		c.suite = (uint8_t)suite;
		c.epoch = it;
		sl = eesp_sctx_encode(sctx, &c);
		cr_assert_eq(eesp_derive_data_key(K, mk, prf, suite, 0xc0ffee01, (uint16_t)it, sctx,
						  sl, k1, s1),
			     EESP_E_OK);
		cl = eesp_kdf_context(ctx, 0xc0ffee01, (uint16_t)it, sctx, sl);
		cr_assert_eq(eesp_kbkdf(K, prf, mk, 32, (const uint8_t *)EESP_DATA_LABEL,
					EESP_DATA_LABEL_LEN, ctx, cl, false, ref, kl + 4),
			     EESP_E_OK);
		th_assert_mem(k1, ref, kl, "data key, step %u", it);
		th_assert_mem(s1, ref + kl, 4, "salt, step %u", it);
		/* PSP under the same masters, interleaved */
		unsigned ver = it & 1;
		cr_assert_eq(psp_derive_key(K, mk, 0x1000u + it, ver, pk), EESP_E_OK);
		psp_kdf_label(lab, ver);
		eesp_put32(spi, 0x1000u + it);
		{
			/* [i] || "Pv0\0" || SPI || [L]: the label and the SPI as one
			 * raw fixed input after the counter */
			uint8_t fixed[12];
			memcpy(fixed, lab, 4);
			memcpy(fixed + 4, spi, 4);
			eesp_put32(fixed + 8, ver ? 256 : 128);
			cr_assert_eq(eesp_kbkdf(K, EESP_KDF_CMAC_AES256, mk, 32, NULL, 0, fixed,
						sizeof(fixed), true, pref, ver ? 32 : 16),
				     EESP_E_OK);
		}
		th_assert_mem(pk, pref, ver ? 32 : 16, "psp key, step %u", it);
		if (it % 4 == 3) { /* the master-key chain re-keys its own HMAC */
			uint8_t m[32];
			cr_assert_eq(eesp_derive_master(K, mk, NULL, 0, NULL, 0, m), EESP_E_OK);
		}
	}
}
