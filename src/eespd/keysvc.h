/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keysvc.h - spi-alloc: a fresh SPI and its data key for an out-of-band
 * client (PSP under the current master key, or an EESP profile-spi client).
 */
#ifndef EESPD_KEYSVC_H
#define EESPD_KEYSVC_H

#include <stddef.h>

#include "ctlproto.h"
#include "eespd.h"
#include "strbuf.h"

/* The reply body in b (text or JSON, per r); 0, or -1 with err. */
int keysvc_spi_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t err_len);

#endif /* EESPD_KEYSVC_H */
