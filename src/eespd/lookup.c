// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lookup.c - routes, domains, policy and out-of-band keys of a snapshot
 * (lookup.h).
 */
#include "lookup.h"

#include "peerstats.h"

const struct peer *route_lookup(const struct snap *s, int family, const uint8_t *dst)
{
	for (unsigned i = 0; i < s->n_routes; i++)
		if (prefix_contains(&s->routes[i].p, family, dst))
			return &s->peers[s->routes[i].peer];
	return NULL;
}

const struct domain *snap_domain_for_spi(const struct snap *s, uint32_t spi)
{
	for (unsigned i = 0; i < s->n_doms; i++) {
		const struct domain *d = &s->dom[i];
		if (d->profile != EESP_PROFILE_SPI) {
			if (d->dom.spi == spi)
				return d;
		} else if (domain_sa_key(d, false, spi) ||
			   (d->dom.spi_min && spi >= d->dom.spi_min && spi <= d->dom.spi_max)) {
			return d;
		}
	}
	return &s->dom[0];
}

unsigned snap_max_crypt_offset(const struct snap *s)
{
	unsigned m = 0;
	for (unsigned i = 0; i < s->n_doms; i++)
		if (s->dom[i].dom.max_crypt_offset > m)
			m = s->dom[i].dom.max_crypt_offset;
	return m;
}

static bool in_ranges(const struct node_range *r, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++)
		if (v >= r[i].lo && v <= r[i].hi)
			return true;
	return false;
}

static bool in_prefixes(const struct prefix *p, unsigned n, int family, const uint8_t *a)
{
	for (unsigned i = 0; i < n; i++)
		if (prefix_contains(&p[i], family, a))
			return true;
	return false;
}

static bool boundary_is(const struct key_boundary *b, uint32_t tenant, uint32_t group)
{
	uint8_t flags = (tenant ? EESP_SCTX_FLAG_T : 0) | (group ? EESP_SCTX_FLAG_G : 0);
	return b->flags == flags && b->tenant == tenant && b->group == group;
}

bool policy_node_known(const struct snap *s, const struct domain *d, uint32_t node,
		       const struct key_boundary *b)
{
	for (unsigned i = 0; i < s->n_peers; i++) {
		const struct peer *p = &s->peers[i];
		if (p->dom == d->idx && p->node_id == node && boundary_is(b, p->tenant, p->group))
			return true;
	}
	for (unsigned i = 0; i < d->n_policy; i++) {
		const struct policy *p = &d->policy[i];
		if (boundary_is(b, p->tenant, p->group) && in_ranges(p->nodes, p->n_nodes, node))
			return true;
	}
	return false;
}

bool policy_allows_node(const struct snap *s, const struct domain *d, uint32_t node,
			const struct key_boundary *b, int family, const uint8_t *src,
			unsigned *peer)
{
	*peer = PEERSTATS_NONE;
	for (unsigned i = 0; i < s->n_peers; i++) {
		const struct peer *p = &s->peers[i];
		if (p->dom == d->idx && p->node_id == node && boundary_is(b, p->tenant, p->group) &&
		    in_prefixes(p->allowed, p->n_allowed, family, src)) {
			*peer = i;
			return true;
		}
	}
	for (unsigned i = 0; i < d->n_policy; i++) {
		const struct policy *p = &d->policy[i];
		if (boundary_is(b, p->tenant, p->group) && in_ranges(p->nodes, p->n_nodes, node) &&
		    in_prefixes(p->prefixes, p->n_prefixes, family, src))
			return true;
	}
	return false;
}

bool policy_spi_known(const struct snap *s, const struct domain *d, uint32_t spi)
{
	for (unsigned i = 0; i < s->n_peers; i++) {
		const struct peer *p = &s->peers[i];
		for (unsigned k = 0; p->dom == d->idx && k < p->n_rx_spi; k++)
			if (p->rx_spi[k] == spi)
				return true;
	}
	for (unsigned i = 0; i < d->n_policy; i++)
		if (in_ranges(d->policy[i].nodes, d->policy[i].n_nodes, spi))
			return true;
	return false;
}

bool policy_allows_spi(const struct snap *s, const struct domain *d, uint32_t spi, int family,
		       const uint8_t *src, unsigned *peer)
{
	*peer = PEERSTATS_NONE;
	for (unsigned i = 0; i < s->n_peers; i++) {
		const struct peer *p = &s->peers[i];
		if (p->dom != d->idx)
			continue;
		for (unsigned k = 0; k < p->n_rx_spi; k++)
			if (p->rx_spi[k] == spi &&
			    in_prefixes(p->allowed, p->n_allowed, family, src)) {
				*peer = i;
				return true;
			}
	}
	for (unsigned i = 0; i < d->n_policy; i++)
		if (in_ranges(d->policy[i].nodes, d->policy[i].n_nodes, spi) &&
		    in_prefixes(d->policy[i].prefixes, d->policy[i].n_prefixes, family, src))
			return true;
	return false;
}

const struct eesp_sa_key *domain_sa_key(const struct domain *d, bool psp, uint32_t spi)
{
	const struct eesp_sa_key *k = d->keys ? eesp_keyset_sa(d->keys, psp, spi) : NULL;
	for (unsigned i = 0; !k && i < d->n_rt; i++)
		if (d->rt[i].rx && d->rt[i].k.psp == psp && d->rt[i].k.spi == spi &&
		    d->rt[i].k.key_len)
			k = &d->rt[i].k;
	return k;
}

const struct rt_key *peer_rt_tx(const struct domain *d, const struct peer *p)
{
	return p->rt_tx >= 0 && (unsigned)p->rt_tx < d->n_rt ? &d->rt[p->rt_tx] : NULL;
}

bool peer_has_tx_sa(const struct snap *s, const struct domain *d, const struct peer *p)
{
	if (peer_rt_tx(d, p))
		return true;
	if (s->mode == EESP_MODE_PSP)
		return p->tx_key >= 0;
	return d->profile != EESP_PROFILE_SPI || p->tx_spi;
}

bool domain_spi_released(const struct domain *d, uint32_t spi)
{
	unsigned lo = 0, hi = d->n_released;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (d->released[mid] == spi)
			return true;
		if (d->released[mid] < spi)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

uint32_t domain_epoch_at(const struct domain *d, uint64_t unix_s)
{
	if (!d->epoch_period)
		return d->epoch_base;
	return d->epoch_base + (uint32_t)(unix_s / d->epoch_period);
}
