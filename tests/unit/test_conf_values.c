// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_conf_values.c - the words, switches, names, paths and lists of
 * eespd.conf(5) as conf_parse stores them, and the shapes of domains and
 * peers it accepts (eight domains, one node id per domain and key
 * boundary, profile spi server and client); the numbers with their
 * defaults and ranges are test_conf.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "memlock.h"
#include "names.h"
#include "testconf.h"
/* -------------------------------------------------------------- words -- */

struct word_row {
	const char *daemon, *domain; /* on the skeleton's lines 2 and 5 */
	enum { W_LOG, W_LOCK, W_PROFILE, W_KDF, W_SUITE } what;
	int want;
};

static const struct word_row word_rows[] = {
    {"log_level = \"error\";", "", W_LOG, LOG_LVL_ERROR},
    {"log_level = \"warning\";", "", W_LOG, LOG_LVL_WARNING},
    {"log_level = \"warn\";", "", W_LOG, LOG_LVL_WARNING},
    {"log_level = \"info\";", "", W_LOG, LOG_LVL_INFO},
    {"log_level = \"debug\";", "", W_LOG, LOG_LVL_DEBUG},
    {"lock_memory = \"auto\";", "", W_LOCK, MEMLOCK_AUTO},
    {"lock_memory = \"all\";", "", W_LOCK, MEMLOCK_ALL},
    {"lock_memory = \"keys\";", "", W_LOCK, MEMLOCK_KEYS},
    {"", "profile = \"node\";", W_PROFILE, EESP_PROFILE_NODE},
    {"", "profile = \"pair\";", W_PROFILE, EESP_PROFILE_PAIR},
    {"", "profile = \"tenant\"; tenant = 7;", W_PROFILE, EESP_PROFILE_TENANT},
    {"", "kdf = \"cmac\";", W_KDF, EESP_KDF_CMAC_AES256},
    {"", "kdf = \"hmac\";", W_KDF, EESP_KDF_HMAC_SHA256},
    {"", "suite = \"aes-gcm-128\";", W_SUITE, EESP_SUITE_AES_GCM_128},
    {"", "suite = \"aes-gcm-256\";", W_SUITE, EESP_SUITE_AES_GCM_256},
};

Test(conf, every_word)
{
	for (size_t i = 0; i < sizeof(word_rows) / sizeof(word_rows[0]); i++) {
		const struct word_row *r = &word_rows[i];
		char text[2048];
		struct eespd_conf c;
		snprintf(
		    text, sizeof(text),
		    TC_CONF("user = \"eesp\";", "%s", TC_EESP_DOMAIN, "%s", TC_EESP_PEER, "", ""),
		    r->daemon, r->domain);
		tc_reset_keys(TC_TENANT_KEYS);
		struct snap *s = tc_parse_ok(text, &c, NULL);
		const struct domain *d = &s->dom[0];
		int got = r->what == W_LOG	 ? s->log_level
			  : r->what == W_LOCK	 ? c.lock_memory
			  : r->what == W_PROFILE ? d->profile
			  : r->what == W_KDF	 ? d->kdf
						 : d->suite;
		cr_expect_eq(got, r->want, "row %zu (%s%s): %d, want %d", i, r->daemon, r->domain,
			     got, r->want);
		snap_free(s);
	}
}

