/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_crypto.c - prf, prf+ and the IKEv2 key schedule (ike_crypto.h). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_crypto.h"
#include "ike_sa.h"
#include "secmem.h"

size_t ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1:
		return 20;
	case IKE_PRF_HMAC_SHA2_256:
		return 32;
	case IKE_PRF_HMAC_SHA2_512:
		return 64;
	default:
		return 0;
	}
}

static const char *prf_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_SHA1:
		return "SHA1";
	case IKE_PRF_HMAC_SHA2_256:
		return "SHA2-256";
	default:
		return "SHA2-512";
	}
}

/* A keyed HMAC context; EVP_MAC_init(ctx, NULL, 0, NULL) restarts it
 * under the same key (prf+ keys it once for all its blocks). */
static EVP_MAC_CTX *hmac_new(uint16_t prf, const uint8_t *key, size_t key_len)
{
	static const uint8_t empty[1];
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];

	if (!ike_prf_len(prf))
		return NULL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (!ctx)
		return NULL;
	params[0] =
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)prf_digest(prf), 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key_len ? key : empty, key_len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static int hmac_parts(EVP_MAC_CTX *ctx, const struct ike_chunk *parts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (parts[i].len && !EVP_MAC_update(ctx, parts[i].p, parts[i].len))
			return 0;
	return 1;
}

int ike_prf_v(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
	      unsigned n, uint8_t *out)
{
	EVP_MAC_CTX *ctx;
	size_t olen = 0;
	int ok;

	if (!ike_prf_len(prf))
		return IKE_E_UNSUPPORTED;
	if ((!key && key_len) || (!parts && n) || !out)
		return IKE_E_INVALID;
	ctx = hmac_new(prf, key, key_len);
	if (!ctx)
		return IKE_E_CRYPTO;
	ok = hmac_parts(ctx, parts, n) && EVP_MAC_final(ctx, out, &olen, IKE_PRF_MAX) &&
	     olen == ike_prf_len(prf);
	EVP_MAC_CTX_free(ctx);
	return ok ? IKE_E_OK : IKE_E_CRYPTO;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
	    uint8_t *out)
{
	struct ike_chunk c = {data, data_len};

	if (!data && data_len)
		return IKE_E_INVALID;
	return ike_prf_v(prf, key, key_len, &c, 1, out);
}

/* T(i) = prf(K, T(i-1) | S | i) into t; t holds T(i-1) on entry. */
static int prf_plus_block(EVP_MAC_CTX *ctx, size_t hlen, const struct ike_chunk *parts, unsigned n,
			  uint8_t i, uint8_t t[IKE_PRF_MAX])
{
	size_t olen = 0;

	if (!EVP_MAC_init(ctx, NULL, 0, NULL))
		return 0;
	if (i > 1 && !EVP_MAC_update(ctx, t, hlen))
		return 0;
	return hmac_parts(ctx, parts, n) && EVP_MAC_update(ctx, &i, 1) &&
	       EVP_MAC_final(ctx, t, &olen, IKE_PRF_MAX) && olen == hlen;
}

int ike_prf_plus_v(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
		   unsigned n, uint8_t *out, size_t out_len)
{
	size_t hlen = ike_prf_len(prf), done = 0;
	uint8_t t[IKE_PRF_MAX];
	EVP_MAC_CTX *ctx;
	int ok = 1;

	if (!hlen)
		return IKE_E_UNSUPPORTED;
	if ((!key && key_len) || (!parts && n) || (!out && out_len))
		return IKE_E_INVALID;
	if (out_len > IKE_PRF_PLUS_MAX_BLOCKS * hlen)
		return IKE_E_INVALID;
	if (!out_len)
		return IKE_E_OK;
	ctx = hmac_new(prf, key, key_len);
	if (!ctx)
		return IKE_E_CRYPTO;
	for (unsigned i = 1; ok && done < out_len; i++) {
		size_t take = out_len - done < hlen ? out_len - done : hlen;

		ok = prf_plus_block(ctx, hlen, parts, n, (uint8_t)i, t);
		if (ok)
			memcpy(out + done, t, take);
		done += take;
	}
	EVP_MAC_CTX_free(ctx);
	eesp_wipe(t, sizeof(t));
	if (!ok)
		eesp_wipe(out, out_len);
	return ok ? IKE_E_OK : IKE_E_CRYPTO;
}

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len)
{
	struct ike_chunk c = {seed, seed_len};

	if (!seed && seed_len)
		return IKE_E_INVALID;
	return ike_prf_plus_v(prf, key, key_len, &c, 1, out, out_len);
}

int ike_suite_from_proposal(const struct ike_proposal *p, struct ike_suite *s)
{
	const struct ike_transform *encr, *prf, *integ, *ke, *kwa;

	if (!p || !s)
		return IKE_E_INVALID;
	memset(s, 0, sizeof(*s));
	encr = ike_proposal_get(p, IKE_TT_ENCR);
	prf = ike_proposal_get(p, IKE_TT_PRF);
	integ = ike_proposal_get(p, IKE_TT_INTEG);
	ke = ike_proposal_get(p, IKE_TT_KE);
	kwa = ike_proposal_get(p, IKE_TT_KWA);
	if (!encr || !prf || (integ && integ->id != IKE_INTEG_NONE))
		return IKE_E_UNSUPPORTED;
	s->encr = encr->id;
	s->encr_bits = encr->key_bits;
	s->prf = prf->id;
	s->ke = ke ? ke->id : 0;
	s->kwa = kwa ? kwa->id : 0;
	if (!ike_suite_ek_len(s) || !ike_prf_len(s->prf))
		return IKE_E_UNSUPPORTED;
	return IKE_E_OK;
}

