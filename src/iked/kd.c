// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kd.c - the PSP child's CREATE_CHILD_SA with key download (kd.h):
 *
 *   HDR, SK{[N(REKEY_SA)], V(eesp), SA, Ni, KD, TSi, TSr}  ->
 *   HDR, SK{V(eesp), SA, Nr, KD, TSi, TSr}
 *
 * Our SA has one proposal per configured PSP version, each with its own
 * receive SPI from our eespd and a key bag for it in the KD; the responder
 * picks one, installs the initiator's key of that SPI as its transmit SA,
 * allocates its own receive SPI for the chosen version and answers with its
 * key; the initiator installs that and releases the SPIs of the proposals
 * not chosen.  No KE (the PSP draft): the keys come from the masters, the
 * IKE SA only carries them; the nonces are there for RFC 7296 parsers
 * (kd_put_nonce()).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "kd.h"
#include "log.h"
#include "secmem.h"

static struct ike_psp_codes codes(const struct iked_engine *e)
{
	return (struct ike_psp_codes){.proto = e->conf->psp_protocol,
				      .params_type = e->conf->psp_transform_type};
}

struct iked_child *kd_child_get(struct ike_sa *sa)
{
	if (!sa->children) {
		sa->children = calloc(1, sizeof(*sa->children));
		sa->n_children = sa->children ? 1 : 0;
	}
	return sa->children;
}

int kd_kwk(const struct ike_sa *sa, uint8_t out[IKE_PSP_KWK_LEN])
{
	return ike_psp_kwk(sa->suite.prf, sa->keys->d, sa->keys->prf_len, out);
}

/* TSi/TSr: every address (the data plane's allowed_ips decide, not IKE) */
void kd_put_ts_any(struct ike_builder *b)
{
	struct ike_ts ts[2] = {{.type = IKE_TS_IPV4_ADDR_RANGE, .end_port = 65535},
			       {.type = IKE_TS_IPV6_ADDR_RANGE, .end_port = 65535}};
	memset(ts[0].end, 0xff, 4);
	memset(ts[1].end, 0xff, 16);
	ike_put_ts(b, IKE_PT_TSI, ts, 2);
	ike_put_ts(b, IKE_PT_TSR, ts, 2);
}

/* again in 1-2 retry periods: random, so that two sides refusing each
 * other's collision (TEMPORARY_FAILURE) do not meet again */
/* A Nonce although the PSP draft has none: RFC 7296 §1.3 makes Ni/Nr
 * mandatory in CREATE_CHILD_SA, and a peer that follows it (strongSwan
 * 5.9.8) answers a child request without one with INVALID_SYNTAX and
 * deletes the IKE SA instead of refusing the child (test 82).  Nothing
 * derives from it; a KD request or answer without one is accepted. */
void kd_put_nonce(struct iked_engine *e, struct ike_builder *b)
{
	uint8_t n[32];
	if (make_nonce(e, n, sizeof(n))) {
		if (!b->err)
			b->err = IKE_E_CRYPTO;
		return;
	}
	ike_put_nonce(b, n, sizeof(n));
}

void kd_retry_later(struct iked_engine *e, struct iked_child *c)
{
	uint32_t r = 0;
	e->io.random(e->io.arg, (uint8_t *)&r, sizeof(r));
	c->next_poll_ms = now_ms(e) + KD_RETRY_MS + (int64_t)(r % KD_RETRY_MS);
}

/* who starts the child: the IKE SA's initiator (PSP), the key holder (EESP) */
static bool starts_child(const struct ike_sa *sa)
{
	const struct iked_kd_conf *k = &sa->peer->kd;
	return k->kind == IKED_KD_EESP ? k->key_holder : sa->initiator;
}

void kd_established(struct iked_engine *e, struct ike_sa *sa)
{
	(void)e;
	if (sa->peer && sa->peer->kd.on && starts_child(sa) && kd_child_get(sa))
		sa->want |= WANT_CHILD;
}

