// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_peercheck.c - peers that collide with each other (conf_int.h): an
 * exact duplicate, one name twice, and allowed_ips that overlap between the
 * peers of one domain (issue 17, item 2).  Each used to be accepted: a
 * duplicate or a shared prefix made routing depend on the order of the
 * list, and a prefix another peer also holds lets that peer send with the
 * other's inner addresses (the receive check asks only "is the source in
 * the sender's allowed_ips").
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

static bool same_prefixes(const struct peer *a, const struct peer *b)
{
	if (a->n_allowed != b->n_allowed)
		return false;
	for (unsigned i = 0; i < a->n_allowed; i++)
		if (memcmp(&a->allowed[i], &b->allowed[i], sizeof(a->allowed[i])))
			return false;
	return true;
}

static bool same_rx_spis(const struct peer *a, const struct peer *b)
{
	return a->n_rx_spi == b->n_rx_spi &&
	       (!a->n_rx_spi || !memcmp(a->rx_spi, b->rx_spi, a->n_rx_spi * sizeof(*a->rx_spi)));
}

bool conf_peers_identical(const struct peer *a, const struct peer *b)
{
	return a->dom == b->dom && a->node_id == b->node_id && a->tx_spi == b->tx_spi &&
	       a->tenant == b->tenant && a->group == b->group && !strcmp(a->ep_str, b->ep_str) &&
	       same_prefixes(a, b) && same_rx_spis(a, b);
}

/* The configuration entry of peer i in the "peers" list. */
static const config_setting_t *peer_entry(const config_setting_t *pl, unsigned i)
{
	return config_setting_get_elem(pl, i);
}

int conf_fail_duplicate_peer(struct parse *p, const config_setting_t *pl, unsigned i, unsigned k)
{
	const struct peer *pe = &p->snap->peers[i], *q = &p->snap->peers[k];
	return cfg_fail(&p->x, peer_entry(pl, i),
			"peer %s repeats peer %s (line %u): every setting but the name is the "
			"same; remove one of them",
			pe->name, q->name, cfg_line_of(peer_entry(pl, k)));
}

/* The first prefix of a that overlaps one of b's (-1: none), its partner in *bk. */
static int overlap_of(const struct peer *a, const struct peer *b, unsigned *bk)
{
	for (unsigned i = 0; i < a->n_allowed; i++)
		for (unsigned k = 0; k < b->n_allowed; k++)
			if (prefix_overlaps(&a->allowed[i], &b->allowed[k])) {
				*bk = k;
				return (int)i;
			}
	return -1;
}

static int check_overlap(struct parse *p, const config_setting_t *pl, unsigned i, unsigned k)
{
	const struct peer *pe = &p->snap->peers[i], *q = &p->snap->peers[k];
	unsigned qk = 0;
	int pi = overlap_of(pe, q, &qk);
	char a[64], b[64];
	if (pe->dom != q->dom || pi < 0)
		return 0;
	prefix_format(&pe->allowed[pi], a, sizeof(a));
	prefix_format(&q->allowed[qk], b, sizeof(b));
	return cfg_fail(
	    &p->x, config_setting_get_member(peer_entry(pl, i), "allowed_ips"),
	    "peer %s: allowed_ips %s overlaps %s of peer %s (line %u): an inner address belongs "
	    "to one peer of a domain (it routes there, and only that peer may send from it)",
	    pe->name, a, b, q->name,
	    cfg_line_of(config_setting_get_member(peer_entry(pl, k), "allowed_ips")));
}

int conf_check_peer_pairs(struct parse *p, const config_setting_t *pl)
{
	const struct snap *s = p->snap;
	for (unsigned i = 1; i < s->n_peers; i++)
		for (unsigned k = 0; k < i; k++) {
			const struct peer *pe = &s->peers[i], *q = &s->peers[k];
			if (conf_peers_identical(pe, q))
				return conf_fail_duplicate_peer(p, pl, i, k);
			if (!strcmp(pe->name, q->name))
				return cfg_fail(
				    &p->x, peer_entry(pl, i),
				    "peer name \"%s\" given twice (also line %u): names "
				    "tell peers apart in show and metrics",
				    pe->name, cfg_line_of(peer_entry(pl, k)));
			if (check_overlap(p, pl, i, k))
				return -1;
		}
	return 0;
}
