// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lookup.c - what the data path asks of a snapshot (lookup.c), on
 * snapshots that conf_parse builds from text: the route of an inner
 * destination (longest prefix, IPv4 and IPv6, none), the domain of an SPI,
 * the largest crypt offset, the policy checks with their key boundaries
 * (a node id is claimed only inside its tenant and group), the out-of-band
 * keys and the epoch schedule.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "lookup.h"
#include "peerstats.h"
#include "names.h"
#include "testconf.h"

static struct snap *S;
static struct eespd_conf C;

static void parse(const char *keys, const char *text)
{
	tc_reset_keys(keys);
	S = tc_parse_ok(text, &C, NULL);
}

static void teardown(void)
{
	snap_free(S);
	S = NULL;
}

/* an address as the data path holds it: 4 or 16 bytes */
static int addr(const char *s, uint8_t *out)
{
	if (inet_pton(AF_INET, s, out) == 1)
		return AF_INET;
	cr_assert_eq(inet_pton(AF_INET6, s, out), 1, "bad address %s", s);
	return AF_INET6;
}

static const char *route_to(const char *dst)
{
	uint8_t a[16];
	int f = addr(dst, a);
	const struct peer *p = route_lookup(S, f, a);
	return p ? p->name : "(none)";
}

/* ------------------------------------------------------------- routes -- */

/* Prefixes that contain each other route by the longest; within one domain
 * eespd.conf refuses them (an inner address belongs to one peer of a
 * domain, issue 17 item 2), so the three peers are of three domains, which
 * share the route table. */
#define ROUTES                                                                                     \
	"daemon: { user = \"eesp\"; };\n"                                                          \
	"domains = ( { name = \"w\"; id = 0xC0FFEE01; node_id = 1; key_file = \"dom.keys\"; },\n"  \
	"{ name = \"x\"; id = 0xA0000001; node_id = 1; key_file = \"a.keys\"; },\n"                \
	"{ name = \"y\"; id = 0xB0000002; node_id = 1; key_file = \"b.keys\"; } );\n"              \
	"peers = ( { name = \"wide\"; domain = \"w\"; endpoint = \"198.51.100.4\"; node_id = 4; "  \
	"allowed_ips = [ \"0.0.0.0/0\" ]; },\n"                                                    \
	"{ name = \"b\"; domain = \"x\"; endpoint = \"198.51.100.2\"; node_id = 2; allowed_ips = " \
	"[ "                                                                                       \
	"\"192.0.2.0/24\", \"2001:db8:1::/48\" ]; },\n"                                            \
	"{ name = \"c\"; domain = \"y\"; endpoint = \"[2001:db8::3]:4600\"; node_id = 3; "         \
	"allowed_ips = [ \"192.0.2.128/25\", \"2001:db8:1:1::/64\", \"192.0.2.77/32\" ]; } );\n"

Test(lookup, route_longest_prefix_v4_and_v6, .fini = teardown)
{
	static const char *const rows[][2] = {
	    {"192.0.2.200", "c"},
	    {"192.0.2.128", "c"},
	    {"192.0.2.127", "b"},
	    {"192.0.2.5", "b"},
	    {"192.0.2.77", "c"},
	    {"192.0.2.78", "b"},
	    {"203.0.113.9", "wide"},
	    {"0.0.0.0", "wide"},
	    {"2001:db8:1:1::5", "c"},
	    {"2001:db8:1:2::5", "b"},
	    {"2001:db8:1::", "b"},
	    {"2001:db8:2::1", "(none)"},
	    {"::ffff:192.0.2.200", "(none)"},
	    {"::", "(none)"},
	};
	parse(NULL, ROUTES);
	cr_assert_eq(S->n_routes, 6);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_str_eq(route_to(rows[i][0]), rows[i][1], "%s", rows[i][0]);
	/* the table is sorted longest first */
	for (unsigned i = 1; i < S->n_routes; i++)
		cr_expect_geq(S->routes[i - 1].p.len, S->routes[i].p.len);
}