/* the peer's children elsewhere hold these SPIs (another IKE SA of the peer) */
static unsigned peer_spis(struct iked_engine *e, unsigned peer_idx, uint32_t *out, unsigned cap)
{
	struct ike_sa *o;
	unsigned n = 0;
	for (unsigned i = 0; (o = sa_next(&e->sas, &i)) && n + 2 <= cap;)
		if (o->peer && o->peer_idx == peer_idx && o->children) {
			out[n++] = o->children->my_spi;
			out[n++] = o->children->old_spi;
		}
	return n;
}

/* the child is keyed: the old receive SPI goes later; stale ones at once */
void kd_child_keyed(struct iked_engine *e, struct ike_sa *sa, struct iked_child *c, uint32_t my_spi,
		    uint32_t peer_spi, unsigned version, uint64_t serial)
{
	char who[160];
	bool rekey = c->my_spi != 0;
	if (rekey) {
		if (c->old_spi) /* a third key before the old one went */
			kd_release(e, sa->peer, c->old_spi);
		c->old_spi = c->my_spi;
		c->old_release_ms = now_ms(e) + KD_OLD_HOLD_MS;
		cnt(e, CNT_CHILD_REKEYED);
	}
	c->my_spi = my_spi;
	c->peer_spi = peer_spi;
	c->version = version;
	c->key_serial = serial;
	c->next_poll_ms = now_ms(e) + sa->peer->kd.poll_ms;
	cnt(e, CNT_CHILD_UP);
	if (sa->peer->kd.kind == IKED_KD_EESP)
		log_info("%s: EESP child %s: we receive under 0x%08" PRIx32
			 " and send under 0x%08" PRIx32 " (%s)",
			 sa_who(sa, who, sizeof(who)), rekey ? "re-keyed" : "up", my_spi, peer_spi,
			 sa->peer->kd.key_holder ? "keys from our root"
						 : "keys from the key holder");
	else
		log_info("%s: PSP child %s: version %u, we receive under 0x%08" PRIx32
			 " and send under 0x%08" PRIx32 " (key serial %" PRIu64 ")",
			 sa_who(sa, who, sizeof(who)), rekey ? "re-keyed" : "up", version, my_spi,
			 peer_spi, serial);
	if (!e->peers[sa->peer_idx].kd_swept) {
		uint32_t keep[2 * 16];
		unsigned n = peer_spis(e, sa->peer_idx, keep, 32);
		if (kd_sweep(e, sa->peer, keep, n) >= 0)
			e->peers[sa->peer_idx].kd_swept = true;
	}
}

static void pend_release(struct iked_engine *e, struct ike_sa *sa, struct iked_child *c,
			 uint32_t except)
{
	for (unsigned i = 0; i < c->n_pend; i++)
		if (c->pend_spi[i] != except)
			kd_release(e, sa->peer, c->pend_spi[i]);
	c->n_pend = 0;
}

/* our proposals for the SPIs of c->pend_* */
static unsigned pend_proposals(struct iked_engine *e, const struct iked_child *c,
			       struct ike_proposal *out)
{
	struct ike_psp_codes k = codes(e);
	unsigned n = 0;
	for (unsigned i = 0; i < c->n_pend; i++)
		if (!ike_psp_proposal(&k, (uint8_t)(i + 1), c->pend_spi[i], c->pend_ver[i],
				      &out[n]))
			n++;
	return n;
}

/* allocate an SPI for each configured version; the keys go into the KD */
static int alloc_offers(struct iked_engine *e, struct ike_sa *sa, struct iked_child *c,
			struct kd_alloc *a)
{
	const struct iked_kd_conf *kc = &sa->peer->kd;
	c->n_pend = 0;
	for (unsigned i = 0; i < kc->n_versions && c->n_pend < IKE_PSP_MAX_OFFERS; i++) {
		if (kd_rx_alloc(e, sa->peer, kc->versions[i], &a[c->n_pend]))
			continue;
		c->pend_spi[c->n_pend] = a[c->n_pend].spi;
		c->pend_ver[c->n_pend] = kc->versions[i];
		c->pend_serial = a[c->n_pend].key_serial;
		c->n_pend++;
	}
	return c->n_pend ? 0 : -1;
}

