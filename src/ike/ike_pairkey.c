/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ike_pairkey.c - seed 004's pair keys, P XOR G (ike_pairkey.h). */
#include <string.h>

#include "eesp_proto.h"
#include "ike_crypto.h"
#include "ike_pairkey.h"
#include "secmem.h"

int ike_pk_pair_init(struct ike_pk_pair *p, const uint8_t spi_i[IKE_SPI_LEN],
		     const uint8_t spi_r[IKE_SPI_LEN], uint32_t node_a, uint32_t node_b,
		     uint32_t group_id)
{
	if (!p || !spi_i || !spi_r || node_a == node_b)
		return IKE_E_INVALID;
	memcpy(p->spi_i, spi_i, IKE_SPI_LEN);
	memcpy(p->spi_r, spi_r, IKE_SPI_LEN);
	/* numeric order, so that the two members build the same ctx whichever
	 * of them initiated the IKE SA */
	p->node_lo = node_a < node_b ? node_a : node_b;
	p->node_hi = node_a < node_b ? node_b : node_a;
	p->group_id = group_id;
	return IKE_E_OK;
}

int ike_pk_dir_of(const struct ike_pk_pair *p, uint32_t sender, enum ike_pk_dir *dir)
{
	if (sender == p->node_lo)
		*dir = IKE_PK_LO_TO_HI;
	else if (sender == p->node_hi)
		*dir = IKE_PK_HI_TO_LO;
	else
		return IKE_E_INVALID;
	return IKE_E_OK;
}

size_t ike_pk_context(const struct ike_pk_pair *p, uint32_t generation, uint8_t out[IKE_PK_CTX_LEN])
{
	memcpy(out, p->spi_i, IKE_SPI_LEN);
	memcpy(out + IKE_SPI_LEN, p->spi_r, IKE_SPI_LEN);
	eesp_put32(out + 16, p->node_lo);
	eesp_put32(out + 20, p->node_hi);
	eesp_put32(out + 24, p->group_id);
	eesp_put32(out + 28, generation);
	return IKE_PK_CTX_LEN;
}

/* prf+(key, label | ctx), 64 octets: two HMAC-SHA2-256 blocks. */
static int half(const uint8_t *key, size_t key_len, const char *label, const struct ike_pk_pair *p,
		uint32_t generation, uint8_t out[IKE_PK_HALF_LEN])
{
	uint8_t ctx[IKE_PK_CTX_LEN];
	struct ike_chunk parts[2] = {{(const uint8_t *)label, strlen(label)},
				     {ctx, ike_pk_context(p, generation, ctx)}};

	return ike_prf_plus_v(IKE_PK_PRF, key, key_len, parts, 2, out, IKE_PK_HALF_LEN);
}

int ike_pk_pair_half(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		     const struct ike_pk_pair *p, uint32_t generation, uint8_t out[IKE_PK_HALF_LEN])
{
	if (prf != IKE_PK_PRF)
		return IKE_E_UNSUPPORTED;
	if (!sk_d || sk_d_len != IKE_PK_SK_D_LEN || !p || !out)
		return IKE_E_INVALID;
	return half(sk_d, sk_d_len, IKE_PK_LABEL_PAIR, p, generation, out);
}

int ike_pk_group_half(const uint8_t gk[IKE_PK_GK_LEN], const struct ike_pk_pair *p,
		      uint32_t generation, uint8_t out[IKE_PK_HALF_LEN])
{
	if (!gk || !p || !out)
		return IKE_E_INVALID;
	return half(gk, IKE_PK_GK_LEN, IKE_PK_LABEL_GROUP, p, generation, out);
}

int ike_pk_derive(uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		  const uint8_t gk[IKE_PK_GK_LEN], const struct ike_pk_pair *p, uint32_t generation,
		  uint8_t k[2][IKE_PK_KEY_LEN])
{
	uint8_t ph[IKE_PK_HALF_LEN], gh[IKE_PK_HALF_LEN];
	int e = ike_pk_pair_half(prf, sk_d, sk_d_len, p, generation, ph);

	if (!e)
		e = ike_pk_group_half(gk, p, generation, gh);
	if (!e)
		for (size_t i = 0; i < IKE_PK_HALF_LEN; i++)
			k[i / IKE_PK_KEY_LEN][i % IKE_PK_KEY_LEN] = ph[i] ^ gh[i];
	eesp_wipe(ph, sizeof(ph));
	eesp_wipe(gh, sizeof(gh));
	return e;
}

