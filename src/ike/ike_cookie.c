/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_cookie.c - stateless IKE_SA_INIT cookies, RFC 7296 §2.6 (ike_cookie.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ike_cookie.h"
#include "ike_wire.h"
#include "secmem.h"

void ike_cookie_init(struct ike_cookie_secrets *s, const uint8_t secret[IKE_COOKIE_SECRET_LEN])
{
	memset(s, 0, sizeof(*s));
	s->version = 1;
	memcpy(s->cur, secret, IKE_COOKIE_SECRET_LEN);
}

void ike_cookie_rotate(struct ike_cookie_secrets *s, const uint8_t secret[IKE_COOKIE_SECRET_LEN])
{
	memcpy(s->prev, s->cur, IKE_COOKIE_SECRET_LEN);
	memcpy(s->cur, secret, IKE_COOKIE_SECRET_LEN);
	s->have_prev = 1;
	s->version++;
}

void ike_cookie_wipe(struct ike_cookie_secrets *s)
{
	eesp_wipe(s, sizeof(*s));
}

/* version(4) | SHA-256(Ni | IPi | SPIi | secret) */
static int cookie_for(uint32_t version, const uint8_t secret[IKE_COOKIE_SECRET_LEN],
		      const uint8_t *ni, size_t ni_len, const uint8_t *ip, size_t ip_len,
		      const uint8_t spi_i[IKE_SPI_LEN], uint8_t out[IKE_COOKIE_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int n = 0;
	int ok;

	if (!md)
		return IKE_E_CRYPTO;
	ike_put32(out, version);
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     EVP_DigestUpdate(md, ni, ni_len) == 1 && EVP_DigestUpdate(md, ip, ip_len) == 1 &&
	     EVP_DigestUpdate(md, spi_i, IKE_SPI_LEN) == 1 &&
	     EVP_DigestUpdate(md, secret, IKE_COOKIE_SECRET_LEN) == 1 &&
	     EVP_DigestFinal_ex(md, out + 4, &n) == 1 && n == IKE_COOKIE_LEN - 4;
	EVP_MD_CTX_free(md);
	return ok ? IKE_E_OK : IKE_E_CRYPTO;
}

static int args_ok(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		   const uint8_t *ip, size_t ip_len, const uint8_t *spi_i)
{
	return s && ni && ni_len && ip && (ip_len == 4 || ip_len == 16) && spi_i;
}

int ike_cookie_make(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		    const uint8_t *ip, size_t ip_len, const uint8_t spi_i[IKE_SPI_LEN],
		    uint8_t out[IKE_COOKIE_LEN])
{
	if (!args_ok(s, ni, ni_len, ip, ip_len, spi_i) || !out)
		return IKE_E_INVALID;
	return cookie_for(s->version, s->cur, ni, ni_len, ip, ip_len, spi_i, out);
}

int ike_cookie_verify(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		      const uint8_t *ip, size_t ip_len, const uint8_t spi_i[IKE_SPI_LEN],
		      const uint8_t *cookie, size_t cookie_len)
{
	const uint8_t *secret;
	uint8_t want[IKE_COOKIE_LEN];
	uint32_t v;
	int e;

	if (!args_ok(s, ni, ni_len, ip, ip_len, spi_i) || !cookie)
		return IKE_E_INVALID;
	if (cookie_len != IKE_COOKIE_LEN)
		return IKE_E_COOKIE;
	v = ike_get32(cookie);
	if (v == s->version)
		secret = s->cur;
	else if (s->have_prev && v == s->version - 1)
		secret = s->prev;
	else
		return IKE_E_COOKIE;
	e = cookie_for(v, secret, ni, ni_len, ip, ip_len, spi_i, want);
	if (!e && CRYPTO_memcmp(want, cookie, IKE_COOKIE_LEN) != 0)
		e = IKE_E_COOKIE;
	return e;
}