size_t ike_suite_ek_len(const struct ike_suite *s)
{
	if (!s || s->encr != IKE_ENCR_AES_GCM_16)
		return 0;
	if (s->encr_bits != 128 && s->encr_bits != 192 && s->encr_bits != 256)
		return 0;
	return s->encr_bits / 8 + IKE_GCM_SALT_LEN;
}

struct ike_keys *ike_keys_new(void)
{
	int locked;

	return eesp_secure_alloc(sizeof(struct ike_keys), &locked);
}

void ike_keys_free(struct ike_keys *k)
{
	eesp_secure_free(k, sizeof(*k));
}

void ike_keys_wipe(struct ike_keys *k)
{
	eesp_wipe(k, sizeof(*k));
}

int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *gir, size_t gir_len, uint8_t *out)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	int e;

	if (!ni || !nr || !gir || ni_len > IKE_NONCE_MAX || nr_len > IKE_NONCE_MAX)
		return IKE_E_INVALID;
	memcpy(key, ni, ni_len);
	memcpy(key + ni_len, nr, nr_len);
	e = ike_prf(prf, key, ni_len + nr_len, gir, gir_len, out);
	eesp_wipe(key, sizeof(key));
	return e;
}

int ike_skeyseed_rekey(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
		       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	struct ike_chunk parts[3] = {{gir, gir_len}, {ni, ni_len}, {nr, nr_len}};

	if (!sk_d_old || !gir || !ni || !nr)
		return IKE_E_INVALID;
	return ike_prf_v(prf_old, sk_d_old, sk_d_len, parts, 3, out);
}

int ike_derive_keys(const struct ike_suite *s, const uint8_t *skeyseed, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		    struct ike_keys *k)
{
	struct ike_chunk seed[4] = {
	    {ni, ni_len}, {nr, nr_len}, {spi_i, IKE_SPI_LEN}, {spi_r, IKE_SPI_LEN}};
	uint8_t km[3 * IKE_PRF_MAX + 2 * IKE_SK_E_MAX], *q = km;
	size_t hlen, elen, total;
	int e;

	if (!s || !skeyseed || !ni || !nr || !spi_i || !spi_r || !k)
		return IKE_E_INVALID;
	hlen = ike_prf_len(s->prf);
	elen = ike_suite_ek_len(s);
	if (!hlen || !elen)
		return IKE_E_UNSUPPORTED;
	total = 3 * hlen + 2 * elen; /* AEAD: SK_ai and SK_ar are empty */
	ike_keys_wipe(k);
	e = ike_prf_plus_v(s->prf, skeyseed, hlen, seed, 4, km, total);
	if (e)
		return e;
	k->prf = s->prf;
	k->prf_len = hlen;
	k->ak_len = 0;
	k->ek_len = elen;
	memcpy(k->skeyseed, skeyseed, hlen);
	memcpy(k->d, q, hlen), q += hlen;
	memcpy(k->ei, q, elen), q += elen;
	memcpy(k->er, q, elen), q += elen;
	memcpy(k->pi, q, hlen), q += hlen;
	memcpy(k->pr, q, hlen);
	eesp_wipe(km, sizeof(km));
	return IKE_E_OK;
}

int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		     size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint8_t *out, size_t out_len)
{
	struct ike_chunk seed[3] = {{gir, gir ? gir_len : 0}, {ni, ni_len}, {nr, nr_len}};

	if (!sk_d || !ni || !nr)
		return IKE_E_INVALID;
	return ike_prf_plus_v(prf, sk_d, sk_d_len, seed, 3, out, out_len);
}

int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
		 size_t msg_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
		 size_t sk_p_len, const uint8_t *id_body, size_t id_len, uint8_t *out)
{
	uint8_t pad_key[IKE_PRF_MAX], id_mac[IKE_PRF_MAX];
	size_t hlen = ike_prf_len(prf);
	int e;

	if (!hlen)
		return IKE_E_UNSUPPORTED;
	if (!psk || !real_msg || !nonce || !sk_p || !id_body || !out)
		return IKE_E_INVALID;
	e = ike_prf(prf, psk, psk_len, (const uint8_t *)IKE_LABEL_KEY_PAD,
		    strlen(IKE_LABEL_KEY_PAD), pad_key);
	if (!e)
		e = ike_prf(prf, sk_p, sk_p_len, id_body, id_len, id_mac);
	if (!e) {
		struct ike_chunk octets[3] = {
		    {real_msg, msg_len}, {nonce, nonce_len}, {id_mac, hlen}};

		e = ike_prf_v(prf, pad_key, hlen, octets, 3, out);
	}
	eesp_wipe(pad_key, sizeof(pad_key));
	eesp_wipe(id_mac, sizeof(id_mac));
	return e;
}

int ike_psk_auth_verify(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
			size_t msg_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
			size_t sk_p_len, const uint8_t *id_body, size_t id_len, const uint8_t *auth,
			size_t auth_len)
{
	uint8_t want[IKE_PRF_MAX];
	int e;

	if (!auth)
		return IKE_E_INVALID;
	e = ike_psk_auth(prf, psk, psk_len, real_msg, msg_len, nonce, nonce_len, sk_p, sk_p_len,
			 id_body, id_len, want);
	if (!e && (auth_len != ike_prf_len(prf) || CRYPTO_memcmp(want, auth, auth_len) != 0))
		e = IKE_E_AUTH_FAILED;
	eesp_wipe(want, sizeof(want));
	return e;
}

int ike_kwk_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const char *label,
		   uint8_t *out, size_t out_len)
{
	if (!label || !out || !out_len)
		return IKE_E_INVALID;
	return ike_prf_plus(prf, sk_d, sk_d_len, (const uint8_t *)label, strlen(label), out,
			    out_len);
}
