// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * micro_forged.c - a flood of forged packets against the derivation budget,
 * and legitimate traffic in the middle of it.
 */
#include "micro_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "keys.h"

/* ------------------------------------------------ forged-packet flood -- */

/*
 * Audit issue 14 finding 4 / performance target 5a.  A sender without keys
 * cycles its packets through every (domain generation x tenant x group x
 * level flags) combination the receiver's keyset makes reachable, each with
 * a random node id, so that each one asks for a master and a data key the
 * receiver has not cached.  One receiver eesp_crypto, its derivation budget
 * refilled as eespd's workers refill it (a token bucket of
 * EESP_DERIVE_BUDGET_PER_S tokens a second, EESP_DERIVE_BUDGET_BURST at
 * most, topped up every 32 packets from the clock).  All packets are parsed
 * and opened (64 B inner):
 *   legit_open64_ns       a legitimate packet, key cached (FLOOD_LEGIT masters)
 *   forged_open64_ns      a forged packet of the flood
 *   legit_in_mix_ns       legitimate and forged 1:1: the fastest time per
 *                         pair minus the fastest forged_open64_ns (an upper
 *                         bound: forged packets slowed by the mix count
 *                         against the legitimate ones)
 *   forged_derive64_ns    a forged packet with no budget (every one derives):
 *                         the work one budget token of a flood buys
 * Targets: forged <= 2 x legit, legit_in_mix <= 1.2 x legit.
 */
#define FLOOD_DOM_GENS 3
#define FLOOD_IDS 4 /* tenants 11.., groups 21.., three generations each */
#define FLOOD_COMBOS (FLOOD_DOM_GENS * (1 + 2 * FLOOD_IDS * 3 + FLOOD_IDS * 3 * FLOOD_IDS * 3))

