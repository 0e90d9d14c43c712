// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_iked_pair_engine.c - pair.c in memory (ikedworld.h): nodes 0 and 1
 * are two members with a pair IKE SA between them (each also has a key
 * server peer "ks" that never comes up; its rings are handed to
 * pair_rings_in as member.c does after a registration or push).  Each
 * node's eespd is a fake that records the sa-* calls.  Checked: both ends
 * install the same SPIs, keys and salts, the key is P XOR G of the pair's
 * SK_d (key log hook) and GK; a rotation installs the new generation's
 * transmit SA on both with no IKE message; the retire releases the old
 * receive SA; the same ring again calls nothing (the transmit key is never
 * set twice while eespd holds it); an IKE rekey installs the new
 * SA's receive SAs at once and switches the transmit SAs only after a
 * delay, keeping the old receive SAs (make-before-break); a restarted
 * eespd (the fake forgets its SAs) gets every SA again within
 * PAIR_POLL_MS, from the sa-list check.
 */
#include "ikedworld.h"

#include "ctlproto.h"
#include "engine_int.h"
#include "ike_gcks.h"
#include "ike_pairkey.h"
#include "pair.h"

#define MAXC 32
struct call {
	enum eesp_ctl_verb verb;
	char peer[EESP_CTL_MAX_PEER + 1];
	uint32_t spi;
	uint8_t key[32], salt[4];
};
/* what the fake eespd holds: the SAs set and not released (for sa-list) */
#define MAXSA 16
struct fake {
	unsigned n;
	struct call c[MAXC];
	unsigned n_sa, lists;
	struct {
		bool tx;
		uint32_t spi;
		char peer[EESP_CTL_MAX_PEER + 1];
	} sa[MAXSA];
};
static struct fake F[2];

static void fake_hold(struct fake *f, const struct eesp_ctl_req *r)
{
	bool tx = r->verb == EESP_CTL_SA_TX_SET;
	unsigned k = 0;
	for (unsigned i = 0; i < f->n_sa; i++) {
		bool gone =
		    r->verb == EESP_CTL_SA_RELEASE
			? !strcmp(f->sa[i].peer, r->peer) && (!r->spi || f->sa[i].spi == r->spi)
			: tx && f->sa[i].tx && !strcmp(f->sa[i].peer, r->peer);
		if (!gone)
			f->sa[k++] = f->sa[i];
	}
	f->n_sa = k;
	if (r->verb == EESP_CTL_SA_RELEASE)
		return;
	cr_assert_lt(f->n_sa, MAXSA);
	f->sa[f->n_sa].tx = tx;
	f->sa[f->n_sa].spi = r->spi;
	snprintf(f->sa[f->n_sa].peer, sizeof(f->sa[0].peer), "%s", r->peer);
	f->n_sa++;
}

/* eespd's sa-list lines for what the fake holds */
static char *fake_list(struct fake *f)
{
	char *b = calloc(1, MAXSA * 96 + 1);
	cr_assert_not_null(b);
	for (unsigned i = 0; i < f->n_sa; i++)
		snprintf(b + strlen(b), 96, "sa peer %s dir %s spi 0x%08x\n", f->sa[i].peer,
			 f->sa[i].tx ? "tx" : "rx", f->sa[i].spi);
	f->lists++;
	return b;
}

static int fake_call(void *arg, const char *sock, const char *line, size_t n, char **body,
		     char *err, size_t err_len)
{
	struct w_node *node = arg;
	struct fake *f = &F[node->id];
	struct eesp_ctl_req r;
	cr_assert_str_eq(sock, "/fake", "the pair's eespd_socket");
	if (eesp_ctl_parse(line, n, &r, err, err_len))
		return 1;
	if (r.verb == EESP_CTL_SA_LIST) {
		*body = fake_list(f); /* polled: not a call of its own */
		return 0;
	}
	*body = calloc(1, 8);
	if (r.verb == EESP_CTL_SA_TX_SET || r.verb == EESP_CTL_SA_RX_SET ||
	    r.verb == EESP_CTL_SA_RELEASE)
		fake_hold(f, &r);
	cr_assert_lt(f->n, MAXC);
	struct call *c = &f->c[f->n++];
	c->verb = r.verb;
	snprintf(c->peer, sizeof(c->peer), "%s", r.peer);
	c->spi = r.spi;
	memcpy(c->key, r.key, sizeof(c->key));
	memcpy(c->salt, r.salt, sizeof(c->salt));
	return 0;
}

