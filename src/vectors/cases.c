/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cases.c - what the vectors are: the root keys of vectors/keys/eesp.keys,
 * the EESP cases (profile x KDF x suite, rotation, epochs, levels, crypt
 * offsets), the PSP cases, the receive-rule cases and the PSP AES-GMAC cases.  The order is part of
 * the output: a case's number gives its SN, source port and timestamp, so
 * a new case goes at the end of a table whose cases come last (RCASES).
 */
#include "vecgen.h"

#define T EESP_SCTX_FLAG_T
#define G EESP_SCTX_FLAG_G
#define CM EESP_KDF_CMAC_AES256
#define HM EESP_KDF_HMAC_SHA256
#define S128 EESP_SUITE_AES_GCM_128
#define S256 EESP_SUITE_AES_GCM_256
#define SPI EESP_PROFILE_SPI
#define NODE EESP_PROFILE_NODE
#define PAIR EESP_PROFILE_PAIR
#define TENANT EESP_PROFILE_TENANT

/* The key file the cases use (vectors/keys/eesp.keys): domain generations
 * 7 (previous), 8 (current), 9 (next); tenants 5 and 6; groups 9 and 4. */
const struct vkey VEC_KEYS[] = {
    {EESP_LEVEL_DOMAIN, 0, 7, false}, {EESP_LEVEL_DOMAIN, 0, 8, false},
    {EESP_LEVEL_DOMAIN, 0, 9, true},  {EESP_LEVEL_TENANT, 5, 1, false},
    {EESP_LEVEL_TENANT, 5, 2, false}, {EESP_LEVEL_TENANT, 6, 8, false},
    {EESP_LEVEL_GROUP, 9, 2, false},  {EESP_LEVEL_GROUP, 9, 3, false},
    {EESP_LEVEL_GROUP, 4, 0, false},
};

const size_t VEC_NKEYS = sizeof(VEC_KEYS) / sizeof(VEC_KEYS[0]);

/* name, description,
 * profile, KDF, suite, flags, tenant, group, generations, epoch, Session ID,
 * crypt offset, inner packet, SPI (spi profile) */
