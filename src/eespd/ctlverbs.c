// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlverbs.c - the control protocol's verbs (ctlverbs.h): one table, each
 * verb with its handler; whether a client may use it is the verb's
 * permission class (src/core/ctlproto.h) against the client's credentials
 * (src/sys/ctlpeer.h), checked before any handler runs.
 */
#include "ctlverbs.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "counters.h"
#include "keyops.h"
#include "keysvc.h"
#include "log.h"
#include "metrics.h"
#include "saverbs.h"
#include "status.h"

typedef int verb_fn(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		    size_t el);

static int do_status(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	(void)err, (void)el;
	status_line(b, r->json, e, atomic_load(&e->snap));
	return 0;
}

static int do_show(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		   size_t el)
{
	(void)err, (void)el;
	status_show(b, r->json, e, atomic_load(&e->snap));
	return 0;
}

static int do_counters(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		       size_t el)
{
	uint64_t tot[CNT__COUNT];
	(void)err, (void)el;
	status_sum_counters(e, tot);
	if (r->json)
		strbuf_printf(b, "{");
	status_counters(b, r->json, e, atomic_load(&e->snap), tot, true);
	if (r->json)
		strbuf_printf(b, "}\n");
	return 0;
}

static void keys_object(struct strbuf *b, bool json, const struct snap *s)
{
	if (json)
		strbuf_printf(b, "{");
	status_keys(b, json, s);
	if (json)
		strbuf_printf(b, "}\n");
}

static int do_keys(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		   size_t el)
{
	(void)err, (void)el;
	keys_object(b, r->json, atomic_load(&e->snap));
	return 0;
}

/* the reply names the keys now in force, so an operator who revoked one
 * sees it gone */
static int do_reload(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	if (keyops_reload(e, err, el))
		return -1;
	const struct snap *s = atomic_load(&e->snap);
	if (r->json) {
		strbuf_printf(b, "{\"reloaded\":true,\"config_serial\":%" PRIu64 ",", s->serial);
		status_keys(b, true, s);
		strbuf_printf(b, "}\n");
	} else {
		strbuf_printf(b, "reloaded config %" PRIu64 "\n", s->serial);
		status_keys(b, false, s);
	}
	return 0;
}

static int do_rotate(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t el)
{
	if (keyops_rotate(e, r->level, r->id, r->verb == EESP_CTL_RETIRE, err, el))
		return -1;
	keys_object(b, r->json, atomic_load(&e->snap));
	return 0;
}

static int do_spi_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
			size_t el)
{
	return keysvc_spi_alloc(e, r, b, err, el);
}

static int do_metrics(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		      size_t el)
{
	(void)r, (void)err, (void)el;
	metrics_write(b, e, atomic_load(&e->snap), time(NULL));
	return 0;
}

/* sa-wait is answered by ctlverbs_answer() itself (it may wait) */
static verb_fn *const verb_table[] = {
    [EESP_CTL_STATUS] = do_status,
    [EESP_CTL_SHOW] = do_show,
    [EESP_CTL_COUNTERS] = do_counters,
    [EESP_CTL_KEYS] = do_keys,
    [EESP_CTL_RELOAD] = do_reload,
    [EESP_CTL_ROTATE] = do_rotate,
    [EESP_CTL_RETIRE] = do_rotate,
    [EESP_CTL_SPI_ALLOC] = do_spi_alloc,
    [EESP_CTL_SA_RX_ALLOC] = saverbs_rx_alloc,
    [EESP_CTL_SA_TX_ALLOC] = saverbs_tx_alloc,
    [EESP_CTL_SA_TX_SET] = saverbs_set,
    [EESP_CTL_SA_RX_SET] = saverbs_set,
    [EESP_CTL_SA_RELEASE] = saverbs_release,
    [EESP_CTL_SA_LIST] = saverbs_list,
    [EESP_CTL_METRICS] = do_metrics,
};

