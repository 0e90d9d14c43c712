// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * engine.c - the engine as a whole (engine.h): set-up, the timer pass over
 * every SA, the peers we initiate to, the cookie secret, and the refusal
 * log with its rate limit.
 */
#include "engine.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "kd.h"
#include "log.h"
#include "pair.h"
#include "secmem.h"

/* the cookie secret is replaced this often (the previous one still verifies) */
#define COOKIE_ROTATE_MS (120 * 1000)

static void vlog_limited(struct iked_engine *e, int level, unsigned c, const char *fmt, va_list ap)
{
	struct log_limit *l = &e->limit[c < CNT__COUNT ? c : 0];
	char msg[512];
	int64_t t = now_ms(e);
	if (t - l->window_ms >= 1000) {
		if (l->suppressed)
			logmsg(level, "%u more like the next were not logged (counter %s)",
			       l->suppressed, iked_counter_name(c) ? iked_counter_name(c) : "?");
		l->window_ms = t;
		l->n = 0;
		l->suppressed = 0;
	}
	if (l->n >= IKED_LOG_BURST) {
		l->suppressed++;
		return;
	}
	l->n++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	logmsg(level, "%s", msg);
}

void drop(struct iked_engine *e, unsigned c, const char *fmt, ...)
{
	va_list ap;
	if (c < CNT__COUNT)
		cnt(e, c);
	va_start(ap, fmt);
	vlog_limited(e, LOG_LVL_INFO, c, fmt, ap);
	va_end(ap);
}

void refusal(struct iked_engine *e, unsigned c, const char *fmt, ...)
{
	va_list ap;
	if (c && c < CNT__COUNT)
		cnt(e, c);
	va_start(ap, fmt);
	vlog_limited(e, LOG_LVL_WARNING, c, fmt, ap);
	va_end(ap);
}

static int new_cookie_secret(struct iked_engine *e, bool first)
{
	uint8_t s[IKE_COOKIE_SECRET_LEN];
	if (e->io.random(e->io.arg, s, sizeof(s)))
		return -1;
	if (first)
		ike_cookie_init(e->cookie, s);
	else
		ike_cookie_rotate(e->cookie, s);
	eesp_wipe(s, sizeof(s));
	e->cookie_rotate_ms = now_ms(e) + COOKIE_ROTATE_MS;
	return 0;
}

struct iked_engine *engine_new(const struct iked_conf *conf, const struct iked_io *io)
{
	struct iked_engine *e = calloc(1, sizeof(*e));
	int locked;
	if (!e)
		return NULL;
	e->conf = conf;
	e->io = *io;
	e->peers = calloc(conf->n_peers + 1, sizeof(*e->peers));
	e->cookie = eesp_secure_alloc(sizeof(*e->cookie), &locked);
	if (!e->peers || !e->cookie ||
	    sa_table_init(&e->sas,
			  conf->half_open_max + (conf->n_peers + 1) * conf->sas_per_peer) ||
	    new_cookie_secret(e, true) || pair_init(e)) {
		engine_free(e);
		return NULL;
	}
	e->started_ms = now_ms(e);
	for (unsigned i = 0; i < conf->n_peers; i++)
		if (conf->peers[i].initiate)
			e->peers[i].initiate_at = e->started_ms;
	return e;
}

void engine_free(struct iked_engine *e)
{
	if (!e)
		return;
	sa_table_free(&e->sas);
	gcks_free(e);
	pair_free(e);
	if (e->cookie) {
		ike_cookie_wipe(e->cookie);
		eesp_secure_free(e->cookie, sizeof(*e->cookie));
	}
	free(e->peers);
	free(e);
}

/* a peer with `initiate` and no SA: bring one up when it is due */
static int64_t peer_timers(struct iked_engine *e, unsigned i)
{
	struct peer_state *ps = &e->peers[i];
	char err[256];
	if (!ps->initiate_at || e->stopping)
		return 0;
	if (sa_count_peer(&e->sas, i, true)) {
		ps->initiate_at = 0; /* it has one (perhaps the peer's) */
		return 0;
	}
	if (now_ms(e) < ps->initiate_at)
		return ps->initiate_at;
	ps->initiate_at = 0;
	if (init_start(e, i, err, sizeof(err)))
		log_warn("peer %s: cannot initiate: %s", e->conf->peers[i].name, err);
	return 0;
}

