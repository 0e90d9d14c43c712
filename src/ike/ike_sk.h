/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_sk.h - the Encrypted and Authenticated (SK) payload with AES-GCM-16
 * (RFC 7296 §3.14 with the RFC 5282 layout):
 *
 *   generic header(4) | IV(8) | ciphertext | ICV(16)
 *   plaintext = inner payloads | padding | Pad Length(1)
 *   nonce     = salt (last 4 octets of SK_e) | IV
 *   AAD       = the message from the IKE header through the SK generic
 *               header, with every Length already final
 *
 * The IV comes from a caller-owned 64-bit counter, incremented on every
 * seal; a counter that would wrap gives IV_EXHAUSTED, so an IV is never
 * used twice under one key (each direction has its own SK_e, hence its own
 * counter).  Padding is zero octets, as strongSwan sends.
 */
#ifndef EESP_IKE_SK_H
#define EESP_IKE_SK_H

#include "ike_wire.h"

struct evp_cipher_ctx_st;

/* One direction's SK_e, keyed once. */
struct ike_sk_cipher {
	struct evp_cipher_ctx_st *ctx;
	uint8_t salt[IKE_GCM_SALT_LEN];
	size_t key_len;
};

/* Octets an SK payload adds around its inner payloads (no padding). */
#define IKE_SK_OVERHEAD (IKE_GEN_HDR_LEN + IKE_GCM_IV_LEN + 1 + IKE_GCM_ICV_LEN)

/* Key c with SK_e = key | salt (20 octets for AES-128, 28, 36 for -256);
 * encr must be IKE_ENCR_AES_GCM_16 (else UNSUPPORTED).  Allocates the EVP
 * context; ike_sk_cipher_free() frees and wipes it. */
int ike_sk_cipher_init(struct ike_sk_cipher *c, uint16_t encr, const uint8_t *sk_e,
		       size_t sk_e_len);
void ike_sk_cipher_free(struct ike_sk_cipher *c);

/* Open the SK payload in a message being built: writes the SK generic
 * header and leaves room for the IV.  The payloads added after it (with
 * ike_put_*()) are the inner chain.  Returns the SK payload's offset. */
size_t ike_sk_begin(struct ike_builder *b);

/* Close the SK payload opened at sk_off: append Pad Length and room for
 * the ICV, fill both Length fields, write IV = *iv_counter (then
 * increment it), encrypt the inner payloads in place and write the ICV.
 * Nothing may follow.  *len = final message length. */
int ike_sk_seal(struct ike_builder *b, size_t sk_off, struct ike_sk_cipher *c, uint64_t *iv_counter,
		size_t *len);

/*
 * Decrypt the SK payload of a parsed message (m->sk >= 0, else NO_SK)
 * into pt[cap] and walk the inner chain (first type m->sk_first) into
 * inner; payload offsets in inner are relative to pt.  Refuses: fewer
 * octets than IV + ICV + 1 (TRUNCATED), a wrong ICV (ICV), a Pad Length
 * beyond the plaintext (PADDING), and what ike_chain_parse() refuses.
 * On ICV failure pt is wiped.
 */
int ike_sk_open(struct ike_sk_cipher *c, const struct ike_msg *m, uint8_t *pt, size_t cap,
		struct ike_chain *inner);

#endif /* EESP_IKE_SK_H */
