/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eesp-decrypt.c - opening a packet: the key derivations of eesp_proto.h and
 * psp.md, AES-GCM, and the search for a key that opens a given packet.
 *
 * Crypto through libgcrypt (<wsutil/wsgcrypt.h>), as Wireshark's own ESP,
 * WireGuard and TLS dissectors do: epan links and initialises it already,
 * so the plugin adds no dependency.  The daemon computes the same functions
 * with OpenSSL; the tests check both against the same vectors.
 */

#include "packet-eesp.h"

#include <wsutil/wsgcrypt.h>

/* ------------------------------------------------------- primitives -- */

static gboolean mac_once(int algo, const guint8 *key, size_t key_len, const guint8 *msg,
			 size_t msg_len, guint8 *out, size_t out_len)
{
	gcry_mac_hd_t h;
	size_t n = out_len;
	gboolean ok;

	if (gcry_mac_open(&h, algo, 0, NULL))
		return FALSE;
	ok = !gcry_mac_setkey(h, key, key_len) && !gcry_mac_write(h, msg, msg_len) &&
	     !gcry_mac_read(h, out, &n) && n == out_len;
	gcry_mac_close(h);
	return ok;
}

/*
 * SP 800-108 counter mode, r = 32: K(i) = PRF(key, [i]_32 || fixed).  The
 * caller builds `fixed` (label || 0x00 || context || [L]_32).
 */
static gboolean kbkdf(enum eesp_kdf prf, const guint8 *key, size_t key_len, const guint8 *fixed,
		      size_t fixed_len, guint8 *out, size_t out_len)
{
	int algo = prf == EESP_KDF_HMAC_SHA256 ? GCRY_MAC_HMAC_SHA256 : GCRY_MAC_CMAC_AES;
	size_t blk = prf == EESP_KDF_HMAC_SHA256 ? 32 : 16;
	guint8 msg[4 + 64], k[32];
	size_t done = 0;

	if (fixed_len > sizeof(msg) - 4)
		return FALSE;
	memcpy(msg + 4, fixed, fixed_len);
	for (guint32 i = 1; done < out_len; i++) {
		size_t take = MIN(blk, out_len - done);
		eesp_put32(msg, i);
		if (!mac_once(algo, key, key_len, msg, 4 + fixed_len, k, blk))
			return FALSE;
		memcpy(out + done, k, take);
		done += take;
	}
	memset(k, 0, sizeof(k));
	return TRUE;
}

/* PSP data key of an SPI (psp.md §2; versions 2, 3: label "Pv2"/"Pv3", eesp.7). */
static gboolean derive_psp_key(const guint8 master[PSP_MASTER_KEY_LEN], guint32 spi, guint version,
			       guint8 *out)
{
	guint8 fixed[PSP_KDF_LABEL_LEN + 4 + 4];
	size_t key_len = psp_version_key_len(version);

	if (!key_len)
		return FALSE;
	psp_kdf_label(fixed, version);
	eesp_put32(fixed + 4, spi);
	eesp_put32(fixed + 8, (guint32)(key_len * 8));
	return kbkdf(EESP_KDF_CMAC_AES256, master, PSP_MASTER_KEY_LEN, fixed, sizeof(fixed), out,
		     key_len);
}

/* Master key: the HMAC-SHA256 chain of eesp_proto.h; a NULL root skips its
 * level. */
static gboolean derive_master(const guint8 *domain_root, const guint8 *tenant_root,
			      guint32 tenant_id, const guint8 *group_root, guint32 group_id,
			      guint8 master[EESP_MASTER_KEY_LEN])
{
	guint8 msg[EESP_MASTER_MSG_MAX], m[EESP_MASTER_KEY_LEN];
	size_t n = eesp_master_msg(msg, EESP_LEVEL_DOMAIN, 0, NULL);
	gboolean ok =
	    mac_once(GCRY_MAC_HMAC_SHA256, domain_root, EESP_ROOT_KEY_LEN, msg, n, m, sizeof(m));

	if (ok && tenant_root) {
		n = eesp_master_msg(msg, EESP_LEVEL_TENANT, tenant_id, m);
		ok = mac_once(GCRY_MAC_HMAC_SHA256, tenant_root, EESP_ROOT_KEY_LEN, msg, n, m,
			      sizeof(m));
	}
	if (ok && group_root) {
		n = eesp_master_msg(msg, EESP_LEVEL_GROUP, group_id, m);
		ok = mac_once(GCRY_MAC_HMAC_SHA256, group_root, EESP_ROOT_KEY_LEN, msg, n, m,
			      sizeof(m));
	}
	memcpy(master, m, sizeof(m));
	memset(m, 0, sizeof(m));
	memset(msg, 0, sizeof(msg));
	return ok;
}

