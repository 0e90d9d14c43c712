// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_conf_peers.c - the refusals of the peers list (conf_peers.c), one
 * row per path with the line and the setting its message names, and the
 * parser's warnings (conf_warnings): peer and policy entries in a key
 * boundary this node holds no root of, policy entries without a tenant on
 * a node holding other tenants' roots, and the cap on their number.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "testconf.h"

#define R(t, l, w)                                                                                 \
	{                                                                                          \
		t, l, w, NULL, false                                                               \
	}
#define P(x) TC_EESP("", "", x, "")
/* the peers list on line 4 after a one-line daemon and domain */
#define NOPEERS(t) "daemon: { user = \"eesp\"; };\n" TC_EESP_DOMAIN "\n};\n" t "\n"
#define PEERX(fields) NOPEERS("peers = ( { " fields " } );")
#define PEER1(fields) PEERX("name = \"b\"; " fields)
#define EP(ep) PEER1("endpoint = \"" ep "\"; node_id = 2; allowed_ips = [ \"192.0.2.2/32\" ];")
#define BAD_EP(ep) R(EP(ep), 4, "peer b: bad endpoint \"" ep "\" (ADDR:PORT or [ADDR6]:PORT)")
#define NET2 "allowed_ips = [ \"192.0.2.2/32\" ];"
#define NET3 "allowed_ips = [ \"192.0.2.3/32\" ];"
/* two domains a and b (node 2 in both), the peers on line 4 */
#define DOMS2(t)                                                                                   \
	"daemon: { user = \"eesp\"; };\n"                                                          \
	"domains = ( { name = \"a\"; id = 0xA0000001; node_id = 2; key_file = \"a.keys\"; },\n"    \
	"{ name = \"b\"; id = 0xB0000002; node_id = 2; key_file = \"b.keys\"; } );\n" t "\n"
/* the peers on line 3 after a one-line daemon and domain/psp group */
#define ON3(daemon, group, t) "daemon: { " daemon " };\n" group "\n" t "\n"
#define SPI_SERVER(t)                                                                              \
	ON3("user = \"eesp\";",                                                                    \
	    "domain: { profile = \"spi\"; key_file = \"spi-server.keys\"; spi_min = 0x1000; "      \
	    "spi_max = 0x1fff; };",                                                                \
	    t)
#define SPI_CLIENT(extra, t)                                                                       \
	ON3("user = \"eesp\";",                                                                    \
	    "domain: { profile = \"spi\"; key_file = \"spi-client.keys\"; " extra " };", t)
#define PSP(extra, t)                                                                              \
	ON3("mode = \"psp\"; user = \"eesp\";", "psp: { key_file = \"psp.keys\"; " extra " };", t)
#define PEER_C(fields) "peers = ( { name = \"c\"; endpoint = \"198.51.100.3\"; " fields " } );"

