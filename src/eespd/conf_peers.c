// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_peers.c - the "peers" list (cryptokey routing) and the routing table
 * built from it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "eesp_proto.h"
#include "names.h"

static const char *const keys_peer[] = {"name",	       "endpoint", "node_id", "tx_spi", "rx_spi",
					"allowed_ips", "domain",   "tenant",  "group",	NULL};

/*
 * A bare IPv6 endpoint (no brackets) is taken as an address with the default
 * port only when it cannot be read as ADDR:PORT as well: "2001:db8::2:4500"
 * is both the address 2001:db8::2:4500 and 2001:db8::2 port 4500 (issue 17,
 * item 2: it silently became the former).  True when the text up to the last
 * ':' is an IPv6 address of its own and the rest is a port number.
 */
static bool ipv6_port_ambiguous(const char *s)
{
	const char *c = strrchr(s, ':');
	char head[INET6_ADDRSTRLEN + 8];
	struct in6_addr a;
	char *end;
	if (!c || (size_t)(c - s) >= sizeof(head) || !c[1] ||
	    strspn(c + 1, "0123456789") != strlen(c + 1))
		return false;
	unsigned long port = strtoul(c + 1, &end, 10);
	memcpy(head, s, (size_t)(c - s));
	head[c - s] = 0;
	return port >= 1 && port <= 65535 && inet_pton(AF_INET6, head, &a) == 1;
}

/* 0, -1 (not an endpoint) or -2 (a bare IPv6 address that reads as ADDR:PORT) */
static int parse_endpoint(const char *s, uint16_t dport, struct peer *p)
{
	char host[INET6_ADDRSTRLEN + 8];
	const char *port = NULL;
	unsigned long pv = dport;
	memset(&p->ep, 0, sizeof(p->ep));
	memset(&p->ep6, 0, sizeof(p->ep6));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');
		if (!e || (size_t)(e - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = 0;
		if (e[1] == ':')
			port = e + 2;
		else if (e[1])
			return -1;
	} else {
		const char *c = strchr(s, ':');
		if (c && strchr(c + 1, ':')) {
			if (ipv6_port_ambiguous(s))
				return -2;
			c = NULL; /* bare IPv6, default port */
		}
		size_t hl = c ? (size_t)(c - s) : strlen(s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
		host[hl] = 0;
		if (c)
			port = c + 1;
	}
	if (port) {
		char *end;
		errno = 0;
		pv = strtoul(port, &end, 10);
		if (errno || *end || end == port || pv == 0 || pv > 65535)
			return -1;
	}
	p->ep6.sin6_family = AF_INET6;
	p->ep6.sin6_port = htons((uint16_t)pv);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&p->ep;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&p->ep;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pv);
		p->ep_len = sizeof(*v4);
		p->ep6.sin6_addr.s6_addr[10] = 0xff;
		p->ep6.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&p->ep6.sin6_addr.s6_addr[12], &v4->sin_addr, 4);
		snprintf(p->ep_str, sizeof(p->ep_str), "%s:%lu", host, pv);
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pv);
		p->ep_len = sizeof(*v6);
		p->ep6 = *v6;
		snprintf(p->ep_str, sizeof(p->ep_str), "[%s]:%lu", host, pv);
	} else {
		return -1;
	}
	return 0;
}

/* rx_spi = 0x... or [ 0x..., ... ] */
static int parse_rx_spi(struct parse *p, config_setting_t *e, struct peer *pe)
{
	config_setting_t *rs = config_setting_get_member(e, "rx_spi");
	struct cfg_range *r = NULL;
	unsigned nn = 0;
	if (!rs)
		return 0;
	if (config_setting_is_scalar(rs)) {
		uint32_t one;
		if (cfg_u32(&p->x, e, "rx_spi", true, 1, UINT32_MAX, 0, &one))
			return -1;
		pe->rx_spi = calloc(1, sizeof(uint32_t));
		if (!pe->rx_spi)
			return cfg_fail(&p->x, rs, "out of memory");
		pe->rx_spi[0] = one;
		pe->n_rx_spi = 1;
		return 0;
	}
	if (cfg_ranges(&p->x, rs, "rx_spi", &r, &nn))
		return -1;
	/* each SPI is one a peer sends with: a "LO-HI" string here used to
	 * keep LO and drop the rest without a word */
	for (unsigned k = 0; k < nn; k++)
		if (r[k].lo != r[k].hi) {
			const config_setting_t *el = config_setting_get_elem(rs, k);
			free(r);
			return cfg_fail(&p->x, el,
					"'rx_spi': \"%s\" is a range: list each SPI (ranges are "
					"for policy spis)",
					config_setting_get_string(el));
		}
	pe->rx_spi = calloc(nn + 1, sizeof(uint32_t));
	if (!pe->rx_spi) {
		free(r);
		return cfg_fail(&p->x, rs, "out of memory");
	}
	for (unsigned k = 0; k < nn; k++)
		pe->rx_spi[k] = r[k].lo;
	pe->n_rx_spi = nn;
	free(r);
	return 0;
}

