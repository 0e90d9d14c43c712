// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ctlverbs.c - control requests answered by an eespd in memory
 * (ctlverbs.c, status.c; no workers, no socket): which credentials may use
 * which verb (the classes of src/core/ctlproto.c: read for every client,
 * admin for root and admin_group), malformed requests, and the text and
 * JSON bodies of status, show, counters and keys.  Rotate, retire, reload
 * and spi-alloc are test_ctlverbs_keys.c.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "keys.h"
#include "testeespd.h"
#include "testjson.h"

static void teardown(void)
{
	te_stop();
}

#define ADMIN_CONF TC_EESP("admin_group = \"eespadm\";", "", "", "")

/* ------------------------------------------------------ authorisation -- */

static const struct {
	const char *request;
	bool admin; /* eespd(8): reload, rotate, retire, spi-alloc */
} verbs[] = {
    {"status\n", false},	 {"show\n", false},	     {"show json\n", false},
    {"counters\n", false},	 {"counters json\n", false}, {"keys\n", false},
    {"keys json\n", false},	 {"reload\n", true},	     {"rotate domain 0\n", true},
    {"retire domain 0\n", true}, {"spi-alloc\n", true},	     {"spi-alloc 1\n", true},
};

static const struct {
	const char *who;
	const struct ctl_peer *peer;
	bool admin;
} clients[] = {
    {"root", &TE_ROOT, true},
    {"admin group", &TE_ADMIN, true},
    {"control group", &TE_CONTROL, false},
    {"other", &TE_OTHER, false},
    {"unknown (uid 0 unread)", &TE_UNKNOWN, false},
};

/* every verb by every client (without admin_group, ctl_peer_get never
 * marks a client a member of it: TE_ADMIN does not occur) */
static void check_classes(const char *admin_group)
{
	for (size_t v = 0; v < sizeof(verbs) / sizeof(verbs[0]); v++)
		for (size_t c = 0; c < sizeof(clients) / sizeof(clients[0]); c++) {
			char want[160], verb[32];
			if (!admin_group[0] && clients[c].peer == &TE_ADMIN)
				continue;
			sscanf(verbs[v].request, "%31s", verb);
			if (admin_group[0])
				snprintf(want, sizeof(want),
					 "error permission denied: %s needs root or group %s\n",
					 verb, admin_group);
			else
				snprintf(
				    want, sizeof(want),
				    "error permission denied: %s needs root (no admin_group is "
				    "configured)\n",
				    verb);
			te_ask(clients[c].peer, verbs[v].request);
			bool refused = !strcmp(te_reply, want);
			bool may = !verbs[v].admin || clients[c].admin;
			cr_expect_eq(!refused, may, "%s by %s: %s", verb, clients[c].who, te_reply);
			if (may)
				cr_expect(!strstr(te_reply, "permission denied"), "%s by %s: %s",
					  verb, clients[c].who, te_reply);
		}
}

Test(ctlverbs, classes_with_admin_group, .fini = teardown)
{
	te_from(NULL, ADMIN_CONF);
	check_classes("eespadm");
}

/* without admin_group the admin verbs are root's alone */
Test(ctlverbs, classes_without_admin_group, .fini = teardown)
{
	te_from(NULL, TC_EESP("", "", "", ""));
	struct ctl_peer gid_eespadm = {.known = true, .pid = 15, .uid = 1003, .gid = 1990};
	te_ask(&gid_eespadm, "reload\n");
	cr_assert_str_eq(te_reply, "error permission denied: reload needs root (no admin_group is "
				   "configured)\n");
	check_classes("");
}

/* a refusal is logged with the client's credentials and changes nothing */
Test(ctlverbs, refusal_logged_and_harmless, .fini = teardown)
{
	char log[4096];
	te_from(NULL, ADMIN_CONF);
	te_log_begin();
	te_ask(&TE_OTHER, "rotate domain 0\n");
	te_log_end(log, sizeof(log));
	cr_assert_str_eq(log, "eespd: warning: control: refused 'rotate' to uid 1002 gid 1002 pid "
			      "14: permission denied: rotate needs root or group eespadm\n");
	cr_assert_eq(atomic_load(&E.snap)->serial, 1, "no new snapshot");
	cr_assert_eq(eesp_ring_current(&atomic_load(&E.snap)->dom[0].keys->domain)->generation, 2);
	te_log_begin();
	te_ask(&TE_UNKNOWN, "reload\n");
	te_log_end(log, sizeof(log));
	cr_assert(strstr(log, "refused 'reload' to uid -1 gid -1 pid 0"), "%s", log);
}

