// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlverbs.c - eesp-iked's control verbs (src/core/ikedctl.h): parse,
 * authorise (initiate and terminate for root and the admin group only),
 * answer from the engine.
 */
#include <stdio.h>
#include <string.h>

#include "ikedctl.h"
#include "ikeproc.h"
#include "log.h"
#include "strbuf.h"

static int authorise(const struct iked_ike *p, const struct ctl_peer *peer,
		     const struct iked_ctl_req *r, char *err, size_t el)
{
	if (!iked_ctl_verb_is_admin(r->verb) ||
	    (peer->known && (peer->uid == 0 || peer->in_admin_group)))
		return 0;
	if (p->conf->admin_group[0])
		snprintf(err, el, "permission denied: %s needs root or group %s",
			 iked_ctl_verb_name(r->verb), p->conf->admin_group);
	else
		snprintf(err, el, "permission denied: %s needs root (no admin_group is configured)",
			 iked_ctl_verb_name(r->verb));
	log_warn("control: refused '%s' to uid %d pid %d", iked_ctl_verb_name(r->verb),
		 peer->known ? (int)peer->uid : -1, (int)peer->pid);
	return -1;
}

static int run_verb(struct iked_ike *p, const struct iked_ctl_req *r, struct strbuf *b, char *err,
		    size_t el)
{
	int n;
	switch (r->verb) {
	case IKED_CTL_STATUS:
		engine_status(p->eng, b, r->json);
		return 0;
	case IKED_CTL_SHOW:
		engine_show(p->eng, b, r->json);
		return 0;
	case IKED_CTL_COUNTERS:
		engine_counters(p->eng, b, r->json);
		return 0;
	case IKED_CTL_INITIATE:
		if (engine_initiate(p->eng, r->peer, err, el))
			return -1;
		strbuf_printf(b, "initiating an IKE SA with %s\n", r->peer);
		return 0;
	case IKED_CTL_TERMINATE:
		n = engine_terminate(p->eng, r->peer, err, el);
		if (n < 0)
			return -1;
		strbuf_printf(b, "%d IKE SA(s) with %s being deleted\n", n, r->peer);
		return 0;
	case IKED_CTL__COUNT:
		break;
	}
	snprintf(err, el, "verb not supported");
	return -1;
}

char *ikeproc_answer(void *arg, const struct ctl_peer *peer, char *line, size_t len,
		     size_t *out_len)
{
	struct iked_ike *p = arg;
	struct iked_ctl_req r;
	struct strbuf b = {0}, o = {0};
	char err[512] = "";
	char *nl = memchr(line, '\n', len);
	int rc;
	if (nl)
		len = (size_t)(nl - line) + 1;
	rc = iked_ctl_parse(line, len, &r, err, sizeof(err));
	if (!rc)
		rc = authorise(p, peer, &r, err, sizeof(err));
	if (!rc)
		rc = run_verb(p, &r, &b, err, sizeof(err));
	if (rc)
		strbuf_printf(&o, "error %s\n", err);
	else if (b.oom)
		strbuf_printf(&o, "error out of memory\n");
	else
		strbuf_printf(&o, "ok\n%.*s", (int)b.len, b.p ? b.p : "");
	strbuf_free(&b);
	if (o.oom) {
		strbuf_free(&o);
		return NULL;
	}
	*out_len = o.len;
	return o.p;
}
