/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ctlsa.c - the sa-* control verbs' grammar (src/core/ctlsa.c): the
 * accepted forms with their fields, every rejection with its message (and
 * none quoting a key), the canonical format round trip, and that a refused
 * request keeps no key material.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"

#define K16 "00112233445566778899aabbccddeeff"
#define K32 K16 "f0e1d2c3b4a5968778695a4b3c2d1e0f"

static int parse(const char *s, struct eesp_ctl_req *r, char *err, size_t el)
{
	return eesp_ctl_parse(s, strlen(s), r, err, el);
}

static void ok(const char *s, struct eesp_ctl_req *r)
{
	char err[160] = "";
	cr_assert_eq(parse(s, r, err, sizeof(err)), 0, "'%s' refused: %s", s, err);
}

Test(ctlsa, rx_alloc)
{
	struct eesp_ctl_req r;
	ok("sa-rx-alloc client1\n", &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_RX_ALLOC);
	cr_assert_str_eq(r.peer, "client1");
	cr_assert_eq(r.version, -1);
	cr_assert(!r.eesp && !r.json);
	ok("sa-rx-alloc client1 psp-version 3 json", &r);
	cr_assert_eq(r.version, 3);
	cr_assert(r.json);
	ok("sa-rx-alloc n2 eesp", &r);
	cr_assert(r.eesp);
	/* the name comes first: a peer may be called json */
	ok("sa-rx-alloc json", &r);
	cr_assert_str_eq(r.peer, "json");
	cr_assert(!r.json);
	ok("sa-tx-alloc n2 json", &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_TX_ALLOC);
	cr_assert_str_eq(r.peer, "n2");
	cr_assert(r.json);
}

