/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iked_engine.c - two eesp-iked engines against each other in memory
 * (ikedworld.h): establishment, cookies, INVALID_KE, wrong PSK, loss and
 * retransmission, repeated and replayed messages, garbage, rekey both
 * ways, liveness checks, Delete.
 */
#include "engine_int.h"
#include "ikedworld.h"
#include "log.h"

#define PSK "0123456789abcdef-lab"

static void setup_pair(struct world *w, const char *ike0, const char *ike1)
{
	w_init(w);
	w_config(w, 0, PSK, ike0, "initiate = true;");
	w_config(w, 1, PSK, ike1, NULL);
	w_start(w);
}

Test(iked_engine, establishes_childless_sa)
{
	struct world w;
	setup_pair(&w, NULL, NULL);
	cr_assert(w_run(&w, 5000, w_both_up));
	struct ike_sa *a = w_sa(&w, 0, SA_ESTABLISHED), *b = w_sa(&w, 1, SA_ESTABLISHED);
	cr_assert(a->initiator && !b->initiator);
	cr_assert_arr_eq(a->spi_i, b->spi_i, 8);
	cr_assert_arr_eq(a->spi_r, b->spi_r, 8);
	cr_assert_eq(a->suite.encr_bits, 256);
	cr_assert_eq(a->suite.ke, IKE_KE_X25519);
	cr_assert_eq(w_cnt(&w, 0, CNT_SA_ESTABLISHED), 1);
	cr_assert_eq(w_cnt(&w, 1, CNT_SA_ESTABLISHED), 1);
	cr_assert_eq(w.n[1].e->sas.half_open, 0);
	/* exactly four messages: IKE_SA_INIT and IKE_AUTH, each way */
	cr_assert_eq(w.delivered, 4);
	w_free(&w);
}

static bool none_left(struct world *w)
{
	for (int i = 0; i < 2; i++)
		if (w->n[i].e->sas.n)
			return false;
	return true;
}

Test(iked_engine, cookie_always_then_established)
{
	struct world w;
	setup_pair(&w, NULL, "cookie_threshold = 0;");
	cr_assert(w_run(&w, 5000, w_both_up));
	cr_assert_eq(w_cnt(&w, 1, CNT_COOKIE_SENT), 1);
	cr_assert_eq(w_cnt(&w, 0, CNT_COOKIE_RX), 1);
	cr_assert_eq(w_cnt(&w, 1, CNT_BAD_COOKIE), 0);
	/* no state was kept for the cookie-less request */
	cr_assert_eq(w_cnt(&w, 1, CNT_SA_ESTABLISHED), 1);
	cr_assert_eq(w.delivered, 6);
	w_free(&w);
}

/* a forged cookie (the first octet of its data flipped) is refused */
static int flip_cookie(struct world *w, struct w_pkt *p, void *arg)
{
	unsigned *n = arg;
	(void)w;
	/* initiator's second IKE_SA_INIT: N(COOKIE) first, data at 28+8 */
	if (p->to == 1 && p->len > 40 && p->buf[16] == IKE_PT_NOTIFY && (*n)++ == 0)
		p->buf[28 + 8] ^= 1;
	return 0;
}

Test(iked_engine, forged_cookie_refused)
{
	struct world w;
	unsigned n = 0;
	setup_pair(&w, NULL, "cookie_threshold = 0;");
	w.filter = flip_cookie;
	w.filter_arg = &n;
	cr_assert(w_run(&w, 5000, w_both_up));
	cr_assert_eq(w_cnt(&w, 1, CNT_BAD_COOKIE), 1);
	cr_assert_eq(w_cnt(&w, 1, CNT_COOKIE_SENT), 1);
	cr_assert_eq(w_cnt(&w, 0, CNT_COOKIE_RX), 2);
	w_free(&w);
}

Test(iked_engine, invalid_ke_retried)
{
	struct world w;
	setup_pair(&w, NULL, "proposals = [ \"aes128gcm16-prfsha256-ecp256\" ];");
	cr_assert(w_run(&w, 5000, w_both_up));
	cr_assert_eq(w_cnt(&w, 1, CNT_INVALID_KE), 1);
	cr_assert_eq(w_cnt(&w, 0, CNT_INVALID_KE_RX), 1);
	struct ike_sa *a = w_sa(&w, 0, SA_ESTABLISHED);
	cr_assert_eq(a->suite.ke, IKE_KE_ECP256);
	cr_assert_eq(a->suite.encr_bits, 128);
	w_free(&w);
}

