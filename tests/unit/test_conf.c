// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_conf.c - every number of eespd.conf(5) accepted by conf_parse with
 * its documented default and the ends of its range, the values just outside
 * refused at the setting's line; the defaults of the other settings.
 * Words, lists and shapes are test_conf_values.c, the refusals
 * test_conf_errors.c and test_conf_peers.c.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ivgen.h"
#include "log.h"
#include "memlock.h"
#include "names.h"
#include "testconf.h"

/* ------------------------------------------------------------- ranges -- */

enum field {
	F_MTU,
	F_PORT,
	F_WORKERS,
	F_IV_BLOCK,
	F_ID,
	F_NODE_ID,
	F_TENANT,
	F_GROUP,
	F_EPOCH,
	F_EPOCH_PERIOD,
	F_EPOCH_WINDOW,
	F_EPOCH_PACKETS,
	F_CRYPT_OFFSET,
	F_MAX_CRYPT_OFFSET,
	F_SPI_MIN,
	F_SPI_MAX,
	F_SA_PHASE,
	F_CLOCK_SKEW,
	F_REPLAY_BUCKETS,
	F_PSP_VERSION,
	F_PSP_CRYPT_OFFSET,
	F_PSP_SPI_MASTER,
	F_PEER_NODE_ID,
	F_PEER_TX_SPI,
	F_PEER_TENANT,
	F_PEER_GROUP,
	F_PEER_RX_SPI,
};

static uint64_t field_of(enum field f, const struct eespd_conf *c, const struct snap *s)
{
	const struct domain *d = &s->dom[0];
	const struct peer *p = s->n_peers ? &s->peers[0] : NULL;
	switch (f) {
	case F_MTU:
		return c->mtu;
	case F_PORT:
		return c->port;
	case F_WORKERS:
		return c->workers;
	case F_IV_BLOCK:
		return c->iv_block;
	case F_ID:
		return d->dom.spi;
	case F_NODE_ID:
		return d->node_id;
	case F_TENANT:
		return d->tenant;
	case F_GROUP:
		return d->group;
	case F_EPOCH:
		return d->epoch_base;
	case F_EPOCH_PERIOD:
		return d->epoch_period;
	case F_EPOCH_WINDOW:
		return d->dom.epoch_window;
	case F_EPOCH_PACKETS:
		return d->epoch_packets;
	case F_CRYPT_OFFSET:
		return d->crypt_offset;
	case F_MAX_CRYPT_OFFSET:
		return d->dom.max_crypt_offset;
	case F_SPI_MIN:
		return d->dom.spi_min;
	case F_SPI_MAX:
		return d->dom.spi_max;
	case F_SA_PHASE:
		return d->sa_phase;
	case F_CLOCK_SKEW:
		return d->clock_skew;
	case F_REPLAY_BUCKETS:
		return 1ull << d->replay_bits;
	case F_PSP_VERSION:
		return d->psp_version;
	case F_PSP_CRYPT_OFFSET:
		return d->psp_crypt_offset;
	case F_PSP_SPI_MASTER:
		return d->psp_spi_master;
	case F_PEER_NODE_ID:
		return p->node_id;
	case F_PEER_TX_SPI:
		return p->tx_spi;
	case F_PEER_TENANT:
		return p->tenant;
	case F_PEER_GROUP:
		return p->group;
	case F_PEER_RX_SPI:
		return p->n_rx_spi ? p->rx_spi[0] : 0;
	}
	cr_assert_fail("field %d", (int)f);
	return 0;
}

/* Each section's text with "@@" where the row's setting goes (the line of
 * the setting, in messages). */
