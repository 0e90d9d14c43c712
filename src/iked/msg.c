// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * msg.c - building, sealing, sending and retransmitting messages
 * (engine_int.h): our requests are kept until answered and sent again
 * with an exponential back-off; our last response is cached with the
 * request it answered.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "ike_sk.h"
#include "log.h"

/* the back-off doubles the wait up to this many times the first one */
#define BACKOFF_CAP 16

void msg_begin(const struct ike_sa *sa, struct msgbuild *m, uint8_t exch, bool response,
	       uint32_t mid)
{
	struct ike_hdr h = {
	    .exch_type = exch,
	    .flags = (uint8_t)((sa->initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0)),
	    .msg_id = mid,
	};
	memcpy(h.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(h.spi_r, sa->spi_r, IKE_SPI_LEN);
	ike_build_init(&m->b, m->buf, sizeof(m->buf), &h);
	m->sk = ike_sk_begin(&m->b);
}

void msg_begin_request(const struct ike_sa *sa, struct msgbuild *m, uint8_t exch)
{
	msg_begin(sa, m, exch, false, sa->my_mid);
}

void msg_send(struct iked_engine *e, const struct iked_addr *local, const struct iked_addr *remote,
	      const uint8_t *buf, size_t len)
{
	if (e->io.send(e->io.arg, local, remote, buf, len))
		cnt(e, CNT_SEND_ERRORS);
	else
		cnt(e, CNT_TX_MESSAGES);
}

int64_t msg_first_timeout(struct iked_engine *e)
{
	return now_ms(e) + e->conf->retransmit_timeout;
}

static int seal(struct iked_engine *e, struct ike_sa *sa, struct msgbuild *m, uint8_t **out,
		size_t *len)
{
	int rc = ike_sk_seal(&m->b, m->sk, &sa->tx, &sa->iv, len);
	if (rc) {
		char who[160];
		log_err("%s: cannot seal a message: %s", sa_who(sa, who, sizeof(who)),
			ike_err_name(rc));
		cnt(e, CNT_CRYPTO_FAILED);
		return -1;
	}
	*out = malloc(*len);
	if (!*out) {
		cnt(e, CNT_NO_MEMORY);
		return -1;
	}
	memcpy(*out, m->buf, *len);
	return 0;
}

int msg_request(struct iked_engine *e, struct ike_sa *sa, struct msgbuild *m, enum xkind kind)
{
	uint8_t *msg;
	size_t len;
	if (sa->req_busy || seal(e, sa, m, &msg, &len))
		return -1;
	sa_request_clear(sa);
	sa->req = (struct sa_request){.kind = kind,
				      .mid = sa->my_mid,
				      .msg = msg,
				      .len = len,
				      .next_ms = msg_first_timeout(e)};
	sa->req_busy = true;
	sa->my_mid++;
	msg_send(e, &sa->local, &sa->remote, msg, len);
	return 0;
}

int msg_respond(struct iked_engine *e, struct ike_sa *sa, struct msgbuild *m,
		const struct ike_msg *req)
{
	uint8_t *msg, *copy;
	size_t len;
	if (seal(e, sa, m, &msg, &len))
		return -1;
	copy = malloc(req->len);
	if (!copy) {
		free(msg);
		cnt(e, CNT_NO_MEMORY);
		return -1;
	}
	memcpy(copy, req->raw, req->len);
	sa_response_clear(sa);
	sa->resp = (struct sa_response){.valid = true,
					.mid = req->hdr.msg_id,
					.msg = msg,
					.len = len,
					.req = copy,
					.req_len = req->len};
	sa->peer_mid = req->hdr.msg_id + 1;
	msg_send(e, &sa->local, &sa->remote, msg, len);
	return 0;
}

bool msg_retransmit(struct iked_engine *e, struct ike_sa *sa)
{
	uint64_t wait = e->conf->retransmit_timeout;
	if (!sa->req_busy || sa->req.tries >= e->conf->retransmit_tries)
		return false;
	/* a notice that our peer failed to authenticate: once more at most */
	if (sa->req.kind == X_AUTH_FAILED && sa->req.tries >= 1)
		return false;
	sa->req.tries++;
	for (unsigned i = 0;
	     i < sa->req.tries && wait < (uint64_t)BACKOFF_CAP * e->conf->retransmit_timeout; i++)
		wait *= 2;
	if (wait > (uint64_t)BACKOFF_CAP * e->conf->retransmit_timeout)
		wait = (uint64_t)BACKOFF_CAP * e->conf->retransmit_timeout;
	sa->req.next_ms = now_ms(e) + (int64_t)wait;
	cnt(e, CNT_TX_RETRANSMITS);
	log_debug("IKE SA #%llu: %s (MID %u) sent again (%u of %u)", (unsigned long long)sa->serial,
		  xkind_name(sa->req.kind), sa->req.mid, sa->req.tries, e->conf->retransmit_tries);
	msg_send(e, &sa->local, &sa->remote, sa->req.msg, sa->req.len);
	return true;
}
