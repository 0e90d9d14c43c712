/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet.c - whole-packet seal/open for both wire modes, with the per-thread
 * key caches.
 *
 * Caches (struct eesp_crypto, one per thread), both keyed by a master's
 * identity (struct master_id: keyset, kind, level flags, tenant id, group id,
 * root generations), always compared in full:
 *  - data keys: 2-way set-associative, a power of two of entries, indexed by
 *    a seeded multiply-xorshift hash of (identity, KDF context bytes) and
 *    confirmed by a full compare of both; each entry owns an AES-GCM context
 *    with the key set.  A hit needs no master at all, so evicting a master
 *    orphans nothing.  A full compare, not the hash: a wrong key on the seal
 *    path would reuse nonces under it.
 *  - masters: MASTER_SLOTS EESP masters, LRU, the 32-byte keys in locked
 *    memory, each with pre-keyed PRFs (one per KDF) for the data-key path;
 *    only consulted on a data-key miss.  PSP master keys are not cached:
 *    they are the keyset's own bytes.
 * On receive, a missed master is derived into a spare slot and a missed data
 * key into a spare AEAD context; either enters its cache only once the
 * packet authenticates, so unauthenticated packets cannot evict anything.
 * (Pinning the live masters instead is not possible in general: a keyset
 * reaches up to 3 x (1 + 3T + 3G + 9TG) masters for T tenants and G groups.)
 * What a forged packet still costs is its derivations: with a budget set
 * (eesp_crypto_budget_refill), each one takes a token, an open without
 * enough tokens is refused before deriving (derive_budget), and the tokens
 * of a packet that authenticates are given back.  Sealing takes none.
 */
#include "packet.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "aead.h"
#include "hash.h"
#include "kdf.h"
#include "secmem.h"

#define MASTER_SLOTS 8
#define MASTER_KIND_EESP 1
#define MASTER_KIND_PSP 2
#define DK_CTX_MAX EESP_KDF_CONTEXT_MAX
#define DK_MAX_ENTRIES (1u << 20)

/* Everything a master key is a function of.  No implicit padding: entries
 * are compared and hashed as bytes.  kind 0 = empty entry. */
struct master_id {
	const struct eesp_keyset *ks;
	uint32_t gen[EESP_LEVELS];    /* root generations; 0 for an absent level */
	uint32_t tenant_id, group_id; /* PSP: tenant_id = master key 0/1 */
	uint8_t kind, flags, zero[2];
};
_Static_assert(sizeof(struct master_id) == 32, "master_id is hashed as four words");

struct master_ent {
	struct master_id id;
	uint64_t used;
	uint8_t *key; /* EESP master, in c->secure */
	struct eesp_prf *prf[2];
};

struct dk_ent {
	struct master_id id;
	uint64_t used;
	struct eesp_aead *aead;
	uint8_t ctx_len;
	uint8_t ctx[DK_CTX_MAX];
	uint8_t salt[EESP_SALT_LEN];
};

struct eesp_crypto {
	struct eesp_kdf_ctx *kdf;
	uint64_t tick, seed;
	struct master_ent master[MASTER_SLOTS];
	struct master_ent mspare; /* a received master until its packet authenticates */
	uint8_t *secure;	  /* (MASTER_SLOTS + 1) * 32 + oob key */
	size_t secure_len;
	struct dk_ent *dk;
	size_t dk_sets; /* power of two; 2 ways each */
	struct eesp_aead *spare;
	struct eesp_aead *oob; /* out-of-band keys */
	uint8_t *oob_key;      /* in c->secure */
	size_t oob_len;
	bool budget_on; /* set by the first eesp_crypto_budget_refill() */
	uint32_t budget_left;
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
	c->secure_len = (MASTER_SLOTS + 2) * 32;
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
	c->mspare.key = c->secure + 32 * MASTER_SLOTS;
	c->oob_key = c->secure + 32 * (MASTER_SLOTS + 1);
	return c;
}

