/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rtsa.c - runtime SAs laid over a snapshot (src/eespd/rtsa.c): a PSP
 * and an EESP profile-spi configuration with no SA keys at all, parsed in
 * memory; runtime receive and transmit SAs then make the data path's
 * lookups (lookup.h) answer as for configured ones, a clone rebuilt from
 * the table does not pile them up, a release leaves the SPI unknown and
 * counted as released, and a reload without the peer drops its SAs.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "lookup.h"
#include "rtsa.h"
#include "snap.h"

static const char *g_keys; /* the key file's text */

static int env_uid(void *arg, const char *name, uid_t *uid)
{
	(void)arg, (void)name;
	*uid = geteuid();
	return 0;
}

static int env_gid(void *arg, const char *name, gid_t *gid)
{
	(void)arg, (void)name;
	*gid = getegid();
	return 0;
}

static int env_keys(void *arg, const char *path, uid_t uid, struct eesp_keyset **ks,
		    bool *positioned, char *err, size_t el)
{
	struct eesp_keyfile_error ke;
	(void)arg, (void)path, (void)uid, (void)positioned;
	*ks = eesp_keyset_new();
	if (!*ks || eesp_keyfile_parse(*ks, g_keys, strlen(g_keys), &ke)) {
		snprintf(err, el, "keys: %u: %s", ke.line, ke.msg);
		return -1;
	}
	return 0;
}

#define MASTER "6d61737465722d6b65792d3030303030303030303030303030303030303030ab"

static const char psp_conf[] =
    "daemon: { mode = \"psp\"; user = \"x\"; workers = 1; };\n"
    "psp: { key_file = \"k.keys\"; version = 1; };\n"
    "peers = (\n"
    "  { name = \"a\"; endpoint = \"198.51.100.1:1000\"; allowed_ips = [ \"192.0.2.1/32\" ]; },\n"
    "  { name = \"b\"; endpoint = \"198.51.100.2:1000\"; rx_spi = [ 0x00000007 ];\n"
    "    allowed_ips = [ \"192.0.2.2/32\" ]; }\n"
    ");\n";

static struct snap *parse_conf(const char *text, const char *keys)
{
	struct conf_env env = {.user_uid = env_uid, .group_gid = env_gid, .load_keys = env_keys};
	struct eespd_conf conf;
	struct snap *s = NULL;
	struct conf_warnings w = {0};
	char err[512] = "";
	g_keys = keys;
	cr_assert_eq(
	    conf_parse("t.conf", text, "/nonexistent", &env, &conf, &s, &w, err, sizeof(err)), 0,
	    "%s", err);
	return s;
}

static struct rtsa_sa sa_of(const char *peer, const char *dom, enum rtsa_dir dir, uint32_t spi,
			    uint8_t key_len)
{
	struct rtsa_sa sa;
	memset(&sa, 0, sizeof(sa));
	strcpy(sa.peer, peer);
	strcpy(sa.domain, dom);
	sa.dir = (uint8_t)dir;
	sa.spi = spi;
	sa.version = 1;
	sa.master = sa.phase = -1;
	sa.key_len = key_len;
	memset(sa.key, 0x5a, key_len);
	return sa;
}

static void add(struct rtsa *t, struct rtsa_sa sa)
{
	char err[128];
	cr_assert_eq(rtsa_add(t, &sa, err, sizeof(err)), 0, "%s", err);
}

static const uint8_t src_a[4] = {192, 0, 2, 1}, src_b[4] = {192, 0, 2, 2};

