// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * conf_domain.c - the trust domains ("domain" or "domains", eesp mode), the
 * "psp" group (psp mode) and their receive policy, with their key files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_int.h"
#include "names.h"
#include "replay.h"

static const char *const keys_domain[] = {
    "name",	     "id",	     "key_file",       "key_dir",      "profile",
    "kdf",	     "suite",	     "node_id",	       "tenant",       "group",
    "epoch",	     "epoch_period", "epoch_window",   "crypt_offset", "max_crypt_offset",
    "spi_min",	     "spi_max",	     "sa_phase",       "policy",       "forward_to",
    "epoch_packets", "replay",	     "replay_buckets", "clock_skew",   NULL};
static const char *const keys_psp[] = {"key_file",   "version", "crypt_offset",
				       "spi_master", "policy",	NULL};
static const char *const keys_policy[] = {"nodes", "spis", "prefixes", "tenant", "group", NULL};

/* ------------------------------------------------------------- policy -- */

/* Does the key file hold a tenant root other than the domain's own? */
static bool holds_other_tenants(const struct domain *d)
{
	for (unsigned i = 0; d->keys && i < d->keys->n_tenants; i++)
		if (d->keys->tenant[i].id != d->tenant)
			return true;
	return false;
}

static int policy_boundary(struct parse *p, config_setting_t *e, struct domain *d,
			   struct policy *pe)
{
	if (p->conf->mode == EESP_MODE_PSP) {
		if (config_setting_get_member(e, "tenant") || config_setting_get_member(e, "group"))
			return cfg_fail(&p->x, e,
					"psp policy: tenant and group apply to eesp only");
		return 0;
	}
	if (cfg_u32(&p->x, e, "tenant", false, 0, UINT32_MAX, d->tenant, &pe->tenant) ||
	    cfg_u32(&p->x, e, "group", false, 0, UINT32_MAX, d->group, &pe->group))
		return -1;
	conf_note_boundary_keys(p, e, d, pe->tenant, pe->group);
	if (!config_setting_get_member(e, "tenant") && holds_other_tenants(d))
		conf_warn(p, e,
			  "policy entry without 'tenant' accepts only packets sealed under the "
			  "domain's own tenant level (tenant = %u); the key file holds other "
			  "tenants' roots: give each entry its 'tenant' (before eesp 0.2 such an "
			  "entry accepted every tenant)",
			  d->tenant);
	return 0;
}