static void master_drop(struct master_ent *m)
{
	eesp_prf_free(m->prf[0]);
	eesp_prf_free(m->prf[1]);
	m->prf[0] = m->prf[1] = NULL;
	eesp_wipe(m->key, 32);
	memset(&m->id, 0, sizeof(m->id));
}

void eesp_crypto_flush(struct eesp_crypto *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < MASTER_SLOTS; i++)
		master_drop(&c->master[i]);
	master_drop(&c->mspare);
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
		if (c->mspare.key)
			master_drop(&c->mspare);
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

void eesp_crypto_budget_refill(struct eesp_crypto *c, uint32_t tokens, uint32_t cap)
{
	if (!c)
		return;
	c->budget_on = true;
	c->budget_left =
	    tokens > cap || c->budget_left > cap - tokens ? cap : c->budget_left + tokens;
}

uint32_t eesp_crypto_budget_left(const struct eesp_crypto *c)
{
	return c && c->budget_on ? c->budget_left : UINT32_MAX;
}

/* ------------------------------------------------------------- budget -- */

/* Take n tokens for the derivations of a received packet, or count a refusal. */
static bool budget_take(struct eesp_crypto *c, uint32_t n)
{
	if (!c->budget_on)
		return true;
	if (c->budget_left < n) {
		c->st.derive_refused++;
		return false;
	}
	c->budget_left -= n;
	return true;
}

/* The packet authenticated: its derivations were not a flood's. */
static void budget_give_back(struct eesp_crypto *c, uint32_t n)
{
	if (c->budget_on)
		c->budget_left += n;
}

/* ------------------------------------------------------------- caches -- */

