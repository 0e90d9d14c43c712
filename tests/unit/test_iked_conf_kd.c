/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iked_conf_kd.c - the peers' psp and eesp groups of eesp-iked.conf
 * (conf_kd.c): defaults, the daemon's eespd_socket as fallback, and each
 * refusal with file:line and the setting.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "iked_confenv.h"
#include "psk.h"

#define HEAD "daemon: { %s };\nike: { local_id = \"gw1.example\"; };\n"
#define PEER_OPEN                                                                                  \
	"peers = ( { name = \"gw2\"; address = \"198.51.100.2\"; remote_id = \"gw2.example\";"     \
	" psk_file = \"p/text:0123456789abcdef\";\n"

static int parse(const char *daemon, const char *peer_extra, struct iked_conf *c, char *err,
		 size_t el)
{
	char text[2048];
	snprintf(text, sizeof(text), HEAD PEER_OPEN "%s } );\n", daemon, peer_extra);
	return iked_conf_parse("/etc/x/eesp-iked.conf", text, &iked_test_env, c, err, el);
}

Test(iked_conf_kd, psp_defaults_and_fallback_socket)
{
	struct iked_conf c;
	char err[512];
	cr_assert_eq(
	    parse("eespd_socket = \"/run/eespd/psp0.sock\";", "psp = { };", &c, err, sizeof(err)),
	    0, "%s", err);
	const struct iked_kd_conf *k = &c.peers[0].kd;
	cr_assert(k->on && k->kind == IKED_KD_PSP);
	cr_assert_str_eq(k->eespd_socket, "/run/eespd/psp0.sock");
	cr_assert_str_eq(k->eespd_peer, "gw2", "eespd_peer defaults to the peer's name");
	cr_assert_eq(k->n_versions, 2);
	cr_assert(k->versions[0] == 1 && k->versions[1] == 0);
	cr_assert_eq(k->poll_ms, 1000);
	iked_conf_free(&c);
	cr_assert_eq(parse("",
			   "psp = { eespd_socket = \"s/ctl.sock\"; eespd_peer = \"n2\"; "
			   "versions = [ 0 ]; key_poll_ms = 100; };",
			   &c, err, sizeof(err)),
		     0, "%s", err);
	k = &c.peers[0].kd;
	cr_assert_str_eq(k->eespd_socket, "/etc/x/s/ctl.sock", "relative to the config");
	cr_assert_str_eq(k->eespd_peer, "n2");
	cr_assert(k->n_versions == 1 && k->versions[0] == 0);
	iked_conf_free(&c);
	cr_assert_eq(parse("", "", &c, err, sizeof(err)), 0, "%s", err);
	cr_assert(!c.peers[0].kd.on, "no group: no key download");
	iked_conf_free(&c);
}

Test(iked_conf_kd, eesp_role)
{
	struct iked_conf c;
	char err[512];
	cr_assert_eq(parse("", "eesp = { eespd_socket = \"/s\"; role = \"client\"; };", &c, err,
			   sizeof(err)),
		     0, "%s", err);
	cr_assert(c.peers[0].kd.on && c.peers[0].kd.kind == IKED_KD_EESP &&
		  !c.peers[0].kd.key_holder);
	iked_conf_free(&c);
	cr_assert_eq(parse("", "eesp = { eespd_socket = \"/s\"; role = \"key_holder\"; };", &c, err,
			   sizeof(err)),
		     0, "%s", err);
	cr_assert(c.peers[0].kd.key_holder);
	iked_conf_free(&c);
}

static void refused(const char *daemon, const char *extra, const char *want)
{
	struct iked_conf c;
	char err[512];
	cr_assert_neq(parse(daemon, extra, &c, err, sizeof(err)), 0, "accepted: %s", extra);
	cr_assert(strstr(err, want), "wanted '%s', got '%s'", want, err);
	cr_assert_null(c.peers, "nothing left allocated");
}

Test(iked_conf_kd, refusals)
{
	refused("", "psp = { };", "eesp-iked.conf:4: peer gw2: psp: no eespd_socket");
	refused("", "psp = 1;", "eesp-iked.conf:4: peer gw2: psp must be a group");
	refused("", "psp = { eespd_socket = \"/s\"; versions = [ 4 ]; };",
		"eesp-iked.conf:4: peer gw2: psp.versions: PSP versions are 0-3");
	refused("", "psp = { eespd_socket = \"/s\"; versions = [ 1, 1 ]; };",
		"psp.versions: 1 twice");
	refused("", "psp = { eespd_socket = \"/s\"; versions = [ ]; };",
		"psp.versions must be a list of 1 to 4");
	refused("", "psp = { eespd_socket = \"/s\"; key_poll_ms = 10; };",
		"'key_poll_ms' = 10 out of range");
	refused("", "psp = { eespd_socket = \"/s\"; eespd_peer = \"a b\"; };",
		"psp.eespd_peer must not hold blanks");
	refused("", "psp = { eespd_socket = \"/s\"; role = \"client\"; };",
		"unknown setting 'role'");
	refused("", "eesp = { eespd_socket = \"/s\"; };",
		"eesp-iked.conf:4: missing setting 'role'");
	refused("", "eesp = { eespd_socket = \"/s\"; role = \"server\"; };",
		"eesp.role must be \"key_holder\"");
	refused("", "eesp = { eespd_socket = \"/s\"; role = \"client\"; versions = [ 1 ]; };",
		"unknown setting 'versions'");
	refused("",
		"psp = { eespd_socket = \"/s\"; };\n eesp = { eespd_socket = \"/s\"; role = "
		"\"client\"; };",
		"eesp-iked.conf:5: peer gw2: psp and eesp groups both");
}
