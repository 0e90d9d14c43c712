/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet.h - seal and open whole packets: bytes and keys in, bytes and a
 * verdict out.  This is the one implementation of the per-packet rules that
 * the daemon, eespctl, the tests and the fuzzers share.
 *
 * Buffers start at the first byte after the UDP header.  Open works in
 * place: on success the inner packet is pkt[*inner_off .. *inner_off+*inner_len).
 *
 * struct eesp_crypto is per thread: it owns the fetched KDF handles, a small
 * cache of master keys and a bounded cache of data keys, each data-key entry
 * holding a ready AEAD context (so neither the KDF nor the cipher key
 * schedule runs per packet on a cache hit).  It is not shared between threads.
 */
#ifndef EESP_PACKET_H
#define EESP_PACKET_H

#include "keys.h"
#include "wire.h"

/* A domain as a receiver/sender sees it.  Immutable while in use; the daemon
 * builds a new one on reload and flushes caches (eesp_crypto_flush). */
struct eesp_domain {
	uint32_t spi;              /* domain id, carried as the SPI (node/pair/tenant) */
	uint32_t spi_min, spi_max; /* SPIs of the spi profile served by this domain */
	const struct eesp_keyset *keys;
	uint32_t epoch_window;     /* accept |epoch - now| <= window */
	uint32_t self_node_id;     /* pair profile: drop if peer node id differs */
	unsigned max_crypt_offset; /* 4-byte units; 0 = crypt offset refused */
};

/* A data key given out of band (spi-profile clients, PSP senders). */
struct eesp_dkey {
	uint8_t suite;             /* eesp_suite, or for PSP: version + 1 */
	uint8_t key[EESP_MAX_DATA_KEY_LEN];
	uint8_t salt[EESP_SALT_LEN]; /* EESP only */
};

struct eesp_crypto;

/* dk_cache_entries: bound on cached data keys (rounded to a power of two). */
struct eesp_crypto *eesp_crypto_new(size_t dk_cache_entries);
void eesp_crypto_free(struct eesp_crypto *c);
/* Forget every cached master and data key (after reload or rotation).  The
 * caches identify a keyset by its address and a root by its generation, so
 * also flush whenever a keyset is changed in place or freed. */
void eesp_crypto_flush(struct eesp_crypto *c);

struct eesp_crypto_stats {
	uint64_t dk_hits, dk_misses, dk_evictions, master_derivations;
	uint64_t derive_refused; /* opens refused with EESP_E_DERIVE_BUDGET */
};
void eesp_crypto_stats(const struct eesp_crypto *c, struct eesp_crypto_stats *s);

/*
 * Receive derivation budget.  The core has no clock: the caller refills it.
 * A new eesp_crypto has no budget (derivations unlimited: CLI, tests,
 * fuzzers).  After the first eesp_crypto_budget_refill(), each derivation
 * that eesp_open()/psp_open() would run on a cache miss takes a token (an
 * EESP master key and a data key one each, a PSP data key one); an open
 * without enough tokens fails with EESP_E_DERIVE_BUDGET before deriving
 * anything (counted in derive_refused); a packet that then authenticates
 * gives its tokens back, so the budget bounds only the work spent on packets
 * that fail.  Cached opens, sealing and eesp_data_key_for() never take one.
 * eesp_crypto_flush() keeps the budget.
 */
/* Add tokens, never above cap. */
void eesp_crypto_budget_refill(struct eesp_crypto *c, uint32_t tokens, uint32_t cap);
/* Tokens left; UINT32_MAX while no budget is set. */
uint32_t eesp_crypto_budget_left(const struct eesp_crypto *c);

/* What eespd refills per worker (bench_micro forged_* measures the choice):
 * tokens per second and the bucket's size. */
#define EESP_DERIVE_BUDGET_PER_S 16384
#define EESP_DERIVE_BUDGET_BURST 256

/* --------------------------------------------------------------- EESP -- */

/*
 * Receive: key lookup (phases -> root generations -> master -> data key),
 * epoch window, pair-profile peer node check, AEAD open, then the inner
 * packet check (optimized format: IPv4/IPv6 version nibble and total length,
 * trailing bytes are padding; full format: Payload Info Header).
 * v must come from eesp_parse() on the same bytes.
 */
int eesp_open(struct eesp_crypto *c, const struct eesp_domain *d, uint32_t epoch_now,
	      uint8_t *pkt, size_t len, const struct eesp_view *v, size_t *inner_off,
	      size_t *inner_len);

/* Same, with a data key given out of band (no master). */
int eesp_open_with_key(struct eesp_crypto *c, const struct eesp_dkey *k, uint8_t *pkt,
		       size_t len, const struct eesp_view *v, size_t *inner_off,
		       size_t *inner_len);

/*
 * Send: writes header + encrypted inner packet + ICV to out.  The phases in
 * p->sctx select the root generations (normally the current ones); the data
 * key comes from the cache or is derived.  p->sn must come from an ivgen.
 */
int eesp_seal(struct eesp_crypto *c, const struct eesp_domain *d, const struct eesp_hdr_params *p,
	      const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap, size_t *out_len);

int eesp_seal_with_key(struct eesp_crypto *c, const struct eesp_dkey *k,
		       const struct eesp_hdr_params *p, const uint8_t *inner, size_t inner_len,
		       uint8_t *out, size_t cap, size_t *out_len);

/* The data key (and salt) a packet with these parameters uses: what
 * `eespctl derive` prints and what spi-profile clients are given. */
int eesp_data_key_for(struct eesp_crypto *c, const struct eesp_domain *d,
		      const struct eesp_hdr_params *p, struct eesp_dkey *out);

/* ---------------------------------------------------------------- PSP -- */

/* Receive with the two master keys in d->keys->psp_master (SPI bit 31
 * selects); the data key is derived for the header's version (0..3), so a
 * key serves one version only.  Tunnel mode: inner is the IP packet at
 * pkt[*inner_off].  In transport mode the caller reassembles (see eespctl). */
int psp_open(struct eesp_crypto *c, const struct eesp_keyset *ks, uint8_t *pkt, size_t len,
	     const struct psp_view *v, size_t *inner_off, size_t *inner_len);

int psp_open_with_key(struct eesp_crypto *c, const uint8_t *key, size_t key_len, uint8_t *pkt,
		      size_t len, const struct psp_view *v, size_t *inner_off, size_t *inner_len);

/* Send with an out-of-band data key (psp_version_key_len(p->version) bytes:
 * 16 for versions 0 and 2, 32 for 1 and 3).  Versions 2 and 3 (AES-GMAC)
 * leave the inner packet in clear and need crypt_off 0
 * (EESP_E_PSP_GMAC_CO otherwise). */
int psp_seal_with_key(struct eesp_crypto *c, const uint8_t *key, const struct psp_hdr_params *p,
		      const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap,
		      size_t *out_len);

#endif /* EESP_PACKET_H */
