/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_keydir.c - a key directory's files into a keyset (keydir.h): the
 * rings it builds, and every refusal naming the file.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "keydir.h"
#include "keys.h"

#define K1 "1111111111111111111111111111111111111111111111111111111111111111"
#define K2 "2222222222222222222222222222222222222222222222222222222222222222"
#define K3 "3333333333333333333333333333333333333333333333333333333333333333"
#define KBAD "g333333333333333333333333333333333333333333333333333333333333333"

static struct eesp_keyset *KS;
static struct eesp_keyfile_error E;

static void setup(void)
{
	KS = eesp_keyset_new();
	cr_assert_not_null(KS);
	memset(&E, 0, sizeof(E));
}
static void teardown(void)
{
	eesp_keyset_free(KS);
}
TestSuite(keydir, .init = setup, .fini = teardown);

#define F(n, t)                                                                                    \
	{                                                                                          \
		.name = (n), .text = (t), .len = sizeof(t) - 1                                     \
	}

static int parse(const struct eesp_keydir_file *f, size_t n)
{
	return eesp_keydir_parse(KS, f, n, &E);
}

static const struct eesp_root_gen *slot(const struct eesp_ring *r, enum eesp_gen_slot s)
{
	return r->gen[s].present ? &r->gen[s] : NULL;
}

Test(keydir, domain_ring_prev_cur_next)
{
	const struct eesp_keydir_file f[] = {
	    F("generation", "7\n"), F("prev", K1 "\n"), F("cur", "  " K2 "\r\n"),
	    F("next", K3),	    F("..data", ""),	F("..2026_12_06_22_00_00.1", "")};
	cr_assert_eq(parse(f, 6), 0, "%s", E.msg);
	const struct eesp_ring *r = eesp_keyset_ring(KS, EESP_LEVEL_DOMAIN, 0);
	cr_assert_not_null(r);
	cr_assert_eq(slot(r, EESP_GEN_PREVIOUS)->generation, 6);
	cr_assert_eq(slot(r, EESP_GEN_CURRENT)->generation, 7);
	cr_assert_eq(slot(r, EESP_GEN_NEXT)->generation, 8);
	cr_assert_eq(slot(r, EESP_GEN_CURRENT)->key[0], 0x22);
	cr_assert_eq(slot(r, EESP_GEN_NEXT)->key[31], 0x33);
	cr_assert_eq(eesp_ring_current(r)->generation, 7, "next is distributed ahead, not used");
}

Test(keydir, cur_only_and_tenant_group_rings)
{
	const struct eesp_keydir_file f[] = {
	    F("generation", "0"),  F("cur", K1),	   F("tenant-5.generation", "12"),
	    F("tenant-5.cur", K2), F("tenant-5.next", K3), F("group-9.generation", "4294967295"),
	    F("group-9.prev", K3), F("group-9.cur", K1)};
	cr_assert_eq(parse(f, 8), 0, "%s", E.msg);
	const struct eesp_ring *d = eesp_keyset_ring(KS, EESP_LEVEL_DOMAIN, 0);
	const struct eesp_ring *t = eesp_keyset_ring(KS, EESP_LEVEL_TENANT, 5);
	const struct eesp_ring *g = eesp_keyset_ring(KS, EESP_LEVEL_GROUP, 9);
	cr_assert(d && t && g);
	cr_assert_eq(eesp_ring_current(d)->generation, 0);
	cr_assert_null(slot(d, EESP_GEN_PREVIOUS));
	cr_assert_eq(eesp_ring_current(t)->generation, 12);
	cr_assert_eq(slot(t, EESP_GEN_NEXT)->generation, 13);
	cr_assert_eq(eesp_ring_current(g)->generation, 4294967295u);
	cr_assert_eq(slot(g, EESP_GEN_PREVIOUS)->generation, 4294967294u);
}

struct refusal {
	const char *what;
	struct eesp_keydir_file f[4];
	size_t n;
	const char *msg; /* expected in E.msg */
};

