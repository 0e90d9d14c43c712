// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sastate.c - eespd's runtime SA state: made at the first sa verb, the key
 * serial, and the verbs that only report: sa-list and sa-wait (saverbs.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "ctlserver.h"
#include "lookup.h"
#include "names.h"
#include "saverbs.h"
#include "saverbs_int.h"

struct sastate *sastate_of(struct eespd *e, char *err, size_t el)
{
	if (e->sa)
		return e->sa;
	struct sastate *st = calloc(1, sizeof(*st));
	if (st && !(st->t = rtsa_new())) {
		free(st);
		st = NULL;
	}
	if (!st)
		snprintf(err, el, "out of memory");
	e->sa = st;
	return st;
}

void saverbs_free(struct eespd *e)
{
	if (!e->sa)
		return;
	rtsa_free(e->sa->t);
	free(e->sa);
	e->sa = NULL;
}

static bool has_runtime_role(const struct snap *s, const struct domain *d)
{
	return s->mode == EESP_MODE_PSP || d->profile == EESP_PROFILE_SPI;
}

/* one domain's part of key_identity() */
static bool domain_identity(EVP_MD_CTX *m, const struct snap *s, const struct domain *d)
{
	const struct eesp_keyset *ks = d->keys;
	uint32_t w[3] = {d->psp_spi_master, d->psp_version, d->phase[0]};
	bool ok =
	    EVP_DigestUpdate(m, d->name, strlen(d->name) + 1) && EVP_DigestUpdate(m, w, sizeof(w));
	for (unsigned k = 0; ok && s->mode == EESP_MODE_PSP && k < 2; k++)
		if (ks->has_psp[k])
			ok = EVP_DigestUpdate(m, &k, sizeof(k)) &&
			     EVP_DigestUpdate(m, ks->psp_master[k], PSP_MASTER_KEY_LEN);
	for (unsigned g = 0; ok && s->mode == EESP_MODE_EESP && g < EESP_GENS; g++)
		if (ks->domain.gen[g].present)
			ok = EVP_DigestUpdate(m, &g, sizeof(g)) &&
			     EVP_DigestUpdate(m, &ks->domain.gen[g].generation, 4) &&
			     EVP_DigestUpdate(m, ks->domain.gen[g].key, EESP_ROOT_KEY_LEN);
	return ok;
}

/* SHA-256 over what new allocations are derived under (the PSP masters,
 * spi_master and version; an EESP domain's root ring and phase): a changed
 * master or root key changes it.  False if the digest failed. */
static bool key_identity(const struct snap *s, uint8_t out[32])
{
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	unsigned len = 0;
	bool ok = m && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1;
	for (unsigned i = 0; ok && i < s->n_doms; i++)
		if (has_runtime_role(s, &s->dom[i]) && s->dom[i].keys)
			ok = domain_identity(m, s, &s->dom[i]);
	ok = ok && EVP_DigestFinal_ex(m, out, &len) == 1 && len == 32;
	EVP_MD_CTX_free(m);
	return ok;
}

uint64_t saverbs_key_serial(struct eespd *e)
{
	char err[64];
	struct sastate *st = sastate_of(e, err, sizeof(err));
	const struct snap *s = atomic_load(&e->snap);
	uint8_t id[32];
	if (!st)
		return 0;
	if (st->key_id_of == s->serial || !key_identity(s, id))
		return st->key_serial;
	if (!st->key_id_of)
		st->key_serial = 1;
	else if (memcmp(id, st->key_id, sizeof(id)))
		st->key_serial++;
	memcpy(st->key_id, id, sizeof(id));
	st->key_id_of = s->serial;
	return st->key_serial;
}

void sastate_keys(struct strbuf *b, bool json, const struct snap *s)
{
	bool first = true;
	for (unsigned i = 0; i < s->n_doms; i++) {
		const struct domain *d = &s->dom[i];
		const struct eesp_root_gen *g =
		    d->keys ? eesp_ring_current(&d->keys->domain) : NULL;
		if (!has_runtime_role(s, d))
			continue;
		if (json) {
			strbuf_printf(b, "%s{\"name\":", first ? "" : ",");
			strbuf_json(b, d->name);
		} else {
			strbuf_printf(b, "keys domain %s", d->name);
		}
		if (s->mode == EESP_MODE_PSP)
			strbuf_printf(b,
				      json ? ",\"spi_master\":%u,\"version\":%u}"
					   : " spi_master %u version %u\n",
				      d->psp_spi_master, d->psp_version);
		else if (g && d->dom.spi_min)
			strbuf_printf(b,
				      json ? ",\"generation\":%u,\"phase\":%u,\"epoch\":%u}"
					   : " generation %u phase %u epoch %u\n",
				      g->generation, d->phase[0],
				      domain_epoch_at(d, (uint64_t)time(NULL)));
		else
			strbuf_printf(b, json ? ",\"client\":true}" : " client\n");
		first = false;
	}
}

static void sa_text(struct strbuf *b, const struct rtsa_sa *sa, long age)
{
	strbuf_printf(b, "sa peer %s dir %s spi 0x%08x kind %s", sa->peer, rtsa_dir_name(sa->dir),
		      sa->spi, sa->psp ? "psp" : "eesp");
	if (sa->version >= 0)
		strbuf_printf(b, " version %d", sa->version);
	if (sa->master >= 0)
		strbuf_printf(b, " master %d", sa->master);
	if (sa->has_gen)
		strbuf_printf(b, " generation %u", sa->generation);
	if (sa->phase >= 0)
		strbuf_printf(b, " phase %d", sa->phase);
	if (sa->has_epoch)
		strbuf_printf(b, " epoch %u", sa->epoch);
	strbuf_printf(b, " key %s age %ld fingerprint %s\n", sa->derived ? "derived" : "set", age,
		      sa->fp);
}

static void sa_json(struct strbuf *b, const struct rtsa_sa *sa, long age, bool first)
{
	strbuf_printf(b, "%s{\"peer\":", first ? "" : ",");
	strbuf_json(b, sa->peer);
	strbuf_printf(b, ",\"dir\":\"%s\",\"spi\":\"0x%08x\",\"kind\":\"%s\"",
		      rtsa_dir_name(sa->dir), sa->spi, sa->psp ? "psp" : "eesp");
	if (sa->version >= 0)
		strbuf_printf(b, ",\"version\":%d", sa->version);
	if (sa->master >= 0)
		strbuf_printf(b, ",\"master\":%d", sa->master);
	if (sa->has_gen)
		strbuf_printf(b, ",\"generation\":%u", sa->generation);
	if (sa->phase >= 0)
		strbuf_printf(b, ",\"phase\":%d", sa->phase);
	if (sa->has_epoch)
		strbuf_printf(b, ",\"epoch\":%u", sa->epoch);
	strbuf_printf(b, ",\"key\":\"%s\",\"age\":%ld,\"fingerprint\":\"%s\"}",
		      sa->derived ? "derived" : "set", age, sa->fp);
}

int saverbs_list(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		 size_t el)
{
	struct sastate *st = sastate_of(e, err, el);
	uint64_t ks = saverbs_key_serial(e);
	const struct snap *s = atomic_load(&e->snap);
	time_t now = time(NULL);
	if (!st)
		return -1;
	if (r->json) {
		strbuf_printf(b, "{\"key_serial\":%" PRIu64 ",\"waiters\":%u,\"domains\":[", ks,
			      ctl_waiting(e->ctl));
		sastate_keys(b, true, s);
		strbuf_printf(b, "],\"sas\":[");
	} else {
		strbuf_printf(b, "key_serial %" PRIu64 "\nwaiters %u\n", ks, ctl_waiting(e->ctl));
		sastate_keys(b, false, s);
	}
	for (unsigned i = 0; i < rtsa_count(st->t); i++) {
		const struct rtsa_sa *sa = rtsa_at(st->t, i);
		long age = (long)(now - sa->created);
		if (r->json)
			sa_json(b, sa, age, i == 0);
		else
			sa_text(b, sa, age);
	}
	if (r->json)
		strbuf_printf(b, "]}\n");
	return 0;
}

int saverbs_wait(struct eespd *e, const struct eesp_ctl_req *r, bool now, bool *park,
		 struct strbuf *b, char *err, size_t el)
{
	uint64_t ks = saverbs_key_serial(e);
	const struct snap *s = atomic_load(&e->snap);
	bool changed = ks != r->serial;
	*park = false;
	if (!ks) {
		snprintf(err, el, "out of memory");
		return -1;
	}
	if (!changed && !now) {
		*park = true;
		return 0;
	}
	if (r->json) {
		strbuf_printf(b, "{\"key_serial\":%" PRIu64 ",\"changed\":%s,\"domains\":[", ks,
			      changed ? "true" : "false");
		sastate_keys(b, true, s);
		strbuf_printf(b, "]}\n");
	} else {
		strbuf_printf(b, "key_serial %" PRIu64 "\nchanged %s\n", ks,
			      changed ? "yes" : "no");
		sastate_keys(b, false, s);
	}
	return 0;
}