enum section { SEC_DAEMON, SEC_DOMAIN, SEC_PSP, SEC_PEER };
static const struct {
	const char *text;
	unsigned line;
} sections[] = {
    [SEC_DAEMON] = {TC_EESP("@@", "", "", ""), TC_L_DAEMON},
    [SEC_DOMAIN] = {"daemon: { user = \"eesp\"; };\ndomain: { key_file = \"dom.keys\";\n@@\n};\n",
		    3},
    [SEC_PSP] =
	{"daemon: { mode = \"psp\"; user = \"eesp\"; };\npsp: { key_file = \"psp.keys\";\n@@\n};\n",
	 3},
    [SEC_PEER] = {"daemon: { user = \"eesp\"; };\ndomain: { id = 0xC0FFEE01; node_id = 7; "
		  "key_file = \"dom.keys\";\n};\npeers = ( { name = \"b\"; endpoint = "
		  "\"198.51.100.2\"; allowed_ips = [ "
		  "\"192.0.2.2/32\" ];\n@@\n} );\n",
		  5},
};

/* the id of TC_DOM_KEYS's `domain` line, which the parser holds the
 * configuration to */
#define DOM_WITH "id = 0xC0FFEE01; node_id = 1;"
/* a domain key file without a `domain` line, for any id */
#define KEYS_NO_DOMAIN "domain 0 1 " TC_HEX32("41") "\n"
#define NOSUCH ((uint64_t)-1) /* no default: the setting is required */

struct range_row {
	enum section sec;
	const char *name;
	uint64_t lo, hi, dflt;
	enum field f;
	const char *with;  /* other settings the section needs on that line */
	const char *keys;  /* the text of the section's key file (NULL: the table's) */
	const char *below; /* the message for lo - 1 when it is not "out of range" */
	unsigned below_line;
	uint64_t code_lo; /* the range's low end in messages when it is not lo */
};

#define TOP_TENANT "tenant 4294967295 0 " TC_HEX32("91") "\n"
#define TOP_GROUP "group 4294967295 0 " TC_HEX32("92") "\n"
static const struct range_row range_rows[] = {
    {SEC_DAEMON, "mtu", 576, 65000, 1400, F_MTU, "", NULL, NULL, 0, 0},
    {SEC_DAEMON, "port", 1, 65535, 4500, F_PORT, "", NULL, NULL, 0, 0},
    {SEC_DAEMON, "workers", 1, 64, 1, F_WORKERS, "", NULL, NULL, 0, 0},
    {SEC_DAEMON, "iv_block", 16, 1ull << 40, EESP_IVGEN_BLOCK, F_IV_BLOCK, "", NULL, NULL, 0, 0},
    /* id 0 is refused (no packet can carry SPI 0), and any other id only
     * with a key file that names no other domain */
    {SEC_DOMAIN, "id", 1, UINT32_MAX, NOSUCH, F_ID, "node_id = 1;", KEYS_NO_DOMAIN,
     "id = 0: a domain id is the SPI of its packets and must be non-zero (take the one of "
     "the key file's `domain` line)",
     3, 0},
    {SEC_DOMAIN, "node_id", 0, UINT32_MAX, NOSUCH, F_NODE_ID, "id = 0xC0FFEE01;", NULL, NULL, 0, 0},
    {SEC_DOMAIN, "tenant", 0, UINT32_MAX, 0, F_TENANT, DOM_WITH, TC_DOM_KEYS TOP_TENANT, NULL, 0,
     0},
    {SEC_DOMAIN, "group", 0, UINT32_MAX, 0, F_GROUP, DOM_WITH, TC_DOM_KEYS TOP_GROUP, NULL, 0, 0},
    {SEC_DOMAIN, "epoch", 0, UINT32_MAX, 0, F_EPOCH, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "epoch_period", 0, UINT32_MAX, 0, F_EPOCH_PERIOD, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "epoch_window", 0, UINT32_MAX, 2, F_EPOCH_WINDOW, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "epoch_packets", 0, UINT32_MAX, 0, F_EPOCH_PACKETS, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "crypt_offset", 0, 63, 0, F_CRYPT_OFFSET, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "max_crypt_offset", 0, 63, 0, F_MAX_CRYPT_OFFSET, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "spi_min", 1, UINT32_MAX, 0, F_SPI_MIN, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "spi_max", 1, UINT32_MAX, 0, F_SPI_MAX, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "sa_phase", 0, 3, 0, F_SA_PHASE, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "clock_skew", 1, 86400, 60, F_CLOCK_SKEW, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_DOMAIN, "replay_buckets", 1, 1u << 20, 4096, F_REPLAY_BUCKETS, DOM_WITH, NULL, NULL, 0, 0},
    {SEC_PSP, "version", 0, 3, 1, F_PSP_VERSION, "", NULL, NULL, 0, 0},
    {SEC_PSP, "crypt_offset", 0, 63, 0, F_PSP_CRYPT_OFFSET, "", NULL, NULL, 0, 0},
    {SEC_PSP, "spi_master", 0, 1, 0, F_PSP_SPI_MASTER, "", NULL, NULL, 0, 0},
    {SEC_PEER, "node_id", 1, UINT32_MAX, NOSUCH, F_PEER_NODE_ID, "", NULL,
     "peer b: node_id missing (profile node)", 4, 0},
    {SEC_PEER, "tx_spi", 1, UINT32_MAX, 0, F_PEER_TX_SPI, "node_id = 2;", NULL, NULL, 0, 0},
    {SEC_PEER, "tenant", 0, UINT32_MAX, 0, F_PEER_TENANT, "node_id = 2;", NULL, NULL, 0, 0},
    {SEC_PEER, "group", 0, UINT32_MAX, 0, F_PEER_GROUP, "node_id = 2;", NULL, NULL, 0, 0},
    {SEC_PEER, "rx_spi", 1, UINT32_MAX, 0, F_PEER_RX_SPI, "node_id = 2;", NULL, NULL, 0, 0},
};

