/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ctlproto.c - control-protocol request lines: accepted forms, every
 * rejection with its message, and format -> parse round trips.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ctlproto.h"
#include "eesp_proto.h"

static int parse(const char *s, struct eesp_ctl_req *r, char *err, size_t el)
{
	return eesp_ctl_parse(s, strlen(s), r, err, el);
}

Test(ctlproto, accepts)
{
	struct eesp_ctl_req r;
	char err[128];

	cr_assert_eq(parse("status\n", &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.verb, EESP_CTL_STATUS);
	cr_assert_eq(parse("status", &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(parse("reload\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_RELOAD);
	cr_assert_eq(parse("show\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_SHOW);
	cr_assert(!r.json);
	cr_assert_eq(parse("show json\n", &r, err, sizeof(err)), 0);
	cr_assert(r.json);
	cr_assert_eq(parse("counters json", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_COUNTERS);
	cr_assert(r.json);
	cr_assert_eq(parse("keys\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_KEYS);
	cr_assert_eq(parse("rotate domain 0\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_ROTATE);
	cr_assert_eq(r.level, EESP_LEVEL_DOMAIN);
	cr_assert_eq(r.id, 0);
	cr_assert_eq(parse("rotate tenant 4294967295\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.level, EESP_LEVEL_TENANT);
	cr_assert_eq(r.id, 4294967295u);
	cr_assert_eq(parse("retire group 42\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_RETIRE);
	cr_assert_eq(r.level, EESP_LEVEL_GROUP);
	cr_assert_eq(r.id, 42);
	cr_assert_eq(parse("spi-alloc\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.verb, EESP_CTL_SPI_ALLOC);
	cr_assert_eq(r.version, -1, "no argument: the daemon's configured version");
	cr_assert_eq(parse("spi-alloc 1\n", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.version, 1);
	cr_assert_eq(parse("spi-alloc 0", &r, err, sizeof(err)), 0);
	cr_assert_eq(r.version, 0);
}

static void rejects(const char *line, size_t len, const char *msg_part)
{
	struct eesp_ctl_req r;
	char err[128] = "";

	cr_assert_eq(eesp_ctl_parse(line, len, &r, err, sizeof(err)), -1, "accepted '%.*s'",
		     (int)len, line);
	cr_assert(strstr(err, msg_part), "'%.*s': message '%s' lacks '%s'", (int)len, line, err,
		  msg_part);
}

#define REJ(s, m) rejects(s, strlen(s), m)

Test(ctlproto, rejects)
{
	char big[EESP_CTL_MAX_LINE + 2];

	REJ("", "empty");
	REJ("\n", "empty");
	REJ("foo\n", "unknown verb 'foo'");
	REJ("STATUS\n", "unknown verb");
	REJ("status now\n", "no arguments");
	REJ("reload x\n", "no arguments");
	REJ("show yaml\n", "unknown argument 'yaml'");
	REJ("show json json\n", "at most one");
	REJ("keys JSON\n", "unknown argument");
	REJ("rotate\n", "usage: rotate");
	REJ("rotate domain\n", "usage: rotate");
	REJ("rotate domain 1 2\n", "usage: rotate");
	REJ("retire node 1\n", "bad level 'node'");
	REJ("rotate Tenant 1\n", "bad level");
	REJ("rotate tenant 4294967296\n", "bad id");
	REJ("rotate tenant 99999999999\n", "bad id");
	REJ("rotate tenant -1\n", "bad id");
	REJ("rotate tenant +1\n", "bad id");
	REJ("rotate tenant 01\n", "bad id");
	REJ("rotate tenant 0x10\n", "bad id");
	REJ("spi-alloc 4\n", "bad PSP version '4'");
	REJ("spi-alloc 02\n", "bad PSP version '02'");
	REJ("spi-alloc -1\n", "bad PSP version '-1'");
	REJ("spi-alloc 0 1\n", "at most one");
	REJ("metrics json\n", "metrics takes no arguments");
	REJ(" status\n", "space");
	REJ("status \n", "space");
	REJ("show  json\n", "double space");
	REJ("show\tjson\n", "non-printable byte 0x09");
	REJ("status\r\n", "non-printable byte 0x0d");
	REJ("status\n\n", "non-printable byte 0x0a");
	REJ("st\xc3\xa4tus\n", "non-printable byte 0xc3");
	rejects("status\0x\n", 9, "non-printable byte 0x00");
	REJ("rotate a b c d e f g h i j k l m\n", "too many"); /* 12 arguments at most */
	/* at most EESP_CTL_MAX_LINE bytes including the newline */
	memset(big, 'a', sizeof(big));
	big[EESP_CTL_MAX_LINE - 1] = '\n';
	rejects(big, EESP_CTL_MAX_LINE, "unknown verb");
	big[EESP_CTL_MAX_LINE] = '\n';
	rejects(big, EESP_CTL_MAX_LINE + 1, "line too long");
	/* a NULL or zero-length error buffer is fine */
	{
		struct eesp_ctl_req r;

		cr_assert_eq(eesp_ctl_parse("bogus", 5, &r, NULL, 0), -1);
	}
}

Test(ctlproto, format_round_trip)
{
	static const struct eesp_ctl_req reqs[] = {
	    {.verb = EESP_CTL_STATUS},
	    {.verb = EESP_CTL_SHOW},
	    {.verb = EESP_CTL_SHOW, .json = true},
	    {.verb = EESP_CTL_COUNTERS, .json = true},
	    {.verb = EESP_CTL_KEYS},
	    {.verb = EESP_CTL_RELOAD},
	    {.verb = EESP_CTL_ROTATE, .level = EESP_LEVEL_DOMAIN, .id = 7},
	    {.verb = EESP_CTL_ROTATE, .level = EESP_LEVEL_TENANT, .id = 4294967295u},
	    {.verb = EESP_CTL_RETIRE, .level = EESP_LEVEL_GROUP, .id = 0},
	    {.verb = EESP_CTL_SPI_ALLOC, .version = 0},
	    {.verb = EESP_CTL_SPI_ALLOC, .version = 1},
	    {.verb = EESP_CTL_METRICS},
	};
	static const char *const lines[] = {
	    "status\n",		"show\n",	 "show json\n",	      "counters json\n",
	    "keys\n",		"reload\n",	 "rotate domain 7\n", "rotate tenant 4294967295\n",
	    "retire group 0\n", "spi-alloc 0\n", "spi-alloc 1\n",     "metrics\n",
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		char out[EESP_CTL_MAX_LINE], err[128];
		struct eesp_ctl_req back;
		size_t n = eesp_ctl_format(&reqs[i], out, sizeof(out));

		cr_assert_eq(n, strlen(lines[i]), "case %zu", i);
		cr_assert_str_eq(out, lines[i]);
		cr_assert_eq(eesp_ctl_parse(out, n, &back, err, sizeof(err)), 0, "%s", err);
		cr_assert_eq(back.verb, reqs[i].verb);
		cr_assert_eq(back.json, reqs[i].json);
		cr_assert_eq(back.level, reqs[i].level);
		cr_assert_eq(back.id, reqs[i].id);
		cr_assert_eq(back.version, reqs[i].version);
		/* too small a buffer: nothing */
		cr_assert_eq(eesp_ctl_format(&reqs[i], out, n), 0);
	}
	{
		struct eesp_ctl_req bad = {.verb = EESP_CTL_ROTATE, .level = 3};
		char out[64];

		cr_assert_eq(eesp_ctl_format(&bad, out, sizeof(out)), 0);
		bad.verb = EESP_CTL_SPI_ALLOC;
		bad.version = 4; /* PSP versions are 0..3 */
		cr_assert_eq(eesp_ctl_format(&bad, out, sizeof(out)), 0);
		bad.version = -2; /* -1 is "none given": the line without a version */
		cr_assert_eq(eesp_ctl_format(&bad, out, sizeof(out)), 0);
		bad.version = -1;
		cr_assert_eq(eesp_ctl_format(&bad, out, sizeof(out)), strlen("spi-alloc\n"));
		cr_assert_str_eq(out, "spi-alloc\n");
		bad.verb = (enum eesp_ctl_verb)99;
		cr_assert_eq(eesp_ctl_format(&bad, out, sizeof(out)), 0);
	}
}

/* A request line naming verb v with the arguments it needs. */
static void sample_line(int v, const char *name, char *line, size_t cap)
{
	const char *args = "";
	switch (v) {
	case EESP_CTL_ROTATE:
	case EESP_CTL_RETIRE:
		args = " domain 0";
		break;
	case EESP_CTL_SA_RX_ALLOC:
	case EESP_CTL_SA_TX_ALLOC:
	case EESP_CTL_SA_RELEASE:
		args = " p";
		break;
	case EESP_CTL_SA_TX_SET:
		args = " p 0x00000001 00112233445566778899aabbccddeeff";
		break;
	case EESP_CTL_SA_RX_SET:
		args = " p 0x00000001 00112233445566778899aabbccddeeff salt 01020304";
		break;
	case EESP_CTL_SA_WAIT:
		args = " 1";
		break;
	case EESP_CTL_ROOT_SET:
		args = " domain 0 "
		       "cur=1:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
		break;
	}
	snprintf(line, cap, "%s%s", name, args);
}

/* Finding 9 (issue 14): every verb has exactly one permission class, and the
 * verbs that change keys, reload or hand out client keys are admin; the
 * runtime-SA verbs are sa. */
Test(ctlproto, every_verb_has_one_class)
{
	unsigned n_read = 0, n_admin = 0, n_sa = 0;

	for (int v = 0; v < EESP_CTL__COUNT; v++) {
		const char *name = eesp_ctl_verb_name((enum eesp_ctl_verb)v);
		int cls = eesp_ctl_verb_class((enum eesp_ctl_verb)v);
		struct eesp_ctl_req r;
		char err[128];

		cr_assert_not_null(name, "verb %d has no entry in the verb table", v);
		cr_assert(cls == EESP_CTL_CLASS_READ || cls == EESP_CTL_CLASS_ADMIN ||
			      cls == EESP_CTL_CLASS_SA,
			  "verb %s has class %d", name, cls);
		cr_assert_not_null(eesp_ctl_class_name(cls));
		/* the table entry is the one the parser finds for that name */
		char line[128];
		sample_line(v, name, line, sizeof(line));
		cr_assert_eq(eesp_ctl_parse(line, strlen(line), &r, err, sizeof(err)), 0, "%s: %s",
			     line, err);
		cr_assert_eq(r.verb, (enum eesp_ctl_verb)v, "%s parses to %d", line, r.verb);
		n_read += cls == EESP_CTL_CLASS_READ;
		n_admin += cls == EESP_CTL_CLASS_ADMIN;
		n_sa += cls == EESP_CTL_CLASS_SA;
		/* the sa verbs are exactly the sa-* names and root-set */
		cr_assert_eq(cls == EESP_CTL_CLASS_SA,
			     strncmp(name, "sa-", 3) == 0 || strcmp(name, "root-set") == 0, "%s",
			     name);
	}
	cr_assert_eq(n_read + n_admin + n_sa, EESP_CTL__COUNT);
	cr_assert_eq(n_sa, 8);
	cr_assert_eq(eesp_ctl_verb_class(EESP_CTL__COUNT), -1);
	cr_assert_null(eesp_ctl_verb_name(EESP_CTL__COUNT));
	cr_assert_null(eesp_ctl_class_name(7));
}

Test(ctlproto, admin_verbs)
{
	static const enum eesp_ctl_verb admin[] = {EESP_CTL_RELOAD, EESP_CTL_ROTATE,
						   EESP_CTL_RETIRE, EESP_CTL_SPI_ALLOC};
	static const enum eesp_ctl_verb rd[] = {EESP_CTL_STATUS, EESP_CTL_SHOW, EESP_CTL_COUNTERS,
						EESP_CTL_KEYS, EESP_CTL_METRICS};
	for (size_t i = 0; i < sizeof(admin) / sizeof(admin[0]); i++)
		cr_assert_eq(eesp_ctl_verb_class(admin[i]), EESP_CTL_CLASS_ADMIN, "%s",
			     eesp_ctl_verb_name(admin[i]));
	for (size_t i = 0; i < sizeof(rd) / sizeof(rd[0]); i++)
		cr_assert_eq(eesp_ctl_verb_class(rd[i]), EESP_CTL_CLASS_READ, "%s",
			     eesp_ctl_verb_name(rd[i]));
	cr_assert_str_eq(eesp_ctl_class_name(EESP_CTL_CLASS_ADMIN), "admin");
	cr_assert_str_eq(eesp_ctl_class_name(EESP_CTL_CLASS_READ), "read");
	cr_assert_str_eq(eesp_ctl_class_name(EESP_CTL_CLASS_SA), "sa");
}
