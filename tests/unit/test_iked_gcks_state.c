// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_iked_gcks_state.c - the key server's state file (gcks.state_file,
 * gcks_state.c, gcks_statefile.c, ike_gcks_state.c): the text round-trips;
 * a removal or a rotation survives a restart of the in-memory server (new
 * engines from the same configuration and the state file the old one
 * wrote); an operator's newer key file wins over the state; a removed
 * member the operator took out of the configuration is forgotten; torn,
 * malformed, symlinked and wrong-mode state files stop the start with
 * file:line.
 */
#include <sys/stat.h>
#include <unistd.h>

#include "gcks_statefile.h"
#include "gcksworld.h"
#include "ike_gcks_state.h"
#include "secmem.h"

static char DIR_[64];
static char PATH_[128];
static struct gcks_statefile SF;

static int save_cb(void *arg, const char *text, size_t len)
{
	(void)arg;
	return gcks_statefile_write(&SF, text, len);
}

static void state_dir(void)
{
	char err[512];
	snprintf(DIR_, sizeof(DIR_), "/tmp/gcksstate.XXXXXX");
	cr_assert_not_null(mkdtemp(DIR_));
	snprintf(PATH_, sizeof(PATH_), "%s/gcks.state", DIR_);
	cr_assert_eq(gcks_statefile_open(&SF, DIR_, "gcks.state", PATH_, err, sizeof(err)), 0, "%s",
		     err);
}

static void state_dir_gone(void)
{
	char p[200];
	gcks_statefile_close(&SF);
	snprintf(p, sizeof(p), "%s/gcks.state", DIR_);
	unlink(p);
	snprintf(p, sizeof(p), "%s/other", DIR_);
	unlink(p);
	rmdir(DIR_);
}

/* a key server world whose state goes to the temporary directory */
static void sworld(struct world *w, const char *member_extra, const char *gcks_extra)
{
	state_dir();
	world_x(w, member_extra, DOM, gcks_extra);
	w->n[0].e->io.gcks_save = save_cb;
}

/* "previous 2 fp current 3 fp next 4 fp" of the domain ring */
static void gens_of(struct iked_engine *e, char *out, size_t cap)
{
	struct strbuf b = {0};
	gcks_report(e, &b, false);
	const char *r = strstr(b.p, "ring domain 0 step ");
	cr_assert_not_null(r, "%s", b.p);
	r = strchr(r + strlen("ring domain 0 step "), ' ');
	const char *end = strstr(r, " age ");
	cr_assert_not_null(end);
	snprintf(out, cap, "%.*s", (int)(end - r), r);
	strbuf_free(&b);
}

/* both nodes restarted: new engines (node 0 from the same configuration,
 * or with member_extra when given), the key server from key text `keys`
 * and the state file; 0 or -1 with err from gcks_start */
static int restart(struct world *w, const char *keys, const char *member_extra, char *err,
		   size_t el)
{
	struct eesp_keyfile_error ke;
	struct eesp_keyset *ks = eesp_keyset_new();
	char *text = NULL, ike0[256];
	size_t len = 0, cap = 0;
	int rc;
	for (int i = 0; i < 2; i++)
		engine_free(w->n[i].e);
	w->nq = 0;
	if (member_extra) {
		iked_conf_free(&w->n[0].conf);
		snprintf(ike0, sizeof(ike0),
			 "}; gcks = { key_file = \"/k\"; state_file = \"/s/gcks.state\"; domain "
			 "= " DOM "; grace = 2; ack_timeout_ms = 1000; ");
		w_config(w, 0, "gcks-test-psk-0123456789", ike0, member_extra);
	}
	w_start(w);
	w->n[1].e->io.eespd = fake_call;
	w->n[0].e->io.gcks_save = save_cb;
	cr_assert_eq(eesp_keyfile_parse(ks, keys, strlen(keys), &ke), 0, "%s", ke.msg);
	rc = gcks_statefile_read(&SF, &text, &len, &cap, err, el);
	if (!rc)
		rc = gcks_start(w->n[0].e, ks, text, len, err, el);
	if (text)
		eesp_secure_free(text, cap);
	eesp_keyset_free(ks);
	return rc;
}

static bool quiet(struct world *w)
{
	return gcks_due_ms(w->n[0].e) == 0 && w->nq == 0;
}

