/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_keys.c - key file parsing (keyfile.h, keys.c), ring order, rotation,
 * fingerprints, secure memory.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "keyfile.h"
#include "keys.h"
#include "secmem.h"
#include "testhex.h"

#define H(c) c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c /* 64 hex */

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
TestSuite(keys, .init = setup, .fini = teardown);

static int parse(const char *t)
{
	return eesp_keyfile_parse(KS, t, strlen(t), &E);
}

Test(keys, full_file)
{
	const char *t =
	    "# comment\n"
	    "\n"
	    "domain 0xC0FFEE01   # scope\n"
	    "domain 0 7 " H(
		"07") "\n"
		      "domain 0 8 " H(
			  "08") "\r\n"
				"domain 0 9 " H(
				    "09") " next\n"
					  "tenant 5 2 " H(
					      "52") "\n"
						    "\tgroup 0x10 1 " H(
							"91") "\n"
							      "psp 0 " H(
								  "a0") "\n"
									"psp 1 " H(
									    "a1") "\n"
										  "sa eesp 0x1234 "
										  "0011223344556677"
										  "8899aabbccddeeff"
										  " 01020304\n"
										  "sa psp "
										  "0x80000001 " H(
										      "cc") "\n"
											    "sa "
											    "eesp "
											    "4661"
											    " " H(
												"d"
												"d") " a0a0a0a0";
	cr_assert_eq(parse(t), 0, "line %u: %s", E.line, E.msg);
	cr_assert(KS->has_domain_spi);
	cr_assert_eq(KS->domain_spi, 0xC0FFEE01u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_PREVIOUS].generation, 7u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_CURRENT].generation, 8u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_NEXT].generation, 9u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_CURRENT].key[0], 0x08);
	cr_assert_eq(eesp_ring_current(&KS->domain)->generation, 8u);
	cr_assert_eq(eesp_ring_by_phase(&KS->domain, 1)->generation, 9u);
	cr_assert_eq(eesp_ring_by_phase(&KS->domain, 3)->generation, 7u);
	cr_assert_null(eesp_ring_by_phase(&KS->domain, 2));
	cr_assert_eq(KS->n_tenants, 1u);
	cr_assert_eq(eesp_keyset_ring(KS, EESP_LEVEL_TENANT, 5)->gen[EESP_GEN_CURRENT].key[0],
		     0x52);
	cr_assert_null(eesp_keyset_ring(KS, EESP_LEVEL_TENANT, 6));
	cr_assert_not_null(eesp_keyset_ring(KS, EESP_LEVEL_GROUP, 16));
	cr_assert(KS->has_psp[0] && KS->has_psp[1]);
	cr_assert_eq(KS->psp_master[1][31], 0xa1);
	cr_assert_eq(KS->n_sa, 3u);
	const struct eesp_sa_key *s = eesp_keyset_sa(KS, false, 0x1234);
	cr_assert_not_null(s);
	cr_assert_eq(s->key_len, 16);
	cr_assert_eq(s->key[15], 0xff);
	cr_assert_eq(s->salt[3], 0x04);
	cr_assert_eq(eesp_keyset_sa(KS, true, 0x80000001)->key_len, 32);
	cr_assert_null(eesp_keyset_sa(KS, true, 0x1234));
}

Test(keys, order_without_marker)
{
	cr_assert_eq(parse("domain 0 12 " H("0c") "\ndomain 0 11 " H("0b") "\n"), 0, "%s", E.msg);
	cr_assert_eq(KS->domain.gen[EESP_GEN_CURRENT].generation, 12u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_PREVIOUS].generation, 11u);
	cr_assert(!KS->domain.gen[EESP_GEN_NEXT].present);
	/* adding a third later (a second buffer): ascending prev/cur/next */
	cr_assert_eq(parse("domain 0 13 " H("0d") "\n"), 0, "%s", E.msg);
	cr_assert_eq(KS->domain.gen[EESP_GEN_NEXT].generation, 13u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_CURRENT].generation, 12u);
}