/* Data key || salt (eesp_proto.h). */
static gboolean derive_data_key(const guint8 master[EESP_MASTER_KEY_LEN], const struct eesp_pkt *p,
				guint8 *key_out, guint8 salt_out[EESP_SALT_LEN])
{
	guint8 fixed[EESP_DATA_LABEL_LEN + 1 + EESP_KDF_CONTEXT_MAX + 4];
	guint8 out[EESP_MAX_DATA_KEY_LEN + EESP_SALT_LEN];
	size_t key_len = eesp_suite_key_len(p->sctx.suite), off = 0;
	gboolean ok;

	memcpy(fixed, EESP_DATA_LABEL, EESP_DATA_LABEL_LEN);
	off = EESP_DATA_LABEL_LEN;
	fixed[off++] = 0;
	off += eesp_kdf_context(fixed + off, p->spi, p->session_id, p->sctx_data, p->sctx_len);
	eesp_put32(fixed + off, (guint32)(8 * (key_len + EESP_SALT_LEN)));
	off += 4;
	ok = kbkdf((enum eesp_kdf)p->sctx.kdf, master, EESP_MASTER_KEY_LEN, fixed, off, out,
		   key_len + EESP_SALT_LEN);
	memcpy(key_out, out, key_len);
	memcpy(salt_out, out + key_len, EESP_SALT_LEN);
	memset(out, 0, sizeof(out));
	return ok;
}

/* AES-GCM open; pt gets ct_len bytes (zeros unless the tag verifies). */
static gboolean gcm_open(const guint8 *key, size_t key_len, const guint8 nonce[12],
			 const guint8 *aad, size_t aad_len, const guint8 *ct, size_t ct_len,
			 const guint8 tag[16], guint8 *pt)
{
	gcry_cipher_hd_t h;
	gboolean ok;
	int algo = key_len == 32 ? GCRY_CIPHER_AES256 : GCRY_CIPHER_AES128;

	if (gcry_cipher_open(&h, algo, GCRY_CIPHER_MODE_GCM, 0))
		return FALSE;
	ok = !gcry_cipher_setkey(h, key, key_len) && !gcry_cipher_setiv(h, nonce, 12) &&
	     !gcry_cipher_authenticate(h, aad, aad_len) &&
	     (ct_len == 0 || !gcry_cipher_decrypt(h, pt, ct_len, ct, ct_len)) &&
	     !gcry_cipher_checktag(h, tag, 16);
	gcry_cipher_close(h);
	if (!ok && ct_len)
		memset(pt, 0, ct_len);
	return ok;
}

/* -------------------------------------------------------- EESP search -- */

/* Roots tried per level and domain scope, of those whose generation has the
 * header's phase (generation mod 4).  Normally one matches, since three
 * generations are live; a key file that keeps older generations may hold
 * more with the same phase. */
#define ROOTS_PER_LEVEL 4
/* Derivations per packet at most: profile spi tries every domain scope,
 * and a capture should not stall on a key directory of many domains. */
#define MAX_ATTEMPTS 32

/* One search for the key of one packet. */
struct search {
	packet_info *pinfo;
	struct eesp_pkt *p;
	guint8 *pt;
	enum try_result res; /* the most telling failure so far */
	guint attempts;
};

/* Keep the reason of failure r if it tells at least as much as the last. */
static void G_GNUC_PRINTF(3, 4) note(struct search *s, enum try_result r, const char *fmt, ...)
{
	va_list ap;

	if (r < s->res)
		return;
	s->res = r;
	va_start(ap, fmt);
	s->p->reason = wmem_strdup_vprintf(s->pinfo->pool, fmt, ap);
	va_end(ap);
}

static gboolean try_key(struct search *s, const guint8 *key, size_t key_len,
			const guint8 salt[EESP_SALT_LEN])
{
	struct eesp_pkt *p = s->p;
	guint8 nonce[EESP_NONCE_LEN];

	eesp_nonce(nonce, salt, p->sn);
	if (!gcm_open(key, key_len, nonce, p->aad, p->aad_len, p->ct, p->ct_len, p->tag, s->pt))
		return FALSE;
	memcpy(p->key, key, key_len);
	p->key_len = key_len;
	memcpy(p->salt, salt, EESP_SALT_LEN);
	return TRUE;
}

