/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eesp_case.c - one EESP vector: the packet from eesp_seal (the cached fast
 * path) or sealed by hand for a receive-rule case, and a JSON file with the
 * intermediate values from the reference EVP_KDF path (master, context,
 * data key, salt, nonce, AAD), so a regeneration also cross-checks the two.
 */
#include "vecgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aead.h"
#include "names.h"
#include "secmem.h"

#define T EESP_SCTX_FLAG_T
#define G EESP_SCTX_FLAG_G

/*
 * The bytes eesp_seal encrypted (the JSON's plaintext), rebuilt: header
 * bytes past the AAD (the Payload Info Header with its Next Header) and the
 * inner packet.
 */
static int rebuild_plaintext(const struct eesp_hdr_params *p, const uint8_t *inner, size_t il,
			     size_t hl, size_t aad, uint8_t *clear, size_t *n)
{
	if (aad < hl) {
		uint8_t h[128];
		if (eesp_build_header(h, sizeof(h), p) != hl)
			return EESP_E_INVALID;
		if (p->crypt_offset)
			h[hl - 2] = (inner[0] >> 4) == 6 ? 41 : 4;
		memcpy(clear, h + aad, hl - aad);
		memcpy(clear + hl - aad, inner, il);
		*n = hl - aad + il;
	} else {
		memcpy(clear, inner + (aad - hl), il - (aad - hl));
		*n = il - (aad - hl);
	}
	return EESP_E_OK;
}

/*
 * A receive-rule case: the header of p, in the full format a Payload Info
 * Header with r's bytes 0-1, Next Header and Pad Length, the inner packet,
 * r->pad_bytes zero bytes, sealed with the data key as eesp_seal would.
 * clear gets the encrypted region before sealing (the JSON's plaintext).
 */
static int seal_by_hand(const struct eesp_hdr_params *p, const struct rcase *r,
			const uint8_t *inner, size_t il, const uint8_t *key, size_t kl,
			const uint8_t salt[EESP_SALT_LEN], uint8_t *pkt, size_t cap, size_t *len,
			uint8_t *clear, size_t *clear_len)
{
	size_t hl = eesp_header_len(p), body = hl + il + r->pad_bytes, aad = hl;
	uint8_t nonce[EESP_NONCE_LEN];
	struct eesp_aead *a;
	int rc;

	if (p->crypt_offset)
		aad = hl - EESP_PIH_LEN + 4u * p->crypt_offset;
	if (!hl || body + EESP_ICV_LEN > cap || aad > body || eesp_build_header(pkt, cap, p) != hl)
		return EESP_E_NOSPACE;
	if (p->crypt_offset) {
		uint8_t *pih = pkt + hl - EESP_PIH_LEN;
		pih[0] = r->pih01[0];
		pih[1] = r->pih01[1];
		pih[2] = r->next_hdr ? r->next_hdr : (inner[0] >> 4) == 6 ? 41 : 4;
		pih[3] = r->pad_len;
	}
	memcpy(pkt + hl, inner, il);
	memset(pkt + hl + il, 0, r->pad_bytes);
	memcpy(clear, pkt + aad, body - aad);
	*clear_len = body - aad;
	eesp_nonce(nonce, salt, p->sn);
	a = eesp_aead_new();
	rc = a ? eesp_aead_setkey(a, key, kl) : EESP_E_CRYPTO;
	if (!rc)
		rc = eesp_aead_seal(a, nonce, pkt, aad, pkt + aad, body - aad, pkt + aad,
				    pkt + body);
	eesp_aead_free(a);
	*len = body + EESP_ICV_LEN;
	return rc;
}

/* Everything one EESP case computes, for its JSON and pcap. */
struct ecase {
	struct eesp_hdr_params p;
	uint8_t inner[256], pkt[2048], clear[2048];
	uint8_t sctx[EESP_SCTX_MAX_LEN], ctx[EESP_KDF_CONTEXT_MAX];
	uint8_t roots[EESP_LEVELS][32], master[32], dkey[32], salt[EESP_SALT_LEN];
	uint8_t nonce[EESP_NONCE_LEN];
	size_t il, len, sl, cl, kl, hl, aad, clear_len;
};

static uint32_t level_id(const struct vcase *v, unsigned l)
{
	return l == 0 ? 0 : l == 1 ? v->tenant : v->group;
}

