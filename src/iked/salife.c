// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * salife.c - the life of an IKE SA (engine_int.h): creation with a fresh
 * SPI, keys, establishment, its timers (retransmission, liveness checks,
 * rekeying, expiry of half-open and lingering SAs), closing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "kd.h"
#include "ike_sk.h"
#include "log.h"
#include "pair.h"

/* a closed SA answers retransmissions of the peer's last request this long */
static int64_t linger_ms(const struct iked_engine *e)
{
	int64_t l = 2 * (int64_t)e->conf->retransmit_timeout;
	return l < 1000 ? 1000 : l > 10000 ? 10000 : l;
}

int make_nonce(struct iked_engine *e, uint8_t *out, size_t n)
{
	return e->io.random(e->io.arg, out, n);
}

int make_spi(struct iked_engine *e, uint8_t spi[IKE_SPI_LEN])
{
	for (int i = 0; i < 16; i++)
		if (!e->io.random(e->io.arg, spi, IKE_SPI_LEN) && sa_spi_free(&e->sas, spi))
			return 0;
	return -1;
}

const char *sa_who(const struct ike_sa *sa, char *buf, size_t cap)
{
	char a[80];
	iked_addr_format(&sa->remote.ss, a, sizeof(a));
	if (sa->peer)
		snprintf(buf, cap, "IKE SA #%llu with %s (%s)", (unsigned long long)sa->serial,
			 sa->peer->name, a);
	else
		snprintf(buf, cap, "IKE SA #%llu with %s", (unsigned long long)sa->serial, a);
	return buf;
}

struct ike_sa *sa_create(struct iked_engine *e, bool initiator, const struct iked_peer *peer,
			 const struct iked_addr *local, const struct iked_addr *remote)
{
	uint8_t spi[IKE_SPI_LEN];
	struct ike_sa *sa;
	if (make_spi(e, spi) || !(sa = sa_new(&e->sas, spi, initiator))) {
		cnt(e, CNT_NO_MEMORY);
		return NULL;
	}
	sa->local = *local;
	sa->remote = *remote;
	sa->created_ms = sa->last_rx_ms = now_ms(e);
	if (peer)
		sa_set_peer(e, sa, peer);
	return sa;
}

void sa_set_peer(struct iked_engine *e, struct ike_sa *sa, const struct iked_peer *peer)
{
	sa->peer = peer;
	sa->peer_idx = (unsigned)(peer - e->conf->peers);
}

int sa_install_keys(struct iked_engine *e, struct ike_sa *sa, const uint8_t *skeyseed)
{
	size_t ek;
	char who[160];
	sa->keys = sa->keys ? sa->keys : ike_keys_new();
	if (!sa->keys || ike_derive_keys(&sa->suite, skeyseed, sa->ni, sa->ni_len, sa->nr,
					 sa->nr_len, sa->spi_i, sa->spi_r, sa->keys))
		goto fail;
	ek = sa->keys->ek_len;
	if (ike_sk_cipher_init(&sa->tx, sa->suite.encr, sa->initiator ? sa->keys->ei : sa->keys->er,
			       ek))
		goto fail;
	if (ike_sk_cipher_init(&sa->rx, sa->suite.encr, sa->initiator ? sa->keys->er : sa->keys->ei,
			       ek)) {
		ike_sk_cipher_free(&sa->tx);
		goto fail;
	}
	sa->ciphers = true;
	if (e->io.key_log)
		e->io.key_log(e->io.arg, sa->spi_i, sa->spi_r, &sa->suite, sa->keys);
	return 0;
fail:
	log_err("%s: cannot derive its keys", sa_who(sa, who, sizeof(who)));
	cnt(e, CNT_CRYPTO_FAILED);
	return -1;
}

/* rekey_time less up to a tenth at random, so that two ends configured
 * alike rarely rekey at the same moment (RFC 7296 §2.8.1) */
static int64_t rekey_due(struct iked_engine *e)
{
	uint64_t span = (uint64_t)e->conf->rekey_time * 1000, r = 0;
	if (!span)
		return 0;
	e->io.random(e->io.arg, (uint8_t *)&r, sizeof(r));
	return now_ms(e) + (int64_t)(span - r % (span / 10 + 1));
}

