// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * saverbs.c - the sa-* verbs that change runtime SAs: sa-rx-alloc,
 * sa-tx-alloc, sa-tx-set, sa-rx-set, sa-release (saverbs.h).  Each works on
 * a copy of the table and keeps it only once the snapshot built from it is
 * published.
 */
#include "saverbs.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "eesp_proto.h"
#include "keysvc.h"
#include "log.h"
#include "names.h"
#include "publish.h"
#include "saverbs_int.h"

/* the configured peer the request names, and its domain */
static int find_peer(struct eespd *e, const char *name, const struct peer **pe,
		     const struct domain **c, char *err, size_t el)
{
	const struct snap *s = atomic_load(&e->snap);
	int i = rtsa_peer_index(s, name);
	if (i == -2) {
		snprintf(err, el, "two peers are named %s: runtime SAs need unique peer names",
			 name);
		return -1;
	}
	if (i < 0) {
		snprintf(err, el, "no configured peer named %s", name);
		return -1;
	}
	*pe = &s->peers[i];
	*c = &s->dom[(*pe)->dom];
	if (s->mode == EESP_MODE_EESP && (*c)->profile != EESP_PROFILE_SPI) {
		snprintf(err, el,
			 "peer %s: domain %s has profile %s; runtime SAs need psp mode or "
			 "profile spi",
			 name, (*c)->name, eesp_name_of(eesp_profile_names, (*c)->profile));
		return -1;
	}
	return 0;
}

/* eesp profile spi: does this node hold the domain's root (a key holder)? */
static bool key_holder(const struct domain *c)
{
	return c->keys && eesp_ring_current(&c->keys->domain) && c->dom.spi_min;
}

/* Publish the running snapshot with next laid over it, and keep next.  On
 * failure next is freed and nothing changed. */
static int commit(struct eespd *e, struct sastate *st, struct rtsa *next, char *err, size_t el)
{
	struct snap *n = snap_clone(atomic_load(&e->snap));
	if (!n || rtsa_apply(next, n)) {
		snap_free(n);
		rtsa_free(next);
		snprintf(err, el, "out of memory");
		return -1;
	}
	eespd_publish(e, n);
	rtsa_free(st->t);
	st->t = next;
	return 0;
}

/* add sa to a copy of the table and publish it */
static int add_and_commit(struct eespd *e, const struct rtsa_sa *sa, char *err, size_t el)
{
	struct sastate *st = sastate_of(e, err, el);
	struct rtsa *next = st ? rtsa_copy(st->t) : NULL;
	if (st && !next)
		snprintf(err, el, "out of memory");
	if (!next)
		return -1;
	if (rtsa_add(next, sa, err, el)) {
		rtsa_free(next);
		return -1;
	}
	return commit(e, st, next, err, el);
}

static void sa_init(struct rtsa_sa *sa, const struct peer *pe, const struct domain *c,
		    enum rtsa_dir dir)
{
	memset(sa, 0, sizeof(*sa));
	snprintf(sa->peer, sizeof(sa->peer), "%s", pe->name);
	snprintf(sa->domain, sizeof(sa->domain), "%s", c->name);
	sa->dir = (uint8_t)dir;
	sa->version = sa->master = sa->phase = -1;
	sa->created = time(NULL);
}

/* what an allocated SA was derived under, for the table */
static void sa_from_alloc(struct rtsa_sa *sa, const struct keysvc_sa *k)
{
	sa->spi = k->spi;
	sa->psp = k->psp;
	sa->derived = true;
	if (k->psp) {
		sa->version = (int8_t)k->version;
		sa->master = (int8_t)k->master;
	} else {
		sa->phase = (int8_t)k->phase;
		sa->has_gen = true;
		sa->generation = k->generation;
		sa->has_epoch = true;
		sa->epoch = k->epoch;
	}
	eesp_key_fingerprint(k->key, k->key_len, sa->fp);
}

