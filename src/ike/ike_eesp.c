// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ike_eesp.c - the EESP child's proposal and key bags (ike_eesp.h).
 */
#include "ike_eesp.h"

#include <string.h>

#include "ike_err.h"
#include "ike_kwp.h"
#include "secmem.h"

int ike_eesp_proposal(uint8_t proto, uint8_t num, uint32_t spi, struct ike_proposal *out)
{
	uint8_t s[4];
	ike_put32(s, spi);
	ike_proposal_init(out, num, proto, s, 4);
	return ike_proposal_add(out, IKE_TT_KWA, IKE_PSP_KWA, 0) ? IKE_E_INVALID : IKE_E_OK;
}

int ike_eesp_proposal_get(uint8_t proto, const struct ike_proposal *p, uint32_t *spi)
{
	if (p->proto != proto || p->spi_size != 4 || p->n != 1 || p->t[0].type != IKE_TT_KWA ||
	    p->t[0].id != IKE_PSP_KWA || p->t[0].key_bits || p->t[0].unknown_attr)
		return IKE_E_INVALID;
	*spi = ike_get32(p->spi);
	return IKE_E_OK;
}

void ike_eesp_put_bag(struct ike_builder *b, uint8_t proto, const uint8_t kwk[IKE_PSP_KWK_LEN],
		      const struct ike_eesp_sa *sa)
{
	uint8_t plain[IKE_EESP_KEY_MAX + IKE_EESP_SALT_LEN], wk[8 + sizeof(plain) + 16], v[4];
	size_t n = sa->key_len + IKE_EESP_SALT_LEN, wl = 0, off;
	if ((sa->key_len != 16 && sa->key_len != 32) || b->err) {
		if (!b->err)
			b->err = IKE_E_INVALID;
		return;
	}
	memcpy(plain, sa->key, sa->key_len);
	memcpy(plain + sa->key_len, sa->salt, IKE_EESP_SALT_LEN);
	memset(wk, 0, 8); /* Key ID 0, KWK ID 0 */
	int rc = ike_kwp_wrap(kwk, IKE_PSP_KWK_LEN, plain, n, wk + 8, sizeof(wk) - 8, &wl);
	eesp_wipe(plain, sizeof(plain));
	if (rc) {
		b->err = IKE_E_CRYPTO;
		return;
	}
	/* Group Key Bag header: Protocol, SPI Size, Length (filled below) */
	off = b->len;
	ike_build_u8(b, proto);
	ike_build_u8(b, 4);
	ike_build_u16(b, 0);
	ike_build_u32(b, sa->spi);
	ike_put_attr_tlv(b, IKE_KD_ATTR_SA_KEY, wk, 8 + wl);
	if (sa->has_phase) {
		ike_put32(v, sa->phase);
		ike_put_attr_tlv(b, IKE_KD_ATTR_EESP_SA_PHASE, v, 4);
		ike_put32(v, sa->epoch);
		ike_put_attr_tlv(b, IKE_KD_ATTR_EESP_EPOCH, v, 4);
	}
	if (!b->err)
		ike_put16(b->buf + off + 2, (uint16_t)(b->len - off));
}

static const struct ike_key_bag *find_bag(const struct ike_kd *kd, uint8_t proto, uint32_t spi)
{
	const struct ike_key_bag *found = NULL;
	for (unsigned i = 0; i < kd->n; i++)
		if (kd->bag[i].proto == proto && kd->bag[i].spi_size == 4 &&
		    ike_get32(kd->bag[i].spi) == spi) {
			if (found)
				return NULL;
			found = &kd->bag[i];
		}
	return found;
}

/* SA_KEY and the two EESP attributes of a bag */
static int bag_attrs(const struct ike_key_bag *bag, struct ike_attr *key, struct ike_attr *phase,
		     struct ike_attr *epoch, unsigned *n_key)
{
	const uint8_t *p = bag->attrs;
	size_t left = bag->attrs_len;
	*n_key = 0;
	while (left) {
		struct ike_attr a;
		int rc = ike_attr_next(&p, &left, &a);
		if (rc)
			return rc;
		if (a.tv)
			return IKE_E_UNSUPPORTED;
		if (a.type == IKE_KD_ATTR_SA_KEY)
			*key = a, (*n_key)++;
		else if (a.type == IKE_KD_ATTR_EESP_SA_PHASE && a.len == 4 && !phase->data)
			*phase = a;
		else if (a.type == IKE_KD_ATTR_EESP_EPOCH && a.len == 4 && !epoch->data)
			*epoch = a;
		else
			return IKE_E_UNSUPPORTED;
	}
	return IKE_E_OK;
}

int ike_eesp_get_bag(const struct ike_kd *kd, uint8_t proto, uint32_t spi,
		     const uint8_t kwk[IKE_PSP_KWK_LEN], bool want_phase, struct ike_eesp_sa *out)
{
	const struct ike_key_bag *bag = find_bag(kd, proto, spi);
	struct ike_attr key = {0}, phase = {0}, epoch = {0};
	struct ike_wrapped_key wk;
	uint8_t plain[IKE_EESP_KEY_MAX + IKE_EESP_SALT_LEN + 8];
	unsigned nk;
	size_t n = 0;
	int rc;
	memset(out, 0, sizeof(*out));
	if (!bag)
		return IKE_E_MALFORMED;
	rc = bag_attrs(bag, &key, &phase, &epoch, &nk);
	if (rc)
		return rc;
	if (nk != 1 || (want_phase && (!phase.data || !epoch.data)))
		return IKE_E_MALFORMED;
	rc = ike_wrapped_key_parse(&key, &wk);
	if (rc)
		return rc;
	if (wk.key_id || wk.kwk_id)
		return IKE_E_UNSUPPORTED;
	rc = ike_kwp_unwrap(kwk, IKE_PSP_KWK_LEN, wk.wrapped, wk.wrapped_len, plain, sizeof(plain),
			    &n);
	if (rc)
		return rc;
	if (n != 16 + IKE_EESP_SALT_LEN && n != 32 + IKE_EESP_SALT_LEN) {
		eesp_wipe(plain, sizeof(plain));
		return IKE_E_MALFORMED;
	}
	out->spi = spi;
	out->key_len = n - IKE_EESP_SALT_LEN;
	memcpy(out->key, plain, out->key_len);
	memcpy(out->salt, plain + out->key_len, IKE_EESP_SALT_LEN);
	eesp_wipe(plain, sizeof(plain));
	if (phase.data) {
		out->has_phase = true;
		out->phase = ike_get32(phase.data);
		out->epoch = ike_get32(epoch.data);
	}
	return IKE_E_OK;
}