void ctlverbs_groups(const struct eespd *e, struct ctl_groups *g)
{
	const struct snap *s = atomic_load(&e->snap);
	g->admin_gid = s->admin_gid;
	g->sa_gid = s->sa_gid;
	g->admin = s->admin_group;
	g->sa = s->sa_group;
}

/* Admin verbs only for root and admin_group (issue 14, finding 9), sa verbs
 * for sa_group too; a refusal is logged with the client's credentials. */
static int authorise(const struct eespd *e, const struct ctl_peer *peer, enum eesp_ctl_verb verb,
		     char *err, size_t el)
{
	struct ctl_groups g;
	ctlverbs_groups(e, &g);
	if (!ctl_peer_allow(peer, verb, &g, err, el))
		return 0;
	log_warn("control: refused '%s' to uid %d gid %d pid %d: %s", eesp_ctl_verb_name(verb),
		 peer->known ? (int)peer->uid : -1, peer->known ? (int)peer->gid : -1,
		 (int)peer->pid, err);
	return -1;
}

/* The request of one line (with its newline or not). */
static int parse_line(char *line, size_t len, struct eesp_ctl_req *req, char *err, size_t el)
{
	char *nl;
	line[len] = 0;
	nl = memchr(line, '\n', len);
	if (nl)
		len = (size_t)(nl - line) + 1;
	memset(req, 0, sizeof(*req));
	req->version = -1;
	if (len == 0 || len > EESP_CTL_MAX_LINE + 1) {
		snprintf(err, el, "request line missing or too long");
		return -1;
	}
	if (eesp_ctl_parse(line, len, req, err, el)) {
		if (!err[0])
			snprintf(err, el, "bad request");
		return -1;
	}
	return 0;
}

/* The verb's handler, or sa-wait's (which may park instead of answering). */
static int run_verb(struct eespd *e, const struct eesp_ctl_req *req, struct ctl_wait *w,
		    struct strbuf *b, char *err, size_t el)
{
	bool park = false;
	int rc;
	if (req->verb == EESP_CTL_SA_WAIT) {
		rc = saverbs_wait(e, req, w ? w->now : true, &park, b, err, el);
		if (!rc && park && w) {
			w->park = true;
			w->wait_ms = 1000u * (req->wait_s ? req->wait_s : EESP_CTL_WAIT_DEFAULT);
		}
		return rc;
	}
	verb_fn *fn = (unsigned)req->verb < sizeof(verb_table) / sizeof(verb_table[0])
			  ? verb_table[req->verb]
			  : NULL;
	if (fn)
		return fn(e, req, b, err, el);
	snprintf(err, el, "verb not supported by eespd");
	return -1;
}

char *ctlverbs_answer(struct eespd *e, const struct ctl_peer *peer, char *line, size_t len,
		      size_t *out_len, struct ctl_wait *w)
{
	char err[512] = "";
	struct eesp_ctl_req req;
	struct strbuf b = {0}, o = {0};
	int rc = parse_line(line, len, &req, err, sizeof(err));

	if (w)
		w->park = false;
	if (!rc)
		rc = authorise(e, peer, req.verb, err, sizeof(err));
	if (!rc)
		rc = run_verb(e, &req, w, &b, err, sizeof(err));
	/* sa-tx-set and sa-rx-set carry a key */
	OPENSSL_cleanse(&req, sizeof(req));
	if (!rc && w && w->park) {
		strbuf_free(&b);
		*out_len = 0;
		return NULL;
	}
	if (rc) {
		for (char *p = err; *p; p++)
			if (*p == '\n')
				*p = ' ';
		strbuf_printf(&o, "error %s\n", err);
	} else if (b.oom) {
		strbuf_printf(&o, "error out of memory\n");
	} else {
		strbuf_printf(&o, "ok\n%.*s", (int)b.len, b.p ? b.p : "");
	}
	strbuf_free(&b);
	if (o.oom)
		return NULL;
	*out_len = o.len;
	return o.p;
}
