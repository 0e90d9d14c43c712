/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * engine.h - the IKEv2 engine of eesp-iked: every IKE SA, every exchange,
 * every timer, with no I/O of its own.
 *
 * The engine is driven from outside: engine_input() for each datagram,
 * engine_tick() when engine_next_ms() says a timer is due.  It sends,
 * reads the clock, draws random octets and asks for AUTH values through
 * struct iked_io, so that the IKE process (ikeproc.c) runs it over UDP
 * sockets with the authenticating process behind it, while the unit
 * tests wire two engines to each other in memory with a fake clock and
 * lose, repeat or forge messages between them at will.
 *
 * The engine never holds a PSK: AUTH values (RFC 7296 §2.15) are computed
 * by io->auth, which in eesp-iked is the authenticating process
 * (authproc.h), the only one that has the keys.
 */
#ifndef IKED_ENGINE_H
#define IKED_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "counters.h"
#include "gcks.h"
#include "ike_cookie.h"
#include "ike_crypto.h"
#include "sa.h"
#include "strbuf.h"

struct iked_io {
	void *arg;
	/* send len octets of buf from local to remote; 0 or -1 */
	int (*send)(void *arg, const struct iked_addr *local, const struct iked_addr *remote,
		    const uint8_t *buf, size_t len);
	/* the local endpoint (socket) to reach remote from; 0 or -1 */
	int (*local_for)(void *arg, const struct iked_addr *remote, struct iked_addr *local);
	/* a monotonic clock in ms */
	int64_t (*now_ms)(void *arg);
	/* n random octets (RAND_bytes); 0 or -1 */
	int (*random)(void *arg, uint8_t *out, size_t n);
	/* AUTH = prf(prf(PSK of peer, "Key Pad for IKEv2"), msg | nonce |
	 * prf(sk_p, id_body)) into out (ike_prf_len(prf) octets); 0 or -1 */
	int (*auth)(void *arg, unsigned peer, uint16_t prf, const uint8_t *msg, size_t msg_len,
		    const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p, size_t sk_p_len,
		    const uint8_t *id_body, size_t id_len, uint8_t *out);
	/* one request line (n octets, ending in '\n') to eespd's control
	 * socket sock (key download, kd.h): 0 with the reply's body in *body
	 * (malloc()ed), 1 when eespd answered an error, -1 when it did not
	 * answer; the reason in err.  NULL: no eespd. */
	int (*eespd)(void *arg, const char *sock, const char *line, size_t n, char **body,
		     char *err, size_t err_len);
	/* optional (NULL: none): the keys of an IKE SA were derived (at
	 * IKE_SA_INIT and at each rekey), for the key log (keylog.h) */
	void (*key_log)(void *arg, const uint8_t *spi_i, const uint8_t *spi_r,
			const struct ike_suite *s, const struct ike_keys *k);
	/* optional (NULL: now_ms): a wall clock in ms, for the times in the
	 * key server's state file */
	int64_t (*wall_ms)(void *arg);
	/* optional (NULL: nothing persists): replace the key server's state
	 * file (gcks.state_file) by len octets of text, durably; 0 or -1.
	 * Called before a changed ring is pushed to any member. */
	int (*gcks_save)(void *arg, const char *text, size_t len);
};

/* What the engine keeps about each configured peer beyond its SAs. */
struct peer_state {
	int64_t initiate_at;	 /* 0: do not initiate on our own */
	unsigned failures;	 /* consecutive attempts that got no answer */
	bool kd_swept;		 /* stale runtime SAs in eespd released (kd.c) */
	struct gcks_peer gk;	 /* domain key server, either role (gcks.h) */
	struct pair_state *pair; /* a pair peer's keys (pair.h), locked; else NULL */
};

/* A log line a flood could repeat: at most IKED_LOG_BURST per second per
 * counter, then one line saying how many were left out. */
#define IKED_LOG_BURST 5
struct log_limit {
	int64_t window_ms;
	unsigned n, suppressed;
};

struct iked_engine {
	const struct iked_conf *conf;
	struct iked_io io;
	struct sa_table sas;
	struct peer_state *peers;	   /* conf->n_peers */
	struct ike_cookie_secrets *cookie; /* locked memory */
	int64_t cookie_rotate_ms;
	uint64_t cnt[CNT__COUNT];
	struct log_limit limit[CNT__COUNT];
	int64_t started_ms;
	bool stopping;
	struct gcks_server *gcks; /* we are a domain key server (gcks.h); locked memory */
};

struct iked_engine *engine_new(const struct iked_conf *conf, const struct iked_io *io);
void engine_free(struct iked_engine *e);

/* One datagram received on local from remote. */
void engine_input(struct iked_engine *e, const struct iked_addr *local,
		  const struct iked_addr *remote, const uint8_t *buf, size_t len);

/* The time at which engine_tick() has work (retransmissions, DPD, rekey,
 * expiries, initiations); INT64_MAX when none. */
int64_t engine_next_ms(struct iked_engine *e);
void engine_tick(struct iked_engine *e);

/* Bring up an IKE SA with a peer now (control verb `initiate`); 0, or -1
 * with the reason in err. */
int engine_initiate(struct iked_engine *e, const char *peer, char *err, size_t err_len);
/* Delete every IKE SA with a peer, and do not initiate again on our own
 * (control verb `terminate`); how many were deleted, or -1 with err. */
int engine_terminate(struct iked_engine *e, const char *peer, char *err, size_t err_len);
/* At stop: a Delete for every established SA (sent once, not awaited). */
void engine_shutdown(struct iked_engine *e);

/* The control socket's reports (text, or JSON objects). */
void engine_status(struct iked_engine *e, struct strbuf *b, bool json);
void engine_show(struct iked_engine *e, struct strbuf *b, bool json);
void engine_counters(struct iked_engine *e, struct strbuf *b, bool json);

#endif /* IKED_ENGINE_H */
