/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kdf.h - key derivation through OpenSSL 3 (EVP_KDF "KBKDF", EVP_MAC).
 *
 * Stateless except for the caller-owned struct eesp_kdf_ctx (one per
 * thread), which holds fetched algorithm handles and MAC contexts whose
 * cipher or digest is chosen once; the data-key and PSP derivations keep
 * theirs keyed with the last master they were given (a copy of that master
 * lives in the context until eesp_kdf_ctx_free wipes it), so repeated
 * derivations under one master cost what the pre-keyed eesp_prf costs.
 */
#ifndef EESP_KDF_H
#define EESP_KDF_H

#include "eesp_proto.h"
#include "errors.h"

struct eesp_kdf_ctx; /* opaque: fetched EVP_KDF / EVP_MAC handles */

struct eesp_kdf_ctx *eesp_kdf_ctx_new(void);
void eesp_kdf_ctx_free(struct eesp_kdf_ctx *k);

/*
 * Generic SP 800-108 counter-mode KDF (r = 32), as OpenSSL's KBKDF computes
 * it: K(i) = PRF(key, [i]_32 || label || 0x00 || context || [L]_32).
 * With raw = true, `context` is the whole fixed input (no separator, no L):
 * that is how the NIST CAVP vectors are expressed.
 */
int eesp_kbkdf(struct eesp_kdf_ctx *k, enum eesp_kdf prf, const uint8_t *key, size_t key_len,
	       const uint8_t *label, size_t label_len, const uint8_t *context, size_t context_len,
	       bool raw, uint8_t *out, size_t out_len);

/* PSP (psp.md §2): derived key for SPI and version 0..3 from the master key
 * selected by SPI bit 31 (the caller passes that key).  out gets
 * psp_version_key_len(version) bytes: 16 (v0, v2) or 32 (v1, v3). */
int psp_derive_key(struct eesp_kdf_ctx *k, const uint8_t master[PSP_MASTER_KEY_LEN],
		   uint32_t spi, unsigned version, uint8_t *out);

/* EESP master key from the root keys of the levels in use (eesp_proto.h).
 * tenant_root/group_root may be NULL when the level is absent. */
int eesp_derive_master(struct eesp_kdf_ctx *k, const uint8_t domain_root[EESP_ROOT_KEY_LEN],
		       const uint8_t *tenant_root, uint32_t tenant_id, const uint8_t *group_root,
		       uint32_t group_id, uint8_t master[EESP_MASTER_KEY_LEN]);

/* EESP data key || salt for a packet's SPI, Session ID and SCTX option data:
 * the bytes eesp_kbkdf(raw = false) gives (test_kdf.c), framed here. */
int eesp_derive_data_key(struct eesp_kdf_ctx *k, const uint8_t master[EESP_MASTER_KEY_LEN],
			 enum eesp_kdf prf, enum eesp_suite suite, uint32_t spi,
			 uint16_t session_id, const uint8_t *sctx_data, size_t sctx_len,
			 uint8_t *key_out, uint8_t salt_out[EESP_SALT_LEN]);

/*
 * Pre-keyed PRF for many SP 800-108 derivations under one key (the
 * per-packet data-key path): the MAC is keyed once, each derivation only
 * restarts it.  eesp_prf_kbkdf() gives exactly what eesp_kbkdf(raw = false)
 * gives; for CMAC the cipher follows the key length (16/24/32 bytes).
 */
struct eesp_prf;
struct eesp_prf *eesp_prf_new(struct eesp_kdf_ctx *k, enum eesp_kdf prf, const uint8_t *key,
			      size_t key_len);
void eesp_prf_free(struct eesp_prf *p);
int eesp_prf_kbkdf(struct eesp_prf *p, const uint8_t *label, size_t label_len,
		   const uint8_t *context, size_t context_len, uint8_t *out, size_t out_len);
/* Data key || salt from a full KDF context (eesp_kdf_context()), keyed by the master. */
int eesp_prf_data_key(struct eesp_prf *p, enum eesp_suite suite, const uint8_t *context,
		      size_t context_len, uint8_t *key_out, uint8_t salt_out[EESP_SALT_LEN]);

#endif /* EESP_KDF_H */
