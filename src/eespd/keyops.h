/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyops.h - building the next snapshot: a reload of the configuration and
 * key files, or a rotation or retirement of one key ring in memory; each
 * publishes its snapshot, so the workers switch between batches without
 * losing a packet.
 */
#ifndef EESPD_KEYOPS_H
#define EESPD_KEYOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eespd.h"

/* Re-read the configuration file and its key files.  Settings that need a
 * restart are kept (and named in a warning); 0, or -1 with err (the
 * running configuration stays). */
int keyops_reload(struct eespd *e, char *err, size_t err_len);

/* Level (enum eesp_level) id of the first domain: next becomes current
 * (retire: drop the previous generation).  0, or -1 with err. */
int keyops_rotate(struct eespd *e, int level, uint32_t id, bool retire, char *err, size_t err_len);

#endif /* EESPD_KEYOPS_H */