int kd_start(struct iked_engine *e, struct ike_sa *sa)
{
	struct iked_child *c = kd_child_get(sa);
	struct ike_psp_codes k = codes(e);
	struct kd_alloc a[IKE_PSP_MAX_OFFERS];
	struct ike_proposal props[IKE_PSP_MAX_OFFERS];
	uint8_t w[IKE_PSP_KWK_LEN], spi[4];
	struct msgbuild mb;
	size_t off;
	unsigned n;
	int rc;
	if (!c || !sa->peer || !sa->peer->kd.on || sa->state != SA_ESTABLISHED || sa->req_busy)
		return -1;
	if (sa->peer->kd.kind == IKED_KD_EESP)
		return kd_eesp_start(e, sa);
	if (alloc_offers(e, sa, c, a) || kd_kwk(sa, w)) {
		eesp_wipe(a, sizeof(a));
		pend_release(e, sa, c, 0);
		cnt(e, CNT_CHILD_FAILED);
		kd_retry_later(e, c);
		return -1;
	}
	n = pend_proposals(e, c, props);
	msg_begin_request(sa, &mb, IKE_EXCH_CREATE_CHILD_SA);
	if (c->my_spi) {
		ike_put32(spi, c->my_spi);
		ike_put_notify(&mb.b, k.proto, spi, 4, IKE_N_REKEY_SA, NULL, 0);
	}
	ike_put_vendor(&mb.b, (const uint8_t *)IKE_EESP_VID, IKE_EESP_VID_LEN);
	ike_put_sa(&mb.b, props, n);
	kd_put_nonce(e, &mb.b);
	off = ike_build_begin(&mb.b, IKE_PT_KD, 0);
	for (unsigned i = 0; i < c->n_pend; i++)
		ike_psp_put_bag(&mb.b, &k, a[i].spi, w, a[i].key, a[i].key_len);
	ike_build_end(&mb.b, off);
	kd_put_ts_any(&mb.b);
	eesp_wipe(a, sizeof(a));
	eesp_wipe(w, sizeof(w));
	rc = msg_request(e, sa, &mb, X_CHILD);
	eesp_wipe(&mb, sizeof(mb));
	if (rc) {
		pend_release(e, sa, c, 0);
		kd_retry_later(e, c);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------- responder -- */

void kd_answer_notify(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		      uint16_t type)
{
	struct msgbuild mb;
	msg_begin(sa, &mb, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id);
	ike_put_notify(&mb.b, 0, NULL, 0, type, NULL, 0);
	msg_respond(e, sa, &mb, m);
}

void kd_refuse(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m, const char *proto,
	       uint16_t type, unsigned counter, const char *why)
{
	char who[160], nb[32];
	refusal(e, counter, "%s: %s child refused with %s: %s", sa_who(sa, who, sizeof(who)), proto,
		notify_name(type, nb, sizeof(nb)), why);
	if (counter != CNT_CHILD_FAILED)
		cnt(e, CNT_CHILD_FAILED);
	kd_answer_notify(e, sa, m, type);
}

/* the peer's key for spi (want octets) from the request's KD */
static int their_key(struct iked_engine *e, const struct ike_sa *sa, const struct ike_chain *in,
		     uint32_t spi, uint8_t *key, size_t want)
{
	const struct ike_payload *p = ike_chain_find(in, IKE_PT_KD, 0);
	struct ike_psp_codes k = codes(e);
	uint8_t w[IKE_PSP_KWK_LEN];
	struct ike_kd kd;
	int rc = !p ? IKE_E_MALFORMED : ike_kd_parse(p, &kd);
	if (!rc)
		rc = kd_kwk(sa, w) ? IKE_E_CRYPTO : ike_psp_get_key(&kd, &k, spi, w, key, want);
	eesp_wipe(w, sizeof(w));
	return rc;
}

/* our answer: the chosen proposal with our SPI, our key in the KD */
static int answer_child(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			const struct kd_alloc *mine, unsigned version, uint8_t num)
{
	struct ike_psp_codes k = codes(e);
	struct ike_proposal prop;
	uint8_t w[IKE_PSP_KWK_LEN];
	struct msgbuild mb;
	size_t off;
	int rc;
	/* the chosen proposal keeps its number (RFC 7296 §3.3) */
	if (ike_psp_proposal(&k, num, mine->spi, version, &prop) || kd_kwk(sa, w))
		return -1;
	msg_begin(sa, &mb, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id);
	ike_put_vendor(&mb.b, (const uint8_t *)IKE_EESP_VID, IKE_EESP_VID_LEN);
	ike_put_sa(&mb.b, &prop, 1);
	kd_put_nonce(e, &mb.b);
	off = ike_build_begin(&mb.b, IKE_PT_KD, 0);
	ike_psp_put_bag(&mb.b, &k, mine->spi, w, mine->key, mine->key_len);
	ike_build_end(&mb.b, off);
	kd_put_ts_any(&mb.b);
	eesp_wipe(w, sizeof(w));
	rc = msg_respond(e, sa, &mb, m);
	eesp_wipe(&mb, sizeof(mb));
	return rc;
}

/* which of their proposals we take: num in choice->prop, version, SPI */
static int choose(struct iked_engine *e, const struct ike_sa *sa, const struct ike_proposal *props,
		  unsigned n, unsigned *version, uint32_t *spi, uint8_t *num)
{
	struct ike_psp_codes k = codes(e);
	struct ike_proposal ours[IKED_KD_MAX_VERSIONS];
	struct ike_type_set known;
	struct ike_sa_choice ch;
	unsigned no = 0;
	for (unsigned i = 0; i < sa->peer->kd.n_versions; i++)
		if (!ike_psp_proposal(&k, (uint8_t)(no + 1), 0, sa->peer->kd.versions[i],
				      &ours[no]))
			no++;
	ike_psp_known_types(&k, &known);
	if (ike_sa_select(ours, no, props, n, &known, &ch) ||
	    ike_psp_proposal_get(&k, &ch.prop, version, spi))
		return -1;
	*num = ch.prop.num;
	return 0;
}

void kd_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		   const struct ike_chain *in, const struct ike_proposal *props, unsigned n)
{
	uint8_t key[IKE_PSP_KEY_MAX];
	struct kd_alloc mine;
	struct iked_child *c;
	unsigned version;
	uint32_t spi;
	uint8_t num;
	int rc;
	if (sa->peer && sa->peer->kd.on && sa->peer->kd.kind == IKED_KD_EESP &&
	    ike_has_eesp_vid(in) && props[0].proto == e->conf->eesp_protocol) {
		kd_eesp_request_in(e, sa, m, in, props, n);
		return;
	}
	if (!sa->peer || !sa->peer->kd.on || sa->peer->kd.kind != IKED_KD_PSP ||
	    !ike_has_eesp_vid(in) || props[0].proto != e->conf->psp_protocol) {
		kd_refuse(e, sa, m, "PSP", IKE_N_NO_PROPOSAL_CHOSEN, CNT_CHILD_REFUSED,
			  !sa->peer || !sa->peer->kd.on || sa->peer->kd.kind != IKED_KD_PSP
			      ? "no psp group for this peer"
			  : !ike_has_eesp_vid(in) ? "no eesp Vendor ID"
						  : "not the PSP protocol");
		return;
	}
	if (sa->state != SA_ESTABLISHED || (sa->req_busy && sa->req.kind == X_CHILD)) {
		kd_refuse(e, sa, m, "PSP", IKE_N_TEMPORARY_FAILURE, CNT_CHILD_FAILED,
			  sa->state != SA_ESTABLISHED ? "the IKE SA is going" : "ours is on");
		return;
	}
	if (!kd_rekey_names_child(sa, in, e->conf->psp_protocol)) {
		kd_refuse(e, sa, m, "PSP", IKE_N_CHILD_SA_NOT_FOUND, CNT_CHILD_FAILED,
			  "its REKEY_SA names no child of ours");
		return;
	}
	if (choose(e, sa, props, n, &version, &spi, &num)) {
		kd_refuse(e, sa, m, "PSP", IKE_N_NO_PROPOSAL_CHOSEN, CNT_CHILD_REFUSED,
			  "no PSP version in common");
		return;
	}
	rc = their_key(e, sa, in, spi, key, ike_psp_key_len(version));
	if (rc) {
		kd_refuse(e, sa, m, "PSP", IKE_N_INVALID_SYNTAX, CNT_KD_BAD, ike_err_name(rc));
		return;
	}
	c = kd_child_get(sa);
	if (!c || kd_rx_alloc(e, sa->peer, version, &mine)) {
		eesp_wipe(key, sizeof(key));
		kd_refuse(e, sa, m, "PSP", IKE_N_TEMPORARY_FAILURE, CNT_CHILD_FAILED,
			  "eespd gave no SPI");
		return;
	}
	rc = kd_tx_set(e, sa->peer, spi, key, ike_psp_key_len(version), version);
	eesp_wipe(key, sizeof(key));
	if (rc || answer_child(e, sa, m, &mine, version, num)) {
		kd_release(e, sa->peer, mine.spi);
		eesp_wipe(&mine, sizeof(mine));
		cnt(e, CNT_CHILD_FAILED);
		return;
	}
	kd_child_keyed(e, sa, c, mine.spi, spi, version, mine.key_serial);
	eesp_wipe(&mine, sizeof(mine));
}

/* ------------------------------------------------------- initiator -- */

void kd_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in)
{
	struct iked_child *c = sa->children;
	struct ike_psp_codes k = codes(e);
	struct ike_proposal sent[IKE_PSP_MAX_OFFERS], reply[2];
	const struct ike_payload *ps = ike_chain_find(in, IKE_PT_SA, 0);
	uint16_t err = first_error_notify(in);
	uint8_t key[IKE_PSP_KEY_MAX];
	unsigned ns, nr = 0, idx, version;
	uint32_t spi;
	char who[160], nb[32];
	int rc;
	if (c && sa->peer && sa->peer->kd.kind == IKED_KD_EESP) {
		kd_eesp_response_in(e, sa, in);
		return;
	}
	if (!c || !c->n_pend)
		return;
	ns = pend_proposals(e, c, sent);
	if (err) {
		refusal(e, CNT_CHILD_FAILED, "%s: the peer refused our PSP child with %s",
			sa_who(sa, who, sizeof(who)), notify_name(err, nb, sizeof(nb)));
		pend_release(e, sa, c, 0);
		kd_retry_later(e, c);
		return;
	}
	if (!ps || ike_sa_parse(ps, reply, 2, &nr) ||
	    ike_sa_check_reply(sent, ns, reply, nr, &idx) ||
	    ike_psp_proposal_get(&k, &reply[0], &version, &spi) || version != c->pend_ver[idx]) {
		refusal(e, CNT_CHILD_FAILED,
			"%s: the peer's answer to our PSP child is not "
			"acceptable",
			sa_who(sa, who, sizeof(who)));
		pend_release(e, sa, c, 0);
		kd_retry_later(e, c);
		return;
	}
	rc = their_key(e, sa, in, spi, key, ike_psp_key_len(version));
	if (rc) {
		refusal(e, CNT_KD_BAD, "%s: the peer's KD: %s", sa_who(sa, who, sizeof(who)),
			ike_err_name(rc));
		cnt(e, CNT_CHILD_FAILED);
		pend_release(e, sa, c, 0);
		kd_retry_later(e, c);
		return;
	}
	rc = kd_tx_set(e, sa->peer, spi, key, ike_psp_key_len(version), version);
	eesp_wipe(key, sizeof(key));
	uint32_t mine = c->pend_spi[idx];
	pend_release(e, sa, c, rc ? 0 : mine);
	if (rc) {
		cnt(e, CNT_CHILD_FAILED);
		kd_retry_later(e, c);
		return;
	}
	kd_child_keyed(e, sa, c, mine, spi, version, c->pend_serial);
}

