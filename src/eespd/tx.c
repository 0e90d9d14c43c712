// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tx.c - TUN -> cryptokey routing -> seal -> datagram.
 */
#include <string.h>

#include "counters.h"
#include "dp.h"
#include "eesp_proto.h"
#include "ivstate.h"
#include "names.h"
#include "secmem.h"

/*
 * The worker's IV lane (ivgen.h) hands out IVs only below a mark that is on
 * disk (ivstate.c).  A new mark is asked for ahead of need - for the next
 * second's IVs, and when half of the block is used - and taken over as soon
 * as the persister reports it written; only if the disk falls behind does
 * the worker wait for it here (iv_persist_wait).  A mark covers the next
 * second only, so after an idle gap the first packet would wait for a write
 * to disk (a millisecond or more, on its round trip): for IV_KEEP_AHEAD_S
 * after the last packet the worker keeps asking ahead while idle
 * (tx_keep_ahead, at most one write a second).
 */
#define IV_KEEP_AHEAD_S 30
static void iv_take_persisted(struct dp *dp)
{
	if (dp->iv_pending && ivstate_persisted(dp->ivp, dp->lane) >= dp->iv_pending) {
		eesp_ivgen_extend(&dp->iv, dp->iv_pending);
		dp->iv_pending = 0;
	}
}

static void iv_ask_ahead(struct dp *dp)
{
	if (!dp->iv_pending && eesp_ivgen_wants_mark(&dp->iv, dp->now_s)) {
		dp->iv_pending = eesp_ivgen_mark(&dp->iv, dp->now_s);
		ivstate_request(dp->ivp, dp->lane, dp->iv_pending);
	}
}

void tx_keep_ahead(struct dp *dp)
{
	if (!dp->last_tx_s || dp->now_s - dp->last_tx_s > IV_KEEP_AHEAD_S)
		return;
	iv_take_persisted(dp);
	iv_ask_ahead(dp);
}

static int next_iv(struct dp *dp, uint64_t *iv)
{
	dp->last_tx_s = dp->now_s;
	iv_take_persisted(dp);
	iv_ask_ahead(dp);
	for (int tries = 0; tries < 2; tries++) {
		if (eesp_ivgen_next(&dp->iv, dp->now_s, iv) == EESP_E_OK)
			return 0;
		iv_ask_ahead(dp);
		if (!dp->iv_pending)
			return -1; /* the lane is used up: nothing to wait for */
		cnt_add(dp->cnt, CNT_IV_PERSIST_WAIT, 1);
		if (ivstate_wait(dp->ivp, dp->lane, dp->iv_pending)) {
			dp->iv_pending = 0; /* the next packet asks again */
			return -1;
		}
		iv_take_persisted(dp);
	}
	return -1;
}

const struct peer *tx_route(const struct dp *dp, const uint8_t *inner, size_t len, unsigned *why)
{
	const struct peer *peer;
	if (len >= 20 && (inner[0] >> 4) == 4)
		peer = route_lookup(dp->snap, AF_INET, inner + 16);
	else if (len >= 40 && (inner[0] >> 4) == 6)
		peer = route_lookup(dp->snap, AF_INET6, inner + 24);
	else {
		*why = CNT_NON_IP;
		return NULL;
	}
	if (!peer)
		*why = EESP_E_NO_ROUTE;
	return peer;
}

/* EESP header parameters of domain c for a packet to peer with this IV */
static void eesp_params(struct dp *dp, const struct domain *c, const struct peer *peer, int family,
			uint64_t iv, struct eesp_hdr_params *p)
{
	memset(p, 0, sizeof(*p));
	p->session_id = dp->session_id;
	p->sctx.profile = c->profile;
	p->sctx.kdf = c->kdf;
	p->sctx.suite = c->suite;
	p->sctx.flags = (uint8_t)c->sctx_flags;
	p->sctx.phase[0] = c->phase[0];
	p->sctx.phase[1] = c->phase[1];
	p->sctx.phase[2] = c->phase[2];
	p->sctx.epoch = dp_tx_epoch(dp, c);
	p->sctx.tenant_id = c->tenant;
	p->sctx.group_id = c->group;
	p->sctx.node_id = c->node_id;
	p->sctx.peer_node_id = peer->node_id;
	p->crypt_offset = c->crypt_offset;
	p->next_hdr = family == AF_INET ? 4 : 41;
	p->sn = iv;
}

