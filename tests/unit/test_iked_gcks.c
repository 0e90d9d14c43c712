// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_iked_gcks.c - the domain key server in memory (ikedworld.h): node 0
 * serves the rings of a key file text (gcks_attach), node 1 is a member
 * whose eespd is a fake that records each root-set line.  Registration,
 * a rotation's pushes, a replayed and a reordered GSA_INBAND_REKEY
 * (refused by the Message-ID window: never applied twice, never an older
 * ring over a newer one), refusals (not entitled, wrong domain).
 */
#include "gcksworld.h"

/* capture each GSA_INBAND_REKEY request node 0 sends */
struct pushes {
	unsigned n;
	struct w_pkt p[8];
};
static int grab_pushes(struct world *w, struct w_pkt *p, void *arg)
{
	struct pushes *c = arg;
	(void)w;
	if (p->to == 1 && p->len > 18 && p->buf[18] == IKE_EXCH_GSA_INBAND_REKEY &&
	    !(p->buf[19] & IKE_FLAG_R) && c->n < 8)
		c->p[c->n++] = *p;
	return 0;
}

static void inject(struct world *w, const struct w_pkt *p)
{
	engine_input(w->n[1].e, &p->local, &p->from, p->buf, p->len);
	w_deliver(w);
}

Test(iked_gcks, register_rotate_replay_reorder)
{
	struct world w;
	struct pushes c = {0};
	char err[128];
	world(&w, "member = { domain = true; };", DOM);
	cr_assert(w_run(&w, 5000, member_joined), "the member did not register");
	cr_assert_eq(F.calls, 1, "one ring, one root-set (%u)", F.calls);
	cr_assert_eq(F.cur_gen, 1);
	cr_assert(strstr(F.last, "root-set domain 0 cur=1:1111") && strstr(F.last, " next=2:2222"),
		  "root-set line: %s", F.last);
	cr_assert_eq(w_cnt(&w, 0, CNT_GSA_REGISTERED), 1);
	cr_assert(w_both_up(&w));

	/* rotate: switch (next present) now, retire after the grace */
	w.filter = grab_pushes;
	w.filter_arg = &c;
	cr_assert_eq(gcks_rotate(w.n[0].e, 0, 0, err, sizeof(err)), 0, "%s", err);
	w_deliver(&w);
	cr_assert_eq(F.cur_gen, 2, "the switch did not reach the member");
	cr_assert_eq(w.n[1].e->peers[0].gk.applied, 1);
	cr_assert(w_run(&w, 5000, server_idle));
	cr_assert_eq(w.n[1].e->peers[0].gk.applied, 2, "the retire was not pushed");
	cr_assert(!strstr(F.last, "prev="), "the retire left a previous: %s", F.last);
	cr_assert_eq(c.n, 2, "%u pushes captured", c.n);
	unsigned calls = F.calls;

	/* the last push again (its MID was answered last): answered from the
	 * cache, not applied */
	uint64_t rtx = w.n[1].e->cnt[CNT_RX_RETRANSMITS];
	inject(&w, &c.p[1]);
	cr_assert_eq(F.calls, calls, "a replayed push was applied again");
	cr_assert_eq(w.n[1].e->cnt[CNT_RX_RETRANSMITS], rtx + 1);
	/* the older push (the switch, which still held the previous
	 * generation): below the window, dropped as replayed */
	uint64_t rep = w.n[1].e->cnt[CNT_REPLAYED];
	inject(&w, &c.p[0]);
	cr_assert_eq(F.calls, calls, "a reordered push was applied");
	cr_assert_eq(w.n[1].e->cnt[CNT_REPLAYED], rep + 1, "the old push was not counted replayed");
	cr_assert(!strstr(F.last, "prev="), "an older ring replaced the newer one");
	cr_assert_eq(w.n[1].e->peers[0].gk.applied, 2);
	w_free(&w);
}

