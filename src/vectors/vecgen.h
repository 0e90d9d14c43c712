/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vecgen.h - inside the vector generator only: the case tables (cases.c),
 * the fixed inputs (inputs.c), the output helpers (output.c) and the two
 * case writers (eesp_case.c, psp_case.c) that vectors.c drives.
 */
#ifndef EESP_VECGEN_H
#define EESP_VECGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kdf.h"
#include "packet.h"
#include "strbuf.h"

#define VEC_TS_BASE 1767225600u /* 2026-01-01T00:00:00Z */
#define VEC_NODE_ID 0x0a000001u /* the sender of every EESP case */
#define VEC_PEER_ID 0x0a000002u /* the receiver: pair-profile peer, domain's self */

/* the file writer of eesp_vectors_generate (vectors.h) */
typedef int (*vec_emit_fn)(void *arg, const char *name, const uint8_t *data, size_t len);

/* ------------------------------------------------------------ cases.c -- */

enum inner_kind { IN_UDP4 = 1, IN_UDP6, IN_ICMP4 };

/* An EESP case sealed by eesp_seal. */
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

/* A PSP tunnel-mode case (crypt_off 0 for versions 2 and 3). */
struct pcase {
	const char *name, *desc;
	uint32_t spi;
	uint8_t version, crypt_off;
	enum inner_kind inner;
	bool vc;
};

/* A root key line of vectors/keys/eesp.keys. */
struct vkey {
	unsigned level;
	uint32_t id, gen;
	bool next;
};

extern const struct vkey VEC_KEYS[];
extern const size_t VEC_NKEYS;
extern const struct vcase VEC_CASES[];
extern const size_t VEC_NCASES;
extern const struct rcase VEC_RCASES[];
extern const size_t VEC_NRCASES;
extern const struct pcase VEC_PCASES[];
extern const size_t VEC_NPCASES;
/* PSP versions 2 and 3 (AES-GMAC), after the receive-rule cases */
extern const struct pcase VEC_GCASES[];
extern const size_t VEC_NGCASES;
/* the PSP master keys K0/K1 of the PSP specification, hex */
extern const char *const VEC_PSP_K[2];

/* ----------------------------------------------------------- inputs.c -- */

/* The xorshift state of a case: seeded by its name. */
uint64_t vec_rng_seed(const char *name);
/* root key = SHA-256("eesp test vectors: <level> <id> generation <gen>") */
int vec_root_key(unsigned level, uint32_t id, uint32_t gen, uint8_t out[32]);
/* An inner packet of kind k with a pseudo-random payload; its length or 0. */
size_t vec_make_inner(enum inner_kind k, uint64_t *rng, uint8_t *out, size_t cap);
/* Hex (even length, valid digits) to bytes. */
void vec_unhex(const char *s, uint8_t *out);

/* ----------------------------------------------------------- output.c -- */

/* One JSON line `  "k": "<hex>",` (no comma if last). */
void vec_json_hex(struct strbuf *b, const char *k, const uint8_t *d, size_t n, bool last);
/* <name>.pcap: the datagram in one Ethernet/IPv4/UDP frame, 203.0.113.1 -> .2. */
int vec_emit_pcap(vec_emit_fn emit, void *arg, const char *name, uint16_t sport, uint16_t dport,
		  const uint8_t *udp_payload, size_t len, uint32_t ts);

/* ------------------------------------------------ eesp_case.c, psp_case.c -- */

/* One EESP case: v sealed by eesp_seal or, with r, a receive-rule case.
 * idx numbers the case (SN, source port, timestamp); its line goes to index. */
int vec_gen_eesp_case(struct eesp_crypto *c, struct eesp_kdf_ctx *kdf, const struct eesp_domain *d,
		      const struct vcase *v, const struct rcase *r, unsigned idx,
		      struct strbuf *index, vec_emit_fn emit, void *arg);
int vec_gen_psp_case(struct eesp_crypto *c, struct eesp_kdf_ctx *kdf, const struct pcase *v,
		     unsigned idx, struct strbuf *index, vec_emit_fn emit, void *arg);

/* ---------------------------------------------------- pairkey_case.c -- */

/* The seed 004 pair-key cases, vectors/pairkey/<case>.json (eesp.7 PAIRWISE KEYS). */
int vec_gen_pairkey_cases(vec_emit_fn emit, void *arg);

#endif /* EESP_VECGEN_H */
