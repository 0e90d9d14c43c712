// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_kd.c - a peer's `psp` group in eesp-iked.conf: key download of PSP
 * SAs into our eespd (kd.h), which eespd socket, under which peer name,
 * which PSP versions.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

static const char *const keys_psp[] = {"eespd_socket", "eespd_peer", "versions", "key_poll_ms",
				       NULL};

static int parse_versions(struct conf_parse *p, const config_setting_t *g, struct iked_peer *pe)
{
	const config_setting_t *v = config_setting_get_member(g, "versions");
	struct iked_kd_conf *kd = &pe->kd;
	int n;
	if (!v) {
		kd->versions[0] = 1; /* AES-GCM-256, then AES-GCM-128 */
		kd->versions[1] = 0;
		kd->n_versions = 2;
		return 0;
	}
	n = config_setting_is_array(v) ? config_setting_length(v) : -1;
	if (n < 1 || n > IKED_KD_MAX_VERSIONS)
		return cfg_fail(&p->x, v,
				"peer %s: psp.versions must be a list of 1 to %d PSP "
				"versions ([ 1, 0 ])",
				pe->name, IKED_KD_MAX_VERSIONS);
	for (int i = 0; i < n; i++) {
		const config_setting_t *x = config_setting_get_elem(v, (unsigned)i);
		int ver =
		    config_setting_type(x) == CONFIG_TYPE_INT ? config_setting_get_int(x) : -1;
		if (ver < 0 || ver > 3)
			return cfg_fail(&p->x, v, "peer %s: psp.versions: PSP versions are 0-3",
					pe->name);
		for (int j = 0; j < i; j++)
			if (kd->versions[j] == ver)
				return cfg_fail(&p->x, v, "peer %s: psp.versions: %d twice",
						pe->name, ver);
		kd->versions[i] = (uint8_t)ver;
	}
	kd->n_versions = (unsigned)n;
	return 0;
}

int iconf_parse_kd(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	const config_setting_t *g = config_setting_get_member(e, "psp");
	struct iked_kd_conf *kd = &pe->kd;
	char path[4096];
	memset(kd, 0, sizeof(*kd));
	if (!g)
		return 0;
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "peer %s: psp must be a group { ... }", pe->name);
	if (cfg_check_members(&p->x, g, keys_psp) ||
	    cfg_str(&p->x, g, "eespd_socket", false, "", path, sizeof(path)) < 0 ||
	    cfg_str(&p->x, g, "eespd_peer", false, pe->name, kd->eespd_peer,
		    sizeof(kd->eespd_peer)) < 0 ||
	    cfg_u32(&p->x, g, "key_poll_ms", false, 100, 60000, 1000, &kd->poll_ms) ||
	    parse_versions(p, g, pe))
		return -1;
	for (const char *c = kd->eespd_peer; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return cfg_fail(&p->x, config_setting_get_member(g, "eespd_peer"),
					"peer %s: psp.eespd_peer must not hold blanks", pe->name);
	if (path[0])
		cfg_resolve_path(p->conf->dir, path, kd->eespd_socket, sizeof(kd->eespd_socket));
	else
		snprintf(kd->eespd_socket, sizeof(kd->eespd_socket), "%s", p->conf->eespd_socket);
	if (!kd->eespd_socket[0])
		return cfg_fail(&p->x, g,
				"peer %s: psp: no eespd_socket (here or in the daemon group)",
				pe->name);
	if (strlen(kd->eespd_socket) >= sizeof(kd->eespd_socket) - 1)
		return cfg_fail(&p->x, g,
				"peer %s: psp.eespd_socket: path too long for a UNIX "
				"socket",
				pe->name);
	kd->on = true;
	return 0;
}
