// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rx.c - datagram -> classify -> parse -> key lookup -> open -> inner
 * checks.  Stateless: the key comes from the master keys and the header;
 * nothing is remembered per sender.  Every failure returns the counter of
 * its reason and nothing reaches the TUN.
 */
#include <string.h>
#include <sys/socket.h>

#include "counters.h"
#include "dp.h"
#include "flowhash.h"
#include "ivgen.h"
#include "names.h"
#include "replay.h"
#include "replaytab.h"
#include "secmem.h"

/* The replay window key of a parsed packet of domain c (replay.h). */
static void replay_key(const struct eesp_view *v, struct eesp_replay_key *k)
{
	memset(k, 0, sizeof(*k));
	k->spi = v->spi;
	k->scope = v->sctx.profile == EESP_PROFILE_TENANT ? v->sctx.tenant_id : 0;
	k->sender = v->sctx.profile == EESP_PROFILE_SPI ? v->spi : v->sctx.node_id;
	k->session = v->session_id;
}

/* The tenant and group roots the packet's master key was derived from. */
static void key_boundary_of(const struct eesp_sctx *s, struct key_boundary *b)
{
	b->flags = s->flags & (EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G);
	b->tenant = b->flags & EESP_SCTX_FLAG_T ? s->tenant_id : 0;
	b->group = b->flags & EESP_SCTX_FLAG_G ? s->group_id : 0;
}

static unsigned inner_src(const uint8_t *p, size_t len, int *family, const uint8_t **src)
{
	if (len >= 20 && (p[0] >> 4) == 4) {
		*family = AF_INET;
		*src = p + 12;
		return 0;
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		*family = AF_INET6;
		*src = p + 8;
		return 0;
	}
	return EESP_E_BAD_INNER;
}

static unsigned err_cnt(int r)
{
	return r > 0 && r < EESP_E__COUNT ? (unsigned)r : EESP_E_CRYPTO;
}

/*
 * Replay, before the AEAD (replay enabled): the SN layout (ivgen.h) makes
 * two cheap checks possible that bound what a member of the domain can do
 * to the windows: a Session ID outside our senders' 1..64 (one per IV lane)
 * is not ours, and an SN whose clock part lies beyond now + clock_skew is
 * from no honest sender (it would push windows and floors into the
 * future).  Then the duplicate check, which changes no window.
 */
static unsigned replay_precheck(const struct dp *dp, const struct domain *c,
				const struct eesp_view *v, const struct eesp_replay_key *rk)
{
	if (v->session_id == 0 || v->session_id > EESP_IVGEN_LANES)
		return CNT_BAD_SESSION;
	if ((v->sn >> 32) > dp->now_s + c->clock_skew)
		return CNT_SN_FUTURE;
	return replay_rx_check(dp->replay, c->idx, rk, v->sn);
}

/* The key of an spi-profile SPI that came out of band ("sa eesp"), opened. */
static int open_oob(struct dp *dp, const struct eesp_sa_key *k, uint8_t *pkt, size_t len,
		    const struct eesp_view *v, size_t *off, size_t *ilen)
{
	struct eesp_dkey dk;
	int r;
	if (eesp_suite_key_len(v->sctx.suite) != k->key_len)
		return EESP_E_AUTH;
	memset(&dk, 0, sizeof(dk));
	dk.suite = v->sctx.suite;
	memcpy(dk.key, k->key, k->key_len);
	memcpy(dk.salt, k->salt, 4);
	r = eesp_open_with_key(dp->crypto, &dk, pkt, len, v, off, ilen);
	eesp_wipe(&dk, sizeof(dk));
	return r;
}

/* The domain's root keys, with the epoch window. */
static int open_derived(struct dp *dp, const struct domain *c, uint8_t *pkt, size_t len,
			const struct eesp_view *v, size_t *off, size_t *ilen)
{
	int r = eesp_open(dp->crypto, &c->dom, dp_rx_epoch(dp, c), pkt, len, v, off, ilen);
	if (r == EESP_E_EPOCH && c->epoch_packets && dp->ep_adv[c->idx]) {
		/* a sender restarted its packet count: back to the base epoch
		 * (the window check comes before the AEAD; nothing was changed) */
		r = eesp_open(dp->crypto, &c->dom, domain_epoch_at(c, dp->now_s), pkt, len, v, off,
			      ilen);
		if (r == EESP_E_OK)
			dp->ep_adv[c->idx] = 0;
	}
	if (r == EESP_E_OK)
		dp_rx_epoch_seen(dp, c, v->sctx.epoch);
	return r;
}