Test(iked_gcks, removal_rekeys_and_refuses)
{
	struct world w;
	char err[128];
	world(&w, "member = { domain = true; };", DOM);
	cr_assert(w_run(&w, 5000, member_joined));
	struct ike_sa *old = w_sa(&w, 0, SA_ESTABLISHED);
	cr_assert_not_null(old);
	uint64_t old_serial = old->serial;
	cr_assert_eq(gcks_remove(w.n[0].e, "gw2", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(w_cnt(&w, 0, CNT_GSA_REMOVED), 1);
	w_run(&w, 5000, server_idle);
	/* its IKE SA was deleted; the member brought a new one up (a key
	 * server's Delete is answered so), whose registration is refused */
	struct ike_sa *now = w_sa(&w, 0, SA_ESTABLISHED);
	cr_assert(!now || now->serial != old_serial, "the removed member's IKE SA stays");
	w_run(&w, 5000, NULL);
	cr_assert_geq(w_cnt(&w, 1, CNT_GSA_REFUSED), 1, "the removed member was not refused");
	cr_assert_geq(w_cnt(&w, 0, CNT_GSA_REFUSED), 1);
	/* the removed member got nothing new: it still holds generation 1 */
	cr_assert_eq(F.cur_gen, 1);
	cr_assert_eq(F.calls, 1, "the removed member was pushed to");
	/* the server's ring moved past everything it knew (1, 2): 3 as
	 * current after the switch, 4 next, the previous retired */
	struct strbuf b = {0};
	gcks_report(w.n[0].e, &b, false);
	cr_assert(strstr(b.p, "ring domain 0 step none current 3 ") && strstr(b.p, " next 4 ") &&
		      !strstr(b.p, "previous"),
		  "%s", b.p);
	cr_assert(strstr(b.p, "peer gw2 member removed"), "%s", b.p);
	strbuf_free(&b);
	w_free(&w);
}

Test(iked_gcks, not_entitled_gets_authorization_failed)
{
	struct world w;
	world(&w, "member = { tenants = [ 9 ]; };", DOM);
	w_run(&w, 5000, NULL);
	cr_assert(!member_joined(&w));
	cr_assert_eq(F.calls, 0, "an unentitled member installed keys");
	cr_assert_eq(w.n[0].e->cnt[CNT_GSA_REFUSED], 1);
	cr_assert_eq(w.n[1].e->cnt[CNT_GSA_REFUSED], 1);
	w_free(&w);
}

Test(iked_gcks, wrong_domain_gets_invalid_group_id)
{
	struct world w;
	world(&w, "member = { domain = true; };", "0xc0ffee02");
	w_run(&w, 5000, NULL);
	cr_assert(!member_joined(&w));
	cr_assert_eq(F.calls, 0);
	cr_assert_eq(w.n[1].e->cnt[CNT_GSA_REFUSED], 1);
	w_free(&w);
}

Test(iked_gcks, no_member_group_is_refused)
{
	struct world w;
	world(&w, "", DOM);
	w_run(&w, 5000, NULL);
	cr_assert(!member_joined(&w));
	cr_assert_eq(F.calls, 0);
	cr_assert_eq(w.n[0].e->cnt[CNT_GSA_REFUSED], 1);
	w_free(&w);
}

static bool server_stepping(struct world *w)
{
	return gcks_due_ms(w->n[0].e) != 0;
}

/* domain_period: the server switches by itself every period, the next
 * generation made a period ahead, the previous retired after the grace */
Test(iked_gcks, scheduled_rotation)
{
	struct world w;
	world_x(&w, "member = { domain = true; };", DOM, "domain_period = 60;");
	cr_assert(w_run(&w, 5000, member_joined));
	cr_assert_eq(F.cur_gen, 1);
	w_run(&w, 55000, NULL);
	cr_assert_eq(F.cur_gen, 1, "switched before its period");
	w_run(&w, 10000, NULL);
	cr_assert_eq(F.cur_gen, 2, "no switch after the period");
	cr_assert(strstr(F.last, " next=3:"), "no next ahead: %s", F.last);
	w_run(&w, 60000, NULL);
	cr_assert_eq(F.cur_gen, 3, "no second switch");
	cr_assert(!strstr(F.last, "prev="), "the previous outlived the grace: %s", F.last);
	struct strbuf b = {0};
	gcks_report(w.n[0].e, &b, false);
	cr_assert(strstr(b.p, "next_step_in 5") || strstr(b.p, "next_step_in 4"), "%s", b.p);
	strbuf_free(&b);
	cr_assert(server_stepping(&w));
	w_free(&w);
}

/* domain_lifetime without a period: the file's generations (read at start)
 * are replaced when they reach it, and never served after */
Test(iked_gcks, lifetime_is_never_exceeded)
{
	struct world w;
	world_x(&w, "member = { domain = true; };", DOM, "domain_lifetime = 30;");
	cr_assert(w_run(&w, 5000, member_joined));
	w_run(&w, 31000, NULL);
	cr_assert_geq(F.cur_gen, 3, "current %u after the lifetime of 1 and 2", F.cur_gen);
	cr_assert(!strstr(F.last, "=1:") && !strstr(F.last, "=2:"), "expired keys pushed: %s",
		  F.last);
	struct strbuf b = {0};
	gcks_report(w.n[0].e, &b, false);
	cr_assert(!strstr(b.p, "previous 1 ") && !strstr(b.p, "current 1 ") &&
		      !strstr(b.p, "previous 2 ") && !strstr(b.p, "current 2 "),
		  "the server still holds an expired generation: %s", b.p);
	strbuf_free(&b);
	w_free(&w);
}

static void conf_refused(const char *text, const char *why)
{
	struct iked_conf c;
	char err[512];
	cr_assert_eq(iked_conf_parse("/t/eesp-iked.conf", text, &iked_test_env, &c, err, sizeof(err)), -1,
		     "accepted: %s", text);
	cr_assert(strstr(err, why), "error '%s', expected '%s'", err, why);
	cr_assert(strstr(err, "/t/eesp-iked.conf:"), "no file:line in '%s'", err);
}

#define PEER(x)                                                                                    \
	"peers = ( { name = \"m\"; address = \"198.51.100.2\"; remote_id = \"fqdn:m.example\"; "   \
	"psk_file = \"/x/text:0123456789abcdef\"; " x " } );\n"
#define BASE                                                                                       \
	"daemon: { user = \"test\"; listen = [ \"198.51.100.1\" ]; };\n"                           \
	"ike: { local_id = \"fqdn:s.example\"; };\n"
#define GCKS(x) BASE "gcks = { key_file = \"/k\"; state_file = \"/s/g\"; domain = 1; " x " };\n"
Test(iked_gcks, config_refusals)
{
	conf_refused(GCKS("domain_period = 60; domain_lifetime = 100;") PEER(""),
		     "domain_lifetime = 100 is shorter than 2 x domain_period + grace = 130");
	conf_refused(GCKS("key_dir = \"/d\";") PEER(""), "one of key_file and key_dir");
	conf_refused(BASE "gcks = { key_file = \"/k\"; state_file = \"/s/g\"; };\n" PEER(""),
		     "domain");
	conf_refused(BASE "gcks = { key_file = \"/k\"; domain = 1; };\n" PEER(""),
		     "state_file is required");
	conf_refused(BASE
		     "gcks = { key_file = \"/k\"; state_file = \"/k\"; domain = 1; };\n" PEER(""),
		     "outside the key file");
	conf_refused(BASE
		     "gcks = { key_file = \"/k\"; state_file = \"/s/\"; domain = 1; };\n" PEER(""),
		     "state_file must name a file");
	/* the directory and the name are split once, here */
	struct iked_conf c;
	char err[512];
	cr_assert_eq(
	    iked_conf_parse("/t/eesp-iked.conf", GCKS("") PEER(""), &iked_test_env, &c, err, sizeof(err)),
	    0, "%s", err);
	cr_assert_str_eq(c.gcks.state_dir, "/s");
	cr_assert_str_eq(c.gcks.state_base, "g");
	iked_conf_free(&c);
	conf_refused(BASE PEER("member = { domain = true; };"), "no gcks group");
	conf_refused(GCKS("") PEER("member = { groups = [ 0 ]; };"), "ids are 1..4294967295");
	conf_refused(GCKS("") PEER("member = { tenants = [ 3, 3 ]; };"), "3 twice");
	conf_refused(GCKS("") PEER("member = { domain = true; }; key_server = { domain = 1; };"),
		     "one role per peer");
	conf_refused(BASE PEER("key_server = { eespd_socket = \"/s\"; };"), "domain");
	conf_refused(BASE PEER("key_server = { domain = 1; };"), "no eespd_socket");
	/* sun_path holds 107 bytes: a longer path was cut short before */
	conf_refused(
	    BASE PEER("key_server = { domain = 1; eespd_socket = \"/run/"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/ctl.sock\"; };"),
	    "key_server.eespd_socket: path too long for a UNIX socket");
	conf_refused(GCKS("") PEER("member = { colour = 1; };"), "colour");
}

/* our eespd refused the registration's rings (not up yet, slow): the
 * member registers again 2 s later */
Test(iked_gcks, registration_retried_after_eespd_failure)
{
	struct world w;
	world(&w, "member = { domain = true; };", DOM);
	F.fail = 1;
	w_run(&w, 1000, NULL);
	cr_assert(!member_joined(&w), "joined although eespd refused");
	cr_assert_geq(w_cnt(&w, 1, CNT_EESPD_ERRORS), 1);
	cr_assert(w_run(&w, 5000, member_joined), "no second registration");
	cr_assert_eq(F.calls, 1);
	cr_assert_eq(F.cur_gen, 1);
	cr_assert_eq(w_cnt(&w, 0, CNT_GSA_REGISTERED), 2);
	w_free(&w);
}

/* ... and a push, which carries the rings whole, installs them sooner */
Test(iked_gcks, push_repairs_a_failed_registration)
{
	struct world w;
	char err[128];
	world(&w, "member = { domain = true; };", DOM);
	F.fail = 1;
	w_run(&w, 1000, NULL);
	cr_assert(!member_joined(&w));
	cr_assert_eq(gcks_rotate(w.n[0].e, 0, 0, err, sizeof(err)), 0, "%s", err);
	w_deliver(&w);
	cr_assert_eq(F.cur_gen, 2, "the push was not applied");
	cr_assert(member_joined(&w));
	w_free(&w);
}

static int drop_pushes(struct world *w, struct w_pkt *p, void *arg)
{
	(void)w;
	(void)arg;
	return p->to == 1 && p->len > 18 && p->buf[18] == IKE_EXCH_GSA_INBAND_REKEY;
}

/* a push lost with an IKE SA that was rekeyed goes again on the new SA */
Test(iked_gcks, push_survives_an_ike_rekey)
{
	struct world w;
	char err[128];
	world(&w, "member = { domain = true; };", DOM);
	cr_assert(w_run(&w, 5000, member_joined));
	w.filter = drop_pushes;
	cr_assert_eq(gcks_rotate(w.n[0].e, 0, 0, err, sizeof(err)), 0, "%s", err);
	w_deliver(&w);
	cr_assert_eq(F.cur_gen, 1);
	w.filter = NULL;
	/* the member rekeys the IKE SA while the server's push is outstanding
	 * (the server's own rekey would wait for its window): the replaced SA,
	 * and the push on it, go with the member's Delete */
	struct ike_sa *sa = w_sa(&w, 1, SA_ESTABLISHED);
	cr_assert_not_null(sa);
	sa->rekey_at_ms = w.now;
	w_run(&w, 1000, NULL);
	cr_assert_geq(w_cnt(&w, 1, CNT_SA_REKEYED), 1, "no IKE rekey");
	cr_assert_eq(F.cur_gen, 2, "the push did not follow the rekeyed SA");
	w_free(&w);
}

/* the key set read again: an unchanged set changes nothing, a rotated one
 * (as `eespctl keydir rotate` writes it) replaces the ring and is pushed */
Test(iked_gcks, reload_pushes_what_changed)
{
	static const char *const ROTATED =
	    "domain " DOM "\n"
	    "domain 0 1 1111111111111111111111111111111111111111111111111111111111111111\n"
	    "domain 0 2 2222222222222222222222222222222222222222222222222222222222222222\n"
	    "domain 0 3 3333333333333333333333333333333333333333333333333333333333333333 next\n";
	struct world w;
	struct eesp_keyfile_error ke;
	char err[128];
	world(&w, "member = { domain = true; };", DOM);
	cr_assert(w_run(&w, 5000, member_joined));
	struct eesp_keyset *ks = eesp_keyset_new();
	cr_assert_eq(eesp_keyfile_parse(ks, KEYS, strlen(KEYS), &ke), 0);
	cr_assert_eq(gcks_reload(w.n[0].e, ks, err, sizeof(err)), 0, "the same set changed rings");
	eesp_keyset_free(ks);
	ks = eesp_keyset_new();
	cr_assert_eq(eesp_keyfile_parse(ks, ROTATED, strlen(ROTATED), &ke), 0, "%s", ke.msg);
	cr_assert_eq(gcks_reload(w.n[0].e, ks, err, sizeof(err)), 1, "%s", err);
	eesp_keyset_free(ks);
	w_deliver(&w);
	cr_assert_eq(F.cur_gen, 2, "the reloaded ring was not pushed");
	cr_assert(strstr(F.last, "prev=1:1111") && strstr(F.last, "next=3:3333"), "%s", F.last);
	w_free(&w);
}
