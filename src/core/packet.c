/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet.c - whole-packet seal/open for both wire modes, with the per-thread
 * key caches.
 *
 * Caches (struct eesp_crypto, one per thread):
 *  - masters: MASTER_SLOTS entries keyed by (keyset, levels, tenant id, group
 *    id, root generations), LRU; the 32-byte masters live in locked memory;
 *    each entry owns pre-keyed PRFs (one per KDF) for the data-key path.
 *    PSP master keys sit in the same table (kind PSP, index 0/1).
 *  - data keys: 2-way set-associative, a power of two of entries, indexed by
 *    a seeded multiply-xorshift hash of (master serial, KDF context bytes)
 *    and confirmed by a full compare; each entry owns an AES-GCM context
 *    with the key set.  On receive, a missed key is derived into a spare
 *    context and only enters the cache once the packet authenticates, so
 *    forged packets cannot evict good entries.
 */
#include "packet.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aead.h"
#include "kdf.h"
#include "secmem.h"

#define MASTER_SLOTS 8
#define MASTER_KIND_EESP 1
#define MASTER_KIND_PSP 2
#define DK_CTX_MAX EESP_KDF_CONTEXT_MAX
#define DK_MAX_ENTRIES (1u << 20)

struct master_ent {
	uint64_t serial; /* 0 = empty */
	uint64_t used;
	const struct eesp_keyset *ks;
	uint8_t kind;
	uint8_t flags;
	uint32_t tenant_id, group_id;
	uint32_t gen[EESP_LEVELS];
	uint8_t *key; /* EESP master or PSP master key, in c->secure */
	struct eesp_prf *prf[2];
};

struct dk_ent {
	uint64_t serial; /* master serial; 0 = empty */
	uint64_t used;
	uint8_t ctx_len;
	uint8_t ctx[DK_CTX_MAX];
	uint8_t salt[EESP_SALT_LEN];
	struct eesp_aead *aead;
};

struct eesp_crypto {
	struct eesp_kdf_ctx *kdf;
	uint64_t tick, next_serial, seed;
	struct master_ent master[MASTER_SLOTS];
	uint8_t *secure; /* MASTER_SLOTS * 32 + oob key */
	size_t secure_len;
	struct dk_ent *dk;
	size_t dk_sets; /* power of two; 2 ways each */
	struct eesp_aead *spare;
	struct eesp_aead *oob; /* out-of-band keys */
	uint8_t *oob_key;      /* in c->secure */
	size_t oob_len;
	struct eesp_crypto_stats st;
};

struct eesp_crypto *eesp_crypto_new(size_t dk_cache_entries)
{
	struct eesp_crypto *c = calloc(1, sizeof(*c));
	size_t n = 2;
	int locked;

	if (!c)
		return NULL;
	if (dk_cache_entries > DK_MAX_ENTRIES)
		dk_cache_entries = DK_MAX_ENTRIES;
	while (n < dk_cache_entries)
		n <<= 1;
	c->dk_sets = n / 2;
	c->dk = calloc(n, sizeof(*c->dk));
	c->kdf = eesp_kdf_ctx_new();
	c->secure_len = (MASTER_SLOTS + 1) * 32;
	c->secure = eesp_secure_alloc(c->secure_len, &locked);
	c->spare = eesp_aead_new();
	c->oob = eesp_aead_new();
	if (!c->dk || !c->kdf || !c->secure || !c->spare || !c->oob ||
	    RAND_bytes((uint8_t *)&c->seed, sizeof(c->seed)) != 1) {
		eesp_crypto_free(c);
		return NULL;
	}
	for (unsigned i = 0; i < MASTER_SLOTS; i++)
		c->master[i].key = c->secure + 32 * i;
	c->oob_key = c->secure + 32 * MASTER_SLOTS;
	c->next_serial = 1;
	return c;
}

static void master_drop(struct master_ent *m)
{
	eesp_prf_free(m->prf[0]);
	eesp_prf_free(m->prf[1]);
	m->prf[0] = m->prf[1] = NULL;
	eesp_wipe(m->key, 32);
	m->serial = 0;
}

