/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vectors.c - deterministic EESP/PSP test vectors (see vectors.h and
 * vectors/README.md).
 *
 * Every input is fixed: root keys are SHA-256 of a readable string, inner
 * packets come from a xorshift generator seeded by the case name, pcap
 * timestamps count from 2026-01-01.  The packet bytes come from eesp_seal()
 * (the cached fast path); master, data key and salt in the JSON come from the
 * reference EVP_KDF path, so a regeneration also cross-checks the two.
 */
#include "vectors.h"
#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "aead.h"
#include "hash.h"
#include "kdf.h"
#include "keys.h"
#include "packet.h"
#include "pcapfile.h"
#include "secmem.h"

#define VEC_TS_BASE 1767225600u /* 2026-01-01T00:00:00Z */

/* ------------------------------------------------------------ buffers -- */

static void sb_kv_hex(struct strbuf *b, const char *k, const uint8_t *d, size_t n, bool last)
{
	strbuf_printf(b, "  \"%s\": \"", k);
	strbuf_hex(b, d, n);
	strbuf_printf(b, "\"%s\n", last ? "" : ",");
}

/* -------------------------------------------------------------- inputs -- */

/* FNV-1a of the case name; xorshift needs a non-zero state */
static uint64_t rng_seed(const char *s)
{
	uint64_t h = eesp_fnv1a64(s, strlen(s));
	return h ? h : 1;
}

static uint8_t rng_byte(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (uint8_t)((*x * 0x2545f4914f6cdd1dull) >> 56);
}

/* root key = SHA-256("eesp test vectors: <level> <id> generation <gen>") */
static int root_key(unsigned level, uint32_t id, uint32_t gen, uint8_t out[32])
{
	static const char *const ln[] = {"domain", "tenant", "group"};
	char s[96];
	unsigned hl = 0;
	int n =
	    snprintf(s, sizeof(s), "eesp test vectors: %s %u generation %u", ln[level], id, gen);
	return EVP_Digest(s, (size_t)n, out, &hl, EVP_sha256(), NULL) == 1 && hl == 32
		   ? 0
		   : EESP_E_CRYPTO;
}

enum inner_kind { IN_UDP4 = 1, IN_UDP6, IN_ICMP4 };

static size_t make_inner(enum inner_kind k, uint64_t *rng, uint8_t *out, size_t cap)
{
	uint8_t payload[64];
	size_t plen = 16 + rng_byte(rng) % 41, n;
	struct udp_frame_params p = {.sport = 5000, .dport = 6000, .ip_id = 0x1234};

	for (size_t i = 0; i < plen; i++)
		payload[i] = rng_byte(rng);
	if (k == IN_UDP6) {
		static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x10};
		static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x20};
		p.family = 6;
		memcpy(p.src, s6, 16);
		memcpy(p.dst, d6, 16);
		return ip_build_udp(out, cap, &p, payload, plen);
	}
	p.family = 4;
	memcpy(p.src, (const uint8_t[]){192, 0, 2, 10}, 4);
	memcpy(p.dst, (const uint8_t[]){198, 51, 100, 20}, 4);
	if (k == IN_UDP4)
		return ip_build_udp(out, cap, &p, payload, plen);
	/* ICMP echo request */
	n = 20 + 8 + plen;
	if (n > cap)
		return 0;
	memset(out, 0, 28);
	out[0] = 0x45;
	eesp_put16(out + 2, (uint16_t)n);
	eesp_put16(out + 4, 0x4321);
	out[8] = 64;
	out[9] = 1;
	memcpy(out + 12, p.src, 4);
	memcpy(out + 16, p.dst, 4);
	ipv4_fix_checksum(out);
	out[20] = 8;
	eesp_put16(out + 24, 0x0eab);
	eesp_put16(out + 26, 1);
	memcpy(out + 28, payload, plen);
	eesp_put16(out + 22, inet_checksum(out + 20, n - 20, 0));
	return n;
}

/* --------------------------------------------------------------- cases -- */

struct vcase {
	const char *name, *desc;
	uint8_t profile, kdf, suite, flags;
	uint32_t tenant, group;
	uint32_t gen[EESP_LEVELS]; /* generations used (phase = gen % 4) */
	uint32_t epoch;
	uint16_t session;
	uint8_t co;
	enum inner_kind inner;
	uint32_t spi; /* spi profile */
};

