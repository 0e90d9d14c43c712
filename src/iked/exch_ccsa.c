// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exch_ccsa.c - CREATE_CHILD_SA (RFC 7296 §1.3): rekeying the IKE SA
 * (§1.3.2, §2.18) as initiator and as responder; requests for child SAs
 * are refused with NO_PROPOSAL_CHOSEN for now, leaving the IKE SA as it
 * was (child_request_in: where key download, the next part, comes in).
 *
 * Rekey: SK{SA(new SPIi), Ni, KEi} -> SK{SA(new SPIr), Nr, KEr}; the new
 * SA's SKEYSEED = prf(SK_d old, g^ir new | Ni | Nr), its keys as for any
 * IKE SA with the new SPIs; whoever started the rekey is the new SA's
 * initiator and deletes the old SA.  A rekey request while our own is
 * outstanding or while the SA is going is answered TEMPORARY_FAILURE
 * (RFC 7296 §2.25), the initiator retries after a random delay; rekey
 * times carry a random tenth of jitter so that collisions are rare.
 */
#include <string.h>

#include "engine_int.h"
#include "ike_dh.h"
#include "kd.h"
#include "log.h"
#include "secmem.h"

#define NONCE_LEN 32
#define MAX_KE_TRIES 2

static void rekey_abort(struct ike_sa *sa)
{
	ike_dh_free(&sa->rekey.dh);
	eesp_wipe(&sa->rekey, sizeof(sa->rekey));
}

/* try again between 1 and 5 s from now (rekey collision, refusals) */
static void rekey_later(struct iked_engine *e, struct ike_sa *sa)
{
	uint32_t r = 0;
	e->io.random(e->io.arg, (uint8_t *)&r, sizeof(r));
	sa->rekey_at_ms = now_ms(e) + 1000 + (int64_t)(r % 4000);
}

static int send_rekey(struct iked_engine *e, struct ike_sa *sa)
{
	struct sa_rekey *r = &sa->rekey;
	struct ike_proposal props[IKED_MAX_PROPOSALS];
	unsigned n = our_proposals(sa->peer, &r->suite, r->spi, IKE_SPI_LEN, props);
	uint8_t pub[IKE_DH_PUB_MAX];
	struct msgbuild mb;
	size_t pl;
	if (ike_dh_public(&r->dh, pub, sizeof(pub), &pl))
		return -1;
	msg_begin_request(sa, &mb, IKE_EXCH_CREATE_CHILD_SA);
	ike_put_sa(&mb.b, props, n);
	ike_put_nonce(&mb.b, r->nonce, NONCE_LEN);
	ike_put_ke(&mb.b, r->dh.group, pub, pl);
	return msg_request(e, sa, &mb, X_REKEY_IKE);
}

int rekey_start(struct iked_engine *e, struct ike_sa *sa)
{
	struct sa_rekey *r = &sa->rekey;
	char who[160];
	if (sa->state != SA_ESTABLISHED || sa->req_busy)
		return -1;
	rekey_abort(sa);
	r->suite = sa->suite;
	if (make_spi(e, r->spi) || make_nonce(e, r->nonce, NONCE_LEN) ||
	    ike_dh_generate(&r->dh, r->suite.ke) || send_rekey(e, sa)) {
		rekey_abort(sa);
		cnt(e, CNT_CRYPTO_FAILED);
		rekey_later(e, sa);
		return -1;
	}
	r->active = true;
	log_info("%s: rekeying (rekey_time %u s)", sa_who(sa, who, sizeof(who)),
		 e->conf->rekey_time);
	return 0;
}

