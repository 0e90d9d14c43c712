// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf.c - eesp-iked.conf: the daemon, ike and code_points groups; the
 * peers list is in conf_peers.c.  See conf.h.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgutil.h"
#include "conf_int.h"
#include "ike_proto.h"
#include "log.h"
#include "secmem.h"

static const char *const keys_top[] = {"daemon", "ike", "code_points", "peers", NULL};
static const char *const keys_daemon[] = {
    "user",	   "listen",	   "port",	"control_socket", "control_group",
    "admin_group", "eespd_socket", "log_level", "key_log",	  NULL};
static const char *const keys_ike[] = {"local_id",
				       "proposals",
				       "dpd_interval",
				       "rekey_time",
				       "retransmit_timeout",
				       "retransmit_tries",
				       "cookie_threshold",
				       "half_open_max",
				       "half_open_timeout",
				       "sas_per_peer",
				       NULL};
static const char *const keys_code_points[] = {"psp_protocol", "eesp_protocol",
					       "psp_transform_type", NULL};

/* an IP literal into a (port 0) */
int iconf_parse_ip(const char *s, struct sockaddr_storage *a, socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)a;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)a;
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		*len = sizeof(*a6);
		return 0;
	}
	return -1;
}

void iconf_set_port(struct sockaddr_storage *a, uint16_t port)
{
	if (a->ss_family == AF_INET)
		((struct sockaddr_in *)a)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)a)->sin6_port = htons(port);
}

/* a setting that is a string (NULL when absent); -1 on the wrong type */
static int str_setting(struct conf_parse *p, const config_setting_t *g, const char *name,
		       const char **out)
{
	config_setting_t *s = config_setting_get_member(g, name);
	*out = NULL;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_fail(&p->x, s, "'%s' must be a string", name);
	*out = config_setting_get_string(s);
	return 0;
}

int iconf_parse_proposals(struct conf_parse *p, const config_setting_t *g, struct ike_suite *out,
			  unsigned *n)
{
	config_setting_t *s = config_setting_get_member(g, "proposals");
	char bad[160];
	int len;
	if (!s)
		return 1;
	if (!config_setting_is_aggregate(s) || (len = config_setting_length(s)) == 0)
		return cfg_fail(&p->x, s, "proposals must be a non-empty list of strings");
	if (len > IKED_MAX_PROPOSALS)
		return cfg_fail(&p->x, s, "proposals: at most %d", IKED_MAX_PROPOSALS);
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		if (!v)
			return cfg_fail(&p->x, e, "proposals: element %d must be a string", i);
		if (iked_suite_parse(v, &out[i], bad, sizeof(bad)))
			return cfg_fail(&p->x, e, "proposals: unknown %s", bad);
		for (int k = 0; k < i; k++)
			if (iked_suite_equal(&out[k], &out[i]))
				return cfg_fail(&p->x, e, "proposals: \"%s\" listed twice", v);
	}
	*n = (unsigned)len;
	return 0;
}

int iconf_parse_id(struct conf_parse *p, const config_setting_t *g, const char *name,
		   struct iked_id *id)
{
	const char *v;
	if (str_setting(p, g, name, &v))
		return -1;
	if (!v)
		return cfg_fail(&p->x, g, "missing setting '%s'", name);
	if (iked_id_parse(v, id))
		return cfg_fail(&p->x, config_setting_get_member(g, name),
				"%s \"%s\": want \"fqdn:NAME\" (or a bare NAME) or \"keyid:HEX\" "
				"(1 to %d octets)",
				name, v, IKED_ID_MAX);
	return 0;
}

static int parse_listen(struct conf_parse *p, const config_setting_t *d)
{
	struct iked_conf *c = p->conf;
	config_setting_t *s = config_setting_get_member(d, "listen");
	int len;
	if (!s) {
		iconf_parse_ip("0.0.0.0", &c->listen[0], &(socklen_t){0});
		iconf_parse_ip("::", &c->listen[1], &(socklen_t){0});
		c->n_listen = 2;
		return 0;
	}
	if (!config_setting_is_aggregate(s) || (len = config_setting_length(s)) == 0 ||
	    len > IKED_MAX_LISTEN)
		return cfg_fail(&p->x, s, "listen must be a list of 1 to %d IP addresses",
				IKED_MAX_LISTEN);
	for (int i = 0; i < len; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		socklen_t l;
		if (!v || iconf_parse_ip(v, &c->listen[i], &l))
			return cfg_fail(&p->x, e, "listen: element %d is not an IP address", i);
		for (int k = 0; k < i; k++)
			if (!memcmp(&c->listen[k], &c->listen[i], sizeof(c->listen[i])))
				return cfg_fail(&p->x, e, "listen: %s listed twice", v);
	}
	c->n_listen = (unsigned)len;
	return 0;
}

