/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_sk.c - SK payload seal/open with AES-GCM-16 (ike_sk.h, RFC 5282). */
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike_sk.h"
#include "secmem.h"

#define GCM_NONCE_LEN (IKE_GCM_SALT_LEN + IKE_GCM_IV_LEN)

int ike_sk_cipher_init(struct ike_sk_cipher *c, uint16_t encr, const uint8_t *sk_e, size_t sk_e_len)
{
	const EVP_CIPHER *cipher;

	if (!c || !sk_e)
		return IKE_E_INVALID;
	memset(c, 0, sizeof(*c));
	if (encr != IKE_ENCR_AES_GCM_16)
		return IKE_E_UNSUPPORTED;
	switch (sk_e_len) {
	case 16 + IKE_GCM_SALT_LEN:
		cipher = EVP_aes_128_gcm();
		break;
	case 24 + IKE_GCM_SALT_LEN:
		cipher = EVP_aes_192_gcm();
		break;
	case 32 + IKE_GCM_SALT_LEN:
		cipher = EVP_aes_256_gcm();
		break;
	default:
		return IKE_E_INVALID;
	}
	c->ctx = EVP_CIPHER_CTX_new();
	if (!c->ctx)
		return IKE_E_CRYPTO;
	c->key_len = sk_e_len - IKE_GCM_SALT_LEN;
	/* the nonce is 12 octets, GCM's default: salt(4) | IV(8) */
	if (!EVP_CipherInit_ex(c->ctx, cipher, NULL, sk_e, NULL, 1)) {
		ike_sk_cipher_free(c);
		return IKE_E_CRYPTO;
	}
	memcpy(c->salt, sk_e + c->key_len, IKE_GCM_SALT_LEN);
	return IKE_E_OK;
}

void ike_sk_cipher_free(struct ike_sk_cipher *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->ctx); /* cleanses the key schedule */
	eesp_wipe(c, sizeof(*c));
}

size_t ike_sk_begin(struct ike_builder *b)
{
	size_t off = ike_build_begin(b, IKE_PT_SK, 0);

	ike_build_reserve(b, IKE_GCM_IV_LEN);
	return off;
}

/* AES-GCM over data[0..len) in place, AAD aad[0..aad_len); enc: tag out,
 * else tag in (checked). */
static int gcm(struct ike_sk_cipher *c, int enc, const uint8_t iv[IKE_GCM_IV_LEN],
	       const uint8_t *aad, size_t aad_len, const uint8_t *in, uint8_t *out, size_t len,
	       uint8_t tag[IKE_GCM_ICV_LEN])
{
	uint8_t nonce[GCM_NONCE_LEN];
	int outl;

	if (aad_len > INT32_MAX || len > INT32_MAX)
		return IKE_E_INVALID;
	memcpy(nonce, c->salt, IKE_GCM_SALT_LEN);
	memcpy(nonce + IKE_GCM_SALT_LEN, iv, IKE_GCM_IV_LEN);
	if (!EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, nonce, enc) ||
	    !EVP_CipherUpdate(c->ctx, NULL, &outl, aad, (int)aad_len) ||
	    (len && !EVP_CipherUpdate(c->ctx, out, &outl, in, (int)len)))
		return IKE_E_CRYPTO;
	if (enc) {
		if (!EVP_CipherFinal_ex(c->ctx, out + len, &outl) ||
		    !EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_GET_TAG, IKE_GCM_ICV_LEN, tag))
			return IKE_E_CRYPTO;
		return IKE_E_OK;
	}
	if (!EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG, IKE_GCM_ICV_LEN, tag))
		return IKE_E_CRYPTO;
	return EVP_CipherFinal_ex(c->ctx, out + len, &outl) == 1 ? IKE_E_OK : IKE_E_ICV;
}

int ike_sk_seal(struct ike_builder *b, size_t sk_off, struct ike_sk_cipher *c, uint64_t *iv_counter,
		size_t *len)
{
	size_t pt_off, pt_len, total;
	uint8_t *iv;
	int e;

	if (!b || !c || !c->ctx || !iv_counter)
		return IKE_E_INVALID;
	if (b->err)
		return b->err;
	if (sk_off < IKE_HDR_LEN || sk_off + IKE_GEN_HDR_LEN + IKE_GCM_IV_LEN > b->len)
		return IKE_E_INVALID;
	/* a counter that wrapped would repeat IV 0 under the same key */
	if (*iv_counter == UINT64_MAX)
		return IKE_E_IV_EXHAUSTED;
	pt_off = sk_off + IKE_GEN_HDR_LEN + IKE_GCM_IV_LEN;
	ike_build_u8(b, 0); /* Pad Length: no padding */
	ike_build_reserve(b, IKE_GCM_ICV_LEN);
	ike_build_end(b, sk_off);
	e = ike_build_finish(b, &total);
	if (e)
		return e;
	pt_len = total - IKE_GCM_ICV_LEN - pt_off;
	iv = b->buf + sk_off + IKE_GEN_HDR_LEN;
	for (int i = 0; i < IKE_GCM_IV_LEN; i++)
		iv[i] = (uint8_t)(*iv_counter >> (56 - 8 * i));
	(*iv_counter)++;
	e = gcm(c, 1, iv, b->buf, sk_off + IKE_GEN_HDR_LEN, b->buf + pt_off, b->buf + pt_off,
		pt_len, b->buf + pt_off + pt_len);
	if (e) {
		b->err = e;
		return e;
	}
	if (len)
		*len = total;
	return IKE_E_OK;
}

int ike_sk_open(struct ike_sk_cipher *c, const struct ike_msg *m, uint8_t *pt, size_t cap,
		struct ike_chain *inner)
{
	const struct ike_payload *sk;
	size_t ct_len, in_len;
	uint8_t pad, icv[IKE_GCM_ICV_LEN];
	int e;

	if (!c || !c->ctx || !m || !inner || (!pt && cap))
		return IKE_E_INVALID;
	memset(inner, 0, sizeof(*inner));
	if (m->sk < 0 || (unsigned)m->sk >= m->outer.n)
		return IKE_E_NO_SK;
	sk = &m->outer.pl[m->sk];
	if (sk->body_len < IKE_GCM_IV_LEN + IKE_GCM_ICV_LEN + 1)
		return IKE_E_TRUNCATED;
	ct_len = sk->body_len - IKE_GCM_IV_LEN - IKE_GCM_ICV_LEN;
	if (cap < ct_len)
		return IKE_E_NOSPACE;
	/* AAD: IKE header through the SK generic header */
	memcpy(icv, sk->body + IKE_GCM_IV_LEN + ct_len, IKE_GCM_ICV_LEN);
	e = gcm(c, 0, sk->body, m->raw, sk->off + IKE_GEN_HDR_LEN, sk->body + IKE_GCM_IV_LEN, pt,
		ct_len, icv);
	if (e) {
		eesp_wipe(pt, ct_len);
		return e;
	}
	pad = pt[ct_len - 1];
	if ((size_t)pad + 1 > ct_len)
		return IKE_E_PADDING;
	in_len = ct_len - pad - 1;
	return ike_chain_parse(pt, in_len, 0, m->sk_first, 0, inner);
}