static unsigned rx_eesp(struct dp *dp, uint8_t *pkt, size_t len, size_t *off, size_t *ilen)
{
	const struct snap *sn = dp->snap;
	const struct domain *c;
	const struct eesp_sa_key *oob = NULL;
	struct eesp_view v;
	int family, r;
	const uint8_t *src;
	unsigned e;
	struct eesp_replay_key rk;
	struct key_boundary kb;

	switch (eesp_udp_classify(pkt, len)) {
	case EESP_UDP_KEEPALIVE:
		return CNT_KEEPALIVE;
	case EESP_UDP_IKE:
		return CNT_IKE;
	case EESP_UDP_ESP:
		return CNT_ESP;
	case EESP_UDP_RUNT:
		return EESP_E_TRUNCATED;
	case EESP_UDP_EESP:
		break;
	}
	r = eesp_parse(pkt, len, snap_max_crypt_offset(sn), &v);
	if (r != EESP_E_OK)
		return err_cnt(r);
	key_boundary_of(&v.sctx, &kb);
	/* several trust domains: the SPI picks one (proxy role) */
	c = snap_domain_for_spi(sn, v.spi);
	dp->rx_dom = c->idx;
	if (v.has_crypt_offset && v.crypt_offset > c->dom.max_crypt_offset)
		return EESP_E_CRYPT_OFFSET;
	if (v.sctx.profile == EESP_PROFILE_SPI) {
		/* an spi-profile client has its SPI's key out of band; a server
		 * derives it from the root for SPIs in its range */
		oob = domain_sa_key(c, false, v.spi);
		if (!oob && (!c->dom.spi_min || v.spi < c->dom.spi_min || v.spi > c->dom.spi_max ||
			     !eesp_ring_current(&c->keys->domain)))
			return domain_spi_released(c, v.spi) ? CNT_SA_RELEASED
							     : EESP_E_UNKNOWN_DOMAIN;
		/* a server would derive a released SPI's key: refuse it first
		 * (unless the configuration names it) */
		if (!oob && c->n_released && domain_spi_released(c, v.spi) &&
		    !policy_spi_known(sn, c, v.spi))
			return CNT_SA_RELEASED;
	} else if (v.spi != c->dom.spi) {
		return EESP_E_UNKNOWN_DOMAIN;
	}
	if (!oob && eesp_profile_has_node(v.sctx.profile) &&
	    !policy_node_known(sn, c, v.sctx.node_id, &kb))
		return EESP_E_NODE_DENIED;
	if (c->replay) {
		replay_key(&v, &rk);
		if ((e = replay_precheck(dp, c, &v, &rk)))
			return e;
	}
	r = oob ? open_oob(dp, oob, pkt, len, &v, off, ilen)
		: open_derived(dp, c, pkt, len, &v, off, ilen);
	if (r != EESP_E_OK)
		return err_cnt(r);
	/* authenticated: the inner source must be allowed for the sender's
	 * key boundary before the packet may touch any replay window, so a
	 * member cannot move windows with packets that are dropped anyway */
	e = inner_src(pkt + *off, *ilen, &family, &src);
	if (e)
		return e;
	if (v.sctx.profile == EESP_PROFILE_SPI) {
		if (!policy_allows_spi(sn, c, v.spi, family, src, &dp->rx_peer))
			return EESP_E_SPOOFED_SOURCE;
	} else if (!policy_allows_node(sn, c, v.sctx.node_id, &kb, family, src, &dp->rx_peer)) {
		return EESP_E_SPOOFED_SOURCE;
	}
	if (c->replay) {
		/* record the SN (re-checks, so a duplicate that raced through
		 * the precheck on another worker is still dropped) */
		uint64_t ev = 0;
		uint32_t flow = eesp_flow_bucket(0x45455350u, pkt + *off, *ilen, 0, 65535);
		e = replay_rx_update(dp->replay, c->idx, &rk, flow, v.sn, &ev);
		if (ev)
			cnt_add(dp->cnt, CNT_REPLAY_EVICT, ev);
		if (e)
			return e;
	}
	return 0;
}

static unsigned rx_psp(struct dp *dp, uint8_t *pkt, size_t len, size_t *off, size_t *ilen)
{
	const struct snap *sn = dp->snap;
	const struct domain *c = &sn->dom[0];
	struct psp_view v;
	int family, r;
	const uint8_t *src;
	unsigned e;

	if (len == 1 && pkt[0] == 0xff)
		return CNT_KEEPALIVE;
	r = psp_parse(pkt, len, &v);
	if (r != EESP_E_OK)
		return err_cnt(r);
	if (!c->keys->has_psp[v.spi & PSP_SPI_KEY_SELECTOR ? 1 : 0])
		return EESP_E_NO_KEY;
	/* a forged packet with a random SPI must not cost a key derivation
	 * (nor occupy the key cache): only SPIs a peer or policy names */
	if (!policy_spi_known(sn, c, v.spi))
		return domain_spi_released(c, v.spi) ? CNT_SA_RELEASED : CNT_UNKNOWN_SPI;
	r = psp_open(dp->crypto, c->keys, pkt, len, &v, off, ilen);
	if (r != EESP_E_OK)
		return err_cnt(r);
	if (v.next_hdr != 4 && v.next_hdr != 41)
		return EESP_E_BAD_INNER;
	e = inner_src(pkt + *off, *ilen, &family, &src);
	if (e)
		return e;
	if ((v.next_hdr == 4) != (family == AF_INET))
		return EESP_E_BAD_INNER;
	if (!policy_allows_spi(sn, c, v.spi, family, src, &dp->rx_peer))
		return EESP_E_SPOOFED_SOURCE;
	return 0;
}

unsigned rx_packet(struct dp *dp, uint8_t *pkt, size_t len, size_t *off, size_t *ilen)
{
	unsigned r;
	if (dp->conf->mode == EESP_MODE_EESP)
		r = rx_eesp(dp, pkt, len, off, ilen);
	else
		r = rx_psp(dp, pkt, len, off, ilen);
	if (r)
		return r;
	/* belt and braces: the inner packet must lie inside the datagram and
	 * carry its own length (the core checks this too) */
	if (*off > len || *ilen > len - *off || *ilen < 20)
		return EESP_E_BAD_INNER;
	size_t tl;
	if ((pkt[*off] >> 4) == 4)
		tl = eesp_get16(pkt + *off + 2);
	else if (*ilen >= 40)
		tl = (size_t)eesp_get16(pkt + *off + 4) + 40;
	else
		return EESP_E_BAD_INNER;
	if (tl > *ilen || tl < 20)
		return EESP_E_BAD_INNER;
	*ilen = tl; /* trailing bytes are padding */
	return 0;
}
