// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_conf_errors.c - every refusal of the configuration parser (conf.c,
 * conf_domain.c and the libconfig helpers they use) for the daemon group,
 * the domains and the psp group: one row per path, the configuration text,
 * the line the message must name ("fuzz.conf:LINE: ", or the key file's own
 * position) and a part of the message that names the setting.  The peers
 * list is test_conf_peers.c; ranges of numbers are test_conf.c.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testconf.h"

#define R(t, l, w)                                                                                 \
	{                                                                                          \
		t, l, w, NULL, false                                                               \
	}
#define RF(t, l, w, f)                                                                             \
	{                                                                                          \
		t, l, w, f, false                                                                  \
	}
#define RU(t, l, w)                                                                                \
	{                                                                                          \
		t, l, w, NULL, true                                                                \
	}

#define D(x) TC_EESP(x, "", "", "")
#define S(x) TC_EESP("", x, "", "")
#define T(x) TC_EESP("", "", "", x)
#define PSP_S(x) TC_PSP("", x, "", "")
/* a domain group of the daemon's own choosing on line 2 (no peers) */
#define DOMAIN_ONLY(head) "daemon: { user = \"eesp\"; };\n" head "\n"
#define ADDR4(n)                                                                                   \
	"\"192.0.2." n "/24\", \"2001:db8::" n "/64\", \"2001:db8:1::" n "/64\", \"2001:db8:2::" n \
	"/64\", "
#define ADDR8 ADDR4("1") ADDR4("2")
#define LONG64 "0123456789012345678901234567890123456789012345678901234567890123"