Test(iked_gcks_state, text_round_trips)
{
	static struct ike_gcks_state a, b;
	static struct ike_gcks_removed ra, rb;
	static char t1[8192], t2[8192];
	char err[256];
	a.domain = 0xc0ffee01;
	a.serial = 42;
	a.written = 1765094400000;
	a.n = 2;
	a.ring[0].r.level = 0;
	a.ring[0].r.gen[1] = (struct ike_gcks_gen){.present = true, .generation = 7};
	a.ring[0].r.gen[2] = (struct ike_gcks_gen){.present = true, .generation = 9};
	memset(a.ring[0].r.gen[1].key, 0xa5, IKE_GCKS_KEY_LEN);
	memset(a.ring[0].r.gen[2].key, 0x5a, IKE_GCKS_KEY_LEN);
	a.ring[0].born[1] = 1765094300000, a.ring[0].born[2] = 1765094390000;
	a.ring[0].step = 1, a.ring[0].at = 1765094401000, a.ring[0].removal = true;
	a.ring[0].own = true, a.ring[0].switched = 1765094300000;
	a.ring[1].r.level = 2, a.ring[1].r.id = 4000000000u;
	a.ring[1].r.gen[0] = (struct ike_gcks_gen){.present = true, .generation = 1};
	a.ring[1].r.gen[1] = (struct ike_gcks_gen){.present = true, .generation = 2};
	a.ring[1].born[0] = 5, a.ring[1].born[1] = 6, a.ring[1].switched = 6;
	for (int r = 0; r < 2; r++)
		for (int s = 0; s < 3; s++)
			if (a.ring[r].r.gen[s].present)
				ike_gcks_fingerprint(a.ring[r].r.gen[s].key, a.ring[r].r.gen[s].fp);
	ra.n = 2;
	snprintf(ra.name[0], sizeof(ra.name[0]), "gw4");
	snprintf(ra.name[1], sizeof(ra.name[1]), "node-7.example");
	size_t n1 = ike_gcks_state_format(&a, &ra, t1, sizeof(t1));
	cr_assert_gt(n1, 0);
	cr_assert_eq(ike_gcks_state_parse(t1, n1, "s", &b, &rb, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(b.domain, a.domain);
	cr_assert_eq(b.serial, 42);
	cr_assert_eq(b.written, a.written);
	cr_assert_eq(b.n, 2);
	for (int r = 0; r < 2; r++) {
		cr_assert_eq(memcmp(&a.ring[r].r, &b.ring[r].r, sizeof(a.ring[r].r)), 0, "ring %d",
			     r);
		cr_assert_eq(a.ring[r].step, b.ring[r].step);
		cr_assert_eq(a.ring[r].at, b.ring[r].at);
		cr_assert_eq(a.ring[r].own, b.ring[r].own);
		cr_assert_eq(a.ring[r].removal, b.ring[r].removal);
		cr_assert_eq(a.ring[r].switched, b.ring[r].switched);
		cr_assert_eq(memcmp(a.ring[r].born, b.ring[r].born, sizeof(a.ring[r].born)), 0);
	}
	cr_assert_eq(rb.n, 2);
	cr_assert_str_eq(rb.name[1], "node-7.example");
	size_t n2 = ike_gcks_state_format(&b, &rb, t2, sizeof(t2));
	cr_assert_eq(n1, n2);
	cr_assert_eq(memcmp(t1, t2, n1), 0, "%s\n---\n%s", t1, t2);
	cr_assert_eq(ike_gcks_state_format(&a, &ra, t2, 100), 0, "a cut text was formatted");
}

#define K "1111111111111111111111111111111111111111111111111111111111111111"
Test(iked_gcks_state, bad_texts_are_refused_with_their_line)
{
	static struct ike_gcks_state s;
	static struct ike_gcks_removed rm;
	static const struct {
		const char *text, *why;
	} bad[] = {
	    {"eesp-gcks-state 2\n", "st:1: not a key server state"},
	    {"eesp-gcks-state 1\ndomain 0x1\nring domain 0 step none at 0 removal 0 own 0 "
	     "switched 5\ngen current 1 zz born 1\nend\n",
	     "st:4: gen: the key is not 64 hex"},
	    {"eesp-gcks-state 1\ndomain 0x1\nring domain 0 step none at 0 removal 0 own 0 "
	     "switched 5\ngen next 2 " K " born 1\nend\n",
	     "st:5: ring domain 0 has no current"},
	    {"eesp-gcks-state 1\ndomain 0x1\nring domain 0 step none at 0 removal 0 own 0 "
	     "switched 5\ngen current 1 " K " born 1\n",
	     "st:4: no 'end' line (a torn file)"},
	    {"eesp-gcks-state 1\ndomain 0x1\nring domain 0 step none at 0 removal 0 own 0 "
	     "switched 5\ngen current 1 " K " bo",
	     "st:4: the last line has no newline (a torn file)"},
	    {"eesp-gcks-state 1\ndomain 0x1\nring domain 0 step none at 0 removal 0 own 0 "
	     "switched 5\ngen current 3 " K " born 1\ngen previous 3 " K " born 1\nend\n",
	     "st:6: ring domain 0: generations out of order"},
	    {"eesp-gcks-state 1\ndomain 0x1\nremoved a b\nend\n", "st:3: removed: one peer name"},
	    {"eesp-gcks-state 1\ndomain 0x1\nend\nend\n", "st:4: text after end"},
	    {"eesp-gcks-state 1\nserial -1\nend\n", "st:2: serial: a number"},
	    {"eesp-gcks-state 1\nend\n", "st:2: no domain line"},
	    {"eesp-gcks-state 1\ndomain 0x1\nbogus 1\nend\n", "st:3: unknown line 'bogus'"},
	    /* a damaged line never puts a key's digits into the message */
	    {"eesp-gcks-state 1\ndomain 0x1\nring domain 0 step none at 0 removal 0 own 0 "
	     "switched 5\ngen current " K " 1 born 1\nend\n",
	     "st:4: generation: not a number"},
	    {"eesp-gcks-state 1\ndomain 0x1\n" K "\nend\n", "st:3: unknown line"},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[1024], err[256];
		snprintf(text, sizeof(text), "%s", bad[i].text);
		cr_assert_eq(
		    ike_gcks_state_parse(text, strlen(text), "st", &s, &rm, err, sizeof(err)), -1,
		    "accepted: %s", text);
		cr_assert(strstr(err, bad[i].why), "case %u: '%s', expected '%s'", i, err,
			  bad[i].why);
		cr_assert(!strstr(err, "11111111"), "case %u: key digits logged: %s", i, err);
	}
}

/* the regression test of issue 19: a removal, then a restart of the key
 * server from the same configuration: the member stays refused and the
 * post-removal generations are served, not the key file's */
Test(iked_gcks_state, removal_survives_a_restart)
{
	struct world w;
	char err[512], before[256], after[256];
	sworld(&w, "member = { domain = true; };", "");
	cr_assert(w_run(&w, 5000, member_joined), "the member did not register");
	cr_assert_eq(gcks_remove(w.n[0].e, "gw2", err, sizeof(err)), 0, "%s", err);
	cr_assert(w_run(&w, 10000, quiet));
	gens_of(w.n[0].e, before, sizeof(before));
	cr_assert(strstr(before, "current 3 "), "after the removal: %s", before);
	unsigned calls = F.calls;
	uint64_t refused = w_cnt(&w, 0, CNT_GSA_REFUSED);

	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), 0, "%s", err);
	w_run(&w, 5000, NULL);
	cr_assert(w_both_up(&w), "the member's IKE SA did not come up again");
	gens_of(w.n[0].e, after, sizeof(after));
	cr_assert_str_eq(after, before, "the restarted server serves other generations");
	cr_assert(!member_joined(&w), "the removed member registered again after a restart");
	cr_assert_eq(F.calls, calls, "the removed member received rings after a restart");
	cr_assert_geq(w_cnt(&w, 0, CNT_GSA_REFUSED), 1, "not refused (before: %" PRIu64 ")",
		      refused);
	struct strbuf b = {0};
	gcks_report(w.n[0].e, &b, false);
	cr_assert(strstr(b.p, "peer gw2 member removed"), "%s", b.p);
	strbuf_free(&b);

	/* the operator takes gw2's member group out: its name is forgotten */
	cr_assert_eq(restart(&w, KEYS, "", err, sizeof(err)), 0, "%s", err);
	char *text = NULL;
	size_t len = 0, cap = 0;
	cr_assert_eq(gcks_statefile_read(&SF, &text, &len, &cap, err, sizeof(err)), 0, "%s", err);
	cr_assert_not_null(text);
	cr_assert(!strstr(text, "removed gw2"), "a former member stays in the state");
	cr_assert(strstr(text, "gen current 3 "), "the state lost the rings");
	eesp_secure_free(text, cap);
	w_free(&w);
	state_dir_gone();
}