void eesp_crypto_flush(struct eesp_crypto *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < MASTER_SLOTS; i++)
		master_drop(&c->master[i]);
	/* free the cipher contexts too: that cleanses their key schedules */
	for (size_t i = 0; i < 2 * c->dk_sets; i++) {
		eesp_aead_free(c->dk[i].aead);
		eesp_wipe(&c->dk[i], sizeof(c->dk[i]));
	}
	eesp_aead_free(c->spare);
	c->spare = eesp_aead_new(); /* NULL is retried on the next miss */
	c->oob_len = 0;
	eesp_wipe(c->oob_key, 32);
	/* overwrite the out-of-band key schedule with an all-zero key */
	(void)eesp_aead_setkey(c->oob, c->oob_key, 32);
}

void eesp_crypto_free(struct eesp_crypto *c)
{
	if (!c)
		return;
	if (c->secure) {
		for (unsigned i = 0; i < MASTER_SLOTS; i++)
			if (c->master[i].key)
				master_drop(&c->master[i]);
		eesp_secure_free(c->secure, c->secure_len);
	}
	if (c->dk) {
		for (size_t i = 0; i < 2 * c->dk_sets; i++)
			eesp_aead_free(c->dk[i].aead);
		free(c->dk);
	}
	eesp_aead_free(c->spare);
	eesp_aead_free(c->oob);
	eesp_kdf_ctx_free(c->kdf);
	free(c);
}

void eesp_crypto_stats(const struct eesp_crypto *c, struct eesp_crypto_stats *s)
{
	if (c && s)
		*s = c->st;
}

/* ------------------------------------------------------------- caches -- */

/* Find or make the master entry.  For EESP, g[] are the resolved roots. */
static struct master_ent *master_get(struct eesp_crypto *c, const struct eesp_keyset *ks,
				     uint8_t kind, uint8_t flags, uint32_t tid, uint32_t gid,
				     const struct eesp_root_gen *const g[EESP_LEVELS], int *rc)
{
	struct master_ent *m, *victim = &c->master[0];
	uint32_t gen[EESP_LEVELS] = {0, 0, 0};

	for (unsigned l = 0; l < EESP_LEVELS; l++)
		gen[l] = g[l] ? g[l]->generation : 0;
	for (unsigned i = 0; i < MASTER_SLOTS; i++) {
		m = &c->master[i];
		if (m->serial && m->ks == ks && m->kind == kind && m->flags == flags &&
		    m->tenant_id == tid && m->group_id == gid && m->gen[0] == gen[0] &&
		    m->gen[1] == gen[1] && m->gen[2] == gen[2]) {
			m->used = ++c->tick;
			return m;
		}
		if (!m->serial || (victim->serial && m->used < victim->used))
			victim = m;
	}
	m = victim;
	if (m->serial)
		master_drop(m);
	if (kind == MASTER_KIND_PSP) {
		memcpy(m->key, ks->psp_master[tid], PSP_MASTER_KEY_LEN);
	} else {
		*rc = eesp_derive_master(c->kdf, g[0]->key, g[1] ? g[1]->key : NULL, tid,
					 g[2] ? g[2]->key : NULL, gid, m->key);
		if (*rc)
			return NULL;
	}
	c->st.master_derivations++;
	m->ks = ks;
	m->kind = kind;
	m->flags = flags;
	m->tenant_id = tid;
	m->group_id = gid;
	memcpy(m->gen, gen, sizeof(gen));
	m->serial = c->next_serial++;
	m->used = ++c->tick;
	return m;
}

/* One step of the data-key hash: 8 bytes, one multiply, one xor-shift. */
static uint64_t dk_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

/*
 * Set index of (master serial, KDF context bytes), keyed with the per-cache
 * random seed so a sender cannot aim its contexts at one set.  Eight bytes
 * per step: the byte-wise FNV-1a this replaces was a chain of one dependent
 * multiply per byte (8 for the serial, then one per context byte) and most
 * of a cached lookup's time (bench_micro cached_lookup_ns).  Not a MAC: a
 * hit is confirmed by a full compare.
 */
static uint64_t dk_hash(const struct eesp_crypto *c, uint64_t serial, const uint8_t *ctx, size_t n)
{
	uint64_t h = dk_mix(c->seed ^ n, serial), w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, ctx + i, 8);
		h = dk_mix(h, w);
	}
	if (i < n) {
		/* the tail in a register: a short memcpy into w would go through
		 * the stack and stall the load */
		for (w = 0; i < n; i++)
			w = w << 8 | ctx[i];
		h = dk_mix(h, w);
	}
	h *= 0xff51afd7ed558ccdull; /* the low bits pick the set: fold the high ones in */
	return h ^ (h >> 33);
}

