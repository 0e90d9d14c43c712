// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf.c - the configuration file as a whole and its daemon group
 * (restart-only settings); the domains, psp group and policy are in
 * conf_domain.c, the peers in conf_peers.c.  See conf.h.
 */
#include "conf.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf_int.h"
#include "ivgen.h"
#include "log.h"
#include "memlock.h"
#include "names.h"

static const char *const keys_top[] = {"daemon", "domain", "domains", "psp", "peers", NULL};
static const char *const keys_daemon[] = {
    "mode",	     "interface",   "mtu",	    "addresses",       "port",	    "source_ports",
    "workers",	     "offload",	    "user",	    "control_socket",  "state_dir", "log_level",
    "control_group", "iv_block",    "gro",	    "udp_gso",	       "udp_gro",   "admin_group",
    "seccomp",	     "lock_memory", "key_dir_poll", "key_dir_inotify", "sa_group",  NULL};

static int parse_source_ports(struct parse *p, const config_setting_t *d)
{
	struct eespd_conf *c = p->conf;
	config_setting_t *sp = config_setting_get_member(d, "source_ports");
	c->sport_min = 49152;
	c->sport_max = 65535;
	if (!sp)
		return 0;
	if (!config_setting_is_array(sp) || config_setting_length(sp) != 2)
		return cfg_fail(&p->x, sp, "source_ports must be [ min, max ]");
	int a = config_setting_get_int_elem(sp, 0), b = config_setting_get_int_elem(sp, 1);
	if (a < 1 || b > 65535 || a > b)
		return cfg_fail(&p->x, sp, "source_ports [%d, %d]: need 1 <= min <= max <= 65535",
				a, b);
	c->sport_min = (uint16_t)a;
	c->sport_max = (uint16_t)b;
	return 0;
}

static int parse_addresses(struct parse *p, const config_setting_t *d)
{
	struct prefix *a = NULL;
	unsigned n = 0;
	if (cfg_prefix_list(&p->x, d, "addresses", false, &a, &n))
		return -1;
	if (n > sizeof(p->conf->addrs) / sizeof(p->conf->addrs[0])) {
		free(a);
		return cfg_fail(&p->x, config_setting_get_member(d, "addresses"),
				"addresses: at most %zu", sizeof(p->conf->addrs) / sizeof(a[0]));
	}
	if (n)
		memcpy(p->conf->addrs, a, n * sizeof(*a));
	p->conf->n_addrs = n;
	free(a);
	return 0;
}

/* control_socket, state_dir, control_group: where the daemon lives */
static int parse_places(struct parse *p, const config_setting_t *d)
{
	struct eespd_conf *c = p->conf;
	char tmp[256];
	snprintf(tmp, sizeof(tmp), "/run/eespd/%s.sock", c->ifname);
	if (cfg_str(&p->x, d, "control_socket", false, tmp, tmp, sizeof(tmp)) < 0)
		return -1;
	cfg_resolve_path(c->dir, tmp, c->ctl_path, sizeof(c->ctl_path));
	if (strlen(c->ctl_path) >= 100)
		return cfg_fail(&p->x, config_setting_get_member(d, "control_socket"),
				"control_socket path too long for a UNIX socket");
	if (cfg_str(&p->x, d, "state_dir", false, "/var/lib/eespd", tmp, sizeof(tmp)) < 0)
		return -1;
	cfg_resolve_path(c->dir, tmp, c->state_dir, sizeof(c->state_dir));
	if (cfg_str(&p->x, d, "control_group", false, "", c->ctl_group, sizeof(c->ctl_group)) < 0)
		return -1;
	return 0;
}

/* daemon.user must exist (issue 14, finding 10): a missing one used to
 * become "nobody", a uid other services share. */
static int resolve_user(struct parse *p, const config_setting_t *d)
{
	const char *u = p->conf->user;
	config_setting_t *s = config_setting_get_member(d, "user");
	if (p->env && p->env->user_uid && !p->env->user_uid(p->env->arg, u, &p->daemon_uid))
		return 0;
	return cfg_fail(&p->x, s ? s : d,
			"user '%s'%s does not exist: create it with useradd --system "
			"--no-create-home --shell /usr/sbin/nologin %s (or set user to an existing "
			"account of its own)",
			u, s ? "" : " (the default of daemon.user)", u);
}

/* daemon.admin_group: the group whose members may use the admin control
 * verbs besides root (issue 14, finding 9); it must exist */
static int parse_admin_group(struct parse *p, const config_setting_t *d)
{
	struct snap *s = p->snap;
	s->admin_gid = (gid_t)-1;
	if (cfg_str(&p->x, d, "admin_group", false, "", s->admin_group, sizeof(s->admin_group)) < 0)
		return -1;
	if (!s->admin_group[0])
		return 0;
	if (p->env && p->env->group_gid &&
	    !p->env->group_gid(p->env->arg, s->admin_group, &s->admin_gid))
		return 0;
	return cfg_fail(&p->x, config_setting_get_member(d, "admin_group"),
			"admin_group '%s' does not exist (create it with groupadd --system %s, "
			"or leave admin_group out: admin verbs for root only)",
			s->admin_group, s->admin_group);
}