static int parse_path(struct conf_parse *p, const config_setting_t *d, const char *name,
		      const char *dflt, char *out, size_t cap)
{
	char tmp[4096];
	if (cfg_str(&p->x, d, name, false, dflt, tmp, sizeof(tmp)) < 0)
		return -1;
	if (!tmp[0]) {
		out[0] = 0;
		return 0;
	}
	cfg_resolve_path(p->conf->dir, tmp, out, cap);
	if (!out[0] || strlen(out) >= cap - 1)
		return cfg_fail(&p->x, config_setting_get_member(d, name),
				"%s: path too long for a UNIX socket (%zu at most)", name, cap - 2);
	return 0;
}

/* key_log: off unless set; a path (relative to the configuration) */
static int parse_key_log(struct conf_parse *p, const config_setting_t *d)
{
	char tmp[4096];
	struct iked_conf *c = p->conf;
	if (cfg_str(&p->x, d, "key_log", false, "", tmp, sizeof(tmp)) < 0)
		return -1;
	c->key_log[0] = 0;
	if (!tmp[0])
		return 0;
	cfg_resolve_path(c->dir, tmp, c->key_log, sizeof(c->key_log));
	if (!c->key_log[0] || strlen(c->key_log) >= sizeof(c->key_log) - 1)
		return cfg_fail(&p->x, config_setting_get_member(d, "key_log"),
				"key_log: path too long");
	return 0;
}

/* user, control_group, admin_group: they must exist */
static int parse_accounts(struct conf_parse *p, const config_setting_t *d)
{
	struct iked_conf *c = p->conf;
	config_setting_t *u = config_setting_get_member(d, "user");
	if (cfg_str(&p->x, d, "user", false, IKED_DEFAULT_USER, c->user, sizeof(c->user)) < 0 ||
	    cfg_str(&p->x, d, "control_group", false, "", c->ctl_group, sizeof(c->ctl_group)) < 0 ||
	    cfg_str(&p->x, d, "admin_group", false, "", c->admin_group, sizeof(c->admin_group)) < 0)
		return -1;
	if (!p->env || !p->env->user_ids ||
	    p->env->user_ids(p->env->arg, c->user, &c->uid, &c->gid))
		return cfg_fail(&p->x, u ? u : d,
				"user '%s'%s does not exist: create it with useradd --system "
				"--no-create-home --shell /usr/sbin/nologin %s (or set user to an "
				"account of its own)",
				c->user, u ? "" : " (the default of daemon.user)", c->user);
	c->admin_gid = (gid_t)-1;
	if (c->admin_group[0] &&
	    (!p->env->group_gid || p->env->group_gid(p->env->arg, c->admin_group, &c->admin_gid)))
		return cfg_fail(&p->x, config_setting_get_member(d, "admin_group"),
				"admin_group '%s' does not exist (groupadd --system %s, or leave "
				"it out: admin verbs for root only)",
				c->admin_group, c->admin_group);
	return 0;
}

static int parse_daemon(struct conf_parse *p, const config_setting_t *d)
{
	struct iked_conf *c = p->conf;
	char lvl[32];
	uint32_t v;
	if (!d)
		return cfg_fail(&p->x, NULL, "missing group 'daemon'");
	if (!config_setting_is_group(d))
		return cfg_fail(&p->x, d, "daemon must be a group { ... }");
	if (cfg_check_members(&p->x, d, keys_daemon) || parse_accounts(p, d) ||
	    parse_listen(p, d) || cfg_u32(&p->x, d, "port", false, 1, 65535, 500, &v))
		return -1;
	c->port = (uint16_t)v;
	for (unsigned i = 0; i < c->n_listen; i++)
		iconf_set_port(&c->listen[i], c->port);
	if (parse_path(p, d, "control_socket", IKED_DEFAULT_SOCKET, c->ctl_path,
		       sizeof(c->ctl_path)) ||
	    parse_path(p, d, "eespd_socket", "", c->eespd_socket, sizeof(c->eespd_socket)) ||
	    cfg_str(&p->x, d, "log_level", false, "info", lvl, sizeof(lvl)) < 0)
		return -1;
	if (parse_key_log(p, d))
		return -1;
	c->log_level = log_level_parse(lvl);
	if (c->log_level < 0)
		return cfg_fail(&p->x, config_setting_get_member(d, "log_level"),
				"log_level must be error, warning, info or debug, not \"%s\"", lvl);
	return 0;
}

static int parse_timers(struct conf_parse *p, const config_setting_t *g)
{
	struct iked_conf *c = p->conf;
	if (cfg_u32(&p->x, g, "dpd_interval", false, 0, 86400, 30, &c->dpd_interval) ||
	    cfg_u32(&p->x, g, "rekey_time", false, 0, 30 * 86400, 14400, &c->rekey_time) ||
	    cfg_u32(&p->x, g, "retransmit_timeout", false, 50, 60000, 4000,
		    &c->retransmit_timeout) ||
	    cfg_u32(&p->x, g, "retransmit_tries", false, 0, 20, 5, &c->retransmit_tries) ||
	    cfg_u32(&p->x, g, "half_open_timeout", false, 1, 600, 30, &c->half_open_timeout))
		return -1;
	if (c->rekey_time && c->rekey_time < 2)
		return cfg_fail(&p->x, config_setting_get_member(g, "rekey_time"),
				"rekey_time = %u: 0 (never) or at least 2 s", c->rekey_time);
	return 0;
}