Test(keys, two_with_next_marker)
{
	cr_assert_eq(parse("domain 0 4 " H("04") "\ndomain 0 5 " H("05") " next\n"), 0, "%s",
		     E.msg);
	cr_assert_eq(KS->domain.gen[EESP_GEN_CURRENT].generation, 4u);
	cr_assert_eq(KS->domain.gen[EESP_GEN_NEXT].generation, 5u);
	cr_assert(!KS->domain.gen[EESP_GEN_PREVIOUS].present);
}

static void bad(const char *text, unsigned line, const char *needle)
{
	struct eesp_keyset *ks = eesp_keyset_new();
	struct eesp_keyfile_error e;
	cr_assert_neq(eesp_keyfile_parse(ks, text, strlen(text), &e), 0, "accepted: %s", text);
	cr_assert_eq(e.line, line, "line %u (want %u): %s", e.line, line, e.msg);
	cr_assert(strstr(e.msg, needle), "message '%s' lacks '%s'", e.msg, needle);
	eesp_keyset_free(ks);
}

Test(keys, rejections)
{
	bad("domain 0 1 " H("0") "\n", 1, "64 hex");
	bad("\n\ndomain 0 1 abcd\n", 3, "64 hex");
	bad("domain 0 1 " H("0g") "\n", 1, "64 hex");
	bad("realm 0 1 " H("0a") "\n", 1, "unknown entry");
	bad("domain 0 1 " H("0a") " junk\n", 1, "junk");
	bad("domain 0 1 " H("0a") " next extra\n", 1, "junk");
	bad("domain 1 1 " H("0a") "\n", 1, "must be 0");
	bad("domain 0 4294967296 " H("0a") "\n", 1, "generation");
	bad("domain 0 -1 " H("0a") "\n", 1, "generation");
	bad("tenant x 1 " H("0a") "\n", 1, "id");
	bad("domain 0 1 " H("0a") "\ndomain 0 1 " H("01") "\n", 2, "given twice");
	bad("domain 0 1 " H("0a") "\ndomain 0 5 " H("01") "\n", 2, "same phase");
	bad("domain 0 1 " H("0a") "\ndomain 0 2 " H("01") "\ndomain 0 3 " H("02") "\ndomain 0 4 " H(
		"03") "\n",
	    4, "more than three");
	bad("domain 0 1 " H("0a") " next\ndomain 0 2 " H("01") "\n", 1, "not the highest");
	bad("domain 0 1 " H("0a") " next\n", 1, "no current");
	bad("domain 0x0\n", 1, "non-zero");
	bad("domain 5 6\n", 1, "junk");
	bad("domain 0xC0FFEE01\ndomain 0 1 " H("0a") "\ndomain 0xC0FFEE02\ndomain 0 2 " H(
		"01") "\n",
	    4, "second domain");
	/* a scope with no root keys does not claim the keyset */
	cr_assert_eq(parse("domain 0xA\npsp 0 " H("0a") "\ndomain 0xB\ndomain 0 1 " H("0a") "\n"),
		     0, "%s", E.msg);
	cr_assert_eq(KS->domain_spi, 0xBu);
	bad("psp 2 " H("0a") "\n", 1, "0 or 1");
	/* issue 17, item 2: an all-zero root or master key is no secret; a root
	 * key line without its key says so (it said "SPI must be non-zero") */
	bad("# zeros\ndomain 0 1 " H("00") "\n", 2, "all zeros");
	bad("tenant 7 1 " H("00") " next\n", 1, "all zeros");
	bad("psp 1 " H("00") "\n", 1, "all zeros");
	bad("domain 0 1\n", 1, "the key is missing");
	bad("tenant 7 1\n", 1, "the key is missing");
	bad("psp 0 " H("0a") "\npsp 0 " H("0a") "\n", 2, "twice");
	bad("sa eesp 0x1234 00112233445566778899aabbccddeeff 010203\n", 1, "salt");
	bad("sa eesp 0x1234 00112233445566778899aabbccddee 01020304\n", 1, "32 or 64");
	bad("sa psp 0 00112233445566778899aabbccddeeff\n", 1, "non-zero");
	bad("sa psp 1 00112233445566778899aabbccddeeff x\n", 1, "junk");
	bad("sa ah 1 00112233445566778899aabbccddeeff\n", 1, "kind");
	{
		static const char nul[] = "\ndomain 0 1 " H("0a") "\0\n";
		struct eesp_keyset *ks = eesp_keyset_new();
		struct eesp_keyfile_error e;
		cr_assert_neq(eesp_keyfile_parse(ks, nul, sizeof(nul) - 1, &e), 0);
		cr_assert_eq(e.line, 2u);
		cr_assert(strstr(e.msg, "NUL"), "%s", e.msg);
		eesp_keyset_free(ks);
	}
}

