// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ctlverbs_keys.c - the admin verbs of an eespd in memory (keyops.c,
 * keysvc.c; no workers): rotate and retire change the published
 * snapshot's key rings (in a new snapshot), reload re-reads the
 * configuration file (a temporary one, with its key file, through the
 * daemon's own confenv.c) and names the restart-only settings it could not
 * apply, spi-alloc hands out fresh SPIs with their keys from a temporary
 * state directory.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confenv.h"
#include "kdf.h"
#include "keys.h"
#include "packet.h"
#include "testeespd.h"

static char g_dir[64];

static void put(const char *name, const char *text, mode_t mode)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", g_dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	cr_assert_geq(fd, 0, "%s", path);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	cr_assert_eq(fchmod(fd, mode), 0);
	close(fd);
}

static void setup(void)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/eesp-ctlverbs.XXXXXX");
	cr_assert_not_null(mkdtemp(g_dir));
}

static void teardown(void)
{
	static const char *const names[] = {"eespd.conf", "dom.keys", "psp.keys", "eespd.spi",
					    "psp0.spi"};
	char path[128];
	te_stop();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", g_dir, names[i]);
		unlink(path);
	}
	rmdir(g_dir);
}

static const struct snap *running(void)
{
	return atomic_load(&E.snap);
}

/* ------------------------------------------------------ rotate/retire -- */

Test(ctlverbs_keys, rotate_then_retire_domain, .init = setup, .fini = teardown)
{
	char want[512];
	te_from(NULL, TC_EESP("", "", "", ""));
	const struct snap *before = running();
	const char *b = te_ok(&TE_ROOT, "rotate domain 0\n");
	snprintf(want, sizeof(want), "%s", te_root_key(false, "domain", 0, "previous", 2, 0x12));
	strcat(want, te_root_key(false, "domain", 0, "current", 3, 0x13));
	cr_assert_str_eq(b, want);
	cr_assert_neq(running(), before, "a new snapshot");
	cr_assert_eq(running()->serial, 2);
	cr_assert_eq(running()->dom[0].phase[0], 3);
	cr_assert_eq(E.n_retired, 0, "no worker holds the old one: freed");
	/* nothing left to rotate to */
	cr_assert(te_starts(te_ask(&TE_ROOT, "rotate domain 0\n"), "error rotate domain 0: "), "%s",
		  te_reply);
	cr_assert(strstr(te_reply, " (is there a next generation?)\n"), "%s", te_reply);
	cr_assert_eq(running()->serial, 2);
	b = te_ok(&TE_ADMIN, "retire domain 0\n");
	snprintf(want, sizeof(want), "%s", te_root_key(false, "domain", 0, "current", 3, 0x13));
	cr_assert_str_eq(b, want);
	cr_assert_eq(running()->serial, 3);
	cr_assert_str_eq(te_ok(&TE_CONTROL, "keys\n"), want, "keys shows the running rings");
}

Test(ctlverbs_keys, rotate_and_retire_other_levels, .init = setup, .fini = teardown)
{
	te_from(TC_TENANT_KEYS, TC_EESP("", "", "", ""));
	cr_assert_str_eq(te_ask(&TE_ROOT, "rotate tenant 9\n"), "error no key ring tenant 9\n");
	cr_assert_str_eq(te_ask(&TE_ROOT, "retire group 6\n"), "error no key ring group 6\n");
	cr_assert(te_starts(te_ask(&TE_ROOT, "rotate group 5\n"), "error rotate group 5: "), "%s",
		  te_reply);
	cr_assert_eq(running()->serial, 1, "refusals publish nothing");
	const char *b = te_ok(&TE_ROOT, "retire tenant 7\n");
	cr_assert(!strstr(b, "level tenant id 7 slot previous"), "%s", b);
	cr_assert(strstr(b, "key level tenant id 7 slot current generation 1 phase 1"), "%s", b);
	cr_assert_eq(te_lines(b), 6, "%s", b);
	cr_assert(eesp_keyset_ring(running()->dom[0].keys, EESP_LEVEL_DOMAIN, 0)->gen[0].present,
		  "other rings untouched");
	cr_assert_eq(running()->serial, 2);
}

