/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keycache.h - inside the core only: the per-thread key caches behind
 * struct eesp_crypto (packet.h), used by the EESP and PSP packet code
 * (packet_eesp.c, packet_psp.c).  keycache.c owns their life cycle, the
 * derivation budget and the master and data-key policies.
 *
 * Both caches are keyed by a master's identity (struct kc_master_id:
 * keyset, kind, level flags, tenant id, group id, root generations),
 * always compared in full:
 *  - data keys: 2-way set-associative, a power of two of entries, indexed by
 *    a seeded multiply-xorshift hash of (identity, KDF context bytes) and
 *    confirmed by a full compare of both; each entry owns an AES-GCM context
 *    with the key set.  A hit needs no master at all, so evicting a master
 *    orphans nothing.  A full compare, not the hash: a wrong key on the seal
 *    path would reuse nonces under it.
 *  - masters: KC_MASTER_SLOTS EESP masters, LRU, the 32-byte keys in locked
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
 *
 * The lookup (kc_dk_find) is inline: it is most of a cached open or seal
 * (bench_micro cached_lookup_ns), and a call into keycache.c would cost it.
 */
#ifndef EESP_KEYCACHE_H
#define EESP_KEYCACHE_H

#include <stdbool.h>
#include <string.h>

#include "aead.h"
#include "hash.h"
#include "kdf.h"
#include "packet.h"

#define KC_MASTER_SLOTS 8
#define KC_KIND_EESP 1
#define KC_KIND_PSP 2
#define KC_CTX_MAX EESP_KDF_CONTEXT_MAX

/* Everything a master key is a function of.  No implicit padding: entries
 * are compared and hashed as bytes.  kind 0 = empty entry. */
struct kc_master_id {
	const struct eesp_keyset *ks;
	uint32_t gen[EESP_LEVELS];    /* root generations; 0 for an absent level */
	uint32_t tenant_id, group_id; /* PSP: tenant_id = master key 0/1 */
	uint8_t kind, flags, zero[2];
};
_Static_assert(sizeof(struct kc_master_id) == 32, "kc_master_id is hashed as four words");

struct kc_master {
	struct kc_master_id id;
	uint64_t used;
	uint8_t *key; /* EESP master, in c->secure */
	struct eesp_prf *prf[2];
};

struct kc_dk {
	struct kc_master_id id;
	uint64_t used;
	struct eesp_aead *aead;
	uint8_t ctx_len;
	uint8_t ctx[KC_CTX_MAX];
	uint8_t salt[EESP_SALT_LEN];
};

struct eesp_crypto {
	struct eesp_kdf_ctx *kdf;
	uint64_t tick, seed;
	struct kc_master master[KC_MASTER_SLOTS];
	struct kc_master mspare; /* a received master until its packet authenticates */
	uint8_t *secure;	 /* (KC_MASTER_SLOTS + 1) * 32 + oob key */
	size_t secure_len;
	struct kc_dk *dk;
	size_t dk_sets; /* power of two; 2 ways each */
	struct eesp_aead *spare;
	struct eesp_aead *oob; /* out-of-band keys */
	uint8_t *oob_key;      /* in c->secure */
	size_t oob_len;
	bool budget_on; /* set by the first eesp_crypto_budget_refill() */
	uint32_t budget_left;
	struct eesp_crypto_stats st;
};

/* ------------------------------------------------------------- budget -- */

/* Inline: a flood of forged packets is refused here, before anything else
 * (bench_micro forged_open64_ns). */

/* Take n tokens for the derivations of a received packet, or count a refusal. */
static inline bool kc_budget_take(struct eesp_crypto *c, uint32_t n)
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
static inline void kc_budget_give_back(struct eesp_crypto *c, uint32_t n)
{
	if (c->budget_on)
		c->budget_left += n;
}

/* ------------------------------------------------------------ masters -- */

struct kc_master *kc_master_find(struct eesp_crypto *c, const struct kc_master_id *id);
/* Derive the master of id (roots g[]) into the spare slot. */
int kc_master_derive(struct eesp_crypto *c, const struct kc_master_id *id,
		     const struct eesp_root_gen *const g[EESP_LEVELS], struct kc_master **out);
/* The spare master earned its place: it takes the least recently used slot. */
struct kc_master *kc_master_keep(struct eesp_crypto *c);
/* Cached master of id, or a new one; kept at once (sealing, derive). */
int kc_master_get_kept(struct eesp_crypto *c, const struct kc_master_id *id,
		       const struct eesp_root_gen *const g[EESP_LEVELS], struct kc_master **out);

/* ---------------------------------------------------------- data keys -- */

static inline bool kc_id_eq(const struct kc_master_id *a, const struct kc_master_id *b)
{
	return !memcmp(a, b, sizeof(*a));
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
static inline uint64_t kc_dk_hash(const struct eesp_crypto *c, const struct kc_master_id *id,
				  const uint8_t *ctx, size_t n)
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
static inline struct kc_dk *kc_dk_find(struct eesp_crypto *c, const struct kc_master_id *id,
				       const uint8_t *ctx, size_t n, struct kc_dk **victim)
{
	struct kc_dk *set = &c->dk[2 * (kc_dk_hash(c, id, ctx, n) & (c->dk_sets - 1))];
	for (unsigned w = 0; w < 2; w++)
		if (set[w].ctx_len == n && !memcmp(set[w].ctx, ctx, n) &&
		    kc_id_eq(&set[w].id, id)) {
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

/* The spare AEAD context, made if an earlier allocation failed; NULL if
 * that fails again. */
struct eesp_aead *kc_spare(struct eesp_crypto *c);
/* The data key of ctx under EESP master m, into the spare AEAD (and salt). */
int kc_dk_derive_eesp(struct eesp_crypto *c, struct kc_master *m, enum eesp_kdf kdf,
		      enum eesp_suite suite, const uint8_t *ctx, size_t n,
		      uint8_t salt[EESP_SALT_LEN]);
/* Move the spare AEAD (holding the new key) into the victim way. */
void kc_dk_insert(struct eesp_crypto *c, struct kc_dk *v, const struct kc_master_id *id,
		  const uint8_t *ctx, size_t n, const uint8_t salt[EESP_SALT_LEN]);

/* ------------------------------------------------------ out-of-band key -- */

/* Key the out-of-band AEAD (c->oob) with key, unless it holds it already. */
int kc_oob_setkey(struct eesp_crypto *c, const uint8_t *key, size_t kl);

#endif /* EESP_KEYCACHE_H */
