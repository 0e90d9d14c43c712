/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowhash.h - the flow of an inner packet as a number in [lo, hi].
 *
 * eespd picks a flow's outer UDP source port (its send socket) and its
 * replay-table flow with this: packets of one flow always give the same
 * number, so a flow keeps its outer source port (ECMP and RSS on the path
 * see one flow) and its replay window.  The values are therefore behaviour:
 * test_flowhash.c pins them.
 */
#ifndef EESP_FLOWHASH_H
#define EESP_FLOWHASH_H

#include <stddef.h>
#include <stdint.h>

/*
 * The flow is the IPv4 addresses and protocol, or the IPv6 addresses, flow
 * label and next header, plus the first 4 bytes of the transport header
 * (the ports) for TCP, UDP, SCTP and UDP-Lite when they are there (not in
 * an IPv4 fragment; the IPv6 next header is taken as the transport).  Bytes
 * that are neither IPv4 nor IPv6 hash as protocol 0.  seed keys the hash
 * (per daemon, so a sender cannot aim its flows at one socket).
 * Requires lo <= hi.
 */
uint16_t eesp_flow_bucket(uint32_t seed, const uint8_t *inner, size_t len, uint16_t lo,
			  uint16_t hi);

#endif /* EESP_FLOWHASH_H */
