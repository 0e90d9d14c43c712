// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_peers.c - the peers list of eesp-iked.conf, identities, and the
 * lookups the daemon makes in the result (conf.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_int.h"
#include "ike_proto.h"

static const char *const keys_peer[] = {"name",	      "address",   "port", "remote_id", "psk_file",
					"initiate",   "proposals", "psp",  "eesp",	"member",
					"key_server", "pair",	   NULL};

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int iked_id_parse(const char *s, struct iked_id *id)
{
	memset(id, 0, sizeof(*id));
	if (!strncmp(s, "keyid:", 6)) {
		const char *h = s + 6;
		size_t n = strlen(h);
		if (!strncmp(h, "0x", 2))
			h += 2, n -= 2;
		if (n == 0 || n % 2 || n / 2 > IKED_ID_MAX)
			return -1;
		for (size_t i = 0; i < n / 2; i++) {
			int a = hexval(h[2 * i]), b = hexval(h[2 * i + 1]);
			if (a < 0 || b < 0)
				return -1;
			id->data[i] = (uint8_t)(a << 4 | b);
		}
		id->type = IKE_ID_KEY_ID;
		id->len = (uint8_t)(n / 2);
		return 0;
	}
	if (!strncmp(s, "fqdn:", 5))
		s += 5;
	size_t n = strlen(s);
	if (n == 0 || n > IKED_ID_MAX)
		return -1;
	/* a host name: letters, digits, '-', '.', no blanks or controls */
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.' && s[i] != '_')
			return -1;
	id->type = IKE_ID_FQDN;
	id->len = (uint8_t)n;
	memcpy(id->data, s, n);
	return 0;
}

void iked_id_format(const struct iked_id *id, char *out, size_t cap)
{
	size_t o;
	if (id->type == IKE_ID_FQDN) {
		snprintf(out, cap, "fqdn:%.*s", (int)id->len, (const char *)id->data);
		return;
	}
	o = (size_t)snprintf(out, cap, "%s:", id->type == IKE_ID_KEY_ID ? "keyid" : "id");
	for (unsigned i = 0; i < id->len && o + 3 <= cap; i++)
		o += (size_t)snprintf(out + o, cap - o, "%02x", id->data[i]);
}

static int addr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
}

const struct iked_peer *iked_conf_peer_by_addr(const struct iked_conf *c,
					       const struct sockaddr_storage *a)
{
	for (unsigned i = 0; i < c->n_peers; i++)
		if (addr_equal(&c->peers[i].addr, a))
			return &c->peers[i];
	return NULL;
}

const struct iked_peer *iked_conf_peer_by_name(const struct iked_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}

static int parse_peer_addr(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	config_setting_t *s = config_setting_get_member(e, "address");
	const char *v = s ? config_setting_get_string(s) : NULL;
	uint32_t port;
	if (!s)
		return cfg_fail(&p->x, e, "peer %s: missing setting 'address'", pe->name);
	if (!v || iconf_parse_ip(v, &pe->addr, &pe->addr_len))
		return cfg_fail(&p->x, s, "peer %s: address must be an IPv4 or IPv6 address",
				pe->name);
	if (cfg_u32(&p->x, e, "port", false, 1, 65535, 500, &port))
		return -1;
	iconf_set_port(&pe->addr, (uint16_t)port);
	return 0;
}

static int load_psk(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	char why[4400], path[4096];
	if (cfg_str(&p->x, e, "psk_file", true, "", why, sizeof(why)) < 0)
		return -1;
	cfg_resolve_path(p->conf->dir, why, path, sizeof(path));
	pe->psk_path = strdup(path);
	if (!pe->psk_path)
		return cfg_fail(&p->x, e, "out of memory");
	if (!p->env || !p->env->load_psk)
		return 0; /* checking the text only */
	if (p->env->load_psk(p->env->arg, pe->psk_path, p->conf->uid, &pe->psk, why, sizeof(why)))
		return cfg_fail(&p->x, config_setting_get_member(e, "psk_file"), "peer %s: %s",
				pe->name, why);
	return 0;
}