/* the new SA of a rekey: SPIs, nonces, keys from the old SA's SK_d */
static struct ike_sa *rekeyed_sa(struct iked_engine *e, struct ike_sa *old, bool initiator,
				 const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
				 const struct ike_suite *suite, const uint8_t *ni, size_t ni_len,
				 const uint8_t *nr, size_t nr_len, struct ike_dh *dh,
				 const struct ike_ke *ke)
{
	uint8_t gir[IKE_DH_SECRET_MAX], seed[IKE_PRF_MAX];
	struct ike_sa *sa = sa_new(&e->sas, initiator ? spi_i : spi_r, initiator);
	size_t gl;
	int rc;
	if (!sa) {
		cnt(e, CNT_NO_MEMORY);
		return NULL;
	}
	memcpy(sa->spi_i, spi_i, IKE_SPI_LEN);
	memcpy(sa->spi_r, spi_r, IKE_SPI_LEN);
	sa->local = old->local;
	sa->remote = old->remote;
	sa_set_peer(e, sa, old->peer);
	sa->created_ms = now_ms(e);
	sa->suite = *suite;
	memcpy(sa->ni, ni, ni_len);
	memcpy(sa->nr, nr, nr_len);
	sa->ni_len = ni_len;
	sa->nr_len = nr_len;
	rc = ike_dh_shared(dh, ke->data, ke->len, gir, sizeof(gir), &gl);
	if (!rc)
		rc = ike_skeyseed_rekey(old->suite.prf, old->keys->d, old->keys->prf_len, gir, gl,
					ni, ni_len, nr, nr_len, seed);
	eesp_wipe(gir, sizeof(gir));
	if (rc || sa_install_keys(e, sa, seed)) {
		eesp_wipe(seed, sizeof(seed));
		if (rc)
			drop(e, rc == IKE_E_BAD_PUBLIC ? IKE_E_BAD_PUBLIC : CNT_CRYPTO_FAILED,
			     "IKE SA #%llu: rekey key exchange failed (%s)",
			     (unsigned long long)old->serial, ike_err_name(rc));
		sa_set_state(&e->sas, sa, SA_DEAD);
		return NULL;
	}
	eesp_wipe(seed, sizeof(seed));
	/* children move with the IKE SA (key download, the next part) */
	sa->children = old->children;
	sa->n_children = old->n_children;
	old->children = NULL;
	old->n_children = 0;
	sa_established(e, sa, old);
	return sa;
}

/* responder: a request with a simple error notify as its answer */
static void respond_notify(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			   uint16_t type, const uint8_t *data, size_t len)
{
	struct msgbuild mb;
	msg_begin(sa, &mb, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id);
	ike_put_notify(&mb.b, 0, NULL, 0, type, data, len);
	msg_respond(e, sa, &mb, m);
}