void sa_established(struct iked_engine *e, struct ike_sa *sa, const struct ike_sa *old)
{
	char who[160], suite[80], lid[300], rid[300];
	int64_t t = now_ms(e);
	sa_set_state(&e->sas, sa, SA_ESTABLISHED);
	sa->established_ms = sa->last_rx_ms = t;
	sa->rekey_at_ms = rekey_due(e);
	sa->next_dpd_ms = e->conf->dpd_interval ? t + (int64_t)e->conf->dpd_interval * 1000 : 0;
	sa->deadline_ms = 0;
	if (sa->peer) {
		e->peers[sa->peer_idx].failures = 0;
		e->peers[sa->peer_idx].initiate_at = 0;
	}
	/* the IKE_SA_INIT messages were needed for AUTH only */
	free(sa->init_i);
	free(sa->init_r);
	sa->init_i = sa->init_r = NULL;
	ike_dh_free(&sa->dh);
	iked_suite_format_long(&sa->suite, suite, sizeof(suite));
	if (old) {
		char si[17], sr[17];
		for (int i = 0; i < IKE_SPI_LEN; i++) {
			snprintf(si + 2 * i, 3, "%02x", sa->spi_i[i]);
			snprintf(sr + 2 * i, 3, "%02x", sa->spi_r[i]);
		}
		sa->replaces = old->serial;
		cnt(e, CNT_SA_REKEYED);
		gcks_rekeyed(e, sa);
		pair_established(e, sa, old);
		log_info("%s replaces IKE SA #%llu (rekeyed as %s): %s, SPIs %s_i %s_r",
			 sa_who(sa, who, sizeof(who)), (unsigned long long)old->serial,
			 sa->initiator ? "initiator" : "responder", suite, si, sr);
		return;
	}
	cnt(e, CNT_SA_ESTABLISHED);
	kd_established(e, sa);
	member_established(e, sa);
	gcks_established(e, sa);
	pair_established(e, sa, NULL);
	iked_id_format(&e->conf->local_id, lid, sizeof(lid));
	iked_id_format(&sa->peer->remote_id, rid, sizeof(rid));
	log_info("%s established as %s: %s, local %s, remote %s, no child SA",
		 sa_who(sa, who, sizeof(who)), sa->initiator ? "initiator" : "responder", suite,
		 lid, rid);
}

void sa_close(struct iked_engine *e, struct ike_sa *sa, bool lost, const char *why)
{
	char who[160];
	bool was_up =
	    sa->state == SA_ESTABLISHED || sa->state == SA_REKEYED || sa->state == SA_DELETING;
	if (sa->state == SA_CLOSED || sa->state == SA_DEAD)
		return;
	log_info("%s closed: %s", sa_who(sa, who, sizeof(who)), why);
	kd_close(e, sa);
	pair_close(e, sa);
	if (was_up)
		cnt(e, CNT_SA_DELETED);
	sa_request_clear(sa);
	sa->want = 0;
	sa_set_state(&e->sas, sa, SA_CLOSED);
	sa->deadline_ms = now_ms(e) + linger_ms(e);
	if (lost && sa->peer && sa->peer->initiate && !e->stopping) {
		struct peer_state *ps = &e->peers[sa->peer_idx];
		unsigned f = ps->failures < 6 ? ps->failures : 6;
		ps->failures++;
		/* again soon, then backing off: the peer may be restarting */
		ps->initiate_at = now_ms(e) + ((int64_t)e->conf->retransmit_timeout << f);
	}
}

static void sa_give_up(struct iked_engine *e, struct ike_sa *sa)
{
	char why[160];
	cnt(e, CNT_SA_TIMEOUT);
	bool leaving = sa->req.kind == X_DELETE || sa->req.kind == X_AUTH_FAILED;
	snprintf(why, sizeof(why), "no answer to our %s (MID %u) after %u retransmissions",
		 xkind_name(sa->req.kind), sa->req.mid, sa->req.tries);
	/* a peer that went silent is tried again (initiate); one we were
	 * leaving anyway is not */
	sa_close(e, sa, !leaving, why);
}