Test(rtsa, psp_runtime_sas_act_like_configured_ones)
{
	struct snap *s = parse_conf(psp_conf, "psp 0 " MASTER "\n");
	const struct domain *d = &s->dom[0];
	struct peer *a = &s->peers[0];
	cr_assert_eq(a->tx_spi, 0, "peer a has no tx_spi in the file");
	cr_assert_not(peer_has_tx_sa(s, d, a), "a peer without an SA cannot be sent to");
	cr_assert_not(policy_spi_known(s, d, 0x42));

	struct rtsa *t = rtsa_new();
	cr_assert_not_null(t);
	add(t, sa_of("a", "psp", RTSA_RX, 0x42, 0));
	add(t, sa_of("a", "psp", RTSA_TX, 0x1001, 32));
	add(t, sa_of("b", "psp", RTSA_RX, 0x43, 0));
	cr_assert_eq(rtsa_apply(t, s), 0);
	cr_assert(policy_spi_known(s, d, 0x42));
	/* pi: the peer whose per-peer counters the packet goes to */
	unsigned pi;
	cr_assert(policy_allows_spi(s, d, 0x42, AF_INET, src_a, &pi));
	cr_assert_eq(pi, 0, "0x42 counts for a");
	/* the inner source is checked against that peer's allowed_ips */
	cr_assert_not(policy_allows_spi(s, d, 0x42, AF_INET, src_b, &pi));
	cr_assert(policy_allows_spi(s, d, 0x43, AF_INET, src_b, &pi));
	cr_assert_eq(pi, 1, "0x43 counts for b");
	cr_assert(policy_allows_spi(s, d, 0x07, AF_INET, src_b, &pi),
		  "the configured rx_spi stays");
	cr_assert_eq(pi, 1, "0x07 counts for b");
	cr_assert(peer_has_tx_sa(s, d, a));
	const struct rt_key *k = peer_rt_tx(d, a);
	cr_assert_not_null(k);
	cr_assert_eq(k->k.spi, 0x1001);
	cr_assert_eq(k->k.key_len, 32);
	cr_assert_eq(k->version, 1);
	cr_assert_null(domain_sa_key(d, true, 0x1001), "a transmit key is no receive key");

	/* a clone rebuilt from the table: the same, not twice */
	struct snap *c = snap_clone(s);
	cr_assert_not_null(c);
	cr_assert_eq(rtsa_apply(t, c), 0);
	cr_assert_eq(c->peers[0].n_rx_spi, 1);
	cr_assert_eq(c->peers[1].n_rx_spi, 2);
	cr_assert_eq(c->dom[0].n_rt, 1);

	/* a second transmit SA replaces the first (make-before-break is the
	 * receiver's: its old rx binding stays until released) */
	add(t, sa_of("a", "psp", RTSA_TX, 0x1002, 32));
	cr_assert_eq(rtsa_count(t), 3);
	cr_assert_eq(rtsa_apply(t, c), 0);
	cr_assert_eq(peer_rt_tx(&c->dom[0], &c->peers[0])->k.spi, 0x1002);

	/* an SPI names a receive SA only: the transmit SPI is the peer's */
	cr_assert_eq(rtsa_release(t, "a", 0x1002, 0, NULL, 0), 0);
	/* release: the SPI is unknown now, and known as released */
	struct rtsa_sa gone[4];
	cr_assert_eq(rtsa_release(t, "a", 0x42, 0, gone, 4), 1);
	cr_assert_eq(gone[0].spi, 0x42);
	cr_assert_eq(rtsa_release(t, "a", 0x42, 0, gone, 4), 0);
	cr_assert_eq(rtsa_apply(t, c), 0);
	cr_assert_not(policy_spi_known(c, &c->dom[0], 0x42));
	cr_assert(domain_spi_released(&c->dom[0], 0x42));
	cr_assert_not(domain_spi_released(&c->dom[0], 0x43));
	cr_assert(peer_has_tx_sa(c, &c->dom[0], &c->peers[0]), "the tx SA is not released");
	/* all of a peer's SAs */
	cr_assert_eq(rtsa_release(t, "a", 0, 0, gone, 4), 1);
	for (size_t i = 0; i < sizeof(gone[0].key); i++)
		cr_assert_eq(gone[0].key[i], 0, "a released SA's copy keeps its key");
	cr_assert_eq(rtsa_apply(t, c), 0);
	cr_assert_not(peer_has_tx_sa(c, &c->dom[0], &c->peers[0]));
	cr_assert_null(peer_rt_tx(&c->dom[0], &c->peers[0]));
	snap_free(c);
	snap_free(s);
	rtsa_free(t);
}