Test(ctlverbs_keys, rotate_psp_refused, .init = setup, .fini = teardown)
{
	te_from(NULL, TC_PSP("", "", "", ""));
	cr_assert_str_eq(te_ask(&TE_ROOT, "rotate domain 0\n"), "error rotate: eesp mode only\n");
	cr_assert_str_eq(te_ask(&TE_ROOT, "retire domain 0\n"), "error retire: eesp mode only\n");
}

/* ------------------------------------------------------------- reload -- */

#define FILE_CONF(daemon)                                                                          \
	"daemon: { user = \"root\"; " daemon " };\n"                                               \
	"domain: { id = 0xC0FFEE01; node_id = 1; key_file = \"dom.keys\"; };\n"                    \
	"peers = ( { name = \"b\"; endpoint = \"198.51.100.2\"; node_id = 2; allowed_ips = [ "     \
	"\"192.0.2.2/32\" ]; } );\n"

/* an eespd started from the files in g_dir, as main.c does */
static void start_from_files(const char *conf, const char *keys)
{
	char path[128], err[1024];
	struct snap *s;
	put("eespd.conf", conf, 0600);
	put("dom.keys", keys, 0600);
	snprintf(path, sizeof(path), "%s/eespd.conf", g_dir);
	te_init();
	cr_assert_eq(eespd_conf_load(path, &E.conf, &s, err, sizeof(err)), 0, "%s", err);
	te_start(s);
}

Test(ctlverbs_keys, reload_names_restart_only_settings, .init = setup, .fini = teardown)
{
	char log[4096];
	start_from_files(FILE_CONF(""), TC_DOM_KEYS);
	put("eespd.conf", FILE_CONF("mtu = 1500; workers = 2; log_level = \"debug\";"), 0600);
	te_log_begin();
	const char *b = te_ok(&TE_ROOT, "reload\n");
	te_log_end(log, sizeof(log));
	cr_assert(te_starts(b, "reloaded config 2\nkey level domain id 0 slot previous "), "%s", b);
	cr_assert(strstr(log, "eespd: warning: reload: daemon settings (mtu, workers) need a "
			      "restart; keeping the running ones\n"),
		  "%s", log);
	cr_assert_eq(E.conf.mtu, 1400, "the running value stays");
	cr_assert_eq(E.conf.workers, 1);
	cr_assert_eq(running()->serial, 2);
	cr_assert_eq(running()->log_level, LOG_LVL_DEBUG, "reloadable settings apply");
	/* the file agrees with the running settings again: nothing to report */
	put("eespd.conf", FILE_CONF(""), 0600);
	te_log_begin();
	te_ok(&TE_ROOT, "reload\n");
	te_log_end(log, sizeof(log));
	cr_assert(!strstr(log, "need a restart"), "%s", log);
	cr_assert_eq(running()->serial, 3);
}

Test(ctlverbs_keys, reload_shows_the_new_keys, .init = setup, .fini = teardown)
{
	char want[512];
	start_from_files(FILE_CONF(""), TC_DOM_KEYS);
	put("dom.keys", "domain 0 4 " TC_HEX32("44") "\n", 0600);
	const char *b = te_ok(&TE_ADMIN, "reload\n");
	snprintf(want, sizeof(want), "reloaded config 2\n%s",
		 te_root_key(false, "domain", 0, "current", 4, 0x44));
	cr_assert_str_eq(b, want, "a revoked generation is gone from the reply");
	cr_assert_eq(eesp_ring_current(&running()->dom[0].keys->domain)->generation, 4);
}