/* Out-of-band data keys of the SPI (profile spi: what the client holds). */
static gboolean try_sa_keys(struct search *s)
{
	struct eesp_pkt *p = s->p;
	size_t key_len = eesp_suite_key_len(p->sctx.suite);

	for (guint i = 0; i < eesp_keys_count(); i++) {
		const ekey_t *k = eesp_keys_at(i);
		if (k->kind != EKEY_SA_EESP || k->spi != p->spi || k->key_len != key_len)
			continue;
		if (try_key(s, k->key, k->key_len, k->salt)) {
			p->source = k->source;
			p->info = wmem_strdup_printf(s->pinfo->pool, "sa %s 0x%08x",
						     eesp_mode_word(EESP_MODE_EESP), p->spi);
			return TRUE;
		}
		note(s, TRY_AUTH_FAILED,
		     "authentication failed with the out-of-band key of SPI 0x%08x", p->spi);
	}
	return FALSE;
}

/* "domain 0xc0ffee01 gen 5, tenant 42 gen 2": which roots opened the packet. */
static gchar *describe_roots(packet_info *pinfo, const ekey_t *d, const ekey_t *t, const ekey_t *g)
{
	GString *s = g_string_new(eesp_level_word(EESP_LEVEL_DOMAIN));
	gchar *r;

	if (d->any_domain)
		g_string_append(s, " (any)");
	else
		g_string_append_printf(s, " 0x%08x", d->domain);
	g_string_append_printf(s, " gen %u", d->generation);
	if (t)
		g_string_append_printf(s, ", %s %u gen %u", eesp_level_word(EESP_LEVEL_TENANT),
				       t->id, t->generation);
	if (g)
		g_string_append_printf(s, ", %s %u gen %u", eesp_level_word(EESP_LEVEL_GROUP),
				       g->id, g->generation);
	r = wmem_strdup(pinfo->pool, s->str);
	g_string_free(s, TRUE);
	return r;
}

/* The roots d, t, g (t, g NULL when the level is absent) -> master -> data key. */
static gboolean try_roots(struct search *s, const ekey_t *d, const ekey_t *t, const ekey_t *g)
{
	struct eesp_pkt *p = s->p;
	guint8 master[EESP_MASTER_KEY_LEN], key[32], salt[EESP_SALT_LEN];
	gboolean ok;

	s->attempts++;
	ok = derive_master(d->key, t ? t->key : NULL, p->sctx.tenant_id, g ? g->key : NULL,
			   p->sctx.group_id, master) &&
	     derive_data_key(master, p, key, salt) &&
	     try_key(s, key, eesp_suite_key_len(p->sctx.suite), salt);
	memset(master, 0, sizeof(master));
	memset(key, 0, sizeof(key));
	memset(salt, 0, sizeof(salt));
	if (ok) {
		p->info = describe_roots(s->pinfo, d, t, g);
		p->source = d->source;
		return TRUE;
	}
	note(s, TRY_AUTH_FAILED, "authentication failed (wrong root key, or corrupted packet)");
	return FALSE;
}

/* The tenant or group roots of the scope for the header's id and phase;
 * FALSE (with the reason noted) if there is none. */
static gboolean level_roots(struct search *s, const ekey_t *dom, guint level, guint32 id,
			    guint phase, const ekey_t **out, guint *n)
{
	gboolean any_gen;

	*n = eesp_keys_roots(dom, level, id, phase, out, ROOTS_PER_LEVEL, &any_gen);
	if (*n)
		return TRUE;
	if (any_gen)
		note(s, TRY_UNKNOWN_GEN, "no root key generation with phase %u for %s %u", phase,
		     eesp_level_word(level), id);
	else
		note(s, TRY_NO_KEY, "no root key for %s %u", eesp_level_word(level), id);
	return FALSE;
}

/* Every combination of the roots of one domain scope (dom is its first
 * domain root) that matches the phases and ids of the header. */
