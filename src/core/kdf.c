/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdf.c - SP 800-108 counter-mode KDF, the PSP KDF and the EESP key
 * schedule, all through OpenSSL 3 (EVP_KDF "KBKDF", EVP_MAC "CMAC"/"HMAC").
 *
 * Two ways to the same bytes:
 *  - eesp_kbkdf() hands every parameter to OpenSSL's KBKDF (the reference
 *    path: the NIST vectors and the tests' cross-checks);
 *  - the SP 800-108 input framed here (prf_counter) over an EVP_MAC_CTX whose
 *    cipher or digest was chosen once: struct eesp_prf keeps one pre-keyed
 *    per master key (the per-packet path), and struct eesp_kdf_ctx keeps one
 *    unkeyed CMAC and one HMAC context that eesp_derive_data_key() and
 *    psp_derive_key() re-key per call.  A KBKDF context per call cost about
 *    3 µs (allocation, parameter parsing, cipher fetch by name); re-keying a
 *    kept context costs the key schedule only.  test_kdf.c proves that every
 *    path gives the KBKDF's bytes for both PRFs and both suites.
 */
#include "kdf.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

/* A MAC context whose cipher or digest is chosen once and which keeps the
 * last 32-byte key it was given: a derivation under the same key again
 * (a tool opening many packets of one domain) only restarts it. */
struct kept_mac {
	EVP_MAC_CTX *mac;
	size_t block; /* PRF output length */
	bool keyed;
	uint8_t key[32];
};

struct eesp_kdf_ctx {
	EVP_KDF *kbkdf;
	EVP_MAC *cmac, *hmac;
	EVP_MAC_CTX *hmac_ctx; /* master-key chain (re-keyed with each root) */
	/* data keys (CMAC with AES-256, HMAC-SHA256: the master is 32 bytes)
	 * and PSP keys (CMAC with AES-256 under a 32-byte master) */
	struct kept_mac dk_cmac, dk_hmac, psp_cmac;
};

struct eesp_prf {
	enum eesp_kdf prf;
	EVP_MAC_CTX *mac; /* keyed once; EVP_MAC_init(NULL key) restarts it */
	size_t block;	  /* PRF output length */
};

/* An EVP_MAC_CTX of mac with its cipher (CMAC) or digest (HMAC) chosen. */
static EVP_MAC_CTX *mac_ctx_with(EVP_MAC *mac, const char *param, const char *alg)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *m = EVP_MAC_CTX_new(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(param, (char *)alg, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (m && EVP_MAC_CTX_set_params(m, params) != 1) {
		EVP_MAC_CTX_free(m);
		m = NULL;
	}
	return m;
}

static bool kept_init(struct kept_mac *km, EVP_MAC *mac, bool cmac)
{
	km->block = cmac ? 16 : 32;
	km->mac = cmac ? mac_ctx_with(mac, OSSL_MAC_PARAM_CIPHER, "AES-256-CBC")
		       : mac_ctx_with(mac, OSSL_MAC_PARAM_DIGEST, "SHA2-256");
	return km->mac != NULL;
}

/* NULL if km already holds key (restart only), else key: re-key. */
static const uint8_t *kept_rekey(struct kept_mac *km, const uint8_t key[32])
{
	if (km->keyed && CRYPTO_memcmp(km->key, key, sizeof(km->key)) == 0)
		return NULL;
	memcpy(km->key, key, sizeof(km->key));
	km->keyed = true;
	return key;
}

static void kept_free(struct kept_mac *km)
{
	EVP_MAC_CTX_free(km->mac);
	OPENSSL_cleanse(km, sizeof(*km));
}

struct eesp_kdf_ctx *eesp_kdf_ctx_new(void)
{
	struct eesp_kdf_ctx *k = OPENSSL_zalloc(sizeof(*k));
	if (!k)
		return NULL;
	k->kbkdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_KBKDF, NULL);
	k->cmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC, NULL);
	k->hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	if (k->hmac)
		k->hmac_ctx = mac_ctx_with(k->hmac, OSSL_MAC_PARAM_DIGEST, "SHA2-256");
	if (!k->kbkdf || !k->cmac || !k->hmac || !k->hmac_ctx ||
	    !kept_init(&k->dk_cmac, k->cmac, true) || !kept_init(&k->dk_hmac, k->hmac, false) ||
	    !kept_init(&k->psp_cmac, k->cmac, true)) {
		eesp_kdf_ctx_free(k);
		return NULL;
	}
	return k;
}

