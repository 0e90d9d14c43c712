/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet_eesp.c - whole-packet seal and open in the EESP wire mode
 * (packet.h): key lookup through the per-thread caches (keycache.h), the
 * receive rules of eesp.7 up to the AEAD, then the inner packet (inner.h).
 */
#include "packet.h"

#include <string.h>

#include "inner.h"
#include "keycache.h"
#include "secmem.h"

/* -------------------------------------------------------------- keys -- */

/* The identity of the EESP master for these resolved roots. */
static void master_id_of(struct kc_master_id *id, const struct eesp_keyset *ks,
			 const struct eesp_sctx *s,
			 const struct eesp_root_gen *const g[EESP_LEVELS])
{
	uint8_t fl = s->flags & (EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G);

	memset(id, 0, sizeof(*id));
	id->ks = ks;
	id->kind = KC_KIND_EESP;
	id->flags = fl;
	id->tenant_id = fl & EESP_SCTX_FLAG_T ? s->tenant_id : 0;
	id->group_id = fl & EESP_SCTX_FLAG_G ? s->group_id : 0;
	for (unsigned l = 0; l < EESP_LEVELS; l++)
		id->gen[l] = g[l] ? g[l]->generation : 0;
}

static bool spi_in_domain(const struct eesp_domain *d, unsigned profile, uint32_t spi)
{
	if (profile == EESP_PROFILE_SPI)
		return spi >= d->spi_min && spi <= d->spi_max && spi != 0;
	return spi == d->spi;
}

/* Phases to root generations: unknown_generation / no_key. */
static int resolve_roots(const struct eesp_keyset *ks, const struct eesp_sctx *s,
			 const struct eesp_root_gen *g[EESP_LEVELS])
{
	const struct eesp_ring *r;

	g[0] = g[1] = g[2] = NULL;
	if (!ks || !(r = eesp_keyset_ring(ks, EESP_LEVEL_DOMAIN, 0)))
		return EESP_E_NO_KEY;
	if (!(g[0] = eesp_ring_by_phase(r, s->phase[0])))
		return EESP_E_UNKNOWN_GEN;
	if (s->flags & EESP_SCTX_FLAG_T) {
		if (!(r = eesp_keyset_ring(ks, EESP_LEVEL_TENANT, s->tenant_id)))
			return EESP_E_NO_KEY;
		if (!(g[1] = eesp_ring_by_phase(r, s->phase[1])))
			return EESP_E_UNKNOWN_GEN;
	}
	if (s->flags & EESP_SCTX_FLAG_G) {
		if (!(r = eesp_keyset_ring(ks, EESP_LEVEL_GROUP, s->group_id)))
			return EESP_E_NO_KEY;
		if (!(g[2] = eesp_ring_by_phase(r, s->phase[2])))
			return EESP_E_UNKNOWN_GEN;
	}
	return EESP_E_OK;
}

/* ----------------------------------------------------------- receive -- */

static int open_common(struct eesp_aead *a, const uint8_t salt[EESP_SALT_LEN], uint8_t *pkt,
		       const struct eesp_view *v)
{
	uint8_t nonce[EESP_NONCE_LEN];
	eesp_nonce(nonce, salt, v->sn);
	return eesp_aead_open(a, nonce, pkt, v->aad_len, pkt + v->ct_off, v->ct_len,
			      pkt + v->ct_off, pkt + v->icv_off);
}

static bool view_sane(size_t len, const struct eesp_view *v)
{
	return v && v->icv_off + EESP_ICV_LEN == len && v->ct_off == v->aad_len &&
	       v->ct_off + v->ct_len == v->icv_off && v->hdr_len <= v->icv_off &&
	       v->aad_len >= v->hdr_len && v->sctx_off + v->sctx_len <= v->hdr_len &&
	       v->sctx_len <= EESP_SCTX_MAX_LEN &&
	       (!v->has_crypt_offset || v->hdr_len + EESP_PIH_LEN <= v->icv_off);
}

/*
 * A received packet whose data key is not cached: derive it (and its master
 * if that is not cached either) within the budget, open with the spare
 * context, and only if the tag verifies keep what was derived.
 */
static int open_uncached(struct eesp_crypto *c, const struct kc_master_id *id,
			 const struct eesp_root_gen *const g[EESP_LEVELS], const uint8_t *ctx,
			 size_t n, struct kc_dk *victim, uint8_t *pkt, const struct eesp_view *v)
{
	struct kc_master *m;
	uint8_t salt[EESP_SALT_LEN];
	uint32_t cost = 1;
	int rc;

	/* the data key's token first: a flood is refused before the master lookup */
	if (!kc_budget_take(c, 1))
		return EESP_E_DERIVE_BUDGET;
	if (!(m = kc_master_find(c, id))) {
		if (!kc_budget_take(c, 1)) {
			kc_budget_give_back(c, 1);
			return EESP_E_DERIVE_BUDGET;
		}
		cost = 2;
		if ((rc = kc_master_derive(c, id, g, &m)))
			return rc;
	}
	rc = kc_dk_derive_eesp(c, m, v->sctx.kdf, v->sctx.suite, ctx, n, salt);
	if (!rc)
		rc = open_common(c->spare, salt, pkt, v);
	if (!rc) {
		kc_budget_give_back(c, cost);
		if (m == &c->mspare)
			kc_master_keep(c);
		kc_dk_insert(c, victim, id, ctx, n, salt);
	}
	eesp_wipe(salt, sizeof(salt));
	return rc;
}

