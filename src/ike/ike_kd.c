/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_kd.c - see ike_kd.h (stub: not implemented yet). */
#include "ike_kd.h"

int ike_kd_parse(const struct ike_payload *p, struct ike_kd *kd)
{
	(void)p;
	(void)kd;
	return IKE_E_UNSUPPORTED;
}

int ike_wrapped_key_parse(const struct ike_attr *a, struct ike_wrapped_key *wk)
{
	(void)a;
	(void)wk;
	return IKE_E_UNSUPPORTED;
}

int ike_bag_sa_key(const struct ike_key_bag *bag, struct ike_wrapped_key *wk)
{
	(void)bag;
	(void)wk;
	return IKE_E_UNSUPPORTED;
}

void ike_put_group_key_bag(struct ike_builder *b, uint8_t proto, const uint8_t *spi,
			   uint8_t spi_size, uint32_t key_id, uint32_t kwk_id,
			   const uint8_t *wrapped, size_t wrapped_len)
{
	(void)b;
	(void)proto;
	(void)spi;
	(void)spi_size;
	(void)key_id;
	(void)kwk_id;
	(void)wrapped;
	(void)wrapped_len;
}

void ike_put_member_key_bag(struct ike_builder *b, const uint8_t *attrs, size_t attrs_len)
{
	(void)b;
	(void)attrs;
	(void)attrs_len;
}
