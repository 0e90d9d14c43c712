/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet_psp.c - whole-packet seal and open in the PSP wire mode
 * (packet.h): data keys derived from the keyset's two master keys and cached
 * per thread (keycache.h), out-of-band keys for senders, the inner packet
 * check (inner.h).
 *
 * Versions 0/1 are AES-GCM over the header and the crypt-offset bytes (AAD)
 * and the rest (encrypted); versions 2/3 (AES-GMAC) are the same AES-GCM
 * with an empty plaintext and the whole packet before the ICV as AAD, so the
 * payload stays in clear and only the tag is computed.  One AEAD call serves
 * all four: psp_parse() (and psp_seal_with_key() below) set the regions.
 */
#include "packet.h"

#include <string.h>

#include "inner.h"
#include "keycache.h"
#include "secmem.h"

static bool psp_view_sane(size_t len, const struct psp_view *v)
{
	return v && v->icv_off + PSP_ICV_LEN == len && v->ct_off == v->aad_len &&
	       v->ct_off + v->ct_len == v->icv_off && v->hdr_len <= v->icv_off &&
	       v->aad_len >= PSP_HDR_LEN && psp_version_key_len(v->version) &&
	       (!psp_version_is_gmac(v->version) || (v->ct_len == 0 && v->crypt_off == 0));
}

static int psp_open_aead(struct eesp_aead *a, uint8_t *pkt, const struct psp_view *v)
{
	/* nonce = SPI || IV, the 12 header bytes at offsets 4..15 */
	return eesp_aead_open(a, pkt + 4, pkt, v->aad_len, pkt + v->ct_off, v->ct_len,
			      pkt + v->ct_off, pkt + v->icv_off);
}

/* The spare AEAD keyed with the PSP data key of (SPI, version) under master key idx. */
static int psp_derive_spare(struct eesp_crypto *c, const struct eesp_keyset *ks, unsigned idx,
			    const struct psp_view *v)
{
	uint8_t key[32];
	int rc;

	if (!kc_spare(c))
		return EESP_E_CRYPTO;
	rc = psp_derive_key(c->kdf, ks->psp_master[idx], v->spi, v->version, key);
	if (!rc)
		rc = eesp_aead_setkey(c->spare, key, psp_version_key_len(v->version));
	eesp_wipe(key, sizeof(key));
	return rc;
}

int psp_open(struct eesp_crypto *c, const struct eesp_keyset *ks, uint8_t *pkt, size_t len,
	     const struct psp_view *v, size_t *inner_off, size_t *inner_len)
{
	static const uint8_t nosalt[EESP_SALT_LEN];
	uint8_t ctx[5];
	unsigned idx;
	struct kc_master_id id;
	struct kc_dk *e, *victim = NULL;
	int rc;

	if (!c || !ks || !pkt || !inner_off || !inner_len || !psp_view_sane(len, v))
		return EESP_E_INVALID;
	idx = (v->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	if (!ks->has_psp[idx])
		return EESP_E_NO_KEY;
	memset(&id, 0, sizeof(id));
	id.ks = ks;
	id.kind = KC_KIND_PSP;
	id.tenant_id = idx;
	eesp_put32(ctx, v->spi);
	ctx[4] = v->version;
	e = kc_dk_find(c, &id, ctx, sizeof(ctx), &victim);
	if (e) {
		rc = psp_open_aead(e->aead, pkt, v);
	} else {
		/* the master is the keyset's: only the data key costs a token */
		if (!kc_budget_take(c, 1))
			return EESP_E_DERIVE_BUDGET;
		rc = psp_derive_spare(c, ks, idx, v);
		if (!rc)
			rc = psp_open_aead(c->spare, pkt, v);
		if (!rc) {
			kc_budget_give_back(c, 1);
			kc_dk_insert(c, victim, &id, ctx, sizeof(ctx), nosalt);
		}
	}
	if (rc)
		return rc;
	return psp_inner_check(pkt, v, inner_off, inner_len);
}

int psp_open_with_key(struct eesp_crypto *c, const uint8_t *key, size_t key_len, uint8_t *pkt,
		      size_t len, const struct psp_view *v, size_t *inner_off, size_t *inner_len)
{
	int rc;

	if (!c || !key || !pkt || !inner_off || !inner_len || !psp_view_sane(len, v))
		return EESP_E_INVALID;
	if (key_len != psp_version_key_len(v->version))
		return EESP_E_NO_KEY;
	rc = kc_oob_setkey(c, key, key_len);
	if (rc)
		return rc;
	rc = psp_open_aead(c->oob, pkt, v);
	if (rc)
		return rc;
	return psp_inner_check(pkt, v, inner_off, inner_len);
}

int psp_seal_with_key(struct eesp_crypto *c, const uint8_t *key, const struct psp_hdr_params *p,
		      const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap,
		      size_t *out_len)
{
	size_t hl, aad, kl;
	uint8_t hdr[PSP_HDR_LEN + PSP_VC_LEN];
	int rc;

	if (!c || !key || !p || (!inner && inner_len) || !out || !out_len)
		return EESP_E_INVALID;
	kl = psp_version_key_len(p->version);
	if (!kl || p->crypt_off > PSP_CRYPT_OFFSET_MAX || !(p->spi & ~PSP_SPI_KEY_SELECTOR))
		return EESP_E_INVALID;
	if (psp_version_is_gmac(p->version) && p->crypt_off)
		return EESP_E_PSP_GMAC_CO;
	hl = psp_build_header(hdr, sizeof(hdr), p);
	if (!hl)
		return EESP_E_INVALID;
	if (inner_len > SIZE_MAX - hl - PSP_ICV_LEN || hl + inner_len + PSP_ICV_LEN > cap)
		return EESP_E_NOSPACE;
	/* GMAC: everything before the ICV is authenticated, nothing encrypted */
	aad = psp_version_is_gmac(p->version)
		  ? hl + inner_len
		  : PSP_HDR_LEN + PSP_CRYPT_OFFSET_UNITS * (size_t)p->crypt_off;
	if (aad > hl + inner_len)
		return EESP_E_CRYPT_OFFSET;
	rc = kc_oob_setkey(c, key, kl);
	if (rc)
		return rc;
	memmove(out + hl, inner, inner_len);
	memcpy(out, hdr, hl);
	rc = eesp_aead_seal(c->oob, out + 4, out, aad, out + aad, hl + inner_len - aad, out + aad,
			    out + hl + inner_len);
	if (rc)
		return rc;
	*out_len = hl + inner_len + PSP_ICV_LEN;
	return EESP_E_OK;
}
