/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_dh.c - X25519 and ECP-256 key exchange through EVP_PKEY (ike_dh.h). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "ike_dh.h"
#include "secmem.h"

#define X25519_LEN 32
#define P256_COORD 32

size_t ike_dh_public_len(uint16_t group)
{
	switch (group) {
	case IKE_KE_X25519:
		return X25519_LEN;
	case IKE_KE_ECP256:
		return 2 * P256_COORD;
	default:
		return 0;
	}
}

int ike_dh_generate(struct ike_dh *dh, uint16_t group)
{
	if (!dh)
		return IKE_E_INVALID;
	memset(dh, 0, sizeof(*dh));
	if (group == IKE_KE_X25519)
		dh->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	else if (group == IKE_KE_ECP256)
		dh->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		return IKE_E_UNSUPPORTED;
	if (!dh->pkey)
		return IKE_E_CRYPTO;
	dh->group = group;
	return IKE_E_OK;
}

/* An EC P-256 key from OSSL params (private scalar and/or public point). */
static EVP_PKEY *p256_fromdata(const uint8_t *priv, size_t priv_len, const uint8_t *pub65,
			       int selection)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn = NULL;

	if (!bld)
		return NULL;
	if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0))
		goto out;
	if (priv) {
		bn = BN_secure_new();
		if (!bn || !BN_bin2bn(priv, (int)priv_len, bn) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bn))
			goto out;
	}
	if (pub65 && !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub65,
						       1 + 2 * P256_COORD))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bn);
	return pkey;
}

/* pub65 = 04 | x | y of priv * G: OpenSSL does not derive the public
 * point when a P-256 key is imported from its scalar alone. */
static int p256_public_of(const uint8_t *priv, size_t len, uint8_t pub65[1 + 2 * P256_COORD])
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
	BIGNUM *bn = BN_secure_new();
	int ok = g && pt && bn && BN_bin2bn(priv, (int)len, bn) &&
		 EC_POINT_mul(g, pt, bn, NULL, NULL, NULL) == 1 &&
		 EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub65, 1 + 2 * P256_COORD,
				    NULL) == 1 + 2 * P256_COORD;

	BN_clear_free(bn);
	EC_POINT_free(pt);
	EC_GROUP_free(g);
	return ok;
}

int ike_dh_set_private(struct ike_dh *dh, uint16_t group, const uint8_t *priv, size_t len)
{
	if (!dh || !priv)
		return IKE_E_INVALID;
	memset(dh, 0, sizeof(*dh));
	if (group == IKE_KE_X25519) {
		if (len != X25519_LEN)
			return IKE_E_INVALID;
		dh->pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, len);
	} else if (group == IKE_KE_ECP256) {
		uint8_t pub[1 + 2 * P256_COORD];

		if (len != P256_COORD)
			return IKE_E_INVALID;
		if (!p256_public_of(priv, len, pub))
			return IKE_E_CRYPTO;
		dh->pkey = p256_fromdata(priv, len, pub, EVP_PKEY_KEYPAIR);
	} else {
		return IKE_E_UNSUPPORTED;
	}
	if (!dh->pkey)
		return IKE_E_CRYPTO;
	dh->group = group;
	return IKE_E_OK;
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *len)
{
	size_t need;

	if (!dh || !dh->pkey || !out || !len)
		return IKE_E_INVALID;
	need = ike_dh_public_len(dh->group);
	if (cap < need)
		return IKE_E_NOSPACE;
	if (dh->group == IKE_KE_X25519) {
		size_t n = need;

		if (EVP_PKEY_get_raw_public_key(dh->pkey, out, &n) != 1 || n != need)
			return IKE_E_CRYPTO;
	} else {
		uint8_t pt[1 + 2 * P256_COORD];
		size_t n = 0;

		/* uncompressed point 04 | x | y; the KE data drops the 04 */
		if (EVP_PKEY_get_octet_string_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, pt,
						    sizeof(pt), &n) != 1 ||
		    n != sizeof(pt) || pt[0] != 0x04)
			return IKE_E_CRYPTO;
		memcpy(out, pt + 1, need);
	}
	*len = need;
	return IKE_E_OK;
}

/* The peer's public value as an EVP_PKEY, checked; NULL if unusable. */
static EVP_PKEY *peer_key(uint16_t group, const uint8_t *peer, size_t peer_len)
{
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx;
	uint8_t pt[1 + 2 * P256_COORD];

	if (peer_len != ike_dh_public_len(group))
		return NULL;
	if (group == IKE_KE_X25519)
		return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, peer_len);
	pt[0] = 0x04;
	memcpy(pt + 1, peer, peer_len);
	pk = p256_fromdata(NULL, 0, pt, EVP_PKEY_PUBLIC_KEY);
	if (!pk)
		return NULL;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	/* on the curve, not the point at infinity (RFC 5903 §7 checks) */
	if (!ctx || EVP_PKEY_public_check(ctx) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

static int all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
		  size_t cap, size_t *len)
{
	EVP_PKEY *pk;
	EVP_PKEY_CTX *ctx = NULL;
	size_t n = cap;
	int e = IKE_E_CRYPTO;

	if (!dh || !dh->pkey || !peer || !out || !len)
		return IKE_E_INVALID;
	if (cap < IKE_DH_SECRET_MAX)
		return IKE_E_NOSPACE;
	pk = peer_key(dh->group, peer, peer_len);
	if (!pk)
		return IKE_E_BAD_PUBLIC;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	if (ctx && EVP_PKEY_derive_init(ctx) == 1) {
		if (EVP_PKEY_derive_set_peer(ctx, pk) != 1)
			e = IKE_E_BAD_PUBLIC;
		else if (EVP_PKEY_derive(ctx, out, &n) == 1 && n == IKE_DH_SECRET_MAX)
			e = IKE_E_OK;
		else
			e = IKE_E_BAD_PUBLIC; /* X25519 low-order point: all-zero secret */
	}
	if (!e && all_zero(out, n))
		e = IKE_E_BAD_PUBLIC;
	if (e)
		eesp_wipe(out, cap < IKE_DH_SECRET_MAX ? cap : IKE_DH_SECRET_MAX);
	else
		*len = n;
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return e;
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->pkey);
	dh->pkey = NULL;
	dh->group = 0;
}
