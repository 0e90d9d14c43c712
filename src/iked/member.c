// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * member.c - a member of a domain key server (gcks.h): registration when
 * the IKE SA with the key_server peer comes up, the pushes, and each ring
 * installed into our eespd with root-set (one call per ring: its three
 * generations replace the running ones in one snapshot).
 *
 * eespd keeps what root-set gave it in memory only, so a restarted eespd
 * has no root key until the next push: once a second the member looks for
 * the fingerprint root-set answered with in eespd's keys, and registers
 * again when it is gone (the registration answers with the rings in force).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "eespdcall.h"
#include "engine_int.h"
#include "ike_gcks.h"
#include "log.h"
#include "pair.h"
#include "secmem.h"

#define MEMBER_RETRY_MS 2000
#define MEMBER_CHECK_MS 1000

int64_t member_due_ms(const struct iked_engine *e)
{
	int64_t next = 0;
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		int64_t t = e->peers[i].gk.retry_ms, c = e->peers[i].gk.check_ms;
		if (t && (!next || t < next))
			next = t;
		if (c && (!next || c < next))
			next = c;
	}
	return next;
}

/* 1: our eespd's keys list fp, 0: they do not (it restarted, or another
 * hand changed the ring), -1: no answer */
static int eespd_holds(struct iked_engine *e, const struct iked_peer *pe, const char *fp)
{
	char *body;
	if (eespd_call(e, pe->key_server.eespd_socket, pe->name, &body, "keys\n"))
		return -1;
	int held = body && strstr(body, fp) != NULL;
	eespd_body_free(body);
	return held;
}

/*
 * What our eespd holds since the last root-set, for the checks: every key
 * server peer on that eespd checks for the same (the latest) fingerprint,
 * so that with two key servers the one that did not send the latest rings
 * does not take its own older fingerprint's absence for a restart.
 */
static void note_installed(struct iked_engine *e, const struct iked_peer *pe, const char *fp)
{
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		const struct iked_peer *o = &e->conf->peers[i];
		struct gcks_peer *gp = &e->peers[i].gk;
		if (!o->key_server.on ||
		    strcmp(o->key_server.eespd_socket, pe->key_server.eespd_socket))
			continue;
		snprintf(gp->eespd_fp, sizeof(gp->eespd_fp), "%s", fp);
		gp->check_ms = fp[0] ? now_ms(e) + MEMBER_CHECK_MS : 0;
	}
}

/* every MEMBER_CHECK_MS (the top of the file): sa registers again when our
 * eespd lost the rings */
static void check_eespd(struct iked_engine *e, struct ike_sa *sa, struct gcks_peer *gp)
{
	char who[160];
	gp->check_ms = now_ms(e) + MEMBER_CHECK_MS;
	if (!gp->joined || !gp->eespd_fp[0] || eespd_holds(e, sa->peer, gp->eespd_fp) != 0)
		return;
	log_info("%s: our eespd no longer holds the key server's rings (restarted?): registering "
		 "again",
		 sa_who(sa, who, sizeof(who)));
	gp->joined = false;
	gp->check_ms = 0;
	sa->want |= WANT_GSA_REG;
	sa_kick(e, sa);
}

int64_t member_timers(struct iked_engine *e)
{
	struct ike_sa *sa;
	int64_t t = now_ms(e);
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		struct gcks_peer *gp = sa->peer ? &e->peers[sa->peer_idx].gk : NULL;
		if (gp && gp->check_ms && t >= gp->check_ms && sa->state == SA_ESTABLISHED &&
		    sa->peer->key_server.on)
			check_eespd(e, sa, gp);
		if (!gp || !gp->retry_ms || t < gp->retry_ms || sa->state != SA_ESTABLISHED)
			continue;
		gp->retry_ms = 0;
		sa->want |= WANT_GSA_REG;
		sa_kick(e, sa);
	}
	/* a peer with no SA up: its next IKE SA registers anyway */
	for (unsigned i = 0; i < e->conf->n_peers; i++)
		if (e->peers[i].gk.retry_ms && t >= e->peers[i].gk.retry_ms)
			e->peers[i].gk.retry_ms = 0;
	return member_due_ms(e);
}

void member_established(struct iked_engine *e, struct ike_sa *sa)
{
	/* every new IKE SA registers again: a restarted member or server
	 * catches up with the rings in force */
	if (sa->peer && sa->peer->key_server.on) {
		e->peers[sa->peer_idx].gk.joined = false;
		sa->want |= WANT_GSA_REG;
	}
}

int member_register_start(struct iked_engine *e, struct ike_sa *sa)
{
	struct msgbuild mb;
	if (!sa->peer || !sa->peer->key_server.on)
		return 0;
	msg_begin_request(sa, &mb, IKE_EXCH_GSA_REGISTRATION);
	ike_gcks_put_idg(&mb.b, sa->peer->key_server.domain);
	return msg_request(e, sa, &mb, X_GSA_REG);
}

/* root-set of one ring into our eespd; 0 or -1 (logged, counted); the
 * fingerprint eespd answers with (its current generation's) into fp */