void eesp_kdf_ctx_free(struct eesp_kdf_ctx *k)
{
	if (!k)
		return;
	kept_free(&k->dk_cmac);
	kept_free(&k->dk_hmac);
	kept_free(&k->psp_cmac);
	EVP_MAC_CTX_free(k->hmac_ctx);
	EVP_MAC_free(k->hmac);
	EVP_MAC_free(k->cmac);
	EVP_KDF_free(k->kbkdf);
	OPENSSL_clear_free(k, sizeof(*k));
}

#define PRF_INPUT_MAX 128

/*
 * SP 800-108 counter mode (r = 32) over mac, whose PRF output is block
 * bytes: K(i) = PRF([i]_32 || label || [0x00] || context || [L]_32), the
 * separator only if sep.  key != NULL re-keys mac first (its cipher or
 * digest stays); NULL restarts it under the key it has.  Fails without
 * changing anything the caller could mistake for a key.
 */
static int prf_counter(EVP_MAC_CTX *mac, size_t block, const uint8_t *key, size_t key_len,
		       const uint8_t *label, size_t label_len, bool sep, const uint8_t *context,
		       size_t context_len, uint8_t *out, size_t out_len)
{
	uint8_t in[PRF_INPUT_MAX], blk[32];
	size_t n = 0, done = 0, olen;
	uint32_t i;

	if (!mac || !out || !out_len || out_len > 0x1fffffff || block > sizeof(blk) ||
	    4 + label_len + 1 + context_len + 4 > sizeof(in))
		return EESP_E_INVALID;
	n = 4;
	if (label_len)
		memcpy(in + n, label, label_len);
	n += label_len;
	if (sep)
		in[n++] = 0;
	if (context_len)
		memcpy(in + n, context, context_len);
	n += context_len;
	eesp_put32(in + n, (uint32_t)(out_len * 8));
	n += 4;
	for (i = 1; done < out_len; i++) {
		size_t take = out_len - done < block ? out_len - done : block;
		const uint8_t *kk = i == 1 ? key : NULL;
		eesp_put32(in, i);
		if (EVP_MAC_init(mac, kk, kk ? key_len : 0, NULL) != 1 ||
		    EVP_MAC_update(mac, in, n) != 1 ||
		    EVP_MAC_final(mac, blk, &olen, sizeof(blk)) != 1 || olen != block) {
			OPENSSL_cleanse(blk, sizeof(blk));
			OPENSSL_cleanse(in, sizeof(in));
			return EESP_E_CRYPTO;
		}
		memcpy(out + done, blk, take);
		done += take;
	}
	OPENSSL_cleanse(blk, sizeof(blk));
	OPENSSL_cleanse(in, sizeof(in));
	return EESP_E_OK;
}

static const char *cmac_cipher_for(size_t key_len)
{
	switch (key_len) {
	case 16:
		return "AES-128-CBC";
	case 24:
		return "AES-192-CBC";
	case 32:
		return "AES-256-CBC";
	default:
		return NULL;
	}
}

int eesp_kbkdf(struct eesp_kdf_ctx *k, enum eesp_kdf prf, const uint8_t *key, size_t key_len,
	       const uint8_t *label, size_t label_len, const uint8_t *context, size_t context_len,
	       bool raw, uint8_t *out, size_t out_len)
{
	OSSL_PARAM params[10], *p = params;
	EVP_KDF_CTX *kctx;
	int use_l = raw ? 0 : 1, use_sep = raw ? 0 : 1, ok;
	const char *alg;

	if (!k || !key || !key_len || !out || !out_len)
		return EESP_E_INVALID;
	if (prf == EESP_KDF_CMAC_AES256) {
		alg = cmac_cipher_for(key_len);
		if (!alg)
			return EESP_E_INVALID;
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"CMAC", 0);
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_CIPHER, (char *)alg, 0);
	} else if (prf == EESP_KDF_HMAC_SHA256) {
		*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"HMAC", 0);
		*p++ =
		    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA2-256", 0);
	} else {
		return EESP_E_INVALID;
	}
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"counter", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
	if (label && label_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label,
							 label_len);
	if (context && context_len)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)context,
							 context_len);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &use_l);
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_SEPARATOR, &use_sep);
	*p = OSSL_PARAM_construct_end();

	kctx = EVP_KDF_CTX_new(k->kbkdf);
	if (!kctx)
		return EESP_E_CRYPTO;
	ok = EVP_KDF_derive(kctx, out, out_len, params);
	EVP_KDF_CTX_free(kctx);
	return ok == 1 ? EESP_E_OK : EESP_E_CRYPTO;
}