#define T EESP_SCTX_FLAG_T
#define G EESP_SCTX_FLAG_G
#define CM EESP_KDF_CMAC_AES256
#define HM EESP_KDF_HMAC_SHA256
#define S128 EESP_SUITE_AES_GCM_128
#define S256 EESP_SUITE_AES_GCM_256

/* The key file the cases use (vectors/keys/eesp.keys): domain generations
 * 7 (previous), 8 (current), 9 (next); tenants 5 and 6; groups 9 and 4. */
static const struct {
	unsigned level;
	uint32_t id, gen;
	bool next;
} KEYS[] = {
    {EESP_LEVEL_DOMAIN, 0, 7, false}, {EESP_LEVEL_DOMAIN, 0, 8, false},
    {EESP_LEVEL_DOMAIN, 0, 9, true},  {EESP_LEVEL_TENANT, 5, 1, false},
    {EESP_LEVEL_TENANT, 5, 2, false}, {EESP_LEVEL_TENANT, 6, 8, false},
    {EESP_LEVEL_GROUP, 9, 2, false},  {EESP_LEVEL_GROUP, 9, 3, false},
    {EESP_LEVEL_GROUP, 4, 0, false},
};

static const struct vcase CASES[] = {
    /* profile x KDF x suite, domain generation 8 (current), optimized format */
    {"spi-cmac-128",
     "spi profile, CMAC, AES-GCM-128",
     1,
     CM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0x1001},
    {"spi-cmac-256",
     "spi profile, CMAC, AES-GCM-256",
     1,
     CM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0x1002},
    {"spi-hmac-128",
     "spi profile, HMAC, AES-GCM-128",
     1,
     HM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0x1003},
    {"spi-hmac-256",
     "spi profile, HMAC, AES-GCM-256",
     1,
     HM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0x1004},
    {"node-cmac-128",
     "node profile, CMAC, AES-GCM-128",
     2,
     CM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0},
    {"node-cmac-256",
     "node profile, CMAC, AES-GCM-256",
     2,
     CM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0},
    {"node-hmac-128",
     "node profile, HMAC, AES-GCM-128",
     2,
     HM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0},
    {"node-hmac-256",
     "node profile, HMAC, AES-GCM-256",
     2,
     HM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0},
    {"pair-cmac-128",
     "pair profile, CMAC, AES-GCM-128",
     3,
     CM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     2,
     0,
     IN_UDP6,
     0},
    {"pair-cmac-256",
     "pair profile, CMAC, AES-GCM-256",
     3,
     CM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     2,
     0,
     IN_UDP6,
     0},
    {"pair-hmac-128",
     "pair profile, HMAC, AES-GCM-128",
     3,
     HM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     2,
     0,
     IN_UDP6,
     0},
    {"pair-hmac-256",
     "pair profile, HMAC, AES-GCM-256",
     3,
     HM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     2,
     0,
     IN_UDP6,
     0},
    {"tenant-cmac-128",
     "tenant profile (tenant 5), CMAC, AES-GCM-128",
     4,
     CM,
     S128,
     T,
     5,
     0,
     {8, 2, 0},
     1000,
     3,
     0,
     IN_UDP4,
     0},
    {"tenant-cmac-256",
     "tenant profile (tenant 5), CMAC, AES-GCM-256",
     4,
     CM,
     S256,
     T,
     5,
     0,
     {8, 2, 0},
     1000,
     3,
     0,
     IN_UDP4,
     0},
    {"tenant-hmac-128",
     "tenant profile (tenant 5), HMAC, AES-GCM-128",
     4,
     HM,
     S128,
     T,
     5,
     0,
     {8, 2, 0},
     1000,
     3,
     0,
     IN_UDP4,
     0},
    {"tenant-hmac-256",
     "tenant profile (tenant 5), HMAC, AES-GCM-256",
     4,
     HM,
     S256,
     T,
     5,
     0,
     {8, 2, 0},
     1000,
     3,
     0,
     IN_UDP4,
     0},
    /* rotation: other live generations, levels in different phases */
    {"rot-node-prev7",
     "rotation: node profile sent with the previous domain generation 7 (phase 3)",
     2,
     CM,
     S256,
     0,
     0,
     0,
     {7, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0},
    {"rot-node-next9",
     "rotation: node profile sent with the next domain generation 9 (phase 1)",
     2,
     CM,
     S256,
     0,
     0,
     0,
     {9, 0, 0},
     1000,
     1,
     0,
     IN_UDP4,
     0},
    {"rot-tenant-d7-t8",
     "rotation: tenant 6, domain generation 7 (phase 3) with tenant generation 8 (phase 0)",
     4,
     HM,
     S256,
     T,
     6,
     0,
     {7, 8, 0},
     1000,
     3,
     0,
     IN_UDP4,
     0},
    {"rot-tenant-t1",
     "rotation: tenant 5 previous generation 1 (phase 1), domain 8 (phase 0)",
     4,
     CM,
     S128,
     T,
     5,
     0,
     {8, 1, 0},
     1000,
     3,
     0,
     IN_UDP4,
     0},
    /* epoch change: same everything, next epoch -> a different data key */
    {"epoch-1000",
     "epoch 1000 (compare with epoch-1001: only the epoch differs)",
     2,
     CM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     4,
     0,
     IN_UDP4,
     0},
    {"epoch-1001",
     "epoch 1001 (compare with epoch-1000)",
     2,
     CM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1001,
     4,
     0,
     IN_UDP4,
     0},
    {"epoch-wrap",
     "epoch 0xffffffff (serial arithmetic wraps)",
     3,
     HM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     0xffffffffu,
     4,
     0,
     IN_UDP4,
     0},
    /* tenant and group levels */
    {"tenant-group-cmac-256",
     "tenant profile with tenant 5 and group 9 levels (all three roots)",
     4,
     CM,
     S256,
     T | G,
     5,
     9,
     {8, 2, 3},
     1000,
     5,
     0,
     IN_UDP4,
     0},
    {"node-group-hmac-128",
     "node profile with the group 4 level only",
     2,
     HM,
     S128,
     G,
     0,
     4,
     {8, 0, 0},
     1000,
     5,
     0,
     IN_UDP6,
     0},
    {"pair-tenant-group-hmac-256",
     "pair profile with tenant 6 (generation 8) and group 9 (generation 2)",
     3,
     HM,
     S256,
     T | G,
     6,
     9,
     {9, 8, 2},
     1000,
     5,
     0,
     IN_UDP4,
     0},
    /* crypt offset (full format, Payload Info Header) */
    {"co1-node-v4",
     "crypt offset 1: Payload Info Header in clear",
     2,
     CM,
     S128,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     6,
     1,
     IN_UDP4,
     0},
    {"co7-node-v4",
     "crypt offset 7: PIH + IPv4 header + UDP ports in clear",
     2,
     CM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     6,
     7,
     IN_UDP4,
     0},
    {"co7-tenant-icmp",
     "crypt offset 7, tenant profile, ICMP echo inner",
     4,
     HM,
     S128,
     T,
     5,
     0,
     {8, 2, 0},
     1000,
     6,
     7,
     IN_ICMP4,
     0},
    {"co11-pair-v6",
     "crypt offset 11: PIH + IPv6 header in clear",
     3,
     HM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     6,
     11,
     IN_UDP6,
     0},
    {"co0-spi-v6",
     "spi profile, IPv6 inner, crypt offset 0 (optimized format)",
     1,
     CM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     6,
     0,
     IN_UDP6,
     0x1005},
    {"icmp-node",
     "node profile, ICMP echo inner, optimized format",
     2,
     HM,
     S256,
     0,
     0,
     0,
     {8, 0, 0},
     1000,
     7,
     0,
     IN_ICMP4,
     0},
};

/*
 * Receive-rule cases (eesp.7 Payload, RECEIVE PROCESSING): packets that
 * authenticate but that a receiver must drop, each with the verdict (drop
 * reason) it must count, and a valid full-format packet with padding.
 * eesp_seal writes only valid payloads, so these are sealed by hand
 * (seal_by_hand).  They come after the PSP cases so that the numbering (SN,
 * source port, timestamp) of the older cases stays as it was.
 */
struct rcase {
	struct vcase v;
	const char *verdict; /* "ok" or an errors.h name */
	uint8_t pih01[2];    /* Payload Info Header bytes 0-1 (0x0 nibble, Reserved) */
	uint8_t next_hdr;    /* 0: 4 or 41 from the inner packet */
	uint8_t pad_len;     /* Pad Length written in the header */
	uint8_t pad_bytes;   /* zero bytes actually sent after the inner packet */
	uint64_t sn;	     /* 0: the usual SN of the case number */
};

/* node profile, CMAC, AES-GCM-128, domain generation 8, epoch 1000, Session ID 8 */
/* clang-format off */
#define RC(name, desc, co, inner) {name, desc, 2, CM, S128, 0, 0, 0, {8, 0, 0}, 1000, 8, co, inner, 0}
/* clang-format on */
static const struct rcase RCASES[] = {
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

#define NODE_ID 0x0a000001u
#define PEER_ID 0x0a000002u

static const char *profile_name(unsigned p)
{
	static const char *const n[] = {"?", "spi", "node", "pair", "tenant"};
	return p <= 4 ? n[p] : "?";
}

/* -------------------------------------------------------------- output -- */

static int emit_pcap(int (*emit)(void *, const char *, const uint8_t *, size_t), void *arg,
		     const char *name, uint16_t sport, uint16_t dport, const uint8_t *udp_payload,
		     size_t len, uint32_t ts)
{
	struct udp_frame_params fp = {.family = 4, .sport = sport, .dport = dport, .ip_id = 1};
	struct pcap_writer w;
	uint8_t frame[2048];
	char fname[96];
	size_t n;
	int rc;

	memcpy(fp.src, (const uint8_t[]){203, 0, 113, 1}, 4);
	memcpy(fp.dst, (const uint8_t[]){203, 0, 113, 2}, 4);
	memcpy(fp.src_mac, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x01}, 6);
	memcpy(fp.dst_mac, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x02}, 6);
	n = frame_build_udp(frame, sizeof(frame), &fp, udp_payload, len);
	if (!n)
		return EESP_E_NOSPACE;
	if (pcap_writer_init(&w, PCAP_LINKTYPE_ETHERNET, 65535))
		return EESP_E_NOSPACE;
	if (pcap_writer_add(&w, ts, 0, frame, n)) {
		pcap_writer_free(&w);
		return EESP_E_NOSPACE;
	}
	snprintf(fname, sizeof(fname), "%s.pcap", name);
	rc = emit(arg, fname, w.buf, w.len);
	pcap_writer_free(&w);
	return rc;
}

