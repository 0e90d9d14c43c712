/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * aead.h - AES-GCM seal/open through OpenSSL EVP.
 *
 * One struct eesp_aead holds an EVP_CIPHER_CTX whose key schedule is set
 * once (eesp_aead_setkey); each packet only sets the 12-byte nonce, so the
 * context is reused rather than rebuilt per packet.  Seal and open work in
 * place (pt == ct allowed).
 */
#ifndef EESP_AEAD_H
#define EESP_AEAD_H

#include "eesp_proto.h"
#include "errors.h"

#define EESP_TAG_LEN 16

struct eesp_aead;

struct eesp_aead *eesp_aead_new(void);
void eesp_aead_free(struct eesp_aead *a);

/* key_len 16 (AES-128-GCM) or 32 (AES-256-GCM). */
int eesp_aead_setkey(struct eesp_aead *a, const uint8_t *key, size_t key_len);

int eesp_aead_seal(struct eesp_aead *a, const uint8_t nonce[EESP_NONCE_LEN], const uint8_t *aad,
		   size_t aad_len, const uint8_t *pt, size_t len, uint8_t *ct,
		   uint8_t tag[EESP_TAG_LEN]);

/* Returns EESP_E_AUTH on tag mismatch (pt content is then undefined). */
int eesp_aead_open(struct eesp_aead *a, const uint8_t nonce[EESP_NONCE_LEN], const uint8_t *aad,
		   size_t aad_len, const uint8_t *ct, size_t len, uint8_t *pt,
		   const uint8_t tag[EESP_TAG_LEN]);

#endif /* EESP_AEAD_H */