/* how the value is written: decimal while libconfig reads it as an int,
 * then hex (eespd.conf(5): "0xC0FFEE01"), then a 64-bit literal */
static void literal(int64_t v, char *out, size_t cap)
{
	if (v <= INT32_MAX)
		snprintf(out, cap, "%" PRId64, v);
	else if (v <= (int64_t)UINT32_MAX)
		snprintf(out, cap, "0x%" PRIx64, v);
	else
		snprintf(out, cap, "%" PRId64 "L", v);
}

/* the section's text with line in place of "@@" */
static void section_text(enum section sec, const char *line, char *out, size_t cap)
{
	const char *t = sections[sec].text, *at = strstr(t, "@@");
	snprintf(out, cap, "%.*s%s%s", (int)(at - t), t, line, at + 2);
}

static struct snap *range_parse(const struct range_row *r, const char *value, struct eespd_conf *c,
				char *err, size_t el)
{
	char line[256], text[2048];
	struct snap *s = NULL;
	if (value)
		snprintf(line, sizeof(line), "%s = %s; %s", r->name, value, r->with);
	else
		snprintf(line, sizeof(line), "%s", r->with);
	section_text(r->sec, line, text, sizeof(text));
	tc_reset_keys(r->keys);
	err[0] = 0;
	if (conf_parse(TC_FILE, text, TC_DIR, &tc_env, c, &s, NULL, err, el))
		return NULL;
	return s;
}

static void expect_value(const struct range_row *r, int64_t v, uint64_t want)
{
	char lit[32], err[1024];
	struct eespd_conf c;
	literal(v, lit, sizeof(lit));
	struct snap *s = range_parse(r, v < 0 ? NULL : lit, &c, err, sizeof(err));
	cr_expect_not_null(s, "%s = %s refused: %s", r->name, v < 0 ? "(absent)" : lit, err);
	if (!s)
		return;
	cr_expect_eq(field_of(r->f, &c, s), want, "%s = %s: got %" PRIu64 ", want %" PRIu64,
		     r->name, v < 0 ? "(absent)" : lit, field_of(r->f, &c, s), want);
	snap_free(s);
}

