/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keycache.c - struct eesp_crypto: the per-thread master and data-key
 * caches, the receive derivation budget and the out-of-band key (the
 * policies are described in keycache.h).
 */
#include "keycache.h"

#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "secmem.h"

#define DK_MAX_ENTRIES (1u << 20)

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
	c->secure_len = (KC_MASTER_SLOTS + 2) * 32;
	c->secure = eesp_secure_alloc(c->secure_len, &locked);
	c->spare = eesp_aead_new();
	c->oob = eesp_aead_new();
	if (!c->dk || !c->kdf || !c->secure || !c->spare || !c->oob ||
	    RAND_bytes((uint8_t *)&c->seed, sizeof(c->seed)) != 1) {
		eesp_crypto_free(c);
		return NULL;
	}
	for (unsigned i = 0; i < KC_MASTER_SLOTS; i++)
		c->master[i].key = c->secure + 32 * i;
	c->mspare.key = c->secure + 32 * KC_MASTER_SLOTS;
	c->oob_key = c->secure + 32 * (KC_MASTER_SLOTS + 1);
	return c;
}

static void master_drop(struct kc_master *m)
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
	for (unsigned i = 0; i < KC_MASTER_SLOTS; i++)
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
		for (unsigned i = 0; i < KC_MASTER_SLOTS; i++)
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

/* ------------------------------------------------------------- budget -- */

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

/* ------------------------------------------------------------ masters -- */

struct kc_master *kc_master_find(struct eesp_crypto *c, const struct kc_master_id *id)
{
	for (unsigned i = 0; i < KC_MASTER_SLOTS; i++)
		if (kc_id_eq(&c->master[i].id, id)) {
			c->master[i].used = ++c->tick;
			return &c->master[i];
		}
	return NULL;
}

int kc_master_derive(struct eesp_crypto *c, const struct kc_master_id *id,
		     const struct eesp_root_gen *const g[EESP_LEVELS], struct kc_master **out)
{
	struct kc_master *m = &c->mspare;
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

/* Swap the spare with the least recently used slot (whose key storage and
 * PRFs become the spare's, wiped). */
struct kc_master *kc_master_keep(struct eesp_crypto *c)
{
	struct kc_master *v = &c->master[0], t;

	for (unsigned i = 1; i < KC_MASTER_SLOTS && v->id.kind; i++)
		if (!c->master[i].id.kind || c->master[i].used < v->used)
			v = &c->master[i];
	t = *v;
	*v = c->mspare;
	c->mspare = t;
	master_drop(&c->mspare);
	v->used = ++c->tick;
	return v;
}

int kc_master_get_kept(struct eesp_crypto *c, const struct kc_master_id *id,
		       const struct eesp_root_gen *const g[EESP_LEVELS], struct kc_master **out)
{
	int rc;

	if ((*out = kc_master_find(c, id)))
		return EESP_E_OK;
	rc = kc_master_derive(c, id, g, out);
	if (!rc)
		*out = kc_master_keep(c);
	return rc;
}

/* ---------------------------------------------------------- data keys -- */

struct eesp_aead *kc_spare(struct eesp_crypto *c)
{
	if (!c->spare)
		c->spare = eesp_aead_new();
	return c->spare;
}

void kc_dk_insert(struct eesp_crypto *c, struct kc_dk *v, const struct kc_master_id *id,
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

int kc_dk_derive_eesp(struct eesp_crypto *c, struct kc_master *m, enum eesp_kdf kdf,
		      enum eesp_suite suite, const uint8_t *ctx, size_t n,
		      uint8_t salt[EESP_SALT_LEN])
{
	uint8_t key[EESP_MAX_DATA_KEY_LEN];
	int rc;

	if (!kc_spare(c))
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

/* ------------------------------------------------------ out-of-band key -- */

int kc_oob_setkey(struct eesp_crypto *c, const uint8_t *key, size_t kl)
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