static const struct refusal peer_rows[] = {
    R(NOPEERS("peers = { };"), 4, "peers must be a list ( { ... }, ... )"),
    R(NOPEERS("peers = ( 5 );"), 4, "each peer must be a group { ... }"),
    R(P("port = 1;"), 8, "unknown setting 'port'"),
    R(PEERX("name = 5; endpoint = \"198.51.100.2\"; node_id = 2; " NET2), 4,
      "'name' must be a string"),
    R(PEER1("node_id = 2; " NET2), 4, "missing setting 'endpoint'"),
    R(PEER1("endpoint = 5; node_id = 2; " NET2), 4, "'endpoint' must be a string"),
    BAD_EP("[2001:db8::2"),
    BAD_EP("[2001:db8::2]x"),
    BAD_EP("[2001:db8::2]:"),
    BAD_EP("[]:4500"),
    BAD_EP("198.51.100.2:0"),
    BAD_EP("198.51.100.2:65536"),
    BAD_EP("198.51.100.2:http"),
    BAD_EP("198.51.100.2:"),
    BAD_EP("198.51.100.2:4500:1"),
    BAD_EP("example.org:4500"),
    BAD_EP(""),
    R(PEER1("endpoint = \"198.51.100.2\"; " NET2), 4, "peer b: node_id missing (profile node)"),
    R(ON3("user = \"eesp\";",
	  "domain: { id = 0xC0FFEE01; node_id = 1; profile = \"pair\"; key_file = \"dom.keys\"; };",
	  "peers = ( { endpoint = \"198.51.100.2\"; " NET2 " } );"),
      3, "peer peer1: node_id missing (profile pair)"),
    R(PEERX("name = \"b\"; endpoint = \"198.51.100.2\"; node_id = \"2\"; " NET2), 4,
      "'node_id' must be an integer"),
    R(PEER1("endpoint = \"198.51.100.2\"; node_id = 1; " NET2), 4,
      "peer b: node_id 1 is this node's own (domain default): two members with one node id "
      "reuse nonces"),
    R(NOPEERS("peers = ( { name = \"b\"; endpoint = \"198.51.100.2\"; node_id = 2; " NET2 " },\n"
	      "{ name = \"c\"; endpoint = \"198.51.100.3\"; node_id = 2; " NET3 " } );"),
      5, "peer c: node_id 2 is also peer b's: two members with one node id reuse nonces"),
    R(NOPEERS(
	  "peers = ( { name = \"b\"; endpoint = \"198.51.100.2\"; node_id = 2; tenant = 7; " NET2
	  " },\n{ name = \"c\"; endpoint = \"198.51.100.3\"; node_id = 2; tenant = 7; " NET3
	  " } );"),
      5, "peer c: node_id 2 is also peer b's"),
    R(DOMS2("peers = ( { name = \"n1\"; endpoint = \"198.51.100.1\"; node_id = 1; " NET2 " } );"),
      4, "peer n1: name its domain (domain = \"...\"): there are 2"),
    R(DOMS2("peers = ( { name = \"n1\"; domain = \"c\"; endpoint = \"198.51.100.1\"; node_id = "
	    "1; " NET2 " } );"),
      4, "peer n1: no domain named \"c\""),
    R(DOMS2("peers = ( { name = \"n1\"; domain = 5; endpoint = \"198.51.100.1\"; node_id = 1; " NET2
	    " } );"),
      4, "'domain' must be a string"),
    R(DOMS2("peers = ( { name = \"n1\"; domain = \"b\"; endpoint = \"198.51.100.1\"; node_id = "
	    "2; " NET2 " } );"),
      4, "peer n1: node_id 2 is this node's own (domain b)"),
    R(P("tenant = \"x\";"), 8, "'tenant' must be an integer"),
    R(P("group = -1;"), 8, "'group' = -1 out of range [0, 4294967295]"),
    R(P("tx_spi = 0;"), 8, "'tx_spi' = 0 out of range [1, 4294967295]"),
    R(P("rx_spi = 0;"), 8, "'rx_spi' = 0 out of range [1, 4294967295]"),
    R(P("rx_spi = \"0x2001\";"), 8, "'rx_spi' must be an integer"),
    R(P("rx_spi = [ \"x\" ];"), 8, "'rx_spi': bad range \"x\""),
    R(P("rx_spi = [ 1.5 ];"), 8, "'rx_spi' elements must be integers or \"LO-HI\" strings"),
    R(P("rx_spi = ( 0x2000, \"0x2001-0x2003\" );"), 8,
      "'rx_spi': \"0x2001-0x2003\" is a range: list each SPI (ranges are for policy spis)"),
    R(PEER1("endpoint = \"198.51.100.2\"; node_id = 2;"), 4, "missing setting 'allowed_ips'"),
    R(PEER1("endpoint = \"198.51.100.2\"; node_id = 2; allowed_ips = [ \"192.0.2.256/32\" ];"), 4,
      "'allowed_ips': bad prefix \"192.0.2.256/32\""),
    R(PEER1("endpoint = \"198.51.100.2\"; node_id = 2; allowed_ips = \"192.0.2.2/32\";"), 4,
      "'allowed_ips' must be a list of prefixes"),
};

/* out-of-band keys: profile spi and psp mode */
static const struct refusal tx_key_rows[] = {
    R(SPI_SERVER(PEER_C("tx_spi = 0x3000; " NET3)), 3,
      "peer c: key file mem/spi-server.keys has no 'sa eesp 0x00003000 ...' line"),
    R(SPI_CLIENT("", PEER_C("tx_spi = 0x1013; " NET3)), 3,
      "peer c: key file mem/spi-client.keys has no 'sa eesp 0x00001013 ...' line"),
    R(SPI_CLIENT("", PEER_C("tx_spi = 0x1012; " NET3)), 3,
      "peer c: data key of SPI 0x00001012 is 16 bytes, the suite needs 32"),
    R(SPI_CLIENT("suite = \"aes-gcm-128\";", PEER_C("tx_spi = 0x1010; " NET3)), 3,
      "peer c: data key of SPI 0x00001010 is 32 bytes, the suite needs 16"),
    R(PSP("", PEER_C("tx_spi = 0x1003; " NET3)), 3,
      "peer c: key file mem/psp.keys has no 'sa psp 0x00001003 ...' line"),
    R(PSP("", PEER_C("tx_spi = 0x1002; " NET3)), 3,
      "peer c: data key of SPI 0x00001002 is 16 bytes, psp version needs 32"),
    R(PSP("version = 0;", PEER_C("tx_spi = 0x1001; " NET3)), 3,
      "peer c: data key of SPI 0x00001001 is 32 bytes, psp version needs 16"),
};

REFUSAL_TEST(conf_errors, peers, peer_rows)

REFUSAL_TEST(conf_errors, out_of_band_keys, tx_key_rows)

/* ------------------------------------------------------------ warnings -- */

struct warning_row {
	const char *keys; /* the text of dom.keys (NULL: the table's) */
	const char *text;
	const char *want[3]; /* every warning, in order */
};