static void key_line(char *buf, size_t cap, enum eesp_level level, unsigned id, unsigned gen)
{
	uint8_t k[EESP_ROOT_KEY_LEN];
	size_t n = strlen(buf);
	RAND_bytes(k, sizeof(k));
	n += (size_t)snprintf(buf + n, cap - n, "%s %u %u ", eesp_name_of(eesp_level_names, level),
			      id, gen);
	for (size_t i = 0; i < sizeof(k) && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%02x", k[i]);
	snprintf(buf + n, cap - n, "\n");
}

static struct eesp_keyset *flood_keyset(void)
{
	static char text[16384];
	struct eesp_keyset *fks = eesp_keyset_new();
	struct eesp_keyfile_error ke;
	int err;

	text[0] = 0;
	for (unsigned g = 1; g <= 3; g++) {
		key_line(text, sizeof(text), EESP_LEVEL_DOMAIN, 0, g);
		for (unsigned i = 0; i < FLOOD_IDS; i++) {
			key_line(text, sizeof(text), EESP_LEVEL_TENANT, 11 + i, g);
			key_line(text, sizeof(text), EESP_LEVEL_GROUP, 21 + i, g);
		}
	}
	if (!fks)
		die("eesp_keyset_new", EESP_E_CRYPTO);
	if ((err = eesp_keyfile_parse(fks, text, strlen(text), &ke))) {
		fprintf(stderr, "bench_micro: flood key line %u rejected: %s\n", ke.line, ke.msg);
		die("eesp_keyfile_parse", err);
	}
	return fks;
}

/* Combination i of FLOOD_COMBOS: flags, phases (generations 1..3), ids. */
static void flood_params(struct eesp_hdr_params *p, unsigned i, uint32_t node, uint64_t sn)
{
	unsigned dg = i % FLOOD_DOM_GENS, rest = i / FLOOD_DOM_GENS, lv = 3 * FLOOD_IDS;

	memset(p, 0, sizeof(*p));
	p->spi = dom.spi;
	p->session_id = 1;
	p->sn = sn;
	p->sctx.profile = EESP_PROFILE_NODE;
	p->sctx.kdf = EESP_KDF_CMAC_AES256;
	p->sctx.suite = EESP_SUITE_AES_GCM_128;
	p->sctx.node_id = node;
	p->sctx.phase[0] = (uint8_t)(1 + dg);
	if (rest == 0)
		return;
	rest--;
	if (rest < 2 * lv) { /* one level: tenant, then group */
		unsigned l = rest < lv ? 1 : 2, t = rest % lv;
		p->sctx.flags = l == 1 ? EESP_SCTX_FLAG_T : EESP_SCTX_FLAG_G;
		p->sctx.phase[l] = (uint8_t)(1 + t % 3);
		if (l == 1)
			p->sctx.tenant_id = 11 + t / 3;
		else
			p->sctx.group_id = 21 + t / 3;
		return;
	}
	rest -= 2 * lv; /* both levels */
	p->sctx.flags = EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G;
	p->sctx.phase[1] = (uint8_t)(1 + (rest % lv) % 3);
	p->sctx.tenant_id = 11 + (rest % lv) / 3;
	p->sctx.phase[2] = (uint8_t)(1 + (rest / lv) % 3);
	p->sctx.group_id = 21 + (rest / lv) / 3;
}

/* Legitimate traffic: FLOOD_LEGIT masters (tenants, then groups) at the current
 * generation, node 7, one after the other; with 1:1 forged packets between them,
 * more masters than the old 8-slot cache could keep. */
#define FLOOD_LEGIT 8

static void legit_params(struct eesp_hdr_params *p, unsigned i, uint64_t sn)
{
	params(p, 7, 1, sn);
	p->sctx.phase[0] = 2;
	if (i < FLOOD_IDS) {
		p->sctx.flags = EESP_SCTX_FLAG_T;
		p->sctx.tenant_id = 11 + i;
		p->sctx.phase[1] = 2;
	} else {
		p->sctx.flags = EESP_SCTX_FLAG_G;
		p->sctx.group_id = 21 + i % FLOOD_IDS;
		p->sctx.phase[2] = 2;
	}
}

/* eespd's refill (worker.c), here from the bench clock. */
struct flood_bucket {
	double last_ns;
};

static void flood_refill(struct eesp_crypto *c, struct flood_bucket *b)
{
	double now = now_ns(), add = (now - b->last_ns) * EESP_DERIVE_BUDGET_PER_S / 1e9;
	if (add < 1)
		return;
	b->last_ns += (double)(uint32_t)add * 1e9 / EESP_DERIVE_BUDGET_PER_S;
	eesp_crypto_budget_refill(c, (uint32_t)add, EESP_DERIVE_BUDGET_BURST);
}

enum { FLOOD_K = 4096, FLOOD_CAP = 192 };

struct flood_set {
	uint8_t pkt[FLOOD_K][FLOOD_CAP], work[FLOOD_K][FLOOD_CAP];
	size_t len[FLOOD_K];
};

/* Parse + open packet i of s (its working copy); returns the verdict. */
static int flood_open(struct eesp_crypto *c, const struct eesp_domain *d, struct flood_set *s,
		      int i)
{
	struct eesp_view v;
	size_t off, il;
	int err = eesp_parse(s->work[i], s->len[i], 0, &v);
	return err ? err : eesp_open(c, d, 0, s->work[i], s->len[i], &v, &off, &il);
}

static void flood_expect(int err, bool legit)
{
	if (legit ? err != EESP_E_OK : err != EESP_E_AUTH && err != EESP_E_DERIVE_BUDGET)
		die(legit ? "legitimate open in the flood" : "forged open", err);
}

void bench_forged(void)
{
	static struct flood_set legit, forged;
	struct eesp_keyset *fks = flood_keyset();
	struct eesp_domain fd = dom;
	struct eesp_crypto *tx = eesp_crypto_new(16), *rx = eesp_crypto_new(DKCACHE);
	struct eesp_crypto_stats s0, s1;
	struct flood_bucket b;
	struct eesp_hdr_params p;
	uint8_t inner[64];
	double tl[REPS], tf[REPS], tm[REPS], tu[REPS];
	int err;

	if (!tx || !rx)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	fd.keys = fks;
	inner_packet(inner, sizeof(inner));
	for (int i = 0; i < FLOOD_K; i++) {
		uint32_t node;
		RAND_bytes((uint8_t *)&node, sizeof(node));
		legit_params(&p, (unsigned)i % FLOOD_LEGIT, (uint64_t)i + 1);
		if ((err = eesp_seal(tx, &fd, &p, inner, sizeof(inner), legit.pkt[i], FLOOD_CAP,
				     &legit.len[i])))
			die("eesp_seal (legitimate)", err);
		flood_params(&p, (unsigned)i % FLOOD_COMBOS, node, (uint64_t)i + 1);
		if ((err = eesp_seal(tx, &fd, &p, inner, sizeof(inner), forged.pkt[i], FLOOD_CAP,
				     &forged.len[i])))
			die("eesp_seal (forged)", err);
		forged.pkt[i][forged.len[i] - 1] ^= 0x80; /* no key: the tag is wrong */
	}
	memcpy(legit.work, legit.pkt, sizeof(legit.pkt));
	for (int i = 0; i < FLOOD_LEGIT; i++) /* the legitimate keys, cached */
		flood_expect(flood_open(rx, &fd, &legit, i), true);
	b.last_ns = now_ns();
	eesp_crypto_budget_refill(rx, EESP_DERIVE_BUDGET_BURST, EESP_DERIVE_BUDGET_BURST);
	eesp_crypto_stats(rx, &s0);
	for (int r = 0; r < REPS; r++) {
		double t0;
		memcpy(legit.work, legit.pkt, sizeof(legit.pkt));
		t0 = now_ns();
		for (int i = 0; i < FLOOD_K; i++)
			flood_expect(flood_open(rx, &fd, &legit, i), true);
		tl[r] = (now_ns() - t0) / FLOOD_K;

		memcpy(forged.work, forged.pkt, sizeof(forged.pkt));
		t0 = now_ns();
		for (int i = 0; i < FLOOD_K; i++) {
			if (!(i & 31))
				flood_refill(rx, &b);
			flood_expect(flood_open(rx, &fd, &forged, i), false);
		}
		tf[r] = (now_ns() - t0) / FLOOD_K;

		memcpy(legit.work, legit.pkt, sizeof(legit.pkt));
		memcpy(forged.work, forged.pkt, sizeof(forged.pkt));
		t0 = now_ns();
		for (int i = 0; i < FLOOD_K; i++) {
			if (!(i & 15))
				flood_refill(rx, &b);
			flood_expect(flood_open(rx, &fd, &legit, i), true);
			flood_expect(flood_open(rx, &fd, &forged, i), false);
		}
		tm[r] = (now_ns() - t0) / FLOOD_K;
	}
	eesp_crypto_stats(rx, &s1);

	/* the same flood against a receiver without a budget: every packet derives */
	{
		struct eesp_crypto *un = eesp_crypto_new(DKCACHE);
		if (!un)
			die("eesp_crypto_new", EESP_E_CRYPTO);
		for (int r = 0; r < REPS; r++) {
			memcpy(forged.work, forged.pkt, sizeof(forged.pkt));
			double t0 = now_ns();
			for (int i = 0; i < FLOOD_K; i++)
				flood_expect(flood_open(un, &fd, &forged, i), false);
			tu[r] = (now_ns() - t0) / FLOOD_K;
		}
		eesp_crypto_free(un);
	}
	double l = fastest(tl, REPS), f = fastest(tf, REPS), m = fastest(tm, REPS) - f;
	printf("legit_open64_ns %.1f ns  # parse+open, 64 B inner, cached key (flood receiver)\n",
	       l);
	printf("forged_open64_ns %.1f ns  # forged, cycling %d (generation x tenant x group x "
	       "flags) combinations, random node ids, budget %d/s burst %d: %.2f x legit "
	       "(target <= 2)\n",
	       f, FLOOD_COMBOS, EESP_DERIVE_BUDGET_PER_S, EESP_DERIVE_BUDGET_BURST, f / l);
	printf("legit_in_mix_ns %.1f ns  # legitimate opens interleaved 1:1 with forged ones "
	       "(pair - forged): %+.0f%% vs clean (target <= +20%%)\n",
	       m, 100 * (m / l - 1));
	printf("forged_derive64_ns %.1f ns  # forged, no budget: master + data-key derivation, "
	       "key setup, AEAD\n",
	       fastest(tu, REPS));
	printf("# flood receiver: derive_refused +%" PRIu64 ", master derivations +%" PRIu64
	       ", dk misses +%" PRIu64 ", dk hits +%" PRIu64 "\n",
	       s1.derive_refused - s0.derive_refused, s1.master_derivations - s0.master_derivations,
	       s1.dk_misses - s0.dk_misses, s1.dk_hits - s0.dk_hits);
	eesp_crypto_free(tx);
	eesp_crypto_free(rx);
	eesp_keyset_free(fks);
}