/* calls of one verb from index `from` on; the last one's spi or 0 */
static unsigned n_verb(int id, unsigned from, enum eesp_ctl_verb v, const struct call **last)
{
	unsigned k = 0;
	for (unsigned i = from; i < F[id].n; i++)
		if (F[id].c[i].verb == v) {
			k++;
			if (last)
				*last = &F[id].c[i];
		}
	return k;
}

static const struct call *rx_with_spi(int id, uint32_t spi)
{
	for (unsigned i = 0; i < F[id].n; i++)
		if (F[id].c[i].verb == EESP_CTL_SA_RX_SET && F[id].c[i].spi == spi)
			return &F[id].c[i];
	return NULL;
}

static void pair_world_x(struct world *w, const char *ike_extra)
{
	char peer[2][512];
	memset(F, 0, sizeof(F));
	w_init(w);
	for (int i = 0; i < 2; i++) {
		/* the template closes the last peer: "ks" rides on peer_extra */
		snprintf(peer[i], sizeof(peer[i]),
			 "%s pair = { key_server = \"ks\"; group = 7; node_id = %d; peer_node_id "
			 "= %d; eespd_socket = \"/fake\"; eespd_peer = \"n%d\"; }; },\n"
			 "  { name = \"ks\"; address = \"198.51.100.9\"; remote_id = "
			 "\"fqdn:ks.example\"; psk_file = \"/x/text:ks-psk-0123456789\"; "
			 "key_server = { domain = 1; eespd_socket = \"/fake\"; };",
			 i == 0 ? "initiate = true;" : "", 10 + i, 11 - i, 2 - i);
		w_config(w, i, "pair-test-psk-0123456789", ike_extra, peer[i]);
	}
	w_start(w);
	for (int i = 0; i < 2; i++)
		w->n[i].e->io.eespd = fake_call;
}

static void pair_world(struct world *w)
{
	pair_world_x(w, NULL);
}

static void ring_set(struct ike_gcks_ring *r, int prev, int cur, int next)
{
	int g[3] = {prev, cur, next};
	memset(r, 0, sizeof(*r));
	r->level = EESP_LEVEL_GROUP;
	r->id = 7;
	for (int s = 0; s < 3; s++)
		if (g[s]) {
			r->gen[s].present = true;
			r->gen[s].generation = (uint32_t)g[s];
			memset(r->gen[s].key, 0x10 * g[s], sizeof(r->gen[s].key));
		}
}

static void push(struct world *w, int prev, int cur, int next)
{
	struct ike_gcks_ring r;
	ring_set(&r, prev, cur, next);
	for (int i = 0; i < 2; i++)
		pair_rings_in(w->n[i].e, 1, &r, 1);
}

/* node id's transmit SA must be node 1-id's receive SA: same key and salt,
 * and K = P XOR G of generation gen from SK_d and GK */
static uint32_t check_tx(struct world *w, int id, unsigned from, uint32_t gen)
{
	const struct call *tx = NULL, *rx;
	uint8_t k[2][IKE_PK_KEY_LEN], gk[32];
	struct ike_pk_pair p;
	uint32_t spi;
	uint8_t salt[4];
	cr_assert_eq(n_verb(id, from, EESP_CTL_SA_TX_SET, &tx), 1, "node %d: one sa-tx-set", id);
	cr_assert_str_eq(tx->peer, id ? "n1" : "n2");
	rx = rx_with_spi(1 - id, tx->spi);
	cr_assert_not_null(rx, "node %d receives nothing under 0x%08x", 1 - id, tx->spi);
	cr_assert_arr_eq(rx->key, tx->key, 32);
	cr_assert_arr_eq(rx->salt, tx->salt, 4);
	memset(gk, 0x10 * gen, sizeof(gk));
	cr_assert_eq(ike_pk_pair_init(&p, w->n[0].kl_spi_i, w->n[0].kl_spi_r, 10, 11, 7), 0);
	cr_assert_eq(ike_pk_derive(IKE_PK_PRF, w->n[0].kl_d, 32, gk, &p, gen, k), 0);
	cr_assert_arr_eq(tx->key, k[id], 32, "node %d's key is not K of generation %u", id, gen);
	cr_assert_eq(ike_pk_sa(k[id], &spi, salt), 0);
	cr_assert_eq(spi, tx->spi);
	cr_assert_arr_eq(salt, tx->salt, 4);
	return tx->spi;
}

