// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * context.c - the EESP packet context (SPI, Session ID and SCTX option
 * fields) from command-line options, a domain directory and its keys.
 * Shared by derive, encrypt and decrypt; the bytes are built by the core.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eespctl.h"
#include "packet.h"

int ctx_opt(int c, const char *arg, struct ctx_opts *o)
{
	uint32_t *dst = NULL;
	bool *flag = NULL;
	const char *name = "";

	switch (c - CTX_OPT_BASE) {
	case 0:
		o->dir = arg;
		return 1;
	case 1:
		o->keys = arg;
		return 1;
	case 2:
		dst = &o->spi, flag = &o->has_spi, name = "spi";
		break;
	case 3:
		dst = &o->session, flag = &o->has_session, name = "session";
		break;
	case 4:
		return parse_profile(arg, &o->profile) ? -1 : 1;
	case 5:
		return parse_kdf(arg, &o->kdf) ? -1 : 1;
	case 6:
		return parse_suite(arg, &o->suite) ? -1 : 1;
	case 7:
		dst = &o->epoch, flag = &o->has_epoch, name = "epoch";
		break;
	case 8:
		dst = &o->node, flag = &o->has_node, name = "node";
		break;
	case 9:
		dst = &o->peer, flag = &o->has_peer, name = "peer-node";
		break;
	case 10:
		dst = &o->tenant, flag = &o->has_tenant, name = "tenant";
		break;
	case 11:
		dst = &o->group, flag = &o->has_group, name = "group";
		break;
	case 12:
		o->phases = arg;
		return 1;
	default:
		return 0;
	}
	if (parse_u32(arg, dst)) {
		err("--%s: expected a 32-bit number (0x-hex or decimal), got '%s'", name, arg);
		return -1;
	}
	if (c - CTX_OPT_BASE == 3 && *dst > 0xffff) {
		err("--session: the Session ID is 16 bits (0-65535), got '%s'", arg);
		return -1;
	}
	*flag = true;
	return 1;
}