/* Lookup; on a miss *victim is the way to replace. */
static struct dk_ent *dk_find(struct eesp_crypto *c, uint64_t serial, const uint8_t *ctx, size_t n,
			      struct dk_ent **victim)
{
	struct dk_ent *set = &c->dk[2 * (dk_hash(c, serial, ctx, n) & (c->dk_sets - 1))];
	for (unsigned w = 0; w < 2; w++)
		if (set[w].serial == serial && set[w].ctx_len == n && !memcmp(set[w].ctx, ctx, n)) {
			set[w].used = ++c->tick;
			c->st.dk_hits++;
			return &set[w];
		}
	c->st.dk_misses++;
	if (!set[0].serial)
		*victim = &set[0];
	else if (!set[1].serial)
		*victim = &set[1];
	else
		*victim = set[0].used <= set[1].used ? &set[0] : &set[1];
	return NULL;
}

/* Move the spare AEAD (holding the new key) into the victim way. */
static void dk_insert(struct eesp_crypto *c, struct dk_ent *v, uint64_t serial, const uint8_t *ctx,
		      size_t n, const uint8_t salt[EESP_SALT_LEN])
{
	struct eesp_aead *old = v->aead;
	if (v->serial)
		c->st.dk_evictions++;
	v->aead = c->spare;
	c->spare = old ? old : eesp_aead_new(); /* NULL is retried next miss */
	v->serial = serial;
	v->ctx_len = (uint8_t)n;
	memcpy(v->ctx, ctx, n);
	memcpy(v->salt, salt, EESP_SALT_LEN);
	v->used = ++c->tick;
}

/* Either the cached AEAD (hit) or the spare one with a fresh key. */
struct dk_use {
	struct eesp_aead *aead;
	const uint8_t *salt;
	struct dk_ent *victim; /* non-NULL on a miss */
	uint8_t salt_buf[EESP_SALT_LEN];
};

static int dk_prepare_eesp(struct eesp_crypto *c, struct master_ent *m, enum eesp_kdf kdf,
			   enum eesp_suite suite, const uint8_t *ctx, size_t n, struct dk_use *u)
{
	struct dk_ent *e = dk_find(c, m->serial, ctx, n, &u->victim);
	uint8_t key[EESP_MAX_DATA_KEY_LEN];
	int rc;

	if (e) {
		u->aead = e->aead;
		u->salt = e->salt;
		u->victim = NULL;
		return EESP_E_OK;
	}
	if (!c->spare && !(c->spare = eesp_aead_new()))
		return EESP_E_CRYPTO;
	if (!m->prf[kdf - 1] &&
	    !(m->prf[kdf - 1] = eesp_prf_new(c->kdf, kdf, m->key, EESP_MASTER_KEY_LEN)))
		return EESP_E_CRYPTO;
	rc = eesp_prf_data_key(m->prf[kdf - 1], suite, ctx, n, key, u->salt_buf);
	if (!rc)
		rc = eesp_aead_setkey(c->spare, key, eesp_suite_key_len(suite));
	eesp_wipe(key, sizeof(key));
	u->aead = c->spare;
	u->salt = u->salt_buf;
	return rc;
}

/* ------------------------------------------------------------- checks -- */

/* IPv4/IPv6 packet at p within avail bytes: its length, or 0 if invalid. */
static size_t ip_len_of(const uint8_t *p, size_t avail, unsigned *family)
{
	size_t tl, ihl;

	if (avail < 1)
		return 0;
	switch (p[0] >> 4) {
	case 4:
		if (avail < 20)
			return 0;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		tl = eesp_get16(p + 2);
		if (ihl < 20 || tl < ihl || tl > avail)
			return 0;
		*family = 4;
		return tl;
	case 6:
		if (avail < 40)
			return 0;
		tl = 40 + (size_t)eesp_get16(p + 4);
		if (tl > avail)
			return 0;
		*family = 6;
		return tl;
	default:
		return 0;
	}
}

