/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_keycache.c - the receive key caches under forged packets (audit issue
 * 14, finding 4): unauthenticated packets do not evict masters or data keys,
 * data keys outlive their master's cache slot, and the derivation budget
 * refuses uncached receive derivations (derive_budget) while cached opens
 * and sealing go on.
 *
 * The receiver is the fixture's C; packets come from a separate sender
 * cache S, so that the receiver's caches hold only what it opened itself.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "kdf.h"
#include "keys.h"
#include "packet.h"
#include "pcapfile.h"
#include "testdomain.h"

/* Domain generations 1..3, tenants 11..14 and groups 21..24 with
 * generations 1..3 each: 3 x (1 + 12 + 12 + 144) = 507 reachable masters.
 * Current generation 2 everywhere.  Two PSP master keys. */
#define IDS 4

static struct eesp_crypto *S;

static void key_line(char *buf, size_t cap, const char *level, unsigned id, unsigned gen)
{
	size_t n = strlen(buf);
	n += (size_t)snprintf(buf + n, cap - n, "%s %u %u ", level, id, gen);
	for (unsigned i = 0; i < 32 && n < cap; i++) /* arbitrary test key bytes */
		n += (size_t)snprintf(buf + n, cap - n, "%02x", (id * 7 + gen * 13 + i) & 0xff);
	snprintf(buf + n, cap - n, "\n");
}

static void setup(void)
{
	static char text[16384];
	text[0] = 0;
	strcat(text, "domain 0xC0FFEE01\n");
	for (unsigned g = 1; g <= 3; g++) {
		key_line(text, sizeof(text), "domain", 0, g);
		for (unsigned i = 0; i < IDS; i++) {
			key_line(text, sizeof(text), "tenant", 11 + i, g);
			key_line(text, sizeof(text), "group", 21 + i, g);
		}
	}
	strcat(text, "psp 0 5050505050505050505050505050505050505050505050505050505050505050\n");
	th_domain_setup(text);
	S = eesp_crypto_new(64);
	cr_assert_not_null(S);
}

static void teardown(void)
{
	eesp_crypto_free(S);
	th_domain_teardown();
}

TestSuite(keycache, .init = setup, .fini = teardown);

/* A legitimate context: node 7, domain generation 2, tenant t (0: none). */
static struct eesp_hdr_params legit(unsigned tenant, uint16_t session, uint64_t sn)
{
	struct eesp_hdr_params p = {.spi = DOM, .session_id = session, .sn = sn};
	p.sctx.profile = EESP_PROFILE_NODE;
	p.sctx.kdf = EESP_KDF_CMAC_AES256;
	p.sctx.suite = EESP_SUITE_AES_GCM_128;
	p.sctx.epoch = 100;
	p.sctx.node_id = 7;
	p.sctx.phase[0] = 2;
	if (tenant) {
		p.sctx.flags = EESP_SCTX_FLAG_T;
		p.sctx.tenant_id = tenant;
		p.sctx.phase[1] = 2;
	}
	return p;
}

/* Forged context i: one of the reachable (generation x tenant x group x
 * flags) combinations, in turn, with a node id that varies with i. */
static struct eesp_hdr_params forged(unsigned i)
{
	struct eesp_hdr_params p = legit(0, 1, 1000 + i);
	unsigned c = i % 169, lv = 3 * IDS;
	p.sctx.phase[0] = (uint8_t)(1 + (i / 169) % 3);
	p.sctx.node_id = 0x9e3779b9u * (i + 1);
	if (c == 0)
		return p;
	c--;
	if (c < lv) {
		p.sctx.flags = EESP_SCTX_FLAG_T;
		p.sctx.tenant_id = 11 + c / 3;
		p.sctx.phase[1] = (uint8_t)(1 + c % 3);
	} else if (c < 2 * lv) {
		c -= lv;
		p.sctx.flags = EESP_SCTX_FLAG_G;
		p.sctx.group_id = 21 + c / 3;
		p.sctx.phase[2] = (uint8_t)(1 + c % 3);
	} else {
		c -= 2 * lv;
		p.sctx.flags = EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G;
		p.sctx.tenant_id = 11 + (c % lv) / 3;
		p.sctx.phase[1] = (uint8_t)(1 + (c % lv) % 3);
		p.sctx.group_id = 21 + (c / lv) / 3;
		p.sctx.phase[2] = (uint8_t)(1 + (c / lv) % 3);
	}
	return p;
}

