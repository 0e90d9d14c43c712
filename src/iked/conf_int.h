/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf_int.h - what conf.c and conf_peers.c share while parsing.
 */
#ifndef IKED_CONF_INT_H
#define IKED_CONF_INT_H

#include <libconfig.h>

#include "cfgutil.h"
#include "conf.h"

#define IKED_DEFAULT_USER "eesp-iked"
#define IKED_DEFAULT_SOCKET "/run/eesp-iked/ctl.sock"

struct conf_parse {
	struct cfg_ctx x;
	const struct iked_conf_env *env;
	struct iked_conf *conf;
};

int iconf_parse_ip(const char *s, struct sockaddr_storage *a, socklen_t *len);
void iconf_set_port(struct sockaddr_storage *a, uint16_t port);
/* 0 read, 1 absent, -1 error */
int iconf_parse_proposals(struct conf_parse *p, const config_setting_t *g, struct ike_suite *out,
			  unsigned *n);
int iconf_parse_id(struct conf_parse *p, const config_setting_t *g, const char *name,
		   struct iked_id *id);
/* the psp group of a peer (conf_kd.c) */
int iconf_parse_kd(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe);
/* the gcks group and a peer's member / key_server groups (conf_gcks.c) */
int iconf_parse_gcks(struct conf_parse *p, const config_setting_t *g);
int iconf_parse_peer_gcks(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe);
/* a peer's pair group, and the pairs' key_server names once all peers are
 * read (conf_pair.c) */
int iconf_parse_pair(struct conf_parse *p, const config_setting_t *e, struct iked_peer *pe);
int iconf_check_pairs(struct conf_parse *p, const config_setting_t *list);
int iconf_parse_peers(struct conf_parse *p, const config_setting_t *list);
/* A peer group's eespd_socket (resolved against the configuration's
 * directory; default the daemon group's) into out[cap], and its eespd_peer
 * (our eespd's name for the peer; default its name here, no blanks);
 * `what` names the group in the messages ("psp", "key_server", "pair"). */
int iconf_eespd_socket(struct conf_parse *p, const config_setting_t *g, const struct iked_peer *pe,
		       const char *what, char *out, size_t cap);
int iconf_eespd_peer(struct conf_parse *p, const config_setting_t *g, const struct iked_peer *pe,
		     const char *what, char *out, size_t cap);

#endif /* IKED_CONF_INT_H */