/* ---------------------------------------------------------- malformed -- */

Test(ctlverbs, malformed_requests, .fini = teardown)
{
	static const struct {
		const char *line;
		size_t len;
		const char *reply;
	} rows[] = {
	    {"", 0, "error request line missing or too long\n"},
	    {"\n", 1, "error empty request\n"},
	    {"foo\n", 4, "error unknown verb 'foo'\n"},
	    {"STATUS\n", 7, "error unknown verb 'STATUS'\n"},
	    {"status extra\n", 13, "error status takes no arguments\n"},
	    {"reload now\n", 11, "error reload takes no arguments\n"},
	    {"show xml\n", 9, "error unknown argument 'xml' (expected json)\n"},
	    {"keys json json\n", 15, "error keys takes at most one argument (json)\n"},
	    {"rotate domain\n", 14, "error usage: rotate domain|tenant|group <id>\n"},
	    {"retire planet 0\n", 16, "error bad level 'planet' (domain, tenant or group)\n"},
	    {"rotate domain 01\n", 17, "error bad id '01' (decimal 0..4294967295)\n"},
	    {"rotate tenant 4294967296\n", 25,
	     "error bad id '4294967296' (decimal 0..4294967295)\n"},
	    {"spi-alloc 4\n", 12, "error bad PSP version '4' (0, 1, 2 or 3)\n"},
	    {" status\n", 8, "error leading or trailing space\n"},
	    {"show  json\n", 11, "error empty argument (double space)\n"},
	    {"status\r\n", 8, "error non-printable byte 0x0d at offset 6\n"},
	    {"sta\0tus\n", 8, "error non-printable byte 0x00 at offset 3\n"},
	    {"a b c d e f g h i j k l m n\n", 28, "error too many arguments\n"},
	};
	te_from(NULL, ADMIN_CONF);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		te_ask_n(&TE_ROOT, rows[i].line, rows[i].len);
		cr_expect_str_eq(te_reply, rows[i].reply, "row %zu", i);
	}
	/* longer than a request line, with or without its newline */
	char big[400];
	memset(big, 'a', sizeof(big));
	te_ask_n(&TE_ROOT, big, sizeof(big));
	cr_assert_str_eq(te_reply, "error request line missing or too long\n");
	memcpy(big, "status ", 7);
	big[257] = '\n';
	te_ask_n(&TE_ROOT, big, 258);
	cr_assert_str_eq(te_reply, "error request line missing or too long\n");
	te_ask_n(&TE_ROOT, big, 257);
	cr_assert_str_eq(te_reply, "error line too long (257 bytes, at most 256)\n");
	/* only the first line is the request */
	cr_assert(te_starts(te_ask(&TE_ROOT, "status\nreload\n"), "ok\neespd "), "%s", te_reply);
}

/* -------------------------------------------------------- read bodies -- */

#define SHOW_CONF                                                                                  \
	TC_EESP("addresses = [ \"192.0.2.1/24\", \"2001:db8:1::1/64\" ];",                         \
		"name = \"lab\"; epoch = 5; max_crypt_offset = 3; policy = ( { nodes = ( "         \
		"\"10-20\", 30 ); prefixes = [ \"192.0.2.0/24\" ]; } );",                          \
		"", "")

Test(ctlverbs, status_text, .fini = teardown)
{
	char want[1024];
	te_from(NULL, SHOW_CONF);
	uint64_t floor = replay_floor_clock(E.replay);
	const char *b = te_ok(&TE_OTHER, "status\n");
	const char *u = strstr(b, " uptime ");
	cr_assert_not_null(u);
	long up = strtol(u + 8, NULL, 10);
	cr_assert(up >= 100 && up < 110, "uptime %ld", up);
	snprintf(want, sizeof(want),
		 "eespd %s pid %d uid %u mode eesp interface eesp0 workers 0 uptime %ld config 1 "
		 "peers 1 rx_packets 0 tx_packets 0 drops 0 replay_floor %llu\n",
		 EESPD_VERSION, (int)getpid(), (unsigned)getuid(), up, (unsigned long long)floor);
	cr_assert_str_eq(b, want);
	cr_assert_str_eq(te_ask(&TE_OTHER, "status json\n"), "error status takes no arguments\n");
}