/* domain = "name": required when there are several */
static int parse_peer_domain(struct parse *p, config_setting_t *e, struct peer *pe)
{
	const struct snap *s = p->snap;
	char dn[64];
	if (!config_setting_get_member(e, "domain")) {
		if (s->n_doms > 1)
			return cfg_fail(&p->x, e,
					"peer %s: name its domain (domain = \"...\"): there are %u",
					pe->name, s->n_doms);
		return 0;
	}
	if (cfg_str(&p->x, e, "domain", true, "", dn, sizeof(dn)) < 0)
		return -1;
	for (pe->dom = 0; pe->dom < s->n_doms; pe->dom++)
		if (!strcmp(s->dom[pe->dom].name, dn))
			return 0;
	return cfg_fail(&p->x, config_setting_get_member(e, "domain"),
			"peer %s: no domain named \"%s\"", pe->name, dn);
}

/*
 * Two members with one node id share data keys and nonces (eesp.7 IV
 * UNIQUENESS): a peer with this node's own id, or two peers of a domain
 * with one node id in one key boundary, is a configuration error.
 */
static int peer_node_taken(struct parse *p, const config_setting_t *e, unsigned i,
			   const struct domain *d)
{
	const config_setting_t *pl = config_setting_parent(e);
	const struct peer *pe = &p->snap->peers[i];
	if (!eesp_profile_has_node(d->profile))
		return 0;
	if (pe->node_id == d->node_id)
		return cfg_fail(
		    &p->x, config_setting_get_member(e, "node_id"),
		    "peer %s: node_id %u is this node's own (domain %s): two members with "
		    "one node id reuse nonces",
		    pe->name, pe->node_id, d->name);
	for (unsigned k = 0; k < i; k++) {
		const struct peer *q = &p->snap->peers[k];
		if (conf_peers_identical(pe, q))
			return conf_fail_duplicate_peer(p, pl, i, k);
		if (q->dom == pe->dom && q->node_id == pe->node_id && q->tenant == pe->tenant &&
		    q->group == pe->group)
			return cfg_fail(
			    &p->x, config_setting_get_member(e, "node_id"),
			    "peer %s: node_id %u is also peer %s's: two members with one "
			    "node id reuse nonces",
			    pe->name, pe->node_id, q->name);
	}
	return 0;
}

/* PSP and profile spi: a peer without tx_spi gets its transmit SA over the
 * control socket (sa-tx-set, sa-tx-alloc: eespd(8) "Runtime SAs"); until
 * then what is routed to it is dropped (no_tx_sa).  Said, since a missing
 * tx_spi may also be a mistake. */
static void note_runtime_tx(struct parse *p, const config_setting_t *e, const struct peer *pe)
{
	conf_warn(p, e,
		  "peer %s: no tx_spi: packets to it are dropped (no_tx_sa) until a transmit "
		  "SA is set over the control socket (sa-tx-set)",
		  pe->name);
}

/* eesp: the peer's key boundary, node id and (profile spi) tx_spi */
static int check_eesp_peer(struct parse *p, config_setting_t *e, unsigned i, const struct domain *d)
{
	struct peer *pe = &p->snap->peers[i];
	if (cfg_u32(&p->x, e, "tenant", false, 0, UINT32_MAX, d->tenant, &pe->tenant) ||
	    cfg_u32(&p->x, e, "group", false, 0, UINT32_MAX, d->group, &pe->group))
		return -1;
	conf_note_boundary_keys(p, e, d, pe->tenant, pe->group);
	if (eesp_profile_has_node(d->profile) && !pe->node_id)
		return cfg_fail(&p->x, e, "peer %s: node_id missing (profile %s)", pe->name,
				eesp_name_of(eesp_profile_names, d->profile));
	if (peer_node_taken(p, e, i, d))
		return -1;
	if (d->profile == EESP_PROFILE_SPI && !pe->tx_spi)
		note_runtime_tx(p, e, pe);
	return 0;
}

/* PSP and profile spi: the out-of-band key the peer is sent to with (an
 * "sa" line; a profile-spi server derives it from its root instead). */
static int find_tx_key(struct parse *p, config_setting_t *e, struct peer *pe,
		       const struct domain *d)
{
	bool want_psp = p->conf->mode == EESP_MODE_PSP;
	if (!pe->tx_spi || (!want_psp && d->profile != EESP_PROFILE_SPI))
		return 0;
	for (unsigned k = 0; k < d->keys->n_sa; k++)
		if (d->keys->sa[k].spi == pe->tx_spi && d->keys->sa[k].psp == want_psp)
			pe->tx_key = (int)k;
	bool server = !want_psp && eesp_ring_current(&d->keys->domain) &&
		      pe->tx_spi >= d->dom.spi_min && pe->tx_spi <= d->dom.spi_max;
	if (pe->tx_key < 0 && server)
		return 0; /* sends with the key derived from our root */
	if (pe->tx_key < 0)
		return cfg_fail(&p->x, config_setting_get_member(e, "tx_spi"),
				"peer %s: %s %s has no 'sa %s 0x%08x ...' line", pe->name,
				domain_key_source(d), d->key_path,
				eesp_name_of(eesp_mode_names, p->conf->mode), pe->tx_spi);
	size_t want = want_psp ? psp_version_key_len(d->psp_version) : eesp_suite_key_len(d->suite);
	if (d->keys->sa[pe->tx_key].key_len != want)
		return cfg_fail(&p->x, config_setting_get_member(e, "tx_spi"),
				"peer %s: data key of SPI 0x%08x is %u bytes, %s needs %zu",
				pe->name, pe->tx_spi, d->keys->sa[pe->tx_key].key_len,
				want_psp ? "psp version" : "the suite", want);
	return 0;
}

