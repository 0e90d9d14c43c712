// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * micro_kdf.c - uncached eesp_derive_data_key (CMAC and HMAC PRF): under one
 * master (what a tool decrypting a capture of one domain does; the generic
 * path keeps its MAC keyed with the last master) and with a new master every
 * call (the MAC re-keyed each time); and the pre-keyed PRF path a receiver
 * takes on a cache miss.
 */
#include "micro_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "kdf.h"

void bench_kdf(void)
{
	enum { N = 20000 };
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	uint8_t master[EESP_MASTER_KEY_LEN], key[32], salt[EESP_SALT_LEN], sctx[EESP_SCTX_MAX_LEN];
	uint8_t masters[2][EESP_MASTER_KEY_LEN];
	struct eesp_sctx c = {.profile = EESP_PROFILE_NODE,
			      .kdf = EESP_KDF_CMAC_AES256,
			      .suite = EESP_SUITE_AES_GCM_128,
			      .node_id = 7};
	double t[REPS];
	int err;

	if (!k)
		die("eesp_kdf_ctx_new", EESP_E_CRYPTO);
	RAND_bytes(master, sizeof(master));
	RAND_bytes(&masters[0][0], sizeof(masters));
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
		    eesp_name_of(eesp_kdf_names, (unsigned)prf), fastest(t, REPS));
		/* two masters in turn: every call re-keys the MAC */
		for (int r = 0; r < REPS; r++) {
			double t0 = now_ns();
			for (int i = 0; i < N; i++) {
				if ((err =
					 eesp_derive_data_key(k, masters[i & 1], (enum eesp_kdf)prf,
							      EESP_SUITE_AES_GCM_128, dom.spi,
							      (uint16_t)i, sctx, sl, key, salt)))
					die("eesp_derive_data_key", err);
			}
			t[r] = (now_ns() - t0) / N;
		}
		printf("derive_newmaster_%s_ns %.1f ns  # eesp_derive_data_key, a new master each "
		       "call (the MAC re-keyed)\n",
		       eesp_name_of(eesp_kdf_names, (unsigned)prf), fastest(t, REPS));

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
		       eesp_name_of(eesp_kdf_names, (unsigned)prf), fastest(t, REPS));
		eesp_prf_free(pk);
	}
	eesp_kdf_ctx_free(k);
}