static int parse_phases(const char *s, uint8_t ph[EESP_LEVELS])
{
	int n = 0;
	const char *p = s;
	while (*p && n < 3) {
		if (*p < '0' || *p > '3')
			goto bad;
		ph[n++] = (uint8_t)(*p - '0');
		p++;
		if ((*p == ',' || *p == '/') && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (*p || !n)
		goto bad;
	return n;
bad:
	err("--phases: expected D[,T[,G]], each 0-3 (generation mod 4), got '%s'", s);
	return -1;
}

void ctx_release(struct ctx_resolved *r)
{
	eesp_keyset_free(r->ks);
	r->ks = NULL;
}

int ctx_resolve(struct ctx_opts *o, bool need_ctx, struct ctx_resolved *r,
		struct eesp_hdr_params *p)
{
	const char *keys = o->keys;

	memset(r, 0, sizeof(*r));
	r->dc.profile = EESP_PROFILE_NODE;
	r->dc.kdf = EESP_KDF_CMAC_AES256;
	r->dc.suite = EESP_SUITE_AES_GCM_256;
	r->dc.node_id = 1;
	r->dc.spi_max = UINT32_MAX;
	if (o->dir && o->keys) {
		err("give --domain or --keys, not both");
		return -1;
	}
	const char *dir = o->dir;
	struct stat st;
	if (!dir && keys && strcmp(keys, "-") && !stat(keys, &st) && S_ISDIR(st.st_mode))
		dir = keys; /* --keys DIR: a domain directory */
	if (dir) {
		if (domain_conf_read(dir, &r->dc) ||
		    domain_key_path(dir, r->key_path, sizeof(r->key_path)))
			return -1;
		keys = r->key_path;
	} else if (keys) {
		snprintf(r->key_path, sizeof(r->key_path), "%s", keys);
	}
	if (!keys)
		keys = "-";
	bool file_has_id = false;
	uint32_t file_id = 0;
	r->ks = load_keys_id(keys, &file_has_id, &file_id);
	if (!r->ks)
		return -1;
	if (o->has_spi) {
		r->dc.id = o->spi;
		r->dc.has_id = r->spi_known = true;
	} else if (r->dc.has_id) {
		r->spi_known = true;
	} else if (file_has_id) {
		r->dc.id = file_id;
		r->dc.has_id = r->spi_known = true;
	}
	if (!need_ctx)
		return 0;
	if (r->dc.mode == EESP_MODE_PSP) {
		err("%s is a PSP domain (master keys, no root keys): use the psp mode",
		    o->dir ? o->dir : o->keys);
		goto fail;
	}
	if (!r->spi_known) {
		err("--spi is needed (no domain id in %s)", strcmp(keys, "-") ? keys : "stdin");
		goto fail;
	}
	if (ctx_build(o, &r->dc, r->ks, keys, p))
		goto fail;
	return 0;
fail:
	ctx_release(r);
	return -1;
}

int ctx_build(const struct ctx_opts *o, const struct domain_conf *dc, const struct eesp_keyset *ks,
	      const char *keys, struct eesp_hdr_params *p)
{
	uint32_t spi = o->has_spi ? o->spi : dc->id;
	/* a key file with no domain root but an `sa eesp` line for this SPI: an
	 * spi-profile client holding its data key */
	const struct eesp_sa_key *sa = NULL;
	if (ks && !eesp_keyset_ring(ks, EESP_LEVEL_DOMAIN, 0)) {
		sa = eesp_keyset_sa(ks, false, spi);
		if (sa)
			ks = NULL;
	}
	unsigned profile = o->profile ? o->profile : sa ? EESP_PROFILE_SPI : dc->profile;
	unsigned kdf = o->kdf ? o->kdf : dc->kdf;
	unsigned suite = o->suite ? o->suite
			 : sa
			     ? (sa->key_len == 32 ? EESP_SUITE_AES_GCM_256 : EESP_SUITE_AES_GCM_128)
			     : dc->suite;
	uint32_t node = o->has_node ? o->node : dc->node_id;
	uint32_t tenant = o->has_tenant ? o->tenant : dc->tenant;
	uint32_t group = o->has_group ? o->group : dc->group;
	uint32_t epoch = o->has_epoch ? o->epoch : dc->epoch;

	memset(p, 0, sizeof(*p));
	p->spi = spi;
	p->session_id = (uint16_t)o->session;
	p->sn = 1;
	p->sctx.profile = (uint8_t)profile;
	p->sctx.kdf = (uint8_t)kdf;
	p->sctx.suite = (uint8_t)suite;
	p->sctx.epoch = epoch;
	if (profile == EESP_PROFILE_TENANT && !tenant) {
		err("profile tenant needs --tenant N");
		goto fail;
	}
	if (profile == EESP_PROFILE_PAIR && !o->has_peer) {
		err("profile pair needs --peer-node N (the receiver's node id)");
		goto fail;
	}
	if (tenant) {
		p->sctx.flags |= EESP_SCTX_FLAG_T;
		p->sctx.tenant_id = tenant;
	}
	if (group) {
		p->sctx.flags |= EESP_SCTX_FLAG_G;
		p->sctx.group_id = group;
	}
	if (eesp_profile_has_node(profile))
		p->sctx.node_id = node;
	if (profile == EESP_PROFILE_PAIR)
		p->sctx.peer_node_id = o->peer;

	/* phases: given, or those of the current generations */
	uint32_t lvl_id[EESP_LEVELS] = {0, tenant, group};
	bool used[EESP_LEVELS] = {true, tenant != 0, group != 0};
	uint8_t ph[EESP_LEVELS] = {0, 0, 0};
	int nph = 0;
	if (o->phases && (nph = parse_phases(o->phases, ph)) < 0)
		goto fail;
	for (int l = 0; l < EESP_LEVELS; l++) {
		enum eesp_level lv = (enum eesp_level)l;
		const struct eesp_ring *ring;
		const struct eesp_root_gen *g;
		if (!used[l]) {
			if (l < nph && ph[l]) {
				err("--phases: the %s level is not used, its phase must be 0",
				    level_name(lv));
				goto fail;
			}
			continue;
		}
		if (!ks) { /* out-of-band data key: phases as given, else 0 */
			p->sctx.phase[l] = l < nph ? ph[l] : 0;
			continue;
		}
		ring = eesp_keyset_ring(ks, lv, lvl_id[l]);
		if (!ring) {
			err("no %s %u root key in %s", level_name(lv), lvl_id[l],
			    strcmp(keys, "-") ? keys : "stdin");
			goto fail;
		}
		if (l < nph) {
			g = eesp_ring_by_phase(ring, ph[l]);
			if (!g) {
				err("no live generation of %s %u has phase %u", level_name(lv),
				    lvl_id[l], ph[l]);
				goto fail;
			}
		} else {
			g = eesp_ring_current(ring);
			if (!g) {
				err("%s %u has no current generation", level_name(lv), lvl_id[l]);
				goto fail;
			}
		}
		p->sctx.phase[l] = (uint8_t)(g->generation % EESP_PHASES);
	}
	return 0;
fail:
	return -1;
}