static bool id_eq(const struct master_id *a, const struct master_id *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* The identity of the EESP master for these resolved roots. */
static void eesp_master_id(struct master_id *id, const struct eesp_keyset *ks,
			   const struct eesp_sctx *s,
			   const struct eesp_root_gen *const g[EESP_LEVELS])
{
	uint8_t fl = s->flags & (EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G);

	memset(id, 0, sizeof(*id));
	id->ks = ks;
	id->kind = MASTER_KIND_EESP;
	id->flags = fl;
	id->tenant_id = fl & EESP_SCTX_FLAG_T ? s->tenant_id : 0;
	id->group_id = fl & EESP_SCTX_FLAG_G ? s->group_id : 0;
	for (unsigned l = 0; l < EESP_LEVELS; l++)
		id->gen[l] = g[l] ? g[l]->generation : 0;
}

static struct master_ent *master_find(struct eesp_crypto *c, const struct master_id *id)
{
	for (unsigned i = 0; i < MASTER_SLOTS; i++)
		if (id_eq(&c->master[i].id, id)) {
			c->master[i].used = ++c->tick;
			return &c->master[i];
		}
	return NULL;
}

/* Derive the master of id (roots g[]) into the spare slot. */
static int master_derive(struct eesp_crypto *c, const struct master_id *id,
			 const struct eesp_root_gen *const g[EESP_LEVELS], struct master_ent **out)
{
	struct master_ent *m = &c->mspare;
	int rc;

	master_drop(m);
	rc = eesp_derive_master(c->kdf, g[0]->key, g[1] ? g[1]->key : NULL, id->tenant_id,
				g[2] ? g[2]->key : NULL, id->group_id, m->key);
	if (rc)
		return rc;
	c->st.master_derivations++;
	m->id = *id;
	*out = m;
	return EESP_E_OK;
}

/* The spare master earned its place: swap it with the least recently used
 * slot (whose key storage and PRFs become the spare's, wiped). */
static struct master_ent *master_keep(struct eesp_crypto *c)
{
	struct master_ent *v = &c->master[0], t;

	for (unsigned i = 1; i < MASTER_SLOTS && v->id.kind; i++)
		if (!c->master[i].id.kind || c->master[i].used < v->used)
			v = &c->master[i];
	t = *v;
	*v = c->mspare;
	c->mspare = t;
	master_drop(&c->mspare);
	v->used = ++c->tick;
	return v;
}

/* Cached master of id, or a new one; kept at once (sealing, derive). */
static int master_get_kept(struct eesp_crypto *c, const struct master_id *id,
			   const struct eesp_root_gen *const g[EESP_LEVELS],
			   struct master_ent **out)
{
	int rc;

	if ((*out = master_find(c, id)))
		return EESP_E_OK;
	rc = master_derive(c, id, g, out);
	if (!rc)
		*out = master_keep(c);
	return rc;
}

/*
 * Set index of (master identity, KDF context bytes), keyed with the
 * per-cache random seed so a sender cannot aim its contexts at one set.
 * The identity's four words are folded by independent multiplies (one step
 * of latency, not four); then eight context bytes per step: the byte-wise
 * FNV-1a this replaced was a chain of one dependent multiply per byte and
 * most of a cached lookup's time (bench_micro cached_lookup_ns).  Not a
 * MAC: a hit is confirmed by a full compare.
 */
static uint64_t dk_hash(const struct eesp_crypto *c, const struct master_id *id, const uint8_t *ctx,
			size_t n)
{
	uint64_t iw[4], h, w;
	size_t i = 0;

	memcpy(iw, id, sizeof(iw));
	h = eesp_mulxs64(c->seed ^ n,
			 iw[0] * 0xbf58476d1ce4e5b9ull ^ iw[1] * 0x94d049bb133111ebull ^
			     iw[2] * 0xd6e8feb86659fd93ull ^ iw[3] * 0xa0761d6478bd642full);
	for (; i + 8 <= n; i += 8) {
		memcpy(&w, ctx + i, 8);
		h = eesp_mulxs64(h, w);
	}
	if (i < n) {
		/* the tail in a register: a short memcpy into w would go through
		 * the stack and stall the load */
		for (w = 0; i < n; i++)
			w = w << 8 | ctx[i];
		h = eesp_mulxs64(h, w);
	}
	h *= 0xff51afd7ed558ccdull; /* the low bits pick the set: fold the high ones in */
	return h ^ (h >> 33);
}

/* Lookup; on a miss *victim is the way to replace. */
static struct dk_ent *dk_find(struct eesp_crypto *c, const struct master_id *id, const uint8_t *ctx,
			      size_t n, struct dk_ent **victim)
{
	struct dk_ent *set = &c->dk[2 * (dk_hash(c, id, ctx, n) & (c->dk_sets - 1))];
	for (unsigned w = 0; w < 2; w++)
		if (set[w].ctx_len == n && !memcmp(set[w].ctx, ctx, n) && id_eq(&set[w].id, id)) {
			set[w].used = ++c->tick;
			c->st.dk_hits++;
			return &set[w];
		}
	c->st.dk_misses++;
	if (!set[0].id.kind)
		*victim = &set[0];
	else if (!set[1].id.kind)
		*victim = &set[1];
	else
		*victim = set[0].used <= set[1].used ? &set[0] : &set[1];
	return NULL;
}

/* Move the spare AEAD (holding the new key) into the victim way. */
static void dk_insert(struct eesp_crypto *c, struct dk_ent *v, const struct master_id *id,
		      const uint8_t *ctx, size_t n, const uint8_t salt[EESP_SALT_LEN])
{
	struct eesp_aead *old = v->aead;
	if (v->id.kind)
		c->st.dk_evictions++;
	v->aead = c->spare;
	c->spare = old ? old : eesp_aead_new(); /* NULL is retried next miss */
	v->id = *id;
	v->ctx_len = (uint8_t)n;
	memcpy(v->ctx, ctx, n);
	memcpy(v->salt, salt, EESP_SALT_LEN);
	v->used = ++c->tick;
}

/* The data key of ctx under master m, into the spare AEAD (and salt). */
static int dk_derive_eesp(struct eesp_crypto *c, struct master_ent *m, enum eesp_kdf kdf,
			  enum eesp_suite suite, const uint8_t *ctx, size_t n,
			  uint8_t salt[EESP_SALT_LEN])
{
	uint8_t key[EESP_MAX_DATA_KEY_LEN];
	int rc;

	if (!c->spare && !(c->spare = eesp_aead_new()))
		return EESP_E_CRYPTO;
	if (!m->prf[kdf - 1] &&
	    !(m->prf[kdf - 1] = eesp_prf_new(c->kdf, kdf, m->key, EESP_MASTER_KEY_LEN)))
		return EESP_E_CRYPTO;
	rc = eesp_prf_data_key(m->prf[kdf - 1], suite, ctx, n, key, salt);
	if (!rc)
		rc = eesp_aead_setkey(c->spare, key, eesp_suite_key_len(suite));
	eesp_wipe(key, sizeof(key));
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

/*
 * A received packet whose data key is not cached: derive it (and its master
 * if that is not cached either) within the budget, open with the spare
 * context, and only if the tag verifies keep what was derived.
 */
static int open_uncached(struct eesp_crypto *c, const struct master_id *id,
			 const struct eesp_root_gen *const g[EESP_LEVELS], const uint8_t *ctx,
			 size_t n, struct dk_ent *victim, uint8_t *pkt, const struct eesp_view *v)
{
	struct master_ent *m;
	uint8_t salt[EESP_SALT_LEN];
	uint32_t cost = 1;
	int rc;

	/* the data key's token first: a flood is refused before the master lookup */
	if (!budget_take(c, 1))
		return EESP_E_DERIVE_BUDGET;
	if (!(m = master_find(c, id))) {
		if (!budget_take(c, 1)) {
			budget_give_back(c, 1);
			return EESP_E_DERIVE_BUDGET;
		}
		cost = 2;
		if ((rc = master_derive(c, id, g, &m)))
			return rc;
	}
	rc = dk_derive_eesp(c, m, v->sctx.kdf, v->sctx.suite, ctx, n, salt);
	if (!rc)
		rc = open_common(c->spare, salt, pkt, v);
	if (!rc) {
		budget_give_back(c, cost);
		if (m == &c->mspare)
			master_keep(c);
		dk_insert(c, victim, id, ctx, n, salt);
	}
	eesp_wipe(salt, sizeof(salt));
	return rc;
}

int eesp_open(struct eesp_crypto *c, const struct eesp_domain *d, uint32_t epoch_now, uint8_t *pkt,
	      size_t len, const struct eesp_view *v, size_t *inner_off, size_t *inner_len)
{
	const struct eesp_root_gen *g[EESP_LEVELS];
	const struct eesp_sctx *s;
	struct master_id id;
	struct dk_ent *e, *victim = NULL;
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
	rc = resolve_roots(d->keys, s, g);
	if (rc)
		return rc;
	if (!eesp_epoch_in_window(s->epoch, epoch_now, d->epoch_window))
		return EESP_E_EPOCH;
	if (s->profile == EESP_PROFILE_PAIR && s->peer_node_id != d->self_node_id)
		return EESP_E_MISROUTED;
	eesp_master_id(&id, d->keys, s, g);
	n = eesp_kdf_context(ctx, v->spi, v->session_id, pkt + v->sctx_off, v->sctx_len);
	e = dk_find(c, &id, ctx, n, &victim);
	if (e)
		rc = open_common(e->aead, e->salt, pkt, v);
	else
		rc = open_uncached(c, &id, g, ctx, n, victim, pkt, v);
	if (rc)
		return rc;
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

/* Our own packet's key: cached, or derived and kept at once (never budgeted). */
static int seal_key(struct eesp_crypto *c, const struct master_id *id,
		    const struct eesp_root_gen *const g[EESP_LEVELS], const struct eesp_sctx *s,
		    const uint8_t *ctx, size_t n, struct eesp_aead **a, const uint8_t **salt,
		    struct dk_ent **victim, uint8_t salt_buf[EESP_SALT_LEN])
{
	struct dk_ent *e = dk_find(c, id, ctx, n, victim);
	struct master_ent *m;
	int rc;

	if (e) {
		*a = e->aead;
		*salt = e->salt;
		*victim = NULL;
		return EESP_E_OK;
	}
	rc = master_get_kept(c, id, g, &m);
	if (!rc)
		rc = dk_derive_eesp(c, m, s->kdf, s->suite, ctx, n, salt_buf);
	*a = c->spare;
	*salt = salt_buf;
	return rc;
}

int eesp_seal(struct eesp_crypto *c, const struct eesp_domain *d, const struct eesp_hdr_params *p,
	      const uint8_t *inner, size_t inner_len, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t ctx[DK_CTX_MAX], sctx[EESP_SCTX_MAX_LEN], salt_buf[EESP_SALT_LEN];
	const struct eesp_root_gen *g[EESP_LEVELS];
	const uint8_t *salt;
	struct master_id id;
	struct dk_ent *victim = NULL;
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
	eesp_master_id(&id, d->keys, &p->sctx, g);
	sl = eesp_sctx_encode(sctx, &p->sctx);
	n = eesp_kdf_context(ctx, p->spi, p->session_id, sctx, sl);
	rc = seal_key(c, &id, g, &p->sctx, ctx, n, &a, &salt, &victim, salt_buf);
	if (!rc)
		rc = seal_common(a, salt, p, inner, inner_len, out, cap, out_len);
	if (!rc && victim)
		dk_insert(c, victim, &id, ctx, n, salt_buf);
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
	rc = oob_setkey(c, k->key, eesp_suite_key_len(k->suite));
	if (rc)
		return rc;
	return seal_common(c->oob, k->salt, p, inner, inner_len, out, cap, out_len);
}

int eesp_data_key_for(struct eesp_crypto *c, const struct eesp_domain *d,
		      const struct eesp_hdr_params *p, struct eesp_dkey *out)
{
	uint8_t sctx[EESP_SCTX_MAX_LEN];
	const struct eesp_root_gen *g[EESP_LEVELS];
	struct master_id id;
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
	rc = resolve_roots(d->keys, &p->sctx, g);
	if (rc)
		return rc;
	eesp_master_id(&id, d->keys, &p->sctx, g);
	rc = master_get_kept(c, &id, g, &m);
	if (rc)
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

/* The spare AEAD keyed with the PSP data key of (SPI, version) under master key idx. */
static int psp_derive_spare(struct eesp_crypto *c, const struct eesp_keyset *ks, unsigned idx,
			    const struct psp_view *v)
{
	uint8_t key[32];
	int rc;

	if (!c->spare && !(c->spare = eesp_aead_new()))
		return EESP_E_CRYPTO;
	rc = psp_derive_key(c->kdf, ks->psp_master[idx], v->spi, v->version, key);
	if (!rc)
		rc = eesp_aead_setkey(c->spare, key, v->version ? 32 : 16);
	eesp_wipe(key, sizeof(key));
	return rc;
}

int psp_open(struct eesp_crypto *c, const struct eesp_keyset *ks, uint8_t *pkt, size_t len,
	     const struct psp_view *v, size_t *inner_off, size_t *inner_len)
{
	static const uint8_t nosalt[EESP_SALT_LEN];
	uint8_t ctx[5];
	unsigned idx;
	struct master_id id;
	struct dk_ent *e, *victim = NULL;
	int rc;

	if (!c || !ks || !pkt || !inner_off || !inner_len || !psp_view_sane(len, v))
		return EESP_E_INVALID;
	idx = (v->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	if (!ks->has_psp[idx])
		return EESP_E_NO_KEY;
	memset(&id, 0, sizeof(id));
	id.ks = ks;
	id.kind = MASTER_KIND_PSP;
	id.tenant_id = idx;
	eesp_put32(ctx, v->spi);
	ctx[4] = v->version;
	e = dk_find(c, &id, ctx, sizeof(ctx), &victim);
	if (e) {
		rc = psp_open_aead(e->aead, pkt, v);
	} else {
		/* the master is the keyset's: only the data key costs a token */
		if (!budget_take(c, 1))
			return EESP_E_DERIVE_BUDGET;
		rc = psp_derive_spare(c, ks, idx, v);
		if (!rc)
			rc = psp_open_aead(c->spare, pkt, v);
		if (!rc) {
			budget_give_back(c, 1);
			dk_insert(c, victim, &id, ctx, sizeof(ctx), nosalt);
		}
	}
	if (rc)
		return rc;
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
