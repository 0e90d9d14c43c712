// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gcks_exch.c - the key server's exchanges (gcks.h): GSA_REGISTRATION
 * answered, GSA_INBAND_REKEY pushed to each member.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "gcks_int.h"
#include "ike_kd.h"
#include "log.h"
#include "secmem.h"

static struct peer_state *state_of(struct iked_engine *e, const struct ike_sa *sa)
{
	return sa->peer ? &e->peers[sa->peer_idx] : NULL;
}

/* the member's established IKE SA (the newest), or NULL */
static struct ike_sa *member_sa(struct iked_engine *e, unsigned peer_idx)
{
	struct ike_sa *sa, *best = NULL;
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));)
		if (sa->peer && sa->peer_idx == peer_idx && sa->state == SA_ESTABLISHED &&
		    (!best || sa->serial > best->serial))
			best = sa;
	return best;
}

void gcks_established(struct iked_engine *e, struct ike_sa *sa)
{
	/* a member's new IKE SA (after a loss or its restart): it registers
	 * again; until then nothing is pushed to it */
	if (e->gcks && sa->peer && sa->peer->member.on)
		e->peers[sa->peer_idx].gk.registered = false;
}

/* the KD of every ring the member may receive, wrapped under the SA's
 * GSK_w; how many rings */
static unsigned put_rings(struct iked_engine *e, struct ike_sa *sa, struct msgbuild *mb)
{
	uint8_t w[IKE_GCKS_KWK_LEN];
	unsigned n = 0;
	size_t off;
	if (ike_gcks_kwk(sa->suite.prf, sa->keys->d, sa->keys->prf_len, w)) {
		mb->b.err = IKE_E_CRYPTO;
		return 0;
	}
	off = ike_build_begin(&mb->b, IKE_PT_KD, 0);
	for (unsigned i = 0; i < e->gcks->n && n < IKE_GCKS_MAX_RINGS; i++)
		if (gcks_entitled(sa->peer, &e->gcks->ring[i].r) &&
		    e->gcks->ring[i].r.gen[EESP_GEN_CURRENT].present) {
			ike_gcks_put_ring(&mb->b, e->conf->eesp_protocol, e->conf->gcks.domain, w,
					  &e->gcks->ring[i].r);
			n++;
		}
	ike_build_end(&mb->b, off);
	eesp_wipe(w, sizeof(w));
	return n;
}

static void refuse(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m, uint16_t type,
		   const char *why)
{
	char who[160], nb[40];
	struct msgbuild mb;
	refusal(e, CNT_GSA_REFUSED, "%s: registration refused with %s: %s",
		sa_who(sa, who, sizeof(who)), notify_name(type, nb, sizeof(nb)), why);
	msg_begin(sa, &mb, IKE_EXCH_GSA_REGISTRATION, true, m->hdr.msg_id);
	ike_put_notify(&mb.b, 0, NULL, 0, type, NULL, 0);
	msg_respond(e, sa, &mb, m);
}

void gcks_rekeyed(struct iked_engine *e, struct ike_sa *sa)
{
	struct peer_state *ps = state_of(e, sa);
	/* a push outstanding on the replaced SA is lost with it: again here */
	if (e->gcks && ps && sa->peer->member.on && ps->gk.registered && !ps->gk.removed &&
	    (ps->gk.pending || ps->gk.acked < ps->gk.sent)) {
		ps->gk.pending = true;
		sa->want |= WANT_GSA_PUSH;
	}
}