/* Seal with the sender's cache (the tag flipped if forge), open with C. */
static int deliver(const struct eesp_hdr_params *p, bool forge)
{
	uint8_t inner[64] = {0x45, 0, 0, 64}, pkt[256];
	struct eesp_view v;
	size_t len, io, il;
	int rc = eesp_seal(S, &D, p, inner, sizeof(inner), pkt, sizeof(pkt), &len);
	cr_assert_eq(rc, EESP_E_OK, "seal: %s", eesp_err_name(rc));
	if (forge)
		pkt[len - 1] ^= 0x80;
	cr_assert_eq(eesp_parse(pkt, len, 63, &v), EESP_E_OK);
	return eesp_open(C, &D, 100, pkt, len, &v, &io, &il);
}

static int deliver_legit(unsigned tenant, uint16_t session, uint64_t sn)
{
	struct eesp_hdr_params p = legit(tenant, session, sn);
	return deliver(&p, false);
}

static struct eesp_crypto_stats stats(void)
{
	struct eesp_crypto_stats s;
	eesp_crypto_stats(C, &s);
	return s;
}

Test(keycache, forged_flood_keeps_legit_keys)
{
	struct eesp_crypto_stats s0, s1;
	uint64_t sn = 1;

	/* the legitimate traffic: two contexts under two masters, cached */
	cr_assert_eq(deliver_legit(0, 1, sn++), EESP_E_OK);
	cr_assert_eq(deliver_legit(12, 1, sn++), EESP_E_OK);
	/* a flood cycling through all 507 combinations, each with a new node id */
	s0 = stats();
	for (unsigned i = 0; i < 600; i++) {
		struct eesp_hdr_params p = forged(i);
		cr_assert_eq(deliver(&p, true), EESP_E_AUTH, "forged packet %u", i);
	}
	s1 = stats();
	cr_assert_geq(s1.master_derivations - s0.master_derivations, 500,
		      "the flood derived (%llu masters)",
		      (unsigned long long)(s1.master_derivations - s0.master_derivations));
	/* the legitimate contexts are still cached: no miss, no master derived */
	s0 = stats();
	cr_assert_eq(deliver_legit(0, 1, sn++), EESP_E_OK);
	cr_assert_eq(deliver_legit(12, 1, sn++), EESP_E_OK);
	s1 = stats();
	cr_assert_eq(s1.dk_misses, s0.dk_misses, "legitimate data keys were evicted (%llu misses)",
		     (unsigned long long)(s1.dk_misses - s0.dk_misses));
	cr_assert_eq(s1.dk_hits, s0.dk_hits + 2);
	cr_assert_eq(s1.master_derivations, s0.master_derivations,
		     "a legitimate master was evicted");
	/* and their masters too: a new session under each derives no master */
	cr_assert_eq(deliver_legit(0, 2, sn++), EESP_E_OK);
	cr_assert_eq(deliver_legit(12, 2, sn++), EESP_E_OK);
	s0 = stats();
	cr_assert_eq(s0.master_derivations, s1.master_derivations,
		     "a legitimate master was evicted");
	cr_assert_eq(s0.dk_misses, s1.dk_misses + 2);
}

/* More authenticated masters than master slots: their data keys stay cached
 * (they are keyed by the master's identity, not by its slot).  A data-key
 * cache far larger than 10 entries, and no data key evicted on the way, so a
 * miss can only be a key lost with its master. */
