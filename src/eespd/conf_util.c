// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_util.c - what the parts of the configuration parser share (conf_int.h):
 * warnings, key-file loading through the environment, the key-boundary note.
 * Kept apart so that conf.c, conf_domain.c and conf_peers.c depend on it and
 * not on each other.
 */
#include <stdarg.h>
#include <stdio.h>

#include "conf_int.h"

void conf_warn(struct parse *p, const config_setting_t *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	if (!p->warn || p->warn->n >= CONF_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char *out = p->warn->msg[p->warn->n++];
	if (cfg_line_of(s))
		snprintf(out, sizeof(p->warn->msg[0]), "%s:%u: %s", cfg_file_of(&p->x, s),
			 cfg_line_of(s), msg);
	else
		snprintf(out, sizeof(p->warn->msg[0]), "%s", msg);
}

static int load_key_dir(struct parse *p, const config_setting_t *where, struct domain *d)
{
	char why[512];
	if (!p->env || !p->env->load_key_dir)
		return cfg_fail(&p->x, where, "key directory %s: no key loader", d->key_path);
	if (p->env->load_key_dir(p->env->arg, d->key_path, p->daemon_uid, &d->keys, d->key_version,
				 why, sizeof(why)))
		return cfg_fail(&p->x, where, "%s", why);
	d->dom.keys = d->keys;
	return 0;
}

int conf_load_keys(struct parse *p, const config_setting_t *where, struct domain *d)
{
	if (d->key_is_dir)
		return load_key_dir(p, where, d);

	char why[512];
	bool positioned = false;
	if (!p->env || !p->env->load_keys)
		return cfg_fail(&p->x, where, "key file %s: no key loader", d->key_path);
	if (p->env->load_keys(p->env->arg, d->key_path, p->daemon_uid, &d->keys, &positioned, why,
			      sizeof(why))) {
		if (positioned) {
			snprintf(p->x.err, p->x.err_len, "%s", why);
			return -1;
		}
		return cfg_fail(&p->x, where, "%s", why);
	}
	d->dom.keys = d->keys;
	return 0;
}

/* A peer or policy entry's tenant/group: unless this node holds those
 * roots, no packet of that boundary can be opened here (counted no_key),
 * so the entry never matches: say so (a fleet-wide policy may list tenants
 * a node is not part of, so this is not an error). */
void conf_note_boundary_keys(struct parse *p, const config_setting_t *e, const struct domain *d,
			     uint32_t tenant, uint32_t group)
{
	if (tenant && !eesp_keyset_ring(d->keys, EESP_LEVEL_TENANT, tenant))
		conf_warn(p, e,
			  "tenant %u: this node holds no root key of tenant %u; the entry cannot "
			  "match",
			  tenant, tenant);
	if (group && !eesp_keyset_ring(d->keys, EESP_LEVEL_GROUP, group))
		conf_warn(p, e,
			  "group %u: this node holds no root key of group %u; the entry cannot "
			  "match",
			  group, group);
}