static int endpoint_ambiguous(struct parse *p, const config_setting_t *e, const struct peer *pe,
			      const char *ep)
{
	const char *c = strrchr(ep, ':');
	return cfg_fail(&p->x, config_setting_get_member(e, "endpoint"),
			"peer %s: endpoint \"%s\" is ambiguous: put an IPv6 address in brackets: "
			"\"[%.*s]:%s\" (port %s) or \"[%s]:%u\" (default port)",
			pe->name, ep, (int)(c - ep), ep, c + 1, c + 1, ep, p->conf->port);
}

static int parse_peer(struct parse *p, config_setting_t *e, unsigned i)
{
	struct peer *pe = &p->snap->peers[i];
	char ep[128];
	pe->tx_key = -1;
	pe->rt_tx = -1;
	if (!config_setting_is_group(e))
		return cfg_fail(&p->x, e, "each peer must be a group { ... }");
	if (cfg_check_members(&p->x, e, keys_peer))
		return -1;
	snprintf(ep, sizeof(ep), "peer%u", i + 1);
	if (cfg_str(&p->x, e, "name", false, ep, pe->name, sizeof(pe->name)) < 0 ||
	    cfg_str(&p->x, e, "endpoint", true, "", ep, sizeof(ep)) < 0)
		return -1;
	int epr = parse_endpoint(ep, p->conf->port, pe);
	if (epr == -2)
		return endpoint_ambiguous(p, e, pe, ep);
	if (epr)
		return cfg_fail(&p->x, config_setting_get_member(e, "endpoint"),
				"peer %s: bad endpoint \"%s\" (ADDR:PORT or [ADDR6]:PORT)",
				pe->name, ep);
	if (cfg_u32(&p->x, e, "node_id", false, 0, UINT32_MAX, 0, &pe->node_id) ||
	    parse_peer_domain(p, e, pe) ||
	    cfg_u32(&p->x, e, "tx_spi", false, 1, UINT32_MAX, 0, &pe->tx_spi) ||
	    parse_rx_spi(p, e, pe) ||
	    cfg_prefix_list(&p->x, e, "allowed_ips", true, &pe->allowed, &pe->n_allowed))
		return -1;
	const struct domain *d = &p->snap->dom[pe->dom];
	if (p->conf->mode == EESP_MODE_EESP) {
		if (check_eesp_peer(p, e, i, d))
			return -1;
	} else if (!pe->tx_spi) {
		note_runtime_tx(p, e, pe);
	}
	pe->n_rx_cfg = pe->n_rx_spi;
	return find_tx_key(p, e, pe, d);
}

static int route_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	return (int)y->p.len - (int)x->p.len;
}

/* one route per allowed prefix, longest first */
static int build_routes(struct parse *p, config_setting_t *pl)
{
	struct snap *s = p->snap;
	unsigned nr = 0;
	for (unsigned i = 0; i < s->n_peers; i++)
		nr += s->peers[i].n_allowed;
	s->routes = calloc(nr + 1, sizeof(*s->routes));
	if (!s->routes)
		return cfg_fail(&p->x, pl, "out of memory");
	for (unsigned i = 0; i < s->n_peers; i++)
		for (unsigned k = 0; k < s->peers[i].n_allowed; k++) {
			s->routes[s->n_routes].p = s->peers[i].allowed[k];
			s->routes[s->n_routes].peer = i;
			s->n_routes++;
		}
	qsort(s->routes, s->n_routes, sizeof(*s->routes), route_cmp);
	return 0;
}

int conf_parse_peers(struct parse *p, config_t *cf)
{
	config_setting_t *pl = config_lookup(cf, "peers");
	struct snap *s = p->snap;
	int n;
	if (!pl)
		return 0;
	if (!config_setting_is_list(pl))
		return cfg_fail(&p->x, pl, "peers must be a list ( { ... }, ... )");
	n = config_setting_length(pl);
	s->peers = calloc((size_t)n + 1, sizeof(*s->peers));
	if (!s->peers)
		return cfg_fail(&p->x, pl, "out of memory");
	for (int i = 0; i < n; i++) {
		s->n_peers++; /* counted first: snap_free frees a half-parsed peer */
		if (parse_peer(p, config_setting_get_elem(pl, (unsigned)i), (unsigned)i))
			return -1;
	}
	return conf_check_peer_pairs(p, pl) ? -1 : build_routes(p, pl);
}