static gboolean try_scope(struct search *s, const ekey_t *dom)
{
	const struct eesp_sctx *c = &s->p->sctx;
	gboolean have_t = c->flags & EESP_SCTX_FLAG_T, have_g = c->flags & EESP_SCTX_FLAG_G;
	const ekey_t *rd[ROOTS_PER_LEVEL], *rt[ROOTS_PER_LEVEL], *rg[ROOTS_PER_LEVEL];
	guint nd, nt = 1, ng = 1;
	gboolean any_gen;

	nd = eesp_keys_roots(dom, EESP_LEVEL_DOMAIN, 0, c->phase[0], rd, ROOTS_PER_LEVEL, &any_gen);
	if (!nd) {
		note(s, TRY_UNKNOWN_GEN, "no %s root key generation with phase %u",
		     eesp_level_word(EESP_LEVEL_DOMAIN), c->phase[0]);
		return FALSE;
	}
	if (have_t && !level_roots(s, dom, EESP_LEVEL_TENANT, c->tenant_id, c->phase[1], rt, &nt))
		return FALSE;
	if (have_g && !level_roots(s, dom, EESP_LEVEL_GROUP, c->group_id, c->phase[2], rg, &ng))
		return FALSE;
	for (guint a = 0; a < nd; a++)
		for (guint b = 0; b < nt; b++)
			for (guint g = 0; g < ng; g++)
				if (try_roots(s, rd[a], have_t ? rt[b] : NULL,
					      have_g ? rg[g] : NULL))
					return TRUE;
	return FALSE;
}

/* Could domain root key i own this packet's SPI?  For profiles node, pair
 * and tenant the SPI is the domain id; for profile spi any domain may own
 * it (SPI ranges are not in the key file), so all are tried. */
static gboolean scope_applies(const struct eesp_pkt *p, guint i)
{
	const ekey_t *dom = eesp_keys_at(i);

	if (dom->kind != EKEY_ROOT || dom->level != EESP_LEVEL_DOMAIN)
		return FALSE;
	if (!dom->any_domain && p->sctx.profile != EESP_PROFILE_SPI && dom->domain != p->spi)
		return FALSE;
	/* only the first domain root of each scope drives the search */
	return eesp_keys_first_of_scope(i);
}

enum try_result eesp_decrypt(packet_info *pinfo, struct eesp_pkt *p, guint8 *pt)
{
	struct search s = {pinfo, p, pt, TRY_NONE, 0};

	if (try_sa_keys(&s))
		return TRY_OK;
	for (guint i = 0; i < eesp_keys_count() && s.attempts < MAX_ATTEMPTS; i++)
		if (scope_applies(p, i) && try_scope(&s, eesp_keys_at(i)))
			return TRY_OK;
	if (s.res == TRY_NONE) {
		if (p->sctx.profile == EESP_PROFILE_SPI)
			note(&s, TRY_NO_KEY, "no root key and no out-of-band key for SPI 0x%08x",
			     p->spi);
		else
			note(&s, TRY_NO_KEY, "no root key for %s 0x%08x",
			     eesp_level_word(EESP_LEVEL_DOMAIN), p->spi);
	}
	return s.res;
}

/* --------------------------------------------------------- PSP search -- */

static gboolean psp_open(struct psp_pkt *p, const guint8 *key, guint8 *pt)
{
	return gcm_open(key, p->key_len, p->nonce, p->aad, p->aad_len, p->ct, p->ct_len, p->tag,
			pt);
}

enum try_result psp_decrypt(struct psp_pkt *p, guint8 *pt)
{
	guint selector = (p->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	gboolean tried = FALSE;

	/* AES-GCM, or with ct_len 0 and the whole datagram as AAD AES-GMAC */
	p->key_len = psp_version_key_len(p->version);
	if (!p->key_len)
		return TRY_NO_KEY;
	/* the sender's SA key of this SPI */
	for (guint i = 0; i < eesp_keys_count(); i++) {
		const ekey_t *k = eesp_keys_at(i);
		if (k->kind != EKEY_SA_PSP || k->spi != p->spi || k->key_len != p->key_len)
			continue;
		tried = TRUE;
		if (psp_open(p, k->key, pt)) {
			memcpy(p->key, k->key, p->key_len);
			p->source = k->source;
			p->how = k->source == EESP_SOURCE_KD ? "downloaded SA key (IKE KD)"
							     : "out-of-band SA key";
			return TRY_OK;
		}
	}
	/* the receiver's master key that SPI bit 31 selects */
	for (guint i = 0; i < eesp_keys_count(); i++) {
		const ekey_t *k = eesp_keys_at(i);
		if (k->kind != EKEY_PSP_MASTER || k->level != selector)
			continue;
		tried = TRUE;
		if (derive_psp_key(k->key, p->spi, p->version, p->key) && psp_open(p, p->key, pt)) {
			p->source = k->source;
			p->how = selector ? "master key 1" : "master key 0";
			return TRY_OK;
		}
	}
	memset(p->key, 0, sizeof(p->key));
	return tried ? TRY_AUTH_FAILED : TRY_NO_KEY;
}