Test(keycache, master_eviction_keeps_data_keys)
{
	struct eesp_crypto_stats s0, s1;
	uint64_t sn = 1;

	eesp_crypto_free(C);
	C = eesp_crypto_new(1u << 16); /* freed by the fixture */
	cr_assert_not_null(C);
	for (unsigned t = 0; t <= IDS; t++) /* domain only and 4 tenants */
		for (unsigned ph = 1; ph <= 2; ph++) {
			struct eesp_hdr_params p = legit(t ? 10 + t : 0, 1, sn++);
			p.sctx.phase[0] = (uint8_t)ph;
			cr_assert_eq(deliver(&p, false), EESP_E_OK);
		}
	s0 = stats();
	cr_assert_eq(s0.master_derivations, 10, "10 masters for 8 slots");
	cr_assert_eq(s0.dk_evictions, 0, "two of 10 data keys collided in 32768 sets");
	for (unsigned t = 0; t <= IDS; t++)
		for (unsigned ph = 1; ph <= 2; ph++) {
			struct eesp_hdr_params p = legit(t ? 10 + t : 0, 1, sn++);
			p.sctx.phase[0] = (uint8_t)ph;
			cr_assert_eq(deliver(&p, false), EESP_E_OK);
		}
	s1 = stats();
	cr_assert_eq(s1.dk_misses, s0.dk_misses, "%llu data keys lost with their master slot",
		     (unsigned long long)(s1.dk_misses - s0.dk_misses));
	cr_assert_eq(s1.master_derivations, s0.master_derivations);
}

/* A PSP packet for SPI spi under master key 0, opened by C (tag flipped if forge). */
static int deliver_psp(uint32_t spi, bool forge)
{
	uint8_t inner[64] = {0x45, 0, 0, 64}, key[16], pkt[256];
	struct psp_hdr_params p = {.next_hdr = 4, .version = 0, .spi = spi, .iv = 1};
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	struct psp_view v;
	size_t len, io, il;

	cr_assert_not_null(k);
	cr_assert(KS->has_psp[0]);
	cr_assert_eq(psp_derive_key(k, KS->psp_master[0], spi, 0, key), EESP_E_OK);
	eesp_kdf_ctx_free(k);
	cr_assert_eq(psp_seal_with_key(S, key, &p, inner, sizeof(inner), pkt, sizeof(pkt), &len),
		     EESP_E_OK);
	if (forge)
		pkt[len - 1] ^= 0x80;
	cr_assert_eq(psp_parse(pkt, len, &v), EESP_E_OK);
	return psp_open(C, KS, pkt, len, &v, &io, &il);
}

#define B 5

