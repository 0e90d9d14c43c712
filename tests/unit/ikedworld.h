/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ikedworld.h - two eesp-iked engines wired to each other in memory, with
 * a fake clock, for the unit tests: every datagram goes through a queue
 * where a test can drop, repeat, corrupt or inject messages, and time
 * advances only to the next timer either engine has.
 *
 * Node 0 is 198.51.100.1 ("gw1"), node 1 is 198.51.100.2 ("gw2"); each
 * configuration is generated from a template, with the peer, PSKs and
 * overrides the test sets.  AUTH is computed in-process from the PSK the
 * configuration loaded (the daemon asks its authenticating process).
 */
#ifndef IKEDWORLD_H
#define IKEDWORLD_H

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "engine.h"
#include "ike_crypto.h"
#include "iked_confenv.h"
#include "log.h"
#include "psk.h"

#define W_MAXQ 256

struct w_pkt {
	int to; /* node */
	uint8_t buf[IKE_MSG_MAX];
	size_t len;
	struct iked_addr from, local;
};

struct world;
struct w_node {
	struct world *w;
	int id;
	struct iked_conf conf;
	struct iked_engine *e;
	struct iked_addr addr;
	char psk[80];
	unsigned sent;
	/* the key log hook (keylog.h): calls, and the last record's keys */
	unsigned key_logs;
	uint8_t kl_spi_i[8], kl_spi_r[8], kl_ei[IKE_SK_E_MAX], kl_d[IKE_PRF_MAX];
};

struct world {
	int64_t now;
	struct w_node n[2];
	struct w_pkt *q;
	unsigned nq;
	/* a test's hook on every datagram: return 0 deliver, 1 drop */
	int (*filter)(struct world *w, struct w_pkt *p, void *arg);
	void *filter_arg;
	unsigned delivered, dropped;
	/* the last datagram each node sent, for replays */
	struct w_pkt last[2];
};

static int w_send(void *arg, const struct iked_addr *local, const struct iked_addr *remote,
		  const uint8_t *buf, size_t len)
{
	struct w_node *n = arg;
	struct world *w = n->w;
	struct w_pkt *p;
	(void)local;
	(void)remote;
	cr_assert_lt(w->nq, W_MAXQ, "datagram queue overflow");
	cr_assert_leq(len, IKE_MSG_MAX);
	p = &w->q[w->nq++];
	p->to = 1 - n->id;
	memcpy(p->buf, buf, len);
	p->len = len;
	p->from = n->addr;
	p->local = w->n[1 - n->id].addr;
	w->last[n->id] = *p;
	n->sent++;
	return 0;
}

static int64_t w_now(void *arg)
{
	return ((struct w_node *)arg)->w->now;
}

static int w_random(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

static int w_local_for(void *arg, const struct iked_addr *remote, struct iked_addr *local)
{
	(void)remote;
	*local = ((struct w_node *)arg)->addr;
	return 0;
}

static int w_auth(void *arg, unsigned peer, uint16_t prf, const uint8_t *msg, size_t msg_len,
		  const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p, size_t sk_p_len,
		  const uint8_t *id_body, size_t id_len, uint8_t *out)
{
	struct w_node *n = arg;
	const struct iked_psk *k = &n->conf.peers[peer].psk;
	return ike_psk_auth(prf, k->key, k->len, msg, msg_len, nonce, nonce_len, sk_p, sk_p_len,
			    id_body, id_len, out)
		   ? -1
		   : 0;
}

static void w_addr(struct iked_addr *a, int id)
{
	struct sockaddr_in *s = (struct sockaddr_in *)&a->ss;
	memset(a, 0, sizeof(*a));
	s->sin_family = AF_INET;
	s->sin_port = htons(500);
	s->sin_addr.s_addr = htonl(0xC6336400u | (uint32_t)(id + 1)); /* 198.51.100.x */
	a->len = sizeof(*s);
	a->sock = 0;
}

/* Configure node id: ike settings `ike_extra`, peer settings `peer_extra`. */
static void w_config(struct world *w, int id, const char *psk, const char *ike_extra,
		     const char *peer_extra)
{
	struct w_node *n = &w->n[id];
	char text[4096], err[1024];
	snprintf(text, sizeof(text),
		 "daemon: { user = \"test\"; listen = [ \"198.51.100.%d\" ]; };\n"
		 "ike: { local_id = \"fqdn:gw%d.example\"; retransmit_timeout = 500;\n"
		 "  %s %s %s };\n"
		 "peers = ( { name = \"gw%d\"; address = \"198.51.100.%d\";\n"
		 "  remote_id = \"fqdn:gw%d.example\"; psk_file = \"/x/text:%s\"; %s } );\n",
		 id + 1, id + 1,
		 ike_extra && strstr(ike_extra, "dpd_interval") ? "" : "dpd_interval = 0;",
		 ike_extra && strstr(ike_extra, "rekey_time") ? "" : "rekey_time = 0;",
		 ike_extra ? ike_extra : "", 2 - id, 2 - id, 2 - id, psk,
		 peer_extra ? peer_extra : "");
	cr_assert_eq(iked_conf_parse("/test/eesp-iked.conf", text, &iked_test_env, &n->conf, err,
				     sizeof(err)),
		     0, "config of node %d: %s", id, err);
}

static void w_key_log(void *arg, const uint8_t *spi_i, const uint8_t *spi_r,
		      const struct ike_suite *s, const struct ike_keys *k)
{
	struct w_node *n = arg;
	(void)s;
	n->key_logs++;
	memcpy(n->kl_spi_i, spi_i, 8);
	memcpy(n->kl_spi_r, spi_r, 8);
	memcpy(n->kl_ei, k->ei, k->ek_len);
	memcpy(n->kl_d, k->d, k->prf_len);
}

static void w_start(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		struct w_node *n = &w->n[i];
		struct iked_io io = {.arg = n,
				     .send = w_send,
				     .local_for = w_local_for,
				     .now_ms = w_now,
				     .random = w_random,
				     .auth = w_auth,
				     .key_log = w_key_log};
		n->w = w;
		n->id = i;
		w_addr(&n->addr, i);
		n->e = engine_new(&n->conf, &io);
		cr_assert_not_null(n->e);
	}
}