/* clang-format off */
const struct vcase VEC_CASES[] = {
    /* profile x KDF x suite, domain generation 8 (current), optimized format */
    {"spi-cmac-128", "spi profile, CMAC, AES-GCM-128",
     SPI, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0x1001},
    {"spi-cmac-256", "spi profile, CMAC, AES-GCM-256",
     SPI, CM, S256, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0x1002},
    {"spi-hmac-128", "spi profile, HMAC, AES-GCM-128",
     SPI, HM, S128, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0x1003},
    {"spi-hmac-256", "spi profile, HMAC, AES-GCM-256",
     SPI, HM, S256, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0x1004},
    {"node-cmac-128", "node profile, CMAC, AES-GCM-128",
     NODE, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0},
    {"node-cmac-256", "node profile, CMAC, AES-GCM-256",
     NODE, CM, S256, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0},
    {"node-hmac-128", "node profile, HMAC, AES-GCM-128",
     NODE, HM, S128, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0},
    {"node-hmac-256", "node profile, HMAC, AES-GCM-256",
     NODE, HM, S256, 0, 0, 0, {8, 0, 0}, 1000, 1, 0, IN_UDP4, 0},
    {"pair-cmac-128", "pair profile, CMAC, AES-GCM-128",
     PAIR, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 2, 0, IN_UDP6, 0},
    {"pair-cmac-256", "pair profile, CMAC, AES-GCM-256",
     PAIR, CM, S256, 0, 0, 0, {8, 0, 0}, 1000, 2, 0, IN_UDP6, 0},
    {"pair-hmac-128", "pair profile, HMAC, AES-GCM-128",
     PAIR, HM, S128, 0, 0, 0, {8, 0, 0}, 1000, 2, 0, IN_UDP6, 0},
    {"pair-hmac-256", "pair profile, HMAC, AES-GCM-256",
     PAIR, HM, S256, 0, 0, 0, {8, 0, 0}, 1000, 2, 0, IN_UDP6, 0},
    {"tenant-cmac-128", "tenant profile (tenant 5), CMAC, AES-GCM-128",
     TENANT, CM, S128, T, 5, 0, {8, 2, 0}, 1000, 3, 0, IN_UDP4, 0},
    {"tenant-cmac-256", "tenant profile (tenant 5), CMAC, AES-GCM-256",
     TENANT, CM, S256, T, 5, 0, {8, 2, 0}, 1000, 3, 0, IN_UDP4, 0},
    {"tenant-hmac-128", "tenant profile (tenant 5), HMAC, AES-GCM-128",
     TENANT, HM, S128, T, 5, 0, {8, 2, 0}, 1000, 3, 0, IN_UDP4, 0},
    {"tenant-hmac-256", "tenant profile (tenant 5), HMAC, AES-GCM-256",
     TENANT, HM, S256, T, 5, 0, {8, 2, 0}, 1000, 3, 0, IN_UDP4, 0},
    /* rotation: other live generations, levels in different phases */
    {"rot-node-prev7",
     "rotation: node profile sent with the previous domain generation 7 (phase 3)",
     NODE, CM, S256, 0, 0, 0, {7, 0, 0}, 1000, 1, 0, IN_UDP4, 0},
    {"rot-node-next9", "rotation: node profile sent with the next domain generation 9 (phase 1)",
     NODE, CM, S256, 0, 0, 0, {9, 0, 0}, 1000, 1, 0, IN_UDP4, 0},
    {"rot-tenant-d7-t8",
     "rotation: tenant 6, domain generation 7 (phase 3) with tenant generation 8 (phase 0)",
     TENANT, HM, S256, T, 6, 0, {7, 8, 0}, 1000, 3, 0, IN_UDP4, 0},
    {"rot-tenant-t1", "rotation: tenant 5 previous generation 1 (phase 1), domain 8 (phase 0)",
     TENANT, CM, S128, T, 5, 0, {8, 1, 0}, 1000, 3, 0, IN_UDP4, 0},
    /* epoch change: same everything, next epoch -> a different data key */
    {"epoch-1000", "epoch 1000 (compare with epoch-1001: only the epoch differs)",
     NODE, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 4, 0, IN_UDP4, 0},
    {"epoch-1001", "epoch 1001 (compare with epoch-1000)",
     NODE, CM, S128, 0, 0, 0, {8, 0, 0}, 1001, 4, 0, IN_UDP4, 0},
    {"epoch-wrap", "epoch 0xffffffff (serial arithmetic wraps)",
     PAIR, HM, S128, 0, 0, 0, {8, 0, 0}, 4294967295, 4, 0, IN_UDP4, 0},
    /* tenant and group levels */
    {"tenant-group-cmac-256", "tenant profile with tenant 5 and group 9 levels (all three roots)",
     TENANT, CM, S256, T | G, 5, 9, {8, 2, 3}, 1000, 5, 0, IN_UDP4, 0},
    {"node-group-hmac-128", "node profile with the group 4 level only",
     NODE, HM, S128, G, 0, 4, {8, 0, 0}, 1000, 5, 0, IN_UDP6, 0},
    {"pair-tenant-group-hmac-256",
     "pair profile with tenant 6 (generation 8) and group 9 (generation 2)",
     PAIR, HM, S256, T | G, 6, 9, {9, 8, 2}, 1000, 5, 0, IN_UDP4, 0},
    /* crypt offset (full format, Payload Info Header) */
    {"co1-node-v4", "crypt offset 1: Payload Info Header in clear",
     NODE, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 6, 1, IN_UDP4, 0},
    {"co7-node-v4", "crypt offset 7: PIH + IPv4 header + UDP ports in clear",
     NODE, CM, S256, 0, 0, 0, {8, 0, 0}, 1000, 6, 7, IN_UDP4, 0},
    {"co7-tenant-icmp", "crypt offset 7, tenant profile, ICMP echo inner",
     TENANT, HM, S128, T, 5, 0, {8, 2, 0}, 1000, 6, 7, IN_ICMP4, 0},
    {"co11-pair-v6", "crypt offset 11: PIH + IPv6 header in clear",
     PAIR, HM, S256, 0, 0, 0, {8, 0, 0}, 1000, 6, 11, IN_UDP6, 0},
    {"co0-spi-v6", "spi profile, IPv6 inner, crypt offset 0 (optimized format)",
     SPI, CM, S256, 0, 0, 0, {8, 0, 0}, 1000, 6, 0, IN_UDP6, 0x1005},
    {"icmp-node", "node profile, ICMP echo inner, optimized format",
     NODE, HM, S256, 0, 0, 0, {8, 0, 0}, 1000, 7, 0, IN_ICMP4, 0},
};
/* clang-format on */
const size_t VEC_NCASES = sizeof(VEC_CASES) / sizeof(VEC_CASES[0]);

/* PSP tunnel-mode vectors with the spec master keys (psp.md §2). */
const char *const VEC_PSP_K[2] = {
    "34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca",
    "563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739",
};