/* a CREATE_CHILD_SA for a child SA: refused, the IKE SA stays */
static void child_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			     uint8_t proto)
{
	char who[160];
	refusal(e, CNT_CHILD_REFUSED,
		"%s: the peer asked for a child SA (protocol %u): refused with NO_PROPOSAL_CHOSEN, "
		"the IKE SA stays (eesp-iked makes PSP children only, with its Vendor ID)",
		sa_who(sa, who, sizeof(who)), proto);
	respond_notify(e, sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
}

struct rekey_req {
	struct ike_proposal props[8];
	unsigned n;
	struct ike_ke ke;
	const uint8_t *ni;
	size_t ni_len;
};

/* the SA payload of a request; false when missing or malformed (answered) */
static bool parse_sa(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in, struct rekey_req *r)
{
	const struct ike_payload *ps = ike_chain_find(in, IKE_PT_SA, 0);
	char who[160];
	int rc = !ps ? IKE_E_MALFORMED : ike_sa_parse(ps, r->props, 8, &r->n);
	if (!rc && r->n)
		return true;
	refusal(e, rc ? (unsigned)rc : IKE_E_MALFORMED,
		"%s: CREATE_CHILD_SA refused with INVALID_SYNTAX (%s)",
		sa_who(sa, who, sizeof(who)), rc ? ike_err_name(rc) : "no proposal");
	respond_notify(e, sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
	return false;
}

/* Ni and KE of a rekey request; false when malformed (answered) */
static bool parse_rekey(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_chain *in, struct rekey_req *r)
{
	const struct ike_payload *pn = ike_chain_find(in, IKE_PT_NONCE, 0);
	const struct ike_payload *pk = ike_chain_find(in, IKE_PT_KE, 0);
	char who[160];
	int rc = !pn || !pk ? IKE_E_MALFORMED : ike_nonce_parse(pn, &r->ni, &r->ni_len);
	if (!rc)
		rc = ike_ke_parse(pk, &r->ke);
	if (!rc)
		return true;
	refusal(e, (unsigned)rc, "%s: IKE SA rekey refused with INVALID_SYNTAX (%s)",
		sa_who(sa, who, sizeof(who)), ike_err_name(rc));
	respond_notify(e, sa, m, IKE_N_INVALID_SYNTAX, NULL, 0);
	return false;
}

static void rekey_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			     const struct rekey_req *r)
{
	struct ike_proposal ours[IKED_MAX_PROPOSALS];
	unsigned n = our_proposals(sa->peer, &sa->suite, NULL, 0, ours);
	uint8_t spi[IKE_SPI_LEN], nr[NONCE_LEN], pub[IKE_DH_PUB_MAX];
	struct ike_type_set known;
	struct ike_sa_choice c;
	struct ike_suite s;
	struct ike_dh dh = {0};
	struct msgbuild mb;
	struct ike_sa *nsa;
	char who[160];
	size_t pl;
	ike_type_set_standard(&known);
	if (ike_sa_select(ours, n, r->props, r->n, &known, &c) ||
	    ike_suite_from_proposal(&c.prop, &s) || c.prop.spi_size != IKE_SPI_LEN) {
		refusal(e, IKE_E_NO_PROPOSAL, "%s: IKE SA rekey refused with NO_PROPOSAL_CHOSEN",
			sa_who(sa, who, sizeof(who)));
		{
			respond_notify(e, sa, m, IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
			return;
		}
	}
	if (r->ke.group != s.ke) {
		uint8_t g[2] = {(uint8_t)(s.ke >> 8), (uint8_t)s.ke};
		refusal(e, CNT_INVALID_KE, "%s: IKE SA rekey answered INVALID_KE_PAYLOAD",
			sa_who(sa, who, sizeof(who)));
		{
			respond_notify(e, sa, m, IKE_N_INVALID_KE_PAYLOAD, g, sizeof(g));
			return;
		}
	}
	if (make_spi(e, spi) || make_nonce(e, nr, sizeof(nr)) || ike_dh_generate(&dh, s.ke) ||
	    ike_dh_public(&dh, pub, sizeof(pub), &pl)) {
		ike_dh_free(&dh);
		cnt(e, CNT_CRYPTO_FAILED);
		{
			respond_notify(e, sa, m, IKE_N_TEMPORARY_FAILURE, NULL, 0);
			return;
		}
	}
	nsa = rekeyed_sa(e, sa, false, c.prop.spi, spi, &s, r->ni, r->ni_len, nr, sizeof(nr), &dh,
			 &r->ke);
	ike_dh_free(&dh);
	if (!nsa) {
		respond_notify(e, sa, m, IKE_N_TEMPORARY_FAILURE, NULL, 0);
		return;
	}
	memcpy(c.prop.spi, spi, IKE_SPI_LEN);
	msg_begin(sa, &mb, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id);
	ike_put_sa(&mb.b, &c.prop, 1);
	ike_put_nonce(&mb.b, nr, sizeof(nr));
	ike_put_ke(&mb.b, s.ke, pub, pl);
	msg_respond(e, sa, &mb, m);
	eesp_wipe(nr, sizeof(nr));
	/* the old SA waits for the peer's Delete (and answers its requests) */
	sa_set_state(&e->sas, sa, SA_REKEYED);
	sa->want = 0;
	sa->deadline_ms = now_ms(e) + 10 * (int64_t)e->conf->retransmit_timeout + 10000;
}

void ccsa_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in)
{
	struct rekey_req r;
	char who[160];
	if (sa->state != SA_ESTABLISHED && sa->state != SA_REKEYED && sa->state != SA_DELETING) {
		drop(e, CNT_BAD_STATE, "%s: CREATE_CHILD_SA while %s: dropped",
		     sa_who(sa, who, sizeof(who)), sa_state_name(sa->state));
		return;
	}
	if (!parse_sa(e, sa, m, in, &r))
		return;
	/* a child (no KE): key download if it is PSP behind our Vendor ID,
	 * else refused; the IKE SA stays either way */
	if (r.props[0].proto != IKE_PROTO_IKE || find_notify(in, IKE_N_REKEY_SA, NULL)) {
		if ((r.props[0].proto == e->conf->psp_protocol ||
		     r.props[0].proto == e->conf->eesp_protocol) &&
		    ike_has_eesp_vid(in))
			kd_request_in(e, sa, m, in, r.props, r.n);
		else
			child_request_in(e, sa, m, r.props[0].proto);
		return;
	}
	if (!parse_rekey(e, sa, m, in, &r))
		return;
	if (sa->state != SA_ESTABLISHED || (sa->req_busy && sa->req.kind == X_REKEY_IKE)) {
		log_info("%s: the peer's rekey answered TEMPORARY_FAILURE (%s)",
			 sa_who(sa, who, sizeof(who)),
			 sa->state != SA_ESTABLISHED ? "the SA is going" : "our own rekey is on");
		{
			respond_notify(e, sa, m, IKE_N_TEMPORARY_FAILURE, NULL, 0);
			return;
		}
	}
	rekey_request_in(e, sa, m, &r);
}

/* our rekey was refused with an error notify: retry, or later */
static void rekey_refused(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in,
			  uint16_t err)
{
	struct sa_rekey *r = &sa->rekey;
	struct ike_notify n;
	char who[160], nb[32];
	if (err == IKE_N_INVALID_KE_PAYLOAD && find_notify(in, err, &n) && n.len == 2 &&
	    r->ke_tries < MAX_KE_TRIES) {
		uint16_t g = ike_get16(n.data);
		for (unsigned i = 0; i < sa->peer->n_proposals; i++)
			if (sa->peer->proposals[i].ke == g && g != r->dh.group) {
				r->suite = sa->peer->proposals[i];
				r->ke_tries++;
				cnt(e, CNT_INVALID_KE_RX);
				ike_dh_free(&r->dh);
				if (!ike_dh_generate(&r->dh, g) && !send_rekey(e, sa))
					return;
				break;
			}
	}
	if (err == IKE_N_TEMPORARY_FAILURE)
		log_info("%s: the peer answered our rekey with TEMPORARY_FAILURE: retrying soon",
			 sa_who(sa, who, sizeof(who)));
	else
		refusal(e, CNT_PEER_REFUSED,
			"%s: the peer refused our rekey with %s: retrying soon",
			sa_who(sa, who, sizeof(who)), notify_name(err, nb, sizeof(nb)));
	rekey_abort(sa);
	rekey_later(e, sa);
}

static void rekey_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in)
{
	struct sa_rekey *r = &sa->rekey;
	struct ike_proposal sent[IKED_MAX_PROPOSALS], reply[2];
	unsigned ns = our_proposals(sa->peer, &r->suite, r->spi, IKE_SPI_LEN, sent), nr = 0, idx;
	const struct ike_payload *ps = ike_chain_find(in, IKE_PT_SA, 0);
	const struct ike_payload *pn = ike_chain_find(in, IKE_PT_NONCE, 0);
	const struct ike_payload *pk = ike_chain_find(in, IKE_PT_KE, 0);
	uint16_t err = first_error_notify(in);
	const uint8_t *nonce;
	struct ike_suite s;
	struct ike_ke ke;
	size_t nl;
	char who[160];
	if (err) {
		rekey_refused(e, sa, in, err);
		return;
	}
	if (!ps || !pn || !pk || ike_sa_parse(ps, reply, 2, &nr) ||
	    ike_sa_check_reply(sent, ns, reply, nr, &idx) || reply[0].spi_size != IKE_SPI_LEN ||
	    ike_suite_from_proposal(&reply[0], &s) || ike_nonce_parse(pn, &nonce, &nl) ||
	    ike_ke_parse(pk, &ke) || ke.group != s.ke || ke.group != r->dh.group) {
		refusal(e, CNT_PEER_REFUSED, "%s: the peer's answer to our rekey is not acceptable",
			sa_who(sa, who, sizeof(who)));
		rekey_abort(sa);
		rekey_later(e, sa);
		return;
	}
	if (!rekeyed_sa(e, sa, true, r->spi, reply[0].spi, &s, r->nonce, NONCE_LEN, nonce, nl,
			&r->dh, &ke)) {
		rekey_abort(sa);
		rekey_later(e, sa);
		return;
	}
	rekey_abort(sa);
	/* we started it: the old SA is ours to delete */
	sa_set_state(&e->sas, sa, SA_REKEYED);
	sa->want = WANT_DELETE;
}

void ccsa_response_in(struct iked_engine *e, struct ike_sa *sa, enum xkind kind,
		      const struct ike_chain *in)
{
	if (kind == X_REKEY_IKE && sa->rekey.active)
		rekey_response_in(e, sa, in);
	else if (kind == X_CHILD)
		kd_response_in(e, sa, in);
}
