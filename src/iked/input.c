// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * input.c - a received datagram: framing, the SA it belongs to, the
 * message-ID window (RFC 7296 §2.2: window 1, a repeated request answered
 * from the cache, everything else outside the window dropped), the SK
 * payload, then the exchange's handler.  Every datagram that goes no
 * further is counted under one drop counter (counters.h) and logged
 * (rate-limited).
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "ike_sk.h"
#include "log.h"
#include "secmem.h"

static const struct {
	uint16_t type;
	const char *name;
} notify_names[] = {
    {IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD, "UNSUPPORTED_CRITICAL_PAYLOAD"},
    {IKE_N_INVALID_IKE_SPI, "INVALID_IKE_SPI"},
    {IKE_N_INVALID_MAJOR_VERSION, "INVALID_MAJOR_VERSION"},
    {IKE_N_INVALID_SYNTAX, "INVALID_SYNTAX"},
    {IKE_N_INVALID_MESSAGE_ID, "INVALID_MESSAGE_ID"},
    {IKE_N_INVALID_SPI, "INVALID_SPI"},
    {IKE_N_NO_PROPOSAL_CHOSEN, "NO_PROPOSAL_CHOSEN"},
    {IKE_N_INVALID_KE_PAYLOAD, "INVALID_KE_PAYLOAD"},
    {IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED"},
    {IKE_N_SINGLE_PAIR_REQUIRED, "SINGLE_PAIR_REQUIRED"},
    {IKE_N_NO_ADDITIONAL_SAS, "NO_ADDITIONAL_SAS"},
    {IKE_N_INTERNAL_ADDRESS_FAILURE, "INTERNAL_ADDRESS_FAILURE"},
    {IKE_N_FAILED_CP_REQUIRED, "FAILED_CP_REQUIRED"},
    {IKE_N_TS_UNACCEPTABLE, "TS_UNACCEPTABLE"},
    {IKE_N_INVALID_SELECTORS, "INVALID_SELECTORS"},
    {IKE_N_TEMPORARY_FAILURE, "TEMPORARY_FAILURE"},
    {IKE_N_CHILD_SA_NOT_FOUND, "CHILD_SA_NOT_FOUND"},
    {IKE_N_INITIAL_CONTACT, "INITIAL_CONTACT"},
    {IKE_N_COOKIE, "COOKIE"},
    {IKE_N_REKEY_SA, "REKEY_SA"},
    {IKE_N_CHILDLESS_IKEV2_SUPPORTED, "CHILDLESS_IKEV2_SUPPORTED"},
};

const char *notify_name(uint16_t type, char *buf, size_t cap)
{
	for (size_t i = 0; i < sizeof(notify_names) / sizeof(notify_names[0]); i++)
		if (notify_names[i].type == type)
			return notify_names[i].name;
	snprintf(buf, cap, "notify %u", type);
	return buf;
}

const struct ike_payload *find_notify(const struct ike_chain *c, uint16_t type,
				      struct ike_notify *out)
{
	for (unsigned i = 0; i < c->n; i++) {
		struct ike_notify n;
		if (c->pl[i].type != IKE_PT_NOTIFY || ike_notify_parse(&c->pl[i], &n) ||
		    n.type != type)
			continue;
		if (out)
			*out = n;
		return &c->pl[i];
	}
	return NULL;
}

uint16_t first_error_notify(const struct ike_chain *c)
{
	for (unsigned i = 0; i < c->n; i++) {
		struct ike_notify n;
		if (c->pl[i].type == IKE_PT_NOTIFY && !ike_notify_parse(&c->pl[i], &n) && n.type &&
		    n.type <= IKE_N_ERROR_MAX)
			return n.type;
	}
	return 0;
}

/* IKE_SA_INIT: requests make (or find) half-open SAs, responses go to ours */
static void init_in(struct iked_engine *e, const struct iked_addr *local,
		    const struct iked_addr *remote, const struct ike_msg *m)
{
	static const uint8_t zero[IKE_SPI_LEN];
	char who[80];
	struct ike_sa *sa;
	iked_addr_format(&remote->ss, who, sizeof(who));
	if (!(m->hdr.flags & IKE_FLAG_R)) {
		if (!(m->hdr.flags & IKE_FLAG_I) || m->hdr.msg_id != 0 ||
		    memcmp(m->hdr.spi_r, zero, IKE_SPI_LEN)) {
			drop(e, CNT_BAD_EXCHANGE,
			     "IKE_SA_INIT request from %s with flags 0x%02x, MID %u or a "
			     "responder SPI: dropped",
			     who, m->hdr.flags, m->hdr.msg_id);
			return;
		}
		init_request_in(e, local, remote, m);
		return;
	}
	if ((m->hdr.flags & IKE_FLAG_I) || m->hdr.msg_id != 0) {
		drop(e, CNT_BAD_EXCHANGE,
		     "IKE_SA_INIT response from %s with flags 0x%02x "
		     "or MID %u: dropped",
		     who, m->hdr.flags, m->hdr.msg_id);
		return;
	}
	sa = sa_find(&e->sas, m->hdr.spi_i);
	if (!sa || !sa->initiator || sa->state == SA_DEAD) {
		drop(e, CNT_UNKNOWN_SPI,
		     "IKE_SA_INIT response from %s for an SPI we do not "
		     "have: dropped",
		     who);
		return;
	}
	if (!iked_addr_equal(&sa->remote.ss, &remote->ss)) {
		drop(e, CNT_WRONG_SOURCE,
		     "IKE_SA_INIT response for IKE SA #%llu from %s, "
		     "not its peer: dropped",
		     (unsigned long long)sa->serial, who);
		return;
	}
	if (sa->state != SA_INIT_I || !sa->req_busy || sa->req.kind != X_INIT) {
		drop(e, CNT_UNEXPECTED_RESPONSE,
		     "IKE_SA_INIT response from %s for IKE SA #%llu, which is %s: dropped", who,
		     (unsigned long long)sa->serial, sa_state_name(sa->state));
		return;
	}
	sa->local = *local; /* the address it reached us at, not a wildcard */
	init_response_in(e, sa, m);
}

/* the SA of a protected message, or NULL (counted) */
static struct ike_sa *protected_sa(struct iked_engine *e, const struct iked_addr *remote,
				   const struct ike_msg *m)
{
	bool from_initiator = m->hdr.flags & IKE_FLAG_I;
	const uint8_t *ours = from_initiator ? m->hdr.spi_r : m->hdr.spi_i;
	const uint8_t *theirs = from_initiator ? m->hdr.spi_i : m->hdr.spi_r;
	struct ike_sa *sa = sa_find(&e->sas, ours);
	char who[80];
	iked_addr_format(&remote->ss, who, sizeof(who));
	if (!sa || sa->state == SA_DEAD || sa->initiator == from_initiator ||
	    memcmp(from_initiator ? sa->spi_i : sa->spi_r, theirs, IKE_SPI_LEN)) {
		drop(e, CNT_UNKNOWN_SPI,
		     "message (exchange %u) from %s for SPIs no SA of ours "
		     "has: dropped",
		     m->hdr.exch_type, who);
		return NULL;
	}
	if (!iked_addr_equal(&sa->remote.ss, &remote->ss)) {
		drop(e, CNT_WRONG_SOURCE, "message for IKE SA #%llu from %s, not its peer: dropped",
		     (unsigned long long)sa->serial, who);
		return NULL;
	}
	if (m->sk < 0) {
		drop(e, IKE_E_NO_SK, "unprotected message (exchange %u) from %s: dropped",
		     m->hdr.exch_type, who);
		return NULL;
	}
	return sa;
}

/* decrypt into pt; false (counted) when it does not open */
static bool open_sk(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m, uint8_t *pt,
		    size_t cap, struct ike_chain *in)
{
	char who[160];
	int rc;
	if (!sa->ciphers) {
		drop(e, CNT_BAD_STATE, "%s: protected message before the keys: dropped",
		     sa_who(sa, who, sizeof(who)));
		return false;
	}
	rc = ike_sk_open(&sa->rx, m, pt, cap, in);
	if (rc == IKE_E_ICV)
		drop(e, CNT_UNAUTHENTICATED,
		     "%s: message (MID %u) fails its integrity check: dropped",
		     sa_who(sa, who, sizeof(who)), m->hdr.msg_id);
	else if (rc)
		drop(e, (unsigned)rc, "%s: SK payload of MID %u refused (%s): dropped",
		     sa_who(sa, who, sizeof(who)), m->hdr.msg_id, ike_err_name(rc));
	return rc == 0;
}

/* a request whose MID we answered last: answer it again, if it is one */
static void repeated_request(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t pt[IKE_MSG_MAX];
	struct ike_chain in;
	bool same = sa->resp.req_len == m->len && !memcmp(sa->resp.req, m->raw, m->len);
	/* a peer may encrypt its retransmission anew: then it must open */
	if (!same) {
		if (!open_sk(e, sa, m, pt, sizeof(pt), &in))
			return;
		eesp_wipe(pt, sizeof(pt));
	}
	cnt(e, CNT_RX_RETRANSMITS);
	msg_send(e, &sa->local, &sa->remote, sa->resp.msg, sa->resp.len);
}

static void request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t pt[IKE_MSG_MAX];
	struct ike_chain in;
	uint32_t mid = m->hdr.msg_id;
	char who[160];
	if (sa->resp.valid && mid == sa->resp.mid) {
		repeated_request(e, sa, m);
		return;
	}
	if (mid != sa->peer_mid) {
		drop(e, mid < sa->peer_mid ? CNT_REPLAYED : CNT_FUTURE_MID,
		     "%s: request with MID %u, expected %u: dropped", sa_who(sa, who, sizeof(who)),
		     mid, sa->peer_mid);
		return;
	}
	if (sa->state == SA_CLOSED) {
		drop(e, CNT_BAD_STATE, "%s: request for a closed IKE SA: dropped",
		     sa_who(sa, who, sizeof(who)));
		return;
	}
	if (!open_sk(e, sa, m, pt, sizeof(pt), &in))
		return;
	cnt(e, CNT_RX_MESSAGES);
	sa->last_rx_ms = now_ms(e);
	switch (m->hdr.exch_type) {
	case IKE_EXCH_AUTH:
		auth_request_in(e, sa, m, &in);
		break;
	case IKE_EXCH_INFORMATIONAL:
		info_request_in(e, sa, m, &in);
		break;
	case IKE_EXCH_CREATE_CHILD_SA:
		ccsa_request_in(e, sa, m, &in);
		break;
	}
	eesp_wipe(pt, sizeof(pt));
	sa_kick(e, sa);
}