static const struct refusal refusals[] = {
    {"no cur", {F("generation", "1"), F("prev", K1)}, 2, "cur missing"},
    {"no generation", {F("cur", K1)}, 1, "generation missing"},
    {"tenant ring without cur",
     {F("generation", "1"), F("cur", K1), F("tenant-3.generation", "1")},
     3,
     "tenant-3.cur missing"},
    {"short key", {F("generation", "1"), F("cur", "abcd")}, 2, "cur: a root key is 64 hex"},
    {"bad hex", {F("generation", "1"), F("cur", KBAD)}, 2, "cur: not a hex digit at offset 0"},
    {"hex generation", {F("generation", "0x10"), F("cur", K1)}, 2, "generation: not a generation"},
    {"negative generation", {F("generation", "-1"), F("cur", K1)}, 2, "generation: not a"},
    {"generation too large", {F("generation", "4294967296"), F("cur", K1)}, 2, "generation: not a"},
    {"empty generation", {F("generation", "\n"), F("cur", K1)}, 2, "generation: not a"},
    {"prev of generation 0",
     {F("generation", "0"), F("cur", K1), F("prev", K2)},
     3,
     "prev: generation 0 has no previous"},
    {"next after the last",
     {F("generation", "4294967295"), F("cur", K1), F("next", K2)},
     3,
     "next: generation 4294967295 is the last"},
    {"unknown file",
     {F("generation", "1"), F("cur", K1), F("current", K2)},
     3,
     "current: not a key directory file"},
    {"tenant id 0",
     {F("generation", "1"), F("cur", K1), F("tenant-0.cur", K2)},
     3,
     "tenant-0.cur: not a key directory file"},
    {"two keys in cur", {F("generation", "1"), F("cur", K1 "\n" K2)}, 2, "cur: a root key is 64"},
    {"empty directory", {F("..data", "")}, 1, "no key files"},
};

Test(keydir, refusals_name_the_file)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		eesp_keyset_free(KS);
		KS = eesp_keyset_new();
		cr_assert_neq(parse(r->f, r->n), 0, "%s: accepted", r->what);
		cr_expect(strstr(E.msg, r->msg) != NULL, "%s: message '%s' lacks '%s'", r->what,
			  E.msg, r->msg);
		cr_expect_eq(E.line, 0u, "%s", r->what);
	}
}

Test(keydir, size_limit)
{
	const struct eesp_keydir_file big[] = {F("generation", "1"), F("cur", K1 "          ")};
	cr_assert_eq(parse(big, 2), 0, "trailing blanks are white space: %s", E.msg);
	char huge[EESP_KEYDIR_MAX_FILE + 2];
	memset(huge, ' ', sizeof(huge));
	const struct eesp_keydir_file f[] = {F("generation", "1"),
					     {.name = "cur", .text = huge, .len = sizeof(huge)}};
	eesp_keyset_free(KS);
	KS = eesp_keyset_new();
	cr_assert_neq(parse(f, 2), 0);
	cr_expect(strstr(E.msg, "cur: larger than") != NULL, "%s", E.msg);
}

/* eesp_keydir_format collects files here */
struct collected {
	unsigned n;
	char name[16][64];
	char text[16][80];
	size_t len[16];
	struct eesp_keydir_file f[16];
};

static int collect(void *arg, const char *name, const char *text, size_t len)
{
	struct collected *c = arg;
	cr_assert_lt(c->n, 16u);
	cr_assert_lt(len, sizeof(c->text[0]));
	snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
	memcpy(c->text[c->n], text, len);
	c->len[c->n] = len;
	c->f[c->n] = (struct eesp_keydir_file){c->name[c->n], c->text[c->n], len};
	c->n++;
	return 0;
}

Test(keydir, format_round_trip)
{
	const char *kf = "domain 0 6 " K1 "\ndomain 0 7 " K2 "\ndomain 0 8 " K3 " next\n"
			 "tenant 5 1 " K3 "\n";
	struct eesp_keyset *other = eesp_keyset_new();
	struct collected c = {0};
	cr_assert_eq(eesp_keyfile_parse(KS, kf, strlen(kf), &E), 0, "%s", E.msg);
	cr_assert_eq(eesp_keydir_format(KS, collect, &c, &E), 0, "%s", E.msg);
	cr_assert_eq(c.n, 6u, "generation+prev+cur+next, tenant generation+cur");
	cr_assert_eq(eesp_keydir_parse(other, c.f, c.n, &E), 0, "%s", E.msg);
	cr_assert_eq(memcmp(&other->domain, &KS->domain, sizeof(KS->domain)), 0);
	const struct eesp_ring *t = eesp_keyset_ring(other, EESP_LEVEL_TENANT, 5);
	cr_assert_not_null(t);
	cr_assert_eq(eesp_ring_current(t)->generation, 1);
	eesp_keyset_free(other);
}

Test(keydir, format_refuses_gaps)
{
	const char *kf = "domain 0 3 " K1 "\ndomain 0 5 " K2 "\n";
	struct collected c = {0};
	cr_assert_eq(eesp_keyfile_parse(KS, kf, strlen(kf), &E), 0, "%s", E.msg);
	cr_assert_neq(eesp_keydir_format(KS, collect, &c, &E), 0);
	cr_expect(strstr(E.msg, "not consecutive") != NULL, "%s", E.msg);
}