/* The header parameters of case v, number idx. */
static void case_params(const struct eesp_domain *d, const struct vcase *v, const struct rcase *r,
			unsigned idx, struct eesp_hdr_params *p)
{
	memset(p, 0, sizeof(*p));
	p->session_id = v->session;
	p->spi = v->profile == EESP_PROFILE_SPI ? v->spi : d->spi;
	p->sctx.profile = v->profile;
	p->sctx.kdf = v->kdf;
	p->sctx.suite = v->suite;
	p->sctx.flags = v->flags;
	p->sctx.epoch = v->epoch;
	p->sctx.tenant_id = v->tenant;
	p->sctx.group_id = v->group;
	p->sctx.phase[0] = (uint8_t)(v->gen[0] % 4);
	p->sctx.phase[1] = (v->flags & T) ? (uint8_t)(v->gen[1] % 4) : 0;
	p->sctx.phase[2] = (v->flags & G) ? (uint8_t)(v->gen[2] % 4) : 0;
	if (eesp_profile_has_node(v->profile))
		p->sctx.node_id = VEC_NODE_ID;
	if (v->profile == EESP_PROFILE_PAIR)
		p->sctx.peer_node_id = VEC_PEER_ID;
	p->crypt_offset = v->co;
	p->next_hdr = 0; /* from the inner packet */
	p->sn = r && r->sn ? r->sn : ((uint64_t)VEC_TS_BASE << 32) + 1 + idx;
}

/* The intermediate values, through the reference (EVP_KDF) path. */
static int case_keys(struct eesp_kdf_ctx *kdf, const struct vcase *v, struct ecase *e)
{
	const struct eesp_hdr_params *p = &e->p;
	int rc;

	for (unsigned l = 0; l < EESP_LEVELS; l++)
		if ((rc = vec_root_key(l, level_id(v, l), v->gen[l], e->roots[l])))
			return rc;
	rc = eesp_derive_master(kdf, e->roots[0], (v->flags & T) ? e->roots[1] : NULL, v->tenant,
				(v->flags & G) ? e->roots[2] : NULL, v->group, e->master);
	e->sl = eesp_sctx_encode(e->sctx, &p->sctx);
	e->cl = eesp_kdf_context(e->ctx, p->spi, p->session_id, e->sctx, e->sl);
	if (!rc)
		rc = eesp_derive_data_key(kdf, e->master, v->kdf, v->suite, p->spi, p->session_id,
					  e->sctx, e->sl, e->dkey, e->salt);
	if (rc)
		return rc;
	eesp_nonce(e->nonce, e->salt, p->sn);
	return EESP_E_OK;
}

/* The packet: eesp_seal, or by hand for a receive-rule case.  The
 * plaintext is the bytes that get encrypted: what the packet held there
 * before sealing (PIH and/or inner packet). */
static int case_seal(struct eesp_crypto *c, const struct eesp_domain *d, const struct vcase *v,
		     const struct rcase *r, struct ecase *e)
{
	int rc;

	e->hl = eesp_header_len(&e->p);
	e->aad = v->co ? e->hl - EESP_PIH_LEN + 4u * v->co : e->hl;
	if (r)
		return seal_by_hand(&e->p, r, e->inner, e->il, e->dkey, e->kl, e->salt, e->pkt,
				    sizeof(e->pkt), &e->len, e->clear, &e->clear_len);
	rc = eesp_seal(c, d, &e->p, e->inner, e->il, e->pkt, sizeof(e->pkt), &e->len);
	if (!rc)
		rc = rebuild_plaintext(&e->p, e->inner, e->il, e->hl, e->aad, e->clear,
				       &e->clear_len);
	return rc;
}

/* "root_keys": the levels the case uses. */
static void json_roots(struct strbuf *j, const struct vcase *v, const struct ecase *e)
{
	strbuf_printf(j, "  \"root_keys\": [\n");
	for (unsigned l = 0; l < EESP_LEVELS; l++) {
		bool more = (l == 0 && (v->flags & (T | G))) || (l == 1 && (v->flags & G));
		if ((l == 1 && !(v->flags & T)) || (l == 2 && !(v->flags & G)))
			continue;
		strbuf_printf(j,
			      "    {\"level\": \"%s\", \"id\": %u, \"generation\": %u, \"phase\": "
			      "%u, \"key\": \"",
			      eesp_name_of(eesp_level_names, l), level_id(v, l), v->gen[l],
			      v->gen[l] % 4);
		strbuf_hex(j, e->roots[l], 32);
		strbuf_printf(j, "\"}%s\n", more ? "," : "");
	}
	strbuf_printf(j, "  ],\n");
}

/* The case's parameters, down to the sequence number. */
static void json_params(struct strbuf *j, const struct eesp_domain *d, const struct vcase *v,
			const struct rcase *r, const struct ecase *e)
{
	strbuf_printf(j,
		      "{\n  \"name\": \"%s\",\n  \"description\": \"%s\",\n  \"mode\": \"%s\",\n",
		      v->name, v->desc, eesp_name_of(eesp_mode_names, EESP_MODE_EESP));
	if (r)
		strbuf_printf(j, "  \"verdict\": \"%s\",\n", r->verdict);
	strbuf_printf(j, "  \"profile\": \"%s\",\n  \"kdf\": \"%s\",\n  \"suite\": \"%s\",\n",
		      eesp_name_of(eesp_profile_names, v->profile),
		      eesp_name_of(eesp_kdf_spec_names, v->kdf),
		      eesp_name_of(eesp_suite_names, v->suite));
	json_roots(j, v, e);
	strbuf_printf(j, "  \"domain\": \"%08x\",\n  \"spi\": \"%08x\",\n  \"session_id\": %u,\n",
		      d->spi, e->p.spi, e->p.session_id);
	strbuf_printf(j, "  \"epoch\": %u,\n", v->epoch);
	if (v->flags & T)
		strbuf_printf(j, "  \"tenant_id\": %u,\n", v->tenant);
	if (v->flags & G)
		strbuf_printf(j, "  \"group_id\": %u,\n", v->group);
	if (eesp_profile_has_node(v->profile))
		strbuf_printf(j, "  \"node_id\": %u,\n", VEC_NODE_ID);
	if (v->profile == EESP_PROFILE_PAIR)
		strbuf_printf(j, "  \"peer_node_id\": %u,\n", VEC_PEER_ID);
	strbuf_printf(j, "  \"sequence_number\": \"%016llx\",\n  \"crypt_offset\": %u,\n",
		      (unsigned long long)e->p.sn, v->co);
}