Test(iked_engine, no_proposal_refused)
{
	struct world w;
	setup_pair(&w, "proposals = [ \"aes128gcm16-prfsha256-x25519\" ];",
		   "proposals = [ \"aes256gcm16-prfsha256-ecp256\" ];");
	w_run(&w, 3000, NULL);
	cr_assert_eq(w_count(&w, 0, SA_ESTABLISHED) + w_count(&w, 1, SA_ESTABLISHED), 0);
	cr_assert_eq(w_cnt(&w, 1, IKE_E_NO_PROPOSAL), 1);
	cr_assert_eq(w_cnt(&w, 0, CNT_PEER_REFUSED), 1);
	cr_assert_eq(w.n[1].e->sas.n, 0, "a refused IKE_SA_INIT leaves no state");
	w_free(&w);
}

Test(iked_engine, wrong_psk_fails_both_sides)
{
	struct world w;
	w_init(&w);
	w_config(&w, 0, PSK, NULL, "initiate = true;");
	w_config(&w, 1, "another-psk-of-16-octets", NULL, NULL);
	w_start(&w);
	w_run(&w, 3000, NULL);
	cr_assert_eq(w_cnt(&w, 1, CNT_AUTH_FAILED), 1);
	cr_assert_eq(w_cnt(&w, 0, CNT_PEER_AUTH_FAILED), 1);
	cr_assert_eq(w_count(&w, 0, SA_ESTABLISHED) + w_count(&w, 1, SA_ESTABLISHED), 0);
	/* a refusal is definitive: no new attempt on our own */
	cr_assert_eq(w.n[0].e->cnt[CNT_SA_ESTABLISHED], 0);
	cr_assert(w_run(&w, 30000, none_left), "closed SAs linger, then go");
	w_free(&w);
}

/* drop the first copy of every distinct message */
struct seen {
	unsigned n;
	uint8_t sig[64][40];
};
static int drop_first(struct world *w, struct w_pkt *p, void *arg)
{
	struct seen *s = arg;
	uint8_t sig[40];
	(void)w;
	memset(sig, 0, sizeof(sig));
	memcpy(sig, p->buf + (p->len > 40 ? p->len - 40 : 0), p->len > 40 ? 40 : p->len);
	for (unsigned i = 0; i < s->n; i++)
		if (!memcmp(s->sig[i], sig, sizeof(sig)))
			return 0;
	if (s->n < 64)
		memcpy(s->sig[s->n++], sig, sizeof(sig));
	return 1;
}

Test(iked_engine, retransmits_through_loss)
{
	struct world w;
	static struct seen seen;
	setup_pair(&w, NULL, NULL);
	w.filter = drop_first;
	w.filter_arg = &seen;
	cr_assert(w_run(&w, 20000, w_both_up));
	cr_assert_geq(w_cnt(&w, 0, CNT_TX_RETRANSMITS), 2);
	/* a lost response makes the responder answer the repeat from its cache */
	cr_assert_geq(w_cnt(&w, 1, CNT_RX_RETRANSMITS), 1);
	cr_assert_eq(w_cnt(&w, 1, CNT_SA_ESTABLISHED), 1);
	w_free(&w);
}

Test(iked_engine, gives_up_and_tries_again)
{
	struct world w;
	setup_pair(&w, "retransmit_tries = 2;", NULL);
	/* the responder is not there: every datagram lost */
	engine_free(w.n[1].e);
	w.n[1].e = NULL;
	struct w_node *b = &w.n[1];
	(void)b;
	for (int k = 0; k < 4; k++) {
		engine_tick(w.n[0].e);
		w.nq = 0;
		w.now = engine_next_ms(w.n[0].e);
	}
	cr_assert_eq(w_cnt(&w, 0, CNT_TX_RETRANSMITS), 2);
	cr_assert_eq(w_cnt(&w, 0, CNT_SA_TIMEOUT), 1);
	/* initiate = true: after a loss by timeout it is tried again */
	for (int k = 0; k < 4 && w.n[0].e->cnt[CNT_TX_MESSAGES] < 4; k++) {
		engine_tick(w.n[0].e);
		w.nq = 0;
		w.now = engine_next_ms(w.n[0].e);
	}
	cr_assert_geq(w_cnt(&w, 0, CNT_TX_MESSAGES), 4);
	engine_free(w.n[0].e);
	iked_conf_free(&w.n[0].conf);
	iked_conf_free(&w.n[1].conf);
	free(w.q);
}