Test(ctlsa, tx_set_and_rx_set)
{
	struct eesp_ctl_req r;
	static const unsigned char k16[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
					      0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
	ok("sa-tx-set n1 0x80000042 " K16, &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_TX_SET);
	cr_assert_eq(r.spi, 0x80000042u);
	cr_assert_eq(r.key_len, 16);
	cr_assert_eq(memcmp(r.key, k16, 16), 0);
	cr_assert_eq(r.version, -1);
	cr_assert_eq(r.phase, -1);
	cr_assert(!r.has_salt && !r.has_epoch);
	ok("sa-tx-set n1 0x00000001 " K32 " version 1 json", &r);
	cr_assert_eq(r.key_len, 32);
	cr_assert_eq(r.version, 1);
	cr_assert(r.json);
	ok("sa-tx-set srv 0x00001000 " K32 " salt 0a0b0c0d phase 2 epoch 4294967295", &r);
	cr_assert(r.has_salt);
	cr_assert_eq(r.salt[0], 0x0a);
	cr_assert_eq(r.salt[3], 0x0d);
	cr_assert_eq(r.phase, 2);
	cr_assert(r.has_epoch);
	cr_assert_eq(r.epoch, 4294967295u);
	ok("sa-rx-set srv 0x00001001 " K32 " salt 01020304", &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_RX_SET);
	cr_assert(r.has_salt);
}

Test(ctlsa, release_list_wait)
{
	struct eesp_ctl_req r;
	ok("sa-release n2", &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_RELEASE);
	cr_assert_eq(r.spi, 0);
	ok("sa-release n2 0x0000abcd json", &r);
	cr_assert_eq(r.spi, 0xabcd);
	cr_assert(r.json);
	ok("sa-list", &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_LIST);
	ok("sa-list json", &r);
	cr_assert(r.json);
	ok("sa-wait 0", &r);
	cr_assert_eq(r.verb, EESP_CTL_SA_WAIT);
	cr_assert_eq(r.serial, 0);
	cr_assert_eq(r.wait_s, 0);
	ok("sa-wait 18446744073709551615 300 json", &r);
	cr_assert_eq(r.serial, UINT64_MAX);
	cr_assert_eq(r.wait_s, 300);
	cr_assert(r.json);
}

static void rejects(const char *line, const char *msg_part)
{
	struct eesp_ctl_req r;
	char err[160] = "";
	cr_assert_eq(parse(line, &r, err, sizeof(err)), -1, "accepted '%s'", line);
	cr_assert(strstr(err, msg_part), "'%s': message '%s' lacks '%s'", line, err, msg_part);
	/* a key or salt in the line never shows in the message */
	cr_assert_null(strstr(err, "0011223344"), "'%s': the message quotes the key: %s", line,
		       err);
	cr_assert_null(strstr(err, "0a0b0c0d"), "'%s': the message quotes the salt: %s", line, err);
	/* nor stays in the request */
	static const unsigned char zero[32];
	cr_assert_eq(memcmp(r.key, zero, sizeof(r.key)), 0, "'%s': key bytes kept", line);
	cr_assert_eq(memcmp(r.salt, zero, sizeof(r.salt)), 0, "'%s': salt bytes kept", line);
}

Test(ctlsa, rejects)
{
	rejects("sa-rx-alloc", "usage: sa-rx-alloc");
	rejects("sa-rx-alloc n psp-version 4", "bad psp-version");
	rejects("sa-rx-alloc n psp-version", "needs a value");
	rejects("sa-rx-alloc n eesp psp-version 1", "unexpected argument");
	rejects("sa-rx-alloc n json json", "unexpected argument");
	rejects("sa-rx-alloc 0123456789012345678901234567890123456789012345678901234567890123",
		"peer name longer than 63");
	rejects("sa-tx-alloc", "usage: sa-tx-alloc");
	rejects("sa-tx-set n 0x00000001", "usage: sa-tx-set");
	rejects("sa-tx-set n 1 " K16, "bad SPI");
	rejects("sa-tx-set n 0x1 " K16, "bad SPI");
	rejects("sa-tx-set n 0x0000000A " K16, "bad SPI");
	rejects("sa-tx-set n 0x00000000 " K16, "reserved");
	/* a key where the SPI belongs is not quoted */
	rejects("sa-tx-set n " K16 " 0x00000001", "bad SPI");
	rejects("sa-tx-set n 0x00000001 " K16 "00", "bad key (34 characters");
	rejects("sa-tx-set n 0x00000001 0011223344556677", "bad key");
	rejects("sa-tx-set n 0x00000001 " K16 "ABCDEF0123456789ABCDEF0123456789", "bad key");
	rejects("sa-tx-set n 0x00000001 " K16 " version 4", "bad version");
	rejects("sa-tx-set n 0x00000001 " K16 " salt 0a0b0c", "bad salt");
	rejects("sa-tx-set n 0x00000001 " K16 " salt 0a0b0c0d phase 4", "bad phase");
	rejects("sa-tx-set n 0x00000001 " K16 " epoch 4294967296", "bad epoch");
	/* the optional words in their order only (one spelling per request) */
	rejects("sa-tx-set n 0x00000001 " K16 " salt 0a0b0c0d version 1", "unexpected argument");
	rejects("sa-tx-set n 0x00000001 " K16 " epoch 1 phase 1", "unexpected argument");
	rejects("sa-tx-set n 0x00000001 " K16 " salt 0a0b0c0d bogus", "unexpected argument");
	rejects("sa-rx-set n 0x00000001 " K16, "usage: sa-rx-set");
	rejects("sa-rx-set n 0x00000001 " K16 " version 1 salt 0a0b0c0d", "usage: sa-rx-set");
	rejects("sa-release", "usage: sa-release");
	rejects("sa-release n 42", "bad SPI");
	rejects("sa-release n 0x00000001 0x00000002", "unexpected argument");
	rejects("sa-list now", "unexpected argument");
	rejects("sa-wait", "usage: sa-wait");
	rejects("sa-wait json", "usage: sa-wait");
	rejects("sa-wait 01", "bad serial");
	rejects("sa-wait 18446744073709551616", "bad serial");
	rejects("sa-wait 1 0", "bad seconds");
	rejects("sa-wait 1 301", "bad seconds");
}

/* Every accepted request has one spelling: format(parse(line)) == line. */
Test(ctlsa, canonical_round_trip)
{
	static const char *const lines[] = {
	    "sa-rx-alloc c1\n",
	    "sa-rx-alloc c1 psp-version 0\n",
	    "sa-rx-alloc c1 eesp json\n",
	    "sa-tx-alloc c1\n",
	    "sa-tx-set c1 0x80000001 " K16 "\n",
	    "sa-tx-set c1 0x80000001 " K32 " version 1 json\n",
	    "sa-tx-set c1 0x00001001 " K32 " salt 0a0b0c0d phase 3 epoch 7\n",
	    "sa-tx-set c1 0x00001001 " K32 " salt 0a0b0c0d epoch 0\n",
	    "sa-rx-set c1 0x00001002 " K32 " salt 0a0b0c0d json\n",
	    "sa-release c1\n",
	    "sa-release c1 0x00001002\n",
	    "sa-list json\n",
	    "sa-wait 12\n",
	    "sa-wait 12 5 json\n",
	};
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct eesp_ctl_req r, back;
		char out[EESP_CTL_MAX_LINE + 1], err[160];
		ok(lines[i], &r);
		size_t n = eesp_ctl_format(&r, out, sizeof(out));
		cr_assert_eq(n, strlen(lines[i]), "'%s' formats as '%s'", lines[i], out);
		cr_assert_str_eq(out, lines[i]);
		cr_assert_eq(eesp_ctl_parse(out, n, &back, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(memcmp(&back, &r, sizeof(r)), 0, "'%s' parses differently", out);
		/* too small a buffer: nothing, and no half-written key */
		memset(out, 'x', sizeof(out));
		cr_assert_eq(eesp_ctl_format(&r, out, n), 0);
		cr_assert_null(memchr(out, '0', n), "a short format left '%.*s'", (int)n, out);
	}
}

Test(ctlsa, format_refuses_what_cannot_parse)
{
	struct eesp_ctl_req r;
	char out[EESP_CTL_MAX_LINE + 1];
	memset(&r, 0, sizeof(r));
	r.verb = EESP_CTL_SA_TX_SET;
	r.version = r.phase = -1;
	strcpy(r.peer, "c1");
	r.spi = 1;
	r.key_len = 16;
	cr_assert_gt(eesp_ctl_format(&r, out, sizeof(out)), 0);
	r.key_len = 20; /* no such key */
	cr_assert_eq(eesp_ctl_format(&r, out, sizeof(out)), 0);
	r.key_len = 16;
	r.spi = 0;
	cr_assert_eq(eesp_ctl_format(&r, out, sizeof(out)), 0);
	r.spi = 1;
	strcpy(r.peer, "two words");
	cr_assert_eq(eesp_ctl_format(&r, out, sizeof(out)), 0);
	r.peer[0] = 0;
	cr_assert_eq(eesp_ctl_format(&r, out, sizeof(out)), 0);
	r.verb = EESP_CTL_SA_RX_SET;
	strcpy(r.peer, "c1");
	cr_assert_eq(eesp_ctl_format(&r, out, sizeof(out)), 0, "sa-rx-set without a salt");
	r.verb = EESP_CTL_SA_WAIT;
	r.wait_s = EESP_CTL_WAIT_MAX + 1;
	cr_assert_eq(eesp_ctl_format(&r, out, sizeof(out)), 0);
}
