/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlverbs.h - one control request answered: parsed, checked against the
 * client's credentials, handled.
 */
#ifndef EESPD_CTLVERBS_H
#define EESPD_CTLVERBS_H

#include <stddef.h>

#include "ctlpeer.h"
#include "eespd.h"

/* The reply to one request line (complete or not; line has room for a NUL
 * at line[len]): "ok\n<body>" or "error <message>\n", malloc()ed (the
 * caller wipes and frees it); NULL if out of memory. */
char *ctlverbs_answer(struct eespd *e, const struct ctl_peer *peer, char *line, size_t len,
		      size_t *out_len);

#endif /* EESPD_CTLVERBS_H */
