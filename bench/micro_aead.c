// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * micro_aead.c - AEAD seal/open of a 1400-byte packet through the core
 * (eesp_aead_*) against raw OpenSSL EVP AES-128-GCM with the same key,
 * nonces, AAD and sizes, timed in alternating order.
 */
#include "micro_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "aead.h"

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

void bench_aead(void)
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
