// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_kd.c - a peer's `psp` or `eesp` group in eesp-iked.conf: key
 * download into our eespd (kd.h), which eespd socket, under which peer
 * name; PSP: which versions; EESP: our role in the trust domain.
 */
#include <stdio.h>
#include <string.h>

#include "conf_int.h"

static const char *const keys_psp[] = {"eespd_socket", "eespd_peer", "versions", "key_poll_ms",
				       NULL};
static const char *const keys_eesp[] = {"eespd_socket", "eespd_peer", "role", "key_poll_ms", NULL};

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

/* eesp.role: "key_holder" or "client" */
static int parse_role(struct conf_parse *p, const config_setting_t *g, struct iked_peer *pe)
{
	char role[32];
	if (cfg_str(&p->x, g, "role", true, "", role, sizeof(role)) < 0)
		return -1;
	if (!strcmp(role, "key_holder") || !strcmp(role, "client")) {
		pe->kd.key_holder = role[0] == 'k';
		return 0;
	}
	return cfg_fail(&p->x, config_setting_get_member(g, "role"),
			"peer %s: eesp.role must be \"key_holder\" (our eespd holds the domain's "
			"root key) or \"client\", not \"%s\"",
			pe->name, role);
}

int iconf_parse_kd(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe)
{
	const config_setting_t *gp = config_setting_get_member(e, "psp");
	const config_setting_t *ge = config_setting_get_member(e, "eesp");
	const config_setting_t *g = gp ? gp : ge;
	const char *what = gp ? "psp" : "eesp";
	struct iked_kd_conf *kd = &pe->kd;
	memset(kd, 0, sizeof(*kd));
	if (!g)
		return 0;
	if (gp && ge)
		return cfg_fail(&p->x, ge,
				"peer %s: psp and eesp groups both: one kind of key "
				"download per peer",
				pe->name);
	if (!config_setting_is_group(g))
		return cfg_fail(&p->x, g, "peer %s: %s must be a group { ... }", pe->name, what);
	kd->kind = gp ? IKED_KD_PSP : IKED_KD_EESP;
	if (cfg_check_members(&p->x, g, gp ? keys_psp : keys_eesp) ||
	    (ge && parse_role(p, g, pe)) ||
	    iconf_eespd_socket(p, g, pe, what, kd->eespd_socket, sizeof(kd->eespd_socket)) ||
	    iconf_eespd_peer(p, g, pe, what, kd->eespd_peer, sizeof(kd->eespd_peer)) ||
	    cfg_u32(&p->x, g, "key_poll_ms", false, 100, 60000, 1000, &kd->poll_ms) ||
	    (gp && parse_versions(p, g, pe)))
		return -1;
	kd->on = true;
	return 0;
}