static int parse_policy(struct parse *p, config_setting_t *pl, struct domain *d)
{
	int n;
	if (!pl)
		return 0;
	if (!config_setting_is_list(pl))
		return cfg_fail(&p->x, pl,
				"policy must be a list ( { nodes = [...]; prefixes = [...]; } )");
	n = config_setting_length(pl);
	d->policy = calloc((size_t)n + 1, sizeof(*d->policy));
	if (!d->policy)
		return cfg_fail(&p->x, pl, "out of memory");
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(pl, (unsigned)i);
		struct policy *pe = &d->policy[i];
		struct cfg_range *r = NULL;
		d->n_policy++; /* counted first: snap_free frees a half-parsed entry */
		if (!config_setting_is_group(e))
			return cfg_fail(&p->x, e, "each policy entry must be a group { ... }");
		if (cfg_check_members(&p->x, e, keys_policy))
			return -1;
		config_setting_t *nodes = config_setting_get_member(e, "nodes");
		if (!nodes)
			nodes = config_setting_get_member(e, "spis");
		if (!nodes)
			return cfg_fail(&p->x, e, "policy entry needs 'nodes' (eesp) or 'spis'");
		if (cfg_ranges(&p->x, nodes, config_setting_name(nodes), &r, &pe->n_nodes))
			return -1;
		pe->nodes = calloc(pe->n_nodes + 1, sizeof(*pe->nodes));
		for (unsigned k = 0; pe->nodes && k < pe->n_nodes; k++)
			pe->nodes[k] = (struct node_range){r[k].lo, r[k].hi};
		free(r);
		if (!pe->nodes)
			return cfg_fail(&p->x, nodes, "out of memory");
		if (cfg_prefix_list(&p->x, e, "prefixes", true, &pe->prefixes, &pe->n_prefixes) ||
		    policy_boundary(p, e, d, pe))
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- domain -- */

static int parse_name(struct parse *p, config_setting_t *s, struct domain *d)
{
	if (cfg_str(&p->x, s, "name", false, "default", d->name, sizeof(d->name)) < 0)
		return -1;
	if (!d->name[0] || strspn(d->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					   "0123456789._-") != strlen(d->name))
		return cfg_fail(&p->x, config_setting_get_member(s, "name"),
				"domain name \"%s\": use letters, digits, '.', '_' and '-' only",
				d->name);
	return 0;
}

/* profile, id, kdf, suite and the levels: the context the domain seals with */
static int parse_context(struct parse *p, config_setting_t *s, struct domain *d)
{
	unsigned profile, kdf, suite;
	if (cfg_word(&p->x, s, "profile", eesp_profile_names, EESP_PROFILE_NODE, &profile) < 0)
		return -1;
	d->profile = (uint8_t)profile;
	if (cfg_u32(&p->x, s, "id", d->profile != EESP_PROFILE_SPI, 0, UINT32_MAX, 0,
		    &d->dom.spi) ||
	    cfg_word(&p->x, s, "kdf", eesp_kdf_names, EESP_KDF_CMAC_AES256, &kdf) < 0 ||
	    cfg_word(&p->x, s, "suite", eesp_suite_names, EESP_SUITE_AES_GCM_256, &suite) < 0)
		return -1;
	/* SPI 0 is reserved (RFC 4303 section 2.1): no packet can carry it */
	if (config_setting_get_member(s, "id") && !d->dom.spi)
		return cfg_fail(&p->x, config_setting_get_member(s, "id"),
				"id = 0: a domain id is the SPI of its packets and must be "
				"non-zero (take the one of the key file's `domain` line)");
	d->kdf = (uint8_t)kdf;
	d->suite = (uint8_t)suite;
	if (cfg_u32(&p->x, s, "node_id", eesp_profile_has_node(d->profile), 0, UINT32_MAX, 0,
		    &d->node_id) ||
	    cfg_u32(&p->x, s, "tenant", d->profile == EESP_PROFILE_TENANT, 0, UINT32_MAX, 0,
		    &d->tenant))
		return -1;
	if (d->profile == EESP_PROFILE_TENANT && !d->tenant)
		return cfg_fail(&p->x, config_setting_get_member(s, "tenant"),
				"profile tenant needs a non-zero tenant");
	if (cfg_u32(&p->x, s, "group", false, 0, UINT32_MAX, 0, &d->group))
		return -1;
	d->dom.self_node_id = d->node_id;
	d->sctx_flags = (d->tenant ? EESP_SCTX_FLAG_T : 0) | (d->group ? EESP_SCTX_FLAG_G : 0);
	return 0;
}

static int parse_epoch(struct parse *p, config_setting_t *s, struct domain *d)
{
	if (cfg_u32(&p->x, s, "epoch", false, 0, UINT32_MAX, 0, &d->epoch_base) ||
	    cfg_u32(&p->x, s, "epoch_period", false, 0, UINT32_MAX, 0, &d->epoch_period) ||
	    cfg_u32(&p->x, s, "epoch_window", false, 0, UINT32_MAX, 2, &d->dom.epoch_window) ||
	    cfg_u32(&p->x, s, "epoch_packets", false, 0, UINT32_MAX, 0, &d->epoch_packets))
		return -1;
	if (d->epoch_packets && !d->dom.epoch_window)
		return cfg_fail(&p->x, config_setting_get_member(s, "epoch_packets"),
				"epoch_packets needs epoch_window >= 1 (receivers follow the "
				"sender's epoch within the window)");
	return 0;
}

static int parse_replay(struct parse *p, config_setting_t *s, struct domain *d)
{
	uint32_t v;
	if (cfg_bool(&p->x, s, "replay", true, &d->replay) ||
	    cfg_u32(&p->x, s, "clock_skew", false, 1, 86400, 60, &d->clock_skew) ||
	    cfg_u32(&p->x, s, "replay_buckets", false, 1, 1u << EESP_REPLAY_MAX_BUCKET_BITS, 4096,
		    &v))
		return -1;
	if (v & (v - 1))
		return cfg_fail(&p->x, config_setting_get_member(s, "replay_buckets"),
				"replay_buckets must be a power of two");
	for (d->replay_bits = 0; (1u << d->replay_bits) < v; d->replay_bits++)
		;
	return 0;
}

/* crypt offsets, the spi profile's SPI range and phase */
static int parse_offsets(struct parse *p, config_setting_t *s, struct domain *d)
{
	uint32_t v;
	if (cfg_u32(&p->x, s, "crypt_offset", false, 0, 63, 0, &v))
		return -1;
	d->crypt_offset = (uint8_t)v;
	if (cfg_u32(&p->x, s, "max_crypt_offset", false, 0, 63, 0, &v))
		return -1;
	d->dom.max_crypt_offset = v;
	if (cfg_u32(&p->x, s, "spi_min", false, 1, UINT32_MAX, 0, &d->dom.spi_min) ||
	    cfg_u32(&p->x, s, "spi_max", false, 1, UINT32_MAX, 0, &d->dom.spi_max) ||
	    cfg_u32(&p->x, s, "sa_phase", false, 0, 3, 0, &v))
		return -1;
	d->sa_phase = (uint8_t)v;
	return 0;
}

/* The setting the keys came from (key_file or key_dir), for positions. */
static config_setting_t *key_setting(config_setting_t *s)
{
	config_setting_t *k = config_setting_get_member(s, "key_file");
	return k ? k : config_setting_get_member(s, "key_dir");
}

/* key_file = "..." or (eesp domains) key_dir = "...": exactly one */
static int key_source(struct parse *p, config_setting_t *s, struct domain *d, bool dir_ok)
{
	char tmp[256];
	config_setting_t *f = config_setting_get_member(s, "key_file"),
			 *k = config_setting_get_member(s, "key_dir");
	if (f && k)
		return cfg_fail(&p->x, k, "key_dir and key_file: give one of them");
	if (k && !dir_ok)
		return cfg_fail(&p->x, k, "key_dir: psp master keys come from a key_file");
	d->key_is_dir = k != NULL;
	if (cfg_str(&p->x, s, k ? "key_dir" : "key_file", true, "", tmp, sizeof(tmp)) < 0)
		return -1;
	cfg_resolve_path(p->conf->dir, tmp, d->key_path, sizeof(d->key_path));
	return conf_load_keys(p, key_setting(s), d);
}

/* Profile spi: a server holds the domain root and spi_min..spi_max, a
 * client only "sa eesp" data keys, bound to Session ID 1 and one epoch. */
static int check_spi_profile(struct parse *p, config_t *cf, config_setting_t *s,
			     const struct domain *d)
{
	bool any_sa = false, server = eesp_ring_current(&d->keys->domain) != NULL;
	for (unsigned i = 0; i < d->keys->n_sa; i++)
		any_sa |= !d->keys->sa[i].psp;
	if (!server && !any_sa)
		conf_warn(p, key_setting(s),
			  "%s %s holds neither a domain root key (server) nor 'sa eesp' "
			  "data keys (client): this client carries traffic only once its SAs "
			  "are set over the control socket (sa-tx-set, sa-rx-set)",
			  domain_key_source(d), d->key_path);
	if (p->conf->workers != 1)
		return cfg_fail(
		    &p->x, config_lookup(cf, "daemon.workers"),
		    "profile spi needs workers = 1 (the out-of-band data keys are bound "
		    "to Session ID 1)");
	if (d->epoch_period || d->epoch_packets)
		return cfg_fail(
		    &p->x,
		    config_setting_get_member(s,
					      d->epoch_period ? "epoch_period" : "epoch_packets"),
		    "profile spi needs a fixed epoch (epoch_period = 0): the out-of-band "
		    "data keys are bound to it");
	if (server && (!d->dom.spi_min || !d->dom.spi_max || d->dom.spi_min > d->dom.spi_max))
		return cfg_fail(&p->x, s,
				"profile spi with a domain root key (server) needs spi_min <= "
				"spi_max");
	return 0;
}

/* A key file that names its domain (`domain <spi>`) must name this one:
 * keys of another domain would seal with the wrong SPI's keys, and every
 * packet would fail to authenticate with no hint why. */
static int check_key_domain(struct parse *p, config_setting_t *s, const struct domain *d)
{
	config_setting_t *id = config_setting_get_member(s, "id");
	if (!id || !d->keys->has_domain_spi || d->keys->domain_spi == d->dom.spi)
		return 0;
	return cfg_fail(&p->x, id,
			"domain %s: id = 0x%08x, but key file %s is for domain 0x%08x (its "
			"`domain 0x%08x` line): set id = 0x%08x or name this domain's key file",
			d->name, d->dom.spi, d->key_path, d->keys->domain_spi, d->keys->domain_spi,
			d->keys->domain_spi);
}

static int check_keys(struct parse *p, config_t *cf, config_setting_t *s, const struct domain *d)
{
	if (check_key_domain(p, s, d))
		return -1;
	if (d->profile == EESP_PROFILE_SPI) {
		if (check_spi_profile(p, cf, s, d))
			return -1;
	} else if (!eesp_ring_current(&d->keys->domain)) {
		return cfg_fail(&p->x, key_setting(s), "%s %s holds no domain root key",
				domain_key_source(d), d->key_path);
	}
	if (d->tenant && !eesp_keyset_ring(d->keys, EESP_LEVEL_TENANT, d->tenant))
		return cfg_fail(&p->x, config_setting_get_member(s, "tenant"),
				"%s %s holds no root key of tenant %u", domain_key_source(d),
				d->key_path, d->tenant);
	if (d->group && !eesp_keyset_ring(d->keys, EESP_LEVEL_GROUP, d->group))
		return cfg_fail(&p->x, config_setting_get_member(s, "group"),
				"%s %s holds no root key of group %u", domain_key_source(d),
				d->key_path, d->group);
	return 0;
}

static int parse_domain(struct parse *p, config_t *cf, config_setting_t *s, struct domain *d)
{
	if (!s || !config_setting_is_group(s))
		return cfg_fail(&p->x, s, "each domain must be a group { ... }");
	if (cfg_check_members(&p->x, s, keys_domain) || parse_name(p, s, d) ||
	    parse_context(p, s, d) || parse_epoch(p, s, d) || parse_replay(p, s, d) ||
	    parse_offsets(p, s, d) || key_source(p, s, d, true) || check_keys(p, cf, s, d))
		return -1;
	return parse_policy(p, config_setting_get_member(s, "policy"), d);
}

/* no two domains with one name, nor two (non-spi) with one id */
static int check_unique(struct parse *p, config_setting_t *s, unsigned i)
{
	const struct domain *t = &p->snap->dom[i];
	for (unsigned k = 0; k < i; k++) {
		const struct domain *o = &p->snap->dom[k];
		if (!strcmp(o->name, t->name))
			return cfg_fail(&p->x, s, "domain name \"%s\" given twice", t->name);
		if (t->profile != EESP_PROFILE_SPI && o->profile != EESP_PROFILE_SPI &&
		    o->dom.spi == t->dom.spi)
			return cfg_fail(&p->x, s, "domain %s: id 0x%08x is also domain %s's",
					t->name, t->dom.spi, o->name);
	}
	return 0;
}

/* forward_to names the domains a proxy re-seals received traffic for */
static int parse_forward(struct parse *p, config_setting_t *s, unsigned i)
{
	config_setting_t *f = config_setting_get_member(s, "forward_to");
	if (!f)
		return 0;
	if (!config_setting_is_array(f))
		return cfg_fail(&p->x, f, "forward_to must be a list of domain names [ \"b\" ]");
	for (int k = 0; k < config_setting_length(f); k++) {
		const char *nm = config_setting_get_string_elem(f, (unsigned)k);
		unsigned j;
		if (!nm)
			return cfg_fail(&p->x, f, "forward_to: domain names are strings");
		for (j = 0; j < p->snap->n_doms; j++)
			if (!strcmp(p->snap->dom[j].name, nm))
				break;
		if (j == p->snap->n_doms)
			return cfg_fail(&p->x, f, "forward_to: no domain named \"%s\"", nm);
		if (j == i)
			return cfg_fail(&p->x, f, "forward_to: a domain cannot forward to itself");
		p->snap->dom[i].forward_mask |= 1u << j;
	}
	return 0;
}

/* "domain: { ... }" (one domain) or "domains = ( { ... }, ... )". */
int conf_parse_domains(struct parse *p, config_t *cf)
{
	config_setting_t *one = config_lookup(cf, "domain");
	config_setting_t *list = config_lookup(cf, "domains");
	int n;
	if (one && list)
		return cfg_fail(&p->x, list, "give either 'domain' or 'domains', not both");
	if (!one && !list)
		return cfg_fail(&p->x, NULL,
				"mode eesp needs a 'domain' group (or a 'domains' list)");
	if (one) {
		p->snap->n_doms = 1;
		if (parse_domain(p, cf, one, &p->snap->dom[0]))
			return -1;
		/* forward_to names other domains: here it can only be wrong,
		 * and a wrong setting is never ignored */
		return parse_forward(p, one, 0);
	}
	if (!config_setting_is_list(list))
		return cfg_fail(&p->x, list, "domains must be a list ( { ... }, { ... } )");
	n = config_setting_length(list);
	if (n < 1 || n > EESPD_MAX_DOMAINS)
		return cfg_fail(&p->x, list, "domains: 1 to %d domains", EESPD_MAX_DOMAINS);
	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		p->snap->dom[i].idx = (unsigned)i;
		p->snap->n_doms = (unsigned)i + 1;
		if (parse_domain(p, cf, s, &p->snap->dom[i]) || check_unique(p, s, (unsigned)i))
			return -1;
	}
	for (int i = 0; i < n; i++)
		if (parse_forward(p, config_setting_get_elem(list, (unsigned)i), (unsigned)i))
			return -1;
	return 0;
}