/* ----------------------------------------------------------- timers -- */

int64_t kd_timers(struct iked_engine *e, struct ike_sa *sa)
{
	struct iked_child *c = sa->children;
	int64_t t = now_ms(e), next = 0;
	if (!c || !sa->peer || !sa->peer->kd.on)
		return 0;
	if (c->old_spi && t >= c->old_release_ms) {
		kd_release(e, sa->peer, c->old_spi);
		c->old_spi = 0;
	}
	if (c->old_spi)
		next = c->old_release_ms;
	if (sa->state != SA_ESTABLISHED || (sa->req_busy && sa->req.kind == X_CHILD))
		return next;
	if (c->next_poll_ms && t >= c->next_poll_ms) {
		c->next_poll_ms = t + sa->peer->kd.poll_ms;
		if (!c->my_spi) {
			if (starts_child(sa))
				sa->want |= WANT_CHILD; /* a retry */
		} else if (sa->peer->kd.kind == IKED_KD_PSP || sa->peer->kd.key_holder) {
			bool has_rx;
			uint64_t s = kd_key_serial(e, sa->peer, c->my_spi, &has_rx);
			char who[160];
			if (s && s != c->key_serial) {
				log_info("%s: eespd's key serial %" PRIu64 " -> %" PRIu64
					 ": re-keying the child",
					 sa_who(sa, who, sizeof(who)), c->key_serial, s);
				sa->want |= WANT_CHILD;
			} else if (s && !has_rx) {
				/* eespd restarted (runtime SAs live in memory only) */
				log_info("%s: eespd no longer holds our receive SA 0x%08" PRIx32
					 ": re-keying the child",
					 sa_who(sa, who, sizeof(who)), c->my_spi);
				sa->want |= WANT_CHILD;
			}
		}
	}
	if (c->next_poll_ms && (!next || c->next_poll_ms < next))
		next = c->next_poll_ms;
	return next;
}