/* every true/false setting: default true, and both values */
Test(conf, every_switch)
{
	static const char *const names[] = {"offload", "gro",	  "udp_gso",
					    "udp_gro", "seccomp", "replay"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		for (int v = 0; v < 2; v++) {
			char set[64], text[2048];
			struct eespd_conf c;
			bool dom = !strcmp(names[i], "replay");
			snprintf(set, sizeof(set), "%s = %s;", names[i], v ? "true" : "false");
			snprintf(text, sizeof(text),
				 TC_CONF("user = \"eesp\";", "%s", TC_EESP_DOMAIN, "%s",
					 TC_EESP_PEER, "", ""),
				 dom ? "" : set, dom ? set : "");
			tc_reset();
			struct snap *s = tc_parse_ok(text, &c, NULL);
			bool got = i == 0   ? c.offload
				   : i == 1 ? c.gro
				   : i == 2 ? c.udp_gso
				   : i == 3 ? c.udp_gro
				   : i == 4 ? c.seccomp
					    : s->dom[0].replay;
			cr_expect_eq(got, v, "%s", set);
			snap_free(s);
		}
}

/* ---------------------------------------------------- names and paths -- */

Test(conf, names_and_paths)
{
	struct eespd_conf c;
	struct snap *s;
	tc_reset();
	s = tc_parse_ok(TC_EESP("interface = \"tun-x\"; state_dir = \"st\"; control_group = "
				"\"eesp\"; admin_group = \"eespadm\";",
				"name = \"lab.a_b-1\";", "", ""),
			&c, NULL);
	cr_assert_str_eq(c.ifname, "tun-x");
	cr_assert_str_eq(c.ctl_path, "/run/eespd/tun-x.sock", "the default follows interface");
	cr_assert_str_eq(c.state_dir, "mem/st", "relative to the configuration's directory");
	cr_assert_str_eq(c.ctl_group, "eesp");
	cr_assert_str_eq(s->admin_group, "eespadm");
	cr_assert_eq(s->admin_gid, 1990);
	cr_assert_str_eq(s->dom[0].name, "lab.a_b-1");
	cr_assert_eq(c.user_line, 1);
	snap_free(s);
	s = tc_parse_ok(TC_EESP("interface = \"abcdefghijklmno\"; control_socket = \"ctl.sock\"; "
				"state_dir = \"/srv/eespd\";",
				"", "", ""),
			&c, NULL);
	cr_assert_str_eq(c.ifname, "abcdefghijklmno", "15 characters fit");
	cr_assert_str_eq(c.ctl_path, "mem/ctl.sock");
	cr_assert_str_eq(c.state_dir, "/srv/eespd");
	snap_free(s);
	/* 99 bytes fit a UNIX socket address (with its NUL) */
	char text[2048], path[100];
	memset(path, 'a', sizeof(path));
	memcpy(path, "/run/", 5);
	path[99] = 0;
	snprintf(text, sizeof(text),
		 TC_CONF("user = \"eesp\";", "control_socket = \"%s\";", TC_EESP_DOMAIN, "",
			 TC_EESP_PEER, "", ""),
		 path);
	s = tc_parse_ok(text, &c, NULL);
	cr_assert_str_eq(c.ctl_path, path);
	snap_free(s);
	/* the daemon user's uid is the one key files are loaded for */
	s = tc_parse_ok(TC_CONF("user = \"svc\";", "", TC_EESP_DOMAIN, "", TC_EESP_PEER, "", ""),
			&c, NULL);
	cr_assert_str_eq(c.user, "svc");
	cr_assert_eq(tc_world.loaded_for, 991);
	snap_free(s);
}

/* -------------------------------------------------------------- lists -- */

Test(conf, daemon_lists)
{
	struct eespd_conf c;
	char a[64];
	tc_reset();
	struct snap *s = tc_parse_ok(
	    TC_EESP("addresses = [ \"192.0.2.1/24\", \"192.0.2.2/24\", \"192.0.2.3/24\", "
		    "\"192.0.2.4/24\", \"192.0.2.5/24\", \"192.0.2.6/24\", \"192.0.2.7/24\", "
		    "\"192.0.2.8/24\", \"2001:db8::1/64\", \"2001:db8::2/64\", \"2001:db8::3/64\", "
		    "\"2001:db8::4/64\", \"2001:db8::5/64\", \"2001:db8::6/64\", "
		    "\"2001:db8::7/64\", \"2001:db8::8\" ]; source_ports = [ 4500, 4500 ];",
		    "", "", ""),
	    &c, NULL);
	cr_assert_eq(c.n_addrs, 16);
	prefix_format(&c.addrs[0], a, sizeof(a));
	cr_assert_str_eq(a, "192.0.2.1/24");
	prefix_format(&c.addrs[15], a, sizeof(a));
	cr_assert_str_eq(a, "2001:db8::8/128");
	cr_assert_eq(c.sport_min, 4500);
	cr_assert_eq(c.sport_max, 4500);
	snap_free(s);
	static const char *const ports[] = {"[ 1, 1 ]", "[ 65535, 65535 ]", "[ 1, 65535 ]"};
	static const uint16_t lo[] = {1, 65535, 1}, hi[] = {1, 65535, 65535};
	for (int i = 0; i < 3; i++) {
		char text[2048];
		snprintf(text, sizeof(text),
			 TC_CONF("user = \"eesp\";", "source_ports = %s;", TC_EESP_DOMAIN, "",
				 TC_EESP_PEER, "", ""),
			 ports[i]);
		s = tc_parse_ok(text, &c, NULL);
		cr_expect(c.sport_min == lo[i] && c.sport_max == hi[i], "%s", ports[i]);
		snap_free(s);
	}
}

Test(conf, policy_and_rx_spi_lists)
{
	struct eespd_conf c;
	tc_reset();
	struct snap *s = tc_parse_ok(
	    TC_EESP("",
		    "policy = ( { nodes = ( 2, \"5\", \"10-20\", \"0x30-0x40\" ); prefixes = [ "
		    "\"192.0.2.0/24\", \"2001:db8:1::/64\" ]; }, { nodes = [ 0xFFFFFFFF ]; "
		    "prefixes = [ ]; } );",
		    "rx_spi = 0x2001;", ""),
	    &c, NULL);
	const struct domain *d = &s->dom[0];
	cr_assert_eq(d->n_policy, 2);
	cr_assert_eq(d->policy[0].n_nodes, 4);
	static const struct node_range want[] = {{2, 2}, {5, 5}, {10, 20}, {0x30, 0x40}};
	for (int i = 0; i < 4; i++)
		cr_expect(d->policy[0].nodes[i].lo == want[i].lo &&
			      d->policy[0].nodes[i].hi == want[i].hi,
			  "range %d", i);
	cr_assert_eq(d->policy[0].n_prefixes, 2);
	cr_assert_eq(d->policy[0].tenant, 0);
	cr_assert_eq(d->policy[1].nodes[0].lo, UINT32_MAX, "hex-wrapped ints are unsigned");
	cr_assert_eq(d->policy[1].n_prefixes, 0);
	cr_assert_eq(s->peers[0].n_rx_spi, 1);
	cr_assert_eq(s->peers[0].rx_spi[0], 0x2001);
	snap_free(s);
	s = tc_parse_ok(TC_PSP("",
			       "policy = ( { spis = [ \"0x3000-0x30ff\" ]; prefixes = [ "
			       "\"192.0.2.0/24\" ]; } );",
			       "", ""),
			&c, NULL);
	cr_assert_eq(s->dom[0].policy[0].nodes[0].lo, 0x3000);
	cr_assert_eq(s->dom[0].policy[0].nodes[0].hi, 0x30ff);
	cr_assert_eq(s->peers[0].rx_spi[0], 0x2001);
	snap_free(s);
}

/* --------------------------------------------------------------- shapes -- */

Test(conf, domains_up_to_eight_with_forward_to)
{
	char text[4096];
	size_t n =
	    (size_t)snprintf(text, sizeof(text), "daemon: { user = \"eesp\"; };\ndomains = (");
	for (unsigned i = 1; i <= EESPD_MAX_DOMAINS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{ name = \"d%u\"; id = %u; node_id = 1; key_file = "
				      "\"a.keys\"; forward_to = [ \"d%u\" ]; }",
				      i > 1 ? ",\n" : "\n", i, i, i % EESPD_MAX_DOMAINS + 1);
	snprintf(text + n, sizeof(text) - n, " );\n");
	struct eespd_conf c;
	tc_reset();
	struct snap *s = tc_parse_ok(text, &c, NULL);
	cr_assert_eq(s->n_doms, EESPD_MAX_DOMAINS);
	for (unsigned i = 0; i < EESPD_MAX_DOMAINS; i++) {
		cr_expect_eq(s->dom[i].idx, i);
		cr_expect_eq(s->dom[i].dom.spi, i + 1);
		cr_expect_eq(s->dom[i].forward_mask, 1u << ((i + 1) % EESPD_MAX_DOMAINS));
	}
	cr_assert_eq(tc_world.loads, EESPD_MAX_DOMAINS, "one key file per domain");
	snap_free(s);
}

/* one node id may appear once per domain and key boundary */
Test(conf, node_ids_per_domain_and_boundary)
{
	struct eespd_conf c;
	tc_reset();
	struct snap *s = tc_parse_ok(
	    "daemon: { user = \"eesp\"; };\n"
	    "domains = ( { name = \"a\"; id = 0xA0000001; node_id = 2; key_file = \"a.keys\"; },\n"
	    "{ name = \"b\"; id = 0xB0000002; node_id = 2; key_file = \"b.keys\"; } );\n"
	    "peers = ( { name = \"n1\"; domain = \"a\"; endpoint = \"198.51.100.1\"; node_id = 1; "
	    "allowed_ips = [ \"192.0.2.1/32\" ]; },\n"
	    "{ name = \"m1\"; domain = \"b\"; endpoint = \"203.0.113.1\"; node_id = 1; "
	    "allowed_ips = [ \"192.0.2.0/24\" ]; } );\n",
	    &c, NULL);
	cr_assert_eq(s->n_peers, 2);
	cr_assert_eq(s->peers[1].dom, 1);
	/* routes: longest prefix first, whatever the order of the peers */
	cr_assert_eq(s->routes[0].p.len, 32);
	cr_assert_eq(s->routes[0].peer, 0);
	cr_assert_eq(s->routes[1].p.len, 24);
	snap_free(s);
	tc_reset_keys(TC_TENANT_KEYS);
	/* node 2 of tenant 7 and node 2 of tenant 8 are two members */
	s = tc_parse_ok("daemon: { user = \"eesp\"; };\n" TC_EESP_DOMAIN " };\n"
			"peers = ( { name = \"t7\"; endpoint = \"198.51.100.2\"; node_id = 2; "
			"tenant = 7; allowed_ips = [ \"192.0.2.7/32\" ]; },\n"
			"{ name = \"t8\"; endpoint = \"198.51.100.3\"; node_id = 2; tenant = 8; "
			"allowed_ips = [ \"192.0.2.8/32\" ]; } );\n",
			&c, NULL);
	cr_assert_eq(s->n_peers, 2);
	cr_assert_eq(s->peers[0].tenant, 7);
	cr_assert_eq(s->peers[1].tenant, 8);
	snap_free(s);
}

/* profile spi: a server deriving its peer's key, a client with sa lines */
Test(conf, profile_spi_server_and_client)
{
	struct eespd_conf c;
	tc_reset();
	struct snap *s = tc_parse_ok(TC_SPI_SERVER("", "", "", ""), &c, NULL);
	const struct domain *d = &s->dom[0];
	cr_assert_eq(d->profile, EESP_PROFILE_SPI);
	cr_assert_eq(d->dom.spi_min, 0x1000);
	cr_assert_eq(d->dom.spi_max, 0x1fff);
	cr_assert_eq(s->peers[0].tx_key, -1, "derived from the root, no sa line");
	snap_free(s);
	s = tc_parse_ok(TC_SPI_CLIENT("", "sa_phase = 3;", "", ""), &c, NULL);
	cr_assert_eq(s->dom[0].sa_phase, 3);
	cr_assert_eq(s->peers[0].tx_key, 0, "the sa eesp line of SPI 0x1010");
	cr_assert_eq(s->peers[0].rx_spi[0], 0x1011);
	snap_free(s);
}
