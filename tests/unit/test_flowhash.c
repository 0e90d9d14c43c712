/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_flowhash.c - eesp_flow_bucket gives the numbers the daemon's own flow
 * hash (src/daemon/tx.c flow_bucket, before it moved to the core) gave for
 * the same packets: the expected values were computed with that code, so a
 * flow keeps its outer source port and its replay flow across the move.
 */
#include <criterion/criterion.h>

#include "flowhash.h"
#include "testhex.h"

#define REPLAY_SEED 0x45455350u /* the seed rx.c uses for the replay flow */

static const struct {
	const char *what, *hex;
	uint16_t replay, of4, high, one;
} PKTS[] = {
    {"ipv4 udp 192.0.2.1:5000 -> 198.51.100.2:6000",
     "4500001c000100004011f000c0000201c63364021388177000080000", 4752, 1, 52164, 7},
    {"the same, source port 5001", "4500001c000100004011f000c0000201c63364021389177000080000",
     34276, 1, 49927, 7},
    {"ipv4 tcp 192.0.2.1:443 -> 203.0.113.9:55000",
     "45000028000200004006f000c0000201cb00710901bbd6d800000000000000005002ffff00000000", 3133, 3,
     60865, 7},
    {"ipv4 udp first fragment (MF): no ports",
     "4500001c000320004011f000c0000201c63364021388177000080000", 43859, 1, 58566, 7},
    {"ipv4 icmp echo", "4500001c000400004001f000c0000201c633640208000000abcd0001", 23755, 1, 55195,
     7},
    {"ipv6 udp 2001:db8::1:5000 -> 2001:db8::2:6000, flow label 0x12345",
     "600123450008114020010db800000000000000000000000120010db8000000000000000000000002138817700"
     "0080000",
     35186, 0, 59489, 7},
    {"ipv6 tcp 2001:db8::1:50000 -> 2001:db8::2:443",
     "600000000014064020010db800000000000000000000000120010db8000000000000000000000002c35001bb0"
     "0000000000000005002000000000000",
     29798, 3, 64764, 7},
    {"ten bytes, too short for either header", "45000000000000004011", 61205, 3, 59210, 7},
    {"ipv4 with an option word: ports after it",
     "46000020000500004011f000c0000201c6336402010203041388177000080000", 4752, 1, 52164, 7},
    {"ipv4 udp cut before the ports", "45000016000600004011f000c0000201c63364021388", 43859, 1,
     58566, 7},
};

Test(flowhash, pinned_values)
{
	for (size_t i = 0; i < sizeof(PKTS) / sizeof(PKTS[0]); i++) {
		uint8_t b[128];
		size_t n = th_unhex(PKTS[i].hex, b, sizeof(b));
		cr_expect_eq(eesp_flow_bucket(REPLAY_SEED, b, n, 0, 65535), PKTS[i].replay, "%s",
			     PKTS[i].what);
		cr_expect_eq(eesp_flow_bucket(0x12345678u, b, n, 0, 3), PKTS[i].of4, "%s",
			     PKTS[i].what);
		cr_expect_eq(eesp_flow_bucket(0, b, n, 49152, 65535), PKTS[i].high, "%s",
			     PKTS[i].what);
		cr_expect_eq(eesp_flow_bucket(REPLAY_SEED, b, n, 7, 7), PKTS[i].one, "%s",
			     PKTS[i].what);
	}
}

/* What is not part of the flow does not move it: the IPv4 ID, TTL, checksum
 * and the payload after the ports. */
Test(flowhash, ignores_what_is_not_the_flow)
{
	uint8_t a[28], b[28];
	th_unhex("4500001c000100004011f000c0000201c63364021388177000080000", a, sizeof(a));
	memcpy(b, a, sizeof(b));
	b[4] = 0x99;  /* ID */
	b[8] = 0x01;  /* TTL */
	b[10] = 0x12; /* checksum */
	b[24] = 0xff; /* UDP length, past the ports */
	cr_assert_eq(eesp_flow_bucket(7, a, sizeof(a), 0, 65535),
		     eesp_flow_bucket(7, b, sizeof(b), 0, 65535));
	b[21] = 0x89; /* the source port */
	cr_assert_neq(eesp_flow_bucket(7, a, sizeof(a), 0, 65535),
		      eesp_flow_bucket(7, b, sizeof(b), 0, 65535));
}
