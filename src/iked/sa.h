/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sa.h - an IKE SA as the engine keeps it, and the table of them.
 *
 * The table is indexed by our own SPI (SPIi when we initiated the SA,
 * SPIr when we answered it), which we choose at random, so a message finds
 * its SA with one hash probe; SPIs a peer chose are checked against the SA
 * afterwards.  Its size is bounded (half-open SAs by half_open_max, the
 * others by sas_per_peer for each configured peer).
 *
 * Exchanges (RFC 7296 §2.1-2.3, window size 1): `req` is our outstanding
 * request, kept for retransmission until its response arrives; `resp` is
 * the last response we sent, kept so that a retransmitted request is
 * answered again without being processed twice.  An exchange we want but
 * cannot start while `req` is busy waits as a bit in `want` (DPD, rekey,
 * delete, and later the key-download children); the timer starts the most
 * urgent one when the window frees.  Child SAs (key download, the next
 * part of issue 16) hang off `children` and move to the new SA when the
 * IKE SA is rekeyed.
 */
#ifndef IKED_SA_H
#define IKED_SA_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"
#include "ike_crypto.h"
#include "ike_dh.h"
#include "ike_sk.h"

enum sa_state {
	SA_INIT_I,	/* we sent IKE_SA_INIT */
	SA_AUTH_I,	/* we sent IKE_AUTH */
	SA_INIT_R,	/* we answered IKE_SA_INIT, IKE_AUTH awaited: half-open */
	SA_ESTABLISHED, /* authenticated */
	SA_REKEYED,	/* replaced by a rekey, its Delete awaited */
	SA_DELETING,	/* our Delete (or AUTHENTICATION_FAILED) sent */
	SA_CLOSED,	/* gone; lingers only to answer retransmissions */
	SA_DEAD,	/* to be freed */
};
const char *sa_state_name(enum sa_state s);

/* What our outstanding request is. */
enum xkind {
	X_NONE,
	X_INIT,	       /* IKE_SA_INIT */
	X_AUTH,	       /* IKE_AUTH */
	X_DPD,	       /* INFORMATIONAL, empty */
	X_DELETE,      /* INFORMATIONAL, D(IKE) */
	X_AUTH_FAILED, /* INFORMATIONAL, N(AUTHENTICATION_FAILED) */
	X_REKEY_IKE,   /* CREATE_CHILD_SA rekeying this IKE SA */
	X_CHILD,       /* CREATE_CHILD_SA for a child (key download; not yet) */
};
const char *xkind_name(enum xkind k);

/* `want` bits, in order of urgency */
#define WANT_DELETE 0x1u
#define WANT_REKEY 0x2u
#define WANT_DPD 0x4u
#define WANT_CHILD 0x8u

/* A local or remote endpoint; sock: the index of our UDP socket. */
struct iked_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	int sock;
};

struct sa_request {
	enum xkind kind;
	uint32_t mid;
	uint8_t *msg; /* as sent; malloc()ed */
	size_t len;
	unsigned tries;	 /* retransmissions so far */
	int64_t next_ms; /* next retransmission */
};

struct sa_response {
	bool valid;
	uint32_t mid;
	uint8_t *msg; /* malloc()ed */
	size_t len;
	uint8_t *req; /* the request it answered, to recognise its retransmission */
	size_t req_len;
};

/* The SPI, nonce and key pair of a rekey we started. */
struct sa_rekey {
	bool active;
	uint8_t spi[IKE_SPI_LEN];
	uint8_t nonce[32];
	struct ike_dh dh;
	struct ike_suite suite; /* the group of dh */
	unsigned ke_tries;
};

struct iked_child; /* key download (next part of issue 16) */

struct ike_sa {
	uint64_t serial;   /* "#N" in reports; a rekeyed SA gets a new one */
	uint64_t replaces; /* serial of the SA this one rekeyed, 0 for none */
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	bool initiator; /* we are its original initiator (I flag) */
	enum sa_state state;
	const struct iked_peer *peer;
	unsigned peer_idx;
	struct iked_addr local, remote;

