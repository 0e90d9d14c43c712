// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_rootset.c - eespd's side of the domain key server: a domain with
 * key_server = true starts with no root key; root-set (sa class: root,
 * admin_group and sa_group, the group a member's eesp-iked runs in)
 * replaces a ring's generations in one published snapshot, adds a tenant
 * ring, is refused to non-admins and for domains with a key file; a
 * reload keeps what was set (rootset_carry); the configuration refusals.
 */
#include "rootset.h"
#include "snap.h"
#include "testeespd.h"

#define K(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define KS_CONF(extra)                                                                             \
	TC_CONF("user = \"eesp\";", "admin_group = \"eespadm\"; sa_group = \"eesp\";",             \
		"domain: { id = 0xC0FFEE01; node_id = 1; key_server = true;", extra, TC_EESP_PEER, \
		"", "")

/* a member's eesp-iked: in sa_group, not in admin_group */
static const struct ctl_peer TE_KEYMGR = {
    .known = true, .pid = 17, .uid = 1005, .gid = 1005, .in_sa_group = true};

static unsigned n_keys(void)
{
	unsigned n = 0;
	te_ask(&TE_ROOT, "keys");
	for (const char *p = te_reply; (p = strstr(p, "\nkey level ")); p++)
		n++;
	return n;
}

Test(rootset, set_replace_carry)
{
	te_from(NULL, KS_CONF(""));
	cr_assert_eq(n_keys(), 0, "a key_server domain started with keys: %s", te_reply);
	const struct snap *s0 = atomic_load(&E.snap);
	te_ask(&TE_ADMIN, "root-set domain 0 cur=5:" K("ab") " next=6:" K("cd"));
	cr_assert(te_starts(te_reply, "ok\ndomain 0 current 5 "), "%s", te_reply);
	const struct snap *s1 = atomic_load(&E.snap);
	cr_assert_neq(s0, s1, "no new snapshot");
	cr_assert_eq(n_keys(), 2, "%s", te_reply);
	cr_assert(strstr(te_reply, "slot current generation 5 ") &&
		      strstr(te_reply, "slot next generation 6 "),
		  "%s", te_reply);
	cr_assert_eq(s1->dom[0].phase[0], 1, "the domain phase is not 5 mod 4");
	/* a switch: prev 5, cur 6, next 7; all three replaced at once */
	te_ask(&TE_ROOT, "root-set domain 0 prev=5:" K("ab") " cur=6:" K("cd") " next=7:" K("ef"));
	cr_assert(te_starts(te_reply, "ok\n"), "%s", te_reply);
	cr_assert_eq(n_keys(), 3);
	cr_assert_eq(atomic_load(&E.snap)->dom[0].phase[0], 2);
	/* a retire: what is not given is gone */
	te_ask(&TE_ROOT, "root-set domain 0 cur=6:" K("cd") " next=7:" K("ef"));
	cr_assert_eq(n_keys(), 2, "%s", te_reply);
	cr_assert(!strstr(te_reply, "generation 5 "), "%s", te_reply);
	/* a tenant ring is added */
	te_ask(&TE_ROOT, "root-set tenant 9 cur=1:" K("11"));
	cr_assert(te_starts(te_reply, "ok\ntenant 9 current 1 "), "%s", te_reply);
	cr_assert_eq(n_keys(), 3);
	/* not for the control group (class sa) */
	te_ask(&TE_CONTROL, "root-set domain 0 cur=9:" K("99"));
	cr_assert(te_starts(te_reply, "error permission denied"), "%s", te_reply);
	cr_assert(!strstr(te_reply, "9999"), "the refusal quotes the key");
	/* sa_group may (a member's eesp-iked), and gets no admin verb with it */
	te_ask(&TE_KEYMGR, "root-set tenant 9 cur=2:" K("22"));
	cr_assert(te_starts(te_reply, "ok\ntenant 9 current 2 "), "%s", te_reply);
	te_ask(&TE_KEYMGR, "reload");
	cr_assert(te_starts(te_reply, "error permission denied"), "%s", te_reply);
	/* a reload keeps the installed rings (rootset_carry) */
	struct eespd_conf c;
	struct snap *n = tc_parse_ok(KS_CONF(""), &c, NULL);
	cr_assert_null(eesp_ring_current(&n->dom[0].keys->domain));
	rootset_carry(atomic_load(&E.snap), n);
	const struct eesp_root_gen *g = eesp_ring_current(&n->dom[0].keys->domain);
	cr_assert_not_null(g, "a reload dropped the rings root-set installed");
	cr_assert_eq(g->generation, 6);
	cr_assert_not_null(eesp_keyset_ring(n->dom[0].keys, EESP_LEVEL_TENANT, 9));
	cr_assert_eq(n->dom[0].phase[0], 2, "the carried keys' phases were not recomputed");
	snap_free(n);
	te_stop();
}

Test(rootset, refused_without_key_server)
{
	te_from(NULL, TC_EESP("admin_group = \"eespadm\";", "", "", ""));
	unsigned before = n_keys();
	te_ask(&TE_ROOT, "root-set domain 0 cur=5:" K("ab"));
	cr_assert(te_starts(te_reply, "error root-set: no domain has key_server = true"), "%s",
		  te_reply);
	cr_assert_eq(n_keys(), before);
	te_stop();
}

Test(rootset, config_refusals)
{
	char err[512];
	cr_assert(tc_parse_refused(KS_CONF("key_file = \"dom.keys\";"), err, sizeof(err)));
	cr_assert(strstr(err, "key_server = true: the root keys come from eesp-iked, give no "
			      "key_file or key_dir"),
		  "%s", err);
	cr_assert(strstr(err, TC_FILE ":"), "no file:line: %s", err);
	cr_assert(tc_parse_refused(
	    TC_CONF("user = \"eesp\";", "",
		    "domain: { profile = \"spi\"; key_server = true; spi_min = 1; spi_max = 2;", "",
		    TC_EESP_PEER, "", ""),
	    err, sizeof(err)));
	cr_assert(strstr(err, "not with profile spi"), "%s", err);
}
