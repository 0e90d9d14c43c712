// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bundle.c - the join bundle (eespctl(8), JOIN BUNDLES): one text file with
 * everything a new node needs, written by `domain invite`, read by `join`.
 *
 *   eesp-join 1                       version line
 *   # comments
 *   domain NAME ID                    the domain settings every member shares
 *   profile|kdf|suite WORD
 *   tenant|group|epoch|epoch_period|epoch_window|epoch_packets|crypt_offset|max_crypt_offset N
 *   node ID NAME                      the new node
 *   interface IFNAME / mtu N / port N / address ADDR/LEN (one or more)
 *   peer ID NAME ENDPOINT PREFIX[,PREFIX...] TENANT GROUP   (one per peer)
 *   key LEVEL ID GENERATION HEX64 [next]   root keys, key-file syntax (keys.h)
 *   mac HEX64                         last line
 *
 * The MAC is HMAC-SHA256 over every byte before the mac line, keyed with
 * HKDF-SHA256(current domain root, salt "eesp join bundle", info "v1" ||
 * domain id).  It catches a truncated or damaged bundle and any edit made
 * without the key.  It cannot stop someone who can read the bundle, since
 * the bundle carries that key: confidentiality and authenticity come from
 * the channel it is copied over (scp), and both commands print the domain
 * key's fingerprint so that the two ends can be compared.
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"
#include "onboard.h"
#include "strbuf.h"

#define MAC_LEN 32

/* ------------------------------------------------------------------ MAC -- */

static int mac_key(const struct eesp_keyset *ks, uint32_t id, uint8_t out[MAC_LEN])
{
	const struct eesp_root_gen *g = eesp_ring_current(&ks->domain);
	uint8_t info[6] = {
	    'v', '1', (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id};
	char salt[] = "eesp join bundle";
	EVP_KDF *kdf;
	EVP_KDF_CTX *kctx;
	int rc = -1;

	if (!g)
		return -1;
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	kctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	if (kctx) {
		OSSL_PARAM p[] = {
		    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, "SHA256", 0),
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)g->key,
						      EESP_ROOT_KEY_LEN),
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, strlen(salt)),
		    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info)),
		    OSSL_PARAM_construct_end()};
		rc = EVP_KDF_derive(kctx, out, MAC_LEN, p) == 1 ? 0 : -1;
	}
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
	return rc;
}

int bundle_mac(const struct eesp_keyset *ks, uint32_t id, const char *text, size_t len,
	       uint8_t out[32])
{
	uint8_t k[MAC_LEN];
	size_t n = 0;
	int rc = -1;
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;

	if (mac_key(ks, id, k))
		return -1;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	if (ctx) {
		OSSL_PARAM p[] = {
		    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0),
		    OSSL_PARAM_construct_end()};
		if (EVP_MAC_init(ctx, k, sizeof(k), p) == 1 &&
		    EVP_MAC_update(ctx, (const unsigned char *)text, len) == 1 &&
		    EVP_MAC_final(ctx, out, &n, MAC_LEN) == 1 && n == MAC_LEN)
			rc = 0;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

void bundle_fingerprint(const struct eesp_keyset *ks, char fp[17])
{
	const struct eesp_root_gen *g = eesp_ring_current(&ks->domain);
	if (g)
		eesp_key_fingerprint(g->key, EESP_ROOT_KEY_LEN, fp);
	else
		snprintf(fp, 17, "none");
}

/* ------------------------------------------------------------- writing -- */

static void put_ring(struct strbuf *b, enum eesp_level level, const struct eesp_ring *r)
{
	char hex[2 * EESP_ROOT_KEY_LEN + 1];
	for (int i = 0; r && i < EESP_GENS; i++) {
		if (!r->gen[i].present)
			continue;
		hex_encode(r->gen[i].key, EESP_ROOT_KEY_LEN, hex);
		strbuf_printf(b, "key %s %u %u %s%s\n", level_name(level), r->id,
			      r->gen[i].generation, hex, i == EESP_GEN_NEXT ? " next" : "");
		OPENSSL_cleanse(hex, sizeof(hex));
	}
}

static void put_settings(struct strbuf *b, const struct node_conf *c)
{
	strbuf_printf(b,
		      "domain %s 0x%08x\nprofile %s\nkdf %s\nsuite %s\ntenant %u\ngroup %u\n"
		      "epoch %u\nepoch_period %u\nepoch_window %u\nepoch_packets %u\n"
		      "crypt_offset %u\nmax_crypt_offset %u\n",
		      c->name, c->id, profile_name(c->profile), kdf_name(c->kdf),
		      suite_name(c->suite), c->tenant, c->group, c->epoch, c->epoch_period,
		      c->epoch_window, c->epoch_packets, c->crypt_offset, c->max_crypt_offset);
	strbuf_printf(b, "node %u %s\ninterface %s\nmtu %u\nport %u\n", c->node_id, c->self_name,
		      c->ifname, c->mtu, c->port);
	for (unsigned i = 0; i < c->n_addrs; i++)
		strbuf_printf(b, "address %s\n", c->addrs[i]);
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct nc_peer *p = &c->peers[i];
		strbuf_printf(b, "peer %u %s %s ", p->node_id, p->name, p->endpoint);
		for (unsigned k = 0; k < p->n_allowed; k++)
			strbuf_printf(b, "%s%s", k ? "," : "", p->allowed[k]);
		strbuf_printf(b, " %u %u\n", p->tenant, p->group);
	}
}

char *bundle_format(const struct node_conf *c, const struct eesp_keyset *ks, size_t *len)
{
	struct strbuf b = {0};
	uint8_t m[MAC_LEN];
	char hex[2 * MAC_LEN + 1];

	strbuf_printf(
	    &b,
	    "%s %d\n"
	    "# Join bundle for node %u (%s) of eesp domain \"%s\" (0x%08x).\n"
	    "# SECRET: it holds the domain's root keys; whoever reads it is a member.\n"
	    "# Copy it over a secure channel (scp), run `eespctl join FILE` on the new\n"
	    "# node, then delete it (shred -u FILE).  Format: eespctl(8), JOIN BUNDLES.\n",
	    BUNDLE_MAGIC, BUNDLE_VERSION, c->node_id, c->self_name, c->name, c->id);
	put_settings(&b, c);
	put_ring(&b, EESP_LEVEL_DOMAIN, &ks->domain);
	if (c->tenant)
		put_ring(&b, EESP_LEVEL_TENANT, eesp_keyset_ring(ks, EESP_LEVEL_TENANT, c->tenant));
	if (c->group)
		put_ring(&b, EESP_LEVEL_GROUP, eesp_keyset_ring(ks, EESP_LEVEL_GROUP, c->group));
	if (b.oom || !b.p || bundle_mac(ks, c->id, b.p, b.len, m)) {
		if (b.p)
			OPENSSL_cleanse(b.p, b.len);
		strbuf_free(&b);
		err("cannot write the bundle (out of memory or no current domain root)");
		return NULL;
	}
	hex_encode(m, MAC_LEN, hex);
	strbuf_printf(&b, "mac %s\n", hex);
	*len = b.len;
	return b.p;
}
