/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pairkey_case.c - the pair-key vectors (vectors/pairkey/<case>.json):
 * seed 004's pair keys as eesp.7 PAIRWISE KEYS defines them
 * (src/ike/ike_pairkey.h), every intermediate value, with the group keys of
 * vectors/keys/eesp.keys so that `eespctl derive pairkey` reproduces them.
 */
#include <stdio.h>

#include "ike_pairkey.h"
#include "names.h"
#include "secmem.h"
#include "vecgen.h"

/* name, description, SK_d first octet (SK_d = b, b+1, ... b+31), SPIi first
 * octet (SPIi = s .. s+7, SPIr = s+8 .. s+15), node ids, group, generation */
struct kcase {
	const char *name, *desc;
	uint8_t sk_d0, spi0;
	uint32_t node_a, node_b, group, gen;
};

/* clang-format off */
static const struct kcase kcases[] = {
    {"pairkey-g9-gen2", "group 9, generation 2 (previous): the pair's keys before the rekey",
     0x00, 0x00, VEC_NODE_ID, VEC_PEER_ID, 9, 2},
    {"pairkey-g9-gen3", "group 9, generation 3 (current): after the rekey, only GK and the generation differ from pairkey-g9-gen2",
     0x00, 0x00, VEC_NODE_ID, VEC_PEER_ID, 9, 3},
    {"pairkey-g4-gen0", "group 4, generation 0: another pair (another IKE SA), node ids given higher first: the context orders them",
     0x20, 0x40, VEC_PEER_ID + 1, VEC_NODE_ID, 4, 0},
};
/* clang-format on */

static void seq(uint8_t *out, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(first + i);
}

/* The JSON of one case into j (no key in the output is a real key). */
static int case_json(const struct kcase *c, struct strbuf *j)
{
	uint8_t sk_d[IKE_PK_SK_D_LEN], gk[IKE_PK_GK_LEN], spi[2 * IKE_SPI_LEN];
	uint8_t ctx[IKE_PK_CTX_LEN], ph[IKE_PK_HALF_LEN], gh[IKE_PK_HALF_LEN], k[2][IKE_PK_KEY_LEN];
	struct ike_pk_pair p;
	int rc;

	seq(sk_d, sizeof(sk_d), c->sk_d0);
	seq(spi, sizeof(spi), c->spi0);
	if ((rc = vec_root_key(EESP_LEVEL_GROUP, c->group, c->gen, gk)) ||
	    (rc = ike_pk_pair_init(&p, spi, spi + IKE_SPI_LEN, c->node_a, c->node_b, c->group)) ||
	    (rc = ike_pk_pair_half(IKE_PK_PRF, sk_d, sizeof(sk_d), &p, c->gen, ph)) ||
	    (rc = ike_pk_group_half(gk, &p, c->gen, gh)) ||
	    (rc = ike_pk_derive(IKE_PK_PRF, sk_d, sizeof(sk_d), gk, &p, c->gen, k)))
		return EESP_E_CRYPTO;
	ike_pk_context(&p, c->gen, ctx);
	strbuf_printf(j,
		      "{\n  \"name\": \"%s\",\n  \"description\": \"%s\",\n"
		      "  \"prf\": \"HMAC-SHA2-256\",\n  \"ike_prf_transform_id\": %u,\n",
		      c->name, c->desc, IKE_PK_PRF);
	vec_json_hex(j, "sk_d", sk_d, sizeof(sk_d), false);
	vec_json_hex(j, "spi_i", spi, IKE_SPI_LEN, false);
	vec_json_hex(j, "spi_r", spi + IKE_SPI_LEN, IKE_SPI_LEN, false);
	strbuf_printf(j,
		      "  \"node_a\": %u,\n  \"node_b\": %u,\n  \"node_lo\": %u,\n"
		      "  \"node_hi\": %u,\n  \"group_id\": %u,\n  \"generation\": %u,\n"
		      "  \"phase\": %u,\n",
		      c->node_a, c->node_b, p.node_lo, p.node_hi, c->group, c->gen,
		      c->gen % EESP_PHASES);
	vec_json_hex(j, "group_key", gk, sizeof(gk), false);
	strbuf_printf(j, "  \"label_pair\": \"%s\",\n  \"label_group\": \"%s\",\n",
		      IKE_PK_LABEL_PAIR, IKE_PK_LABEL_GROUP);
	vec_json_hex(j, "context", ctx, sizeof(ctx), false);
	vec_json_hex(j, "pair_half", ph, sizeof(ph), false);
	vec_json_hex(j, "group_half", gh, sizeof(gh), false);
	vec_json_hex(j, "key_lo_to_hi", k[IKE_PK_LO_TO_HI], IKE_PK_KEY_LEN, false);
	vec_json_hex(j, "key_hi_to_lo", k[IKE_PK_HI_TO_LO], IKE_PK_KEY_LEN, true);
	strbuf_printf(j, "}\n");
	eesp_wipe(k, sizeof(k));
	return EESP_E_OK;
}

int vec_gen_pairkey_cases(vec_emit_fn emit, void *arg)
{
	for (size_t i = 0; i < sizeof(kcases) / sizeof(kcases[0]); i++) {
		struct strbuf j = {0};
		char fname[96];
		int rc = case_json(&kcases[i], &j);

		if (!rc && j.oom)
			rc = EESP_E_NOSPACE;
		snprintf(fname, sizeof(fname), "pairkey/%s.json", kcases[i].name);
		if (!rc)
			rc = emit(arg, fname, (const uint8_t *)j.p, j.len);
		strbuf_free(&j);
		if (rc)
			return rc;
	}
	return EESP_E_OK;
}
