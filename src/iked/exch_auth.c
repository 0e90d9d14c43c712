// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exch_auth.c - IKE_AUTH with a pre-shared key (RFC 7296 §1.2, §2.15),
 * childless (RFC 6023): the initiator sends SK{IDi [N(INITIAL_CONTACT)]
 * IDr AUTH} and no SA or traffic selectors; the responder checks IDi
 * against the peer's remote_id and AUTH with the peer's PSK, and answers
 * SK{IDr AUTH}, or SK{N(AUTHENTICATION_FAILED)}.  A request that asks for
 * a child SA (SA, TSi, TSr) still gets its IKE SA, with the child refused
 * by N(NO_PROPOSAL_CHOSEN): children come by CREATE_CHILD_SA only.
 *
 * AUTH values come from io->auth (the authenticating process): the
 * engine never sees a PSK.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "log.h"
#include "secmem.h"

/* IDx' of the AUTH computation: type | RESERVED(3) | data */
static size_t id_body(const struct iked_id *id, uint8_t *out)
{
	out[0] = id->type;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id->data, id->len);
	return 4 + (size_t)id->len;
}

static bool id_is(const struct ike_id *got, const struct iked_id *want)
{
	return got->type == want->type && got->len == want->len &&
	       !memcmp(got->data, want->data, want->len);
}

static void id_text(const struct ike_id *got, char *out, size_t cap)
{
	struct iked_id id = {.type = got->type,
			     .len = (uint8_t)(got->len > IKED_ID_MAX ? IKED_ID_MAX : got->len)};
	memcpy(id.data, got->data, id.len);
	iked_id_format(&id, out, cap);
}

/* AUTH of one side: signer's IKE_SA_INIT message, the other's nonce, SK_p */
static int compute_auth(struct iked_engine *e, struct ike_sa *sa, bool ours, const uint8_t *body,
			size_t body_len, uint8_t *out)
{
	bool signer_i = ours == sa->initiator;
	const uint8_t *msg = signer_i ? sa->init_i : sa->init_r;
	size_t msg_len = signer_i ? sa->init_i_len : sa->init_r_len;
	const uint8_t *nonce = signer_i ? sa->nr : sa->ni;
	size_t nonce_len = signer_i ? sa->nr_len : sa->ni_len;
	const uint8_t *skp = signer_i ? sa->keys->pi : sa->keys->pr;
	if (e->io.auth(e->io.arg, sa->peer_idx, sa->suite.prf, msg, msg_len, nonce, nonce_len, skp,
		       sa->keys->prf_len, body, body_len, out)) {
		cnt(e, CNT_CRYPTO_FAILED);
		return -1;
	}
	return 0;
}

