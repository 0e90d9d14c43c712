/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_gcks_state.h - the text of a domain key server's state file
 * (eesp-iked.conf(5) gcks.state_file): every ring's live generations with
 * their keys and the times needed to resume its schedule, and the names of
 * the members removed.  Pure: formatting into and parsing from a buffer
 * the caller owns (locked memory: the text holds keys).
 *
 *   eesp-gcks-state 1
 *   domain 0xc0ffee01
 *   serial 17
 *   written 1765094400000                       (wall clock, ms)
 *   ring group 5 step retire at 1765094410000 removal 1 own 1 switched 1765094400000
 *   gen previous 3 <64 hex digits> born 1765094300000
 *   gen current 4 <64 hex digits> born 1765094390000
 *   removed gw4
 *   end
 *
 * `gen` lines belong to the `ring` line above them; every ring has a
 * current generation; slots once each, previous < current < next, all
 * within three.  `own 1`: the server made the current generation itself
 * (a rotation or a removal), so only a key set whose current generation
 * is above it replaces the ring.  The last line is `end`: a file without
 * it is torn.  Every time is wall-clock ms (0: none).
 */
#ifndef EESP_IKE_GCKS_STATE_H
#define EESP_IKE_GCKS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike_gcks.h"

#define IKE_GCKS_STATE_MAX_RINGS 129	/* 1 + 64 tenants + 64 groups (keys.h) */
#define IKE_GCKS_STATE_NAME_MAX 64	/* a peer's name, with its NUL */
#define IKE_GCKS_STATE_MAX_REMOVED 4096 /* IKED_MAX_PEERS */
#define IKE_GCKS_STATE_MAX_TEXT (1u << 20)

struct ike_gcks_state_ring {
	struct ike_gcks_ring r;
	uint8_t step; /* 0 none, 1 switch, 2 retire (gcks_int.h enum gcks_step) */
	bool removal; /* the step serves a removal */
	bool own;     /* the current generation is the server's own */
	int64_t at;   /* when the step is due (wall ms), 0: none */
	int64_t born[3];
	int64_t switched;
};

struct ike_gcks_state {
	uint32_t domain;
	uint64_t serial;
	int64_t written;
	unsigned n;
	struct ike_gcks_state_ring ring[IKE_GCKS_STATE_MAX_RINGS];
};

/* The removed members' names (not secret: plain memory). */
struct ike_gcks_removed {
	unsigned n;
	char name[IKE_GCKS_STATE_MAX_REMOVED][IKE_GCKS_STATE_NAME_MAX];
};

/* s and rm as text into buf (cap octets, NUL-terminated); the length, or
 * 0 when it does not fit. */
size_t ike_gcks_state_format(const struct ike_gcks_state *s, const struct ike_gcks_removed *rm,
			     char *buf, size_t cap);

/* text (len octets) into s and rm; 0, or -1 with "name:line: problem" in
 * err (s is then wiped). */
int ike_gcks_state_parse(const char *text, size_t len, const char *name, struct ike_gcks_state *s,
			 struct ike_gcks_removed *rm, char *err, size_t el);

#endif /* EESP_IKE_GCKS_STATE_H */