/* a rotation survives a restart: the member registers again and gets the
 * rotated ring (the same generations and keys), not the file's */
Test(iked_gcks_state, rotation_survives_a_restart)
{
	struct world w;
	char err[512], before[256], after[256], line[sizeof(F.last)];
	sworld(&w, "member = { domain = true; };", "");
	cr_assert(w_run(&w, 5000, member_joined));
	cr_assert_eq(gcks_rotate(w.n[0].e, 0, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert(w_run(&w, 10000, quiet));
	cr_assert_eq(F.cur_gen, 2);
	gens_of(w.n[0].e, before, sizeof(before));
	snprintf(line, sizeof(line), "%s", strstr(F.last, "cur="));
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert(w_run(&w, 5000, member_joined), "the member did not register again");
	gens_of(w.n[0].e, after, sizeof(after));
	cr_assert_str_eq(after, before);
	cr_assert_eq(F.cur_gen, 2, "the restart served generation %u", F.cur_gen);
	cr_assert_str_eq(strstr(F.last, "cur="), line, "other keys after the restart");
	w_free(&w);
	state_dir_gone();
}

/* the operator's key file rotated beyond the state: it wins; one that is
 * not newer does not undo the server's own rotation */
Test(iked_gcks_state, newer_key_file_wins)
{
	static const char *const NEWER =
	    "domain " DOM "\n"
	    "domain 0 5 "
	    "5555555555555555555555555555555555555555555555555555555555555555\n";
	static const char *const SAME =
	    "domain " DOM "\n"
	    "domain 0 2 "
	    "7777777777777777777777777777777777777777777777777777777777777777\n";
	struct world w;
	char err[512], before[256], after[256];
	sworld(&w, "member = { domain = true; };", "");
	cr_assert(w_run(&w, 5000, member_joined));
	cr_assert_eq(gcks_rotate(w.n[0].e, 0, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert(w_run(&w, 10000, quiet));
	gens_of(w.n[0].e, before, sizeof(before));
	cr_assert_eq(restart(&w, SAME, NULL, err, sizeof(err)), 0, "%s", err);
	gens_of(w.n[0].e, after, sizeof(after));
	cr_assert_str_eq(after, before, "a key file of the same generation undid the rotation");
	cr_assert_eq(restart(&w, NEWER, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert(w_run(&w, 5000, member_joined));
	cr_assert_eq(F.cur_gen, 5, "the newer key file lost: current %u", F.cur_gen);
	cr_assert(strstr(F.last, "cur=5:5555"), "%s", F.last);
	w_free(&w);
	state_dir_gone();
}

/* start-up with a state file that is torn, malformed, a symlink, of
 * another mode or domain: refused with the file (and line) */
Test(iked_gcks_state, bad_state_files_stop_the_start)
{
	struct world w;
	char err[512], p[200], *text = NULL;
	size_t len = 0, cap = 0;
	sworld(&w, "member = { domain = true; };", "");
	cr_assert(w_run(&w, 5000, member_joined));
	cr_assert_eq(gcks_rotate(w.n[0].e, 0, 0, err, sizeof(err)), 0, "%s", err);
	cr_assert(w_run(&w, 10000, quiet));
	cr_assert_eq(gcks_statefile_read(&SF, &text, &len, &cap, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(len, 20);

	/* torn: the last lines lost */
	cr_assert_eq(gcks_statefile_write(&SF, text, len - 4), 0);
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), -1, "a torn state was served");
	cr_assert(strstr(err, "/s/gcks.state:") && strstr(err, "torn"), "%s", err);
	/* malformed at line 3 */
	static const char MAL[] = "eesp-gcks-state 1\ndomain 0xc0ffee01\nring nowhere 1\nend\n";
	cr_assert_eq(gcks_statefile_write(&SF, MAL, strlen(MAL)), 0);
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "/s/gcks.state:3: ring"), "%s", err);
	/* another domain's state */
	static const char DOM2[] = "eesp-gcks-state 1\ndomain 0xc0ffee02\nend\n";
	cr_assert_eq(gcks_statefile_write(&SF, DOM2, strlen(DOM2)), 0);
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "domain 0xc0ffee02"), "%s", err);
	/* mode 0644 */
	cr_assert_eq(gcks_statefile_write(&SF, text, len), 0);
	cr_assert_eq(fchmodat(SF.dirfd, "gcks.state", 0644, 0), 0);
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "gcks.state: refused") && strstr(err, "mode 0644"), "%s", err);
	/* a symlink to a good state */
	snprintf(p, sizeof(p), "%s/other", DIR_);
	cr_assert_eq(renameat(SF.dirfd, "gcks.state", SF.dirfd, "other"), 0);
	cr_assert_eq(fchmodat(SF.dirfd, "other", 0600, 0), 0);
	cr_assert_eq(symlink(p, PATH_), 0);
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), -1);
	cr_assert(strstr(err, "symbolic link"), "%s", err);
	/* the good one back: it starts */
	cr_assert_eq(renameat(SF.dirfd, "other", SF.dirfd, "gcks.state"), 0);
	cr_assert_eq(restart(&w, KEYS, NULL, err, sizeof(err)), 0, "%s", err);
	eesp_secure_free(text, cap);
	w_free(&w);
	state_dir_gone();
}

/* a group-writable state directory is refused when it is opened */
Test(iked_gcks_state, open_state_directory_refused)
{
	char err[512];
	struct gcks_statefile f;
	(void)w_sa; /* the harness's helpers this file does not need */
	(void)world;
	(void)server_idle;
	state_dir();
	gcks_statefile_close(&SF);
	cr_assert_eq(chmod(DIR_, 0770), 0);
	cr_assert_eq(gcks_statefile_open(&f, DIR_, "gcks.state", PATH_, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not be writable by group or others"), "%s", err);
	rmdir(DIR_);
}