static int seal_eesp(struct dp *dp, const struct domain *c, const struct peer *peer, int family,
		     uint64_t iv, const uint8_t *inner, size_t len, uint8_t *out, size_t cap,
		     size_t *n)
{
	struct eesp_hdr_params p;
	/* a runtime SA (rtsa.h) wins over the configured one; its key, epoch
	 * and phase are the ones the key holder bound it to */
	const struct rt_key *rt = peer_rt_tx(c, peer);
	const struct eesp_sa_key *k = rt ? (rt->k.key_len ? &rt->k : NULL)
					 : (peer->tx_key >= 0 ? &c->keys->sa[peer->tx_key] : NULL);
	uint32_t spi = rt ? rt->k.spi : peer->tx_spi;
	int r;
	eesp_params(dp, c, peer, family, iv, &p);
	if (rt && rt->has_epoch)
		p.sctx.epoch = rt->epoch;
	if (c->profile == EESP_PROFILE_SPI && k) {
		/* client: out-of-band data key, bound to Session ID 1, the
		 * configured epoch and the server's phase (sa_phase) */
		struct eesp_dkey dk;
		p.spi = spi;
		p.sctx.phase[0] = rt && rt->phase >= 0 ? (uint8_t)rt->phase : c->sa_phase;
		p.sctx.phase[1] = p.sctx.phase[2] = 0;
		p.sctx.flags = 0;
		memset(&dk, 0, sizeof(dk));
		dk.suite = c->suite;
		memcpy(dk.key, k->key, k->key_len);
		memcpy(dk.salt, k->salt, 4);
		r = eesp_seal_with_key(dp->crypto, &dk, &p, inner, len, out, cap, n);
		eesp_wipe(&dk, sizeof(dk));
		return r;
	}
	/* node/pair/tenant, or the spi-profile server (SPI = the client's; a
	 * runtime one keeps the phase it was allocated under, so it works as
	 * long as that generation is held) */
	p.spi = c->profile == EESP_PROFILE_SPI ? spi : c->dom.spi;
	if (rt && rt->phase >= 0)
		p.sctx.phase[0] = (uint8_t)rt->phase;
	return eesp_seal(dp->crypto, &c->dom, &p, inner, len, out, cap, n);
}

static int seal_psp(struct dp *dp, const struct domain *c, const struct peer *peer, int family,
		    uint64_t iv, const uint8_t *inner, size_t len, uint8_t *out, size_t cap,
		    size_t *n)
{
	const struct rt_key *rt = peer_rt_tx(c, peer); /* runtime SA first */
	struct psp_hdr_params p;
	memset(&p, 0, sizeof(p));
	p.next_hdr = family == AF_INET ? 4 : 41;
	p.version = rt ? (uint8_t)rt->version : (uint8_t)c->psp_version;
	/* a runtime AES-GMAC SA in a domain configured for AES-GCM with an
	 * offset: GMAC encrypts nothing and its Crypt Offset must be 0 */
	p.crypt_off = psp_version_is_gmac(p.version) ? 0 : c->psp_crypt_offset;
	p.spi = rt ? rt->k.spi : peer->tx_spi;
	p.iv = iv;
	return psp_seal_with_key(dp->crypto, rt ? rt->k.key : c->keys->sa[peer->tx_key].key, &p,
				 inner, len, out, cap, n);
}

unsigned tx_seal(struct dp *dp, const struct peer *peer, const uint8_t *inner, size_t len,
		 uint8_t *out, size_t cap, size_t *out_len)
{
	/* seal with the peer's trust domain (profile, keys, node id, epoch) */
	const struct domain *c = &dp->snap->dom[peer->dom < dp->snap->n_doms ? peer->dom : 0];
	int family = (inner[0] >> 4) == 4 ? AF_INET : AF_INET6;
	size_t n = 0;
	uint64_t iv;
	int r;

	if (len > dp->conf->mtu)
		return EESP_E_OVERSIZE;
	if (!peer_has_tx_sa(dp->snap, c, peer))
		return CNT_NO_TX_SA; /* its SA comes at runtime (sa-tx-set) */
	if (next_iv(dp, &iv))
		return CNT_IV_EXHAUSTED;
	if (dp->conf->mode == EESP_MODE_EESP)
		r = seal_eesp(dp, c, peer, family, iv, inner, len, out, cap, &n);
	else
		r = seal_psp(dp, c, peer, family, iv, inner, len, out, cap, &n);
	if (r != EESP_E_OK)
		return r > 0 && r < EESP_E__COUNT ? (unsigned)r : EESP_E_CRYPTO;
	*out_len = n;
	return 0;
}
