/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ike_crypto.h - the IKEv2 key schedule through OpenSSL 3 EVP: prf
 * (HMAC-SHA2-256/-512, and HMAC-SHA1 which RFC 7296 requires), prf+ (RFC 7296 §2.13), SKEYSEED and
 * SK_d/ai/ar/ei/er/pi/pr (§2.14), the rekeyed SKEYSEED (§2.18), child
 * KEYMAT (§2.17), the PSK AUTH value (§2.15) and the key-wrap keys of
 * the PSP draft and RFC 9838 (prf+(SK_d, label)).
 *
 * Every function is pure: inputs by pointer, output into caller memory.
 * The keys of an IKE SA live in a struct ike_keys that ike_keys_new()
 * places in locked memory which ike_keys_free() wipes (src/core/secmem).
 * AEAD only: with AES-GCM-16 SK_ai/SK_ar are empty and SK_e is the key
 * followed by the 4-octet salt (RFC 5282).
 */
#ifndef EESP_IKE_CRYPTO_H
#define EESP_IKE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "ike_err.h"
#include "ike_proto.h"

struct ike_proposal;

#define IKE_PRF_MAX 64	/* HMAC-SHA2-512 output */
#define IKE_SK_E_MAX 36 /* AES-256 key + salt */
#define IKE_PRF_PLUS_MAX_BLOCKS 255

/* A piece of a concatenated input (so that Ni|Nr|SPIi|SPIr need no copy). */
struct ike_chunk {
	const uint8_t *p;
	size_t len;
};

/* Output length of a PRF transform ID (20, 32, 64), 0 when not supported. */
size_t ike_prf_len(uint16_t prf);

/* out (ike_prf_len(prf) octets) = prf(key, data); UNSUPPORTED for an
 * unknown prf.  The _v form takes data as the concatenation of parts. */
int ike_prf(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *data, size_t data_len,
	    uint8_t *out);
int ike_prf_v(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
	      unsigned n, uint8_t *out);

/* out_len octets of prf+(key, seed); INVALID when out_len needs more than
 * 255 blocks. */
int ike_prf_plus(uint16_t prf, const uint8_t *key, size_t key_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t out_len);
int ike_prf_plus_v(uint16_t prf, const uint8_t *key, size_t key_len, const struct ike_chunk *parts,
		   unsigned n, uint8_t *out, size_t out_len);

/* The algorithms of an IKE SA (from the chosen proposal). */
struct ike_suite {
	uint16_t encr;	    /* IKE_ENCR_AES_GCM_16 */
	uint16_t encr_bits; /* 128, 192 or 256 */
	uint16_t prf;	    /* IKE_PRF_HMAC_SHA2_256/512 */
	uint16_t ke;	    /* KE group, 0 when the proposal has none */
	uint16_t kwa;	    /* KWA ID, 0 when the proposal has none */
};

/* Suite of a chosen proposal: UNSUPPORTED unless ENCR is AES-GCM-16 with
 * a key length of 128/192/256, the PRF is one of ours, and INTEG is
 * absent or NONE. */
int ike_suite_from_proposal(const struct ike_proposal *p, struct ike_suite *s);

/* SK_e length of a suite (key + salt), 0 when unsupported. */
size_t ike_suite_ek_len(const struct ike_suite *s);

struct ike_keys {
	uint16_t prf;
	size_t prf_len; /* SKEYSEED, SK_d, SK_pi, SK_pr */
	size_t ak_len;	/* SK_ai, SK_ar: 0 with an AEAD */
	size_t ek_len;	/* SK_ei, SK_er: key + salt */
	uint8_t skeyseed[IKE_PRF_MAX];
	uint8_t d[IKE_PRF_MAX];
	uint8_t ai[IKE_PRF_MAX], ar[IKE_PRF_MAX];
	uint8_t ei[IKE_SK_E_MAX], er[IKE_SK_E_MAX];
	uint8_t pi[IKE_PRF_MAX], pr[IKE_PRF_MAX];
};

/* A zeroed struct ike_keys in locked memory (NULL on failure), and its
 * release, which wipes it. */
struct ike_keys *ike_keys_new(void);
void ike_keys_free(struct ike_keys *k);
void ike_keys_wipe(struct ike_keys *k);

/* SKEYSEED = prf(Ni | Nr, g^ir) into out (ike_prf_len octets). */
int ike_skeyseed(uint16_t prf, const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
		 const uint8_t *gir, size_t gir_len, uint8_t *out);

/* Rekeyed IKE SA: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with
 * the old SA's prf and SK_d. */
int ike_skeyseed_rekey(uint16_t prf_old, const uint8_t *sk_d_old, size_t sk_d_len,
		       const uint8_t *gir, size_t gir_len, const uint8_t *ni, size_t ni_len,
		       const uint8_t *nr, size_t nr_len, uint8_t *out);

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)
 * into k (skeyseed copied into k->skeyseed as well). */
int ike_derive_keys(const struct ike_suite *s, const uint8_t *skeyseed, const uint8_t *ni,
		    size_t ni_len, const uint8_t *nr, size_t nr_len,
		    const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
		    struct ike_keys *k);

/* Child SA: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr) (gir may be NULL). */
int ike_child_keymat(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
		     size_t gir_len, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
		     size_t nr_len, uint8_t *out, size_t out_len);

/*
 * PSK AUTH (RFC 7296 §2.15):
 *   prf(prf(PSK, "Key Pad for IKEv2"), RealMessage | Nonce | prf(SK_p, ID'))
 * The initiator signs its IKE_SA_INIT request, Nr, SK_pi and IDi'; the
 * responder its IKE_SA_INIT response, Ni, SK_pr and IDr'.  id_body is the
 * ID payload body (struct ike_id.body).  out: ike_prf_len(prf) octets.
 */
int ike_psk_auth(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
		 size_t msg_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
		 size_t sk_p_len, const uint8_t *id_body, size_t id_len, uint8_t *out);

/* Recompute and compare in constant time: OK or AUTH_FAILED. */
int ike_psk_auth_verify(uint16_t prf, const uint8_t *psk, size_t psk_len, const uint8_t *real_msg,
			size_t msg_len, const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p,
			size_t sk_p_len, const uint8_t *id_body, size_t id_len, const uint8_t *auth,
			size_t auth_len);

/* Key-wrap key = prf+(SK_d, label) with label IKE_LABEL_KW_PSP (SK_w) or
 * IKE_LABEL_KW_GIKEV2 (GSK_w), out_len = the KWA key size (ike_kwp.h). */
int ike_kwk_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, const char *label,
		   uint8_t *out, size_t out_len);

#endif /* EESP_IKE_CRYPTO_H */
