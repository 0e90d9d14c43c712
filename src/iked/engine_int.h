/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine_int.h - what the engine's files share: counting and logging,
 * the life of an SA, building and sending messages, and the handlers of
 * each exchange (one file per exchange: exch_init.c, exch_auth.c,
 * exch_info.c, exch_ccsa.c).
 */
#ifndef IKED_ENGINE_INT_H
#define IKED_ENGINE_INT_H

#include "engine.h"
#include "ike_sa.h"
#include "ike_wire.h"

/* ------------------------------------------------------------ engine.c */

static inline void cnt(struct iked_engine *e, unsigned c)
{
	e->cnt[c]++;
}
static inline int64_t now_ms(struct iked_engine *e)
{
	return e->io.now_ms(e->io.arg);
}

/* Count datagram drop c and log why (info level, rate-limited per counter). */
void drop(struct iked_engine *e, unsigned c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A refusal of ours or a peer's (warning level, rate-limited per counter c,
 * which is counted too unless it is 0). */
void refusal(struct iked_engine *e, unsigned c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "peer gw2 (198.51.100.2[500])" or "198.51.100.2[500]" for an SA. */
const char *sa_who(const struct ike_sa *sa, char *buf, size_t cap);

/* ------------------------------------------------------------ salife.c */

/* A new SA with a fresh SPI of ours, for peer (NULL: not known yet). */
struct ike_sa *sa_create(struct iked_engine *e, bool initiator, const struct iked_peer *peer,
			 const struct iked_addr *local, const struct iked_addr *remote);
/* Attach the SA to a configured peer. */
void sa_set_peer(struct iked_engine *e, struct ike_sa *sa, const struct iked_peer *peer);
/* Keys of an SA from SKEYSEED (RFC 7296 §2.14) and its two ciphers by role;
 * 0, or -1 (counted as crypto_failed). */
int sa_install_keys(struct iked_engine *e, struct ike_sa *sa, const uint8_t *skeyseed);
/* The SA is authenticated (or, with old, replaced old by a rekey):
 * timers, counters, the log line. */
void sa_established(struct iked_engine *e, struct ike_sa *sa, const struct ike_sa *old);
/* The SA is gone (why: for the log); it lingers to answer retransmitted
 * requests, then is freed.  Peers with `initiate` are brought up again
 * after a loss by timeout (lost = true). */
void sa_close(struct iked_engine *e, struct ike_sa *sa, bool lost, const char *why);
/* The timers of one SA; returns the next time it needs a tick. */
int64_t sa_timers(struct iked_engine *e, struct ike_sa *sa);
/* Start the most urgent wanted exchange when the window is free. */
void sa_kick(struct iked_engine *e, struct ike_sa *sa);
/* The SA's closed SAs freed at once (room for new ones of the peer). */
void sa_reap_closed(struct iked_engine *e, unsigned peer_idx);
/* Random nonce of n octets; 0 or -1. */
int make_nonce(struct iked_engine *e, uint8_t *out, size_t n);
/* A fresh SPI no SA of ours has. */
int make_spi(struct iked_engine *e, uint8_t spi[IKE_SPI_LEN]);
/* Our proposals for a peer (IKE protocol; SPI spi[spi_len]), with the
 * suite `first` (NULL: none) at the front. */
unsigned our_proposals(const struct iked_peer *peer, const struct ike_suite *first,
		       const uint8_t *spi, uint8_t spi_len, struct ike_proposal *out);

/* --------------------------------------------------------------- msg.c */

/* A protected message being built: header, SK opened, inner payloads
 * appended with ike_put_*(&m->b, ...). */
struct msgbuild {
	struct ike_builder b;
	size_t sk;
	uint8_t buf[IKE_MSG_MAX];
};

void msg_begin(const struct ike_sa *sa, struct msgbuild *m, uint8_t exch, bool response,
	       uint32_t mid);
/* Seal and send as our next request (MID sa->my_mid, which msg_begin must
 * have been given), kept for retransmission; 0 or -1. */
int msg_request(struct iked_engine *e, struct ike_sa *sa, struct msgbuild *m, enum xkind kind);
/* Start an empty-or-not INFORMATIONAL/CREATE_CHILD_SA request: msg_begin
 * with our next MID. */
void msg_begin_request(const struct ike_sa *sa, struct msgbuild *m, uint8_t exch);
/* Seal and send as the response to the request req (raw bytes kept to
 * recognise its retransmission), cached; the peer's window moves. */
int msg_respond(struct iked_engine *e, struct ike_sa *sa, struct msgbuild *m,
		const struct ike_msg *req);
/* Send bytes as they are (IKE_SA_INIT, retransmissions). */
void msg_send(struct iked_engine *e, const struct iked_addr *local, const struct iked_addr *remote,
	      const uint8_t *buf, size_t len);
/* Our request again, with the back-off; false when the tries are spent. */
bool msg_retransmit(struct iked_engine *e, struct ike_sa *sa);
/* The first retransmission time of a request sent now. */
int64_t msg_first_timeout(struct iked_engine *e);

/* ------------------------------------------------------------- input.c */

/* The first notify of a type in a chain, or NULL. */
const struct ike_payload *find_notify(const struct ike_chain *c, uint16_t type,
				      struct ike_notify *out);
/* The first error notify (type < 16384) in a chain, or 0. */
uint16_t first_error_notify(const struct ike_chain *c);
const char *notify_name(uint16_t type, char *buf, size_t cap);

/* --------------------------------------------------------- exchanges */

/* exch_init.c */
void init_request_in(struct iked_engine *e, const struct iked_addr *local,
		     const struct iked_addr *remote, const struct ike_msg *m);
void init_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m);
int init_start(struct iked_engine *e, unsigned peer_idx, char *err, size_t err_len);

/* exch_auth.c */
int auth_start(struct iked_engine *e, struct ike_sa *sa);
void auth_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in);
void auth_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in);

/* exch_info.c */
int info_start(struct iked_engine *e, struct ike_sa *sa, enum xkind kind);
void info_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in);
void info_response_in(struct iked_engine *e, struct ike_sa *sa, enum xkind kind,
		      const struct ike_chain *in);

/* exch_ccsa.c: CREATE_CHILD_SA (the IKE SA rekey; children later) */
int rekey_start(struct iked_engine *e, struct ike_sa *sa);
void ccsa_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		     const struct ike_chain *in);
void ccsa_response_in(struct iked_engine *e, struct ike_sa *sa, enum xkind kind,
		      const struct ike_chain *in);

#endif /* IKED_ENGINE_INT_H */
