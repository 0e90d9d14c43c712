/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spistate.h - spi-alloc's allocator state (core/spialloc.h) kept in the
 * state directory, one file per interface, "<interface>.spi".
 *
 * The file is read at the first spi-alloc and replaced (statefile_write:
 * new file, fsync, rename, directory fsync) before every SPI leaves the
 * daemon, so a crash after a reply never hands that SPI out again.  The
 * state directory descriptor is opened at the first spi-alloc too: control
 * requests are served only after the privilege drop, so the directory and
 * its files are only ever touched as the daemon user (statefile.h).
 * A missing file is a fresh allocator; a file that cannot be read or does
 * not parse is an error naming it, never a silent restart (which would
 * hand the same SPIs out again).
 */
#ifndef EESPD_SPISTATE_H
#define EESPD_SPISTATE_H

#include <stddef.h>
#include <stdint.h>

#include "spialloc.h"

struct cfg;

/* The next SPI of slot in range for the running snapshot c: above every
 * SPI this interface's allocator handed out before, and none that c
 * configures (spistate.c: configured_spis).  Stored durably before it
 * returns.  0 with *spi, or -1 with a message for the control reply in err
 * ("spi-alloc: ..."). */
int spistate_take(const struct cfg *c, enum eesp_spialloc_slot slot, struct eesp_spi_range range,
		  uint32_t *spi, char *err, size_t err_len);

#endif /* EESPD_SPISTATE_H */