Test(lookup, no_route_without_peers, .fini = teardown)
{
	uint8_t a[16];
	parse(NULL, "daemon: { user = \"eesp\"; };\n" TC_EESP_DOMAIN " };\n");
	cr_assert_eq(S->n_routes, 0);
	cr_assert_null(route_lookup(S, addr("192.0.2.1", a), a));
	cr_assert_null(route_lookup(S, addr("2001:db8::1", a), a));
}

/* ------------------------------------------------------------ domains -- */

#define FOUR_DOMAINS                                                                               \
	"daemon: { user = \"eesp\"; };\n"                                                          \
	"domains = ( { name = \"a\"; id = 0xA0000001; node_id = 2; key_file = \"a.keys\"; "        \
	"max_crypt_offset = 5; },\n"                                                               \
	"{ name = \"b\"; id = 0xB0000002; node_id = 2; key_file = \"b.keys\"; max_crypt_offset = " \
	"17; },\n"                                                                                 \
	"{ name = \"c\"; profile = \"spi\"; key_file = \"spi-client.keys\"; },\n"                  \
	"{ name = \"d\"; profile = \"spi\"; key_file = \"spi-server.keys\"; spi_min = 0x2000; "    \
	"spi_max = 0x2fff; } );\n"

Test(lookup, domain_of_an_spi, .fini = teardown)
{
	static const struct {
		uint32_t spi;
		const char *dom;
	} rows[] = {
	    {0xA0000001, "a"}, {0xB0000002, "b"}, {0x1010, "c"},     {0x1012, "c"},
	    {0x2000, "d"},     {0x2abc, "d"},	  {0x2fff, "d"},     {0x1013, "a"},
	    {0x3000, "a"},     {0, "a"},	  {0xA0000002, "a"},
	};
	parse(NULL, FOUR_DOMAINS);
	cr_assert_eq(S->n_doms, 4);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_str_eq(snap_domain_for_spi(S, rows[i].spi)->name, rows[i].dom,
				 "spi 0x%08x", rows[i].spi);
	cr_assert_eq(snap_max_crypt_offset(S), 17);
}

Test(lookup, out_of_band_keys, .fini = teardown)
{
	parse(NULL, FOUR_DOMAINS);
	const struct eesp_sa_key *k = domain_sa_key(&S->dom[2], false, 0x1011);
	cr_assert_not_null(k);
	cr_assert_eq(k->key_len, 32);
	cr_assert_eq(k->key[0], 0x72);
	cr_assert_eq(k->salt[3], 0x08);
	cr_assert_null(domain_sa_key(&S->dom[2], true, 0x1011), "an eesp key is not a psp one");
	cr_assert_null(domain_sa_key(&S->dom[2], false, 0x1013));
	cr_assert_null(domain_sa_key(&S->dom[3], false, 0x2000), "a server derives, holds none");
	struct domain none = {0};
	cr_assert_null(domain_sa_key(&none, false, 0x1011), "a domain without keys");
	teardown();
	parse(NULL, TC_PSP("", "", "", ""));
	k = domain_sa_key(&S->dom[0], true, 0x1002);
	cr_assert_not_null(k);
	cr_assert_eq(k->key_len, 16);
	cr_assert_eq(domain_sa_key(&S->dom[0], true, 0x1001)->key_len, 32);
	cr_assert_null(domain_sa_key(&S->dom[0], false, 0x1001));
	cr_assert_null(domain_sa_key(&S->dom[0], true, 0x1003));
}

Test(lookup, epoch_schedule, .fini = teardown)
{
	static const struct {
		uint64_t t;
		uint32_t epoch;
	} rows[] = {
	    {0, 100},
	    {59, 100},
	    {60, 101},
	    {6000, 200},
	    {1ull << 33, 100 + (uint32_t)((1ull << 33) / 60)},
	};
	parse(NULL, TC_EESP("", "epoch = 100; epoch_period = 60;", "", ""));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(domain_epoch_at(&S->dom[0], rows[i].t), rows[i].epoch, "t %llu",
			     (unsigned long long)rows[i].t);
	teardown();
	parse(NULL, TC_EESP("", "epoch = 7;", "", ""));
	cr_assert_eq(domain_epoch_at(&S->dom[0], 0), 7, "epoch_period 0: fixed");
	cr_assert_eq(domain_epoch_at(&S->dom[0], 1ull << 40), 7);
}