static void alloc_reply(struct eespd *e, const struct eesp_ctl_req *r, const char *peer,
			const char *dir, const struct keysvc_sa *k, struct strbuf *b)
{
	uint64_t ks = saverbs_key_serial(e);
	if (r->json) {
		strbuf_printf(b, "{\"peer\":");
		strbuf_json(b, peer);
		strbuf_printf(b, ",\"spi\":\"0x%08x\",\"dir\":\"%s\",", k->spi, dir);
		if (k->psp)
			strbuf_printf(b, "\"version\":%u,\"master\":%u,", k->version, k->master);
		else
			strbuf_printf(b,
				      "\"session_id\":%u,\"epoch\":%u,\"sa_phase\":%u,"
				      "\"generation\":%u,",
				      k->session_id, k->epoch, k->phase, k->generation);
		strbuf_printf(b, "\"key\":\"");
		strbuf_hex(b, k->key, k->key_len);
		if (!k->psp) {
			strbuf_printf(b, "\",\"salt\":\"");
			strbuf_hex(b, k->salt, 4);
		}
		strbuf_printf(b, "\",\"key_serial\":%llu}\n", (unsigned long long)ks);
		return;
	}
	strbuf_printf(b, "peer %s\nspi 0x%08x\ndir %s\n", peer, k->spi, dir);
	if (k->psp)
		strbuf_printf(b, "version %u\nmaster %u\n", k->version, k->master);
	else
		strbuf_printf(b, "session_id %u\nepoch %u\nsa_phase %u\ngeneration %u\n",
			      k->session_id, k->epoch, k->phase, k->generation);
	strbuf_printf(b, "key ");
	strbuf_hex(b, k->key, k->key_len);
	if (!k->psp) {
		strbuf_printf(b, "\nsalt ");
		strbuf_hex(b, k->salt, 4);
	}
	strbuf_printf(b, "\nkey_serial %llu\n", (unsigned long long)ks);
}

/* sa-rx-alloc and sa-tx-alloc: a fresh SPI and its key, bound to the peer */
static int alloc_for(struct eespd *e, const struct eesp_ctl_req *r, enum rtsa_dir dir,
		     struct strbuf *b, char *err, size_t el)
{
	const char *what = eesp_ctl_verb_name(r->verb);
	const struct peer *pe;
	const struct domain *c;
	struct keysvc_sa k;
	struct rtsa_sa sa;
	int rc;
	if (find_peer(e, r->peer, &pe, &c, err, el))
		return -1;
	if (e->conf.mode == EESP_MODE_PSP && r->eesp) {
		snprintf(err, el, "%s: eesp: this eespd runs in psp mode", what);
		return -1;
	}
	if (e->conf.mode == EESP_MODE_EESP && r->version >= 0) {
		snprintf(err, el, "%s: psp-version: this eespd runs in eesp mode", what);
		return -1;
	}
	if (e->conf.mode == EESP_MODE_PSP)
		rc = keysvc_alloc_psp(e, r->version, what, &k, err, el);
	else
		rc = keysvc_alloc_eesp(e, c, what, &k, err, el);
	if (rc)
		return -1;
	sa_init(&sa, pe, c, dir);
	sa_from_alloc(&sa, &k);
	memcpy(sa.salt, k.salt, sizeof(sa.salt)); /* sa-tx-set compares it */
	rc = add_and_commit(e, &sa, err, el);
	if (!rc) {
		log_info("%s: peer %s %s SPI 0x%08x (key %s)", what, sa.peer,
			 dir == RTSA_RX ? "sends with" : "is to be sent to (once sa-tx-set) with",
			 sa.spi, sa.fp);
		alloc_reply(e, r, sa.peer, rtsa_dir_name(dir), &k, b);
	}
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(&sa, sizeof(sa));
	return rc;
}

int saverbs_rx_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	return alloc_for(e, r, RTSA_RX, b, err, el);
}

int saverbs_tx_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	if (e->conf.mode == EESP_MODE_PSP) {
		/* a PSP receiver derives its own keys: the peer allocates */
		snprintf(err, el,
			 "sa-tx-alloc: psp mode: the peer allocates our transmit SA (its "
			 "sa-rx-alloc) and we set it (sa-tx-set)");
		return -1;
	}
	return alloc_for(e, r, RTSA_TX_PENDING, b, err, el);
}

/* PSP: the version and key length of sa-tx-set */
static int check_psp_set(const struct eesp_ctl_req *r, const struct domain *c, struct rtsa_sa *sa,
			 char *err, size_t el)
{
	int v = r->version >= 0 ? r->version : (int)c->psp_version;
	if (r->verb == EESP_CTL_SA_RX_SET) {
		snprintf(err, el,
			 "sa-rx-set: psp mode: receive keys are derived from our master keys "
			 "(sa-rx-alloc)");
		return -1;
	}
	if (r->has_salt || r->phase >= 0 || r->has_epoch) {
		snprintf(err, el, "sa-tx-set: salt, phase and epoch are for eesp mode");
		return -1;
	}
	/* 0..3 (the parser's range): AES-GCM or AES-GMAC, 16 or 32 bytes */
	if (r->key_len != psp_version_key_len((unsigned)v)) {
		snprintf(err, el, "sa-tx-set: PSP version %d needs a %zu-byte key, not %u", v,
			 psp_version_key_len((unsigned)v), r->key_len);
		return -1;
	}
	sa->version = (int8_t)v;
	return 0;
}

/* EESP profile spi client: the key, salt, phase and epoch of sa-tx-set or
 * sa-rx-set */
