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

struct spistate;
struct snap;

/* The allocator of interface ifname in the state directory dirfd (the
 * daemon's, opened after the privilege drop; state_dir names it in
 * messages).  The file is read at the first allocation.  NULL: no memory. */
struct spistate *spistate_new(int dirfd, const char *state_dir, const char *ifname);
void spistate_free(struct spistate *g);

/* The next SPI of slot in range for the running snapshot s, allocated for
 * its domain self: above every SPI the slot handed out before, and none
 * that s configures; persisted before it is returned.  0, or -1 with err. */
int spistate_take(struct spistate *g, const struct snap *s, unsigned self,
		  enum eesp_spialloc_slot slot, struct eesp_spi_range range, uint32_t *spi,
		  char *err, size_t err_len);

#endif /* EESPD_SPISTATE_H */