/* "\n<line>\n" is in text (a whole line) */
static void has_line(const char *text, const char *line)
{
	char l[512];
	snprintf(l, sizeof(l), "\n%s\n", line);
	cr_expect(strstr(text, l) != NULL, "no line \"%s\" in:\n%s", line, text);
}

Test(ctlverbs, show_text, .fini = teardown)
{
	te_from(NULL, SHOW_CONF);
	const char *b = te_ok(&TE_CONTROL, "show\n");
	cr_assert(te_starts(b, "eespd " EESPD_VERSION " pid "), "%s", b);
	has_line(b, "interface eesp0 mtu 1400 port 4500 source_ports 49152-65535 workers 0 "
		    "udp_gso on udp_gro on offload on gro on");
	has_line(b, "address 192.0.2.1/24");
	has_line(b, "address 2001:db8:1::1/64");
	has_line(b, "domain lab id 0xc0ffee01 profile node kdf cmac suite aes-gcm-256 node_id 1 "
		    "tenant 0 group 0 epoch 5 epoch_window 2 crypt_offset 0 max_crypt_offset 3");
	static const char *const slot[] = {"previous", "current", "next"};
	for (unsigned g = 0; g < 3; g++)
		cr_expect(strstr(b, te_root_key(false, "domain", 0, slot[g], g + 1, 0x11 + g)),
			  "%s", b);
	has_line(b, "peer b endpoint 198.51.100.2:4500 node_id 2 allowed_ips "
		    "192.0.2.2/32,2001:db8:1::2/128");
	/* the daemon sends the peer's traffic even when zero (eespctl hides it) */
	has_line(b, "  latest_rx never");
	has_line(b, "  rx_packets 0");
	has_line(b, "  tx_bytes 0");
	has_line(b, "policy nodes 10-20,30 tenant 0 prefixes 192.0.2.0/24");
	has_line(b, "counters");
	has_line(b, "  rx_packets 0");
	has_line(b, "  unknown_spi 0");
	cr_assert(!strstr(b, "1111111111111111"), "a root key in the reply");
}

Test(ctlverbs, show_json, .fini = teardown)
{
	te_from(NULL, SHOW_CONF);
	const char *b = te_ok(&TE_CONTROL, "show json\n");
	cr_assert(json_valid(b), "not JSON: %s", b);
	cr_assert(te_starts(b, "{\"status\":{\"version\":\"" EESPD_VERSION "\",\"pid\":"), "%s", b);
	static const char *const parts[] = {
	    "\"mode\":\"eesp\",\"interface\":\"eesp0\",\"workers\":0,\"uptime\":",
	    "\"config_serial\":1,\"peers\":1,\"rx_packets\":0,\"tx_packets\":0,\"drops\":0,",
	    "},\"interface\":\"eesp0\",\"mtu\":1400,\"port\":4500,\"source_ports\":[49152,65535],"
	    "\"udp_gso\":true,\"udp_gro\":true,\"offload\":true,\"gro\":true,\"addresses\":["
	    "\"192.0.2.1/24\",\"2001:db8:1::1/64\"],",
	    "\"domain\":{\"name\":\"lab\",\"id\":3237998081,\"profile\":\"node\",\"kdf\":\"cmac\","
	    "\"suite\":\"aes-gcm-256\",\"node_id\":1,\"tenant\":0,\"group\":0,\"epoch\":5,"
	    "\"epoch_window\":2,\"crypt_offset\":0,\"max_crypt_offset\":3},",
	    "\"peers\":[{\"name\":\"b\",\"endpoint\":\"198.51.100.2:4500\",\"node_id\":2,"
	    "\"tx_spi\":0,\"allowed_ips\":[\"192.0.2.2/32\",\"2001:db8:1::2/128\"],"
	    "\"rx_packets\":0,\"rx_bytes\":0,\"tx_packets\":0,\"tx_bytes\":0,\"latest_rx\":0}],",
	    "\"counters\":{",
	    "\"proxy\":[],\"workers\":[]}\n",
	};
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		cr_expect(strstr(b, parts[i]), "no %s in %s", parts[i], b);
	const char *k = te_root_key(true, "domain", 0, "current", 2, 0x12);
	cr_assert(strstr(b, k), "no %s", k);
}