static int parse_ike(struct conf_parse *p, const config_setting_t *g)
{
	struct iked_conf *c = p->conf;
	int r;
	if (!g)
		return cfg_fail(&p->x, NULL, "missing group 'ike' (it holds local_id at least)");
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "ike must be a group { ... }");
	if (cfg_check_members(&p->x, g, keys_ike) || iconf_parse_id(p, g, "local_id", &c->local_id))
		return -1;
	r = iconf_parse_proposals(p, g, c->proposals, &c->n_proposals);
	if (r < 0)
		return -1;
	if (r > 0)
		c->n_proposals = iked_suite_defaults(c->proposals, IKED_MAX_PROPOSALS);
	if (parse_timers(p, g) ||
	    cfg_u32(&p->x, g, "half_open_max", false, 1, 1u << 20, 1024, &c->half_open_max) ||
	    cfg_u32(&p->x, g, "cookie_threshold", false, 0, 1u << 20, 10, &c->cookie_threshold) ||
	    cfg_u32(&p->x, g, "sas_per_peer", false, 2, 64, 4, &c->sas_per_peer))
		return -1;
	if (c->cookie_threshold > c->half_open_max)
		return cfg_fail(&p->x, config_setting_get_member(g, "cookie_threshold"),
				"cookie_threshold = %u is above half_open_max = %u: cookies would "
				"never be asked for before half-open SAs are refused",
				c->cookie_threshold, c->half_open_max);
	return 0;
}

static int parse_code_points(struct conf_parse *p, const config_setting_t *g)
{
	struct iked_conf *c = p->conf;
	uint32_t psp, eesp, tt;
	if (g && !config_setting_is_group(g))
		return cfg_fail(&p->x, g, "code_points must be a group { ... }");
	if (!g) {
		c->psp_protocol = 201;
		c->eesp_protocol = 202;
		c->psp_transform_type = 241;
		return 0;
	}
	if (cfg_check_members(&p->x, g, keys_code_points))
		return -1;
	if (cfg_u32(&p->x, g, "psp_protocol", false, 201, 255, 201, &psp) ||
	    cfg_u32(&p->x, g, "eesp_protocol", false, 201, 255, 202, &eesp) ||
	    cfg_u32(&p->x, g, "psp_transform_type", false, 241, 255, 241, &tt))
		return -1;
	if (psp == eesp)
		return cfg_fail(&p->x, g, "psp_protocol and eesp_protocol are both %u", psp);
	c->psp_protocol = (uint8_t)psp;
	c->eesp_protocol = (uint8_t)eesp;
	c->psp_transform_type = (uint8_t)tt;
	return 0;
}

static int read_tree(config_t *cf, const char *path, const char *text, const char *dir, char *err,
		     size_t err_len)
{
	config_set_include_dir(cf, dir);
	if ((text ? config_read_string(cf, text) : config_read_file(cf, path)) == CONFIG_TRUE)
		return 0;
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO)
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
	else
		snprintf(err, err_len, "%s:%d: %s",
			 config_error_file(cf) ? config_error_file(cf) : path,
			 config_error_line(cf), config_error_text(cf));
	return -1;
}

int iked_conf_parse(const char *path, const char *text, const struct iked_conf_env *env,
		    struct iked_conf *conf, char *err, size_t err_len)
{
	struct conf_parse p = {.x = {path, err, err_len}, .env = env, .conf = conf};
	const char *slash = strrchr(path, '/');
	config_t cf;
	int rc = -1;

	memset(conf, 0, sizeof(*conf));
	snprintf(conf->path, sizeof(conf->path), "%s", path);
	snprintf(conf->dir, sizeof(conf->dir), "%.*s", slash ? (int)(slash - path) : 1,
		 slash ? (slash == path ? "/" : path) : ".");
	config_init(&cf);
	if (read_tree(&cf, path, text, conf->dir, err, err_len))
		goto out;
	if (cfg_check_members(&p.x, config_root_setting(&cf), keys_top) ||
	    parse_daemon(&p, config_lookup(&cf, "daemon")) ||
	    parse_ike(&p, config_lookup(&cf, "ike")) ||
	    parse_code_points(&p, config_lookup(&cf, "code_points")) ||
	    iconf_parse_peers(&p, config_lookup(&cf, "peers")))
		goto out;
	rc = 0;
out:
	config_destroy(&cf);
	if (rc)
		iked_conf_free(conf);
	return rc;
}

void iked_conf_drop_psks(struct iked_conf *conf)
{
	for (unsigned i = 0; conf->peers && i < conf->n_peers; i++) {
		struct iked_psk *k = &conf->peers[i].psk;
		if (k->key)
			eesp_secure_free(k->key, IKED_PSK_MAX);
		k->key = NULL;
		k->len = 0;
	}
}

void iked_conf_free(struct iked_conf *conf)
{
	iked_conf_drop_psks(conf);
	free(conf->peers);
	conf->peers = NULL;
	conf->n_peers = 0;
}