/*
 * The bytes eesp_seal encrypted (the JSON's plaintext), rebuilt: header
 * bytes past the AAD (the Payload Info Header with its Next Header) and the
 * inner packet.
 */
static int rebuild_plaintext(const struct eesp_hdr_params *p, const uint8_t *inner, size_t il,
			     size_t hl, size_t aad, uint8_t *clear, size_t *n)
{
	if (aad < hl) {
		uint8_t h[128];
		if (eesp_build_header(h, sizeof(h), p) != hl)
			return EESP_E_INVALID;
		if (p->crypt_offset)
			h[hl - 2] = (inner[0] >> 4) == 6 ? 41 : 4;
		memcpy(clear, h + aad, hl - aad);
		memcpy(clear + hl - aad, inner, il);
		*n = hl - aad + il;
	} else {
		memcpy(clear, inner + (aad - hl), il - (aad - hl));
		*n = il - (aad - hl);
	}
	return EESP_E_OK;
}

/*
 * A receive-rule case: the header of p, in the full format a Payload Info
 * Header with r's bytes 0-1, Next Header and Pad Length, the inner packet,
 * r->pad_bytes zero bytes, sealed with the data key as eesp_seal would.
 * clear gets the encrypted region before sealing (the JSON's plaintext).
 */
static int seal_by_hand(const struct eesp_hdr_params *p, const struct rcase *r,
			const uint8_t *inner, size_t il, const uint8_t *key, size_t kl,
			const uint8_t salt[EESP_SALT_LEN], uint8_t *pkt, size_t cap, size_t *len,
			uint8_t *clear, size_t *clear_len)
{
	size_t hl = eesp_header_len(p), body = hl + il + r->pad_bytes, aad = hl;
	uint8_t nonce[EESP_NONCE_LEN];
	struct eesp_aead *a;
	int rc;

	if (p->crypt_offset)
		aad = hl - EESP_PIH_LEN + 4u * p->crypt_offset;
	if (!hl || body + EESP_ICV_LEN > cap || aad > body || eesp_build_header(pkt, cap, p) != hl)
		return EESP_E_NOSPACE;
	if (p->crypt_offset) {
		uint8_t *pih = pkt + hl - EESP_PIH_LEN;
		pih[0] = r->pih01[0];
		pih[1] = r->pih01[1];
		pih[2] = r->next_hdr ? r->next_hdr : (inner[0] >> 4) == 6 ? 41 : 4;
		pih[3] = r->pad_len;
	}
	memcpy(pkt + hl, inner, il);
	memset(pkt + hl + il, 0, r->pad_bytes);
	memcpy(clear, pkt + aad, body - aad);
	*clear_len = body - aad;
	eesp_nonce(nonce, salt, p->sn);
	a = eesp_aead_new();
	rc = a ? eesp_aead_setkey(a, key, kl) : EESP_E_CRYPTO;
	if (!rc)
		rc = eesp_aead_seal(a, nonce, pkt, aad, pkt + aad, body - aad, pkt + aad,
				    pkt + body);
	eesp_aead_free(a);
	*len = body + EESP_ICV_LEN;
	return rc;
}