/* a refused reload keeps the running snapshot and says why */
Test(ctlverbs_keys, reload_refusals_keep_running, .init = setup, .fini = teardown)
{
	char want[512];
	start_from_files(FILE_CONF(""), TC_DOM_KEYS);
	const struct snap *before = running();
	put("eespd.conf", "daemon: {\nmtu = ;\n};\n", 0600);
	/* libconfig's reason, then what it means (conf_syntax.c) */
	snprintf(want, sizeof(want), "error %s/eespd.conf:2: syntax error: near \"mtu = ;\"",
		 g_dir);
	cr_assert(te_starts(te_ask(&TE_ROOT, "reload\n"), want), "%s", te_reply);
	put("eespd.conf", FILE_CONF(""), 0600);
	put("dom.keys", TC_DOM_KEYS, 0644);
	snprintf(want, sizeof(want),
		 "error %s/eespd.conf:2: key file %s/dom.keys: mode 0644 is too open", g_dir,
		 g_dir);
	cr_assert(te_starts(te_ask(&TE_ROOT, "reload\n"), want), "%s", te_reply);
	put("dom.keys", TC_DOM_KEYS, 0600);
	put("psp.keys", TC_PSP_KEYS, 0600);
	put("eespd.conf",
	    "daemon: { mode = \"psp\"; user = \"root\"; };\npsp: { key_file = \"psp.keys\"; };\n",
	    0600);
	snprintf(want, sizeof(want), "error %s/eespd.conf: mode changed: restart eespd to apply\n",
		 g_dir);
	cr_assert_str_eq(te_ask(&TE_ROOT, "reload\n"), want);
	cr_assert_eq(running(), before);
	cr_assert_eq(running()->serial, 1);
}

/* ---------------------------------------------------------- spi-alloc -- */

