/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spialloc.h - the SPI a server's spi-alloc hands out next: never one it
 * handed out before, never one the configuration already uses.  No I/O: the
 * daemon keeps the state in a file (src/daemon/spistate.c) and passes in
 * the configured SPIs.
 *
 * A client's data key is a function of the server's root (EESP profile
 * spi) or master key (PSP) and the SPI, so two clients given one SPI hold
 * one key and can read and forge each other's traffic.  The allocator is a
 * sequential counter per range ("slot"):
 *   - EESP_SPIALLOC_EESP: profile spi, [spi_min, spi_max];
 *   - EESP_SPIALLOC_PSP0 / _PSP1: PSP, the 2^31 - 1 SPIs whose bit 31
 *     selects master key 0 / 1 (the low 31 bits must not be zero).
 * Each slot remembers the last SPI it handed out; the next one is the
 * smallest SPI above it (and in the range) that no configured range holds.
 *
 * Why an SPI is never handed out twice: every SPI eesp_spialloc_take()
 * returns for a slot is strictly greater than the slot's previous mark and
 * becomes the new mark, so the SPIs of a slot form a strictly increasing
 * sequence.  That holds across changes of the range too (the mark is an
 * absolute SPI, not an offset), and across restarts as long as the mark
 * was stored before the SPI left the daemon (the daemon's rule).  The slots
 * of PSP masters 0 and 1 are disjoint by bit 31; the EESP slot is only
 * used by an EESP daemon.
 *
 * The counter makes SPIs predictable; that is harmless because an SPI is
 * public (it is on the wire) and the key needs the server's secret.
 */
#ifndef EESP_SPIALLOC_H
#define EESP_SPIALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum eesp_spialloc_slot {
	EESP_SPIALLOC_EESP = 0, /* EESP profile spi: [spi_min, spi_max] */
	EESP_SPIALLOC_PSP0,	/* PSP master 0: 0x00000001 - 0x7fffffff */
	EESP_SPIALLOC_PSP1,	/* PSP master 1: 0x80000001 - 0xffffffff */
	EESP_SPIALLOC__SLOTS
};

struct eesp_spi_range {
	uint32_t lo, hi; /* inclusive */
};

struct eesp_spialloc_mark {
	bool used;	/* an SPI was handed out in this slot */
	uint32_t last;	/* the last (highest) one */
	uint64_t count; /* how many (for messages only) */
};

struct eesp_spialloc_state {
	struct eesp_spialloc_mark slot[EESP_SPIALLOC__SLOTS];
};

enum eesp_spialloc_result {
	EESP_SPIALLOC_OK = 0,
	EESP_SPIALLOC_EXHAUSTED, /* no free SPI above the mark in the range */
	EESP_SPIALLOC_INVALID,	 /* bad slot or range (caller error) */
};

/* The range of PSP master key m (0 or 1). */
struct eesp_spi_range eesp_spialloc_psp_range(unsigned master);

/* The next SPI of slot in range that is above the slot's mark and in none
 * of the n configured ranges (any order, may overlap, may lie outside the
 * range).  On EESP_SPIALLOC_OK: *spi is set and st's mark moved to it (the
 * caller stores st before it hands the SPI out); otherwise st is unchanged.
 * A PSP slot's range must lie within eesp_spialloc_psp_range() of its
 * master; no range may contain SPI 0. */
enum eesp_spialloc_result eesp_spialloc_take(struct eesp_spialloc_state *st,
					     enum eesp_spialloc_slot slot,
					     struct eesp_spi_range range,
					     const struct eesp_spi_range *configured, size_t n,
					     uint32_t *spi);

/* The state as text, one line per used slot after a comment header:
 *   "eesp 0x0000103f 60" / "psp0 ..." / "psp1 ..."  (slot, last SPI, count)
 * Returns the length, or 0 if cap is too small (EESP_SPIALLOC_TEXT_MAX
 * always suffices). */
#define EESP_SPIALLOC_TEXT_MAX 512
size_t eesp_spialloc_format(const struct eesp_spialloc_state *st, char *buf, size_t cap);

/* Parse what eesp_spialloc_format() wrote (comments and blank lines are
 * skipped).  Strict: an unknown slot name, a slot given twice, a malformed
 * or out-of-slot SPI, a count of 0, or a last line without its newline (a
 * torn file) is an error: -1 with *line (1-based, 0 = the whole text) and
 * *why set, and st cleared.  Empty text is the empty state. */
int eesp_spialloc_parse(const char *text, size_t len, struct eesp_spialloc_state *st,
			unsigned *line, const char **why);

/* "eesp", "psp0", "psp1" */
const char *eesp_spialloc_slot_name(enum eesp_spialloc_slot slot);

#endif /* EESP_SPIALLOC_H */