struct ike_pk_ring *ike_pk_ring_new(void)
{
	int locked;

	return eesp_secure_alloc(sizeof(struct ike_pk_ring), &locked);
}

void ike_pk_ring_free(struct ike_pk_ring *r)
{
	if (r)
		eesp_secure_free(r, sizeof(*r));
}

int ike_pk_ring_init(struct ike_pk_ring *r, const struct ike_pk_pair *p, uint32_t self)
{
	enum ike_pk_dir d;

	if (!r || !p || ike_pk_dir_of(p, self, &d))
		return IKE_E_INVALID;
	eesp_wipe(r, sizeof(*r));
	r->pair = *p;
	r->self = self;
	return IKE_E_OK;
}

/* This member's send and receive keys of one generation. */
static int gen_derive(const struct ike_pk_ring *r, uint16_t prf, const uint8_t *sk_d,
		      size_t sk_d_len, const struct eesp_root_gen *g, struct ike_pk_gen *out)
{
	uint8_t k[2][IKE_PK_KEY_LEN];
	enum ike_pk_dir mine;
	int e = ike_pk_dir_of(&r->pair, r->self, &mine);

	if (!e)
		e = ike_pk_derive(prf, sk_d, sk_d_len, g->key, &r->pair, g->generation, k);
	if (!e) {
		out->present = true;
		out->generation = g->generation;
		memcpy(out->send, k[mine], IKE_PK_KEY_LEN);
		memcpy(out->recv, k[1 - mine], IKE_PK_KEY_LEN);
	}
	eesp_wipe(k, sizeof(k));
	return e;
}

int ike_pk_ring_sync(struct ike_pk_ring *r, uint16_t prf, const uint8_t *sk_d, size_t sk_d_len,
		     const struct eesp_ring *gk)
{
	if (!r || !gk)
		return IKE_E_INVALID;
	eesp_wipe(r->gen, sizeof(r->gen));
	if (gk->id != r->pair.group_id)
		return IKE_E_INVALID;
	for (unsigned s = 0; s < EESP_GENS; s++) {
		int e;
		if (!gk->gen[s].present)
			continue;
		if ((e = gen_derive(r, prf, sk_d, sk_d_len, &gk->gen[s], &r->gen[s]))) {
			eesp_wipe(r->gen, sizeof(r->gen));
			return e;
		}
	}
	return IKE_E_OK;
}

const struct ike_pk_gen *ike_pk_ring_current(const struct ike_pk_ring *r)
{
	const struct ike_pk_gen *g = &r->gen[EESP_GEN_CURRENT];
	return g->present ? g : NULL;
}

const struct ike_pk_gen *ike_pk_ring_by_phase(const struct ike_pk_ring *r, unsigned phase)
{
	for (unsigned s = 0; s < EESP_GENS; s++)
		if (r->gen[s].present && r->gen[s].generation % EESP_PHASES == phase)
			return &r->gen[s];
	return NULL;
}

int ike_pk_sa(const uint8_t key[IKE_PK_KEY_LEN], uint32_t *spi, uint8_t salt[IKE_PK_SALT_LEN])
{
	uint8_t s[32];
	const char *label = IKE_PK_LABEL_SA;

	if (!key || !spi || !salt)
		return IKE_E_INVALID;
	int e = ike_prf(IKE_PK_PRF, key, IKE_PK_KEY_LEN, (const uint8_t *)label, strlen(label), s);
	if (!e) {
		memcpy(salt, s, IKE_PK_SALT_LEN);
		*spi = IKE_PK_SPI_BIT | (eesp_get32(s + 4) & ~IKE_PK_SPI_BIT);
	}
	eesp_wipe(s, sizeof(s));
	return e;
}