/* The derived values and the packet's regions. */
static void json_values(struct strbuf *j, const struct vcase *v, const struct rcase *r,
			const struct ecase *e)
{
	const uint8_t *pkt = e->pkt;

	vec_json_hex(j, "sctx_option", pkt + EESP_BASE_LEN, 2 + e->sl, false);
	vec_json_hex(j, "master_key", e->master, 32, false);
	strbuf_printf(j, "  \"kdf_label\": \"%s\",\n", EESP_DATA_LABEL);
	vec_json_hex(j, "kdf_context", e->ctx, e->cl, false);
	strbuf_printf(j, "  \"kdf_output_bits\": %zu,\n", 8 * (e->kl + EESP_SALT_LEN));
	vec_json_hex(j, "data_key", e->dkey, e->kl, false);
	vec_json_hex(j, "salt", e->salt, EESP_SALT_LEN, false);
	vec_json_hex(j, "nonce", e->nonce, EESP_NONCE_LEN, false);
	vec_json_hex(j, "inner_packet", e->inner, e->il, false);
	if (r && v->co)
		vec_json_hex(j, "payload_info_header",
			     e->aad >= e->hl ? pkt + e->hl - EESP_PIH_LEN : e->clear, EESP_PIH_LEN,
			     false);
	vec_json_hex(j, "aad", pkt, e->aad, false);
	vec_json_hex(j, "plaintext", e->clear, e->clear_len, false);
	vec_json_hex(j, "ciphertext", pkt + e->aad, e->len - EESP_ICV_LEN - e->aad, false);
	vec_json_hex(j, "tag", pkt + e->len - EESP_ICV_LEN, EESP_ICV_LEN, false);
	vec_json_hex(j, "packet", pkt, e->len, false);
	strbuf_printf(j, "  \"pcap\": \"%s.pcap\",\n  \"udp_dport\": %u\n}\n", v->name,
		      EESP_UDP_PORT);
}

/* <name>.json and <name>.pcap. */
static int case_emit(const struct eesp_domain *d, const struct vcase *v, const struct rcase *r,
		     const struct ecase *e, unsigned idx, vec_emit_fn emit, void *arg)
{
	struct strbuf j = {0};
	char fname[96];
	int rc;

	json_params(&j, d, v, r, e);
	json_values(&j, v, r, e);
	if (j.oom) {
		strbuf_free(&j);
		return EESP_E_NOSPACE;
	}
	snprintf(fname, sizeof(fname), "%s.json", v->name);
	rc = emit(arg, fname, (const uint8_t *)j.p, j.len);
	strbuf_free(&j);
	if (!rc)
		rc = vec_emit_pcap(emit, arg, v->name, (uint16_t)(49152 + idx), EESP_UDP_PORT,
				   e->pkt, e->len, VEC_TS_BASE + idx);
	return rc;
}

/* One EESP case: VEC_CASES (sealed by eesp_seal) or, with r, VEC_RCASES. */
int vec_gen_eesp_case(struct eesp_crypto *c, struct eesp_kdf_ctx *kdf, const struct eesp_domain *d,
		      const struct vcase *v, const struct rcase *r, unsigned idx,
		      struct strbuf *index, vec_emit_fn emit, void *arg)
{
	struct ecase *e = calloc(1, sizeof(*e));
	uint64_t rng = vec_rng_seed(v->name);
	int rc;

	if (!e)
		return EESP_E_NOSPACE;
	case_params(d, v, r, idx, &e->p);
	e->kl = eesp_suite_key_len(v->suite);
	e->il = vec_make_inner(v->inner, &rng, e->inner, sizeof(e->inner));
	rc = e->il ? case_keys(kdf, v, e) : EESP_E_NOSPACE;
	if (!rc)
		rc = case_seal(c, d, v, r, e);
	if (!rc) {
		rc = case_emit(d, v, r, e, idx, emit, arg);
		strbuf_printf(index, "%-28s %-5s %s\n", v->name,
			      eesp_name_of(eesp_mode_names, EESP_MODE_EESP), v->desc);
	}
	eesp_wipe(e, sizeof(*e)); /* roots, master, data key */
	free(e);
	return rc;
}