/*
 * Full format (eesp.7, Payload and RECEIVE PROCESSING steps 22-23): the
 * 4-byte Payload Info Header, exactly one inner packet, then exactly Pad
 * Length bytes of padding up to the ICV.  The PIH is checked first: its
 * first 16 bits are 0 (the 0x0 nibble and the 12 reserved bits; v0 has no
 * extension bits, so a set bit is not "ignored"), Next Header is 4 or 41,
 * the padding fits, and Next Header names the version of the payload's
 * first byte (a mismatch is the header's fault, not the inner packet's:
 * bad_payload_info).  Then the inner packet's own length must end exactly
 * where the padding starts (bad_inner): no unaccounted bytes either way.
 */
static int check_full_payload(const uint8_t *pih, size_t avail, size_t *inner_len)
{
	unsigned nh = pih[2], pad = pih[3], fam = 0;
	size_t payload, il;

	if (pih[0] || pih[1] || (nh != EESP_PIH_NH_IPV4 && nh != EESP_PIH_NH_IPV6) || pad > avail)
		return EESP_E_BAD_PIH;
	payload = avail - pad;
	if (payload && (pih[EESP_PIH_LEN] >> 4) != (nh == EESP_PIH_NH_IPV4 ? 4u : 6u))
		return EESP_E_BAD_PIH;
	il = ip_len_of(pih + EESP_PIH_LEN, payload, &fam);
	if (!il || il != payload)
		return EESP_E_BAD_INNER;
	*inner_len = il;
	return EESP_E_OK;
}