static void expect_refused(const struct range_row *r, int64_t v, const char *lit)
{
	char err[1024], want[512];
	struct eespd_conf c;
	struct snap *s = range_parse(r, lit, &c, err, sizeof(err));
	cr_expect_null(s, "%s = %s accepted", r->name, lit);
	snap_free(s);
	if (r->below && v < (int64_t)r->lo)
		snprintf(want, sizeof(want), "fuzz.conf:%u: %s", r->below_line, r->below);
	else
		snprintf(
		    want, sizeof(want),
		    "fuzz.conf:%u: '%s' = %" PRId64 " out of range [%" PRIu64 ", %" PRIu64 "]%s",
		    sections[r->sec].line, r->name, v, r->below ? r->code_lo : r->lo, r->hi,
		    v < 0 ? " (negative, or a decimal above 2147483647 read as negative: write "
			    "such a value in hex, 0xffffffff)"
			  : "");
	cr_expect_str_eq(err, want, "%s = %s", r->name, lit);
}

Test(conf, every_number_with_its_default_and_range)
{
	for (size_t i = 0; i < sizeof(range_rows) / sizeof(range_rows[0]); i++) {
		const struct range_row *r = &range_rows[i];
		char lit[32];
		if (r->dflt != NOSUCH)
			expect_value(r, -1, r->dflt);
		expect_value(r, (int64_t)r->lo, r->lo);
		expect_value(r, (int64_t)r->hi, r->hi);
		int64_t below = (int64_t)r->lo - 1, above = (int64_t)r->hi + 1;
		literal(below, lit, sizeof(lit));
		expect_refused(r, below, lit);
		snprintf(lit, sizeof(lit), "%" PRId64 "L", above);
		expect_refused(r, above, lit);
	}
}

/* the defaults that differ in psp mode */
Test(conf, psp_defaults)
{
	struct eespd_conf c;
	tc_reset();
	struct snap *s = tc_parse_ok(TC_PSP("", "", "", ""), &c, NULL);
	cr_assert_eq(c.mode, EESP_MODE_PSP);
	cr_assert_eq(s->mode, EESP_MODE_PSP);
	cr_assert_str_eq(c.ifname, "psp0");
	cr_assert_eq(c.port, 1000);
	cr_assert_str_eq(c.ctl_path, "/run/eespd/psp0.sock");
	cr_assert_eq(s->n_doms, 1);
	cr_assert_str_eq(s->dom[0].name, "psp");
	cr_assert_str_eq(s->dom[0].key_path, "mem/psp.keys");
	cr_assert(s->dom[0].keys->has_psp[0] && s->dom[0].keys->has_psp[1]);
	/* a peer's endpoint without a port gets the daemon's */
	cr_assert_str_eq(s->peers[0].ep_str, "198.51.100.2:1000");
	cr_assert_eq(s->peers[0].tx_key, 0);
	snap_free(s);
}

Test(conf, daemon_defaults)
{
	struct eespd_conf c;
	tc_reset();
	struct snap *s =
	    tc_parse_ok(TC_CONF("", "", TC_EESP_DOMAIN, "", TC_EESP_PEER, "", ""), &c, NULL);
	cr_assert_str_eq(c.path, "fuzz.conf");
	cr_assert_str_eq(c.dir, "mem");
	cr_assert_eq(c.mode, EESP_MODE_EESP);
	cr_assert_str_eq(c.ifname, "eesp0");
	cr_assert_eq(c.n_addrs, 0);
	cr_assert_eq(c.sport_min, 49152);
	cr_assert_eq(c.sport_max, 65535);
	cr_assert(c.offload && c.gro && c.udp_gso && c.udp_gro && c.seccomp);
	cr_assert_str_eq(c.user, "eesp");
	cr_assert_eq(c.user_line, 0);
	cr_assert_eq(tc_world.loaded_for, 990, "key files are read as the daemon user");
	cr_assert_str_eq(c.ctl_path, "/run/eespd/eesp0.sock");
	cr_assert_str_eq(c.state_dir, "/var/lib/eespd");
	cr_assert_str_eq(c.ctl_group, "");
	cr_assert_eq(c.lock_memory, MEMLOCK_AUTO);
	cr_assert_str_eq(s->admin_group, "");
	cr_assert_eq(s->admin_gid, (gid_t)-1);
	cr_assert_eq(s->log_level, LOG_LVL_INFO);
	cr_assert_eq(s->serial, 0, "the caller numbers snapshots");
	cr_assert_neq(s->loaded_at, 0);
	snap_free(s);
}

