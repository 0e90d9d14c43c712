// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ike_gcks.c - root-key rings in a KD payload (ike_gcks.h).
 */
#include "ike_gcks.h"

#include <openssl/evp.h>
#include <string.h>

#include "ike_crypto.h"
#include "ike_kwp.h"
#include "secmem.h"

#define GEN_VALUE_LEN (8 + IKE_GCKS_FP_LEN + 40)

int ike_gcks_kwk(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len, uint8_t out[IKE_GCKS_KWK_LEN])
{
	return ike_kwk_derive(prf, sk_d, sk_d_len, IKE_LABEL_KW_GIKEV2, out, IKE_GCKS_KWK_LEN);
}

int ike_gcks_fingerprint(const uint8_t key[IKE_GCKS_KEY_LEN], uint8_t fp[IKE_GCKS_FP_LEN])
{
	uint8_t h[32];
	unsigned n = 0;
	if (EVP_Digest(key, IKE_GCKS_KEY_LEN, h, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return IKE_E_CRYPTO;
	memcpy(fp, h, IKE_GCKS_FP_LEN);
	return IKE_E_OK;
}

void ike_gcks_put_idg(struct ike_builder *b, uint32_t domain)
{
	uint8_t v[4];
	ike_put32(v, domain);
	ike_put_id(b, IKE_PT_IDG, IKE_ID_KEY_ID, v, 4);
}

int ike_gcks_idg_parse(const struct ike_payload *p, uint32_t *domain)
{
	struct ike_id id;
	int rc = ike_id_parse(p, &id);
	if (rc)
		return rc;
	if (id.type != IKE_ID_KEY_ID || id.len != 4)
		return IKE_E_MALFORMED;
	*domain = ike_get32(id.data);
	return IKE_E_OK;
}

static void put_gen(struct ike_builder *b, const uint8_t kwk[IKE_GCKS_KWK_LEN], unsigned slot,
		    const struct ike_gcks_gen *g)
{
	uint8_t v[GEN_VALUE_LEN] = {0};
	size_t wl = 0;
	v[0] = (uint8_t)slot;
	ike_put32(v + 4, g->generation);
	if (ike_gcks_fingerprint(g->key, v + 8) ||
	    ike_kwp_wrap(kwk, IKE_GCKS_KWK_LEN, g->key, IKE_GCKS_KEY_LEN, v + 16, 40, &wl) ||
	    wl != 40) {
		if (!b->err)
			b->err = IKE_E_CRYPTO;
		return;
	}
	ike_put_attr_tlv(b, IKE_KD_ATTR_EESP_ROOT_GEN, v, sizeof(v));
}

void ike_gcks_put_ring(struct ike_builder *b, uint8_t proto, uint32_t domain,
		       const uint8_t kwk[IKE_GCKS_KWK_LEN], const struct ike_gcks_ring *r)
{
	uint8_t rv[8] = {0};
	size_t off;
	if (b->err)
		return;
	if (r->level > 2 || !r->gen[1].present) {
		b->err = IKE_E_INVALID;
		return;
	}
	off = b->len;
	ike_build_u8(b, proto);
	ike_build_u8(b, 4);
	ike_build_u16(b, 0);
	ike_build_u32(b, domain);
	rv[0] = r->level;
	ike_put32(rv + 4, r->id);
	ike_put_attr_tlv(b, IKE_KD_ATTR_EESP_ROOT_RING, rv, sizeof(rv));
	for (unsigned s = 0; s < 3; s++)
		if (r->gen[s].present)
			put_gen(b, kwk, s, &r->gen[s]);
	if (!b->err)
		ike_put16(b->buf + off + 2, (uint16_t)(b->len - off));
}

/* one EESP_ROOT_GEN value into its slot of r */
static int get_gen(const struct ike_attr *a, const uint8_t kwk[IKE_GCKS_KWK_LEN],
		   struct ike_gcks_ring *r)
{
	uint8_t fp[IKE_GCKS_FP_LEN], key[IKE_GCKS_KEY_LEN + 8];
	size_t n = 0;
	if (a->len != GEN_VALUE_LEN || a->data[0] > 2 || a->data[1] || a->data[2] || a->data[3])
		return IKE_E_MALFORMED;
	struct ike_gcks_gen *g = &r->gen[a->data[0]];
	if (g->present)
		return IKE_E_MALFORMED;
	int rc = ike_kwp_unwrap(kwk, IKE_GCKS_KWK_LEN, a->data + 16, 40, key, sizeof(key), &n);
	if (rc)
		return rc;
	if (n != IKE_GCKS_KEY_LEN || ike_gcks_fingerprint(key, fp) ||
	    memcmp(fp, a->data + 8, IKE_GCKS_FP_LEN)) {
		eesp_wipe(key, sizeof(key));
		return IKE_E_MALFORMED;
	}
	g->present = true;
	g->generation = ike_get32(a->data + 4);
	memcpy(g->fp, fp, IKE_GCKS_FP_LEN);
	memcpy(g->key, key, IKE_GCKS_KEY_LEN);
	eesp_wipe(key, sizeof(key));
	return IKE_E_OK;
}

/* ascending within a span of 3 (distinct phases), a current one */
static int ring_sane(const struct ike_gcks_ring *r)
{
	int first = -1, last = -1;
	if (!r->gen[1].present)
		return IKE_E_MALFORMED;
	for (int i = 0; i < 3; i++) {
		if (!r->gen[i].present)
			continue;
		if (last >= 0 && r->gen[i].generation <= r->gen[last].generation)
			return IKE_E_MALFORMED;
		if (first < 0)
			first = i;
		last = i;
	}
	return r->gen[last].generation - r->gen[first].generation > 3 ? IKE_E_MALFORMED : IKE_E_OK;
}

static int get_ring(const struct ike_key_bag *bag, const uint8_t kwk[IKE_GCKS_KWK_LEN],
		    struct ike_gcks_ring *r)
{
	const uint8_t *p = bag->attrs;
	size_t left = bag->attrs_len;
	bool ring = false;
	memset(r, 0, sizeof(*r));
	while (left) {
		struct ike_attr a;
		int rc = ike_attr_next(&p, &left, &a);
		if (rc)
			return rc;
		if (a.tv)
			return IKE_E_UNSUPPORTED;
		if (a.type == IKE_KD_ATTR_EESP_ROOT_RING && !ring) {
			if (a.len != 8 || a.data[0] > 2 || a.data[1] || a.data[2] || a.data[3])
				return IKE_E_MALFORMED;
			r->level = a.data[0];
			r->id = ike_get32(a.data + 4);
			if (r->level == 0 && r->id)
				return IKE_E_MALFORMED;
			ring = true;
		} else if (a.type == IKE_KD_ATTR_EESP_ROOT_GEN) {
			rc = get_gen(&a, kwk, r);
			if (rc)
				return rc;
		} else {
			return IKE_E_UNSUPPORTED;
		}
	}
	return ring ? ring_sane(r) : IKE_E_MALFORMED;
}

int ike_gcks_get_rings(const struct ike_kd *kd, uint8_t proto, uint32_t domain,
		       const uint8_t kwk[IKE_GCKS_KWK_LEN], struct ike_gcks_ring *out, unsigned cap,
		       unsigned *n)
{
	int rc = IKE_E_OK;
	*n = 0;
	if (kd->n > cap)
		return IKE_E_TOO_MANY;
	for (unsigned i = 0; i < kd->n && !rc; i++) {
		const struct ike_key_bag *bag = &kd->bag[i];
		if (bag->proto != proto || bag->spi_size != 4)
			rc = IKE_E_UNSUPPORTED;
		else if (ike_get32(bag->spi) != domain)
			rc = IKE_E_MALFORMED;
		else
			rc = get_ring(bag, kwk, &out[i]);
		for (unsigned k = 0; k < i && !rc; k++)
			if (out[k].level == out[i].level && out[k].id == out[i].id)
				rc = IKE_E_MALFORMED; /* one bag per ring */
	}
	if (rc) {
		eesp_wipe(out, cap * sizeof(*out));
		return rc;
	}
	*n = kd->n;
	return IKE_E_OK;
}