static const struct refusal daemon_rows[] = {
    R(D("mtu = ;"), 2, "syntax error"),
    R(T("extra = 1;"), 10, "unknown setting 'extra'"),
    R(TC_EESP_DOMAIN "\n};\n", 0, "missing group 'daemon'"),
    R("daemon = 5;\n" TC_EESP_DOMAIN "\n};\n", 1, "missing group 'daemon'"),
    R(D("mtux = 1400;"), 2, "unknown setting 'mtux' in daemon"),
    R(D("mode = \"ipsec\";"), 2, "mode must be eesp or psp, not \"ipsec\""),
    R(D("mode = 1;"), 2, "'mode' must be a string"),
    R(D("interface = 5;"), 2, "'interface' must be a string"),
    R(D("interface = \"0123456789abcdef\";"), 2, "'interface' is too long (max 15)"),
    R(D("mtu = \"1400\";"), 2, "'mtu' must be an integer"),
    R(D("mtu = 1400.0;"), 2, "'mtu' must be an integer"),
    R(D("addresses = \"192.0.2.1/24\";"), 2, "'addresses' must be a list of prefixes"),
    R(D("addresses = [ 1 ];"), 2, "'addresses' element 0 must be a string"),
    R(D("addresses = [ \"192.0.2.1/33\" ];"), 2, "'addresses': bad prefix \"192.0.2.1/33\""),
    R(D("addresses = [ \"2001:db8::1/129\" ];"), 2, "'addresses': bad prefix \"2001:db8::1/129\""),
    R(D("addresses = [ \"192.0.2.300/24\" ];"), 2, "'addresses': bad prefix"),
    R(D("addresses = [ " ADDR8 ADDR8 "\"192.0.2.9/24\" ];"), 2, "addresses: at most 16"),
    R(D("port = \"x\";"), 2, "'port' must be an integer"),
    R(D("source_ports = [ 1 ];"), 2, "source_ports must be [ min, max ]"),
    R(D("source_ports = 5;"), 2, "source_ports must be [ min, max ]"),
    R(D("source_ports = [ 1, 2, 3 ];"), 2, "source_ports must be [ min, max ]"),
    R(D("source_ports = [ 0, 10 ];"), 2, "source_ports [0, 10]: need 1 <= min <= max <= 65535"),
    R(D("source_ports = [ 10, 65536 ];"), 2, "source_ports [10, 65536]: need 1 <= min"),
    R(D("source_ports = [ 20, 10 ];"), 2, "source_ports [20, 10]: need 1 <= min"),
    R(D("workers = \"2\";"), 2, "'workers' must be an integer"),
    R(D("offload = 1;"), 2, "offload must be true or false"),
    R(D("gro = \"yes\";"), 2, "gro must be true or false"),
    R(D("udp_gso = 0;"), 2, "udp_gso must be true or false"),
    R(D("udp_gro = 1;"), 2, "udp_gro must be true or false"),
    R(D("seccomp = 0;"), 2, "seccomp must be true or false"),
    R(TC_CONF("user = 5;", "", TC_EESP_DOMAIN, "", TC_EESP_PEER, "", ""), 1,
      "'user' must be a string"),
    R(TC_CONF("user = \"" LONG64 "\";", "", TC_EESP_DOMAIN, "", TC_EESP_PEER, "", ""), 1,
      "'user' is too long (max 63)"),
    R(TC_CONF("user = \"ghost\";", "", TC_EESP_DOMAIN, "", TC_EESP_PEER, "", ""), 1,
      "user 'ghost' does not exist: create it with useradd --system --no-create-home "
      "--shell /usr/sbin/nologin ghost"),
    RU(TC_CONF("", "", TC_EESP_DOMAIN, "", TC_EESP_PEER, "", ""), 1,
       "user 'eesp' (the default of daemon.user) does not exist"),
    R(D("control_socket = 5;"), 2, "'control_socket' must be a string"),
    R(D("control_socket = \"/run/" LONG64 LONG64 "\";"), 2,
      "control_socket path too long for a UNIX socket"),
    R(D("control_socket = \"/run/" LONG64 LONG64 LONG64 LONG64 "\";"), 2,
      "'control_socket' is too long (max 255)"),
    R(D("state_dir = 5;"), 2, "'state_dir' must be a string"),
    R(D("control_group = 5;"), 2, "'control_group' must be a string"),
    R(D("admin_group = 5;"), 2, "'admin_group' must be a string"),
    R(D("admin_group = \"nogroup\";"), 2,
      "admin_group 'nogroup' does not exist (create it with groupadd --system nogroup"),
    R(D("iv_block = \"big\";"), 2, "'iv_block' must be an integer"),
    R(D("log_level = \"loud\";"), 2, "log_level must be error, warning, info or debug"),
    R(D("log_level = 3;"), 2, "'log_level' must be a string"),
    R(D("lock_memory = \"some\";"), 2,
      "lock_memory must be \"auto\", \"all\" or \"keys\", not \"some\""),
    R(D("lock_memory = \"0123456789abcdefg\";"), 2, "'lock_memory' is too long (max 15)"),
};

