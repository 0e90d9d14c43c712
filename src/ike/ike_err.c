/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_err.c - names of the IKE core's refusal codes (ike_err.h). */
#include "ike_err.h"

const char *ike_err_name(int err)
{
	static const char *const names[] = {
#define IKE_ERR_NAME(n, s) s,
	    IKE_ERR_LIST(IKE_ERR_NAME)
#undef IKE_ERR_NAME
	};
	if (err < 0 || err >= IKE_E__COUNT)
		return "unknown";
	return names[err];
}
