/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rootset.h - root-set: a ring's live generations (previous, current,
 * next) replaced in one published snapshot, for a domain whose root keys
 * come from eesp-iked's key server role (key_server = true).  The same
 * path as a key-directory swap or a rotation: clone the running snapshot,
 * change its key set, recompute the phases, publish; the workers switch
 * between batches, and the prev/cur/next model makes each step lossless.
 */
#ifndef EESPD_ROOTSET_H
#define EESPD_ROOTSET_H

#include <stddef.h>

#include "ctlproto.h"
#include "eespd.h"
#include "strbuf.h"

/* The verb (class admin); 0, or -1 with err. */
int rootset_verb(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		 size_t el);

/* A reload keeps what root-set installed: each key_server domain of next
 * takes the key set of the running domain of that name. */
void rootset_carry(const struct snap *running, struct snap *next);

#endif /* EESPD_ROOTSET_H */