static int check_inner(const uint8_t *pkt, const struct eesp_view *v, size_t *inner_off,
		       size_t *inner_len)
{
	unsigned fam = 0;
	size_t il;

	if (!v->has_crypt_offset) {
		size_t off = v->hdr_len, avail = v->icv_off - off;
		il = ip_len_of(pkt + off, avail, &fam);
		if (!il || avail - il > 255)
			return EESP_E_BAD_INNER;
		*inner_off = off;
		*inner_len = il;
		return EESP_E_OK;
	} else {
		size_t off = v->hdr_len + EESP_PIH_LEN;
		int rc = check_full_payload(pkt + v->hdr_len, v->icv_off - off, &il);
		if (rc)
			return rc;
		*inner_off = off;
		*inner_len = il;
		return EESP_E_OK;
	}
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

static struct master_ent *eesp_master_for(struct eesp_crypto *c, const struct eesp_domain *d,
					  const struct eesp_sctx *s, int *rc)
{
	const struct eesp_root_gen *g[EESP_LEVELS];
	uint8_t fl = s->flags & (EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G);
	*rc = resolve_roots(d->keys, s, g);
	if (*rc)
		return NULL;
	return master_get(c, d->keys, MASTER_KIND_EESP, fl,
			  fl & EESP_SCTX_FLAG_T ? s->tenant_id : 0,
			  fl & EESP_SCTX_FLAG_G ? s->group_id : 0, g, rc);
}

/* --------------------------------------------------------------- EESP -- */

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

int eesp_open(struct eesp_crypto *c, const struct eesp_domain *d, uint32_t epoch_now, uint8_t *pkt,
	      size_t len, const struct eesp_view *v, size_t *inner_off, size_t *inner_len)
{
	const struct eesp_sctx *s;
	struct master_ent *m;
	struct dk_use u;
	uint8_t ctx[DK_CTX_MAX];
	size_t n;
	int rc;

	if (!c || !d || !pkt || !inner_off || !inner_len || !view_sane(len, v))
		return EESP_E_INVALID;
	s = &v->sctx;
	if (!spi_in_domain(d, s->profile, v->spi))
		return EESP_E_UNKNOWN_DOMAIN;
	if (v->has_crypt_offset && v->crypt_offset > d->max_crypt_offset)
		return EESP_E_CRYPT_OFFSET;
	{
		const struct eesp_root_gen *g[EESP_LEVELS];
		rc = resolve_roots(d->keys, s, g);
		if (rc)
			return rc;
	}
	if (!eesp_epoch_in_window(s->epoch, epoch_now, d->epoch_window))
		return EESP_E_EPOCH;
	if (s->profile == EESP_PROFILE_PAIR && s->peer_node_id != d->self_node_id)
		return EESP_E_MISROUTED;
	m = eesp_master_for(c, d, s, &rc);
	if (!m)
		return rc;
	n = eesp_kdf_context(ctx, v->spi, v->session_id, pkt + v->sctx_off, v->sctx_len);
	rc = dk_prepare_eesp(c, m, s->kdf, s->suite, ctx, n, &u);
	if (rc)
		return rc;
	rc = open_common(u.aead, u.salt, pkt, v);
	if (rc)
		return rc;
	if (u.victim)
		dk_insert(c, u.victim, m->serial, ctx, n, u.salt_buf);
	eesp_wipe(u.salt_buf, sizeof(u.salt_buf));
	return check_inner(pkt, v, inner_off, inner_len);
}

static int oob_setkey(struct eesp_crypto *c, const uint8_t *key, size_t kl)
{
	int rc;
	if (c->oob_len == kl && !CRYPTO_memcmp(c->oob_key, key, kl))
		return EESP_E_OK;
	c->oob_len = 0;
	rc = eesp_aead_setkey(c->oob, key, kl);
	if (rc)
		return rc;
	memcpy(c->oob_key, key, kl);
	c->oob_len = kl;
	return EESP_E_OK;
}

int eesp_open_with_key(struct eesp_crypto *c, const struct eesp_dkey *k, uint8_t *pkt, size_t len,
		       const struct eesp_view *v, size_t *inner_off, size_t *inner_len)
{
	int rc;

	if (!c || !k || !pkt || !inner_off || !inner_len || !view_sane(len, v))
		return EESP_E_INVALID;
	if (!eesp_suite_known(k->suite) || v->sctx.suite != k->suite)
		return EESP_E_NO_KEY;
	rc = oob_setkey(c, k->key, eesp_suite_key_len(k->suite));
	if (rc)
		return rc;
	rc = open_common(c->oob, k->salt, pkt, v);
	if (rc)
		return rc;
	return check_inner(pkt, v, inner_off, inner_len);
}

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

int eesp_seal(struct eesp_crypto *c, const struct eesp_domain *d, const struct eesp_hdr_params *p,
	      const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t ctx[DK_CTX_MAX], sctx[EESP_SCTX_MAX_LEN];
	struct master_ent *m;
	struct dk_use u;
	size_t n, sl;
	int rc;

	if (!c || !d || !p || (!inner && inner_len) || !out || !out_len)
		return EESP_E_INVALID;
	rc = hdr_params_ok(p);
	if (rc)
		return rc;
	if (!spi_in_domain(d, p->sctx.profile, p->spi))
		return EESP_E_UNKNOWN_DOMAIN;
	m = eesp_master_for(c, d, &p->sctx, &rc);
	if (!m)
		return rc;
	sl = eesp_sctx_encode(sctx, &p->sctx);
	n = eesp_kdf_context(ctx, p->spi, p->session_id, sctx, sl);
	rc = dk_prepare_eesp(c, m, p->sctx.kdf, p->sctx.suite, ctx, n, &u);
	if (rc)
		return rc;
	rc = seal_common(u.aead, u.salt, p, inner, inner_len, out, cap, out_len);
	if (!rc && u.victim)
		dk_insert(c, u.victim, m->serial, ctx, n, u.salt_buf);
	eesp_wipe(u.salt_buf, sizeof(u.salt_buf));
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
	rc = oob_setkey(c, k->key, eesp_suite_key_len(k->suite));
	if (rc)
		return rc;
	return seal_common(c->oob, k->salt, p, inner, inner_len, out, cap, out_len);
}

int eesp_data_key_for(struct eesp_crypto *c, const struct eesp_domain *d,
		      const struct eesp_hdr_params *p, struct eesp_dkey *out)
{
	uint8_t sctx[EESP_SCTX_MAX_LEN];
	struct master_ent *m;
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
	m = eesp_master_for(c, d, &p->sctx, &rc);
	if (!m)
		return rc;
	memset(out, 0, sizeof(*out));
	out->suite = p->sctx.suite;
	sl = eesp_sctx_encode(sctx, &p->sctx);
	/* the reference path (EVP_KDF KBKDF), not the cached one */
	return eesp_derive_data_key(c->kdf, m->key, p->sctx.kdf, p->sctx.suite, p->spi,
				    p->session_id, sctx, sl, out->key, out->salt);
}

/* ---------------------------------------------------------------- PSP -- */

static bool psp_view_sane(size_t len, const struct psp_view *v)
{
	return v && v->icv_off + PSP_ICV_LEN == len && v->ct_off == v->aad_len &&
	       v->ct_off + v->ct_len == v->icv_off && v->hdr_len <= v->icv_off &&
	       v->aad_len >= PSP_HDR_LEN && v->version <= 1;
}

static int psp_finish(uint8_t *pkt, const struct psp_view *v, size_t *inner_off, size_t *inner_len)
{
	size_t off = v->hdr_len, avail = v->icv_off - v->hdr_len;
	if (v->next_hdr == 4 || v->next_hdr == 41) {
		unsigned fam = 0;
		size_t il = ip_len_of(pkt + off, avail, &fam);
		if (!il || il != avail || (v->next_hdr == 4) != (fam == 4))
			return EESP_E_BAD_INNER;
	}
	*inner_off = off;
	*inner_len = avail;
	return EESP_E_OK;
}

static int psp_open_aead(struct eesp_aead *a, uint8_t *pkt, const struct psp_view *v)
{
	/* nonce = SPI || IV, the 12 header bytes at offsets 4..15 */
	return eesp_aead_open(a, pkt + 4, pkt, v->aad_len, pkt + v->ct_off, v->ct_len,
			      pkt + v->ct_off, pkt + v->icv_off);
}

int psp_open(struct eesp_crypto *c, const struct eesp_keyset *ks, uint8_t *pkt, size_t len,
	     const struct psp_view *v, size_t *inner_off, size_t *inner_len)
{
	const struct eesp_root_gen *none[EESP_LEVELS] = {NULL, NULL, NULL};
	uint8_t ctx[5], key[32];
	unsigned idx;
	struct master_ent *m;
	struct dk_ent *e, *victim = NULL;
	struct eesp_aead *a;
	int rc;

	if (!c || !ks || !pkt || !inner_off || !inner_len || !psp_view_sane(len, v))
		return EESP_E_INVALID;
	idx = (v->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	if (!ks->has_psp[idx])
		return EESP_E_NO_KEY;
	m = master_get(c, ks, MASTER_KIND_PSP, 0, idx, 0, none, &rc);
	if (!m)
		return rc;
	eesp_put32(ctx, v->spi);
	ctx[4] = v->version;
	e = dk_find(c, m->serial, ctx, sizeof(ctx), &victim);
	if (e) {
		a = e->aead;
	} else {
		if (!c->spare && !(c->spare = eesp_aead_new()))
			return EESP_E_CRYPTO;
		rc = psp_derive_key(c->kdf, m->key, v->spi, v->version, key);
		if (!rc)
			rc = eesp_aead_setkey(c->spare, key, v->version ? 32 : 16);
		eesp_wipe(key, sizeof(key));
		if (rc)
			return rc;
		a = c->spare;
	}
	rc = psp_open_aead(a, pkt, v);
	if (rc)
		return rc;
	if (!e) {
		static const uint8_t nosalt[EESP_SALT_LEN];
		dk_insert(c, victim, m->serial, ctx, sizeof(ctx), nosalt);
	}
	return psp_finish(pkt, v, inner_off, inner_len);
}

int psp_open_with_key(struct eesp_crypto *c, const uint8_t *key, size_t key_len, uint8_t *pkt,
		      size_t len, const struct psp_view *v, size_t *inner_off, size_t *inner_len)
{
	int rc;

	if (!c || !key || !pkt || !inner_off || !inner_len || !psp_view_sane(len, v))
		return EESP_E_INVALID;
	if (key_len != (v->version ? 32u : 16u))
		return EESP_E_NO_KEY;
	rc = oob_setkey(c, key, key_len);
	if (rc)
		return rc;
	rc = psp_open_aead(c->oob, pkt, v);
	if (rc)
		return rc;
	return psp_finish(pkt, v, inner_off, inner_len);
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
	if (p->version > 1 || p->crypt_off > PSP_CRYPT_OFFSET_MAX ||
	    !(p->spi & ~PSP_SPI_KEY_SELECTOR))
		return EESP_E_INVALID;
	kl = p->version ? 32 : 16;
	hl = psp_build_header(hdr, sizeof(hdr), p);
	if (!hl)
		return EESP_E_INVALID;
	if (inner_len > SIZE_MAX - hl - PSP_ICV_LEN || hl + inner_len + PSP_ICV_LEN > cap)
		return EESP_E_NOSPACE;
	aad = PSP_HDR_LEN + PSP_CRYPT_OFFSET_UNITS * (size_t)p->crypt_off;
	if (aad > hl + inner_len)
		return EESP_E_CRYPT_OFFSET;
	rc = oob_setkey(c, key, kl);
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
