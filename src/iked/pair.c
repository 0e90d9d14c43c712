// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pair.c - seed 004's pair keys as eesp runtime SAs in our eespd (pair.h).
 * The eespd calls are eespdcall.h's, as key download's; request lines hold
 * keys and are wiped after use; keys are never logged.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eespdcall.h"
#include "engine_int.h"
#include "log.h"
#include "pair.h"
#include "secmem.h"

int pair_init(struct iked_engine *e)
{
	int locked;
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		if (!e->conf->peers[i].pair.on)
			continue;
		e->peers[i].pair = eesp_secure_alloc(sizeof(struct pair_state), &locked);
		if (!e->peers[i].pair)
			return -1;
	}
	return 0;
}

void pair_free(struct iked_engine *e)
{
	for (unsigned i = 0; e->peers && i < e->conf->n_peers; i++)
		if (e->peers[i].pair) {
			eesp_secure_free(e->peers[i].pair, sizeof(struct pair_state));
			e->peers[i].pair = NULL;
		}
}

/* one verb to the pair's eespd, its reply discarded; 0 or -1 (logged,
 * counted) */
#define pair_call(e, pe, ...)                                                                      \
	eespd_call((e), (pe)->pair.eespd_socket, (pe)->name, NULL, __VA_ARGS__)

/* 1: eespd lists our transmit SA for the peer, 0: it does not (it
 * restarted), -1: no answer */
static int eespd_has_tx(struct iked_engine *e, const struct iked_peer *pe, uint32_t spi)
{
	char *body;
	if (eespd_call(e, pe->pair.eespd_socket, pe->name, &body, "sa-list\n"))
		return -1;
	bool found = eespd_sa_listed(body, pe->pair.eespd_peer, "tx", spi);
	eespd_body_free(body);
	return found;
}

/* sa-rx-set or sa-tx-set of one direction's key */
static int set_sa(struct iked_engine *e, const struct iked_peer *pe, bool tx, uint32_t spi,
		  const uint8_t key[IKE_PK_KEY_LEN], const uint8_t salt[IKE_PK_SALT_LEN])
{
	char hex[2 * IKE_PK_KEY_LEN + 1], sh[2 * IKE_PK_SALT_LEN + 1];
	for (size_t i = 0; i < IKE_PK_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	for (size_t i = 0; i < IKE_PK_SALT_LEN; i++)
		snprintf(sh + 2 * i, 3, "%02x", salt[i]);
	int rc = pair_call(e, pe, "%s %s 0x%08" PRIx32 " %s salt %s\n",
			   tx ? "sa-tx-set" : "sa-rx-set", pe->pair.eespd_peer, spi, hex, sh);
	eesp_wipe(hex, sizeof(hex));
	eesp_wipe(sh, sizeof(sh));
	return rc;
}

static bool among(uint32_t spi, const uint32_t *set, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i] == spi)
			return true;
	return false;
}

/* release the installed receive SAs that are not in want[n] */
static void release_stale(struct iked_engine *e, const struct iked_peer *pe, struct pair_state *ps,
			  const uint32_t *want, unsigned n)
{
	unsigned k = 0;
	for (unsigned i = 0; i < ps->n_rx; i++) {
		if (among(ps->rx[i], want, n))
			ps->rx[k++] = ps->rx[i];
		else if (!pair_call(e, pe, "sa-release %s 0x%08" PRIx32 "\n", pe->pair.eespd_peer,
				    ps->rx[i]))
			log_info("peer %s: pair: receive SA 0x%08" PRIx32 " released", pe->name,
				 ps->rx[i]);
	}
	ps->n_rx = k;
}

/* the receive SPIs of every live generation of the derived ring */
static int wanted(const struct pair_state *ps, uint32_t want[EESP_GENS], unsigned *nw)
{
	uint8_t salt[IKE_PK_SALT_LEN];
	int bad = 0;
	*nw = 0;
	for (unsigned s = 0; s < EESP_GENS; s++)
		if (ps->ring.gen[s].present) {
			if (ike_pk_sa(ps->ring.gen[s].recv, &want[*nw], salt))
				bad = -1;
			else
				(*nw)++;
		}
	eesp_wipe(salt, sizeof(salt));
	return bad;
}