Test(ctlverbs, show_psp, .fini = teardown)
{
	te_from(NULL, TC_PSP("", "crypt_offset = 2;", "", ""));
	const char *b = te_ok(&TE_CONTROL, "show\n");
	has_line(b, "psp version 1 crypt_offset 2 spi_master 0");
	has_line(b, "peer b endpoint 198.51.100.2:1000 tx_spi 0x00001001 rx_spi 0x00002001 "
		    "allowed_ips 192.0.2.2/32");
	b = te_ok(&TE_CONTROL, "show json\n");
	cr_assert(json_valid(b), "not JSON: %s", b);
	cr_assert(strstr(b, "\"psp\":{\"version\":1,\"crypt_offset\":2,\"spi_master\":0},"), "%s",
		  b);
}

Test(ctlverbs, counters_text_and_json, .fini = teardown)
{
	char line[128];
	te_from(NULL, TC_DOMS("", "", "", "", ""));
	const char *b = te_ok(&TE_OTHER, "counters\n");
	cr_assert_eq(te_lines(b), CNT__COUNT - 1, "one line per counter");
	for (unsigned i = 1; i < CNT__COUNT; i++) {
		snprintf(line, sizeof(line), "%s%s 0\n", i == 1 ? "" : "\n", counter_name(i));
		cr_expect(i == 1 ? te_starts(b, line) : strstr(b, line) != NULL, "counter %u (%s)",
			  i, counter_name(i));
	}
	b = te_ok(&TE_OTHER, "counters json\n");
	cr_assert(json_valid(b), "not JSON: %s", b);
	snprintf(line, sizeof(line), "{\"counters\":{\"%s\":0,", counter_name(1));
	cr_assert(te_starts(b, line), "%s", b);
	cr_assert(
	    strstr(b, "\"proxy\":[{\"from\":\"a\",\"to\":\"b\",\"packets\":0,\"bytes\":0},"
		      "{\"from\":\"b\",\"to\":\"a\",\"packets\":0,\"bytes\":0}],\"workers\":[]}\n"),
	    "%s", b);
}

Test(ctlverbs, keys_text_and_json, .fini = teardown)
{
	te_from(TC_TENANT_KEYS, TC_EESP("", "", "", ""));
	const char *b = te_ok(&TE_OTHER, "keys\n");
	cr_assert(te_starts(b, te_root_key(false, "domain", 0, "previous", 1, 0x11)), "%s", b);
	cr_assert(strstr(b, te_root_key(false, "tenant", 7, "previous", 0, 0x21)), "%s", b);
	cr_assert(strstr(b, te_root_key(false, "group", 5, "current", 0, 0x31)), "%s", b);
	cr_assert_eq(te_lines(b), 3 + 2 + 1 + 1, "domain 3, tenant 7 2, tenant 8 1, group 5 1");
	b = te_ok(&TE_OTHER, "keys json\n");
	cr_assert(json_valid(b), "not JSON: %s", b);
	cr_assert(te_starts(b, "{\"keys\":["), "%s", b);
	cr_assert(te_starts(b + 9, te_root_key(true, "domain", 0, "previous", 1, 0x11)), "%s", b);
	const char *k = te_root_key(true, "group", 5, "current", 0, 0x31);
	cr_assert(strstr(b, k) && !strcmp(strstr(b, k) + strlen(k), "]}\n"), "%s", b);
}

/* psp masters and sa lines: fingerprints only */
Test(ctlverbs, keys_psp, .fini = teardown)
{
	char fp[3][17], want[512];
	te_from(NULL, TC_PSP("", "", "", ""));
	te_fingerprint(0x81, 32, fp[0]);
	te_fingerprint(0x82, 32, fp[1]);
	te_fingerprint(0x84, 16, fp[2]);
	const char *b = te_ok(&TE_OTHER, "keys\n");
	snprintf(want, sizeof(want),
		 "key level psp id 0 fingerprint %s\nkey level psp id 1 fingerprint %s\n", fp[0],
		 fp[1]);
	cr_assert(te_starts(b, want), "%s", b);
	snprintf(want, sizeof(want), "key level sa kind psp spi 0x00001002 fingerprint %s\n",
		 fp[2]);
	cr_assert(strstr(b, want), "%s", b);
	cr_assert(!strstr(b, "8181818181") && !strstr(b, "8484848484"), "a key in the reply");
	b = te_ok(&TE_OTHER, "keys json\n");
	cr_assert(json_valid(b), "not JSON: %s", b);
	snprintf(
	    want, sizeof(want),
	    "{\"level\":\"sa\",\"kind\":\"psp\",\"spi\":\"0x00001002\",\"fingerprint\":\"%s\"}",
	    fp[2]);
	cr_assert(strstr(b, want), "%s", b);
}
