// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlauth.c - per-verb authorisation of control clients (ctlpeer.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ctlpeer.h"

/* SO_PEERGROUPS (Linux 4.13): the client's supplementary groups */
static bool peer_has_group(int fd, gid_t want)
{
	gid_t small[64], *g = small;
	socklen_t len = sizeof(small);
	bool found = false;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len)) {
		if (errno != ERANGE || !(g = malloc(len)))
			return false;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len)) {
			free(g);
			return false;
		}
	}
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (g[i] == want)
			found = true;
	if (g != small)
		free(g);
	return found;
}

void ctl_peer_get(int fd, const struct ctl_groups *g, struct ctl_peer *p)
{
	struct ucred cr;
	socklen_t cl = sizeof(cr);
	memset(p, 0, sizeof(*p));
	p->uid = (uid_t)-1;
	p->gid = (gid_t)-1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) || cl != sizeof(cr))
		return;
	p->known = true;
	p->pid = cr.pid;
	p->uid = cr.uid;
	p->gid = cr.gid;
	if (g->admin_gid != (gid_t)-1)
		p->in_admin_group = cr.gid == g->admin_gid || peer_has_group(fd, g->admin_gid);
	if (g->sa_gid != (gid_t)-1)
		p->in_sa_group = cr.gid == g->sa_gid || peer_has_group(fd, g->sa_gid);
}

static bool named(const char *group)
{
	return group && group[0];
}

int ctl_peer_allow(const struct ctl_peer *p, enum eesp_ctl_verb verb, const struct ctl_groups *g,
		   char *err, size_t err_len)
{
	int cls = eesp_ctl_verb_class(verb);
	const char *v = eesp_ctl_verb_name(verb);
	if (cls == EESP_CTL_CLASS_READ)
		return 0;
	if (p->known && (p->uid == 0 || p->in_admin_group))
		return 0;
	if (cls == EESP_CTL_CLASS_SA && p->known && p->in_sa_group)
		return 0;
	if (cls == EESP_CTL_CLASS_SA && (named(g->admin) || named(g->sa)))
		snprintf(err, err_len, "permission denied: %s needs root%s%s%s%s", v,
			 named(g->admin) ? " or group " : "", named(g->admin) ? g->admin : "",
			 named(g->sa) ? " or group " : "", named(g->sa) ? g->sa : "");
	else if (cls == EESP_CTL_CLASS_SA)
		snprintf(err, err_len,
			 "permission denied: %s needs root (no admin_group or sa_group is "
			 "configured)",
			 v);
	else if (named(g->admin))
		snprintf(err, err_len, "permission denied: %s needs root or group %s", v, g->admin);
	else
		snprintf(err, err_len,
			 "permission denied: %s needs root (no admin_group is configured)", v);
	return -1;
}