Test(keycache, budget_refuses_uncached_derivations)
{
	struct eesp_crypto_stats s0, s1;
	uint64_t sn = 1;
	unsigned i;

	cr_assert_eq(eesp_crypto_budget_left(C), UINT32_MAX, "no budget until the first refill");
	eesp_crypto_budget_refill(C, B, B);
	cr_assert_eq(eesp_crypto_budget_left(C), B);
	/* a legitimate new context takes two tokens (master, data key) and,
	 * authenticated, gives them back */
	cr_assert_eq(deliver_legit(0, 1, sn++), EESP_E_OK);
	cr_assert_eq(eesp_crypto_budget_left(C), B);
	/* forged packets under that (cached) master: one derivation each */
	s0 = stats();
	for (i = 0; i < B; i++) {
		struct eesp_hdr_params p = legit(0, (uint16_t)(100 + i), sn++);
		cr_assert_eq(deliver(&p, true), EESP_E_AUTH, "forged packet %u of the budget", i);
	}
	cr_assert_eq(eesp_crypto_budget_left(C), 0);
	{
		struct eesp_hdr_params p = legit(0, 100 + B, sn++);
		cr_assert_eq(deliver(&p, true), EESP_E_DERIVE_BUDGET, "derivation %u of %u", B + 1,
			     B);
	}
	s1 = stats();
	cr_assert_eq(s1.derive_refused, s0.derive_refused + 1);
	cr_assert_eq(s1.master_derivations, s0.master_derivations);
	cr_assert_str_eq(eesp_err_name(EESP_E_DERIVE_BUDGET), "derive_budget");
	/* cached opens go on without tokens */
	for (i = 0; i < 20; i++)
		cr_assert_eq(deliver_legit(0, 1, sn++), EESP_E_OK,
			     "cached open %u with the budget spent", i);
	/* a new legitimate context waits for a token like any other ... */
	cr_assert_eq(deliver_legit(0, 7, sn), EESP_E_DERIVE_BUDGET);
	eesp_crypto_budget_refill(C, 1, B);
	cr_assert_eq(deliver_legit(0, 7, sn++), EESP_E_OK);
	cr_assert_eq(eesp_crypto_budget_left(C), 1, "an authenticated packet's token comes back");
	/* ... and one whose master is not cached needs two: refused, nothing spent */
	s0 = stats();
	cr_assert_eq(deliver_legit(13, 1, sn), EESP_E_DERIVE_BUDGET);
	cr_assert_eq(eesp_crypto_budget_left(C), 1);
	s1 = stats();
	cr_assert_eq(s1.master_derivations, s0.master_derivations);
	eesp_crypto_budget_refill(C, 1, B);
	cr_assert_eq(deliver_legit(13, 1, sn++), EESP_E_OK);
	cr_assert_eq(eesp_crypto_budget_left(C), 2);
	/* PSP: a data-key derivation costs a token as well */
	cr_assert_eq(deliver_psp(0x1001, true), EESP_E_AUTH);
	cr_assert_eq(deliver_psp(0x1002, true), EESP_E_AUTH);
	cr_assert_eq(eesp_crypto_budget_left(C), 0);
	cr_assert_eq(deliver_psp(0x1003, false), EESP_E_DERIVE_BUDGET);
	eesp_crypto_budget_refill(C, 1, B);
	cr_assert_eq(deliver_psp(0x1003, false), EESP_E_OK);
	cr_assert_eq(deliver_psp(0x1003, false), EESP_E_OK, "cached: no token needed");
	cr_assert_eq(eesp_crypto_budget_left(C), 1);
	/* refills stop at the cap; a flush keeps the budget */
	eesp_crypto_budget_refill(C, 1000, B);
	cr_assert_eq(eesp_crypto_budget_left(C), B);
	eesp_crypto_budget_refill(C, UINT32_MAX, B);
	cr_assert_eq(eesp_crypto_budget_left(C), B);
	eesp_crypto_flush(C);
	cr_assert_eq(eesp_crypto_budget_left(C), B);
}

Test(keycache, seal_is_never_refused)
{
	uint8_t inner[64] = {0x45, 0, 0, 64}, pkt[256];
	struct eesp_crypto_stats s0, s1;
	struct eesp_dkey dk;
	size_t len, io, il;

	eesp_crypto_budget_refill(C, 0, 0);
	cr_assert_eq(eesp_crypto_budget_left(C), 0);
	s0 = stats();
	/* 200 contexts under 169 masters, none cached, with no token at all */
	for (unsigned i = 0; i < 200; i++) {
		struct eesp_hdr_params p = forged(i);
		struct eesp_view v;
		cr_assert_eq(eesp_seal(C, &D, &p, inner, sizeof(inner), pkt, sizeof(pkt), &len),
			     EESP_E_OK, "seal %u", i);
		cr_assert_eq(eesp_data_key_for(C, &D, &p, &dk), EESP_E_OK);
		/* what the seal derived serves the receive side, token-free */
		cr_assert_eq(eesp_parse(pkt, len, 63, &v), EESP_E_OK);
		cr_assert_eq(eesp_open(C, &D, 100, pkt, len, &v, &io, &il), EESP_E_OK,
			     "open of sealed %u", i);
	}
	s1 = stats();
	cr_assert_eq(s1.derive_refused, s0.derive_refused);
	cr_assert_geq(s1.master_derivations - s0.master_derivations, 169);
	cr_assert_eq(eesp_crypto_budget_left(C), 0);
}