int eesp_open(struct eesp_crypto *c, const struct eesp_domain *d, uint32_t epoch_now, uint8_t *pkt,
	      size_t len, const struct eesp_view *v, size_t *inner_off, size_t *inner_len)
{
	const struct eesp_root_gen *g[EESP_LEVELS];
	const struct eesp_sctx *s;
	struct kc_master_id id;
	struct kc_dk *e, *victim = NULL;
	uint8_t ctx[KC_CTX_MAX];
	size_t n;
	int rc;

	if (!c || !d || !pkt || !inner_off || !inner_len || !view_sane(len, v))
		return EESP_E_INVALID;
	s = &v->sctx;
	if (!spi_in_domain(d, s->profile, v->spi))
		return EESP_E_UNKNOWN_DOMAIN;
	if (v->has_crypt_offset && v->crypt_offset > d->max_crypt_offset)
		return EESP_E_CRYPT_OFFSET;
	rc = resolve_roots(d->keys, s, g);
	if (rc)
		return rc;
	if (!eesp_epoch_in_window(s->epoch, epoch_now, d->epoch_window))
		return EESP_E_EPOCH;
	if (s->profile == EESP_PROFILE_PAIR && s->peer_node_id != d->self_node_id)
		return EESP_E_MISROUTED;
	master_id_of(&id, d->keys, s, g);
	n = eesp_kdf_context(ctx, v->spi, v->session_id, pkt + v->sctx_off, v->sctx_len);
	e = kc_dk_find(c, &id, ctx, n, &victim);
	if (e)
		rc = open_common(e->aead, e->salt, pkt, v);
	else
		rc = open_uncached(c, &id, g, ctx, n, victim, pkt, v);
	if (rc)
		return rc;
	return eesp_inner_check(pkt, v, inner_off, inner_len);
}

int eesp_open_with_key(struct eesp_crypto *c, const struct eesp_dkey *k, uint8_t *pkt, size_t len,
		       const struct eesp_view *v, size_t *inner_off, size_t *inner_len)
{
	int rc;

	if (!c || !k || !pkt || !inner_off || !inner_len || !view_sane(len, v))
		return EESP_E_INVALID;
	if (!eesp_suite_known(k->suite) || v->sctx.suite != k->suite)
		return EESP_E_NO_KEY;
	rc = kc_oob_setkey(c, k->key, eesp_suite_key_len(k->suite));
	if (rc)
		return rc;
	rc = open_common(c->oob, k->salt, pkt, v);
	if (rc)
		return rc;
	return eesp_inner_check(pkt, v, inner_off, inner_len);
}

/* -------------------------------------------------------------- send -- */

/* Header + inner + seal with a ready AEAD. */
static int seal_common(struct eesp_aead *a, const uint8_t salt[EESP_SALT_LEN],
		       const struct eesp_hdr_params *p, const uint8_t *inner, size_t inner_len,
		       uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t nonce[EESP_NONCE_LEN];
	size_t hl = eesp_header_len(p), aad, total;
	int rc;

	if (!hl)
		return EESP_E_INVALID;
	if (inner_len > SIZE_MAX - hl - EESP_ICV_LEN || hl + inner_len + EESP_ICV_LEN > cap)
		return EESP_E_NOSPACE;
	total = hl + inner_len + EESP_ICV_LEN;
	if (p->crypt_offset) {
		aad = hl - EESP_PIH_LEN + 4 * (size_t)p->crypt_offset;
		if (aad > hl + inner_len)
			return EESP_E_CRYPT_OFFSET;
	} else {
		aad = hl;
	}
	/* inner may already sit at out + hl (in-place use) */
	memmove(out + hl, inner, inner_len);
	if (eesp_build_header(out, cap, p) != hl)
		return EESP_E_INVALID;
	if (p->crypt_offset && !p->next_hdr && inner_len)
		out[hl - 2] = (out[hl] >> 4) == 6 ? 41 : 4;
	eesp_nonce(nonce, salt, p->sn);
	rc = eesp_aead_seal(a, nonce, out, aad, out + aad, hl + inner_len - aad, out + aad,
			    out + hl + inner_len);
	if (rc)
		return rc;
	*out_len = total;
	return EESP_E_OK;
}

static int hdr_params_ok(const struct eesp_hdr_params *p)
{
	const struct eesp_sctx *s = &p->sctx;
	if (!eesp_profile_known(s->profile) || !eesp_kdf_known(s->kdf) ||
	    !eesp_suite_known(s->suite) || p->sn == 0 || p->crypt_offset > 63)
		return EESP_E_INVALID;
	if ((s->flags & EESP_SCTX_FLAGS_RESERVED) ||
	    (s->profile == EESP_PROFILE_TENANT && !(s->flags & EESP_SCTX_FLAG_T)) ||
	    s->phase[0] > 3 || s->phase[1] > 3 || s->phase[2] > 3 ||
	    (!(s->flags & EESP_SCTX_FLAG_T) && s->phase[1]) ||
	    (!(s->flags & EESP_SCTX_FLAG_G) && s->phase[2]))
		return EESP_E_INVALID;
	return EESP_E_OK;
}