static int parse_peer(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	int r;
	if (!config_setting_is_group(e))
		return cfg_fail(&p->x, e, "peers: each peer must be a group { ... }");
	if (cfg_check_members(&p->x, e, keys_peer) ||
	    cfg_str(&p->x, e, "name", true, "", pe->name, sizeof(pe->name)) < 0)
		return -1;
	for (const char *c = pe->name; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
			return cfg_fail(&p->x, config_setting_get_member(e, "name"),
					"peer name \"%s\": letters, digits, '-', '_', '.' only",
					pe->name);
	if (!pe->name[0])
		return cfg_fail(&p->x, e, "peer name is empty");
	if (parse_peer_addr(p, e, pe) || iconf_parse_id(p, e, "remote_id", &pe->remote_id) ||
	    cfg_bool(&p->x, e, "initiate", false, &pe->initiate))
		return -1;
	r = iconf_parse_proposals(p, e, pe->proposals, &pe->n_proposals);
	if (r < 0)
		return -1;
	if (r > 0) {
		memcpy(pe->proposals, p->conf->proposals, sizeof(pe->proposals));
		pe->n_proposals = p->conf->n_proposals;
	}
	if (iconf_parse_kd(p, e, pe) || iconf_parse_peer_gcks(p, e, pe) ||
	    iconf_parse_pair(p, e, pe))
		return -1;
	return load_psk(p, e, pe);
}

int iconf_eespd_socket(struct conf_parse *p, const config_setting_t *g, const struct iked_peer *pe,
		       const char *what, char *out, size_t cap)
{
	char path[4096];
	if (cfg_str(&p->x, g, "eespd_socket", false, "", path, sizeof(path)) < 0)
		return -1;
	if (path[0])
		cfg_resolve_path(p->conf->dir, path, out, cap); /* "" when it does not fit */
	else
		snprintf(out, cap, "%s", p->conf->eespd_socket);
	if (!path[0] && !out[0])
		return cfg_fail(&p->x, g,
				"peer %s: %s: no eespd_socket (here or in the daemon group)",
				pe->name, what);
	if (!out[0] || strlen(out) >= cap - 1)
		return cfg_fail(&p->x, g,
				"peer %s: %s.eespd_socket: path too long for a UNIX socket",
				pe->name, what);
	return 0;
}

int iconf_eespd_peer(struct conf_parse *p, const config_setting_t *g, const struct iked_peer *pe,
		     const char *what, char *out, size_t cap)
{
	if (cfg_str(&p->x, g, "eespd_peer", false, pe->name, out, cap) < 0)
		return -1;
	for (const char *c = out; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return cfg_fail(&p->x, config_setting_get_member(g, "eespd_peer"),
					"peer %s: %s.eespd_peer must not hold blanks", pe->name,
					what);
	return 0;
}

int iconf_parse_peers(struct conf_parse *p, const config_setting_t *list)
{
	struct iked_conf *c = p->conf;
	int n;
	if (!list)
		return 0; /* a responder for nobody: allowed, it says so at start */
	if (!config_setting_is_list(list))
		return cfg_fail(&p->x, list, "peers must be a list ( { ... }, ... )");
	n = config_setting_length(list);
	if (n > IKED_MAX_PEERS)
		return cfg_fail(&p->x, list, "peers: at most %d", IKED_MAX_PEERS);
	c->peers = calloc((size_t)n + 1, sizeof(*c->peers));
	if (!c->peers)
		return cfg_fail(&p->x, list, "out of memory");
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
		struct iked_peer *pe = &c->peers[i];
		c->n_peers = (unsigned)i + 1; /* what iked_conf_free must wipe */
		if (parse_peer(p, e, pe))
			return -1;
		const struct iked_peer *same = iked_conf_peer_by_addr(c, &pe->addr);
		if (same != pe)
			return cfg_fail(
			    &p->x, config_setting_get_member(e, "address"),
			    "peer %s: the address of peer %s again (one peer per address "
			    "and port)",
			    pe->name, same->name);
		if (iked_conf_peer_by_name(c, pe->name) != pe)
			return cfg_fail(&p->x, e, "peer name \"%s\" used twice", pe->name);
	}
	return iconf_check_pairs(p, list);
}