static uint8_t exchange_of(enum xkind k)
{
	switch (k) {
	case X_INIT:
		return IKE_EXCH_SA_INIT;
	case X_AUTH:
		return IKE_EXCH_AUTH;
	case X_REKEY_IKE:
	case X_CHILD:
		return IKE_EXCH_CREATE_CHILD_SA;
	default:
		return IKE_EXCH_INFORMATIONAL;
	}
}

static void response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m)
{
	uint8_t pt[IKE_MSG_MAX];
	struct ike_chain in;
	uint32_t mid = m->hdr.msg_id;
	char who[160];
	enum xkind kind;
	if (!sa->req_busy || mid != sa->req.mid) {
		drop(e, mid < sa->my_mid ? CNT_REPLAYED : CNT_UNEXPECTED_RESPONSE,
		     "%s: response with MID %u, %s: dropped", sa_who(sa, who, sizeof(who)), mid,
		     sa->req_busy ? "another is outstanding" : "nothing outstanding");
		return;
	}
	if (m->hdr.exch_type != exchange_of(sa->req.kind)) {
		drop(e, CNT_BAD_EXCHANGE, "%s: response of exchange %u to a %s: dropped",
		     sa_who(sa, who, sizeof(who)), m->hdr.exch_type, xkind_name(sa->req.kind));
		return;
	}
	if (!open_sk(e, sa, m, pt, sizeof(pt), &in))
		return; /* keep waiting: the real answer may still come */
	cnt(e, CNT_RX_MESSAGES);
	sa->last_rx_ms = now_ms(e);
	kind = sa->req.kind;
	sa_request_clear(sa);
	switch (kind) {
	case X_AUTH:
		auth_response_in(e, sa, &in);
		break;
	case X_REKEY_IKE:
	case X_CHILD:
		ccsa_response_in(e, sa, kind, &in);
		break;
	default:
		info_response_in(e, sa, kind, &in);
		break;
	}
	eesp_wipe(pt, sizeof(pt));
	sa_kick(e, sa);
}