/* One EESP case: CASES (sealed by eesp_seal) or, with r, RCASES. */
static int gen_eesp_case(struct eesp_crypto *c, struct eesp_kdf_ctx *kdf,
			 const struct eesp_domain *d, const struct vcase *v, const struct rcase *r,
			 unsigned idx, struct strbuf *index,
			 int (*emit)(void *, const char *, const uint8_t *, size_t), void *arg)
{
	struct eesp_hdr_params p;
	uint8_t inner[256], pkt[2048], sctx[EESP_SCTX_MAX_LEN], ctx[EESP_KDF_CONTEXT_MAX];
	uint8_t master[32], dkey[32], salt[4], nonce[12], roots[EESP_LEVELS][32], clear[2048];
	uint64_t rng = rng_seed(v->name);
	size_t il, len, sl, cl, kl = eesp_suite_key_len(v->suite), hl, aad, pt_off, clear_len;
	struct strbuf j = {0};
	char fname[96];
	int rc;

	memset(&p, 0, sizeof(p));
	p.session_id = v->session;
	p.spi = v->profile == EESP_PROFILE_SPI ? v->spi : d->spi;
	p.sctx.profile = v->profile;
	p.sctx.kdf = v->kdf;
	p.sctx.suite = v->suite;
	p.sctx.flags = v->flags;
	p.sctx.epoch = v->epoch;
	p.sctx.tenant_id = v->tenant;
	p.sctx.group_id = v->group;
	p.sctx.phase[0] = (uint8_t)(v->gen[0] % 4);
	p.sctx.phase[1] = (v->flags & T) ? (uint8_t)(v->gen[1] % 4) : 0;
	p.sctx.phase[2] = (v->flags & G) ? (uint8_t)(v->gen[2] % 4) : 0;
	if (eesp_profile_has_node(v->profile))
		p.sctx.node_id = NODE_ID;
	if (v->profile == EESP_PROFILE_PAIR)
		p.sctx.peer_node_id = PEER_ID;
	p.crypt_offset = v->co;
	p.next_hdr = 0; /* from the inner packet */
	p.sn = r && r->sn ? r->sn : ((uint64_t)VEC_TS_BASE << 32) + 1 + idx;

	il = make_inner(v->inner, &rng, inner, sizeof(inner));
	if (!il)
		return EESP_E_NOSPACE;

	/* the intermediate values, through the reference (EVP_KDF) path */
	for (unsigned l = 0; l < EESP_LEVELS; l++)
		if ((rc = root_key(l,
				   l == 0   ? 0
				   : l == 1 ? v->tenant
					    : v->group,
				   v->gen[l], roots[l])))
			return rc;
	rc = eesp_derive_master(kdf, roots[0], (v->flags & T) ? roots[1] : NULL, v->tenant,
				(v->flags & G) ? roots[2] : NULL, v->group, master);
	sl = eesp_sctx_encode(sctx, &p.sctx);
	cl = eesp_kdf_context(ctx, p.spi, p.session_id, sctx, sl);
	if (!rc)
		rc = eesp_derive_data_key(kdf, master, v->kdf, v->suite, p.spi, p.session_id, sctx,
					  sl, dkey, salt);
	if (rc)
		return rc;
	eesp_nonce(nonce, salt, p.sn);
	hl = eesp_header_len(&p);
	aad = v->co ? hl - EESP_PIH_LEN + 4u * v->co : hl;
	/* plaintext = the bytes that get encrypted: what the packet held there
	 * before sealing (PIH and/or inner packet) */
	pt_off = aad;
	if (r)
		rc = seal_by_hand(&p, r, inner, il, dkey, kl, salt, pkt, sizeof(pkt), &len, clear,
				  &clear_len);
	else if (!(rc = eesp_seal(c, d, &p, inner, il, pkt, sizeof(pkt), &len)))
		rc = rebuild_plaintext(&p, inner, il, hl, aad, clear, &clear_len);
	if (rc)
		return rc;

	strbuf_printf(&j, "{\n  \"name\": \"%s\",\n  \"description\": \"%s\",\n  \"mode\": \"eesp\",\n",
		  v->name, v->desc);
	if (r)
		strbuf_printf(&j, "  \"verdict\": \"%s\",\n", r->verdict);
	strbuf_printf(&j, "  \"profile\": \"%s\",\n  \"kdf\": \"%s\",\n  \"suite\": \"%s\",\n",
		  profile_name(v->profile),
		  v->kdf == CM ? "sp800-108-counter-cmac-aes256" : "sp800-108-counter-hmac-sha256",
		  v->suite == S128 ? "aes-gcm-128" : "aes-gcm-256");
	strbuf_printf(&j, "  \"root_keys\": [\n");
	for (unsigned l = 0; l < EESP_LEVELS; l++) {
		static const char *const ln[] = {"domain", "tenant", "group"};
		if ((l == 1 && !(v->flags & T)) || (l == 2 && !(v->flags & G)))
			continue;
		strbuf_printf(&j,
			  "    {\"level\": \"%s\", \"id\": %u, \"generation\": %u, \"phase\": %u, "
			  "\"key\": \"",
			  ln[l],
			  l == 0   ? 0
			  : l == 1 ? v->tenant
				   : v->group,
			  v->gen[l], v->gen[l] % 4);
		strbuf_hex(&j, roots[l], 32);
		strbuf_printf(&j, "\"}%s\n",
			  (l == 0 && (v->flags & (T | G))) || (l == 1 && (v->flags & G)) ? ","
											 : "");
	}
	strbuf_printf(&j, "  ],\n");
	strbuf_printf(&j, "  \"domain\": \"%08x\",\n  \"spi\": \"%08x\",\n  \"session_id\": %u,\n",
		  d->spi, p.spi, p.session_id);
	strbuf_printf(&j, "  \"epoch\": %u,\n", v->epoch);
	if (v->flags & T)
		strbuf_printf(&j, "  \"tenant_id\": %u,\n", v->tenant);
	if (v->flags & G)
		strbuf_printf(&j, "  \"group_id\": %u,\n", v->group);
	if (eesp_profile_has_node(v->profile))
		strbuf_printf(&j, "  \"node_id\": %u,\n", NODE_ID);
	if (v->profile == EESP_PROFILE_PAIR)
		strbuf_printf(&j, "  \"peer_node_id\": %u,\n", PEER_ID);
	strbuf_printf(&j, "  \"sequence_number\": \"%016llx\",\n  \"crypt_offset\": %u,\n",
		  (unsigned long long)p.sn, v->co);
	sb_kv_hex(&j, "sctx_option", pkt + EESP_BASE_LEN, 2 + sl, false);
	sb_kv_hex(&j, "master_key", master, 32, false);
	strbuf_printf(&j, "  \"kdf_label\": \"%s\",\n", EESP_DATA_LABEL);
	sb_kv_hex(&j, "kdf_context", ctx, cl, false);
	strbuf_printf(&j, "  \"kdf_output_bits\": %zu,\n", 8 * (kl + EESP_SALT_LEN));
	sb_kv_hex(&j, "data_key", dkey, kl, false);
	sb_kv_hex(&j, "salt", salt, EESP_SALT_LEN, false);
	sb_kv_hex(&j, "nonce", nonce, EESP_NONCE_LEN, false);
	sb_kv_hex(&j, "inner_packet", inner, il, false);
	if (r && v->co)
		sb_kv_hex(&j, "payload_info_header", aad >= hl ? pkt + hl - EESP_PIH_LEN : clear,
			  EESP_PIH_LEN, false);
	sb_kv_hex(&j, "aad", pkt, aad, false);
	sb_kv_hex(&j, "plaintext", clear, clear_len, false);
	sb_kv_hex(&j, "ciphertext", pkt + pt_off, len - EESP_ICV_LEN - pt_off, false);
	sb_kv_hex(&j, "tag", pkt + len - EESP_ICV_LEN, EESP_ICV_LEN, false);
	sb_kv_hex(&j, "packet", pkt, len, false);
	strbuf_printf(&j, "  \"pcap\": \"%s.pcap\",\n  \"udp_dport\": %u\n}\n", v->name, EESP_UDP_PORT);
	if (j.oom) {
		strbuf_free(&j);
		return EESP_E_NOSPACE;
	}
	snprintf(fname, sizeof(fname), "%s.json", v->name);
	rc = emit(arg, fname, (const uint8_t *)j.p, j.len);
	strbuf_free(&j);
	if (!rc)
		rc = emit_pcap(emit, arg, v->name, (uint16_t)(49152 + idx), EESP_UDP_PORT, pkt, len,
			       VEC_TS_BASE + idx);
	strbuf_printf(index, "%-28s eesp  %s\n", v->name, v->desc);
	eesp_wipe(master, sizeof(master));
	eesp_wipe(dkey, sizeof(dkey));
	return rc;
}