/* prf_counter on a kept MAC under a 32-byte key; a failure forgets the key
 * (the context's state is then unknown). */
static int kept_counter(struct kept_mac *km, const uint8_t key[32], const uint8_t *label,
			size_t label_len, bool sep, const uint8_t *context, size_t context_len,
			uint8_t *out, size_t out_len)
{
	int rc = prf_counter(km->mac, km->block, kept_rekey(km, key), 32, label, label_len, sep,
			     context, context_len, out, out_len);
	if (rc)
		km->keyed = false;
	return rc;
}

int psp_derive_key(struct eesp_kdf_ctx *k, const uint8_t master[PSP_MASTER_KEY_LEN], uint32_t spi,
		   unsigned version, uint8_t *out)
{
	uint8_t label[PSP_KDF_LABEL_LEN], ctx[4];
	size_t len;

	len = psp_version_key_len(version); /* v0/v2 16 bytes, v1/v3 32 */
	if (!len)
		return EESP_E_INVALID;
	if (!k || !master || !out)
		return EESP_E_INVALID;
	/* block = [i]_32 || "Pv0\0" || SPI || [L]_32: label 4 bytes, no separator
	 * ("Pv2"/"Pv3" for the GMAC versions, eesp_proto.h psp_kdf_label); CMAC
	 * with AES-256 (the master key is 32 bytes) */
	psp_kdf_label(label, version);
	eesp_put32(ctx, spi);
	return kept_counter(&k->psp_cmac, master, label, sizeof(label), false, ctx, sizeof(ctx),
			    out, len);
}

static int hmac_sha256(struct eesp_kdf_ctx *k, const uint8_t *key, size_t key_len,
		       const uint8_t *msg, size_t msg_len, uint8_t out[32])
{
	size_t olen = 0;

	/* the digest was set once (eesp_kdf_ctx_new): only the key changes */
	if (EVP_MAC_init(k->hmac_ctx, key, key_len, NULL) != 1 ||
	    EVP_MAC_update(k->hmac_ctx, msg, msg_len) != 1 ||
	    EVP_MAC_final(k->hmac_ctx, out, &olen, 32) != 1 || olen != 32)
		return EESP_E_CRYPTO;
	return EESP_E_OK;
}

int eesp_derive_master(struct eesp_kdf_ctx *k, const uint8_t domain_root[EESP_ROOT_KEY_LEN],
		       const uint8_t *tenant_root, uint32_t tenant_id, const uint8_t *group_root,
		       uint32_t group_id, uint8_t master[EESP_MASTER_KEY_LEN])
{
	uint8_t msg[EESP_MASTER_MSG_MAX], m[EESP_MASTER_KEY_LEN];
	size_t n;
	int rc;

	if (!k || !domain_root || !master)
		return EESP_E_INVALID;
	n = eesp_master_msg(msg, EESP_LEVEL_DOMAIN, 0, NULL);
	rc = hmac_sha256(k, domain_root, EESP_ROOT_KEY_LEN, msg, n, m);
	if (!rc && tenant_root) {
		n = eesp_master_msg(msg, EESP_LEVEL_TENANT, tenant_id, m);
		rc = hmac_sha256(k, tenant_root, EESP_ROOT_KEY_LEN, msg, n, m);
	}
	if (!rc && group_root) {
		n = eesp_master_msg(msg, EESP_LEVEL_GROUP, group_id, m);
		rc = hmac_sha256(k, group_root, EESP_ROOT_KEY_LEN, msg, n, m);
	}
	if (!rc)
		memcpy(master, m, EESP_MASTER_KEY_LEN);
	OPENSSL_cleanse(m, sizeof(m));
	OPENSSL_cleanse(msg, sizeof(msg));
	return rc;
}