/* Our own packet's key: cached, or derived and kept at once (never budgeted). */
static int seal_key(struct eesp_crypto *c, const struct kc_master_id *id,
		    const struct eesp_root_gen *const g[EESP_LEVELS], const struct eesp_sctx *s,
		    const uint8_t *ctx, size_t n, struct eesp_aead **a, const uint8_t **salt,
		    struct kc_dk **victim, uint8_t salt_buf[EESP_SALT_LEN])
{
	struct kc_dk *e = kc_dk_find(c, id, ctx, n, victim);
	struct kc_master *m;
	int rc;

	if (e) {
		*a = e->aead;
		*salt = e->salt;
		*victim = NULL;
		return EESP_E_OK;
	}
	rc = kc_master_get_kept(c, id, g, &m);
	if (!rc)
		rc = kc_dk_derive_eesp(c, m, s->kdf, s->suite, ctx, n, salt_buf);
	*a = c->spare;
	*salt = salt_buf;
	return rc;
}

int eesp_seal(struct eesp_crypto *c, const struct eesp_domain *d, const struct eesp_hdr_params *p,
	      const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t ctx[KC_CTX_MAX], sctx[EESP_SCTX_MAX_LEN], salt_buf[EESP_SALT_LEN];
	const struct eesp_root_gen *g[EESP_LEVELS];
	const uint8_t *salt;
	struct kc_master_id id;
	struct kc_dk *victim = NULL;
	struct eesp_aead *a;
	size_t n, sl;
	int rc;

	if (!c || !d || !p || (!inner && inner_len) || !out || !out_len)
		return EESP_E_INVALID;
	rc = hdr_params_ok(p);
	if (rc)
		return rc;
	if (!spi_in_domain(d, p->sctx.profile, p->spi))
		return EESP_E_UNKNOWN_DOMAIN;
	rc = resolve_roots(d->keys, &p->sctx, g);
	if (rc)
		return rc;
	master_id_of(&id, d->keys, &p->sctx, g);
	sl = eesp_sctx_encode(sctx, &p->sctx);
	n = eesp_kdf_context(ctx, p->spi, p->session_id, sctx, sl);
	rc = seal_key(c, &id, g, &p->sctx, ctx, n, &a, &salt, &victim, salt_buf);
	if (!rc)
		rc = seal_common(a, salt, p, inner, inner_len, out, cap, out_len);
	if (!rc && victim)
		kc_dk_insert(c, victim, &id, ctx, n, salt_buf);
	eesp_wipe(salt_buf, sizeof(salt_buf));
	return rc;
}

int eesp_seal_with_key(struct eesp_crypto *c, const struct eesp_dkey *k,
		       const struct eesp_hdr_params *p, const uint8_t *inner, size_t inner_len,
		       uint8_t *out, size_t cap, size_t *out_len)
{
	int rc;

	if (!c || !k || !p || (!inner && inner_len) || !out || !out_len)
		return EESP_E_INVALID;
	rc = hdr_params_ok(p);
	if (rc)
		return rc;
	if (!eesp_suite_known(k->suite) || p->sctx.suite != k->suite)
		return EESP_E_NO_KEY;
	rc = kc_oob_setkey(c, k->key, eesp_suite_key_len(k->suite));
	if (rc)
		return rc;
	return seal_common(c->oob, k->salt, p, inner, inner_len, out, cap, out_len);
}

int eesp_data_key_for(struct eesp_crypto *c, const struct eesp_domain *d,
		      const struct eesp_hdr_params *p, struct eesp_dkey *out)
{
	uint8_t sctx[EESP_SCTX_MAX_LEN];
	const struct eesp_root_gen *g[EESP_LEVELS];
	struct kc_master_id id;
	struct kc_master *m;
	size_t sl;
	int rc;

	if (!c || !d || !p || !out)
		return EESP_E_INVALID;
	{
		/* the key does not depend on the SN: accept 0 here */
		struct eesp_hdr_params q = *p;
		q.sn = 1;
		rc = hdr_params_ok(&q);
		if (rc)
			return rc;
	}
	if (!spi_in_domain(d, p->sctx.profile, p->spi))
		return EESP_E_UNKNOWN_DOMAIN;
	rc = resolve_roots(d->keys, &p->sctx, g);
	if (rc)
		return rc;
	master_id_of(&id, d->keys, &p->sctx, g);
	rc = kc_master_get_kept(c, &id, g, &m);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->suite = p->sctx.suite;
	sl = eesp_sctx_encode(sctx, &p->sctx);
	/* the generic derivation (eesp_derive_data_key), not the data-key cache */
	return eesp_derive_data_key(c->kdf, m->key, p->sctx.kdf, p->sctx.suite, p->spi,
				    p->session_id, sctx, sl, out->key, out->salt);
}