/* the receive SAs of every live generation not installed yet */
static int install_rx(struct iked_engine *e, const struct iked_peer *pe, struct pair_state *ps)
{
	uint8_t salt[IKE_PK_SALT_LEN];
	int bad = 0;
	for (unsigned s = 0; s < EESP_GENS; s++) {
		const struct ike_pk_gen *g = &ps->ring.gen[s];
		uint32_t spi;
		if (!g->present)
			continue;
		if (ike_pk_sa(g->recv, &spi, salt)) {
			bad = -1;
			continue;
		}
		if (among(spi, ps->rx, ps->n_rx))
			continue; /* installed: eespd keeps its replay state */
		if (ps->n_rx >= PAIR_MAX_RX || set_sa(e, pe, false, spi, g->recv, salt))
			bad = -1;
		else
			ps->rx[ps->n_rx++] = spi;
	}
	eesp_wipe(salt, sizeof(salt));
	return bad;
}

/* the current generation's transmit SA, unless installed already (setting
 * it again would only replace it: eespd's lane IVs keep increasing across
 * keys, eesp.7 IV UNIQUENESS) */
static int install_tx(struct iked_engine *e, const struct iked_peer *pe, struct pair_state *ps)
{
	const struct ike_pk_gen *cur = ike_pk_ring_current(&ps->ring);
	uint8_t salt[IKE_PK_SALT_LEN];
	uint32_t spi;
	int rc = 0;
	if (!cur)
		return 0; /* a ring without a current generation: nothing to send with */
	if (ike_pk_sa(cur->send, &spi, salt))
		return -1;
	if (spi != ps->tx) {
		rc = set_sa(e, pe, true, spi, cur->send, salt);
		if (!rc) {
			ps->tx = spi;
			ps->tx_gen = cur->generation;
		}
	}
	eesp_wipe(salt, sizeof(salt));
	return rc;
}

/*
 * SYNC_RING: the group ring changed: retired generations' receive SAs go.
 * SYNC_REKEY: a new IKE SA replaced the bound one: its receive SAs go in at
 * once, the old ones stay, and the transmit switch waits PAIR_TX_DELAY so
 * that the peer, which installs the new SA's keys when it sees the end of
 * the exchange, has its receive SA first (make-before-break).
 * SYNC_TX: that wait is over.  SYNC_GC: as long again later, the peer has
 * switched too: the replaced SA's receive SAs go.
 */
enum sync_mode { SYNC_RING, SYNC_REKEY, SYNC_TX, SYNC_GC };

static int64_t tx_delay_ms(const struct iked_engine *e)
{
	return 2 * (int64_t)e->conf->retransmit_timeout + 1000;
}

static void log_synced(const struct iked_peer *pe, const struct pair_state *ps,
		       const uint32_t *want, unsigned nw)
{
	char rx[EESP_GENS * 12 + 1] = "";
	for (unsigned k = 0; k < nw; k++)
		snprintf(rx + strlen(rx), sizeof(rx) - strlen(rx), "%s0x%08" PRIx32, k ? "," : "",
			 want[k]);
	log_info("peer %s: pair keys of group %" PRIu32 " installed: we send under 0x%08" PRIx32
		 " (generation %" PRIu32 ")%s, receive under %s",
		 pe->name, pe->pair.group, ps->tx, ps->tx_gen,
		 ps->tx_due_ms ? " until the switch to the new IKE SA's keys" : "",
		 rx[0] ? rx : "none");
}