bool kd_rekey_names_child(const struct ike_sa *sa, const struct ike_chain *in, uint8_t proto)
{
	struct ike_notify n;
	if (!find_notify(in, IKE_N_REKEY_SA, &n))
		return true; /* a new child, not a rekey */
	return sa->children && sa->children->my_spi && n.proto == proto && n.spi_size == 4 &&
	       ike_get32(n.spi) == sa->children->peer_spi;
}

int64_t kd_due_ms(const struct ike_sa *sa)
{
	const struct iked_child *c = sa->children;
	int64_t t = 0;
	if (!c || !sa->peer || !sa->peer->kd.on)
		return 0;
	if (c->old_spi)
		t = c->old_release_ms;
	if (sa->state == SA_ESTABLISHED && c->next_poll_ms && (!t || c->next_poll_ms < t))
		t = c->next_poll_ms;
	return t;
}

void kd_close(struct iked_engine *e, struct ike_sa *sa)
{
	struct iked_child *c = sa->children;
	struct ike_sa *o;
	bool others = false;
	if (!c)
		return;
	sa->children = NULL;
	sa->n_children = 0;
	if (sa->peer && sa->peer->kd.on) {
		for (unsigned i = 0; (o = sa_next(&e->sas, &i));)
			if (o != sa && o->peer && o->peer_idx == sa->peer_idx && o->children &&
			    o->children->my_spi)
				others = true;
		pend_release(e, sa, c, 0);
		if (c->pend_tx)
			kd_release(e, sa->peer, c->pend_tx->spi);
		if (others) {
			if (c->my_spi)
				kd_release(e, sa->peer, c->my_spi);
			if (c->old_spi)
				kd_release(e, sa->peer, c->old_spi);
		} else if (c->my_spi || c->old_spi) {
			/* the last child of the peer: its transmit SA goes too */
			kd_release(e, sa->peer, 0);
		}
	}
	kd_child_free(c);
}

void kd_child_free(struct iked_child *c)
{
	if (c->pend_tx) {
		eesp_wipe(c->pend_tx, sizeof(*c->pend_tx));
		eesp_secure_free(c->pend_tx, sizeof(*c->pend_tx));
	}
	eesp_wipe(c, sizeof(*c));
	free(c);
}