void engine_tick(struct iked_engine *e)
{
	struct ike_sa *sa;
	if (now_ms(e) >= e->cookie_rotate_ms)
		new_cookie_secret(e, false);
	gcks_timers(e);
	member_timers(e);
	pair_timers(e);
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		sa_timers(e, sa);
		if (sa->state == SA_DEAD) {
			sa_free(&e->sas, sa);
			i--; /* backward shift may have moved another SA here */
		}
	}
	for (unsigned i = 0; i < e->conf->n_peers; i++)
		peer_timers(e, i);
}

int64_t engine_next_ms(struct iked_engine *e)
{
	int64_t next = e->cookie_rotate_ms;
	struct ike_sa *sa;
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		int64_t t = sa->state == SA_DEAD ? now_ms(e) : 0;
		if (!t) {
			t = sa->req_busy ? sa->req.next_ms : 0;
			if (sa->deadline_ms && (!t || sa->deadline_ms < t))
				t = sa->deadline_ms;
			if (sa->state == SA_ESTABLISHED) {
				if (sa->rekey_at_ms && (!t || sa->rekey_at_ms < t))
					t = sa->rekey_at_ms;
				if (sa->next_dpd_ms && (!t || sa->next_dpd_ms < t))
					t = sa->next_dpd_ms;
			}
			int64_t k = kd_due_ms(sa);
			if (k && (!t || k < t))
				t = k;
		}
		if (t && t < next)
			next = t;
	}
	for (unsigned i = 0; i < e->conf->n_peers; i++)
		if (e->peers[i].initiate_at && e->peers[i].initiate_at < next)
			next = e->peers[i].initiate_at;
	int64_t g = gcks_due_ms(e), m = member_due_ms(e), pr = pair_due_ms(e);
	if (g && g < next)
		next = g;
	if (pr && pr < next)
		next = pr;
	if (m && m < next)
		next = m;
	return next;
}

int engine_initiate(struct iked_engine *e, const char *peer, char *err, size_t err_len)
{
	const struct iked_peer *p = iked_conf_peer_by_name(e->conf, peer);
	if (!p) {
		snprintf(err, err_len, "no peer called '%s'", peer);
		return -1;
	}
	return init_start(e, (unsigned)(p - e->conf->peers), err, err_len);
}

int engine_terminate(struct iked_engine *e, const char *peer, char *err, size_t err_len)
{
	const struct iked_peer *p = iked_conf_peer_by_name(e->conf, peer);
	struct ike_sa *sa;
	int n = 0;
	if (!p) {
		snprintf(err, err_len, "no peer called '%s'", peer);
		return -1;
	}
	e->peers[p - e->conf->peers].initiate_at = 0;
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		if (sa->peer != p)
			continue;
		if (sa->state == SA_ESTABLISHED || sa->state == SA_REKEYED) {
			sa->want = WANT_DELETE; /* before anything else still wanted */
			sa_kick(e, sa);
			n++;
		} else if (sa->state == SA_INIT_I || sa->state == SA_AUTH_I ||
			   sa->state == SA_INIT_R) {
			sa_close(e, sa, false, "terminated by the control socket before it was up");
			n++;
		}
	}
	return n;
}

void engine_shutdown(struct iked_engine *e)
{
	struct ike_sa *sa;
	e->stopping = true;
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		if (sa->state != SA_ESTABLISHED && sa->state != SA_REKEYED)
			continue;
		/* our window may be busy: the Delete goes out anyway, once */
		sa_request_clear(sa);
		if (info_start(e, sa, X_DELETE) == 0)
			log_info("IKE SA #%llu: Delete sent at stop",
				 (unsigned long long)sa->serial);
	}
}
