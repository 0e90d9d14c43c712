/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_cookie.c - see ike_cookie.h (stub: not implemented yet). */
#include "ike_cookie.h"

void ike_cookie_init(struct ike_cookie_secrets *s, const uint8_t secret[IKE_COOKIE_SECRET_LEN])
{
	(void)s;
	(void)secret;
}

void ike_cookie_rotate(struct ike_cookie_secrets *s, const uint8_t secret[IKE_COOKIE_SECRET_LEN])
{
	(void)s;
	(void)secret;
}

void ike_cookie_wipe(struct ike_cookie_secrets *s)
{
	(void)s;
}

int ike_cookie_make(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		    const uint8_t *ip, size_t ip_len, const uint8_t spi_i[IKE_SPI_LEN],
		    uint8_t out[IKE_COOKIE_LEN])
{
	(void)s;
	(void)ni;
	(void)ni_len;
	(void)ip;
	(void)ip_len;
	(void)spi_i;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_cookie_verify(const struct ike_cookie_secrets *s, const uint8_t *ni, size_t ni_len,
		      const uint8_t *ip, size_t ip_len, const uint8_t spi_i[IKE_SPI_LEN],
		      const uint8_t *cookie, size_t cookie_len)
{
	(void)s;
	(void)ni;
	(void)ni_len;
	(void)ip;
	(void)ip_len;
	(void)spi_i;
	(void)cookie;
	(void)cookie_len;
	return IKE_E_UNSUPPORTED;
}
