/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errors.c - stable names of the rejection codes (see errors.h).
 */
#include "errors.h"

static const char *const eesp_err_names[EESP_E__COUNT] = {
#define EESP_ERR_NAME(n, s) [EESP_E_##n] = s,
    EESP_ERR_LIST(EESP_ERR_NAME)
#undef EESP_ERR_NAME
};

const char *eesp_err_name(int err)
{
	if (err < 0 || err >= EESP_E__COUNT)
		return "unknown";
	return eesp_err_names[err];
}
