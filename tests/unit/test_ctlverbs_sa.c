// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ctlverbs_sa.c - the runtime-SA verbs of an eespd in memory
 * (saverbs.c, sastate.c, rtsa.c; no workers, a temporary state directory
 * for the SPI counter): who may use them (class sa: root, admin_group,
 * sa_group), the exact replies of sa-rx-alloc, sa-tx-set, sa-release and
 * sa-list, what each leaves in the published snapshot (receive bindings,
 * transmit keys, released SPIs), AES-GMAC (versions 2 and 3) SAs, the
 * refusals (key lengths per version, mode mix-ups, unknown peers), the key holder's pending
 * transmit SA, the eesp client's keys, and sa-wait parking until the key
 * serial moves.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kdf.h"
#include "keys.h"
#include "lookup.h"
#include "testeespd.h"

static char g_dir[64];

static void setup(void)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/eesp-ctlsa.XXXXXX");
	cr_assert_not_null(mkdtemp(g_dir));
}

static void teardown(void)
{
	char path[128];
	static const char *const names[] = {"psp0.spi", "eesp0.spi", "psp1.spi"};
	te_stop();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", g_dir, names[i]);
		unlink(path);
	}
	rmdir(g_dir);
}

/* an eespd running text, with the SPI counter in g_dir */
static void run(const char *keys_name, const char *keys, const char *text)
{
	te_init();
	tc_reset();
	tc_world.extra_name = keys_name;
	tc_world.extra_text = keys;
	te_start(tc_parse_ok(text, &E.conf, NULL));
	E.state_fd = open(g_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(E.state_fd, 0);
	E.spi = spistate_new(E.state_fd, g_dir, E.conf.ifname);
	cr_assert_not_null(E.spi);
}

static const struct snap *running(void)
{
	return atomic_load(&E.snap);
}

static const struct peer *peer0(void)
{
	return &running()->peers[0];
}

/* PSP with its masters only: peer b has neither tx_spi nor rx_spi */
#define PSP_BARE(daemon)                                                                           \
	"daemon: { mode = \"psp\"; user = \"eesp\"; " daemon " };\n"                               \
	"psp: { key_file = \"psp.keys\"; version = 1; };\n"                                        \
	"peers = ( { name = \"b\"; endpoint = \"198.51.100.2\"; allowed_ips = [ "                  \
	"\"192.0.2.2/32\" ]; } );\n"
#define PSP_MASTERS "psp 0 " TC_HEX32("81") "\npsp 1 " TC_HEX32("82") "\n"
#define GROUPS "admin_group = \"eespadm\"; sa_group = \"eesp\";"

static const struct ctl_peer TE_SA = {
    .known = true, .pid = 16, .uid = 1004, .gid = 1004, .in_sa_group = true};

static void psp_key_hex(uint8_t master_byte, uint32_t spi, unsigned version, char *hex)
{
	uint8_t master[PSP_MASTER_KEY_LEN], key[32];
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	memset(master, master_byte, sizeof(master));
	cr_assert_eq(psp_derive_key(k, master, spi, version, key), 0);
	eesp_kdf_ctx_free(k);
	for (unsigned i = 0; i < psp_version_key_len(version); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

/* ------------------------------------------------------ authorisation -- */

static const char *const sa_requests[] = {
    "sa-rx-alloc b\n",
    "sa-tx-alloc b\n",
    "sa-tx-set b 0x00003001 " TC_HEX32("44") "\n",
    "sa-rx-set b 0x00003001 " TC_HEX32("44") " salt 01020304\n",
    "sa-release b\n",
    "sa-list\n",
    "sa-wait 0\n",
};

Test(ctlverbs_sa, class_sa, .init = setup, .fini = teardown)
{
	static const struct {
		const char *who;
		const struct ctl_peer *peer;
		bool may;
	} clients[] = {
	    {"root", &TE_ROOT, true},	 {"admin group", &TE_ADMIN, true},
	    {"sa group", &TE_SA, true},	 {"control group", &TE_CONTROL, false},
	    {"other", &TE_OTHER, false}, {"unknown", &TE_UNKNOWN, false},
	};
	run("psp.keys", PSP_MASTERS, PSP_BARE(GROUPS));
	for (size_t v = 0; v < sizeof(sa_requests) / sizeof(sa_requests[0]); v++)
		for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++) {
			char verb[32], want[160];
			sscanf(sa_requests[v], "%31s", verb);
			snprintf(want, sizeof(want),
				 "error permission denied: %s needs root or group eespadm or group "
				 "eesp\n",
				 verb);
			te_ask(clients[c].peer, sa_requests[v]);
			if (clients[c].may)
				cr_expect_null(strstr(te_reply, "permission denied"),
					       "%s by %s: %s", verb, clients[c].who, te_reply);
			else
				cr_expect_str_eq(te_reply, want, "%s by %s", verb, clients[c].who);
		}
	/* sa_group gives the sa verbs only */
	cr_assert_str_eq(te_ask(&TE_SA, "reload\n"),
			 "error permission denied: reload needs root or group eespadm\n");
	cr_assert_str_eq(te_ask(&TE_SA, "spi-alloc\n"),
			 "error permission denied: spi-alloc needs root or group eespadm\n");
}

Test(ctlverbs_sa, class_sa_without_groups, .init = setup, .fini = teardown)
{
	run("psp.keys", PSP_MASTERS, PSP_BARE(""));
	cr_assert_str_eq(te_ask(&TE_CONTROL, "sa-list\n"),
			 "error permission denied: sa-list needs root (no admin_group or sa_group "
			 "is configured)\n");
	cr_assert(te_starts(te_ask(&TE_ROOT, "sa-list\n"), "ok\n"), "%s", te_reply);
}

/* ---------------------------------------------------------------- psp -- */

Test(ctlverbs_sa, psp_alloc_set_release, .init = setup, .fini = teardown)
{
	char key[65], want[512], fp[17];
	run("psp.keys", PSP_MASTERS, PSP_BARE(""));
	const struct domain *d = &running()->dom[0];
	uint8_t src[4] = {192, 0, 2, 2};
	cr_assert_not(peer_has_tx_sa(running(), d, peer0()));

	/* a receive SPI from the counter, bound to b, its key derive's */
	psp_key_hex(0x81, 1, 1, key);
	snprintf(want, sizeof(want),
		 "peer b\nspi 0x00000001\ndir rx\nversion 1\nmaster 0\nkey %s\nkey_serial 1\n",
		 key);
	cr_assert_str_eq(te_ok(&TE_ROOT, "sa-rx-alloc b\n"), want);
	cr_assert_eq(running()->serial, 2, "published");
	d = &running()->dom[0];
	cr_assert(policy_spi_known(running(), d, 1));
	unsigned pi;
	cr_assert(policy_allows_spi(running(), d, 1, AF_INET, src, &pi));
	cr_assert_eq(pi, 0, "counted for b, the peer the SA is bound to");
	psp_key_hex(0x81, 2, 0, key);
	snprintf(want, sizeof(want),
		 "{\"peer\":\"b\",\"spi\":\"0x00000002\",\"dir\":\"rx\",\"version\":0,\"master\":0,"
		 "\"key\":\"%s\",\"key_serial\":1}\n",
		 key);
	cr_assert_str_eq(te_ok(&TE_SA, "sa-rx-alloc b psp-version 0 json\n"), want);
	cr_assert_eq(peer0()->n_rx_spi, 2);

	/* the transmit SA, then its replacement */
	te_fingerprint(0x44, 32, fp);
	snprintf(want, sizeof(want), "peer b\nspi 0x00003001\ndir tx\nfingerprint %s\n", fp);
	cr_assert_str_eq(te_ok(&TE_ROOT, "sa-tx-set b 0x00003001 " TC_HEX32("44") "\n"), want);
	d = &running()->dom[0];
	const struct rt_key *k = peer_rt_tx(d, peer0());
	cr_assert_not_null(k);
	cr_assert_eq(k->k.spi, 0x3001);
	cr_assert_eq(k->k.key_len, 32);
	cr_assert_eq(k->k.key[31], 0x44);
	cr_assert_eq(k->version, 1);
	te_fingerprint(0x45, 16, fp);
	snprintf(want, sizeof(want),
		 "{\"peer\":\"b\",\"spi\":\"0x00003002\",\"dir\":\"tx\",\"fingerprint\":\"%s\","
		 "\"replaced\":\"0x00003001\"}\n",
		 fp);
	cr_assert_str_eq(
	    te_ok(&TE_ROOT, "sa-tx-set b 0x00003002 " TC_HEX16("45") " version 0 json\n"), want);
	k = peer_rt_tx(&running()->dom[0], peer0());
	cr_assert_eq(k->k.spi, 0x3002);
	cr_assert_eq(k->version, 0);

	/* the list: every SA, no key */
	const char *l = te_ok(&TE_ROOT, "sa-list\n");
	cr_assert(te_starts(l, "key_serial 1\nwaiters 0\nkeys domain psp spi_master 0 version 1\n"),
		  "%s", l);
	cr_assert(strstr(l, "sa peer b dir rx spi 0x00000001 kind psp version 1 master 0 key "
			    "derived age "),
		  "%s", l);
	cr_assert(strstr(l, "sa peer b dir tx spi 0x00003002 kind psp version 0 key set age "),
		  "%s", l);
	cr_assert_null(strstr(l, TC_HEX16("45")), "sa-list shows a key");
	psp_key_hex(0x81, 1, 1, key);
	cr_assert_null(strstr(l, key), "sa-list shows a derived key");
	cr_assert_eq(te_lines(l), 6);

	/* release one receive SPI, then all */
	cr_assert_str_eq(te_ok(&TE_ROOT, "sa-release b 0x00000001\n"),
			 "released 1\nsa peer b dir rx spi 0x00000001\n");
	d = &running()->dom[0];
	cr_assert_not(policy_spi_known(running(), d, 1));
	cr_assert(domain_spi_released(d, 1));
	cr_assert(policy_spi_known(running(), d, 2));
	cr_assert_str_eq(te_ask(&TE_ROOT, "sa-release b 0x00000001\n"),
			 "error peer b has no runtime SA with SPI 0x00000001\n");
	cr_assert_str_eq(te_ask(&TE_ROOT, "sa-release b 0x00003002\n"),
			 "error peer b has no runtime SA with SPI 0x00003002\n",
			 "an SPI names a receive SA only");
	cr_assert_str_eq(te_ok(&TE_ROOT, "sa-release b json\n"),
			 "{\"peer\":\"b\",\"count\":2,\"released\":[{\"spi\":\"0x00000002\","
			 "\"dir\":\"rx\"},{\"spi\":\"0x00003002\",\"dir\":\"tx\"}]}\n");
	d = &running()->dom[0];
	cr_assert_not(peer_has_tx_sa(running(), d, peer0()));
	cr_assert_eq(peer0()->n_rx_spi, 0);
	cr_assert(domain_spi_released(d, 1) && domain_spi_released(d, 2));
}

/* AES-GMAC (versions 2, 3): receive SPIs with the "Pv2"/"Pv3" key of
 * their length, transmit SAs of those versions in the snapshot */
Test(ctlverbs_sa, psp_gmac_alloc_set, .init = setup, .fini = teardown)
{
	char key[65], want[512], fp[17];
	run("psp.keys", PSP_MASTERS, PSP_BARE(""));
	psp_key_hex(0x81, 1, 2, key);
	cr_assert_eq(strlen(key), 32);
	snprintf(want, sizeof(want),
		 "peer b\nspi 0x00000001\ndir rx\nversion 2\nmaster 0\nkey %s\nkey_serial 1\n",
		 key);
	cr_assert_str_eq(te_ok(&TE_SA, "sa-rx-alloc b psp-version 2\n"), want);
	psp_key_hex(0x81, 2, 3, key);
	cr_assert_eq(strlen(key), 64);
	snprintf(want, sizeof(want),
		 "peer b\nspi 0x00000002\ndir rx\nversion 3\nmaster 0\nkey %s\nkey_serial 1\n",
		 key);
	cr_assert_str_eq(te_ok(&TE_SA, "sa-rx-alloc b psp-version 3\n"), want);
	cr_assert_eq(peer0()->n_rx_spi, 2);

	te_fingerprint(0x46, 16, fp);
	snprintf(want, sizeof(want), "peer b\nspi 0x00003001\ndir tx\nfingerprint %s\n", fp);
	cr_assert_str_eq(te_ok(&TE_ROOT, "sa-tx-set b 0x00003001 " TC_HEX16("46") " version 2\n"),
			 want);
	const struct rt_key *k = peer_rt_tx(&running()->dom[0], peer0());
	cr_assert_not_null(k);
	cr_assert_eq(k->version, 2);
	cr_assert_eq(k->k.key_len, 16);
	te_ok(&TE_ROOT, "sa-tx-set b 0x00003002 " TC_HEX32("47") " version 3\n");
	k = peer_rt_tx(&running()->dom[0], peer0());
	cr_assert_eq(k->version, 3);
	cr_assert_eq(k->k.key_len, 32);
	cr_assert_eq(k->k.key[31], 0x47);
}

Test(ctlverbs_sa, psp_refusals, .init = setup, .fini = teardown)
{
	run("psp.keys", PSP_MASTERS, PSP_BARE(""));
	static const struct {
		const char *request, *reply;
	} rows[] = {
	    {"sa-rx-alloc x\n", "error no configured peer named x\n"},
	    {"sa-rx-alloc b eesp\n", "error sa-rx-alloc: eesp: this eespd runs in psp mode\n"},
	    {"sa-tx-alloc b\n", "error sa-tx-alloc: psp mode: the peer allocates our transmit SA "
				"(its sa-rx-alloc) and we set it (sa-tx-set)\n"},
	    {"sa-tx-set b 0x00003001 " TC_HEX16("44") "\n",
	     "error sa-tx-set: PSP version 1 needs a 32-byte key, not 16\n"},
	    {"sa-tx-set b 0x00003001 " TC_HEX32("44") " version 2\n",
	     "error sa-tx-set: PSP version 2 needs a 16-byte key, not 32\n"},
	    {"sa-tx-set b 0x00003001 " TC_HEX16("44") " version 3\n",
	     "error sa-tx-set: PSP version 3 needs a 32-byte key, not 16\n"},
	    {"sa-rx-alloc b psp-version 4\n", "error bad psp-version (decimal 0..3)\n"},
	    {"sa-tx-set b 0x00003001 " TC_HEX32("44") " salt 01020304\n",
	     "error sa-tx-set: salt, phase and epoch are for eesp mode\n"},
	    {"sa-rx-set b 0x00003001 " TC_HEX32("44") " salt 01020304\n",
	     "error sa-rx-set: psp mode: receive keys are derived from our master keys "
	     "(sa-rx-alloc)\n"},
	    {"sa-release x\n", "error no configured peer named x\n"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_str_eq(te_ask(&TE_ROOT, rows[i].request), rows[i].reply, "row %zu", i);
	cr_assert_eq(running()->serial, 1, "nothing published");
	cr_assert_eq(peer0()->n_rx_spi, 0);
}

/* ------------------------------------------------------- eesp, spi ----- */

#define SPI_KEYS "domain 0 1 " TC_HEX32("61") "\ndomain 0 2 " TC_HEX32("62") " next\n"
#define SPI_HOLDER                                                                                 \
	"daemon: { user = \"eesp\"; };\n"                                                          \
	"domain: { name = \"lab\"; profile = \"spi\"; key_file = \"k.keys\"; spi_min = 0x1000; "   \
	"spi_max = 0x1fff; };\n"                                                                   \
	"peers = ( { name = \"c\"; endpoint = \"198.51.100.3:4500\"; allowed_ips = [ "             \
	"\"192.0.2.3/32\" ]; } );\n"
#define SPI_CLIENT                                                                                 \
	"daemon: { user = \"eesp\"; };\n"                                                          \
	"domain: { name = \"lab\"; profile = \"spi\"; key_file = \"k.keys\"; };\n"                 \
	"peers = ( { name = \"s\"; endpoint = \"198.51.100.4:4500\"; allowed_ips = [ "             \
	"\"0.0.0.0/0\" ]; } );\n"

/* the value of "name value" line name in s, or "" */
static const char *field(const char *s, const char *name)
{
	static char v[128];
	char pat[40];
	snprintf(pat, sizeof(pat), "\n%s ", name);
	const char *p = strstr(s, pat);
	v[0] = 0;
	if (p)
		sscanf(p + strlen(pat), "%127s", v);
	return v;
}

Test(ctlverbs_sa, eesp_key_holder, .init = setup, .fini = teardown)
{
	char req[256], tx_key[65], tx_salt[9];
	run("k.keys", SPI_KEYS, SPI_HOLDER);
	const char *r = te_ok(&TE_ROOT, "sa-rx-alloc c eesp\n");
	cr_assert(te_starts(r, "peer c\nspi 0x00001000\ndir rx\nsession_id 1\nepoch 0\nsa_phase 1\n"
			       "generation 1\nkey "),
		  "%s", r);
	cr_assert_eq(strlen(field(r, "key")), 64);
	cr_assert_eq(strlen(field(r, "salt")), 8);
	cr_assert(policy_spi_known(running(), &running()->dom[0], 0x1000));
	cr_assert_str_eq(te_ask(&TE_ROOT, "sa-rx-alloc c psp-version 1\n"),
			 "error sa-rx-alloc: psp-version: this eespd runs in eesp mode\n");

	/* a pending transmit SA: not used until sa-tx-set with its key */
	r = te_ok(&TE_ROOT, "sa-tx-alloc c\n");
	cr_assert(te_starts(r, "peer c\nspi 0x00001001\ndir tx-pending\n"), "%s", r);
	snprintf(tx_key, sizeof(tx_key), "%s", field(r, "key"));
	snprintf(tx_salt, sizeof(tx_salt), "%s", field(r, "salt"));
	cr_assert_null(peer_rt_tx(&running()->dom[0], peer0()), "pending is not in use");
	cr_assert_not(peer_has_tx_sa(running(), &running()->dom[0], peer0()));
	snprintf(req, sizeof(req), "sa-tx-set c 0x00001001 %s salt %s\n", TC_HEX32("77"), tx_salt);
	cr_assert(te_starts(te_ask(&TE_ROOT, req), "error sa-tx-set: key, salt, phase or epoch "
						   "differ from what sa-tx-alloc gave"),
		  "%s", te_reply);
	snprintf(req, sizeof(req), "sa-tx-set c 0x00001002 %s salt %s\n", tx_key, tx_salt);
	cr_assert(te_starts(te_ask(&TE_ROOT, req), "error sa-tx-set: peer c has no SA 0x00001002"),
		  "%s", te_reply);
	snprintf(req, sizeof(req), "sa-tx-set c 0x00001001 %s salt %s\n", tx_key, tx_salt);
	r = te_ok(&TE_ROOT, req);
	cr_assert(te_starts(r, "peer c\nspi 0x00001001\ndir tx\nfingerprint "), "%s", r);
	const struct rt_key *k = peer_rt_tx(&running()->dom[0], peer0());
	cr_assert_not_null(k);
	cr_assert_eq(k->k.spi, 0x1001);
	cr_assert_eq(k->k.key_len, 0, "a key holder derives its key: none kept");
	cr_assert_eq(k->phase, 1, "bound to the phase of its allocation");
	cr_assert_str_eq(
	    te_ask(&TE_ROOT, "sa-rx-set c 0x00001005 " TC_HEX32("44") " salt 01020304\n"),
	    "error sa-rx-set: domain lab holds the root key: its SAs are allocated "
	    "here (sa-rx-alloc, sa-tx-alloc)\n");
	r = te_ok(&TE_ROOT, "sa-list\n");
	cr_assert(strstr(r, "\nkeys domain lab generation 1 phase 1 epoch 0\n"), "%s", r);
	cr_assert(strstr(r, "\nsa peer c dir rx spi 0x00001000 kind eesp generation 1 phase 1 "
			    "epoch 0 key derived age "),
		  "%s", r);
	cr_assert(strstr(r, "\nsa peer c dir tx spi 0x00001001 kind eesp generation 1 phase 1 "
			    "epoch 0 key derived age "),
		  "%s", r);
	cr_assert_null(strstr(r, tx_key));
}

Test(ctlverbs_sa, eesp_client, .init = setup, .fini = teardown)
{
	run("k.keys", "", SPI_CLIENT);
	cr_assert_not(peer_has_tx_sa(running(), &running()->dom[0], peer0()));
	cr_assert_str_eq(te_ask(&TE_ROOT, "sa-tx-set s 0x00001000 " TC_HEX32("55") "\n"),
			 "error sa-tx-set: eesp needs the salt (salt <8 hex digits>)\n");
	cr_assert_str_eq(
	    te_ask(&TE_ROOT, "sa-tx-set s 0x00001000 " TC_HEX16("55") " salt 0a0b0c0d\n"),
	    "error sa-tx-set: suite aes-gcm-256 needs a 32-byte key, not 16\n");
	cr_assert_str_eq(
	    te_ask(&TE_ROOT, "sa-tx-set s 0x00001000 " TC_HEX32("55") " version 1 salt 0a0b0c0d\n"),
	    "error sa-tx-set: version is for psp mode\n");
	cr_assert(
	    te_starts(te_ask(&TE_ROOT, "sa-rx-alloc s\n"),
		      "error sa-rx-alloc: needs psp mode or profile spi with a domain root key"),
	    "%s", te_reply);
	te_ok(&TE_ROOT,
	      "sa-tx-set s 0x00001000 " TC_HEX32("55") " salt 0a0b0c0d phase 2 epoch 7\n");
	te_ok(&TE_ROOT, "sa-rx-set s 0x00001001 " TC_HEX32("56") " salt 01020304\n");
	const struct domain *d = &running()->dom[0];
	const struct rt_key *k = peer_rt_tx(d, peer0());
	cr_assert_not_null(k);
	cr_assert_eq(k->k.key_len, 32);
	cr_assert_eq(k->k.salt[0], 0x0a);
	cr_assert_eq(k->phase, 2);
	cr_assert(k->has_epoch);
	cr_assert_eq(k->epoch, 7);
	const struct eesp_sa_key *rx = domain_sa_key(d, false, 0x1001);
	cr_assert_not_null(rx, "the receive key is found by its SPI");
	cr_assert_eq(rx->key[0], 0x56);
	cr_assert_null(domain_sa_key(d, false, 0x1000), "the transmit key is no receive key");
	uint8_t src[4] = {198, 51, 100, 9};
	unsigned pi;
	cr_assert(policy_allows_spi(running(), d, 0x1001, AF_INET, src, &pi));
	cr_assert_eq(pi, 0, "counted for s, the peer the SA is bound to");
}

/* ------------------------------------------------------------ sa-wait -- */

static char *ask_wait(const char *line, bool now, struct ctl_wait *w, size_t *n)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "%s", line);
	w->now = now;
	return ctlverbs_answer(&E, &TE_ROOT, buf, strlen(buf), n, w);
}

Test(ctlverbs_sa, wait_parks_until_the_key_serial_moves, .init = setup, .fini = teardown)
{
	struct ctl_wait w;
	size_t n = 0;
	run("k.keys", SPI_KEYS, SPI_HOLDER);
	char *r = ask_wait("sa-wait 1\n", false, &w, &n);
	cr_assert_null(r);
	cr_assert(w.park, "nothing changed: the request waits");
	cr_assert_eq(w.wait_ms, 1000u * EESP_CTL_WAIT_DEFAULT);
	r = ask_wait("sa-wait 1 5\n", false, &w, &n);
	cr_assert(w.park && !r);
	cr_assert_eq(w.wait_ms, 5000);
	/* its deadline: the answer as things stand */
	r = ask_wait("sa-wait 1 5\n", true, &w, &n);
	cr_assert_not(w.park);
	cr_assert_str_eq(r, "ok\nkey_serial 1\nchanged no\nkeys domain lab generation 1 phase 1 "
			    "epoch 0\n");
	free(r);
	/* a rotation moves it: asked again, the request is answered */
	te_ok(&TE_ROOT, "rotate domain 0\n");
	r = ask_wait("sa-wait 1\n", false, &w, &n);
	cr_assert_not(w.park);
	cr_assert_str_eq(r, "ok\nkey_serial 2\nchanged yes\nkeys domain lab generation 2 phase 2 "
			    "epoch 0\n");
	free(r);
	r = ask_wait("sa-wait 2 json\n", true, &w, &n);
	cr_assert_str_eq(r,
			 "ok\n{\"key_serial\":2,\"changed\":false,\"domains\":[{\"name\":\"lab\","
			 "\"generation\":2,\"phase\":2,\"epoch\":0}]}\n");
	free(r);
	/* a refused or malformed wait never parks */
	char line[] = "sa-wait x\n";
	r = ctlverbs_answer(&E, &TE_OTHER, line, strlen(line), &n, &w);
	cr_assert_not(w.park);
	cr_assert(te_starts(r, "error "), "%s", r);
	free(r);
}