Test(keys, line_parser_direct)
{
	struct eesp_keyfile_entry e;
	char err[64];
	const char *l = "group 0x7 4294967295 " H("ab") " next # c";
	cr_assert_eq(eesp_keyfile_line(l, strlen(l), &e, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(e.kind, EESP_KF_ROOT);
	cr_assert_eq(e.level, EESP_LEVEL_GROUP);
	cr_assert_eq(e.id, 7u);
	cr_assert_eq(e.generation, 4294967295u);
	cr_assert(e.next);
	cr_assert_eq(eesp_keyfile_line("   # x", 6, &e, err, sizeof(err)), 0);
	cr_assert_eq(e.kind, EESP_KF_EMPTY);
	cr_assert_eq(eesp_keyfile_line("domain 0x10", 11, &e, err, sizeof(err)), 0);
	cr_assert_eq(e.kind, EESP_KF_DOMAIN);
	cr_assert_eq(e.spi, 16u);
	/* not NUL-terminated: only len bytes count */
	cr_assert_eq(eesp_keyfile_line("domain 0x10zz", 11, &e, err, sizeof(err)), 0);
	cr_assert_eq(eesp_keyfile_line("domain 0x10zz", 13, &e, err, sizeof(err)), -1);
}

Test(keys, rotate_and_retire)
{
	struct eesp_ring *r = &KS->domain;
	uint8_t k[32];
	cr_assert_eq(parse("domain 0 1 " H("01") "\ndomain 0 2 " H("02") "\n"), 0);
	cr_assert_eq(eesp_ring_rotate(r), EESP_E_NO_KEY); /* nothing next */
	memset(k, 3, 32);
	cr_assert_eq(eesp_ring_set_next(r, 2, k), EESP_E_INVALID); /* not above current */
	cr_assert_eq(eesp_ring_set_next(r, 5, k), EESP_E_INVALID); /* phase of 1 */
	cr_assert_eq(eesp_ring_set_next(r, 3, k), EESP_E_OK);
	cr_assert_eq(eesp_ring_set_next(r, 4, k), EESP_E_INVALID); /* slot taken */
	cr_assert_eq(eesp_ring_rotate(r), EESP_E_OK);
	cr_assert_eq(eesp_ring_current(r)->generation, 3u);
	cr_assert_eq(r->gen[EESP_GEN_PREVIOUS].generation, 2u);
	cr_assert_eq(r->gen[EESP_GEN_CURRENT].key[0], 3);
	cr_assert(!r->gen[EESP_GEN_NEXT].present);
	cr_assert_null(eesp_ring_by_phase(r, 1)); /* generation 1 is gone */
	eesp_ring_retire_previous(r);
	cr_assert(!r->gen[EESP_GEN_PREVIOUS].present);
	cr_assert_null(eesp_ring_by_phase(r, 2));
	cr_assert_eq(eesp_ring_set_next(r, 5, k), EESP_E_OK); /* phase 1 is free again */
}

Test(keys, fingerprint)
{
	/* SHA-256("") = e3b0c44298fc1c14...; of 32 zero bytes = 66687aadf862bd77... */
	char fp[17];
	uint8_t z[32] = {0};
	eesp_key_fingerprint(z, 0, fp);
	cr_assert_str_eq(fp, "e3b0c44298fc1c14");
	eesp_key_fingerprint(z, 32, fp);
	cr_assert_str_eq(fp, "66687aadf862bd77");
}

Test(keys, secure_memory)
{
	int locked = -1;
	uint8_t *p = eesp_secure_alloc(100, &locked);
	cr_assert_not_null(p);
	cr_assert(locked == 0 || locked == 1);
	for (int i = 0; i < 100; i++)
		cr_assert_eq(p[i], 0);
	memset(p, 0x5a, 100);
	eesp_wipe(p, 50);
	cr_assert_eq(p[0], 0);
	cr_assert_eq(p[49], 0);
	cr_assert_eq(p[50], 0x5a);
	eesp_secure_free(p, 100);
}

/* eesp.7 Rings: generations never wrap; 2^32-1 is the last of a ring */
Test(keys, generations_never_wrap)
{
	struct eesp_ring *r = &KS->domain;
	uint8_t k[32];
	uint32_t g = 7;

	memset(k, 9, sizeof(k));
	cr_assert_eq(eesp_ring_next_generation(r, &g), EESP_E_OK);
	cr_assert_eq(g, 0u, "an empty ring starts at 0");
	cr_assert_eq(parse("domain 0 4294967293 " H("01") "\ndomain 0 4294967294 " H("02") "\n"), 0,
		     "%s", E.msg);
	cr_assert_eq(eesp_ring_next_generation(r, &g), EESP_E_OK);
	cr_assert_eq(g, EESP_GEN_LAST);
	cr_assert_eq(eesp_ring_set_next(r, g, k), EESP_E_OK);
	cr_assert_eq(eesp_ring_rotate(r), EESP_E_OK);
	cr_assert_eq(eesp_ring_current(r)->generation, EESP_GEN_LAST);
	/* nothing after the last generation: no wrap to 0 */
	cr_assert_eq(eesp_ring_next_generation(r, &g), EESP_E_NOSPACE);
	cr_assert_eq(eesp_ring_set_next(r, 0, k), EESP_E_INVALID);
	cr_assert_eq(eesp_ring_rotate(r), EESP_E_NO_KEY);
	cr_assert_eq(eesp_ring_current(r)->generation, EESP_GEN_LAST);
}

/* a key file continued across the wrap is refused, not silently ordered
 * with the older key current */
Test(keys, key_file_across_the_wrap)
{
	static const char *const wrapped[] = {
	    "domain 0 4294967295 " H("01") "\ndomain 0 0 " H("02") "\n",
	    "domain 0 4294967295 " H("01") "\ndomain 0 0 " H("02") " next\n",
	    "domain 0 4294967294 " H("01") "\ndomain 0 4294967295 " H("02") "\ndomain 0 0 " H(
		"03") "\n",
	    "tenant 5 4294967295 " H("01") "\ntenant 5 0 " H("02") "\ntenant 5 1 " H("03") "\n",
	    "group 9 1 " H("01") "\ngroup 9 4294967295 " H("02") "\n",
	};
	for (unsigned i = 0; i < sizeof(wrapped) / sizeof(wrapped[0]); i++) {
		eesp_keyset_free(KS);
		KS = eesp_keyset_new();
		cr_assert_eq(parse(wrapped[i]), EESP_E_INVALID, "file %u accepted", i);
		cr_assert(strstr(E.msg, "never wrap"), "file %u: %s", i, E.msg);
	}
	/* numerically consecutive at the top end, and far apart, are fine */
	eesp_keyset_free(KS);
	KS = eesp_keyset_new();
	cr_assert_eq(parse("domain 0 4294967294 " H("01") "\ndomain 0 4294967295 " H("02") "\n"), 0,
		     "%s", E.msg);
	cr_assert_eq(eesp_ring_current(&KS->domain)->generation, EESP_GEN_LAST);
	eesp_keyset_free(KS);
	KS = eesp_keyset_new();
	cr_assert_eq(parse("domain 0 2 " H("01") "\ndomain 0 4294967295 " H("02") "\n"), 0, "%s",
		     E.msg);
}