/* ------------------------------------------------------------- policy -- */

/* peers b (node 2, the domain's own boundary), t7 (node 2 in tenant 7),
 * g (node 5 in tenant 7 and group 5); policy nodes 10-20 (own boundary),
 * node 30 in tenant 8 */
#define BOUNDARIES                                                                                 \
	"daemon: { user = \"eesp\"; };\n" TC_EESP_DOMAIN                                           \
	"\npolicy = ( { nodes = [ \"10-20\" ]; prefixes = [ \"198.51.100.0/24\", "                 \
	"\"2001:db8:5::/48\" ]; }, { nodes = [ 30 ]; prefixes = [ \"203.0.113.0/24\" ]; tenant = " \
	"8; } ); };\n"                                                                             \
	"peers = ( { name = \"b\"; endpoint = \"198.51.100.2\"; node_id = 2; allowed_ips = [ "     \
	"\"192.0.2.2/32\", \"2001:db8:1::2/128\" ]; },\n"                                          \
	"{ name = \"t7\"; endpoint = \"198.51.100.7\"; node_id = 2; tenant = 7; allowed_ips = [ "  \
	"\"192.0.2.7/32\" ]; },\n"                                                                 \
	"{ name = \"g\"; endpoint = \"198.51.100.5\"; node_id = 5; tenant = 7; group = 5; "        \
	"allowed_ips = [ \"192.0.2.5/32\" ]; } );\n"

static const struct key_boundary B0 = {0, 0, 0};
static const struct key_boundary B7 = {EESP_SCTX_FLAG_T, 7, 0};
static const struct key_boundary B8 = {EESP_SCTX_FLAG_T, 8, 0};
static const struct key_boundary B75 = {EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G, 7, 5};
/* the ids of tenant 7 without its flag, and a flag without an id */
static const struct key_boundary NOFLAG7 = {0, 7, 0};
static const struct key_boundary FLAG0 = {EESP_SCTX_FLAG_T, 0, 0};

Test(lookup, node_known_only_in_its_boundary, .fini = teardown)
{
	static const struct {
		uint32_t node;
		const struct key_boundary *b;
		bool known;
	} rows[] = {
	    {2, &B0, true},	{2, &B7, true},	  {2, &B8, false},  {2, &NOFLAG7, false},
	    {2, &FLAG0, false}, {5, &B75, true},  {5, &B7, false},  {5, &B0, false},
	    {10, &B0, true},	{20, &B0, true},  {15, &B7, false}, {21, &B0, false},
	    {30, &B8, true},	{30, &B0, false}, {3, &B0, false},
	};
	parse(TC_TENANT_KEYS, BOUNDARIES);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(policy_node_known(S, &S->dom[0], rows[i].node, rows[i].b),
			     rows[i].known, "node %u tenant %u group %u flags %u", rows[i].node,
			     rows[i].b->tenant, rows[i].b->group, rows[i].b->flags);
}

Test(lookup, inner_source_per_node_and_boundary, .fini = teardown)
{
	static const struct {
		uint32_t node;
		const struct key_boundary *b;
		const char *src;
		bool ok;
	} rows[] = {
	    {2, &B0, "192.0.2.2", true},	 {2, &B0, "2001:db8:1::2", true},
	    {2, &B0, "192.0.2.7", false}, /* t7's address, claimed outside tenant 7 */
	    {2, &B7, "192.0.2.7", true},	 {2, &B7, "192.0.2.2", false},
	    {2, &NOFLAG7, "192.0.2.7", false},	 {5, &B75, "192.0.2.5", true},
	    {5, &B7, "192.0.2.5", false},	 {12, &B0, "198.51.100.9", true},
	    {12, &B0, "2001:db8:5:1::9", true},	 {12, &B0, "192.0.2.2", false},
	    {12, &B8, "198.51.100.9", false},	 {30, &B8, "203.0.113.1", true},
	    {30, &B0, "203.0.113.1", false},	 {30, &B8, "198.51.100.9", false},
	    {2, &B0, "::ffff:192.0.2.2", false},
	};
	parse(TC_TENANT_KEYS, BOUNDARIES);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t a[16];
		unsigned pi;
		int f = addr(rows[i].src, a);
		cr_expect_eq(policy_allows_node(S, &S->dom[0], rows[i].node, rows[i].b, f, a, &pi),
			     rows[i].ok, "node %u tenant %u group %u from %s", rows[i].node,
			     rows[i].b->tenant, rows[i].b->group, rows[i].src);
		/* the peer that allowed it (per-peer counters), if a peer did */
		if (pi != PEERSTATS_NONE)
			cr_expect(rows[i].ok && pi < S->n_peers &&
				      S->peers[pi].node_id == rows[i].node,
				  "node %u from %s: peer %u", rows[i].node, rows[i].src, pi);
	}
}