Test(iked_pair_engine, install_rotate_retire_without_messages)
{
	struct world w;
	unsigned mark[2];
	pair_world(&w);
	cr_assert(w_run(&w, 5000, w_both_up), "no pair IKE SA");
	cr_assert_eq(F[0].n + F[1].n, 0, "no ring yet: nothing installed");

	push(&w, 0, 1, 2);
	unsigned sent = w.n[0].sent + w.n[1].sent;
	for (int i = 0; i < 2; i++)
		cr_assert_eq(n_verb(i, 0, EESP_CTL_SA_RX_SET, NULL), 2, "node %d: rx of gens 1, 2",
			     i);
	uint32_t t1[2] = {check_tx(&w, 0, 0, 1), check_tx(&w, 1, 0, 1)};
	cr_assert_neq(t1[0], t1[1], "one SPI per direction");
	cr_assert_eq(w_cnt(&w, 0, CNT_PAIR_SYNCED), 1);
	struct strbuf sb = {0};
	char want[96];
	engine_show(w.n[0].e, &sb, false);
	snprintf(want, sizeof(want), "pair keys of group 7: send 0x%08x (generation 1), receive",
		 t1[0]);
	cr_assert(sb.p && strstr(sb.p, want), "show: %s", sb.p ? sb.p : "");
	strbuf_free(&sb);
	memset(&sb, 0, sizeof(sb));
	engine_show(w.n[1].e, &sb, true);
	snprintf(want, sizeof(want), "\"pair\":{\"group\":7,\"tx_spi\":\"0x%08x\"", t1[1]);
	cr_assert(sb.p && strstr(sb.p, want), "show json: %s", sb.p ? sb.p : "");
	strbuf_free(&sb);

	/* rotation: generation 2 current, 3 next */
	mark[0] = F[0].n, mark[1] = F[1].n;
	push(&w, 1, 2, 3);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RX_SET, NULL), 1, "node %d: rx of 3",
			     i);
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RELEASE, NULL), 0,
			     "node %d released before the retire", i);
	}
	uint32_t t2[2] = {check_tx(&w, 0, mark[0], 2), check_tx(&w, 1, mark[1], 2)};
	cr_assert(t2[0] != t1[0] && t2[1] != t1[1], "new SPIs");

	/* retire: generation 1 leaves; its receive SA goes */
	mark[0] = F[0].n, mark[1] = F[1].n;
	push(&w, 0, 2, 3);
	for (int i = 0; i < 2; i++) {
		const struct call *rel = NULL;
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RELEASE, &rel), 1, "node %d", i);
		cr_assert_eq(rel->spi, t1[1 - i], "node %d released 0x%08x, not the peer's old tx",
			     i, rel->spi);
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_TX_SET, NULL), 0);
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RX_SET, NULL), 0);
	}

	/* the same ring again: no call at all */
	mark[0] = F[0].n, mark[1] = F[1].n;
	push(&w, 0, 2, 3);
	cr_assert(F[0].n == mark[0] && F[1].n == mark[1], "an unchanged ring installed again");
	w_deliver(&w);
	cr_assert_eq(w.n[0].sent + w.n[1].sent, sent, "IKE messages between the members");
	cr_assert_eq(w_cnt(&w, 0, CNT_PAIR_FAILED) + w_cnt(&w, 1, CNT_PAIR_FAILED), 0);
	w_free(&w);
}

Test(iked_pair_engine, ring_first_then_sa_and_close_releases)
{
	struct world w;
	pair_world(&w);
	push(&w, 0, 1, 0); /* before the IKE SA: kept, nothing installed */
	cr_assert_eq(F[0].n + F[1].n, 0);
	cr_assert(w_run(&w, 5000, w_both_up), "no pair IKE SA");
	check_tx(&w, 0, 0, 1);
	check_tx(&w, 1, 0, 1);
	struct ike_sa *sa = w_sa(&w, 0, SA_ESTABLISHED);
	unsigned m = F[0].n;
	cr_assert_not_null(sa);
	sa_close(w.n[0].e, sa, false, "test");
	const struct call *rel = NULL;
	cr_assert_eq(n_verb(0, m, EESP_CTL_SA_RELEASE, &rel), 1, "the SA's keys stay in eespd");
	cr_assert_eq(rel->spi, 0, "all of the peer's SAs");
	cr_assert_str_eq(rel->peer, "n2");
	w_free(&w);
}