void gcks_register_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		      const struct ike_chain *in)
{
	const struct ike_payload *idg = ike_chain_find(in, IKE_PT_IDG, 0);
	struct peer_state *ps = state_of(e, sa);
	char who[160];
	uint32_t dom = 0;
	if (sa->state != SA_ESTABLISHED || !ps) {
		refuse(e, sa, m, IKE_N_INVALID_SYNTAX, "the IKE SA is not established");
		return;
	}
	if (!e->gcks || !sa->peer->member.on) {
		refuse(e, sa, m, IKE_N_AUTHORIZATION_FAILED,
		       e->gcks ? "the peer has no member group" : "we are no key server");
		return;
	}
	if (ps->gk.removed) {
		refuse(e, sa, m, IKE_N_AUTHORIZATION_FAILED, "the member was removed");
		return;
	}
	if (e->gcks->unsaved) {
		refuse(e, sa, m, IKE_N_TEMPORARY_FAILURE, "the key server cannot write its state");
		return;
	}
	if (!idg || ike_gcks_idg_parse(idg, &dom)) {
		refuse(e, sa, m, IKE_N_INVALID_SYNTAX, "no IDg of KEY_ID with a domain id");
		return;
	}
	if (dom != e->conf->gcks.domain) {
		refuse(e, sa, m, IKE_N_INVALID_GROUP_ID, "not the domain we serve");
		return;
	}
	struct msgbuild mb;
	msg_begin(sa, &mb, IKE_EXCH_GSA_REGISTRATION, true, m->hdr.msg_id);
	unsigned n = put_rings(e, sa, &mb);
	if (!n) {
		eesp_wipe(&mb, sizeof(mb));
		refuse(e, sa, m, IKE_N_AUTHORIZATION_FAILED,
		       "the identity may receive no ring of this domain");
		return;
	}
	if (msg_respond(e, sa, &mb, m) == 0) {
		ps->gk.registered = true;
		ps->gk.sent = ps->gk.acked = e->gcks->serial;
		ps->gk.pending = false;
		cnt(e, CNT_GSA_REGISTERED);
		log_info("%s: member registered for domain 0x%08x: %u ring(s), serial %" PRIu64,
			 sa_who(sa, who, sizeof(who)), dom, n, e->gcks->serial);
	}
	eesp_wipe(&mb, sizeof(mb));
}

int gcks_push_start(struct iked_engine *e, struct ike_sa *sa)
{
	struct peer_state *ps = state_of(e, sa);
	struct msgbuild mb;
	int rc;
	if (!e->gcks || !ps || !ps->gk.registered || !ps->gk.pending)
		return 0;
	msg_begin_request(sa, &mb, IKE_EXCH_GSA_INBAND_REKEY);
	put_rings(e, sa, &mb);
	ps->gk.pending = false;
	ps->gk.sent = e->gcks->serial;
	rc = msg_request(e, sa, &mb, X_GSA_PUSH);
	eesp_wipe(&mb, sizeof(mb));
	if (rc == 0)
		cnt(e, CNT_GSA_PUSHED);
	else
		cnt(e, CNT_GSA_PUSH_FAILED);
	return rc;
}

void gcks_push_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in)
{
	struct peer_state *ps = state_of(e, sa);
	uint16_t err = first_error_notify(in);
	char who[160], nb[40];
	if (!ps)
		return;
	if (err) {
		cnt(e, CNT_GSA_PUSH_FAILED);
		refusal(e, 0, "%s: the member refused our push with %s",
			sa_who(sa, who, sizeof(who)), notify_name(err, nb, sizeof(nb)));
		return;
	}
	ps->gk.acked = ps->gk.sent;
	/* a switch waiting for this answer may go now */
	gcks_timers(e);
}

/* each peer's newest established IKE SA, in one pass over the table (a
 * search per member would make a push to N members cost N^2) */
static struct ike_sa **member_sas(struct iked_engine *e)
{
	struct ike_sa **by = calloc(e->conf->n_peers + 1, sizeof(*by)), *sa;
	for (unsigned i = 0; by && (sa = sa_next(&e->sas, &i));)
		if (sa->peer && sa->state == SA_ESTABLISHED &&
		    (!by[sa->peer_idx] || sa->serial > by[sa->peer_idx]->serial))
			by[sa->peer_idx] = sa;
	return by;
}

void gcks_ring_changed(struct iked_engine *e, unsigned idx)
{
	struct ike_sa **by = member_sas(e);
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		const struct iked_peer *pe = &e->conf->peers[i];
		struct peer_state *ps = &e->peers[i];
		struct ike_sa *sa;
		if (!ps->gk.registered || ps->gk.removed ||
		    !gcks_entitled(pe, &e->gcks->ring[idx].r))
			continue;
		ps->gk.pending = true;
		sa = by ? by[i] : member_sa(e, i);
		if (sa) {
			sa->want |= WANT_GSA_PUSH;
			sa_kick(e, sa);
		}
	}
	free(by);
}

bool gcks_ring_acked(const struct iked_engine *e, unsigned idx, uint64_t serial)
{
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		const struct peer_state *ps = &e->peers[i];
		if (ps->gk.registered && !ps->gk.removed &&
		    gcks_entitled(&e->conf->peers[i], &e->gcks->ring[idx].r) &&
		    ps->gk.acked < serial)
			return false;
	}
	return true;
}
