// SPDX-License-Identifier: GPL-2.0-or-later
/* counters.c - counter names. */
#include "counters.h"

static const char *const extra_names[] = {
#define EESPD_CNT_NAME(n, s) s,
    EESPD_COUNTER_LIST(EESPD_CNT_NAME)
#undef EESPD_CNT_NAME
};

const char *counter_name(unsigned i)
{
	if (i < EESP_E__COUNT)
		return eesp_err_name((int)i);
	if (i < CNT__COUNT)
		return extra_names[i - EESP_E__COUNT];
	return "unknown";
}

int counter_is_drop(unsigned i)
{
	if (i > 0 && i < EESP_E__COUNT)
		return 1;
	switch (i) {
	case CNT_KEEPALIVE:
	case CNT_IKE:
	case CNT_ESP:
	case CNT_OVERSIZE_RX:
	case CNT_TUN_WRITE_ERR:
	case CNT_NON_IP:
	case CNT_SEND_ERR:
	case CNT_TX_NO_BUFFER:
	case CNT_IV_EXHAUSTED:
	case CNT_PROXY_DENIED:
	case CNT_REPLAY_TOO_OLD:
	case CNT_SN_FUTURE:
	case CNT_BAD_SESSION:
	case CNT_UNKNOWN_SPI:
	case CNT_SA_RELEASED:
	case CNT_NO_TX_SA:
		return 1;
	default:
		return 0;
	}
}
