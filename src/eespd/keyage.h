/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyage.h - since when eespd holds each root key generation (and PSP
 * master key) in force, for the metrics' key ages (metrics.h).
 *
 * A key is known by its domain's name, level, id, generation and
 * fingerprint (a key rewritten under the same generation is a new one).
 * keyage_note() is called with every snapshot published (publish.c, and
 * the first at start, main.c): keys it has not seen are stamped with now,
 * keys no longer in force are forgotten.  Main thread only.  The age is
 * this process's: a restart stamps every key anew.
 */
#ifndef EESPD_KEYAGE_H
#define EESPD_KEYAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "snap.h"

struct keyage;

struct keyage *keyage_new(void);
void keyage_free(struct keyage *k);
/* Stamp the keys of snapshot s (k NULL: nothing). */
void keyage_note(struct keyage *k, const struct snap *s, time_t now);
/* When eespd first held this key (0: unknown).  level: enum eesp_level, or
 * KEYAGE_LEVEL_PSP for a PSP master key (id = its index, generation 0). */
#define KEYAGE_LEVEL_PSP 3
time_t keyage_since(const struct keyage *k, const char *dom, unsigned level, uint32_t id,
		    uint32_t generation, const uint8_t *key, size_t key_len);

#endif /* EESPD_KEYAGE_H */