/* derive the pair ring from the bound SA and the group ring, install it */
static void sync_pair(struct iked_engine *e, unsigned i, enum sync_mode mode)
{
	const struct iked_peer *pe = &e->conf->peers[i];
	struct pair_state *ps = e->peers[i].pair;
	const struct iked_pair_conf *c = &pe->pair;
	struct ike_pk_pair pp;
	uint32_t want[EESP_GENS];
	unsigned nw = 0;
	if (!ps || !ps->bound || !ps->have_gk)
		return;
	int rc = ike_pk_pair_init(&pp, ps->spi_i, ps->spi_r, c->node_id, c->peer_node_id, c->group);
	if (!rc)
		rc = ike_pk_ring_init(&ps->ring, &pp, c->node_id);
	if (!rc)
		rc = ike_pk_ring_sync(&ps->ring, IKE_PK_PRF, ps->sk_d, sizeof(ps->sk_d), &ps->gk);
	if (!rc)
		rc = wanted(ps, want, &nw) ? IKE_E_CRYPTO : 0;
	if (rc) {
		eesp_wipe(&ps->ring, sizeof(ps->ring));
		refusal(e, CNT_PAIR_FAILED,
			"peer %s: pair: keys of group %" PRIu32 " not derived (%s)", pe->name,
			c->group, ike_err_name(rc));
		return;
	}
	if (!ps->swept) {
		/* the first install of this process: what an earlier one left in
		 * eespd (its IKE SA, hence its keys, are gone) is dropped */
		pair_call(e, pe, "sa-release %s\n", pe->pair.eespd_peer);
		ps->swept = true;
	}
	if (mode == SYNC_REKEY && ps->tx)
		ps->tx_due_ms = now_ms(e) + tx_delay_ms(e);
	else if (mode == SYNC_TX)
		ps->tx_due_ms = 0;
	/* the replaced SA's receive SAs go once the peer switched too */
	ps->gc_due_ms = mode == SYNC_TX ? now_ms(e) + tx_delay_ms(e) : 0;
	bool keep_old = (mode != SYNC_RING && mode != SYNC_GC) || ps->tx_due_ms;
	/* a replaced IKE SA's receive SAs go now if there is no room for them */
	unsigned missing = 0;
	for (unsigned k = 0; k < nw; k++)
		missing += !among(want[k], ps->rx, ps->n_rx);
	if (keep_old && ps->n_rx + missing > PAIR_MAX_RX)
		release_stale(e, pe, ps, want, nw);
	/* receive first, then send: the peer may be ahead of us; then the
	 * generations the ring retired (and a replaced SA's) go */
	rc = install_rx(e, pe, ps);
	if (!ps->tx_due_ms)
		rc |= install_tx(e, pe, ps);
	if (!keep_old)
		release_stale(e, pe, ps, want, nw);
	eesp_wipe(&ps->ring, sizeof(ps->ring));
	if (rc) {
		cnt(e, CNT_PAIR_FAILED);
		return;
	}
	ps->syncs++;
	ps->poll_due_ms = now_ms(e) + PAIR_POLL_MS;
	cnt(e, CNT_PAIR_SYNCED);
	log_synced(pe, ps, want, nw);
}

int64_t pair_due_ms(const struct iked_engine *e)
{
	int64_t next = 0;
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		const struct pair_state *ps = e->peers[i].pair;
		if (ps && ps->tx_due_ms && (!next || ps->tx_due_ms < next))
			next = ps->tx_due_ms;
		if (ps && ps->gc_due_ms && (!next || ps->gc_due_ms < next))
			next = ps->gc_due_ms;
		if (ps && ps->poll_due_ms && (!next || ps->poll_due_ms < next))
			next = ps->poll_due_ms;
	}
	return next;
}

/* eespd restarted (runtime SAs live in its memory only): our transmit SA is
 * gone, and so are the receive SAs; install them all again.  Nonces are
 * safe: eespd's lane IVs keep increasing across its restarts (eesp.7 IV
 * UNIQUENESS). */
static void poll_eespd(struct iked_engine *e, unsigned i)
{
	const struct iked_peer *pe = &e->conf->peers[i];
	struct pair_state *ps = e->peers[i].pair;
	ps->poll_due_ms = now_ms(e) + PAIR_POLL_MS;
	if (!ps->bound || !ps->tx || ps->tx_due_ms || eespd_has_tx(e, pe, ps->tx) != 0)
		return;
	log_info("peer %s: pair: eespd no longer holds our transmit SA 0x%08" PRIx32
		 " (restarted?): installing the pair keys again",
		 pe->name, ps->tx);
	ps->tx = ps->tx_gen = 0;
	ps->n_rx = 0;
	sync_pair(e, i, SYNC_RING);
}