Test(rtsa, reload_drops_the_sas_of_removed_peers)
{
	static const char only_b[] = "daemon: { mode = \"psp\"; user = \"x\"; workers = 1; };\n"
				     "psp: { key_file = \"k.keys\"; version = 1; };\n"
				     "peers = ( { name = \"b\"; endpoint = \"198.51.100.2:1000\";\n"
				     "            allowed_ips = [ \"192.0.2.2/32\" ]; } );\n";
	struct rtsa *t = rtsa_new();
	add(t, sa_of("a", "psp", RTSA_RX, 0x42, 0));
	add(t, sa_of("a", "psp", RTSA_TX, 0x1001, 32));
	add(t, sa_of("b", "psp", RTSA_RX, 0x43, 0));
	struct snap *s = parse_conf(only_b, "psp 0 " MASTER "\n");
	cr_assert_eq(rtsa_prune(t, s), 2);
	cr_assert_eq(rtsa_count(t), 1);
	cr_assert_str_eq(rtsa_at(t, 0)->peer, "b");
	cr_assert_eq(rtsa_apply(t, s), 0);
	cr_assert(policy_spi_known(s, &s->dom[0], 0x43));
	cr_assert_not(policy_spi_known(s, &s->dom[0], 0x42));
	snap_free(s);
	rtsa_free(t);
}

Test(rtsa, limits)
{
	struct rtsa *t = rtsa_new();
	char err[128] = "";
	for (unsigned i = 0; i < RTSA_MAX_RX_PER_PEER; i++)
		add(t, sa_of("a", "psp", RTSA_RX, 0x100 + i, 0));
	struct rtsa_sa one = sa_of("a", "psp", RTSA_RX, 0x200, 0);
	cr_assert_eq(rtsa_add(t, &one, err, sizeof(err)), -1);
	cr_assert(strstr(err, "release one"), "%s", err);
	/* the copy is independent */
	struct rtsa *c = rtsa_copy(t);
	cr_assert_eq(rtsa_release(c, "a", 0, 0, NULL, 0), RTSA_MAX_RX_PER_PEER);
	cr_assert_eq(rtsa_count(c), 0);
	cr_assert_eq(rtsa_count(t), RTSA_MAX_RX_PER_PEER);
	rtsa_free(c);
	rtsa_free(t);
}

static const char spi_client_conf[] =
    "daemon: { mode = \"eesp\"; user = \"x\"; workers = 1; };\n"
    "domain: { name = \"lab\"; key_file = \"k.keys\"; profile = \"spi\"; suite = \"aes-gcm-256\";\n"
    "          epoch = 0; epoch_period = 0; };\n"
    "peers = ( { name = \"srv\"; endpoint = \"198.51.100.1:4500\";\n"
    "            allowed_ips = [ \"192.0.2.1/32\" ]; } );\n";

Test(rtsa, eesp_client_keys)
{
	/* a profile-spi client with an empty key file: all SAs at runtime */
	struct snap *s = parse_conf(spi_client_conf, "");
	const struct domain *d = &s->dom[0];
	struct rtsa *t = rtsa_new();
	cr_assert_not(peer_has_tx_sa(s, d, &s->peers[0]));
	struct rtsa_sa tx = sa_of("srv", "lab", RTSA_TX, 0x1000, 32);
	tx.phase = 2;
	tx.has_epoch = true;
	tx.epoch = 9;
	add(t, tx);
	add(t, sa_of("srv", "lab", RTSA_RX, 0x1001, 32));
	cr_assert_eq(rtsa_apply(t, s), 0);
	d = &s->dom[0];
	const struct rt_key *k = peer_rt_tx(d, &s->peers[0]);
	cr_assert_not_null(k);
	cr_assert_eq(k->phase, 2);
	cr_assert(k->has_epoch);
	cr_assert_eq(k->epoch, 9);
	/* the receive key is found by its SPI, the transmit key is not */
	cr_assert_not_null(domain_sa_key(d, false, 0x1001));
	cr_assert_null(domain_sa_key(d, false, 0x1000));
	unsigned pi;
	cr_assert(policy_allows_spi(s, d, 0x1001, AF_INET, src_a, &pi));
	cr_assert_eq(pi, 0, "counted for srv, the peer the SA is bound to");
	cr_assert_eq(snap_domain_for_spi(s, 0x1001), d);
	snap_free(s);
	rtsa_free(t);
}