int eesp_derive_data_key(struct eesp_kdf_ctx *k, const uint8_t master[EESP_MASTER_KEY_LEN],
			 enum eesp_kdf prf, enum eesp_suite suite, uint32_t spi,
			 uint16_t session_id, const uint8_t *sctx_data, size_t sctx_len,
			 uint8_t *key_out, uint8_t salt_out[EESP_SALT_LEN])
{
	uint8_t ctx[EESP_KDF_CONTEXT_MAX], out[EESP_MAX_DATA_KEY_LEN + EESP_SALT_LEN];
	size_t n, kl;
	int rc;

	if (!eesp_suite_known(suite) || !eesp_kdf_known(prf) || sctx_len > EESP_SCTX_MAX_LEN ||
	    !key_out || !salt_out)
		return EESP_E_INVALID;
	if (!k || !master)
		return EESP_E_INVALID;
	kl = eesp_suite_key_len(suite);
	n = eesp_kdf_context(ctx, spi, session_id, sctx_data, sctx_len);
	/* what eesp_kbkdf(raw = false) computes, on a kept context re-keyed
	 * with the master (the master key is 32 bytes: CMAC is AES-256) */
	rc = kept_counter(prf == EESP_KDF_CMAC_AES256 ? &k->dk_cmac : &k->dk_hmac, master,
			  (const uint8_t *)EESP_DATA_LABEL, EESP_DATA_LABEL_LEN, true, ctx, n, out,
			  kl + EESP_SALT_LEN);
	if (!rc) {
		memcpy(key_out, out, kl);
		memcpy(salt_out, out + kl, EESP_SALT_LEN);
	}
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

/* ------------------------------------------------- pre-keyed fast path -- */

struct eesp_prf *eesp_prf_new(struct eesp_kdf_ctx *k, enum eesp_kdf prf, const uint8_t *key,
			      size_t key_len)
{
	OSSL_PARAM params[2];
	struct eesp_prf *p;

	if (!k || !key)
		return NULL;
	p = OPENSSL_zalloc(sizeof(*p));
	if (!p)
		return NULL;
	p->prf = prf;
	if (prf == EESP_KDF_CMAC_AES256) {
		const char *alg = cmac_cipher_for(key_len);
		if (!alg)
			goto fail;
		p->mac = EVP_MAC_CTX_new(k->cmac);
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, (char *)alg, 0);
		p->block = 16;
	} else if (prf == EESP_KDF_HMAC_SHA256) {
		p->mac = EVP_MAC_CTX_new(k->hmac);
		params[0] =
		    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA2-256", 0);
		p->block = 32;
	} else {
		goto fail;
	}
	params[1] = OSSL_PARAM_construct_end();
	if (!p->mac || EVP_MAC_init(p->mac, key, key_len, params) != 1)
		goto fail;
	return p;
fail:
	eesp_prf_free(p);
	return NULL;
}

void eesp_prf_free(struct eesp_prf *p)
{
	if (!p)
		return;
	EVP_MAC_CTX_free(p->mac);
	OPENSSL_free(p);
}

int eesp_prf_kbkdf(struct eesp_prf *p, const uint8_t *label, size_t label_len,
		   const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len)
{
	if (!p)
		return EESP_E_INVALID;
	return prf_counter(p->mac, p->block, NULL, 0, label, label_len, true, context, context_len,
			   out, out_len);
}

int eesp_prf_data_key(struct eesp_prf *p, enum eesp_suite suite, const uint8_t *context,
		      size_t context_len, uint8_t *key_out, uint8_t salt_out[EESP_SALT_LEN])
{
	uint8_t out[EESP_MAX_DATA_KEY_LEN + EESP_SALT_LEN];
	size_t kl;
	int rc;

	if (!eesp_suite_known(suite) || context_len > EESP_KDF_CONTEXT_MAX)
		return EESP_E_INVALID;
	kl = eesp_suite_key_len(suite);
	rc = eesp_prf_kbkdf(p, (const uint8_t *)EESP_DATA_LABEL, EESP_DATA_LABEL_LEN, context,
			    context_len, out, kl + EESP_SALT_LEN);
	if (!rc) {
		memcpy(key_out, out, kl);
		memcpy(salt_out, out + kl, EESP_SALT_LEN);
	}
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}
