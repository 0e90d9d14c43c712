// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_pair.c - a peer's `pair` group in eesp-iked.conf (pair.h): the peer
 * is another member of our key server's domain, and our traffic to it is
 * sealed with seed 004's pair keys (eesp(7) PAIRWISE KEYS).  What can be
 * checked before any packet is checked here, with file:line: the pair's
 * IKE SA must negotiate HMAC-SHA2-256 (every proposal offers it), the node
 * ids differ, and key_server names a peer of ours that is our key server.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"
#include "ike_proto.h"

static const char *const keys_pair[] = {"key_server",	"group",      "node_id", "peer_node_id",
					"eespd_socket", "eespd_peer", NULL};

static int check_proposals(struct conf_parse *p, const config_setting_t *g,
			   const struct iked_peer *pe)
{
	for (unsigned i = 0; i < pe->n_proposals; i++)
		if (pe->proposals[i].prf != IKE_PRF_HMAC_SHA2_256)
			return cfg_fail(&p->x, g,
					"peer %s: pair: proposal %u does not use prfsha256; the "
					"pair keys need an IKE SA with HMAC-SHA2-256 (eesp(7))",
					pe->name, i + 1);
	return 0;
}

int iconf_parse_pair(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	const config_setting_t *g = config_setting_get_member(e, "pair");
	struct iked_pair_conf *c = &pe->pair;
	memset(c, 0, sizeof(*c));
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "peer %s: pair must be a group { ... }", pe->name);
	if (pe->kd.on || pe->member.on || pe->key_server.on)
		return cfg_fail(&p->x, g,
				"peer %s: pair with a psp, eesp, member or key_server group: a "
				"pair peer is another member, nothing else",
				pe->name);
	if (cfg_check_members(&p->x, g, keys_pair) ||
	    cfg_str(&p->x, g, "key_server", true, "", c->key_server, sizeof(c->key_server)) < 0 ||
	    cfg_u32(&p->x, g, "group", true, 1, UINT32_MAX, 0, &c->group) ||
	    cfg_u32(&p->x, g, "node_id", true, 1, UINT32_MAX, 0, &c->node_id) ||
	    cfg_u32(&p->x, g, "peer_node_id", true, 1, UINT32_MAX, 0, &c->peer_node_id) ||
	    iconf_eespd_peer(p, g, pe, "pair", c->eespd_peer, sizeof(c->eespd_peer)) ||
	    iconf_eespd_socket(p, g, pe, "pair", c->eespd_socket, sizeof(c->eespd_socket)) ||
	    check_proposals(p, g, pe))
		return -1;
	if (c->node_id == c->peer_node_id)
		return cfg_fail(&p->x, config_setting_get_member(g, "peer_node_id"),
				"peer %s: pair: peer_node_id is our node_id %u (two members "
				"have two ids)",
				pe->name, c->node_id);
	c->on = true;
	return 0;
}

/* key_server of each pair: one of our peers, which is our key server for a
 * domain; every pair of one key server says the same node_id */
int iconf_check_pairs(struct conf_parse *p, const config_setting_t *list)
{
	struct iked_conf *conf = p->conf;
	for (unsigned i = 0; i < conf->n_peers; i++) {
		struct iked_pair_conf *c = &conf->peers[i].pair;
		const config_setting_t *e = config_setting_get_elem(list, i);
		const config_setting_t *g = config_setting_get_member(e, "pair");
		if (!c->on)
			continue;
		const struct iked_peer *ks = iked_conf_peer_by_name(conf, c->key_server);
		if (!ks || !ks->key_server.on)
			return cfg_fail(&p->x, config_setting_get_member(g, "key_server"),
					"peer %s: pair.key_server \"%s\" is %s",
					conf->peers[i].name, c->key_server,
					ks ? "not our key server (no key_server group)"
					   : "no peer of ours");
		c->ks_idx = (unsigned)(ks - conf->peers);
		for (unsigned j = 0; j < i; j++) {
			const struct iked_pair_conf *o = &conf->peers[j].pair;
			if (o->on && o->ks_idx == c->ks_idx && o->node_id != c->node_id)
				return cfg_fail(&p->x, config_setting_get_member(g, "node_id"),
						"peer %s: pair.node_id %u, but peer %s says %u for "
						"the same key server: we have one node id",
						conf->peers[i].name, c->node_id,
						conf->peers[j].name, o->node_id);
		}
	}
	return 0;
}
