/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kd.h - key download (issue 16, draft-smyslov-ipsecme-ikev2-psp): the
 * PSP child of an IKE SA, keyed by CREATE_CHILD_SA with KD payloads, and
 * the eespd control-socket calls that allocate, install and release its
 * SAs (eespd(8) "Runtime SAs").
 *
 * One child per IKE SA.  Each side's receive SPI and key come from its own
 * eespd (sa-rx-alloc: derived from its PSP master, so its receive path
 * stays stateless), travel wrapped under SK_w in the KD, and are installed
 * by the other side as its transmit SA (sa-tx-set).  The child is re-keyed
 * (a CREATE_CHILD_SA with N(REKEY_SA)) when our eespd's key serial moves
 * (a master rotation), make-before-break: the replaced receive SPI is
 * released KD_OLD_HOLD_MS later, once the peer's in-flight packets are in.
 * The child moves with the IKE SA on an IKE rekey; it is released when
 * its IKE SA closes.
 */
#ifndef IKED_KD_H
#define IKED_KD_H

#include <stdbool.h>
#include <stdint.h>

#include "ike_eesp.h"
#include "ike_psp.h"

struct iked_engine;
struct ike_sa;
struct ike_msg;
struct ike_chain;
struct iked_peer;

#define KD_OLD_HOLD_MS 2000
#define KD_RETRY_MS 2000

struct iked_child {
	unsigned version;    /* PSP version in use */
	uint32_t my_spi;     /* our receive SPI (0: no child yet) */
	uint32_t peer_spi;   /* the peer's, our transmit SPI */
	uint64_t key_serial; /* our eespd's key serial when my_spi was allocated */
	uint32_t old_spi;    /* a replaced receive SPI, released at old_release_ms */
	int64_t old_release_ms;
	int64_t next_poll_ms; /* next key serial check / retry */
	/* our CREATE_CHILD_SA in flight: the SPIs allocated for its proposals */
	unsigned n_pend;
	uint32_t pend_spi[IKE_PSP_MAX_OFFERS];
	uint8_t pend_ver[IKE_PSP_MAX_OFFERS];
	uint64_t pend_serial;
	/* EESP key holder: the client's receive SA offered, activated as our
	 * transmit SA once the client answers (its key is needed again) */
	struct ike_eesp_sa *pend_tx; /* eesp_secure_alloc()ed */
};

/* kd.c: the exchanges */
/* A new IKE SA (not a rekey) is up: its initiator asks for the child. */
void kd_established(struct iked_engine *e, struct ike_sa *sa);
/* Start our CREATE_CHILD_SA (sa_kick, WANT_CHILD); 0 or -1. */
int kd_start(struct iked_engine *e, struct ike_sa *sa);
/* The peer's CREATE_CHILD_SA for a child: keyed, or refused (answered). */
void kd_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		   const struct ike_chain *in, const struct ike_proposal *props, unsigned n);
/* The answer to ours. */
void kd_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in);
/* Timers: key serial polling, retries, releases; the next time (0: none). */
int64_t kd_timers(struct iked_engine *e, struct ike_sa *sa);
/* Whether a request's N(REKEY_SA), if any, names the SA's child: its SPI
 * (protocol proto) is the peer's receive SPI, our transmit SPI.  True
 * without the notify (a new child). */
bool kd_rekey_names_child(const struct ike_sa *sa, const struct ike_chain *in, uint8_t proto);
/* When kd_timers() has work for the SA (0: never); no I/O. */
int64_t kd_due_ms(const struct ike_sa *sa);
/* The IKE SA closes: its child's SAs are released in eespd. */
void kd_close(struct iked_engine *e, struct ike_sa *sa);

/* Wipe and free a child (no eespd call: kd_close() releases). */
void kd_child_free(struct iked_child *c);

/* kd_eesp.c: the EESP child (ike_eesp.h): the key holder hands the client
 * both SAs; the key holder starts it (and re-keys on a root rotation) */
int kd_eesp_start(struct iked_engine *e, struct ike_sa *sa);
void kd_eesp_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_chain *in, const struct ike_proposal *props, unsigned n);
void kd_eesp_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in);

/* kd.c helpers the EESP child shares */
void kd_child_keyed(struct iked_engine *e, struct ike_sa *sa, struct iked_child *c, uint32_t my_spi,
		    uint32_t peer_spi, unsigned version, uint64_t serial);
void kd_retry_later(struct iked_engine *e, struct iked_child *c);
struct iked_child *kd_child_get(struct ike_sa *sa);
void kd_put_nonce(struct iked_engine *e, struct ike_builder *b);
void kd_put_ts_any(struct ike_builder *b);
int kd_kwk(const struct ike_sa *sa, uint8_t out[IKE_PSP_KWK_LEN]);
void kd_answer_notify(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		      uint16_t type);
/* Refuse the peer's child request (proto "PSP" or "EESP") with notify type:
 * logged and counted under counter (and child_failed), answered. */
void kd_refuse(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m, const char *proto,
	       uint16_t type, unsigned counter, const char *why);

/* kd_eespd.c: eespd's control socket (eespd(8) "Runtime SAs") */
struct kd_alloc {
	uint32_t spi;
	uint8_t key[IKE_PSP_KEY_MAX];
	size_t key_len;
	uint64_t key_serial;
};
/* sa-rx-alloc PEER psp-version V; 0, or -1 (logged, counted). */
int kd_rx_alloc(struct iked_engine *e, const struct iked_peer *pe, unsigned version,
		struct kd_alloc *out);
/* EESP (ike_eesp.h): sa-rx-alloc PEER eesp / sa-tx-alloc PEER on the key
 * holder (with the phase, epoch and serial), sa-tx-set / sa-rx-set with
 * the salt (and phase and epoch for the client's tx); 0 or -1. */
int kd_eesp_alloc(struct iked_engine *e, const struct iked_peer *pe, bool tx,
		  struct ike_eesp_sa *out, uint64_t *serial);
int kd_eesp_set(struct iked_engine *e, const struct iked_peer *pe, bool tx,
		const struct ike_eesp_sa *sa);
/* sa-tx-set PEER SPI KEY version V; 0 or -1. */
int kd_tx_set(struct iked_engine *e, const struct iked_peer *pe, uint32_t spi, const uint8_t *key,
	      size_t key_len, unsigned version);
/* sa-release PEER [SPI] (spi 0: all of the peer's runtime SAs); 0 or -1. */
int kd_release(struct iked_engine *e, const struct iked_peer *pe, uint32_t spi);
/* The key serial of sa-list, 0 when eespd does not answer; *has_rx: it
 * lists our receive SA rx_spi for the peer (false after an eespd restart). */
uint64_t kd_key_serial(struct iked_engine *e, const struct iked_peer *pe, uint32_t rx_spi,
		       bool *has_rx);
/* Release the peer's runtime receive SPIs that no child in keep[n] holds
 * (left by an eesp-iked that stopped); how many, or -1. */
int kd_sweep(struct iked_engine *e, const struct iked_peer *pe, const uint32_t *keep, unsigned n);

#endif /* IKED_KD_H */