static const struct refusal domain_rows[] = {
    R(T("domains = ( { id = 1; } );"), 10, "give either 'domain' or 'domains', not both"),
    R("daemon: { user = \"eesp\"; };\n", 0,
      "mode eesp needs a 'domain' group (or a 'domains' list)"),
    R(DOMAIN_ONLY("domain = 5;"), 2, "each domain must be a group { ... }"),
    R(DOMAIN_ONLY("domains = { id = 1; };"), 2, "domains must be a list ( { ... }, { ... } )"),
    R(DOMAIN_ONLY("domains = [ 1 ];"), 2, "domains must be a list"),
    R(DOMAIN_ONLY("domains = ( );"), 2, "domains: 1 to 8 domains"),
    R(DOMAIN_ONLY("domains = ( 5 );"), 2, "each domain must be a group { ... }"),
    R(S("idx = 1;"), 5, "unknown setting 'idx' in domain"),
    R(S("name = \"a b\";"), 5, "domain name \"a b\": use letters, digits, '.', '_' and '-' only"),
    R(S("name = \"\";"), 5, "domain name \"\": use letters"),
    R(S("name = 5;"), 5, "'name' must be a string"),
    R(S("profile = \"mesh\";"), 5, "profile must be spi, node, pair or tenant, not \"mesh\""),
    R(DOMAIN_ONLY("domain: { node_id = 1; key_file = \"dom.keys\"; };"), 2, "missing setting 'id'"),
    R(DOMAIN_ONLY("domain: { id = \"x\"; node_id = 1; key_file = \"dom.keys\"; };"), 2,
      "'id' must be an integer"),
    R(S("kdf = \"sha1\";"), 5, "kdf must be cmac or hmac, not \"sha1\""),
    R(S("suite = \"chacha\";"), 5, "suite must be aes-gcm-128 or aes-gcm-256, not \"chacha\""),
    R(DOMAIN_ONLY("domain: { id = 1; key_file = \"dom.keys\"; };"), 2, "missing setting 'node_id'"),
    R(DOMAIN_ONLY("domain: { id = 1; profile = \"pair\"; key_file = \"dom.keys\"; };"), 2,
      "missing setting 'node_id'"),
    R(S("profile = \"tenant\";"), 4, "missing setting 'tenant'"),
    R(S("profile = \"tenant\"; tenant = 0;"), 5, "profile tenant needs a non-zero tenant"),
    R(S("group = \"x\";"), 5, "'group' must be an integer"),
    R(S("tenant = 3000000000;"), 5,
      "'tenant' = -1294967296 out of range [0, 4294967295] (negative, or a decimal above "
      "2147483647 "
      "read as negative: write such a value in hex, 0xb2d05e00)"),
    R(S("epoch_packets = 100; epoch_window = 0;"), 5,
      "epoch_packets needs epoch_window >= 1 (receivers follow the sender's epoch"),
    R(S("epoch = \"x\";"), 5, "'epoch' must be an integer"),
    R(S("replay = 1;"), 5, "replay must be true or false"),
    R(S("replay_buckets = 3;"), 5, "replay_buckets must be a power of two"),
    R(S("replay_buckets = 1000;"), 5, "replay_buckets must be a power of two"),
    R(DOMAIN_ONLY("domain: { id = 1; node_id = 1; };"), 2, "missing setting 'key_file'"),
    R(DOMAIN_ONLY("domain: { id = 1; node_id = 1; key_file = 5; };"), 2,
      "'key_file' must be a string"),
    R(DOMAIN_ONLY("domain: { id = 1; node_id = 1; key_file = \"nope.keys\"; };"), 2,
      "key file mem/nope.keys: No such file or directory"),
    RF(DOMAIN_ONLY("domain: { id = 1; node_id = 1; key_file = \"bad.keys\"; };"), 2,
       "generation must be a number from 0 to 4294967295", "mem/bad.keys"),
    R(DOMAIN_ONLY("domain: { id = 1; node_id = 1; key_file = \"empty.keys\"; };"), 2,
      "key file mem/empty.keys holds no domain root key"),
    R(DOMAIN_ONLY("domain: { id = 1; node_id = 1; key_file = \"spi-client.keys\"; };"), 2,
      "key file mem/spi-client.keys holds no domain root key"),
    R(S("tenant = 9;"), 5, "key file mem/dom.keys holds no root key of tenant 9"),
    R(S("group = 9;"), 5, "key file mem/dom.keys holds no root key of group 9"),
    R(S("forward_to = [ \"x\" ];"), 5, "forward_to: no domain named \"x\""),
    R(S("forward_to = [ \"default\" ];"), 5, "forward_to: a domain cannot forward to itself"),
};

