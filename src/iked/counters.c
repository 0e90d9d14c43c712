// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * counters.c - names of eesp-iked's counters (counters.h).
 */
#include "counters.h"

#include <stddef.h>

static const struct {
	const char *name;
	bool drop;
} own[] = {
#define IKED_CNT_NAME(n, s, d) {s, d},
    IKED_COUNTER_LIST(IKED_CNT_NAME)
#undef IKED_CNT_NAME
};

const char *iked_counter_name(unsigned i)
{
	if (i == 0 || i >= CNT__COUNT)
		return NULL;
	if (i < IKE_E__COUNT)
		return ike_err_name((int)i);
	return own[i - IKE_E__COUNT].name;
}

bool iked_counter_is_drop(unsigned i)
{
	if (i == 0 || i >= CNT__COUNT)
		return false;
	if (i < IKE_E__COUNT)
		return true; /* the core refused the bytes */
	return own[i - IKE_E__COUNT].drop;
}