static bool both_rekeyed(struct world *w)
{
	return w_cnt(w, 0, CNT_SA_REKEYED) == 1 && w_cnt(w, 1, CNT_SA_REKEYED) == 1;
}

Test(iked_pair_engine, ike_rekey_is_make_before_break)
{
	struct world w;
	unsigned mark[2];
	pair_world_x(&w, "rekey_time = 10;");
	cr_assert(w_run(&w, 3000, w_both_up), "no pair IKE SA");
	push(&w, 0, 1, 2); /* two generations: four receive SAs across the rekey */
	uint32_t t0[2] = {check_tx(&w, 0, 0, 1), check_tx(&w, 1, 0, 1)};
	mark[0] = F[0].n, mark[1] = F[1].n;
	cr_assert(w_run(&w, 12000, both_rekeyed), "no IKE rekey");
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RX_SET, NULL), 2,
			     "node %d: the new SA's receive SAs at once", i);
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_TX_SET, NULL), 0,
			     "node %d switched its transmit SA before the peer could receive", i);
	}
	w_run(&w, 2100, NULL); /* 2 x retransmit_timeout + 1 s */
	for (int i = 0; i < 2; i++) {
		uint32_t t1 = check_tx(&w, i, mark[i], 1); /* K of the new SA's SK_d */
		cr_assert_neq(t1, t0[i], "node %d: the new IKE SA gives a new SPI", i);
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RELEASE, NULL), 0,
			     "node %d released the old SA's receive SAs at its own switch", i);
	}
	w_run(&w, 2100, NULL); /* as long again: the peer has switched too */
	for (int i = 0; i < 2; i++) {
		const struct call *rel = NULL;
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_RELEASE, &rel), 2,
			     "node %d: the replaced SA's two receive SAs go", i);
		cr_assert_eq(n_verb(i, mark[i], EESP_CTL_SA_TX_SET, NULL), 1);
	}
	cr_assert_eq(w_cnt(&w, 0, CNT_PAIR_FAILED) + w_cnt(&w, 1, CNT_PAIR_FAILED), 0);
	w_free(&w);
}

Test(iked_pair_engine, restarted_eespd_gets_the_sas_again)
{
	struct world w;
	pair_world(&w);
	cr_assert(w_run(&w, 5000, w_both_up), "no pair IKE SA");
	push(&w, 0, 1, 2);
	uint32_t t = check_tx(&w, 0, 0, 1);
	unsigned held = F[0].n_sa, m = F[0].n, sent = w.n[0].sent + w.n[1].sent;
	cr_assert_eq(held, 3, "node 0 holds rx of gens 1, 2 and its tx");
	/* a poll while eespd still holds them: nothing set again */
	w_run(&w, 2 * PAIR_POLL_MS + 100, NULL);
	cr_assert_geq(F[0].lists, 1, "eespd was never asked for its SAs");
	cr_assert_eq(F[0].n, m, "SAs set again although eespd held them");
	/* eespd restarts: it holds nothing; within a poll all three come back */
	F[0].n_sa = 0;
	w_run(&w, PAIR_POLL_MS + 100, NULL);
	cr_assert_eq(n_verb(0, m, EESP_CTL_SA_RX_SET, NULL), 2, "receive SAs not set again");
	const struct call *tx = NULL;
	cr_assert_eq(n_verb(0, m, EESP_CTL_SA_TX_SET, &tx), 1, "transmit SA not set again");
	cr_assert_eq(tx->spi, t, "the same key and SPI (the lane IVs keep increasing)");
	cr_assert_eq(F[0].n_sa, held);
	cr_assert_eq(n_verb(1, 0, EESP_CTL_SA_TX_SET, NULL), 1, "the peer's eespd was touched");
	cr_assert_eq(w.n[0].sent + w.n[1].sent, sent, "an IKE message for an eespd restart");
	cr_assert_eq(w_cnt(&w, 0, CNT_PAIR_FAILED), 0);
	w_free(&w);
}
