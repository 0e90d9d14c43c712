/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_dh.c - see ike_dh.h (stub: not implemented yet). */
#include "ike_dh.h"

size_t ike_dh_public_len(uint16_t group)
{
	(void)group;
	return 0;
}

int ike_dh_generate(struct ike_dh *dh, uint16_t group)
{
	(void)dh;
	(void)group;
	return IKE_E_UNSUPPORTED;
}

int ike_dh_set_private(struct ike_dh *dh, uint16_t group, const uint8_t *priv, size_t len)
{
	(void)dh;
	(void)group;
	(void)priv;
	(void)len;
	return IKE_E_UNSUPPORTED;
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap, size_t *len)
{
	(void)dh;
	(void)out;
	(void)cap;
	(void)len;
	return IKE_E_UNSUPPORTED;
}

int ike_dh_shared(const struct ike_dh *dh, const uint8_t *peer, size_t peer_len, uint8_t *out,
		  size_t cap, size_t *len)
{
	(void)dh;
	(void)peer;
	(void)peer_len;
	(void)out;
	(void)cap;
	(void)len;
	return IKE_E_UNSUPPORTED;
}

void ike_dh_free(struct ike_dh *dh)
{
	(void)dh;
}