Test(iked_engine, replayed_and_garbage_do_not_disturb)
{
	struct world w;
	struct w_pkt auth_req, p;
	setup_pair(&w, "dpd_interval = 5;", NULL);
	cr_assert(w_run(&w, 5000, w_both_up));
	struct ike_sa *b = w_sa(&w, 1, SA_ESTABLISHED);
	uint8_t spi[8];
	memcpy(spi, b->spi_r, 8);
	/* the initiator's last message was its IKE_AUTH request (MID 1) */
	auth_req = w.last[0];
	cr_assert_eq(auth_req.buf[18], IKE_EXCH_AUTH);
	/* two liveness checks move the window on */
	w_run(&w, 12000, NULL);
	cr_assert_geq(w_cnt(&w, 0, CNT_DPD_SENT), 1);
	/* replay: an old MID */
	engine_input(w.n[1].e, &auth_req.local, &auth_req.from, auth_req.buf, auth_req.len);
	cr_assert_eq(w_cnt(&w, 1, CNT_REPLAYED), 1);
	/* truncated, garbage, oversized length, wrong SPI, bad ICV */
	engine_input(w.n[1].e, &auth_req.local, &auth_req.from, auth_req.buf, 20);
	cr_assert_eq(w_cnt(&w, 1, IKE_E_TRUNCATED), 1);
	p = auth_req;
	p.buf[17] = 0x30;
	engine_input(w.n[1].e, &p.local, &p.from, p.buf, p.len);
	cr_assert_eq(w_cnt(&w, 1, IKE_E_BAD_VERSION), 1);
	p = auth_req;
	engine_input(w.n[1].e, &p.local, &p.from, p.buf, p.len - 1);
	cr_assert_eq(w_cnt(&w, 1, IKE_E_BAD_LENGTH), 1);
	p = auth_req;
	p.buf[8] ^= 0xff; /* SPIr */
	engine_input(w.n[1].e, &p.local, &p.from, p.buf, p.len);
	cr_assert_eq(w_cnt(&w, 1, CNT_UNKNOWN_SPI), 1);
	p = auth_req;
	ike_put32(p.buf + 20, b->peer_mid); /* the MID it expects, ICV now wrong */
	engine_input(w.n[1].e, &p.local, &p.from, p.buf, p.len);
	cr_assert_eq(w_cnt(&w, 1, CNT_UNAUTHENTICATED), 1);
	p = auth_req;
	ike_put32(p.buf + 20, b->peer_mid + 5);
	engine_input(w.n[1].e, &p.local, &p.from, p.buf, p.len);
	cr_assert_eq(w_cnt(&w, 1, CNT_FUTURE_MID), 1);
	memset(p.buf, 0x5a, 600);
	engine_input(w.n[1].e, &p.local, &p.from, p.buf, 600);
	cr_assert_geq(w_cnt(&w, 1, IKE_E_BAD_VERSION) + w_cnt(&w, 1, IKE_E_BAD_LENGTH), 3);
	/* the SA is untouched and still answers */
	cr_assert_eq(w_sa(&w, 1, SA_ESTABLISHED), b);
	cr_assert_arr_eq(b->spi_r, spi, 8);
	uint64_t dpd = w_cnt(&w, 1, CNT_DPD_ANSWERED);
	w_run(&w, 12000, NULL);
	cr_assert_gt(w_cnt(&w, 1, CNT_DPD_ANSWERED), dpd);
	cr_assert(w_both_up(&w));
	w_free(&w);
}

static bool rekeyed_both(struct world *w)
{
	return w_cnt(w, 0, CNT_SA_REKEYED) == 1 && w_cnt(w, 1, CNT_SA_REKEYED) == 1 &&
	       w_count(w, 0, SA_REKEYED) == 0 && w_count(w, 1, SA_REKEYED) == 0 && w_both_up(w);
}