void sa_kick(struct iked_engine *e, struct ike_sa *sa)
{
	if (sa->req_busy || !sa->want)
		return;
	if (sa->state != SA_ESTABLISHED && !(sa->state == SA_REKEYED && (sa->want & WANT_DELETE))) {
		if (sa->state != SA_DELETING)
			sa->want = 0;
		return;
	}
	if (sa->want & WANT_DELETE) {
		sa->want &= ~WANT_DELETE;
		info_start(e, sa, X_DELETE);
	} else if (sa->want & WANT_REKEY) {
		sa->want &= ~WANT_REKEY;
		rekey_start(e, sa);
	} else if (sa->want & WANT_DPD) {
		sa->want &= ~WANT_DPD;
		info_start(e, sa, X_DPD);
	} else if (sa->want & WANT_GSA_REG) {
		sa->want &= ~WANT_GSA_REG;
		member_register_start(e, sa);
	} else if (sa->want & WANT_GSA_PUSH) {
		sa->want &= ~WANT_GSA_PUSH;
		gcks_push_start(e, sa);
	} else {
		sa->want &= ~WANT_CHILD;
		kd_start(e, sa);
	}
}

static int64_t min_t(int64_t a, int64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* liveness and rekey of an established SA */
static void established_timers(struct iked_engine *e, struct ike_sa *sa, int64_t t)
{
	if (sa->rekey_at_ms && t >= sa->rekey_at_ms) {
		sa->want |= WANT_REKEY;
		sa->rekey_at_ms = 0;
	}
	if (sa->next_dpd_ms && t >= sa->next_dpd_ms) {
		int64_t quiet = t - sa->last_rx_ms, dpd = (int64_t)e->conf->dpd_interval * 1000;
		/* only when the peer said nothing for a whole interval */
		if (quiet >= dpd && !sa->req_busy)
			sa->want |= WANT_DPD;
		sa->next_dpd_ms = (quiet >= dpd ? t : sa->last_rx_ms) + dpd;
	}
}

int64_t sa_timers(struct iked_engine *e, struct ike_sa *sa)
{
	int64_t t = now_ms(e), next = 0, kd_next;
	char who[160];
	if (sa->req_busy && t >= sa->req.next_ms && !msg_retransmit(e, sa))
		sa_give_up(e, sa);
	if (sa->deadline_ms && t >= sa->deadline_ms) {
		if (sa->state == SA_INIT_R) {
			cnt(e, CNT_HALF_OPEN_EXPIRED);
			log_info("%s: no IKE_AUTH within %u s: half-open SA dropped",
				 sa_who(sa, who, sizeof(who)), e->conf->half_open_timeout);
			sa_set_state(&e->sas, sa, SA_DEAD);
		} else if (sa->state == SA_REKEYED) {
			sa_close(e, sa, false, "replaced by a rekey; the peer never deleted it");
		} else if (sa->state == SA_CLOSED) {
			sa_set_state(&e->sas, sa, SA_DEAD);
		}
	}
	if (sa->state == SA_ESTABLISHED)
		established_timers(e, sa, t);
	kd_next = kd_timers(e, sa);
	sa_kick(e, sa);
	if (sa->state == SA_DEAD)
		return 0;
	if (sa->req_busy)
		next = min_t(next, sa->req.next_ms);
	next = min_t(next, sa->deadline_ms);
	next = min_t(next, kd_next);
	if (sa->state == SA_ESTABLISHED) {
		next = min_t(next, sa->rekey_at_ms);
		next = min_t(next, sa->next_dpd_ms);
	}
	return next;
}

void sa_reap_closed(struct iked_engine *e, unsigned peer_idx)
{
	struct ike_sa *sa;
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));)
		if (sa->peer && sa->peer_idx == peer_idx && sa->state == SA_CLOSED) {
			sa_free(&e->sas, sa);
			i--;
		}
}

unsigned our_proposals(const struct iked_peer *peer, const struct ike_suite *first,
		       const uint8_t *spi, uint8_t spi_len, struct ike_proposal *out)
{
	unsigned n = 0;
	if (first) {
		iked_suite_proposal(first, 1, spi, spi_len, &out[n++]);
	}
	for (unsigned i = 0; i < peer->n_proposals && n < IKED_MAX_PROPOSALS; i++) {
		if (first && iked_suite_equal(first, &peer->proposals[i]))
			continue;
		iked_suite_proposal(&peer->proposals[i], (uint8_t)(n + 1), spi, spi_len, &out[n]);
		n++;
	}
	return n;
}