static int check_eesp_set(const struct eesp_ctl_req *r, const struct domain *c, struct rtsa_sa *sa,
			  char *err, size_t el)
{
	const char *what = eesp_ctl_verb_name(r->verb);
	size_t want = eesp_suite_key_len(c->suite);
	if (key_holder(c)) {
		snprintf(err, el,
			 "%s: domain %s holds the root key: its SAs are allocated here "
			 "(sa-rx-alloc, sa-tx-alloc)",
			 what, c->name);
		return -1;
	}
	if (r->version >= 0) {
		snprintf(err, el, "%s: version is for psp mode", what);
		return -1;
	}
	if (!r->has_salt) {
		snprintf(err, el, "%s: eesp needs the salt (salt <8 hex digits>)", what);
		return -1;
	}
	if (r->key_len != want) {
		snprintf(err, el, "%s: suite %s needs a %zu-byte key, not %u", what,
			 eesp_name_of(eesp_suite_names, c->suite), want, r->key_len);
		return -1;
	}
	sa->phase = (int8_t)(r->phase >= 0 ? r->phase : c->sa_phase);
	sa->has_epoch = r->has_epoch;
	sa->epoch = r->epoch;
	memcpy(sa->salt, r->salt, 4);
	return 0;
}

static void set_reply(const struct eesp_ctl_req *r, const struct rtsa_sa *sa, uint32_t replaced,
		      struct strbuf *b)
{
	const char *dir = rtsa_dir_name(sa->dir);
	if (r->json) {
		strbuf_printf(b, "{\"peer\":");
		strbuf_json(b, sa->peer);
		strbuf_printf(b, ",\"spi\":\"0x%08x\",\"dir\":\"%s\",\"fingerprint\":\"%s\"",
			      sa->spi, dir, sa->fp);
		if (replaced)
			strbuf_printf(b, ",\"replaced\":\"0x%08x\"}\n", replaced);
		else
			strbuf_printf(b, ",\"replaced\":null}\n");
		return;
	}
	strbuf_printf(b, "peer %s\nspi 0x%08x\ndir %s\nfingerprint %s\n", sa->peer, sa->spi, dir,
		      sa->fp);
	if (replaced)
		strbuf_printf(b, "replaced 0x%08x\n", replaced);
}

/* the peer's pending SA with this SPI (sa-tx-alloc), or NULL */
static const struct rtsa_sa *pending(struct eespd *e, const char *peer, uint32_t spi)
{
	for (unsigned i = 0; e->sa && i < rtsa_count(e->sa->t); i++) {
		const struct rtsa_sa *sa = rtsa_at(e->sa->t, i);
		if (sa->dir == RTSA_TX_PENDING && sa->spi == spi && !strcmp(sa->peer, peer))
			return sa;
	}
	return NULL;
}

/* eesp key holder, sa-tx-set: the SA sa-tx-alloc reserved starts being used
 * (the client has installed its receive key by now); the key and salt
 * given must be the ones sa-tx-alloc handed out, so a mix-up is refused */
static int activate(struct eespd *e, const struct eesp_ctl_req *r, struct rtsa_sa *sa, char *err,
		    size_t el)
{
	const struct rtsa_sa *p = pending(e, r->peer, r->spi);
	char fp[17];
	if (!p) {
		snprintf(err, el,
			 "sa-tx-set: peer %s has no SA 0x%08x from sa-tx-alloc (a key holder "
			 "sends only with SPIs it allocated)",
			 r->peer, r->spi);
		return -1;
	}
	eesp_key_fingerprint(r->key, r->key_len, fp);
	if (strcmp(fp, p->fp) || (r->has_salt && memcmp(r->salt, p->salt, 4)) ||
	    (r->phase >= 0 && r->phase != p->phase) || (r->has_epoch && r->epoch != p->epoch)) {
		snprintf(err, el,
			 "sa-tx-set: key, salt, phase or epoch differ from what sa-tx-alloc gave "
			 "for SPI 0x%08x",
			 r->spi);
		return -1;
	}
	*sa = *p;
	sa->dir = RTSA_TX;
	struct sastate *st = e->sa;
	struct rtsa *next = rtsa_copy(st->t);
	if (!next || rtsa_activate(next, r->peer, r->spi)) {
		rtsa_free(next);
		snprintf(err, el, "out of memory");
		return -1;
	}
	return commit(e, st, next, err, el);
}

/* the peer's runtime transmit SPI now (0: none) */
static uint32_t current_tx(struct eespd *e, const char *peer)
{
	struct sastate *st = e->sa;
	for (unsigned i = 0; st && i < rtsa_count(st->t); i++) {
		const struct rtsa_sa *sa = rtsa_at(st->t, i);
		if (sa->dir == RTSA_TX && !strcmp(sa->peer, peer))
			return sa->spi;
	}
	return 0;
}