	struct ike_suite suite;
	struct ike_dh dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	uint8_t *init_i, *init_r; /* IKE_SA_INIT request and response, for AUTH */
	size_t init_i_len, init_r_len;
	uint8_t cookie[IKE_COOKIE_MAX]; /* initiator: the responder's cookie */
	size_t cookie_len;
	unsigned cookie_tries, ke_tries;

	struct ike_keys *keys; /* locked memory */
	struct ike_sk_cipher tx, rx;
	bool ciphers;
	uint64_t iv; /* tx IV counter */

	uint32_t my_mid;   /* MID of our next request */
	uint32_t peer_mid; /* MID expected for the peer's next request */
	bool req_busy;
	struct sa_request req;
	struct sa_response resp;
	unsigned want;
	struct sa_rekey rekey;

	int64_t created_ms, established_ms, last_rx_ms;
	int64_t rekey_at_ms;  /* 0: no rekey scheduled */
	int64_t deadline_ms;  /* half-open, rekeyed or closed SAs end here */
	int64_t next_dpd_ms;  /* 0: off */
	bool initial_contact; /* the peer's IKE_AUTH carried INITIAL_CONTACT */

	struct iked_child *children;
	unsigned n_children;
};

struct sa_table {
	struct ike_sa **slot; /* open addressing by our SPI */
	unsigned cap;	      /* a power of two */
	unsigned n;	      /* SAs in the table */
	unsigned half_open;   /* of them in SA_INIT_R */
	uint64_t next_serial;
};

int sa_table_init(struct sa_table *t, unsigned max_sas);
/* Frees every SA. */
void sa_table_free(struct sa_table *t);

/* A new SA with our SPI spi (unique: sa_spi_free() says so), in the table;
 * NULL when full or out of memory. */
struct ike_sa *sa_new(struct sa_table *t, const uint8_t spi[IKE_SPI_LEN], bool initiator);
/* Out of the table, keys wiped, memory freed. */
void sa_free(struct sa_table *t, struct ike_sa *sa);
/* Whether no SA has our SPI spi (and spi is not zero). */
bool sa_spi_free(const struct sa_table *t, const uint8_t spi[IKE_SPI_LEN]);

/* The SA whose SPI of ours is spi, or NULL. */
struct ike_sa *sa_find(const struct sa_table *t, const uint8_t spi[IKE_SPI_LEN]);
/* Our SPI of an SA. */
const uint8_t *sa_local_spi(const struct ike_sa *sa);
/* A responder's SA for the initiator's SPIi from addr (a repeated IKE_SA_INIT). */
struct ike_sa *sa_find_responder(const struct sa_table *t, const uint8_t spi_i[IKE_SPI_LEN],
				 const struct sockaddr_storage *from);

/* Set the state, keeping the half-open count. */
void sa_set_state(struct sa_table *t, struct ike_sa *sa, enum sa_state s);
/* SAs of a peer that are not dead; with live_only, not closed either. */
unsigned sa_count_peer(const struct sa_table *t, unsigned peer_idx, bool live_only);
/* Of them, the half-open ones (responder, IKE_SA_INIT answered, no IKE_AUTH yet). */
unsigned sa_half_open_peer(const struct sa_table *t, unsigned peer_idx);

/* Iterate: for (i = 0; (sa = sa_next(t, &i));) */
struct ike_sa *sa_next(const struct sa_table *t, unsigned *i);

/* Drop the outstanding request / the cached response. */
void sa_request_clear(struct ike_sa *sa);
void sa_response_clear(struct ike_sa *sa);

bool iked_addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
/* "198.51.100.2[500]" */
void iked_addr_format(const struct sockaddr_storage *a, char *out, size_t cap);

#endif /* IKED_SA_H */
