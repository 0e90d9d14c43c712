/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf_int.h - what the parts of the configuration parser share (conf.c:
 * the file and the daemon group; conf_domain.c: domains, psp, policy;
 * conf_peers.c: peers and routes; conf_util.c: warnings, key loading and
 * the key-boundary note they all use).  Not for the rest of the daemon.
 */
#ifndef EESPD_CONF_INT_H
#define EESPD_CONF_INT_H

#include "cfgutil.h"
#include "conf.h"

struct parse {
	struct cfg_ctx x;
	const struct conf_env *env;
	struct conf_warnings *warn;
	struct eespd_conf *conf;
	struct snap *snap;
	uid_t daemon_uid; /* reads the key files on every reload */
};

/* A note for the caller to log, "file:line: <fmt>" when s has a line. */
void conf_warn(struct parse *p, const config_setting_t *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Load a domain's key file (d->key_path) through the environment; errors
 * name the setting "where" (its key_file line). */
int conf_load_keys(struct parse *p, const config_setting_t *where, struct domain *d);

/* A peer or policy entry in key boundary (tenant, group) of domain d whose
 * roots this node lacks can never match: noted as a warning. */
void conf_note_boundary_keys(struct parse *p, const config_setting_t *e, const struct domain *d,
			     uint32_t tenant, uint32_t group);

/* conf_peercheck.c: peers that collide.  Every setting but the name equal? */
bool conf_peers_identical(const struct peer *a, const struct peer *b);
/* "peer <i> repeats peer <k>" at peer i's entry of the list pl; -1. */
int conf_fail_duplicate_peer(struct parse *p, const config_setting_t *pl, unsigned i, unsigned k);
/* No duplicate, no name twice, no allowed_ips shared within a domain. */
int conf_check_peer_pairs(struct parse *p, const config_setting_t *pl);

/* conf_syntax.c: after libconfig's "syntax error" at line of text, what is
 * most likely wrong ("" if nothing better than the line can be said). */
void conf_syntax_hint(const char *text, int line, char *out, size_t cap);

int conf_parse_domains(struct parse *p, config_t *cf);
int conf_parse_psp(struct parse *p, config_t *cf);
int conf_parse_peers(struct parse *p, config_t *cf);

#endif /* EESPD_CONF_INT_H */