void engine_input(struct iked_engine *e, const struct iked_addr *local,
		  const struct iked_addr *remote, const uint8_t *buf, size_t len)
{
	struct ike_msg m;
	char who[80];
	int rc;
	struct ike_sa *sa;

	cnt(e, CNT_RX_DATAGRAMS);
	iked_addr_format(&remote->ss, who, sizeof(who));
	if (len > IKE_MSG_MAX) {
		drop(e, IKE_E_OVERSIZE, "datagram of %zu octets from %s (at most %d): dropped", len,
		     who, IKE_MSG_MAX);
		return;
	}
	rc = ike_msg_parse(buf, len, &m);
	if (rc) {
		drop(e, (unsigned)rc, "datagram of %zu octets from %s refused (%s): dropped", len,
		     who, ike_err_name(rc));
		return;
	}
	if (m.hdr.exch_type == IKE_EXCH_SA_INIT) {
		init_in(e, local, remote, &m);
		return;
	}
	if (m.hdr.exch_type != IKE_EXCH_AUTH && m.hdr.exch_type != IKE_EXCH_CREATE_CHILD_SA &&
	    m.hdr.exch_type != IKE_EXCH_INFORMATIONAL) {
		drop(e, CNT_BAD_EXCHANGE, "message of exchange type %u from %s: dropped",
		     m.hdr.exch_type, who);
		return;
	}
	sa = protected_sa(e, remote, &m);
	if (!sa)
		return;
	if (m.hdr.flags & IKE_FLAG_R)
		response_in(e, sa, &m);
	else
		request_in(e, sa, &m);
}