static void w_init(struct world *w)
{
	log_open("iked-test", true, getenv("IKED_TEST_LOG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	memset(w, 0, sizeof(*w));
	w->now = 1000000;
	w->q = calloc(W_MAXQ, sizeof(*w->q));
	cr_assert_not_null(w->q);
}

static void w_free(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		engine_free(w->n[i].e);
		iked_conf_free(&w->n[i].conf);
	}
	free(w->q);
}

/* deliver everything queued (and what the answers queue), in order */
static void w_deliver(struct world *w)
{
	for (unsigned guard = 0; w->nq && guard < 10000; guard++) {
		static struct w_pkt p;
		p = w->q[0];
		memmove(&w->q[0], &w->q[1], (w->nq - 1) * sizeof(w->q[0]));
		w->nq--;
		if (w->filter && w->filter(w, &p, w->filter_arg)) {
			w->dropped++;
			continue;
		}
		w->delivered++;
		engine_input(w->n[p.to].e, &p.local, &p.from, p.buf, p.len);
	}
}

/* run until cond(w) holds or max_ms of fake time pass; returns cond */
static bool w_run(struct world *w, int64_t max_ms, bool (*cond)(struct world *w))
{
	int64_t end = w->now + max_ms;
	for (;;) {
		for (int i = 0; i < 2; i++)
			engine_tick(w->n[i].e);
		w_deliver(w);
		if (cond && cond(w))
			return true;
		int64_t t = engine_next_ms(w->n[0].e), t1 = engine_next_ms(w->n[1].e);
		if (t1 < t)
			t = t1;
		if (t > end)
			break;
		if (t > w->now)
			w->now = t;
	}
	w->now = end;
	for (int i = 0; i < 2; i++)
		engine_tick(w->n[i].e);
	w_deliver(w);
	return cond ? cond(w) : true;
}

/* the SAs of node id in state s */
static unsigned w_count(struct world *w, int id, enum sa_state s)
{
	struct ike_sa *sa;
	unsigned n = 0;
	for (unsigned i = 0; (sa = sa_next(&w->n[id].e->sas, &i));)
		if (sa->state == s)
			n++;
	return n;
}

static struct ike_sa *w_sa(struct world *w, int id, enum sa_state s)
{
	struct ike_sa *sa;
	for (unsigned i = 0; (sa = sa_next(&w->n[id].e->sas, &i));)
		if (sa->state == s)
			return sa;
	return NULL;
}

static uint64_t w_cnt(struct world *w, int id, unsigned c)
{
	return w->n[id].e->cnt[c];
}

static bool w_both_up(struct world *w)
{
	return w_count(w, 0, SA_ESTABLISHED) == 1 && w_count(w, 1, SA_ESTABLISHED) == 1;
}

#endif /* IKEDWORLD_H */
