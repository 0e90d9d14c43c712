/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_crypto.c - see ike_crypto.h (stub: not implemented yet). */
#include "ike_crypto.h"

size_t ike_prf_len(uint16_t prf)
{
	(void)prf;
	return 0;
}

int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
	    uint8_t *out)
{
	(void)prf;
	(void)key;
	(void)key_len;
	(void)data;
	(void)data_len;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_prf_v(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
	      unsigned n, uint8_t *out)
{
	(void)prf;
	(void)key;
	(void)key_len;
	(void)parts;
	(void)n;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len)
{
	(void)prf;
	(void)key;
	(void)key_len;
	(void)seed;
	(void)seed_len;
	(void)out;
	(void)out_len;
	return IKE_E_UNSUPPORTED;
}

int ike_prf_plus_v(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
		   unsigned n, uint8_t *out, size_t out_len)
{
	(void)prf;
	(void)key;
	(void)key_len;
	(void)parts;
	(void)n;
	(void)out;
	(void)out_len;
	return IKE_E_UNSUPPORTED;
}

int ike_suite_from_proposal(const struct ike_proposal *p, struct ike_suite *s)
{
	(void)p;
	(void)s;
	return IKE_E_UNSUPPORTED;
}

size_t ike_suite_ek_len(const struct ike_suite *s)
{
	(void)s;
	return 0;
}

struct ike_keys *ike_keys_new(void)
{
	return NULL;
}

void ike_keys_free(struct ike_keys *k)
{
	(void)k;
}

void ike_keys_wipe(struct ike_keys *k)
{
	(void)k;
}

int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *gir, size_t gir_len, uint8_t *out)
{
	(void)prf;
	(void)ni;
	(void)ni_len;
	(void)nr;
	(void)nr_len;
	(void)gir;
	(void)gir_len;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_skeyseed_rekey(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
		       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t *out)
{
	(void)prf_old;
	(void)sk_d_old;
	(void)sk_d_len;
	(void)gir;
	(void)gir_len;
	(void)ni;
	(void)ni_len;
	(void)nr;
	(void)nr_len;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_derive_keys(const struct ike_suite *s, const uint8_t *skeyseed, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		    struct ike_keys *k)
{
	(void)s;
	(void)skeyseed;
	(void)ni;
	(void)ni_len;
	(void)nr;
	(void)nr_len;
	(void)spi_i;
	(void)spi_r;
	(void)k;
	return IKE_E_UNSUPPORTED;
}

int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		     size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint8_t *out, size_t out_len)
{
	(void)prf;
	(void)sk_d;
	(void)sk_d_len;
	(void)gir;
	(void)gir_len;
	(void)ni;
	(void)ni_len;
	(void)nr;
	(void)nr_len;
	(void)out;
	(void)out_len;
	return IKE_E_UNSUPPORTED;
}

int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
		 size_t msg_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
		 size_t sk_p_len, const uint8_t *id_body, size_t id_len, uint8_t *out)
{
	(void)prf;
	(void)psk;
	(void)psk_len;
	(void)real_msg;
	(void)msg_len;
	(void)nonce;
	(void)nonce_len;
	(void)sk_p;
	(void)sk_p_len;
	(void)id_body;
	(void)id_len;
	(void)out;
	return IKE_E_UNSUPPORTED;
}

int ike_psk_auth_verify(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
			size_t msg_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
			size_t sk_p_len, const uint8_t *id_body, size_t id_len, const uint8_t *auth,
			size_t auth_len)
{
	(void)prf;
	(void)psk;
	(void)psk_len;
	(void)real_msg;
	(void)msg_len;
	(void)nonce;
	(void)nonce_len;
	(void)sk_p;
	(void)sk_p_len;
	(void)id_body;
	(void)id_len;
	(void)auth;
	(void)auth_len;
	return IKE_E_UNSUPPORTED;
}

int ike_kwk_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const char *label,
		   uint8_t *out, size_t out_len)
{
	(void)prf;
	(void)sk_d;
	(void)sk_d_len;
	(void)label;
	(void)out;
	(void)out_len;
	return IKE_E_UNSUPPORTED;
}
