/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_sk.c - see ike_sk.h (stub: not implemented yet). */
#include "ike_sk.h"

int ike_sk_cipher_init(struct ike_sk_cipher *c, uint16_t encr, const uint8_t *sk_e, size_t sk_e_len)
{
	(void)c;
	(void)encr;
	(void)sk_e;
	(void)sk_e_len;
	return IKE_E_UNSUPPORTED;
}

void ike_sk_cipher_free(struct ike_sk_cipher *c)
{
	(void)c;
}

size_t ike_sk_begin(struct ike_builder *b)
{
	(void)b;
	return 0;
}

int ike_sk_seal(struct ike_builder *b, size_t sk_off, struct ike_sk_cipher *c, uint64_t *iv_counter,
		size_t *len)
{
	(void)b;
	(void)sk_off;
	(void)c;
	(void)iv_counter;
	(void)len;
	return IKE_E_UNSUPPORTED;
}

int ike_sk_open(struct ike_sk_cipher *c, const struct ike_msg *m, uint8_t *pt, size_t cap,
		struct ike_chain *inner)
{
	(void)c;
	(void)m;
	(void)pt;
	(void)cap;
	(void)inner;
	return IKE_E_UNSUPPORTED;
}