int auth_start(struct iked_engine *e, struct ike_sa *sa)
{
	const struct iked_id *me = &e->conf->local_id, *them = &sa->peer->remote_id;
	uint8_t body[4 + IKED_ID_MAX], auth[IKE_PRF_MAX];
	struct msgbuild mb;
	size_t bl = id_body(me, body);
	struct ike_sa *o;
	bool other = false;
	int rc;
	if (compute_auth(e, sa, true, body, bl, auth))
		return -1;
	for (unsigned i = 0; (o = sa_next(&e->sas, &i));)
		if (o != sa && o->peer == sa->peer && o->state == SA_ESTABLISHED)
			other = true;
	msg_begin_request(sa, &mb, IKE_EXCH_AUTH);
	ike_put_id(&mb.b, IKE_PT_IDI, me->type, me->data, me->len);
	/* no other SA with the peer: it may forget whatever it had with us */
	if (!other)
		ike_put_notify(&mb.b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	ike_put_id(&mb.b, IKE_PT_IDR, them->type, them->data, them->len);
	ike_put_auth(&mb.b, IKE_AUTH_PSK, auth, sa->keys->prf_len);
	rc = msg_request(e, sa, &mb, X_AUTH);
	eesp_wipe(&mb, sizeof(mb));
	if (rc == 0)
		sa_set_state(&e->sas, sa, SA_AUTH_I);
	return rc;
}

/* the AUTH payload's value against what the PSK gives */
static bool auth_verifies(struct iked_engine *e, struct ike_sa *sa, const struct ike_auth *a,
			  const uint8_t *body, size_t body_len)
{
	uint8_t want[IKE_PRF_MAX];
	bool ok;
	if (a->method != IKE_AUTH_PSK || a->len != sa->keys->prf_len ||
	    compute_auth(e, sa, false, body, body_len, want))
		return false;
	ok = CRYPTO_memcmp(want, a->data, a->len) == 0;
	eesp_wipe(want, sizeof(want));
	return ok;
}

/* the other SAs of the peer, after its INITIAL_CONTACT (RFC 7296 §2.4) */
static void forget_others(struct iked_engine *e, struct ike_sa *sa)
{
	struct ike_sa *o;
	for (unsigned i = 0; (o = sa_next(&e->sas, &i));)
		if (o != sa && o->peer == sa->peer &&
		    (o->state == SA_ESTABLISHED || o->state == SA_REKEYED ||
		     o->state == SA_DELETING))
			sa_close(e, o, false,
				 "replaced: the peer's new IKE SA carried INITIAL_CONTACT");
}

static void respond_failed(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			   const char *why)
{
	struct msgbuild mb;
	char who[160], reason[600];
	snprintf(reason, sizeof(reason), "AUTHENTICATION_FAILED: %s", why);
	refusal(e, CNT_AUTH_FAILED, "%s: IKE_AUTH refused with %s", sa_who(sa, who, sizeof(who)),
		reason);
	msg_begin(sa, &mb, IKE_EXCH_AUTH, true, m->hdr.msg_id);
	ike_put_notify(&mb.b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
	msg_respond(e, sa, &mb, m);
	sa_close(e, sa, false, reason);
}

/* IDi, IDr and AUTH of a request; NULL when fine, else why not */
static const char *check_request(struct iked_engine *e, struct ike_sa *sa,
				 const struct ike_chain *in, struct ike_id *idi, struct ike_auth *a,
				 char *buf, size_t cap)
{
	const struct ike_payload *pi = ike_chain_find(in, IKE_PT_IDI, 0);
	const struct ike_payload *pr = ike_chain_find(in, IKE_PT_IDR, 0);
	const struct ike_payload *pa = ike_chain_find(in, IKE_PT_AUTH, 0);
	struct ike_id idr;
	char got[300], want[300];
	if (!pi || !pa || ike_id_parse(pi, idi) || ike_auth_parse(pa, a))
		return ike_chain_find(in, IKE_PT_EAP, 0) || !pa
			   ? "no AUTH payload (EAP and certificates are not supported)"
			   : "malformed IDi or AUTH payload";
	if (pr && !ike_id_parse(pr, &idr) && !id_is(&idr, &e->conf->local_id)) {
		id_text(&idr, got, sizeof(got));
		iked_id_format(&e->conf->local_id, want, sizeof(want));
		snprintf(buf, cap, "the peer asks for IDr %.150s, we are %.150s", got, want);
		return buf;
	}
	if (!id_is(idi, &sa->peer->remote_id)) {
		id_text(idi, got, sizeof(got));
		iked_id_format(&sa->peer->remote_id, want, sizeof(want));
		snprintf(buf, cap, "IDi %.150s is not the remote_id %.150s of peer %s", got, want,
			 sa->peer->name);
		return buf;
	}
	if (a->method != IKE_AUTH_PSK) {
		snprintf(buf, cap, "AUTH method %u (only 2, shared key, is supported)", a->method);
		return buf;
	}
	if (!auth_verifies(e, sa, a, idi->body, idi->body_len)) {
		snprintf(buf, cap, "AUTH does not verify with the PSK of %.200s",
			 sa->peer->psk_path);
		return buf;
	}
	return NULL;
}

void auth_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in)
{
	uint8_t body[4 + IKED_ID_MAX], auth[IKE_PRF_MAX];
	bool child = ike_chain_find(in, IKE_PT_SA, 0) || ike_chain_find(in, IKE_PT_TSI, 0);
	const struct iked_id *me = &e->conf->local_id;
	struct ike_id idi;
	struct ike_auth a;
	struct msgbuild mb;
	char who[160], buf[512];
	const char *why;
	if (sa->state != SA_INIT_R || m->hdr.msg_id != 1) {
		drop(e, CNT_BAD_STATE, "%s: IKE_AUTH request while %s: dropped",
		     sa_who(sa, who, sizeof(who)), sa_state_name(sa->state));
		return;
	}
	why = check_request(e, sa, in, &idi, &a, buf, sizeof(buf));
	if (why) {
		respond_failed(e, sa, m, why);
		return;
	}
	if (compute_auth(e, sa, true, body, id_body(me, body), auth)) {
		sa_close(e, sa, false, "cannot compute our AUTH");
		return;
	}
	sa->initial_contact = find_notify(in, IKE_N_INITIAL_CONTACT, NULL) != NULL;
	msg_begin(sa, &mb, IKE_EXCH_AUTH, true, m->hdr.msg_id);
	ike_put_id(&mb.b, IKE_PT_IDR, me->type, me->data, me->len);
	ike_put_auth(&mb.b, IKE_AUTH_PSK, auth, sa->keys->prf_len);
	if (child)
		ike_put_notify(&mb.b, 0, NULL, 0, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
	if (msg_respond(e, sa, &mb, m)) {
		sa_close(e, sa, false, "cannot send the IKE_AUTH response");
		return;
	}
	if (sa->initial_contact)
		forget_others(e, sa);
	sa_established(e, sa, NULL);
	if (child)
		refusal(e, CNT_SA_IN_AUTH,
			"%s: the peer asked for a child SA in IKE_AUTH (SA payload): the child is "
			"refused with NO_PROPOSAL_CHOSEN, the IKE SA stays; eesp-iked makes "
			"childless IKE SAs (RFC 6023) and children by CREATE_CHILD_SA only",
			sa_who(sa, who, sizeof(who)));
}

void auth_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in)
{
	const struct ike_payload *pr = ike_chain_find(in, IKE_PT_IDR, 0);
	const struct ike_payload *pa = ike_chain_find(in, IKE_PT_AUTH, 0);
	uint16_t err = first_error_notify(in);
	char who[160], nb[32], why[512], got[300], want[300];
	struct ike_id idr;
	struct ike_auth a;
	if (err) {
		snprintf(why, sizeof(why), "the peer refused IKE_AUTH with %s%s",
			 notify_name(err, nb, sizeof(nb)),
			 err == IKE_N_AUTHENTICATION_FAILED ? " (check the PSK and both identities)"
							    : "");
		refusal(
		    e, err == IKE_N_AUTHENTICATION_FAILED ? CNT_PEER_AUTH_FAILED : CNT_PEER_REFUSED,
		    "%s: %s", sa_who(sa, who, sizeof(who)), why);
		sa_close(e, sa, false, why);
		return;
	}
	if (!pr || !pa || ike_id_parse(pr, &idr) || ike_auth_parse(pa, &a)) {
		snprintf(why, sizeof(why), "its IKE_AUTH response lacks IDr or AUTH");
	} else if (!id_is(&idr, &sa->peer->remote_id)) {
		id_text(&idr, got, sizeof(got));
		iked_id_format(&sa->peer->remote_id, want, sizeof(want));
		snprintf(why, sizeof(why), "IDr %.150s is not the remote_id %.150s of peer %s", got,
			 want, sa->peer->name);
	} else if (!auth_verifies(e, sa, &a, idr.body, idr.body_len)) {
		snprintf(why, sizeof(why), "its AUTH does not verify with the PSK of %.200s",
			 sa->peer->psk_path);
	} else {
		if (ike_chain_find(in, IKE_PT_SA, 0))
			log_warn("%s: the peer's IKE_AUTH response carries an SA payload we did "
				 "not ask for: ignored",
				 sa_who(sa, who, sizeof(who)));
		sa_established(e, sa, NULL);
		return;
	}
	refusal(e, CNT_AUTH_FAILED, "%s: AUTHENTICATION_FAILED: %s", sa_who(sa, who, sizeof(who)),
		why);
	/* RFC 7296 §2.21.2: the initiator says so in an INFORMATIONAL */
	if (info_start(e, sa, X_AUTH_FAILED))
		sa_close(e, sa, false, why);
}