void pair_timers(struct iked_engine *e)
{
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		struct pair_state *ps = e->peers[i].pair;
		if (ps && ps->tx_due_ms && now_ms(e) >= ps->tx_due_ms)
			sync_pair(e, i, SYNC_TX);
		else if (ps && ps->gc_due_ms && now_ms(e) >= ps->gc_due_ms)
			sync_pair(e, i, SYNC_GC);
		else if (ps && ps->poll_due_ms && now_ms(e) >= ps->poll_due_ms)
			poll_eespd(e, i);
	}
}

static int spis_cmp(const struct pair_state *ps, const struct ike_sa *sa)
{
	int d = memcmp(sa->spi_i, ps->spi_i, IKE_SPI_LEN);
	return d ? d : memcmp(sa->spi_r, ps->spi_r, IKE_SPI_LEN);
}

static void bind_sa(struct pair_state *ps, const struct ike_sa *sa)
{
	memcpy(ps->spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(ps->spi_r, sa->spi_r, IKE_SPI_LEN);
	memcpy(ps->sk_d, sa->keys->d, IKE_PK_SK_D_LEN);
	ps->bound = true;
}

static bool prf_ok(struct iked_engine *e, const struct ike_sa *sa)
{
	char who[160];
	if (sa->suite.prf == IKE_PK_PRF && sa->keys && sa->keys->prf_len == IKE_PK_SK_D_LEN)
		return true;
	refusal(e, CNT_PAIR_FAILED, "%s: pair: the IKE SA's PRF is not HMAC-SHA2-256: no pair keys",
		sa_who(sa, who, sizeof(who)));
	return false;
}

void pair_established(struct iked_engine *e, struct ike_sa *sa, const struct ike_sa *old)
{
	struct pair_state *ps = sa->peer ? e->peers[sa->peer_idx].pair : NULL;
	char who[160];
	if (!ps || !prf_ok(e, sa))
		return;
	if (ps->bound && !(old && !spis_cmp(ps, old))) {
		/* two IKE SAs with the peer (both initiated): both ends keep the
		 * one with the lower SPIs; a rekey of the other changes nothing */
		if (old || spis_cmp(ps, sa) > 0) {
			log_info("%s: pair: keys stay on the IKE SA with the lower SPIs",
				 sa_who(sa, who, sizeof(who)));
			return;
		}
		old = sa; /* replaces the bound one: make-before-break as for a rekey */
	}
	bind_sa(ps, sa);
	if (!ps->have_gk)
		log_info("%s: pair: waiting for group %" PRIu32 " from key server %s",
			 sa_who(sa, who, sizeof(who)), sa->peer->pair.group,
			 sa->peer->pair.key_server);
	sync_pair(e, sa->peer_idx, old ? SYNC_REKEY : SYNC_RING);
}

/* another established SA of the peer than sa, the one with the lowest SPIs */
static const struct ike_sa *other_sa(struct iked_engine *e, const struct ike_sa *sa)
{
	const struct ike_sa *best = NULL, *o;
	for (unsigned i = 0; (o = sa_next(&e->sas, &i));)
		if (o != sa && o->peer == sa->peer && o->state == SA_ESTABLISHED &&
		    (!best || memcmp(o->spi_i, best->spi_i, IKE_SPI_LEN) < 0 ||
		     (!memcmp(o->spi_i, best->spi_i, IKE_SPI_LEN) &&
		      memcmp(o->spi_r, best->spi_r, IKE_SPI_LEN) < 0)))
			best = o;
	return best;
}

void pair_close(struct iked_engine *e, struct ike_sa *sa)
{
	struct pair_state *ps = sa->peer ? e->peers[sa->peer_idx].pair : NULL;
	if (!ps || !ps->bound || spis_cmp(ps, sa))
		return; /* not the SA the keys are derived from (a rekey replaced it) */
	const struct iked_peer *pe = sa->peer;
	const struct ike_sa *o = other_sa(e, sa);
	if (o && prf_ok(e, o)) {
		bind_sa(ps, o); /* the duplicate SA takes over, as across a rekey */
		sync_pair(e, sa->peer_idx, SYNC_REKEY);
		return;
	}
	if ((ps->n_rx || ps->tx) && !pair_call(e, pe, "sa-release %s\n", pe->pair.eespd_peer))
		log_info("peer %s: pair: runtime SAs released (the IKE SA is gone)", pe->name);
	ps->bound = false;
	ps->n_rx = 0;
	ps->tx = ps->tx_gen = 0;
	ps->tx_due_ms = ps->gc_due_ms = ps->poll_due_ms = 0;
	eesp_wipe(ps->sk_d, sizeof(ps->sk_d));
	eesp_wipe(ps->spi_i, sizeof(ps->spi_i));
	eesp_wipe(ps->spi_r, sizeof(ps->spi_r));
}

static void take_ring(struct pair_state *ps, const struct ike_gcks_ring *r)
{
	eesp_wipe(&ps->gk, sizeof(ps->gk));
	ps->gk.id = r->id;
	for (unsigned s = 0; s < EESP_GENS; s++) {
		ps->gk.gen[s].present = r->gen[s].present;
		ps->gk.gen[s].generation = r->gen[s].generation;
		memcpy(ps->gk.gen[s].key, r->gen[s].key, EESP_ROOT_KEY_LEN);
	}
	ps->have_gk = true;
}

void pair_rings_in(struct iked_engine *e, unsigned ks_idx, const struct ike_gcks_ring *rings,
		   unsigned n)
{
	for (unsigned i = 0; i < e->conf->n_peers; i++) {
		const struct iked_pair_conf *c = &e->conf->peers[i].pair;
		struct pair_state *ps = e->peers[i].pair;
		if (!ps || c->ks_idx != ks_idx)
			continue;
		for (unsigned k = 0; k < n; k++)
			if (rings[k].level == EESP_LEVEL_GROUP && rings[k].id == c->group) {
				take_ring(ps, &rings[k]);
				sync_pair(e, i, SYNC_RING);
			}
	}
}

void pair_report(const struct iked_engine *e, const struct ike_sa *sa, struct strbuf *b, bool json)
{
	const struct pair_state *ps = sa->peer ? e->peers[sa->peer_idx].pair : NULL;
	bool mine = ps && ps->bound && !spis_cmp(ps, sa);
	if (json) {
		if (!mine) {
			strbuf_printf(b, ",\"pair\":null");
			return;
		}
		strbuf_printf(
		    b,
		    ",\"pair\":{\"group\":%" PRIu32 ",\"tx_spi\":\"0x%08" PRIx32
		    "\",\"tx_generation\":%" PRIu32 ",\"switch_pending\":%s,\"rx_spis\":[",
		    sa->peer->pair.group, ps->tx, ps->tx_gen, ps->tx_due_ms ? "true" : "false");
		for (unsigned i = 0; i < ps->n_rx; i++)
			strbuf_printf(b, "%s\"0x%08" PRIx32 "\"", i ? "," : "", ps->rx[i]);
		strbuf_printf(b, "]}");
		return;
	}
	if (!mine)
		return;
	strbuf_printf(b,
		      "  pair keys of group %" PRIu32 ": send 0x%08" PRIx32 " (generation %" PRIu32
		      ")%s, receive",
		      sa->peer->pair.group, ps->tx, ps->tx_gen,
		      ps->tx_due_ms ? ", switch pending" : "");
	for (unsigned i = 0; i < ps->n_rx; i++)
		strbuf_printf(b, "%s0x%08" PRIx32, i ? ", " : " ", ps->rx[i]);
	strbuf_printf(b, "%s\n", ps->n_rx ? "" : " none");
}