/* a peer of domain a is no member of domain b */
Test(lookup, policy_per_domain, .fini = teardown)
{
	uint8_t a[16];
	int f = addr("192.0.2.1", a);
	parse(NULL, TC_DOMS("", "", "", "", ""));
	unsigned pi;
	cr_assert(policy_node_known(S, &S->dom[0], 1, &B0));
	cr_assert(policy_allows_node(S, &S->dom[0], 1, &B0, f, a, &pi));
	cr_assert(pi < S->n_peers && S->peers[pi].node_id == 1 && S->peers[pi].dom == 0,
		  "allowed by the peer of node 1 in domain a");
	cr_assert_not(policy_node_known(S, &S->dom[1], 1, &B0));
	cr_assert_not(policy_allows_node(S, &S->dom[1], 1, &B0, f, a, &pi));
	cr_assert_eq(pi, PEERSTATS_NONE);
}

#define PSP_POLICY                                                                                 \
	TC_PSP("",                                                                                 \
	       "policy = ( { spis = [ \"0x3000-0x30ff\" ]; prefixes = [ \"198.51.100.0/24\" ]; "   \
	       "} );",                                                                             \
	       "", "")

Test(lookup, spi_known_and_inner_source, .fini = teardown)
{
	static const struct {
		uint32_t spi;
		const char *src;
		bool known, ok;
	} rows[] = {
	    {0x2001, "192.0.2.2", true, true},	    {0x2001, "192.0.2.3", true, false},
	    {0x2002, "192.0.2.2", false, false},    {0x3000, "198.51.100.7", true, true},
	    {0x30ff, "198.51.100.7", true, true},   {0x3050, "192.0.2.2", true, false},
	    {0x3100, "198.51.100.7", false, false}, {0x2fff, "198.51.100.7", false, false},
	};
	parse(NULL, PSP_POLICY);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t a[16];
		unsigned pi;
		int f = addr(rows[i].src, a);
		cr_expect_eq(policy_spi_known(S, &S->dom[0], rows[i].spi), rows[i].known,
			     "known 0x%08x", rows[i].spi);
		cr_expect_eq(policy_allows_spi(S, &S->dom[0], rows[i].spi, f, a, &pi), rows[i].ok,
			     "0x%08x from %s", rows[i].spi, rows[i].src);
		/* 0x2001 is a peer's rx_spi, 0x3000-0x30ff a policy range */
		cr_expect_eq(pi != PEERSTATS_NONE, rows[i].ok && rows[i].spi == 0x2001,
			     "0x%08x from %s: peer %u", rows[i].spi, rows[i].src, pi);
	}
}

/* profile spi: a server's peers and policy in a domain of their own */
Test(lookup, spi_policy_per_domain, .fini = teardown)
{
	uint8_t a[16];
	int f = addr("192.0.2.3", a);
	parse(NULL, TC_SPI_SERVER("", "", "", ""));
	cr_assert(policy_spi_known(S, &S->dom[0], 0x1020));
	unsigned pi;
	cr_assert(policy_allows_spi(S, &S->dom[0], 0x1020, f, a, &pi));
	cr_assert_not(policy_spi_known(S, &S->dom[0], 0x1021), "tx_spi is not an rx_spi");
	struct domain other = S->dom[0];
	other.idx = 1;
	cr_assert_not(policy_spi_known(S, &other, 0x1020));
	cr_assert_not(policy_allows_spi(S, &other, 0x1020, f, a, &pi));
}