/* PSP tunnel-mode vectors with the spec master keys (psp.md §2). */
static const char *const PSP_K[2] = {
    "34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca",
    "563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739",
};

static void unhex(const char *s, uint8_t *out)
{
	for (size_t i = 0; s[2 * i]; i++) {
		unsigned v = 0;
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static const struct pcase {
	const char *name, *desc;
	uint32_t spi;
	uint8_t version, crypt_off;
	enum inner_kind inner;
	bool vc;
} PCASES[] = {
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

static int gen_psp_case(struct eesp_crypto *c, struct eesp_kdf_ctx *kdf, const struct pcase *v,
			unsigned idx, struct strbuf *index,
			int (*emit)(void *, const char *, const uint8_t *, size_t), void *arg)
{
	struct psp_hdr_params p = {.next_hdr = v->inner == IN_UDP6 ? 41 : 4,
				   .crypt_off = v->crypt_off,
				   .version = v->version,
				   .v = v->vc,
				   .spi = v->spi,
				   .iv = ((uint64_t)VEC_TS_BASE << 32) + 1 + idx,
				   .vc = v->vc ? 0x0000000100000002ull : 0};
	uint64_t rng = rng_seed(v->name);
	uint8_t mk[32], key[32], inner[256], pkt[2048], hdr[32];
	size_t il, len, kl = v->version ? 32 : 16, aad, hl;
	unsigned sel = (v->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	struct strbuf j = {0};
	char fname[96];
	int rc;

	unhex(PSP_K[sel], mk);
	rc = psp_derive_key(kdf, mk, v->spi, v->version, key);
	if (rc)
		return rc;
	il = make_inner(v->inner, &rng, inner, sizeof(inner));
	if (!il)
		return EESP_E_NOSPACE;
	rc = psp_seal_with_key(c, key, &p, inner, il, pkt, sizeof(pkt), &len);
	if (rc)
		return rc;
	hl = psp_build_header(hdr, sizeof(hdr), &p);
	aad = PSP_HDR_LEN + 4u * v->crypt_off;
	strbuf_printf(&j, "{\n  \"name\": \"%s\",\n  \"description\": \"%s\",\n  \"mode\": \"psp\",\n",
		  v->name, v->desc);
	strbuf_printf(&j, "  \"master_key_index\": %u,\n  \"master_key\": \"%s\",\n", sel, PSP_K[sel]);
	strbuf_printf(&j, "  \"spi\": \"%08x\",\n  \"version\": %u,\n  \"iv\": \"%016llx\",\n", v->spi,
		  v->version, (unsigned long long)p.iv);
	strbuf_printf(&j, "  \"next_header\": %u,\n  \"crypt_offset\": %u,\n  \"vc\": %s,\n",
		  p.next_hdr, v->crypt_off, v->vc ? "true" : "false");
	sb_kv_hex(&j, "derived_key", key, kl, false);
	sb_kv_hex(&j, "nonce", pkt + 4, 12, false);
	sb_kv_hex(&j, "inner_packet", inner, il, false);
	sb_kv_hex(&j, "aad", pkt, aad, false);
	{
		uint8_t clear[2048];
		memcpy(clear, hdr, hl);
		memcpy(clear + hl, inner, il);
		sb_kv_hex(&j, "plaintext", clear + aad, hl + il - aad, false);
	}
	sb_kv_hex(&j, "ciphertext", pkt + aad, len - PSP_ICV_LEN - aad, false);
	sb_kv_hex(&j, "tag", pkt + len - PSP_ICV_LEN, PSP_ICV_LEN, false);
	sb_kv_hex(&j, "packet", pkt, len, false);
	strbuf_printf(&j, "  \"pcap\": \"%s.pcap\",\n  \"udp_dport\": %u\n}\n", v->name, PSP_UDP_PORT);
	eesp_wipe(key, sizeof(key));
	if (j.oom) {
		strbuf_free(&j);
		return EESP_E_NOSPACE;
	}
	snprintf(fname, sizeof(fname), "%s.json", v->name);
	rc = emit(arg, fname, (const uint8_t *)j.p, j.len);
	strbuf_free(&j);
	if (!rc)
		rc = emit_pcap(emit, arg, v->name, (uint16_t)(49152 + idx), PSP_UDP_PORT, pkt, len,
			       VEC_TS_BASE + idx);
	strbuf_printf(index, "%-28s psp   %s\n", v->name, v->desc);
	return rc;
}

int eesp_vectors_generate(int (*emit)(void *arg, const char *name, const uint8_t *data, size_t len),
			  void *arg)
{
	struct eesp_crypto *c = eesp_crypto_new(64);
	struct eesp_kdf_ctx *kdf = eesp_kdf_ctx_new();
	struct eesp_keyset *ks = eesp_keyset_new();
	struct strbuf keys = {0}, pkeys = {0}, index = {0};
	struct eesp_keyfile_error kerr;
	struct eesp_domain d = {.spi = EESP_VEC_DOMAIN,
				.spi_min = EESP_VEC_SPI_MIN,
				.spi_max = EESP_VEC_SPI_MAX,
				.epoch_window = 0xffffffffu,
				.self_node_id = PEER_ID,
				.max_crypt_offset = 63};
	unsigned i, n = 0;
	int rc = EESP_E_NOSPACE;

	if (!c || !kdf || !ks)
		goto out;
	strbuf_printf(&keys,
		  "# eesp test vectors: root keys of domain 0x%08x (see vectors/README.md).\n"
		  "# Key i = SHA-256(\"eesp test vectors: <level> <id> generation <gen>\").\n"
		  "# TEST KEYS ONLY - published, never use them for real traffic.\n"
		  "domain 0x%08x\n",
		  EESP_VEC_DOMAIN, EESP_VEC_DOMAIN);
	for (i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
		static const char *const ln[] = {"domain", "tenant", "group"};
		uint8_t k[32];
		if ((rc = root_key(KEYS[i].level, KEYS[i].id, KEYS[i].gen, k)))
			goto out;
		strbuf_printf(&keys, "%s %u %u ", ln[KEYS[i].level], KEYS[i].id, KEYS[i].gen);
		strbuf_hex(&keys, k, 32);
		strbuf_printf(&keys, "%s\n", KEYS[i].next ? " next" : "");
	}
	strbuf_printf(&pkeys,
		  "# PSP master keys K0/K1 of the PSP specification (psp.md section 2).\n"
		  "# TEST KEYS ONLY.\npsp 0 %s\npsp 1 %s\n",
		  PSP_K[0], PSP_K[1]);
	rc = EESP_E_NOSPACE;
	if (keys.oom || pkeys.oom)
		goto out;
	if (eesp_keyfile_parse(ks, keys.p, keys.len, &kerr)) {
		rc = EESP_E_INVALID;
		goto out;
	}
	d.keys = ks;
	strbuf_printf(&index,
		  "# eesp test vectors: case, mode, description.  Each case has\n"
		  "# <case>.json and <case>.pcap; keys in keys/eesp.keys and keys/psp.keys.\n");
	for (i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
		if ((rc = gen_eesp_case(c, kdf, &d, &CASES[i], NULL, n++, &index, emit, arg)))
			goto out;
	for (i = 0; i < sizeof(PCASES) / sizeof(PCASES[0]); i++)
		if ((rc = gen_psp_case(c, kdf, &PCASES[i], n++, &index, emit, arg)))
			goto out;
	for (i = 0; i < sizeof(RCASES) / sizeof(RCASES[0]); i++)
		if ((rc = gen_eesp_case(c, kdf, &d, &RCASES[i].v, &RCASES[i], n++, &index, emit,
					arg)))
			goto out;
	rc = EESP_E_NOSPACE;
	if (index.oom)
		goto out;
	if ((rc = emit(arg, "keys/eesp.keys", (const uint8_t *)keys.p, keys.len)) ||
	    (rc = emit(arg, "keys/psp.keys", (const uint8_t *)pkeys.p, pkeys.len)) ||
	    (rc = emit(arg, "index.txt", (const uint8_t *)index.p, index.len)))
		goto out;
	rc = EESP_E_OK;
out:
	strbuf_free(&keys); /* wipes: the file holds root keys */
	strbuf_free(&pkeys);
	strbuf_free(&index);
	eesp_keyset_free(ks);
	eesp_kdf_ctx_free(kdf);
	eesp_crypto_free(c);
	return rc;
}