static int install(struct iked_engine *e, const struct iked_peer *pe, const struct ike_gcks_ring *r,
		   char fp[17])
{
	struct eesp_ctl_req q = {.verb = EESP_CTL_ROOT_SET, .level = r->level, .id = r->id};
	char line[EESP_CTL_MAX_LINE + 1], *body = NULL;
	int rc = -1;
	for (int s = 0; s < 3; s++) {
		q.root[s].present = r->gen[s].present;
		q.root[s].generation = r->gen[s].generation;
		memcpy(q.root[s].key, r->gen[s].key, sizeof(q.root[s].key));
	}
	size_t n = eesp_ctl_format(&q, line, sizeof(line));
	if (n)
		rc = eespd_send(e, pe->key_server.eespd_socket, pe->name, line, n, &body);
	else
		refusal(e, CNT_EESPD_ERRORS, "peer %s: a ring of the key server does not format",
			pe->name);
	/* "<level> <id> current <generation> <fingerprint>" */
	if (!rc && body && sscanf(body, "%*s %*u current %*u %16s", fp) != 1)
		fp[0] = 0;
	eespd_body_free(body);
	eesp_wipe(line, sizeof(line));
	eesp_wipe(&q, sizeof(q));
	return rc ? -1 : 0;
}

/* the rings of the message's KD, installed; 0, or the notify to answer */
static uint16_t apply(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in,
		      unsigned *n_out)
{
	const struct ike_payload *p = ike_chain_find(in, IKE_PT_KD, 0);
	struct ike_gcks_ring rings[IKE_GCKS_MAX_RINGS];
	uint8_t w[IKE_GCKS_KWK_LEN];
	struct ike_kd kd;
	unsigned n = 0;
	char who[160];
	int rc = !p ? IKE_E_MALFORMED : ike_kd_parse(p, &kd);
	if (!rc)
		rc = ike_gcks_kwk(sa->suite.prf, sa->keys->d, sa->keys->prf_len, w)
			 ? IKE_E_CRYPTO
			 : ike_gcks_get_rings(&kd, e->conf->eesp_protocol,
					      sa->peer->key_server.domain, w, rings,
					      IKE_GCKS_MAX_RINGS, &n);
	eesp_wipe(w, sizeof(w));
	if (rc) {
		refusal(e, CNT_KD_BAD, "%s: the key server's KD refused (%s)",
			sa_who(sa, who, sizeof(who)), p ? ike_err_name(rc) : "no KD payload");
		return IKE_N_INVALID_SYNTAX;
	}
	uint16_t answer = 0;
	char fp0[17] = "", fp[17] = "";
	for (unsigned i = 0; i < n; i++)
		if (install(e, sa->peer, &rings[i], i ? fp : fp0))
			answer = IKE_N_REGISTRATION_FAILED; /* our eespd did not take it */
	note_installed(e, sa->peer, answer ? "" : fp0);
	/* our pairs re-derive locally: no message to any of them */
	pair_rings_in(e, sa->peer_idx, rings, n);
	eesp_wipe(rings, sizeof(rings));
	*n_out = n;
	return answer;
}

void member_register_response_in(struct iked_engine *e, struct ike_sa *sa,
				 const struct ike_chain *in)
{
	uint16_t err = first_error_notify(in);
	char who[160], nb[40];
	unsigned n = 0;
	if (!sa->peer || !sa->peer->key_server.on)
		return;
	if (err) {
		/* AUTHORIZATION_FAILED, INVALID_GROUP_ID: nothing is installed;
		 * the operator fixes the server's configuration */
		refusal(e, CNT_GSA_REFUSED, "%s: the key server refused our registration with %s",
			sa_who(sa, who, sizeof(who)), notify_name(err, nb, sizeof(nb)));
		return;
	}
	if (apply(e, sa, in, &n)) {
		/* our eespd (or the KD) failed, not the server's decision: again */
		e->peers[sa->peer_idx].gk.retry_ms = now_ms(e) + MEMBER_RETRY_MS;
		return;
	}
	e->peers[sa->peer_idx].gk.joined = true;
	cnt(e, CNT_GSA_REGISTERED);
	log_info("%s: registered with the key server for domain 0x%08x: %u ring(s) installed",
		 sa_who(sa, who, sizeof(who)), sa->peer->key_server.domain, n);
}

void member_push_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		    const struct ike_chain *in)
{
	struct msgbuild mb;
	char who[160];
	unsigned n = 0;
	uint16_t answer = 0;
	/* a push carries whole rings: one that applies also repairs a
	 * registration whose rings our eespd did not take */
	if (!sa->peer || !sa->peer->key_server.on) {
		refusal(e, CNT_GSA_PUSH_FAILED,
			"%s: GSA_INBAND_REKEY from a peer that is not our key server: refused",
			sa_who(sa, who, sizeof(who)));
		answer = IKE_N_INVALID_SYNTAX;
	} else {
		answer = apply(e, sa, in, &n);
	}
	msg_begin(sa, &mb, IKE_EXCH_GSA_INBAND_REKEY, true, m->hdr.msg_id);
	if (answer)
		ike_put_notify(&mb.b, 0, NULL, 0, answer, NULL, 0);
	msg_respond(e, sa, &mb, m);
	if (answer) {
		cnt(e, CNT_GSA_PUSH_FAILED);
		return;
	}
	e->peers[sa->peer_idx].gk.applied++;
	e->peers[sa->peer_idx].gk.joined = true;
	e->peers[sa->peer_idx].gk.retry_ms = 0;
	cnt(e, CNT_GSA_PUSHED);
	log_info("%s: key server push (MID %u) applied: %u ring(s)", sa_who(sa, who, sizeof(who)),
		 m->hdr.msg_id, n);
}