#define POLICY(entry) TC_EESP("", "policy = ( " entry " );", "", "")
#define NODES3 "nodes = [ 3 ]; prefixes = [ \"192.0.2.3/32\" ];"
#define OWN_ONLY                                                                                   \
	"policy entry without 'tenant' accepts only packets sealed under the domain's own "        \
	"tenant level (tenant = 0); the key file holds other tenants' roots: give each entry its " \
	"'tenant' (before eesp 0.2 such an entry accepted every tenant)"
#define NO_TX_SPI                                                                                  \
	"peer c: no tx_spi: packets to it are dropped (no_tx_sa) until a transmit SA is set over " \
	"the control socket (sa-tx-set)"
static const struct warning_row warning_rows[] = {
    {NULL, P(""), {NULL}},
    {NULL,
     P("tenant = 9;"),
     {"fuzz.conf:7: tenant 9: this node holds no root key of tenant 9; the entry cannot "
      "match"}},
    {NULL,
     P("group = 4;"),
     {"fuzz.conf:7: group 4: this node holds no root key of group 4; the entry cannot match"}},
    {NULL,
     P("tenant = 9; group = 4;"),
     {"fuzz.conf:7: tenant 9: this node holds no root key of tenant 9",
      "fuzz.conf:7: group 4: this node holds no root key of group 4"}},
    {TC_TENANT_KEYS, P("tenant = 7; group = 5;"), {NULL}},
    {NULL,
     POLICY("{ " NODES3 " tenant = 9; }"),
     {"fuzz.conf:5: tenant 9: this node holds no root key of tenant 9; the entry cannot "
      "match"}},
    {NULL, POLICY("{ " NODES3 " }"), {NULL}},
    {TC_TENANT_KEYS, POLICY("{ " NODES3 " }"), {"fuzz.conf:5: " OWN_ONLY}},
    {TC_TENANT_KEYS, POLICY("{ " NODES3 " tenant = 0; }"), {NULL}},
    {TC_TENANT_KEYS, POLICY("{ " NODES3 " tenant = 8; }"), {NULL}},
    {TC_TENANT_KEYS,
     POLICY("{ " NODES3 " group = 6; }"),
     {"fuzz.conf:5: group 6: this node holds no root key of group 6", "fuzz.conf:5: " OWN_ONLY}},
    /* no tx_spi: the transmit SA comes at runtime (sa-tx-set; refused
     * before runtime SAs) */
    {NULL, SPI_SERVER(PEER_C(NET3)), {"fuzz.conf:3: " NO_TX_SPI}},
    {NULL, PSP("", PEER_C(NET3)), {"fuzz.conf:3: " NO_TX_SPI}},
};

Test(conf_warnings, each_named_with_its_line)
{
	for (size_t i = 0; i < sizeof(warning_rows) / sizeof(warning_rows[0]); i++) {
		const struct warning_row *r = &warning_rows[i];
		struct eespd_conf c;
		struct conf_warnings w = {0};
		unsigned want = 0;
		tc_reset_keys(r->keys);
		snap_free(tc_parse_ok(r->text, &c, &w));
		while (want < 3 && r->want[want])
			want++;
		cr_expect_eq(w.n, want, "row %zu: %u warnings, want %u (first: %s)", i, w.n, want,
			     w.n ? w.msg[0] : "-");
		for (unsigned k = 0; k < want && k < w.n; k++)
			cr_expect(strstr(w.msg[k], r->want[k]) == w.msg[k],
				  "row %zu warning %u: \"%s\", want \"%s\"", i, k, w.msg[k],
				  r->want[k]);
	}
}

/* more warnings than conf_warnings holds: the first CONF_MAX_WARNINGS are
 * kept, the rest dropped, none written past the end */
Test(conf_warnings, capped)
{
	char text[16384], entries[12288];
	size_t n = 0;
	struct eespd_conf c;
	struct conf_warnings w[2];
	memset(w, 0x5a, sizeof(w));
	w[0].n = 0;
	for (unsigned i = 0; i < CONF_MAX_WARNINGS + 8; i++)
		n += (size_t)snprintf(entries + n, sizeof(entries) - n,
				      "%s{ nodes = [ %u ]; prefixes = [ \"192.0.2.0/24\" ]; "
				      "tenant = %u; }\n",
				      i ? ", " : "", 10 + i, 100 + i);
	snprintf(text, sizeof(text), "daemon: { user = \"eesp\"; };\n%s\npolicy = ( %s );\n};\n",
		 TC_EESP_DOMAIN, entries);
	tc_reset();
	snap_free(tc_parse_ok(text, &c, &w[0]));
	cr_assert_eq(w[0].n, CONF_MAX_WARNINGS);
	cr_assert_str_eq(w[0].msg[0], "fuzz.conf:3: tenant 100: this node holds no root key of "
				      "tenant 100; the entry cannot match");
	cr_assert(strstr(w[0].msg[CONF_MAX_WARNINGS - 1], "fuzz.conf:34: tenant 131:") ==
		  w[0].msg[CONF_MAX_WARNINGS - 1]);
	cr_assert_eq(w[1].n, 0x5a5a5a5au, "written past the end");
	/* and without a place for warnings, the same text parses */
	snap_free(tc_parse_ok(text, &c, NULL));
}