/* the state directory of spi-alloc's counters: g_dir */
static void with_state(void)
{
	E.state_fd = open(g_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(E.state_fd, 0);
	E.spi = spistate_new(E.state_fd, g_dir, E.conf.ifname);
	cr_assert_not_null(E.spi);
}

static void psp_key_hex(uint8_t master_byte, uint32_t spi, unsigned version, char *hex)
{
	uint8_t master[PSP_MASTER_KEY_LEN], key[32];
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	memset(master, master_byte, sizeof(master));
	cr_assert_eq(psp_derive_key(k, master, spi, version, key), 0);
	eesp_kdf_ctx_free(k);
	for (unsigned i = 0; i < (version ? 32u : 16u); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

Test(ctlverbs_keys, spi_alloc_psp, .init = setup, .fini = teardown)
{
	char key[65], want[512], path[128];
	struct stat st;
	te_from(NULL,
		TC_PSP("", "policy = ( { spis = [ \"1-5\" ]; prefixes = [ \"192.0.2.0/24\" ]; } );",
		       "", ""));
	with_state();
	psp_key_hex(0x81, 6, 1, key);
	snprintf(want, sizeof(want),
		 "spi 0x00000006\nversion 1\nmaster 0\nkey %s\nsa psp 0x00000006 %s\n", key, key);
	cr_assert_str_eq(te_ok(&TE_ROOT, "spi-alloc 1\n"), want, "policy spis 1-5 are skipped");
	psp_key_hex(0x81, 7, 0, key);
	snprintf(want, sizeof(want),
		 "spi 0x00000007\nversion 0\nmaster 0\nkey %s\nsa psp 0x00000007 %s\n", key, key);
	cr_assert_str_eq(te_ok(&TE_ADMIN, "spi-alloc 0\n"), want);
	/* no version asked: the configured one (psp version defaults to 1) */
	psp_key_hex(0x81, 8, 1, key);
	snprintf(want, sizeof(want),
		 "spi 0x00000008\nversion 1\nmaster 0\nkey %s\nsa psp 0x00000008 %s\n", key, key);
	cr_assert_str_eq(te_ok(&TE_ROOT, "spi-alloc\n"), want, "spi-alloc without a version");
	snprintf(path, sizeof(path), "%s/psp0.spi", g_dir);
	cr_assert_eq(stat(path, &st), 0, "the counter is on disk before the reply");
}

Test(ctlverbs_keys, spi_alloc_psp_master_one, .init = setup, .fini = teardown)
{
	char key[65], want[512];
	te_from(NULL, TC_PSP("", "spi_master = 1;", "", ""));
	with_state();
	psp_key_hex(0x82, 0x80000001, 1, key);
	snprintf(want, sizeof(want),
		 "spi 0x80000001\nversion 1\nmaster 1\nkey %s\nsa psp 0x80000001 %s\n", key, key);
	cr_assert_str_eq(te_ok(&TE_ROOT, "spi-alloc 1\n"), want);
	te_stop();
	tc_reset();
	te_init();
	tc_world.extra_name = "psp.keys";
	tc_world.extra_text = "psp 0 " TC_HEX32("81") "\nsa psp 0x1001 " TC_HEX32("83") "\n";
	te_start(tc_parse_ok(TC_PSP("", "spi_master = 1;", "", ""), &E.conf, NULL));
	with_state();
	cr_assert_str_eq(te_ask(&TE_ROOT, "spi-alloc\n"),
			 "error spi-alloc: psp master key 1 not loaded\n");
}

#define SPI_SERVER(lo, hi)                                                                         \
	"daemon: { user = \"eesp\"; interface = \"eespd\"; };\n"                                   \
	"domain: { profile = \"spi\"; key_file = \"spi-server.keys\"; spi_min = " lo               \
	"; spi_max = " hi "; };\n"                                                                 \
	"peers = ( { name = \"c\"; endpoint = \"198.51.100.3\"; tx_spi = 0x1021; rx_spi = [ "      \
	"0x1020 ]; allowed_ips = [ \"192.0.2.3/32\" ]; } );\n"

/* the data key (hex) of the running domain for a packet of spi sent by
 * Session ID 1 with epoch 0 and the domain's current phase */
static void expected_eesp_key(uint32_t spi, char hex[65])
{
	const struct domain *d = &running()->dom[0];
	struct eesp_hdr_params p = {.session_id = 1, .spi = spi};
	struct eesp_dkey dk;
	p.sctx.profile = EESP_PROFILE_SPI;
	p.sctx.kdf = d->kdf;
	p.sctx.suite = d->suite;
	p.sctx.phase[0] = d->phase[0];
	struct eesp_crypto *cr = eesp_crypto_new(4);
	cr_assert_eq(eesp_data_key_for(cr, &d->dom, &p, &dk), EESP_E_OK);
	eesp_crypto_free(cr);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", dk.key[i]);
}

Test(ctlverbs_keys, spi_alloc_eesp_server, .init = setup, .fini = teardown)
{
	char key[2][65], salt[2][9], sa[128];
	unsigned spi[2], session, epoch, phase;
	te_from(NULL, SPI_SERVER("0x1020", "0x1023"));
	with_state();
	for (int i = 0; i < 2; i++) {
		const char *b = te_ok(&TE_ROOT, "spi-alloc\n");
		cr_assert_eq(
		    sscanf(b,
			   "spi 0x%x\nsession_id %u\nepoch %u\nsa_phase %u\nkey %64s\nsalt %8s\n",
			   &spi[i], &session, &epoch, &phase, key[i], salt[i]),
		    6, "%s", b);
		cr_assert(session == 1 && epoch == 0 && phase == 0, "%s", b);
		cr_assert_eq(strlen(key[i]), 64, "aes-gcm-256");
		snprintf(sa, sizeof(sa), "\nsa eesp 0x%08x %s %s\n", spi[i], key[i], salt[i]);
		cr_assert(strstr(b, sa), "%s", b);
	}
	cr_assert_eq(spi[0], 0x1022, "0x1020 and 0x1021 are the peer's");
	/* the key the server derives when a packet of that SPI arrives from
	 * Session ID 1 in the current epoch and phase */
	char hex[65];
	expected_eesp_key(spi[0], hex);
	cr_assert_str_eq(key[0], hex);
	cr_assert_eq(spi[1], 0x1023);
	cr_assert_str_neq(key[0], key[1]);
	cr_assert(te_starts(te_ask(&TE_ROOT, "spi-alloc\n"),
			    "error spi-alloc: SPI range 0x00001020 - 0x00001023 exhausted"),
		  "%s", te_reply);
}

Test(ctlverbs_keys, spi_alloc_needs_a_key_holder, .init = setup, .fini = teardown)
{
	static const char want[] = "error spi-alloc: needs psp mode or profile spi with a domain "
				   "root key and spi_min/spi_max\n";
	te_from(NULL, TC_EESP("", "", "", ""));
	cr_assert_str_eq(te_ask(&TE_ROOT, "spi-alloc\n"), want);
	te_stop();
	te_from(NULL, TC_SPI_CLIENT("", "", "", ""));
	cr_assert_str_eq(te_ask(&TE_ROOT, "spi-alloc\n"), want);
}
