/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aead.c - AES-GCM through OpenSSL EVP with the key schedule set once.
 *
 * eesp_aead_setkey() runs EVP_CipherInit_ex with the cipher and key; each
 * packet then only passes the nonce (cipher and key NULL), which keeps the
 * expanded key and the GHASH tables in the context.
 */
#include "aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

struct eesp_aead {
	EVP_CIPHER *gcm128, *gcm256; /* fetched once */
	EVP_CIPHER_CTX *ctx;
	size_t key_len; /* 0 = no key yet */
};

struct eesp_aead *eesp_aead_new(void)
{
	struct eesp_aead *a = OPENSSL_zalloc(sizeof(*a));
	if (!a)
		return NULL;
	a->gcm128 = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	a->gcm256 = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	a->ctx = EVP_CIPHER_CTX_new();
	if (!a->gcm128 || !a->gcm256 || !a->ctx) {
		eesp_aead_free(a);
		return NULL;
	}
	return a;
}

void eesp_aead_free(struct eesp_aead *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->ctx); /* cleanses the key schedule */
	EVP_CIPHER_free(a->gcm128);
	EVP_CIPHER_free(a->gcm256);
	OPENSSL_free(a);
}

int eesp_aead_setkey(struct eesp_aead *a, const uint8_t *key, size_t key_len)
{
	const EVP_CIPHER *c;

	if (!a || !key)
		return EESP_E_INVALID;
	if (key_len == 16)
		c = a->gcm128;
	else if (key_len == 32)
		c = a->gcm256;
	else
		return EESP_E_INVALID;
	/* same cipher as before: only re-key (no context reset/reallocation) */
	if (a->key_len == key_len) {
		a->key_len = 0;
		if (EVP_CipherInit_ex(a->ctx, NULL, NULL, key, NULL, 1) != 1)
			return EESP_E_CRYPTO;
		a->key_len = key_len;
		return EESP_E_OK;
	}
	a->key_len = 0;
	if (EVP_CipherInit_ex(a->ctx, c, NULL, key, NULL, 1) != 1)
		return EESP_E_CRYPTO;
	a->key_len = key_len;
	return EESP_E_OK;
}

static int start(struct eesp_aead *a, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
		 int enc)
{
	int outl;

	if (!a || !a->key_len || !nonce)
		return EESP_E_INVALID;
	if (EVP_CipherInit_ex(a->ctx, NULL, NULL, NULL, nonce, enc) != 1)
		return EESP_E_CRYPTO;
	if (aad_len &&
	    (aad_len > INT32_MAX || EVP_CipherUpdate(a->ctx, NULL, &outl, aad, (int)aad_len) != 1))
		return EESP_E_CRYPTO;
	return EESP_E_OK;
}

int eesp_aead_seal(struct eesp_aead *a, const uint8_t nonce[EESP_NONCE_LEN], const uint8_t *aad,
		   size_t aad_len, const uint8_t *pt, size_t len, uint8_t *ct,
		   uint8_t tag[EESP_TAG_LEN])
{
	int outl = 0, fl = 0, rc;

	if (len > INT32_MAX || !tag)
		return EESP_E_INVALID;
	rc = start(a, nonce, aad, aad_len, 1);
	if (rc)
		return rc;
	if (len && EVP_CipherUpdate(a->ctx, ct, &outl, pt, (int)len) != 1)
		return EESP_E_CRYPTO;
	if (EVP_CipherFinal_ex(a->ctx, ct + outl, &fl) != 1 || (size_t)(outl + fl) != len)
		return EESP_E_CRYPTO;
	if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_GCM_GET_TAG, EESP_TAG_LEN, tag) != 1)
		return EESP_E_CRYPTO;
	return EESP_E_OK;
}

int eesp_aead_open(struct eesp_aead *a, const uint8_t nonce[EESP_NONCE_LEN], const uint8_t *aad,
		   size_t aad_len, const uint8_t *ct, size_t len, uint8_t *pt,
		   const uint8_t tag[EESP_TAG_LEN])
{
	uint8_t t[EESP_TAG_LEN];
	int outl = 0, fl = 0, rc;

	if (len > INT32_MAX || !tag)
		return EESP_E_INVALID;
	rc = start(a, nonce, aad, aad_len, 0);
	if (rc)
		return rc;
	if (len && EVP_CipherUpdate(a->ctx, pt, &outl, ct, (int)len) != 1)
		return EESP_E_CRYPTO;
	memcpy(t, tag, EESP_TAG_LEN);
	if (EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_GCM_SET_TAG, EESP_TAG_LEN, t) != 1)
		return EESP_E_CRYPTO;
	if (EVP_CipherFinal_ex(a->ctx, pt + outl, &fl) != 1)
		return EESP_E_AUTH;
	return EESP_E_OK;
}