int conf_parse_psp(struct parse *p, config_t *cf)
{
	config_setting_t *s = config_lookup(cf, "psp");
	struct domain *d = &p->snap->dom[0];
	uint32_t v;
	if (!s || !config_setting_is_group(s))
		return cfg_fail(&p->x, NULL, "mode psp needs a 'psp' group");
	p->snap->n_doms = 1;
	snprintf(d->name, sizeof(d->name), "%s", eesp_name_of(eesp_mode_names, EESP_MODE_PSP));
	if (cfg_check_members(&p->x, s, keys_psp) ||
	    cfg_u32(&p->x, s, "version", false, 0, PSP_VER_MAX, 1, &d->psp_version) ||
	    cfg_u32(&p->x, s, "crypt_offset", false, 0, 63, 0, &v))
		return -1;
	/* AES-GMAC authenticates the whole packet: its Crypt Offset is reserved */
	if (psp_version_is_gmac(d->psp_version) && v)
		return cfg_fail(&p->x, config_setting_get_member(s, "crypt_offset"),
				"crypt_offset must be 0 with psp version %u (%s: integrity only, "
				"nothing is encrypted)",
				d->psp_version,
				eesp_name_of(eesp_psp_version_names, d->psp_version));
	d->psp_crypt_offset = (uint8_t)v;
	if (cfg_u32(&p->x, s, "spi_master", false, 0, 1, 0, &d->psp_spi_master) ||
	    key_source(p, s, d, false))
		return -1;
	if (!d->keys->has_psp[0] && !d->keys->has_psp[1])
		return cfg_fail(&p->x, key_setting(s),
				"key file %s holds no psp master key (psp 0|1 <hex>)", d->key_path);
	return parse_policy(p, config_setting_get_member(s, "policy"), d);
}