Test(conf, domain_and_peer_defaults)
{
	struct eespd_conf c;
	tc_reset();
	struct snap *s = tc_parse_ok(TC_EESP("", "", "", ""), &c, NULL);
	const struct domain *d = &s->dom[0];
	cr_assert_eq(s->n_doms, 1);
	cr_assert_str_eq(d->name, "default");
	cr_assert_str_eq(d->key_path, "mem/dom.keys");
	cr_assert_eq(d->profile, EESP_PROFILE_NODE);
	cr_assert_eq(d->kdf, EESP_KDF_CMAC_AES256);
	cr_assert_eq(d->suite, EESP_SUITE_AES_GCM_256);
	cr_assert_eq(d->dom.spi, 0xC0FFEE01);
	cr_assert_eq(d->dom.self_node_id, 1);
	cr_assert_eq(d->dom.keys, d->keys);
	cr_assert(d->replay);
	cr_assert_eq(d->sctx_flags, 0);
	cr_assert_eq(d->forward_mask, 0);
	cr_assert_eq(d->n_policy, 0);
	cr_assert_eq(d->phase[0], 2, "the current generation is 2");
	const struct peer *p = &s->peers[0];
	cr_assert_eq(s->n_peers, 1);
	cr_assert_str_eq(p->ep_str, "198.51.100.2:4500");
	cr_assert_eq(p->ep.ss_family, AF_INET);
	cr_assert_eq(p->ep6.sin6_addr.s6_addr[10], 0xff, "v4-mapped for the dual-stack socket");
	cr_assert_eq(p->ep6.sin6_addr.s6_addr[15], 2);
	cr_assert_eq(p->tx_key, -1);
	cr_assert_eq(p->dom, 0);
	cr_assert_eq(p->n_allowed, 2);
	cr_assert_eq(s->n_routes, 2);
	snap_free(s);
	/* a peer's default name is its place in the list; its boundary the domain's */
	tc_reset_keys(TC_TENANT_KEYS);
	s = tc_parse_ok(TC_CONF("user = \"eesp\";", "port = 5000;", TC_EESP_DOMAIN,
				"tenant = 7; group = 5;",
				"peers = ( { endpoint = \"[2001:db8::2]\"; node_id = 2; "
				"allowed_ips = [ \"192.0.2.2/32\" ];",
				"", ""),
			&c, NULL);
	cr_assert_str_eq(s->peers[0].name, "peer1");
	cr_assert_str_eq(s->peers[0].ep_str, "[2001:db8::2]:5000");
	cr_assert_eq(s->peers[0].ep.ss_family, AF_INET6);
	cr_assert_eq(s->peers[0].tenant, 7);
	cr_assert_eq(s->peers[0].group, 5);
	cr_assert_eq(s->dom[0].sctx_flags, EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G);
	cr_assert_eq(s->dom[0].phase[1], 1, "tenant 7's current generation is 1");
	cr_assert_eq(s->dom[0].phase[2], 0);
	snap_free(s);
}

/* above 2147483647: hexadecimal or the L suffix (eespd.conf(5)) */
Test(conf, large_values_in_hex_or_64_bit)
{
	static const char *const texts[] = {TC_EESP("", "epoch = 3000000000L;", "", ""),
					    TC_EESP("", "epoch = 0xB2D05E00;", "", "")};
	for (int i = 0; i < 2; i++) {
		struct eespd_conf c;
		tc_reset();
		struct snap *s = tc_parse_ok(texts[i], &c, NULL);
		cr_expect_eq(s->dom[0].epoch_base, 3000000000u, "%s", texts[i]);
		snap_free(s);
	}
}