/* daemon.sa_group: the group whose members may use the sa verbs (runtime
 * SAs: eesp-iked's user) besides root and admin_group; it must exist */
static int parse_sa_group(struct parse *p, const config_setting_t *d)
{
	struct snap *s = p->snap;
	s->sa_gid = (gid_t)-1;
	if (cfg_str(&p->x, d, "sa_group", false, "", s->sa_group, sizeof(s->sa_group)) < 0)
		return -1;
	if (!s->sa_group[0])
		return 0;
	if (p->env && p->env->group_gid && !p->env->group_gid(p->env->arg, s->sa_group, &s->sa_gid))
		return 0;
	return cfg_fail(&p->x, config_setting_get_member(d, "sa_group"),
			"sa_group '%s' does not exist (create it with groupadd --system %s, or "
			"leave sa_group out: sa verbs for root and admin_group only)",
			s->sa_group, s->sa_group);
}

/* daemon.seccomp and daemon.lock_memory (sandbox.h, memlock.h) */
static int parse_hardening(struct parse *p, const config_setting_t *d)
{
	static const char *const lock_modes[] = {
	    [MEMLOCK_AUTO] = "auto", [MEMLOCK_ALL] = "all", [MEMLOCK_KEYS] = "keys"};
	char mode[16];
	if (cfg_bool(&p->x, d, "seccomp", true, &p->conf->seccomp) ||
	    cfg_str(&p->x, d, "lock_memory", false, "auto", mode, sizeof(mode)) < 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (!strcmp(mode, lock_modes[i])) {
			p->conf->lock_memory = i;
			return 0;
		}
	return cfg_fail(&p->x, config_setting_get_member(d, "lock_memory"),
			"lock_memory must be \"auto\", \"all\" or \"keys\", not \"%s\"", mode);
}

static int parse_log_level(struct parse *p, const config_setting_t *d)
{
	char tmp[32];
	if (cfg_str(&p->x, d, "log_level", false, "info", tmp, sizeof(tmp)) < 0)
		return -1;
	p->snap->log_level = log_level_parse(tmp);
	if (p->snap->log_level < 0)
		return cfg_fail(&p->x, config_setting_get_member(d, "log_level"),
				"log_level must be error, warning, info or debug");
	return 0;
}

static int parse_daemon(struct parse *p, config_t *cf)
{
	struct eespd_conf *c = p->conf;
	config_setting_t *d = config_lookup(cf, "daemon");
	unsigned mode;
	uint32_t v;
	if (!d || !config_setting_is_group(d))
		return cfg_fail(&p->x, d, "missing group 'daemon'");
	if (cfg_check_members(&p->x, config_root_setting(cf), keys_top) ||
	    cfg_check_members(&p->x, d, keys_daemon))
		return -1;
	if (cfg_word(&p->x, d, "mode", eesp_mode_names, EESP_MODE_EESP, &mode) < 0)
		return -1;
	c->mode = (int)mode;
	p->snap->mode = c->mode;
	if (cfg_str(&p->x, d, "interface", false, c->mode == EESP_MODE_PSP ? "psp0" : "eesp0",
		    c->ifname, sizeof(c->ifname)) < 0 ||
	    cfg_u32(&p->x, d, "mtu", false, 576, 65000, 1400, &v))
		return -1;
	c->mtu = v;
	if (parse_addresses(p, d) ||
	    cfg_u32(&p->x, d, "port", false, 1, 65535,
		    c->mode == EESP_MODE_PSP ? PSP_UDP_PORT : EESP_UDP_PORT, &v))
		return -1;
	c->port = (uint16_t)v;
	if (parse_source_ports(p, d) ||
	    cfg_u32(&p->x, d, "workers", false, 1, EESPD_MAX_WORKERS, 1, &v))
		return -1;
	c->workers = v;
	if (cfg_bool(&p->x, d, "offload", true, &c->offload) ||
	    cfg_bool(&p->x, d, "gro", true, &c->gro) ||
	    cfg_bool(&p->x, d, "udp_gso", true, &c->udp_gso) ||
	    cfg_bool(&p->x, d, "udp_gro", true, &c->udp_gro))
		return -1;
	if (cfg_str(&p->x, d, "user", false, "eesp", c->user, sizeof(c->user)) < 0)
		return -1;
	c->user_line = cfg_line_of(config_setting_get_member(d, "user"));
	if (parse_places(p, d) || parse_admin_group(p, d) || parse_sa_group(p, d) ||
	    cfg_u32(&p->x, d, "key_dir_poll", false, 1, 3600, 10, &c->key_dir_poll) ||
	    cfg_bool(&p->x, d, "key_dir_inotify", true, &c->key_dir_inotify))
		return -1;
	c->iv_block = EESP_IVGEN_BLOCK;
	if (cfg_u64(&p->x, d, "iv_block", false, 16, 1ull << 40, &c->iv_block) < 0)
		return -1;
	if (parse_log_level(p, d) || parse_hardening(p, d))
		return -1;
	/* key files belong to the daemon user, which must exist */
	return resolve_user(p, d);
}

/* Read the text into a libconfig tree; errors with libconfig's own reason. */
static int read_tree(config_t *cf, const char *path, const char *text, const char *dir, char *err,
		     size_t err_len)
{
	config_set_include_dir(cf, dir);
	if ((text ? config_read_string(cf, text) : config_read_file(cf, path)) == CONFIG_TRUE)
		return 0;
	const char *file = config_error_file(cf);
	char hint[256] = "";
	if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
		snprintf(err, err_len, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	/* libconfig's own reason, and what it most likely means (not for an
	 * @include'd file, whose text the parser does not have) */
	if (text && (!file || !strcmp(file, path)))
		conf_syntax_hint(text, config_error_line(cf), hint, sizeof(hint));
	snprintf(err, err_len, "%s:%d: %s%s%s", file ? file : path, config_error_line(cf),
		 config_error_text(cf), hint[0] ? ": " : "", hint);
	return -1;
}

int conf_parse(const char *path, const char *text, const char *dir, const struct conf_env *env,
	       struct eespd_conf *conf, struct snap **snapp, struct conf_warnings *warn, char *err,
	       size_t err_len)
{
	struct parse p = {.x = {path, err, err_len}, .env = env, .warn = warn, .conf = conf};
	config_t cf;
	int rc = -1;

	*snapp = NULL;
	memset(conf, 0, sizeof(*conf));
	p.snap = calloc(1, sizeof(*p.snap));
	if (!p.snap) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	snprintf(conf->path, sizeof(conf->path), "%s", path);
	if (dir) {
		snprintf(conf->dir, sizeof(conf->dir), "%s", dir);
	} else {
		const char *slash = strrchr(path, '/');
		snprintf(conf->dir, sizeof(conf->dir), "%.*s", slash ? (int)(slash - path) : 1,
			 slash ? path : ".");
	}
	config_init(&cf);
	if (read_tree(&cf, path, text, conf->dir, err, err_len) || parse_daemon(&p, &cf))
		goto out;
	if (conf->mode == EESP_MODE_EESP ? conf_parse_domains(&p, &cf) : conf_parse_psp(&p, &cf))
		goto out;
	if (conf_parse_peers(&p, &cf))
		goto out;
	snap_finish_keys(p.snap);
	p.snap->loaded_at = time(NULL);
	*snapp = p.snap;
	p.snap = NULL;
	rc = 0;
out:
	config_destroy(&cf);
	snap_free(p.snap);
	return rc;
}

/* ------------------------------------------------------ restart-only -- */

#define DIFF_SCALAR(f)                                                                             \
	{                                                                                          \
#f, offsetof(struct eespd_conf, f), sizeof(((struct eespd_conf *)0)->f)            \
	}
static const struct restart_field {
	const char *name;
	size_t off, len;
} restart_fields[] = {
    {"interface", offsetof(struct eespd_conf, ifname), IFNAMSIZ},
    DIFF_SCALAR(mtu),
    {"addresses", offsetof(struct eespd_conf, addrs), sizeof(((struct eespd_conf *)0)->addrs)},
    DIFF_SCALAR(port),
    {"source_ports", offsetof(struct eespd_conf, sport_min), 2 * sizeof(uint16_t)},
    DIFF_SCALAR(workers),
    DIFF_SCALAR(offload),
    DIFF_SCALAR(gro),
    DIFF_SCALAR(udp_gso),
    DIFF_SCALAR(udp_gro),
    DIFF_SCALAR(user),
    {"control_socket", offsetof(struct eespd_conf, ctl_path), 256},
    DIFF_SCALAR(state_dir),
    {"control_group", offsetof(struct eespd_conf, ctl_group), 64},
    DIFF_SCALAR(iv_block),
    DIFF_SCALAR(seccomp),
    DIFF_SCALAR(lock_memory),
    DIFF_SCALAR(key_dir_poll),
    DIFF_SCALAR(key_dir_inotify),
};

unsigned conf_restart_diff(const struct eespd_conf *running, const struct eespd_conf *next,
			   char *names, size_t cap)
{
	unsigned n = 0;
	size_t len = 0;
	bool full = cap == 0; /* a name did not fit: list no later one in its place */
	if (cap)
		names[0] = 0;
	for (size_t i = 0; i < sizeof(restart_fields) / sizeof(restart_fields[0]); i++) {
		const struct restart_field *f = &restart_fields[i];
		const char *a = (const char *)running + f->off, *b = (const char *)next + f->off;
		bool str = !strcmp(f->name, "interface") || !strcmp(f->name, "user") ||
			   !strcmp(f->name, "control_socket") || !strcmp(f->name, "state_dir") ||
			   !strcmp(f->name, "control_group");
		if (str ? !strncmp(a, b, f->len) : !memcmp(a, b, f->len))
			continue;
		n++;
		if (full)
			continue;
		int w = snprintf(names + len, cap - len, "%s%s", len ? ", " : "", f->name);
		if (w > 0 && (size_t)w < cap - len) {
			len += (size_t)w;
		} else {
			names[len] = 0; /* whole names only */
			full = true;
		}
	}
	return n;
}
