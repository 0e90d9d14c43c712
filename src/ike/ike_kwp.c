/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_kwp.c - AES Key Wrap with Padding, RFC 5649 (ike_kwp.h). */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "ike_kwp.h"
#include "secmem.h"

#define KWP_MAX_IN 4096

size_t ike_kwa_key_len(uint16_t kwa)
{
	switch (kwa) {
	case IKE_KWA_5649_128:
		return 16;
	case IKE_KWA_5649_192:
		return 24;
	case IKE_KWA_5649_256:
		return 32;
	default:
		return 0;
	}
}

size_t ike_kwp_wrapped_len(size_t n)
{
	return 8 * ((n + 7) / 8) + 8;
}

static const EVP_CIPHER *kwp_cipher(size_t kek_len)
{
	switch (kek_len) {
	case 16:
		return EVP_aes_128_wrap_pad();
	case 24:
		return EVP_aes_192_wrap_pad();
	case 32:
		return EVP_aes_256_wrap_pad();
	default:
		return NULL;
	}
}

/* One wrap (enc) or unwrap through EVP; *out_len = octets written. */
static int kwp(int enc, const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
	       uint8_t *out, size_t *out_len)
{
	const EVP_CIPHER *cipher = kwp_cipher(kek_len);
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ok;

	if (!cipher)
		return IKE_E_INVALID;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return IKE_E_CRYPTO;
	/* the wrap modes refuse to run unless the caller says it knows */
	EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
	ok = EVP_CipherInit_ex(ctx, cipher, NULL, kek, NULL, enc) == 1 &&
	     EVP_CipherUpdate(ctx, out, &n, in, (int)in_len) == 1 &&
	     EVP_CipherFinal_ex(ctx, out + n, &fin) == 1;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return enc ? IKE_E_CRYPTO : IKE_E_UNWRAP;
	*out_len = (size_t)n + (size_t)fin;
	return IKE_E_OK;
}

int ike_kwp_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len, uint8_t *out,
		 size_t cap, size_t *out_len)
{
	size_t n = 0;
	int e;

	if (!kek || !in || !out || !out_len || in_len == 0 || in_len > KWP_MAX_IN)
		return IKE_E_INVALID;
	if (cap < ike_kwp_wrapped_len(in_len))
		return IKE_E_NOSPACE;
	e = kwp(1, kek, kek_len, in, in_len, out, &n);
	if (e)
		return e;
	if (n != ike_kwp_wrapped_len(in_len)) {
		eesp_wipe(out, cap);
		return IKE_E_CRYPTO;
	}
	*out_len = n;
	return IKE_E_OK;
}

int ike_kwp_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	size_t n = 0;
	int e;

	if (!kek || !in || !out || !out_len)
		return IKE_E_INVALID;
	if (in_len < 16 || in_len % 8 || in_len > KWP_MAX_IN + 16)
		return IKE_E_UNWRAP;
	/* OpenSSL writes up to in_len - 8 octets before it checks the padding */
	if (cap < in_len - 8)
		return IKE_E_NOSPACE;
	e = kwp(0, kek, kek_len, in, in_len, out, &n);
	if (e) {
		eesp_wipe(out, in_len - 8);
		return e;
	}
	*out_len = n;
	return IKE_E_OK;
}
