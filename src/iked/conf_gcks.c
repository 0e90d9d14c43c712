// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_gcks.c - the domain key server in eesp-iked.conf: the top-level
 * `gcks` group (we serve a trust domain's root keys), a peer's `member`
 * group (what that identity may receive from us) and a peer's
 * `key_server` group (that peer serves us; our eespd gets the rings).
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

static const char *const keys_gcks[] = {"key_file",
					"key_dir",
					"state_file",
					"domain",
					"grace",
					"ack_timeout_ms",
					"domain_period",
					"tenant_period",
					"group_period",
					"domain_lifetime",
					"tenant_lifetime",
					"group_lifetime",
					NULL};

/* <level>_period and <level>_lifetime: a generation is next for up to a
 * period (made at the switch before), current for a period, previous for
 * the grace: it must be allowed to live that long */
static int parse_lifecycle(struct conf_parse *p, const config_setting_t *g)
{
	static const char *const lv[3] = {"domain", "tenant", "group"};
	struct iked_conf *c = p->conf;
	char name[32];
	for (int l = 0; l < 3; l++) {
		snprintf(name, sizeof(name), "%s_period", lv[l]);
		if (cfg_u32(&p->x, g, name, false, 0, 86400u * 3660, 0, &c->gcks.period[l]))
			return -1;
		snprintf(name, sizeof(name), "%s_lifetime", lv[l]);
		if (cfg_u32(&p->x, g, name, false, 0, 86400u * 3660, 0, &c->gcks.lifetime[l]))
			return -1;
		uint64_t need = 2ull * c->gcks.period[l] + c->gcks.grace;
		if (c->gcks.lifetime[l] && c->gcks.period[l] && c->gcks.lifetime[l] < need)
			return cfg_fail(&p->x, config_setting_get_member(g, name),
					"gcks: %s = %u is shorter than 2 x %s_period + grace = "
					"%llu s (next, then current, then previous)",
					name, c->gcks.lifetime[l], lv[l], (unsigned long long)need);
	}
	return 0;
}
/* state_file is required: without it a restart would serve the key set
 * again, undoing rotations and handing a removed member what it lost */
static int parse_state_file(struct conf_parse *p, const config_setting_t *g)
{
	struct iked_conf *c = p->conf;
	char path[4096];
	if (!config_setting_get_member(g, "state_file"))
		return cfg_fail(&p->x, g,
				"gcks: state_file is required (where the key server keeps the "
				"rings it serves and the members it removed across restarts)");
	if (cfg_str(&p->x, g, "state_file", true, "", path, sizeof(path)) < 0)
		return -1;
	cfg_resolve_path(c->dir, path, c->gcks.state_path, sizeof(c->gcks.state_path));
	const char *base = strrchr(c->gcks.state_path, '/');
	size_t kl = strlen(c->gcks.key_path);
	if (!base || !base[1] || !strcmp(base, "/.") || !strcmp(base, "/..") ||
	    strlen(base + 1) >= sizeof(c->gcks.state_base))
		return cfg_fail(&p->x, config_setting_get_member(g, "state_file"),
				"gcks: state_file must name a file");
	snprintf(c->gcks.state_base, sizeof(c->gcks.state_base), "%s", base + 1);
	snprintf(c->gcks.state_dir, sizeof(c->gcks.state_dir), "%.*s",
		 base == c->gcks.state_path ? 1 : (int)(base - c->gcks.state_path),
		 c->gcks.state_path);
	if (!strcmp(c->gcks.state_path, c->gcks.key_path) ||
	    (c->gcks.key_is_dir && !strncmp(c->gcks.state_path, c->gcks.key_path, kl) &&
	     c->gcks.state_path[kl] == '/'))
		return cfg_fail(&p->x, config_setting_get_member(g, "state_file"),
				"gcks: state_file must lie outside the key file or directory");
	return 0;
}

static const char *const keys_member[] = {"domain", "tenants", "groups", NULL};
static const char *const keys_client[] = {"domain", "eespd_socket", NULL};

int iconf_parse_gcks(struct conf_parse *p, const config_setting_t *g)
{
	struct iked_conf *c = p->conf;
	const config_setting_t *f, *d;
	char path[4096];
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "gcks must be a group { ... }");
	f = config_setting_get_member(g, "key_file");
	d = config_setting_get_member(g, "key_dir");
	if (cfg_check_members(&p->x, g, keys_gcks))
		return -1;
	if (!f == !d)
		return cfg_fail(&p->x, f ? d : g,
				"gcks: give one of key_file and key_dir (the domain's root keys)");
	if (cfg_str(&p->x, g, f ? "key_file" : "key_dir", true, "", path, sizeof(path)) < 0 ||
	    cfg_u32(&p->x, g, "domain", true, 1, UINT32_MAX, 0, &c->gcks.domain) ||
	    cfg_u32(&p->x, g, "grace", false, 1, 86400 * 366, 10, &c->gcks.grace) ||
	    cfg_u32(&p->x, g, "ack_timeout_ms", false, 100, 600000, 5000, &c->gcks.ack_timeout) ||
	    parse_lifecycle(p, g))
		return -1;
	cfg_resolve_path(c->dir, path, c->gcks.key_path, sizeof(c->gcks.key_path));
	c->gcks.key_is_dir = d != NULL;
	if (parse_state_file(p, g))
		return -1;
	c->gcks.on = true;
	return 0;
}

