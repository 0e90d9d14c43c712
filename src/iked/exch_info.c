// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exch_info.c - INFORMATIONAL (RFC 7296 §1.4): an empty SK{} is a liveness
 * check (DPD) and gets an empty answer; SK{D(IKE)} deletes the IKE SA and
 * is answered before it goes; SK{N(AUTHENTICATION_FAILED)} is how an
 * initiator says that our IKE_AUTH response did not verify.  Deletes of
 * child SAs (protocols other than IKE) are answered with no D of ours:
 * there are no children yet (key download is the next part).
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "log.h"

int info_start(struct iked_engine *e, struct ike_sa *sa, enum xkind kind)
{
	struct msgbuild mb;
	msg_begin_request(sa, &mb, IKE_EXCH_INFORMATIONAL);
	if (kind == X_DELETE)
		ike_put_delete(&mb.b, IKE_PROTO_IKE, 0, NULL, 0);
	else if (kind == X_AUTH_FAILED)
		ike_put_notify(&mb.b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
	if (msg_request(e, sa, &mb, kind))
		return -1;
	if (kind == X_DPD)
		cnt(e, CNT_DPD_SENT);
	else if (sa->state != SA_REKEYED || kind != X_DELETE)
		sa_set_state(&e->sas, sa, SA_DELETING);
	return 0;
}

void info_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in)
{
	bool del = false, auth_failed = find_notify(in, IKE_N_AUTHENTICATION_FAILED, NULL);
	bool rekeyed = sa->state == SA_REKEYED;
	struct msgbuild mb;
	char who[160];
	if (sa->state != SA_ESTABLISHED && sa->state != SA_REKEYED && sa->state != SA_DELETING &&
	    !(auth_failed && sa->state == SA_INIT_R)) {
		drop(e, CNT_BAD_STATE, "%s: INFORMATIONAL while %s: dropped",
		     sa_who(sa, who, sizeof(who)), sa_state_name(sa->state));
		return;
	}
	for (unsigned i = 0; i < in->n; i++) {
		struct ike_delete d;
		if (in->pl[i].type == IKE_PT_DELETE && !ike_delete_parse(&in->pl[i], &d) &&
		    d.proto == IKE_PROTO_IKE)
			del = true;
	}
	msg_begin(sa, &mb, IKE_EXCH_INFORMATIONAL, true, m->hdr.msg_id);
	if (msg_respond(e, sa, &mb, m))
		return;
	if (auth_failed) {
		refusal(e, CNT_PEER_AUTH_FAILED,
			"%s: the peer says our IKE_AUTH response did not verify "
			"(AUTHENTICATION_FAILED): check the PSK and both identities",
			sa_who(sa, who, sizeof(who)));
		sa_close(e, sa, false, "the peer refused our authentication");
	} else if (del) {
		/* a key-download peer's SAs in eespd go with this IKE SA: when the
		 * peer deletes it (a clean restart sends Delete), an initiating
		 * side brings it back, or the tunnel stays down */
		bool again = !rekeyed && sa->peer && sa->peer->kd.on;
		sa_close(e, sa, again,
			 rekeyed ? "the peer deleted it after the rekey" : "deleted by the peer");
	} else {
		cnt(e, CNT_DPD_ANSWERED);
		log_debug("%s: INFORMATIONAL (MID %u) answered", sa_who(sa, who, sizeof(who)),
			  m->hdr.msg_id);
	}
}

void info_response_in(struct iked_engine *e, struct ike_sa *sa, enum xkind kind,
		      const struct ike_chain *in)
{
	char who[160];
	(void)in;
	switch (kind) {
	case X_DELETE:
		sa_close(e, sa, false,
			 sa->state == SA_REKEYED ? "deleted after the rekey"
						 : "deleted, the peer answered");
		break;
	case X_AUTH_FAILED:
		sa_close(e, sa, false, "the peer's authentication failed");
		break;
	default:
		log_debug("%s: liveness check answered", sa_who(sa, who, sizeof(who)));
		break;
	}
}