static void rekey_case(const char *ike0, const char *ike1, bool by_initiator)
{
	struct world w;
	uint8_t si[8], sr[8];
	setup_pair(&w, ike0, ike1);
	cr_assert(w_run(&w, 5000, w_both_up));
	struct ike_sa *a = w_sa(&w, 0, SA_ESTABLISHED);
	uint64_t old = a->serial;
	memcpy(si, a->spi_i, 8);
	memcpy(sr, a->spi_r, 8);
	cr_assert(w_run(&w, 30000, rekeyed_both));
	a = w_sa(&w, 0, SA_ESTABLISHED);
	struct ike_sa *b = w_sa(&w, 1, SA_ESTABLISHED);
	cr_assert_neq(memcmp(a->spi_i, si, 8), 0);
	cr_assert_neq(memcmp(a->spi_r, sr, 8), 0);
	cr_assert_arr_eq(a->spi_i, b->spi_i, 8);
	cr_assert_arr_eq(a->spi_r, b->spi_r, 8);
	cr_assert_eq(a->replaces, old);
	/* the key log saw the first SA and the rekeyed one, at both ends,
	 * each with the same keys */
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(w.n[i].key_logs, 2, "node %d: %u key log records", i, w.n[i].key_logs);
		cr_assert_arr_eq(w.n[i].kl_spi_i, a->spi_i, 8);
		cr_assert_arr_eq(w.n[i].kl_spi_r, a->spi_r, 8);
	}
	cr_assert_arr_eq(w.n[0].kl_ei, a->keys->ei, a->keys->ek_len);
	cr_assert_arr_eq(w.n[0].kl_ei, w.n[1].kl_ei, a->keys->ek_len);
	cr_assert_arr_eq(w.n[0].kl_d, w.n[1].kl_d, a->keys->prf_len);
	/* whoever rekeyed is the new SA's initiator */
	cr_assert_eq(a->initiator, by_initiator);
	cr_assert_eq(b->initiator, !by_initiator);
	/* the new SA works: a liveness check each way */
	cr_assert_eq(info_start(w.n[0].e, a, X_DPD), 0);
	w_deliver(&w);
	cr_assert_eq(info_start(w.n[1].e, b, X_DPD), 0);
	w_deliver(&w);
	cr_assert_eq(w_cnt(&w, 0, CNT_DPD_ANSWERED), 1);
	cr_assert_eq(w_cnt(&w, 1, CNT_DPD_ANSWERED), 1);
	cr_assert(!a->req_busy && !b->req_busy);
	w_free(&w);
}

Test(iked_engine, rekey_by_original_initiator)
{
	rekey_case("rekey_time = 4;", NULL, true);
}

Test(iked_engine, rekey_by_original_responder)
{
	rekey_case(NULL, "rekey_time = 4;", false);
}

Test(iked_engine, delete_by_terminate)
{
	struct world w;
	char err[128];
	setup_pair(&w, NULL, NULL);
	cr_assert(w_run(&w, 5000, w_both_up));
	cr_assert_eq(engine_terminate(w.n[1].e, "gw1", err, sizeof(err)), 1);
	w_deliver(&w);
	cr_assert_eq(w_count(&w, 0, SA_ESTABLISHED) + w_count(&w, 1, SA_ESTABLISHED), 0);
	cr_assert_eq(w_cnt(&w, 0, CNT_SA_DELETED), 1);
	cr_assert_eq(w_cnt(&w, 1, CNT_SA_DELETED), 1);
	/* a peer's Delete is not a loss: no new attempt */
	w_run(&w, 20000, NULL);
	cr_assert_eq(w_cnt(&w, 0, CNT_SA_ESTABLISHED), 1);
	cr_assert(none_left(&w));
	cr_assert_eq(engine_terminate(w.n[1].e, "nobody", err, sizeof(err)), -1);
	w_free(&w);
}

/* liveness: a peer that goes silent is given up after the retransmissions */
static int drop_all(struct world *w, struct w_pkt *p, void *arg)
{
	(void)w;
	(void)p;
	(void)arg;
	return 1;
}

Test(iked_engine, dpd_detects_dead_peer)
{
	struct world w;
	setup_pair(&w, "dpd_interval = 2; retransmit_tries = 2;", NULL);
	cr_assert(w_run(&w, 5000, w_both_up));
	w.filter = drop_all;
	w_run(&w, 2500, NULL);
	cr_assert_eq(w_cnt(&w, 0, CNT_DPD_SENT), 1);
	w_run(&w, 6000, NULL);
	cr_assert_eq(w_cnt(&w, 0, CNT_SA_TIMEOUT), 1);
	cr_assert_eq(w_count(&w, 0, SA_ESTABLISHED), 0);
	w_free(&w);
}
