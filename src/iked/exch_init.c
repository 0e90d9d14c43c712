// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exch_init.c - IKE_SA_INIT (RFC 7296 §1.2, §2.6, RFC 6023) as responder
 * and as initiator.
 *
 * Responder: a repeated request gets the cached response; above
 * cookie_threshold half-open SAs a request without a valid cookie gets
 * N(COOKIE) and leaves no state; refusals (unknown peer, limits,
 * NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD) leave no state either.  Only then
 * is the key exchange computed and a half-open SA kept, answered with
 * N(CHILDLESS_IKEV2_SUPPORTED).
 * Initiator: N(COOKIE) and N(INVALID_KE_PAYLOAD) answers repeat the
 * request (with the cookie first, or a key of the asked group); a
 * response without CHILDLESS_IKEV2_SUPPORTED is refused (we make childless
 * IKE SAs only), any other is followed by IKE_AUTH.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "ike_cookie.h"
#include "ike_dh.h"
#include "log.h"
#include "secmem.h"

#define NONCE_LEN 32
#define MAX_COOKIE_TRIES 3
#define MAX_KE_TRIES 2

/* the address octets of IPi for the cookie */
static const uint8_t *ip_octets(const struct sockaddr_storage *a, size_t *len)
{
	if (a->ss_family == AF_INET) {
		*len = 4;
		return (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
	}
	*len = 16;
	return (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
}

/* a stateless answer: N(type, data) alone, SPIr zero */
static void notify_only(struct iked_engine *e, const struct iked_addr *local,
			const struct iked_addr *remote, const struct ike_msg *m, uint16_t type,
			const uint8_t *data, size_t len)
{
	struct ike_hdr h = {.exch_type = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_R, .msg_id = 0};
	struct ike_builder b;
	uint8_t buf[256];
	size_t n;
	memcpy(h.spi_i, m->hdr.spi_i, IKE_SPI_LEN);
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_notify(&b, 0, NULL, 0, type, data, len);
	if (ike_build_finish(&b, &n) == 0)
		msg_send(e, local, remote, buf, n);
}

/* the parts of an IKE_SA_INIT request the responder looks at */
struct init_req {
	struct ike_proposal props[8];
	unsigned n_props;
	struct ike_ke ke;
	const uint8_t *ni;
	size_t ni_len;
};

static int parse_request(struct iked_engine *e, const struct ike_msg *m, const char *who,
			 struct init_req *r)
{
	const struct ike_payload *sa = ike_chain_find(&m->outer, IKE_PT_SA, 0);
	const struct ike_payload *ke = ike_chain_find(&m->outer, IKE_PT_KE, 0);
	const struct ike_payload *no = ike_chain_find(&m->outer, IKE_PT_NONCE, 0);
	int rc;
	if (!sa || !ke || !no) {
		drop(e, IKE_E_MALFORMED, "IKE_SA_INIT from %s without %s payload: dropped", who,
		     !sa   ? "an SA"
		     : !ke ? "a KE"
			   : "a Nonce");
		return -1;
	}
	if ((rc = ike_nonce_parse(no, &r->ni, &r->ni_len)) || (rc = ike_ke_parse(ke, &r->ke)) ||
	    (rc = ike_sa_parse(sa, r->props, 8, &r->n_props))) {
		drop(e, (unsigned)rc, "IKE_SA_INIT from %s refused (%s): dropped", who,
		     ike_err_name(rc));
		return -1;
	}
	return 0;
}

/* false when the request was answered with a cookie (or dropped) */
static bool cookie_ok(struct iked_engine *e, const struct iked_addr *local,
		      const struct iked_addr *remote, const struct ike_msg *m,
		      const struct init_req *r, const char *who)
{
	const struct ike_payload *first = m->outer.n ? &m->outer.pl[0] : NULL;
	uint8_t cookie[IKE_COOKIE_LEN];
	struct ike_notify n;
	size_t iplen;
	const uint8_t *ip = ip_octets(&remote->ss, &iplen);
	const struct iked_peer *p = iked_conf_peer_by_addr(e->conf, &remote->ss);
	/* a peer that has a half-open SA already gets a cookie for its next
	 * request even below cookie_threshold: requests spoofed from its
	 * address would otherwise fill its sas_per_peer with half-open SAs
	 * and lock it out until they expire */
	unsigned peer_half_open =
	    p ? sa_half_open_peer(&e->sas, (unsigned)(p - e->conf->peers)) : 0;
	if (e->sas.half_open < e->conf->cookie_threshold && peer_half_open == 0)
		return true;
	if (first && first->type == IKE_PT_NOTIFY && !ike_notify_parse(first, &n) &&
	    n.type == IKE_N_COOKIE) {
		if (!ike_cookie_verify(e->cookie, r->ni, r->ni_len, ip, iplen, m->hdr.spi_i, n.data,
				       n.len))
			return true;
		drop(e, CNT_BAD_COOKIE,
		     "IKE_SA_INIT from %s: its cookie does not verify: a new "
		     "one sent",
		     who);
	} else {
		drop(e, CNT_COOKIE_SENT,
		     "IKE_SA_INIT from %s: %u half-open SAs (cookie_threshold %u), %u of this "
		     "peer: answered with a cookie",
		     who, e->sas.half_open, e->conf->cookie_threshold, peer_half_open);
	}
	if (ike_cookie_make(e->cookie, r->ni, r->ni_len, ip, iplen, m->hdr.spi_i, cookie) == 0)
		notify_only(e, local, remote, m, IKE_N_COOKIE, cookie, sizeof(cookie));
	return false;
}

/* the peer, within its limits; NULL when refused (counted) */
static const struct iked_peer *admit(struct iked_engine *e, const struct iked_addr *remote,
				     const char *who)
{
	const struct iked_peer *p = iked_conf_peer_by_addr(e->conf, &remote->ss);
	unsigned idx;
	if (!p) {
		drop(e, CNT_UNKNOWN_PEER, "IKE_SA_INIT from %s: no peer has this address: dropped",
		     who);
		return NULL;
	}
	if (e->sas.half_open >= e->conf->half_open_max) {
		drop(e, CNT_HALF_OPEN_FULL,
		     "IKE_SA_INIT from %s: %u half-open SAs (half_open_max): dropped", who,
		     e->sas.half_open);
		return NULL;
	}
	idx = (unsigned)(p - e->conf->peers);
	if (sa_count_peer(&e->sas, idx, false) >= e->conf->sas_per_peer)
		sa_reap_closed(e, idx);
	if (sa_count_peer(&e->sas, idx, false) >= e->conf->sas_per_peer) {
		drop(e, CNT_PEER_SA_LIMIT,
		     "IKE_SA_INIT from peer %s (%s): it has %u IKE SAs (sas_per_peer): dropped",
		     p->name, who, e->conf->sas_per_peer);
		return NULL;
	}
	return p;
}

/* the proposal and suite we accept, or a refusal sent (false) */
static bool choose(struct iked_engine *e, const struct iked_addr *local,
		   const struct iked_addr *remote, const struct ike_msg *m,
		   const struct iked_peer *p, const struct init_req *r, struct ike_sa_choice *c,
		   struct ike_suite *s)
{
	struct ike_proposal ours[IKED_MAX_PROPOSALS];
	unsigned n = our_proposals(p, NULL, NULL, 0, ours);
	struct ike_type_set known;
	char g1[16], g2[16];
	ike_type_set_standard(&known);
	if (ike_sa_select(ours, n, r->props, r->n_props, &known, c) ||
	    ike_suite_from_proposal(&c->prop, s)) {
		refusal(e, IKE_E_NO_PROPOSAL,
			"peer %s: IKE_SA_INIT refused with NO_PROPOSAL_CHOSEN: none of its %u "
			"proposals matches ours (%u configured)",
			p->name, r->n_props, n);
		notify_only(e, local, remote, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return false;
	}
	if (r->ke.group != s->ke) {
		uint8_t g[2] = {(uint8_t)(s->ke >> 8), (uint8_t)s->ke};
		refusal(e, CNT_INVALID_KE,
			"peer %s: IKE_SA_INIT refused with INVALID_KE_PAYLOAD: its KE is of group "
			"%s, the chosen proposal needs %s",
			p->name, iked_group_name(r->ke.group, g1, sizeof(g1)),
			iked_group_name(s->ke, g2, sizeof(g2)));
		notify_only(e, local, remote, m, IKE_N_INVALID_KE_PAYLOAD, g, sizeof(g));
		return false;
	}
	return true;
}

/* g^ir, SKEYSEED and the SA's keys from the peer's public value */
static int key_exchange(struct iked_engine *e, struct ike_sa *sa, const struct ike_ke *ke)
{
	uint8_t gir[IKE_DH_SECRET_MAX], seed[IKE_PRF_MAX];
	size_t gl;
	char who[160];
	int rc = ike_dh_shared(&sa->dh, ke->data, ke->len, gir, sizeof(gir), &gl);
	if (rc) {
		drop(e, (unsigned)rc, "%s: the peer's KE is refused (%s)",
		     sa_who(sa, who, sizeof(who)), ike_err_name(rc));
		return -1;
	}
	rc = ike_skeyseed(sa->suite.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gir, gl, seed);
	eesp_wipe(gir, sizeof(gir));
	if (rc || sa_install_keys(e, sa, seed)) {
		eesp_wipe(seed, sizeof(seed));
		if (rc)
			cnt(e, CNT_CRYPTO_FAILED);
		return -1;
	}
	eesp_wipe(seed, sizeof(seed));
	return 0;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	uint8_t *d = malloc(n ? n : 1);
	if (d)
		memcpy(d, p, n);
	return d;
}

/* our answer: SA KE Nr N(CHILDLESS_IKEV2_SUPPORTED), cached and sent */
static int respond(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		   const struct ike_sa_choice *c)
{
	struct ike_hdr h = {.exch_type = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_R, .msg_id = 0};
	uint8_t buf[2048], pub[IKE_DH_PUB_MAX];
	struct ike_builder b;
	size_t n, pl;
	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, sa->spi_r, IKE_SPI_LEN);
	if (ike_dh_public(&sa->dh, pub, sizeof(pub), &pl))
		return -1;
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_sa(&b, &c->prop, 1);
	ike_put_ke(&b, sa->suite.ke, pub, pl);
	ike_put_nonce(&b, sa->nr, sa->nr_len);
	ike_put_notify(&b, 0, NULL, 0, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	if (ike_build_finish(&b, &n))
		return -1;
	sa->init_i = dup_bytes(m->raw, m->len);
	sa->init_r = dup_bytes(buf, n);
	sa->resp.msg = dup_bytes(buf, n);
	sa->resp.req = dup_bytes(m->raw, m->len);
	if (!sa->init_i || !sa->init_r || !sa->resp.msg || !sa->resp.req) {
		cnt(e, CNT_NO_MEMORY);
		return -1;
	}
	sa->init_i_len = sa->resp.req_len = m->len;
	sa->init_r_len = sa->resp.len = n;
	sa->resp.valid = true;
	sa->resp.mid = 0;
	sa->peer_mid = 1;
	msg_send(e, &sa->local, &sa->remote, buf, n);
	return 0;
}

/* a repeated IKE_SA_INIT of an SA we have: answer it again, or drop it */
static void repeated(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	char who[160];
	if (sa->state == SA_INIT_R && sa->resp.valid && sa->resp.mid == 0 &&
	    sa->resp.req_len == m->len && !memcmp(sa->resp.req, m->raw, m->len)) {
		cnt(e, CNT_RX_RETRANSMITS);
		msg_send(e, &sa->local, &sa->remote, sa->resp.msg, sa->resp.len);
		return;
	}
	drop(e, CNT_REPLAYED, "%s: IKE_SA_INIT again, but the SA is %s: dropped",
	     sa_who(sa, who, sizeof(who)), sa_state_name(sa->state));
}

void init_request_in(struct iked_engine *e, const struct iked_addr *local,
		     const struct iked_addr *remote, const struct ike_msg *m)
{
	struct ike_sa *sa = sa_find_responder(&e->sas, m->hdr.spi_i, &remote->ss);
	const struct iked_peer *p;
	struct ike_sa_choice c;
	struct ike_suite s;
	struct init_req r;
	char who[80];
	if (sa) {
		repeated(e, sa, m);
		return;
	}
	iked_addr_format(&remote->ss, who, sizeof(who));
	if (parse_request(e, m, who, &r) || !cookie_ok(e, local, remote, m, &r, who) ||
	    !(p = admit(e, remote, who)) || !choose(e, local, remote, m, p, &r, &c, &s))
		return;
	sa = sa_create(e, false, p, local, remote);
	if (!sa)
		return;
	memcpy(sa->spi_i, m->hdr.spi_i, IKE_SPI_LEN);
	sa->suite = s;
	memcpy(sa->ni, r.ni, r.ni_len);
	sa->ni_len = r.ni_len;
	sa->nr_len = NONCE_LEN;
	if (make_nonce(e, sa->nr, sa->nr_len) || ike_dh_generate(&sa->dh, s.ke) ||
	    key_exchange(e, sa, &r.ke) || respond(e, sa, m, &c)) {
		if (!sa->ciphers)
			cnt(e, CNT_CRYPTO_FAILED);
		sa_set_state(&e->sas, sa, SA_DEAD);
		return;
	}
	cnt(e, CNT_RX_MESSAGES);
	sa->deadline_ms = now_ms(e) + (int64_t)e->conf->half_open_timeout * 1000;
	log_debug("%s: IKE_SA_INIT answered, IKE_AUTH awaited", sa_who(sa, who, sizeof(who)));
}

/* ------------------------------------------------------------ initiator */

/* (re)send our request: [N(COOKIE)] SA KE Ni, MID 0 */
static int send_request(struct iked_engine *e, struct ike_sa *sa)
{
	struct ike_hdr h = {.exch_type = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_I, .msg_id = 0};
	struct ike_proposal props[IKED_MAX_PROPOSALS];
	unsigned np = our_proposals(sa->peer, NULL, NULL, 0, props);
	uint8_t buf[2048], pub[IKE_DH_PUB_MAX];
	struct ike_builder b;
	size_t n, pl;
	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	if (ike_dh_public(&sa->dh, pub, sizeof(pub), &pl))
		return -1;
	ike_build_init(&b, buf, sizeof(buf), &h);
	if (sa->cookie_len)
		ike_put_notify(&b, 0, NULL, 0, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	ike_put_sa(&b, props, np);
	ike_put_ke(&b, sa->dh.group, pub, pl);
	ike_put_nonce(&b, sa->ni, sa->ni_len);
	if (ike_build_finish(&b, &n))
		return -1;
	free(sa->init_i);
	sa_request_clear(sa);
	sa->init_i = dup_bytes(buf, n);
	sa->req.msg = dup_bytes(buf, n);
	if (!sa->init_i || !sa->req.msg) {
		cnt(e, CNT_NO_MEMORY);
		return -1;
	}
	sa->init_i_len = sa->req.len = n;
	sa->req.kind = X_INIT;
	sa->req.mid = 0;
	sa->req.next_ms = msg_first_timeout(e);
	sa->req_busy = true;
	sa->my_mid = 1;
	msg_send(e, &sa->local, &sa->remote, buf, n);
	return 0;
}

int init_start(struct iked_engine *e, unsigned peer_idx, char *err, size_t err_len)
{
	const struct iked_peer *p = &e->conf->peers[peer_idx];
	struct iked_addr local = {0}, remote = {.ss = p->addr, .len = p->addr_len};
	struct ike_sa *sa;
	if (sa_count_peer(&e->sas, peer_idx, false) >= e->conf->sas_per_peer)
		sa_reap_closed(e, peer_idx);
	if (sa_count_peer(&e->sas, peer_idx, false) >= e->conf->sas_per_peer) {
		snprintf(err, err_len, "it has %u IKE SAs already (sas_per_peer)",
			 e->conf->sas_per_peer);
		return -1;
	}
	if (!e->io.local_for || e->io.local_for(e->io.arg, &remote, &local)) {
		snprintf(err, err_len, "no socket of the address family of %s", p->name);
		return -1;
	}
	sa = sa_create(e, true, p, &local, &remote);
	if (!sa) {
		snprintf(err, err_len, "out of memory or SPIs");
		return -1;
	}
	sa->suite = p->proposals[0];
	sa->ni_len = NONCE_LEN;
	if (make_nonce(e, sa->ni, sa->ni_len) || ike_dh_generate(&sa->dh, sa->suite.ke) ||
	    send_request(e, sa)) {
		sa_set_state(&e->sas, sa, SA_DEAD);
		cnt(e, CNT_CRYPTO_FAILED);
		snprintf(err, err_len, "cannot make the key exchange");
		return -1;
	}
	log_info("%s: initiating", sa_who(sa, err, err_len));
	err[0] = 0;
	return 0;
}

/* N(COOKIE) or N(INVALID_KE_PAYLOAD): true when the request went out again */
static bool retry(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	struct ike_notify n;
	char who[160], g[16];
	if (find_notify(&m->outer, IKE_N_COOKIE, &n)) {
		if (sa->cookie_tries >= MAX_COOKIE_TRIES || !n.len || n.len > IKE_COOKIE_MAX)
			return false;
		sa->cookie_tries++;
		memcpy(sa->cookie, n.data, n.len);
		sa->cookie_len = n.len;
		cnt(e, CNT_COOKIE_RX);
		log_info("%s: the peer asks for a cookie: IKE_SA_INIT repeated with it",
			 sa_who(sa, who, sizeof(who)));
		return send_request(e, sa) == 0;
	}
	if (find_notify(&m->outer, IKE_N_INVALID_KE_PAYLOAD, &n) && n.len == 2) {
		uint16_t group = ike_get16(n.data);
		bool ours = false;
		for (unsigned i = 0; i < sa->peer->n_proposals; i++)
			if (sa->peer->proposals[i].ke == group) {
				ours = true;
				sa->suite = sa->peer->proposals[i];
			}
		if (!ours || group == sa->dh.group || sa->ke_tries >= MAX_KE_TRIES)
			return false;
		sa->ke_tries++;
		cnt(e, CNT_INVALID_KE_RX);
		log_info("%s: the peer answers INVALID_KE_PAYLOAD and wants group %s: retrying "
			 "with it",
			 sa_who(sa, who, sizeof(who)), iked_group_name(group, g, sizeof(g)));
		ike_dh_free(&sa->dh);
		return ike_dh_generate(&sa->dh, group) == 0 && send_request(e, sa) == 0;
	}
	return false;
}

/* the responder's SA, KE and Nr checked; false (closed) otherwise */
static bool check_response(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			   struct ike_ke *ke)
{
	static const uint8_t zero[IKE_SPI_LEN];
	struct ike_proposal sent[IKED_MAX_PROPOSALS], reply[2];
	unsigned ns = our_proposals(sa->peer, NULL, NULL, 0, sent), nr = 0, idx;
	const struct ike_payload *sp = ike_chain_find(&m->outer, IKE_PT_SA, 0);
	const struct ike_payload *kp = ike_chain_find(&m->outer, IKE_PT_KE, 0);
	const struct ike_payload *np = ike_chain_find(&m->outer, IKE_PT_NONCE, 0);
	const uint8_t *nr_data;
	const char *why = NULL;
	char who[160], reason[200];
	if (!sp || !kp || !np || ike_sa_parse(sp, reply, 2, &nr) || ike_ke_parse(kp, ke) ||
	    ike_nonce_parse(np, &nr_data, &sa->nr_len) || !memcmp(m->hdr.spi_r, zero, IKE_SPI_LEN))
		why = "malformed (SA, KE, Nonce or SPI)";
	else if (ike_sa_check_reply(sent, ns, reply, nr, &idx) ||
		 ike_suite_from_proposal(&reply[0], &sa->suite))
		why = "its SA payload is not one of our proposals";
	else if (ke->group != sa->suite.ke || ke->group != sa->dh.group)
		why = "its KE is not of the chosen group";
	else if (!find_notify(&m->outer, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL))
		why = "no CHILDLESS_IKEV2_SUPPORTED: eesp-iked makes childless IKE SAs only "
		      "(RFC 6023)";
	if (why) {
		snprintf(reason, sizeof(reason), "IKE_SA_INIT response refused: %s", why);
		refusal(e, CNT_PEER_REFUSED, "%s: %s", sa_who(sa, who, sizeof(who)), reason);
		sa_close(e, sa, false, reason);
		return false;
	}
	memcpy(sa->nr, nr_data, sa->nr_len);
	memcpy(sa->spi_r, m->hdr.spi_r, IKE_SPI_LEN);
	return true;
}

void init_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	char who[160], nb[32], reason[200];
	uint16_t err;
	struct ike_ke ke;
	cnt(e, CNT_RX_MESSAGES);
	sa->last_rx_ms = now_ms(e);
	if (!ike_chain_find(&m->outer, IKE_PT_SA, 0)) {
		if (retry(e, sa, m))
			return;
		err = first_error_notify(&m->outer);
		snprintf(reason, sizeof(reason), "the peer refused IKE_SA_INIT: %s",
			 err ? notify_name(err, nb, sizeof(nb)) : "no SA payload in its answer");
		refusal(e, CNT_PEER_REFUSED, "%s: %s", sa_who(sa, who, sizeof(who)), reason);
		sa_close(e, sa, false, reason);
		return;
	}
	if (!check_response(e, sa, m, &ke))
		return;
	if (key_exchange(e, sa, &ke)) {
		sa_close(e, sa, false, "the key exchange failed");
		return;
	}
	free(sa->init_r);
	sa->init_r = dup_bytes(m->raw, m->len);
	if (!sa->init_r) {
		cnt(e, CNT_NO_MEMORY);
		sa_close(e, sa, false, "out of memory");
		return;
	}
	sa->init_r_len = m->len;
	sa->peer_mid = 0;
	sa_request_clear(sa);
	if (auth_start(e, sa))
		sa_close(e, sa, false, "cannot send IKE_AUTH");
}