/* domains = ( ... ): names, ids and forward_to */
#define DOMS_A(x) TC_DOMS("", x, "", "", "")
static const struct refusal domains_rows[] = {
    R(DOMS_A("idx = 1;"), 5, "unknown setting 'idx'"),
    R(DOMAIN_ONLY("domains = ( { name = \"a\"; id = 1; node_id = 1; key_file = \"a.keys\"; },\n"
		  "{ name = \"a\"; id = 2; node_id = 1; key_file = \"b.keys\"; } );"),
      3, "domain name \"a\" given twice"),
    R(DOMAIN_ONLY("domains = ( { name = \"a\"; id = 7; node_id = 1; key_file = \"a.keys\"; },\n"
		  "{ name = \"b\"; id = 7; node_id = 1; key_file = \"b.keys\"; } );"),
      3, "domain b: id 0x00000007 is also domain a's"),
    R(DOMS_A("forward_to = \"b\";"), 5, "forward_to must be a list of domain names [ \"b\" ]"),
    R(DOMS_A("forward_to = [ 1 ];"), 5, "forward_to: domain names are strings"),
    R(DOMS_A("forward_to = [ \"c\" ];"), 5, "forward_to: no domain named \"c\""),
    R(DOMS_A("forward_to = [ \"a\" ];"), 5, "forward_to: a domain cannot forward to itself"),
    R(TC_DOMS("", "", "forward_to = [ \"a\", \"c\" ];", "", ""), 7,
      "forward_to: no domain named \"c\""),
    R(DOMS_A("profile = \"tenant\"; tenant = 0;"), 5, "profile tenant needs a non-zero tenant"),
};

/* the receive policy of a domain, and of the psp group */
#define POLICY(entry) S("policy = ( " entry " );")
#define NET "prefixes = [ \"192.0.2.0/24\" ];"
static const struct refusal policy_rows[] = {
    R(S("policy = 5;"), 5, "policy must be a list ( { nodes = [...]; prefixes = [...]; } )"),
    R(POLICY("5"), 5, "each policy entry must be a group { ... }"),
    R(POLICY("{ nodes = [ 2 ]; " NET " foo = 1; }"), 5, "unknown setting 'foo'"),
    R(POLICY("{ " NET " }"), 5, "policy entry needs 'nodes' (eesp) or 'spis'"),
    R(POLICY("{ nodes = 5; " NET " }"), 5, "'nodes' must be a list"),
    R(POLICY("{ nodes = [ \"5-2\" ]; " NET " }"), 5, "'nodes': bad range \"5-2\" (N or LO-HI)"),
    R(POLICY("{ nodes = [ \"x\" ]; " NET " }"), 5, "'nodes': bad range \"x\""),
    R(POLICY("{ nodes = [ \"2-\" ]; " NET " }"), 5, "'nodes': bad range \"2-\""),
    R(POLICY("{ nodes = [ \"4294967296\" ]; " NET " }"), 5, "'nodes': bad range \"4294967296\""),
    R(POLICY("{ nodes = [ 4294967296L ]; " NET " }"), 5, "'nodes': value out of range"),
    R(POLICY("{ nodes = [ -1 ]; " NET " }"), 5, "'nodes': value out of range"),
    R(POLICY("{ nodes = [ 2, -2147483648 ]; " NET " }"), 5, "'nodes': value out of range"),
    R(POLICY("{ nodes = [ 4294967295 ]; " NET " }"), 5,
      "'nodes': value out of range (negative, or a decimal above 2147483647 read as negative: "
      "write such a value in hex, 0xffffffff)"),
    R(POLICY("{ nodes = [ 1.5 ]; " NET " }"), 5,
      "'nodes' elements must be integers or \"LO-HI\" strings"),
    R(POLICY("{ spis = [ \"1-x\" ]; " NET " }"), 5, "'spis': bad range \"1-x\""),
    R(POLICY("{ nodes = [ 2 ]; }"), 5, "missing setting 'prefixes'"),
    R(POLICY("{ nodes = [ 2 ]; prefixes = [ \"192.0.2.0/40\" ]; }"), 5,
      "'prefixes': bad prefix \"192.0.2.0/40\""),
    R(POLICY("{ nodes = [ 2 ]; prefixes = \"192.0.2.0/24\"; }"), 5,
      "'prefixes' must be a list of prefixes"),
    R(POLICY("{ nodes = [ 2 ]; " NET " tenant = \"x\"; }"), 5, "'tenant' must be an integer"),
    R(POLICY("{ nodes = [ 2 ]; " NET " group = -1; }"), 5,
      "'group' = -1 out of range [0, 4294967295]"),
    R(PSP_S("policy = ( { spis = [ 5 ]; " NET " tenant = 1; } );"), 5,
      "psp policy: tenant and group apply to eesp only"),
    R(PSP_S("policy = ( { spis = [ 5 ]; " NET " group = 1; } );"), 5,
      "psp policy: tenant and group apply to eesp only"),
    R(PSP_S("policy = 5;"), 5, "policy must be a list"),
};