int saverbs_set(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		size_t el)
{
	bool tx = r->verb == EESP_CTL_SA_TX_SET;
	const struct peer *pe;
	const struct domain *c;
	struct rtsa_sa sa;
	int rc;
	if (find_peer(e, r->peer, &pe, &c, err, el))
		return -1;
	sa_init(&sa, pe, c, tx ? RTSA_TX : RTSA_RX);
	sa.spi = r->spi;
	sa.psp = e->conf.mode == EESP_MODE_PSP;
	uint32_t old = tx ? current_tx(e, sa.peer) : 0;
	if (!sa.psp && tx && key_holder(c)) {
		rc = activate(e, r, &sa, err, el);
	} else {
		rc =
		    sa.psp ? check_psp_set(r, c, &sa, err, el) : check_eesp_set(r, c, &sa, err, el);
		if (!rc) {
			sa.key_len = r->key_len;
			memcpy(sa.key, r->key, r->key_len);
			eesp_key_fingerprint(sa.key, sa.key_len, sa.fp);
			rc = add_and_commit(e, &sa, err, el);
		}
	}
	if (!rc) {
		log_info("%s: peer %s SPI 0x%08x (key %s)%s", eesp_ctl_verb_name(r->verb), sa.peer,
			 sa.spi, sa.fp, old ? ", replacing its transmit SA" : "");
		set_reply(r, &sa, old, b);
	}
	OPENSSL_cleanse(&sa, sizeof(sa));
	return rc;
}

static void release_reply(const struct eesp_ctl_req *r, const struct rtsa_sa *gone, unsigned n,
			  unsigned shown, struct strbuf *b)
{
	if (r->json) {
		strbuf_printf(b, "{\"peer\":");
		strbuf_json(b, r->peer);
		strbuf_printf(b, ",\"count\":%u,\"released\":[", n);
		for (unsigned i = 0; i < shown; i++)
			strbuf_printf(b, "%s{\"spi\":\"0x%08x\",\"dir\":\"%s\"}", i ? "," : "",
				      gone[i].spi, rtsa_dir_name(gone[i].dir));
		strbuf_printf(b, "]}\n");
		return;
	}
	strbuf_printf(b, "released %u\n", n);
	for (unsigned i = 0; i < shown; i++)
		strbuf_printf(b, "sa peer %s dir %s spi 0x%08x\n", r->peer,
			      rtsa_dir_name(gone[i].dir), gone[i].spi);
}

int saverbs_release(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		    size_t el)
{
	enum { SHOWN = RTSA_MAX_RX_PER_PEER + 1 }; /* a peer's SAs, all of them */
	struct rtsa_sa gone[SHOWN];		   /* without their keys */
	const struct peer *pe;
	const struct domain *c;
	struct sastate *st = sastate_of(e, err, el);
	if (!st || find_peer(e, r->peer, &pe, &c, err, el))
		return -1;
	struct rtsa *next = rtsa_copy(st->t);
	if (!next) {
		snprintf(err, el, "out of memory");
		return -1;
	}
	unsigned n = rtsa_release(next, r->peer, r->spi, pe->dom, gone, SHOWN);
	if (r->spi && !n) {
		rtsa_free(next);
		snprintf(err, el, "peer %s has no runtime SA with SPI 0x%08x", r->peer, r->spi);
		return -1;
	}
	if (commit(e, st, next, err, el))
		return -1;
	if (n)
		log_info("sa-release: peer %s: %u runtime SA%s released", r->peer, n,
			 n == 1 ? "" : "s");
	release_reply(r, gone, n, n < SHOWN ? n : SHOWN, b);
	return 0;
}

int saverbs_on_reload(struct eespd *e, struct snap *s, char *err, size_t el)
{
	struct sastate *st = e->sa;
	if (!st || !rtsa_count(st->t)) {
		if (!rtsa_apply(st ? st->t : NULL, s)) /* released SPIs still count */
			return 0;
		snprintf(err, el, "reload: out of memory for the runtime SAs");
		return -1;
	}
	struct rtsa *next = rtsa_copy(st->t);
	if (!next) {
		snprintf(err, el, "reload: out of memory for the runtime SAs");
		return -1;
	}
	unsigned gone = rtsa_prune(next, s);
	if (rtsa_apply(next, s)) {
		rtsa_free(next);
		snprintf(err, el, "reload: out of memory for the runtime SAs");
		return -1;
	}
	/* the snapshot is published right after: nothing runs in between */
	rtsa_free(st->t);
	st->t = next;
	if (gone)
		log_info("reload: %u runtime SA%s of removed peers dropped", gone,
			 gone == 1 ? "" : "s");
	return 0;
}
