/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_kwp.c - see ike_kwp.h (stub: not implemented yet). */
#include "ike_kwp.h"

size_t ike_kwa_key_len(uint16_t kwa)
{
	(void)kwa;
	return 0;
}

size_t ike_kwp_wrapped_len(size_t n)
{
	(void)n;
	return 0;
}

int ike_kwp_wrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len, uint8_t *out,
		 size_t cap, size_t *out_len)
{
	(void)kek;
	(void)kek_len;
	(void)in;
	(void)in_len;
	(void)out;
	(void)cap;
	(void)out_len;
	return IKE_E_UNSUPPORTED;
}

int ike_kwp_unwrap(const uint8_t *kek, size_t kek_len, const uint8_t *in, size_t in_len,
		   uint8_t *out, size_t cap, size_t *out_len)
{
	(void)kek;
	(void)kek_len;
	(void)in;
	(void)in_len;
	(void)out;
	(void)cap;
	(void)out_len;
	return IKE_E_UNSUPPORTED;
}