/* a list of ring ids ([ 1, 2 ]), each 1..2^32-1, at most IKED_GCKS_MAX_IDS */
static int id_list(struct conf_parse *p, const config_setting_t *g, const char *name,
		   const struct iked_peer *pe, uint32_t *out, unsigned *n)
{
	const config_setting_t *v = config_setting_get_member(g, name);
	*n = 0;
	if (!v)
		return 0;
	int len = config_setting_is_array(v) ? config_setting_length(v) : -1;
	if (len < 0 || len > IKED_GCKS_MAX_IDS)
		return cfg_fail(&p->x, v, "peer %s: member.%s must be a list of at most %d ids",
				pe->name, name, IKED_GCKS_MAX_IDS);
	for (int i = 0; i < len; i++) {
		const config_setting_t *x = config_setting_get_elem(v, (unsigned)i);
		long long id = config_setting_type(x) == CONFIG_TYPE_INT ||
				       config_setting_type(x) == CONFIG_TYPE_INT64
				   ? config_setting_get_int64(x)
				   : -1;
		if (id < 1 || id > UINT32_MAX)
			return cfg_fail(&p->x, v, "peer %s: member.%s: ids are 1..4294967295",
					pe->name, name);
		for (int k = 0; k < i; k++)
			if (out[k] == (uint32_t)id)
				return cfg_fail(&p->x, v, "peer %s: member.%s: %lld twice",
						pe->name, name, id);
		out[i] = (uint32_t)id;
	}
	*n = (unsigned)len;
	return 0;
}

static int parse_member(struct conf_parse *p, const config_setting_t *g, struct iked_peer *pe)
{
	struct iked_gcks_member *m = &pe->member;
	if (!p->conf->gcks.on)
		return cfg_fail(&p->x, g, "peer %s: member: no gcks group (we serve no domain)",
				pe->name);
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "peer %s: member must be a group { ... }", pe->name);
	if (cfg_check_members(&p->x, g, keys_member) ||
	    cfg_bool(&p->x, g, "domain", false, &m->domain) ||
	    id_list(p, g, "tenants", pe, m->tenants, &m->n_tenants) ||
	    id_list(p, g, "groups", pe, m->groups, &m->n_groups))
		return -1;
	if ((m->domain ? 1 : 0) + m->n_tenants + m->n_groups > IKED_GCKS_MAX_IDS + 1)
		return cfg_fail(&p->x, g, "peer %s: member: at most %d rings in all", pe->name,
				IKED_GCKS_MAX_IDS + 1);
	m->on = true;
	return 0;
}

static int parse_client(struct conf_parse *p, const config_setting_t *g, struct iked_peer *pe)
{
	struct iked_gcks_client *k = &pe->key_server;
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "peer %s: key_server must be a group { ... }", pe->name);
	if (cfg_check_members(&p->x, g, keys_client) ||
	    cfg_u32(&p->x, g, "domain", true, 1, UINT32_MAX, 0, &k->domain) ||
	    iconf_eespd_socket(p, g, pe, "key_server", k->eespd_socket, sizeof(k->eespd_socket)))
		return -1;
	k->on = true;
	return 0;
}

int iconf_parse_peer_gcks(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	const config_setting_t *m = config_setting_get_member(e, "member");
	const config_setting_t *k = config_setting_get_member(e, "key_server");
	memset(&pe->member, 0, sizeof(pe->member));
	memset(&pe->key_server, 0, sizeof(pe->key_server));
	if (m && k)
		return cfg_fail(&p->x, k, "peer %s: member and key_server both: one role per peer",
				pe->name);
	if ((m || k) && pe->kd.on)
		return cfg_fail(&p->x, m ? m : k,
				"peer %s: %s with a psp or eesp group: root keys or SAs, not both",
				pe->name, m ? "member" : "key_server");
	if (m)
		return parse_member(p, m, pe);
	if (k)
		return parse_client(p, k, pe);
	return 0;
}
