/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlproto_int.h - what ctlproto.c (the request line and the older verbs)
 * and ctlsa.c (the sa-* verbs' arguments) share.  Not an interface.
 */
#ifndef EESP_CTLPROTO_INT_H
#define EESP_CTLPROTO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctlproto.h"

#define CTL_MAX_ARGS 12

/* -1, with the message in err (when there is room). */
int eesp_ctl_fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Is token t (n bytes) the word s? */
bool eesp_ctl_tok_is(const char *t, size_t n, const char *s);
/* Decimal, no sign, no leading zero, at most max; 0 or -1. */
int eesp_ctl_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);

/* The arguments (tok[0 .. n)) of an sa-* verb into req (its verb set). */
int eesp_ctl_parse_sa(struct eesp_ctl_req *req, const char *const *tok, const size_t *tlen,
		      size_t n, char *err, size_t err_len);
/* The request line of an sa-* verb; 0 if invalid or cap is short. */
size_t eesp_ctl_format_sa(const struct eesp_ctl_req *req, const char *verb, char *out, size_t cap);

#endif /* EESP_CTLPROTO_INT_H */
