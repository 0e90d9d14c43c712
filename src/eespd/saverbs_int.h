/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * saverbs_int.h - what saverbs.c (the verbs that change runtime SAs) and
 * sastate.c (the state, the key serial, sa-list and sa-wait) share.
 */
#ifndef EESPD_SAVERBS_INT_H
#define EESPD_SAVERBS_INT_H

#include <stdint.h>

#include "eespd.h"
#include "rtsa.h"
#include "strbuf.h"

struct sastate {
	struct rtsa *t;	     /* the runtime SAs in force */
	uint64_t key_serial; /* saverbs.h */
	uint8_t key_id[32];  /* SHA-256 over the allocation keys of key_id_of */
	uint64_t key_id_of;  /* the snapshot serial key_id belongs to; 0: none yet */
};

/* eespd's runtime SA state, made at the first use; NULL if out of memory
 * (err set). */
struct sastate *sastate_of(struct eespd *e, char *err, size_t el);

/* "keys ..." lines (or the JSON "domains" array) of the running snapshot:
 * what new allocations are derived under. */
void sastate_keys(struct strbuf *b, bool json, const struct snap *s);

#endif /* EESPD_SAVERBS_INT_H */