/* profile spi: server (domain root, spi_min..spi_max) and client (sa eesp) */
#define SPI_HEAD(keys, extra)                                                                      \
	DOMAIN_ONLY("domain: { profile = \"spi\"; key_file = \"" keys "\"; " extra " };")
static const struct refusal spi_rows[] = {
    R(TC_SPI_SERVER("workers = 2;", "", "", ""), 2,
      "profile spi needs workers = 1 (the out-of-band data keys are bound to Session ID 1)"),
    R(TC_SPI_SERVER("", "epoch_period = 60;", "", ""), 5,
      "profile spi needs a fixed epoch (epoch_period = 0)"),
    R(TC_SPI_CLIENT("", "epoch_packets = 10;", "", ""), 5,
      "profile spi needs a fixed epoch (epoch_period = 0)"),
    R(SPI_HEAD("spi-server.keys", ""), 2,
      "profile spi with a domain root key (server) needs spi_min <= spi_max"),
    R(SPI_HEAD("spi-server.keys", "spi_min = 0x1000;"), 2,
      "profile spi with a domain root key (server) needs spi_min <= spi_max"),
    R(SPI_HEAD("spi-server.keys", "spi_min = 0x2000; spi_max = 0x1000;"), 2,
      "profile spi with a domain root key (server) needs spi_min <= spi_max"),
    R(TC_SPI_SERVER("", "tenant = 7;", "", ""), 5,
      "key file mem/spi-server.keys holds no root key of tenant 7"),
};

/* a profile-spi client without any SA: a warning (its SAs may all come at
 * runtime, sa-tx-set and sa-rx-set; refused before runtime SAs) */
Test(conf_errors, spi_client_without_sas)
{
	struct eespd_conf c;
	struct conf_warnings w = {0};
	tc_reset();
	snap_free(tc_parse_ok(SPI_HEAD("psp-sa-only.keys", ""), &c, &w));
	cr_assert_eq(w.n, 1, "%u warnings", w.n);
	cr_assert_str_eq(w.msg[0],
			 "fuzz.conf:2: key file mem/psp-sa-only.keys holds neither a "
			 "domain root key (server) nor 'sa eesp' data keys (client): this "
			 "client carries traffic only once its SAs are set over the "
			 "control socket (sa-tx-set, sa-rx-set)");
}

#define PSP_HEAD(g) "daemon: { mode = \"psp\"; user = \"eesp\"; };\n" g "\n"
static const struct refusal psp_rows[] = {
    R("daemon: { mode = \"psp\"; user = \"eesp\"; };\n", 0, "mode psp needs a 'psp' group"),
    R(PSP_HEAD("psp = 5;"), 0, "mode psp needs a 'psp' group"),
    R(PSP_S("node_id = 1;"), 5, "unknown setting 'node_id' in psp"),
    R(PSP_S("version = \"1\";"), 5, "'version' must be an integer"),
    R(PSP_HEAD("psp: { version = 1; };"), 2, "missing setting 'key_file'"),
    R(PSP_HEAD("psp: { key_file = \"psp-sa-only.keys\"; };"), 2,
      "key file mem/psp-sa-only.keys holds no psp master key (psp 0|1 <hex>)"),
    R(PSP_HEAD("psp: { key_file = \"nope.keys\"; };"), 2,
      "key file mem/nope.keys: No such file or directory"),
    RF(PSP_HEAD("psp: { key_file = \"bad.keys\"; };"), 2,
       "generation must be a number from 0 to 4294967295", "mem/bad.keys"),
};

