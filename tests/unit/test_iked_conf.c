/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iked_conf.c - eesp-iked.conf: defaults, every refusal with its
 * file:line, identities, proposals, PSK text; the control protocol of
 * eesp-iked (src/core/ikedctl.h).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "ike_proto.h"
#include "ikedctl.h"
#include "iked_confenv.h"
#include "psk.h"
#include "secmem.h"

#define BASE "ike: { local_id = \"gw1.example\"; };\n"
#define PEER                                                                                       \
	"peers = ( { name = \"gw2\"; address = \"198.51.100.2\"; remote_id = \"keyid:0a0b\";"      \
	" psk_file = \"p/text:0123456789abcdef\"; } );\n"

static int parse(const char *text, struct iked_conf *c, char *err, size_t el)
{
	return iked_conf_parse("/etc/x/eesp-iked.conf", text, &iked_test_env, c, err, el);
}

Test(iked_conf, defaults)
{
	struct iked_conf c;
	char err[512];
	cr_assert_eq(parse("daemon: { };\n" BASE PEER, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.user, "eesp-iked");
	cr_assert_eq(c.port, 500);
	cr_assert_eq(c.n_listen, 2);
	cr_assert_str_eq(c.ctl_path, "/run/eesp-iked/ctl.sock");
	cr_assert_eq(c.n_proposals, 2);
	cr_assert_eq(c.proposals[0].ke, IKE_KE_X25519);
	cr_assert_eq(c.proposals[0].encr_bits, 256);
	cr_assert_eq(c.proposals[1].ke, IKE_KE_ECP256);
	cr_assert_eq(c.proposals[1].encr_bits, 128);
	cr_assert_eq(c.dpd_interval, 30);
	cr_assert_eq(c.rekey_time, 14400);
	cr_assert_eq(c.retransmit_timeout, 4000);
	cr_assert_eq(c.retransmit_tries, 5);
	cr_assert_eq(c.cookie_threshold, 10);
	cr_assert_eq(c.psp_protocol, 201);
	cr_assert_eq(c.eesp_protocol, 202);
	cr_assert_eq(c.psp_transform_type, 241);
	cr_assert_eq(c.local_id.type, IKE_ID_FQDN);
	cr_assert_eq(c.n_peers, 1);
	cr_assert_eq(c.peers[0].remote_id.type, IKE_ID_KEY_ID);
	cr_assert_eq(c.peers[0].remote_id.len, 2);
	cr_assert_eq(c.peers[0].psk.len, 16);
	cr_assert_str_eq(c.peers[0].psk_path, "/etc/x/p/text:0123456789abcdef");
	cr_assert_eq(c.peers[0].n_proposals, 2, "a peer inherits the proposals");
	iked_conf_free(&c);
}

static void refused(const char *text, const char *want)
{
	struct iked_conf c;
	char err[512];
	cr_assert_neq(parse(text, &c, err, sizeof(err)), 0, "accepted: %s", text);
	cr_assert(strstr(err, want), "wanted '%s', got '%s'", want, err);
	cr_assert_null(c.peers, "nothing left allocated");
}

Test(iked_conf, refusals_name_file_and_line)
{
	refused("daemon: { };\n" BASE "bogus = 1;\n", "eesp-iked.conf:3: unknown setting 'bogus'");
	refused("daemon: { port = 0; };\n" BASE, "eesp-iked.conf:1: 'port' = 0 out of range");
	refused("daemon: { user = \"nobody9\"; };\n" BASE,
		"eesp-iked.conf:1: user 'nobody9' does not exist");
	refused("daemon: { };\nike: { };\n", "eesp-iked.conf:2: missing setting 'local_id'");
	refused("daemon: { };\nike: { local_id = \"a b\"; };\n",
		"eesp-iked.conf:2: local_id \"a b\"");
	refused("daemon: { };\nike: { local_id = \"keyid:0g\"; };\n", "local_id \"keyid:0g\"");
	refused("daemon: { };\nike: { local_id = \"x\";\n proposals = [ "
		"\"aes256gcm16-prfsha1-x25519\" ]; };\n",
		"eesp-iked.conf:3: proposals: unknown PRF 'prfsha1'");
	refused("daemon: { };\nike: { local_id = \"x\";\n proposals = [ "
		"\"aes256gcm16-prfsha256-modp2048\" ]; };\n",
		"unknown key exchange 'modp2048'");
	refused("daemon: { };\nike: { local_id = \"x\";\n proposals = [ \"aes256gcm16\" ]; };\n",
		"want ENCR-PRF-GROUP");
	refused("daemon: { };\nike: { local_id = \"x\"; rekey_time = 1; };\n",
		"rekey_time = 1: 0 (never) or at least 2 s");
	refused("daemon: { };\n" BASE "code_points: { psp_protocol = 202; };\n",
		"psp_protocol and eesp_protocol are both 202");
	refused("daemon: { };\n" BASE "code_points: { psp_transform_type = 13; };\n",
		"eesp-iked.conf:3: 'psp_transform_type' = 13 out of range [241, 255]");
	refused("daemon: { };\n" BASE
		"peers = ( { name = \"a\"; address = \"198.51.100.2\"; remote_id = \"x\"; psk_file "
		"= \"p/text:0123456789abcdef\"; },\n"
		"{ name = \"b\"; address = \"198.51.100.2\"; remote_id = \"y\"; psk_file = "
		"\"p/text:0123456789abcdef\"; } );\n",
		"eesp-iked.conf:4: peer b: the address of peer a again");
	refused("daemon: { };\n" BASE "peers = ( { name = \"a\"; address = \"gw.example\"; "
		"remote_id = \"x\"; psk_file = \"f\"; } );\n",
		"peer a: address must be an IPv4 or IPv6 address");
	refused("daemon: { };\n" BASE "peers = ( { name = \"a\"; address = \"198.51.100.2\"; "
		"remote_id = \"x\"; psk_file = \"f\"; } );\n",
		"eesp-iked.conf:3: peer a: psk file /etc/x/f: No such file");
	refused("daemon: { };\n" BASE "peers = ( { name = \"a\"; address = \"198.51.100.2\"; "
		"remote_id = \"x\"; psk_file = \"p/text:short\"; } );\n",
		"5 octets: a PSK needs at least 16");
	refused("daemon: { };\n" BASE
		"peers = ( { name = \"a\"; address = \"198.51.100.2\"; remote_id = \"x\"; psk_file "
		"= \"p/text:0123456789abcdef\"; color = 1; } );\n",
		"unknown setting 'color'");
}

Test(iked_conf, psk_text_and_hex)
{
	struct iked_psk k;
	char err[200];
	cr_assert_eq(psk_parse("0123456789abcdef\n", 17, &k, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(k.len, 16, "one trailing newline is not part of the key");
	eesp_secure_free(k.key, IKED_PSK_MAX);
	cr_assert_eq(psk_parse("0x00112233445566778899aabbccddeeff", 34, &k, err, sizeof(err)), 0);
	cr_assert_eq(k.len, 16);
	cr_assert_eq(k.key[15], 0xff);
	eesp_secure_free(k.key, IKED_PSK_MAX);
	cr_assert_neq(psk_parse("0x0011zz", 8, &k, err, sizeof(err)), 0);
	cr_assert_neq(psk_parse("two\nlines-of-a-long-secret\n", 28, &k, err, sizeof(err)), 0);
	cr_assert(strstr(err, "more than one line"), "%s", err);
}

Test(iked_conf, identities_round_trip)
{
	struct iked_id id;
	char out[600];
	cr_assert_eq(iked_id_parse("fqdn:gw.example", &id), 0);
	iked_id_format(&id, out, sizeof(out));
	cr_assert_str_eq(out, "fqdn:gw.example");
	cr_assert_eq(iked_id_parse("keyid:0x6565737031", &id), 0);
	cr_assert_eq(id.type, IKE_ID_KEY_ID);
	iked_id_format(&id, out, sizeof(out));
	cr_assert_str_eq(out, "keyid:6565737031");
	cr_assert_neq(iked_id_parse("", &id), 0);
	cr_assert_neq(iked_id_parse("keyid:", &id), 0);
	cr_assert_neq(iked_id_parse("fqdn:a\tb", &id), 0);
}

Test(ikedctl, parse_and_format)
{
	struct iked_ctl_req r;
	char err[128], line[300];
	cr_assert_eq(iked_ctl_parse("show json\n", 10, &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, IKED_CTL_SHOW);
	cr_assert(r.json);
	cr_assert_eq(iked_ctl_parse("initiate gw-2.x", 15, &r, err, sizeof(err)), 0);
	cr_assert_str_eq(r.peer, "gw-2.x");
	cr_assert(iked_ctl_verb_is_admin(r.verb));
	cr_assert(!iked_ctl_verb_is_admin(IKED_CTL_COUNTERS));
	cr_assert_eq(iked_ctl_format(&r, line, sizeof(line)), 16);
	cr_assert_str_eq(line, "initiate gw-2.x\n");
	cr_assert_neq(iked_ctl_parse("initiate", 8, &r, err, sizeof(err)), 0);
	cr_assert_neq(iked_ctl_parse("initiate a/b", 12, &r, err, sizeof(err)), 0);
	cr_assert_neq(iked_ctl_parse("terminate a b", 13, &r, err, sizeof(err)), 0);
	cr_assert_neq(iked_ctl_parse("status xml", 10, &r, err, sizeof(err)), 0);
	cr_assert_neq(iked_ctl_parse(" status", 7, &r, err, sizeof(err)), 0);
	cr_assert_neq(iked_ctl_parse("stat\x01", 5, &r, err, sizeof(err)), 0);
	cr_assert_neq(iked_ctl_parse("reload", 6, &r, err, sizeof(err)), 0);
	cr_assert(strstr(err, "unknown verb 'reload'"), "%s", err);
}
