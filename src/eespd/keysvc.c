// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keysvc.c - the key service of the control protocol: spi-alloc hands out
 * a fresh SPI (never one handed out before or configured: spistate.h) with
 * the data key a client uses with it (keysvc.h).
 */
#include "keysvc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "kdf.h"
#include "lookup.h"
#include "names.h"
#include "packet.h"
#include "spistate.h"

static void hexs(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* eesp profile spi, on the key holder: a fresh SPI in [spi_min, spi_max]
 * (never one handed out before or configured: spistate.h) and the data
 * key + salt a client uses with it: bound to Session ID 1, the current
 * epoch and the current domain phase (the client's sa_phase). */
static int spi_alloc_eesp(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b,
			  char *err, size_t el)
{
	const struct snap *s = atomic_load(&e->snap);
	const struct domain *c = &s->dom[0];
	struct eesp_hdr_params p;
	struct eesp_dkey dk;
	uint32_t spi;
	char key[65], salt[9];
	if (c->profile != EESP_PROFILE_SPI || !c->keys || !eesp_ring_current(&c->keys->domain) ||
	    !c->dom.spi_min) {
		snprintf(err, el,
			 "spi-alloc: needs psp mode or profile spi with a domain root key "
			 "and spi_min/spi_max");
		return -1;
	}
	struct eesp_spi_range range = {c->dom.spi_min, c->dom.spi_max};
	if (spistate_take(e->spi, s, c->idx, EESP_SPIALLOC_EESP, range, &spi, err, el))
		return -1;
	memset(&p, 0, sizeof(p));
	p.session_id = 1;
	p.spi = spi;
	p.sctx.profile = EESP_PROFILE_SPI;
	p.sctx.kdf = c->kdf;
	p.sctx.suite = c->suite;
	p.sctx.phase[0] = c->phase[0];
	p.sctx.epoch = domain_epoch_at(c, (uint64_t)time(NULL));
	struct eesp_crypto *cr = eesp_crypto_new(4);
	if (!cr || eesp_data_key_for(cr, &c->dom, &p, &dk) != EESP_E_OK) {
		if (cr)
			eesp_crypto_free(cr);
		OPENSSL_cleanse(&dk, sizeof(dk));
		snprintf(err, el, "spi-alloc: key derivation failed");
		return -1;
	}
	eesp_crypto_free(cr);
	hexs(dk.key, eesp_suite_key_len(c->suite), key);
	hexs(dk.salt, 4, salt);
	OPENSSL_cleanse(&dk, sizeof(dk));
	if (r->json)
		strbuf_printf(b,
			      "{\"spi\":\"0x%08x\",\"session_id\":1,\"epoch\":%u,\"sa_phase\":%u,"
			      "\"key\":\"%s\",\"salt\":\"%s\"}\n",
			      spi, p.sctx.epoch, c->phase[0], key, salt);
	else
		strbuf_printf(
		    b,
		    "spi 0x%08x\nsession_id 1\nepoch %u\nsa_phase %u\nkey %s\nsalt %s\nsa eesp "
		    "0x%08x %s %s\n",
		    spi, p.sctx.epoch, c->phase[0], key, salt, spi, key, salt);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(salt, sizeof(salt));
	return 0;
}

int keysvc_spi_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	const struct snap *s = atomic_load(&e->snap);
	const struct domain *c = &s->dom[0];
	unsigned m = c->psp_spi_master;
	unsigned version =
	    r->version >= 0 && r->version <= PSP_VER_MAX ? (unsigned)r->version : c->psp_version;
	uint8_t key[32];
	uint32_t spi;
	char hex[65];
	if (e->conf.mode == EESP_MODE_EESP)
		return spi_alloc_eesp(e, r, b, err, el);
	if (!c->keys->has_psp[m]) {
		snprintf(err, el, "spi-alloc: psp master key %u not loaded", m);
		return -1;
	}
	/* bit 31 selects the master: each master has its own counter */
	if (spistate_take(e->spi, s, c->idx, m ? EESP_SPIALLOC_PSP1 : EESP_SPIALLOC_PSP0,
			  eesp_spialloc_psp_range(m), &spi, err, el))
		return -1;
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	if (!k || psp_derive_key(k, c->keys->psp_master[m], spi, version, key) != EESP_E_OK) {
		if (k)
			eesp_kdf_ctx_free(k);
		OPENSSL_cleanse(key, sizeof(key));
		snprintf(err, el, "spi-alloc: key derivation failed");
		return -1;
	}
	eesp_kdf_ctx_free(k);
	size_t kl = psp_version_key_len(version);
	for (size_t i = 0; i < kl; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	OPENSSL_cleanse(key, sizeof(key));
	if (r->json)
		strbuf_printf(b,
			      "{\"spi\":\"0x%08x\",\"version\":%u,\"master\":%u,\"key\":\"%s\"}\n",
			      spi, version, m, hex);
	else
		strbuf_printf(b, "spi 0x%08x\nversion %u\nmaster %u\nkey %s\nsa psp 0x%08x %s\n",
			      spi, version, m, hex, spi, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
	return 0;
}