const struct pcase VEC_PCASES[] = {
    {"psp-v0-tunnel-v4",
     "PSP v0 (AES-GCM-128) tunnel mode, SPI 12345678 (master key 0), crypt offset 6 (inner IPv4 "
     "header + ports)",
     0x12345678, 0, 6, IN_UDP4, false},
    {"psp-v1-tunnel-v6",
     "PSP v1 (AES-GCM-256) tunnel mode, SPI 9a345678 (master key 1), crypt offset 11 (inner IPv6 "
     "header + ports)",
     0x9a345678, 1, 11, IN_UDP6, false},
    {"psp-v0-tunnel-vc",
     "PSP v0 tunnel mode with a virtualization cookie, SPI 9a345678, crypt offset 8 (VC + IPv4 "
     "header + ports)",
     0x9a345678, 0, 8, IN_UDP4, true},
};
const size_t VEC_NPCASES = sizeof(VEC_PCASES) / sizeof(VEC_PCASES[0]);

/* PSP versions 2 and 3 (AES-GMAC, integrity only; eesp.7): numbered after
 * the receive-rule cases, so every older case keeps its number. */
const struct pcase VEC_GCASES[] = {
    {"psp-v2-tunnel-v4",
     "PSP v2 (AES-GMAC-128, integrity only) tunnel mode, SPI 12345678 (master key 0): inner "
     "IPv4 packet in clear",
     0x12345678, 2, 0, IN_UDP4, false},
    {"psp-v3-tunnel-v6",
     "PSP v3 (AES-GMAC-256, integrity only) tunnel mode, SPI 9a345678 (master key 1): inner "
     "IPv6 packet in clear",
     0x9a345678, 3, 0, IN_UDP6, false},
    {"psp-v2-tunnel-vc",
     "PSP v2 tunnel mode with a virtualization cookie, SPI 9a345678: VC and inner packet in "
     "clear, authenticated",
     0x9a345678, 2, 0, IN_UDP4, true},
    {"psp-v3-tunnel-icmp", "PSP v3 tunnel mode, SPI 12345678, ICMP echo inner in clear", 0x12345678,
     3, 0, IN_ICMP4, false},
};
const size_t VEC_NGCASES = sizeof(VEC_GCASES) / sizeof(VEC_GCASES[0]);

/* node profile, CMAC, AES-GCM-128, domain generation 8, epoch 1000, Session ID 8 */
/* clang-format off */
#define RC(name, desc, co, inner) {name, desc, NODE, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 8, co, inner, 0}
/* clang-format on */
const struct rcase VEC_RCASES[] = {
    {.v = RC("pad8-co1-node-v4", "full format, Pad Length 8: eight zero bytes end at the ICV (ok)",
	     1, IN_UDP4),
     .verdict = "ok",
     .pad_len = 8,
     .pad_bytes = 8},
    {.v = RC("drop-pih-reserved",
	     "Payload Info Header 00 01 04 00, a reserved bit set: bad_payload_info", 1, IN_UDP4),
     .verdict = "bad_payload_info",
     .pih01 = {0x00, 0x01}},
    {.v = RC("drop-pih-next-header", "Next Header 41 over an IPv4 inner packet: bad_payload_info",
	     7, IN_UDP4),
     .verdict = "bad_payload_info",
     .next_hdr = 41},
    {.v = RC("drop-pad-past-end",
	     "Pad Length 255 with 8 bytes after the inner packet: bad_payload_info", 1, IN_UDP4),
     .verdict = "bad_payload_info",
     .pad_len = 255,
     .pad_bytes = 8},
    {.v = RC("drop-pad-unaccounted",
	     "Pad Length 0 with 4 bytes after the inner packet (padding must fill the rest): "
	     "bad_inner",
	     1, IN_UDP6),
     .verdict = "bad_inner",
     .pad_bytes = 4},
    {.v = RC("drop-pad-into-inner",
	     "Pad Length 12 with 8 bytes after the inner packet (padding into it): bad_inner", 1,
	     IN_UDP4),
     .verdict = "bad_inner",
     .pad_len = 12,
     .pad_bytes = 8},
    {.v = RC("drop-seq-max", "SN 2^64-1, never sent: seq_max (before any key derivation)", 0,
	     IN_UDP4),
     .verdict = "seq_max",
     .sn = UINT64_MAX},
};
#undef RC
const size_t VEC_NRCASES = sizeof(VEC_RCASES) / sizeof(VEC_RCASES[0]);