REFUSAL_TEST(conf_errors, daemon_group, daemon_rows)

REFUSAL_TEST(conf_errors, domain_group, domain_rows)

REFUSAL_TEST(conf_errors, domains_list, domains_rows)

REFUSAL_TEST(conf_errors, policy, policy_rows)

REFUSAL_TEST(conf_errors, profile_spi, spi_rows)

REFUSAL_TEST(conf_errors, psp_group, psp_rows)

/* nine domains: one more than EESPD_MAX_DOMAINS */
Test(conf_errors, too_many_domains)
{
	char text[4096], err[1024];
	size_t n =
	    (size_t)snprintf(text, sizeof(text), "daemon: { user = \"eesp\"; };\ndomains = (");
	for (unsigned i = 1; i <= EESPD_MAX_DOMAINS + 1; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "%s{ name = \"d%u\"; id = %u; node_id = 1; key_file = "
				      "\"a.keys\"; }",
				      i > 1 ? ",\n" : "\n", i, i);
	snprintf(text + n, sizeof(text) - n, " );\n");
	tc_reset();
	cr_assert(tc_parse_refused(text, err, sizeof(err)));
	cr_assert_str_eq(err, "fuzz.conf:2: domains: 1 to 8 domains");
}

/* an environment that cannot load keys, resolve users or groups */
Test(conf_errors, environment_without_loaders)
{
	static const struct conf_env none = {0};
	struct eespd_conf c;
	struct snap *s;
	char err[512];
	tc_reset();
	cr_assert_neq(conf_parse(TC_FILE, D(""), TC_DIR, &none, &c, &s, NULL, err, sizeof(err)), 0);
	cr_assert_str_eq(err, "fuzz.conf:1: user 'eesp' does not exist: create it with useradd "
			      "--system --no-create-home --shell /usr/sbin/nologin eesp (or set "
			      "user to an existing account of its own)");
	struct conf_env users = {.user_uid = tc_env.user_uid};
	cr_assert_neq(conf_parse(TC_FILE, D(""), TC_DIR, &users, &c, &s, NULL, err, sizeof(err)),
		      0);
	cr_assert_str_eq(err, "fuzz.conf:4: key file mem/dom.keys: no key loader");
	cr_assert_neq(conf_parse(TC_FILE, D("admin_group = \"eespadm\";"), TC_DIR, &users, &c, &s,
				 NULL, err, sizeof(err)),
		      0);
	cr_assert_str_eq(err, "fuzz.conf:2: admin_group 'eespadm' does not exist (create it with "
			      "groupadd --system eespadm, or leave admin_group out: admin verbs "
			      "for root only)");
	cr_assert_null(s);
}

/* without a text libconfig reads the path itself: a missing file is named */
Test(conf_errors, libconfig_reads_the_file_when_there_is_no_text)
{
	struct eespd_conf c;
	struct snap *s = (struct snap *)1;
	char err[512];
	tc_reset();
	cr_assert_neq(conf_parse("/nonexistent/eespd.conf", NULL, NULL, &tc_env, &c, &s, NULL, err,
				 sizeof(err)),
		      0);
	cr_assert_str_eq(err, "/nonexistent/eespd.conf: cannot read: No such file or directory");
	cr_assert_null(s);
	cr_assert_str_eq(c.dir, "/nonexistent");
}
