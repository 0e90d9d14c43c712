// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keysvc.c - the key service of the control protocol: a fresh SPI (never
 * one handed out before or configured: spistate.h) with the data key a
 * client uses with it (keysvc.h).
 */
#include "keysvc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "kdf.h"
#include "eesp_proto.h"
#include "lookup.h"
#include "names.h"
#include "packet.h"
#include "spistate.h"

/* eesp profile spi, on the key holder: a fresh SPI in [spi_min, spi_max]
 * and the data key + salt a client uses with it: bound to Session ID 1, the
 * current epoch and the current domain phase (the client's sa_phase). */
int keysvc_alloc_eesp(struct eespd *e, const struct domain *c, const char *what,
		      struct keysvc_sa *sa, char *err, size_t el)
{
	const struct snap *s = atomic_load(&e->snap);
	const struct eesp_root_gen *g = c->keys ? eesp_ring_current(&c->keys->domain) : NULL;
	struct eesp_hdr_params p;
	struct eesp_dkey dk;
	memset(sa, 0, sizeof(*sa));
	if (c->profile != EESP_PROFILE_SPI || !g || !c->dom.spi_min) {
		snprintf(err, el,
			 "%s: needs psp mode or profile spi with a domain root key "
			 "and spi_min/spi_max",
			 what);
		return -1;
	}
	struct eesp_spi_range range = {c->dom.spi_min, c->dom.spi_max};
	if (spistate_take(e->spi, s, c->idx, EESP_SPIALLOC_EESP, range, &sa->spi, err, el))
		return -1;
	memset(&p, 0, sizeof(p));
	p.session_id = 1;
	p.spi = sa->spi;
	p.sctx.profile = EESP_PROFILE_SPI;
	p.sctx.kdf = c->kdf;
	p.sctx.suite = c->suite;
	p.sctx.phase[0] = c->phase[0];
	p.sctx.epoch = domain_epoch_at(c, (uint64_t)time(NULL));
	struct eesp_crypto *cr = eesp_crypto_new(4);
	memset(&dk, 0, sizeof(dk));
	if (!cr || eesp_data_key_for(cr, &c->dom, &p, &dk) != EESP_E_OK) {
		if (cr)
			eesp_crypto_free(cr);
		OPENSSL_cleanse(&dk, sizeof(dk));
		snprintf(err, el, "%s: key derivation failed", what);
		return -1;
	}
	eesp_crypto_free(cr);
	sa->session_id = 1;
	sa->epoch = p.sctx.epoch;
	sa->phase = c->phase[0];
	sa->generation = g->generation;
	sa->key_len = (uint8_t)eesp_suite_key_len(c->suite);
	memcpy(sa->key, dk.key, sa->key_len);
	memcpy(sa->salt, dk.salt, 4);
	OPENSSL_cleanse(&dk, sizeof(dk));
	return 0;
}

int keysvc_alloc_psp(struct eespd *e, int version, const char *what, struct keysvc_sa *sa,
		     char *err, size_t el)
{
	const struct snap *s = atomic_load(&e->snap);
	const struct domain *c = &s->dom[0];
	unsigned m = c->psp_spi_master;
	memset(sa, 0, sizeof(*sa));
	sa->psp = true;
	sa->version = version >= 0 ? (unsigned)version : c->psp_version;
	sa->master = m;
	if (sa->version > PSP_VER_MAX) {
		snprintf(err, el, "%s: no PSP version %u (0-%u)", what, sa->version, PSP_VER_MAX);
		return -1;
	}
	if (!c->keys->has_psp[m]) {
		snprintf(err, el, "%s: psp master key %u not loaded", what, m);
		return -1;
	}
	/* bit 31 selects the master: each master has its own counter */
	if (spistate_take(e->spi, s, c->idx, m ? EESP_SPIALLOC_PSP1 : EESP_SPIALLOC_PSP0,
			  eesp_spialloc_psp_range(m), &sa->spi, err, el))
		return -1;
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	if (!k ||
	    psp_derive_key(k, c->keys->psp_master[m], sa->spi, sa->version, sa->key) != EESP_E_OK) {
		if (k)
			eesp_kdf_ctx_free(k);
		OPENSSL_cleanse(sa, sizeof(*sa));
		snprintf(err, el, "%s: key derivation failed", what);
		return -1;
	}
	eesp_kdf_ctx_free(k);
	sa->key_len = (uint8_t)psp_version_key_len(sa->version);
	return 0;
}

static void spi_alloc_reply(const struct eesp_ctl_req *r, const struct keysvc_sa *sa,
			    struct strbuf *b)
{
	if (sa->psp && r->json) {
		strbuf_printf(b, "{\"spi\":\"0x%08x\",\"version\":%u,\"master\":%u,\"key\":\"",
			      sa->spi, sa->version, sa->master);
		strbuf_hex(b, sa->key, sa->key_len);
		strbuf_printf(b, "\"}\n");
	} else if (sa->psp) {
		strbuf_printf(b, "spi 0x%08x\nversion %u\nmaster %u\nkey ", sa->spi, sa->version,
			      sa->master);
		strbuf_hex(b, sa->key, sa->key_len);
		strbuf_printf(b, "\nsa psp 0x%08x ", sa->spi);
		strbuf_hex(b, sa->key, sa->key_len);
		strbuf_printf(b, "\n");
	} else if (r->json) {
		strbuf_printf(b,
			      "{\"spi\":\"0x%08x\",\"session_id\":1,\"epoch\":%u,\"sa_phase\":%u,"
			      "\"key\":\"",
			      sa->spi, sa->epoch, sa->phase);
		strbuf_hex(b, sa->key, sa->key_len);
		strbuf_printf(b, "\",\"salt\":\"");
		strbuf_hex(b, sa->salt, 4);
		strbuf_printf(b, "\"}\n");
	} else {
		strbuf_printf(b, "spi 0x%08x\nsession_id 1\nepoch %u\nsa_phase %u\nkey ", sa->spi,
			      sa->epoch, sa->phase);
		strbuf_hex(b, sa->key, sa->key_len);
		strbuf_printf(b, "\nsalt ");
		strbuf_hex(b, sa->salt, 4);
		strbuf_printf(b, "\nsa eesp 0x%08x ", sa->spi);
		strbuf_hex(b, sa->key, sa->key_len);
		strbuf_printf(b, " ");
		strbuf_hex(b, sa->salt, 4);
		strbuf_printf(b, "\n");
	}
}

int keysvc_spi_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	const struct snap *s = atomic_load(&e->snap);
	struct keysvc_sa sa;
	int rc;
	if (e->conf.mode == EESP_MODE_EESP)
		rc = keysvc_alloc_eesp(e, &s->dom[0], "spi-alloc", &sa, err, el);
	else
		rc = keysvc_alloc_psp(
		    e, r->version >= 0 && r->version <= PSP_VER_MAX ? r->version : -1, "spi-alloc",
		    &sa, err, el);
	if (!rc)
		spi_alloc_reply(r, &sa, b);
	OPENSSL_cleanse(&sa, sizeof(sa));
	return rc;
}
