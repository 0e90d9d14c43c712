// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ike_psp.c - PSP child proposals and their KD key bags (ike_psp.h).
 */
#include "ike_psp.h"

#include <string.h>

#include "ike_crypto.h"
#include "ike_err.h"
#include "ike_kwp.h"
#include "secmem.h"

int ike_psp_version_of(uint16_t transform_id)
{
	return transform_id >= 1 && transform_id <= 4 ? (int)transform_id - 1 : -1;
}

size_t ike_psp_key_len(unsigned version)
{
	switch (version) {
	case 0:
	case 2:
		return 16;
	case 1:
	case 3:
		return 32;
	default:
		return 0;
	}
}

int ike_psp_proposal(const struct ike_psp_codes *c, uint8_t num, uint32_t spi, unsigned version,
		     struct ike_proposal *out)
{
	uint8_t s[4];
	if (version > 3 || !num)
		return IKE_E_INVALID;
	ike_put32(s, spi);
	ike_proposal_init(out, num, c->proto, spi ? s : NULL, spi ? 4 : 0);
	if (ike_proposal_add(out, c->params_type, ike_psp_transform_id(version), 0) ||
	    ike_proposal_add(out, IKE_TT_KWA, IKE_PSP_KWA, 0))
		return IKE_E_INVALID;
	return IKE_E_OK;
}

int ike_psp_proposal_get(const struct ike_psp_codes *c, const struct ike_proposal *p,
			 unsigned *version, uint32_t *spi)
{
	unsigned n_params = 0, n_kwa = 0;
	int v = -1;
	if (p->proto != c->proto || p->spi_size != 4)
		return IKE_E_INVALID;
	for (unsigned i = 0; i < p->n; i++) {
		const struct ike_transform *t = &p->t[i];
		if (t->unknown_attr || t->key_bits)
			return IKE_E_INVALID;
		if (t->type == c->params_type) {
			n_params++;
			v = ike_psp_version_of(t->id);
		} else if (t->type == IKE_TT_KWA && t->id == IKE_PSP_KWA) {
			n_kwa++;
		} else {
			return IKE_E_INVALID;
		}
	}
	if (n_params != 1 || n_kwa != 1 || v < 0)
		return IKE_E_INVALID;
	*version = (unsigned)v;
	*spi = ike_get32(p->spi);
	return IKE_E_OK;
}

void ike_psp_known_types(const struct ike_psp_codes *c, struct ike_type_set *s)
{
	memset(s, 0, sizeof(*s));
	ike_type_set_add(s, c->params_type);
	ike_type_set_add(s, IKE_TT_KWA);
}

int ike_psp_kwk(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, uint8_t kwk[IKE_PSP_KWK_LEN])
{
	return ike_kwk_derive(prf, sk_d, sk_d_len, IKE_LABEL_KW_PSP, kwk, IKE_PSP_KWK_LEN);
}

void ike_psp_put_bag(struct ike_builder *b, const struct ike_psp_codes *c, uint32_t spi,
		     const uint8_t kwk[IKE_PSP_KWK_LEN], const uint8_t *key, size_t key_len)
{
	uint8_t wrapped[IKE_PSP_KEY_MAX + 16], s[4];
	size_t wl = 0;
	if (key_len == 0 || key_len > IKE_PSP_KEY_MAX ||
	    ike_kwp_wrap(kwk, IKE_PSP_KWK_LEN, key, key_len, wrapped, sizeof(wrapped), &wl)) {
		if (!b->err)
			b->err = IKE_E_CRYPTO;
		return;
	}
	ike_put32(s, spi);
	ike_put_group_key_bag(b, c->proto, s, 4, 0, 0, wrapped, wl);
}

/* the only bag of protocol c->proto for spi */
static const struct ike_key_bag *find_bag(const struct ike_kd *kd, const struct ike_psp_codes *c,
					  uint32_t spi)
{
	const struct ike_key_bag *found = NULL;
	for (unsigned i = 0; i < kd->n; i++) {
		const struct ike_key_bag *bag = &kd->bag[i];
		if (bag->proto != c->proto || bag->spi_size != 4 || ike_get32(bag->spi) != spi)
			continue;
		if (found)
			return NULL;
		found = bag;
	}
	return found;
}

int ike_psp_get_key(const struct ike_kd *kd, const struct ike_psp_codes *c, uint32_t spi,
		    const uint8_t kwk[IKE_PSP_KWK_LEN], uint8_t *out, size_t want_len)
{
	const struct ike_key_bag *bag = find_bag(kd, c, spi);
	struct ike_wrapped_key wk;
	uint8_t key[IKE_PSP_KEY_MAX + 16];
	size_t kl = 0;
	int rc;
	if (!bag)
		return IKE_E_MALFORMED;
	rc = ike_bag_sa_key(bag, &wk);
	if (rc)
		return rc;
	if (wk.key_id != 0 || wk.kwk_id != 0)
		return IKE_E_UNSUPPORTED;
	rc =
	    ike_kwp_unwrap(kwk, IKE_PSP_KWK_LEN, wk.wrapped, wk.wrapped_len, key, sizeof(key), &kl);
	if (rc)
		return rc;
	if (kl != want_len) {
		eesp_wipe(key, sizeof(key));
		return IKE_E_MALFORMED;
	}
	memcpy(out, key, kl);
	eesp_wipe(key, sizeof(key));
	return IKE_E_OK;
}

bool ike_has_eesp_vid(const struct ike_chain *c)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->pl[i].type == IKE_PT_VENDOR && c->pl[i].body_len == IKE_EESP_VID_LEN &&
		    !memcmp(c->pl[i].body, IKE_EESP_VID, IKE_EESP_VID_LEN))
			return true;
	return false;
}
