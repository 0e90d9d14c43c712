/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_pairkey.c - seed 004's pair keys (src/ike/ike_pairkey.h,
 * man/eesp.7 PAIRWISE KEYS): known answers computed independently (Python
 * hmac/hashlib from the definition in eesp.7), the two members' views
 * agree, the key server's view (GK without SK_d) does not give the key, a
 * group rekey changes every pair's key with nothing but local inputs while
 * the previous generation stays selectable by phase, the two directions
 * differ, every input is bound, and the refusals.
 */
#include <string.h>

#include "ike_crypto.h"
#include "ike_pairkey.h"
#include "keys.h"
#include "testhex.h"

#define HEX(s, buf) th_unhex(s, buf, sizeof(buf))
#define NODE_A 0x0a000001u
#define NODE_B 0x0a000002u
#define NODE_C 0x0a000003u
#define GROUP 9u

/* the published vector inputs (vectors/pairkey/, eesp.7): SK_d = 00..1f,
 * SPIi = 0001..07, SPIr = 0809..0f, group 9 of vectors/keys/eesp.keys */
static const char gk2_hex[] = "7503c74788c5689a0ce28fc97b21d330a3be863023ceedf7a448a2dff38d650f";
static const char gk3_hex[] = "0964307a1131b799102e147d649a986e0e059a3ba6985c8049ec4dfe1166c753";
static const uint8_t spi_i[8] = {0, 1, 2, 3, 4, 5, 6, 7};
static const uint8_t spi_r[8] = {8, 9, 10, 11, 12, 13, 14, 15};

static void vec_sk_d(uint8_t sk_d[32])
{
	for (unsigned i = 0; i < 32; i++)
		sk_d[i] = (uint8_t)i;
}

static void pair_of(struct ike_pk_pair *p, uint32_t self, uint32_t peer)
{
	cr_assert_eq(ike_pk_pair_init(p, spi_i, spi_r, self, peer, GROUP), IKE_E_OK);
}

struct kat {
	uint32_t gen;
	const char *gk, *ctx, *p, *g, *k_lh, *k_hl;
};

static const struct kat kats[] = {
    {2, gk2_hex, "000102030405060708090a0b0c0d0e0f0a0000010a0000020000000900000002",
     "d1236451440bf201dbf5e2d2f0622651ef3acc92bbe17fdb8dfbb73d075190a6"
     "235be13c3d99f7b9427d408ee51fa1a9b3c32eb5c7340175cfb7fc5f8b5c983f",
     "527c5076716e39eba998b514d29e635800b9a49381326d39d0db75a19bd03a54"
     "d32f28cc5df55844bf705f6e43cf6b571b9f2b0f3b672556de511960b6c5e0f6",
     "835f34273565cbea726d57c622fc4509ef8368013ad312e25d20c29c9c81aaf2",
     "f074c9f0606caffdfd0d1fe0a6d0cafea85c05bafc53242311e6e53f3d9978c9"},
    {3, gk3_hex, "000102030405060708090a0b0c0d0e0f0a0000010a0000020000000900000003",
     "af741578c7cd30ed5439530db7979a04a2ced08e07d94df16ed2b3606fd4252b"
     "72966e8bbd56470edda6c240894bc7295dc25084e16e3d53119441e82a1bf69a",
     "33e918429861e342d95fd64b8d468980042dcf71bab258964dfd06833ebe667e"
     "8f39c01cb2555a6e7b52e2b52eb4fd356bb206c0a119a3c2e4f1fd53a3283a9c",
     "9c9d0d3a5facd3af8d6685463ad11384a6e31fffbd6b1567232fb5e3516a4355",
     "fdafae970f031d60a6f420f5a7ff3a1c3670564440779e91f565bcbb8933cc06"},
};

Test(ike_pairkey, known_answers)
{
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		const struct kat *t = &kats[i];
		uint8_t sk_d[32], gk[32], ctx[32], want[64], half[64], k[2][32];
		struct ike_pk_pair p;

		vec_sk_d(sk_d);
		HEX(t->gk, gk);
		pair_of(&p, NODE_B, NODE_A); /* given in the "wrong" order on purpose */
		cr_assert_eq(ike_pk_context(&p, t->gen, ctx), IKE_PK_CTX_LEN);
		HEX(t->ctx, want);
		th_assert_mem(ctx, want, 32, "ctx of generation %u", t->gen);
		cr_assert_eq(ike_pk_pair_half(IKE_PRF_HMAC_SHA2_256, sk_d, 32, &p, t->gen, half),
			     IKE_E_OK);
		HEX(t->p, want);
		th_assert_mem(half, want, 64, "P of generation %u", t->gen);
		cr_assert_eq(ike_pk_group_half(gk, &p, t->gen, half), IKE_E_OK);
		HEX(t->g, want);
		th_assert_mem(half, want, 64, "G of generation %u", t->gen);
		cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, gk, &p, t->gen, k),
			     IKE_E_OK);
		HEX(t->k_lh, want);
		th_assert_mem(k[IKE_PK_LO_TO_HI], want, 32, "K lo->hi of generation %u", t->gen);
		HEX(t->k_hl, want);
		th_assert_mem(k[IKE_PK_HI_TO_LO], want, 32, "K hi->lo of generation %u", t->gen);
	}
}

/* P is the prf+ of RFC 7296 over label | ctx, nothing else */
Test(ike_pairkey, halves_are_prf_plus_of_label_and_ctx)
{
	uint8_t sk_d[32], ctx[32], seed[16 + 32], want[64], got[64];
	struct ike_pk_pair p;

	vec_sk_d(sk_d);
	pair_of(&p, NODE_A, NODE_B);
	ike_pk_context(&p, 5, ctx);
	memcpy(seed, IKE_PK_LABEL_PAIR, 16);
	memcpy(seed + 16, ctx, 32);
	cr_assert_eq(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, sk_d, 32, seed, sizeof(seed), want, 64),
		     IKE_E_OK);
	cr_assert_eq(ike_pk_pair_half(IKE_PRF_HMAC_SHA2_256, sk_d, 32, &p, 5, got), IKE_E_OK);
	th_assert_mem(got, want, 64, "P = prf+(SK_d, label | ctx)");
}

/* a group ring holding the vectors' group 9: generation 2 previous, 3 current */
static void group_ring(struct eesp_ring *r)
{
	memset(r, 0, sizeof(*r));
	r->id = GROUP;
	r->gen[EESP_GEN_PREVIOUS].present = true;
	r->gen[EESP_GEN_PREVIOUS].generation = 2;
	HEX(gk2_hex, r->gen[EESP_GEN_PREVIOUS].key);
	r->gen[EESP_GEN_CURRENT].present = true;
	r->gen[EESP_GEN_CURRENT].generation = 3;
	HEX(gk3_hex, r->gen[EESP_GEN_CURRENT].key);
}

Test(ike_pairkey, two_members_views_agree)
{
	uint8_t sk_d[32];
	struct eesp_ring gk;
	struct ike_pk_pair pa, pb;
	struct ike_pk_ring *ra = ike_pk_ring_new(), *rb = ike_pk_ring_new();

	cr_assert(ra && rb);
	vec_sk_d(sk_d); /* both ends of the IKE SA hold the same SK_d */
	group_ring(&gk);
	pair_of(&pa, NODE_A, NODE_B); /* A's view: self, peer */
	pair_of(&pb, NODE_B, NODE_A); /* B's view */
	cr_assert_eq(memcmp(&pa, &pb, sizeof(pa)), 0, "both views give one canonical pair");
	cr_assert_eq(ike_pk_ring_init(ra, &pa, NODE_A), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_init(rb, &pb, NODE_B), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_sync(ra, IKE_PRF_HMAC_SHA2_256, sk_d, 32, &gk), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_sync(rb, IKE_PRF_HMAC_SHA2_256, sk_d, 32, &gk), IKE_E_OK);
	for (unsigned s = EESP_GEN_PREVIOUS; s <= EESP_GEN_CURRENT; s++) {
		cr_assert(ra->gen[s].present && rb->gen[s].present);
		cr_assert_eq(ra->gen[s].generation, rb->gen[s].generation);
		th_assert_mem(ra->gen[s].send, rb->gen[s].recv, 32, "A seals what B opens");
		th_assert_mem(rb->gen[s].send, ra->gen[s].recv, 32, "B seals what A opens");
	}
	cr_assert(!ra->gen[EESP_GEN_NEXT].present, "no next GK, no next pair key");
	/* A is the lower id: its send key is the published lo->hi key */
	uint8_t want[32];
	HEX(kats[1].k_lh, want);
	th_assert_mem(ike_pk_ring_current(ra)->send, want, 32, "A sends with K lo->hi (gen 3)");
	ike_pk_ring_free(ra);
	ike_pk_ring_free(rb);
}

static bool same32(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, 32);
}

/* The key server holds GK but not SK_d: all it can compute is G, and G is
 * not the key in either direction; what it lacks is exactly P. */
Test(ike_pairkey, server_view_is_not_the_key)
{
	uint8_t sk_d[32], gk[32], k[2][32], g[64], p[64], zero[32] = {0};
	struct ike_pk_pair pr;

	vec_sk_d(sk_d);
	HEX(gk3_hex, gk);
	pair_of(&pr, NODE_A, NODE_B);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, gk, &pr, 3, k), IKE_E_OK);
	cr_assert_eq(ike_pk_group_half(gk, &pr, 3, g), IKE_E_OK);
	for (unsigned d = 0; d < 2; d++) {
		cr_assert(!same32(g + 32 * d, k[d]), "the server's G is not K (direction %u)", d);
		cr_assert(!same32(g + 32 * (1 - d), k[d]), "nor the other direction's G");
	}
	/* the server guessing SK_d from what it has (GK, zeros) gets other keys */
	uint8_t guess[2][32];
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, gk, 32, gk, &pr, 3, guess), IKE_E_OK);
	cr_assert(!same32(guess[0], k[0]) && !same32(guess[1], k[1]));
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, zero, 32, gk, &pr, 3, guess), IKE_E_OK);
	cr_assert(!same32(guess[0], k[0]) && !same32(guess[1], k[1]));
	/* K XOR G = P, the half that needs SK_d */
	cr_assert_eq(ike_pk_pair_half(IKE_PRF_HMAC_SHA2_256, sk_d, 32, &pr, 3, p), IKE_E_OK);
	for (unsigned i = 0; i < 64; i++)
		cr_assert_eq(k[i / 32][i % 32] ^ g[i], p[i]);
	/* and a member holding SK_d but a removed member's old GK cannot either */
	uint8_t old[32], ko[2][32];
	HEX(gk2_hex, old);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, old, &pr, 3, ko), IKE_E_OK);
	cr_assert(!same32(ko[0], k[0]) && !same32(ko[1], k[1]));
}

/* Another member C holds GK and its own SK_d with A: A-C's keys are not A-B's. */
Test(ike_pairkey, another_member_gets_another_key)
{
	uint8_t sk_ab[32], sk_ac[32], gk[32], kab[2][32], kac[2][32];
	struct ike_pk_pair ab, ac;

	vec_sk_d(sk_ab);
	memset(sk_ac, 0x5a, 32);
	HEX(gk3_hex, gk);
	pair_of(&ab, NODE_A, NODE_B);
	pair_of(&ac, NODE_A, NODE_C);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_ab, 32, gk, &ab, 3, kab), IKE_E_OK);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_ac, 32, gk, &ac, 3, kac), IKE_E_OK);
	for (unsigned d = 0; d < 2; d++)
		for (unsigned e = 0; e < 2; e++)
			cr_assert(!same32(kab[d], kac[e]));
	/* C with its own SK_d and GK, but A-B's pair inputs: still not A-B's key */
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_ac, 32, gk, &ab, 3, kac), IKE_E_OK);
	cr_assert(!same32(kab[0], kac[0]) && !same32(kab[1], kac[1]));
}

Test(ike_pairkey, directions_differ)
{
	uint8_t sk_d[32], gk[32], k[2][32];
	struct ike_pk_pair p;
	enum ike_pk_dir d;

	vec_sk_d(sk_d);
	HEX(gk2_hex, gk);
	pair_of(&p, NODE_A, NODE_B);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, gk, &p, 2, k), IKE_E_OK);
	cr_assert(!same32(k[0], k[1]), "the two directions share a key");
	cr_assert_eq(ike_pk_dir_of(&p, NODE_A, &d), IKE_E_OK);
	cr_assert_eq(d, IKE_PK_LO_TO_HI);
	cr_assert_eq(ike_pk_dir_of(&p, NODE_B, &d), IKE_E_OK);
	cr_assert_eq(d, IKE_PK_HI_TO_LO);
	cr_assert_eq(ike_pk_dir_of(&p, NODE_C, &d), IKE_E_INVALID);
}

/* Three members, three pairs.  The server makes generation 4 (say, after a
 * removal); each member installs it as next, rotates, syncs its rings from
 * its own SK_d and the group ring only, and every pair's sending key
 * changes; the previous key stays selectable by phase until retirement. */
Test(ike_pairkey, group_rekey_changes_every_pair_key_locally)
{
	const uint32_t self[3] = {NODE_A, NODE_A, NODE_B}, peer[3] = {NODE_B, NODE_C, NODE_C};
	struct ike_pk_ring *r[3];
	uint8_t sk[3][32], old_send[3][32], old_recv[3][32], gk4[32];
	struct eesp_ring gk;

	group_ring(&gk);
	memset(gk4, 0xa4, 32);
	for (unsigned i = 0; i < 3; i++) {
		struct ike_pk_pair p;
		memset(sk[i], 0x10 + i, 32);
		cr_assert((r[i] = ike_pk_ring_new()));
		pair_of(&p, self[i], peer[i]);
		cr_assert_eq(ike_pk_ring_init(r[i], &p, self[i]), IKE_E_OK);
		cr_assert_eq(ike_pk_ring_sync(r[i], IKE_PRF_HMAC_SHA2_256, sk[i], 32, &gk),
			     IKE_E_OK);
		memcpy(old_send[i], ike_pk_ring_current(r[i])->send, 32);
		memcpy(old_recv[i], ike_pk_ring_current(r[i])->recv, 32);
	}
	cr_assert_eq(eesp_ring_set_next(&gk, 4, gk4), EESP_E_OK);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(ike_pk_ring_sync(r[i], IKE_PRF_HMAC_SHA2_256, sk[i], 32, &gk),
			     IKE_E_OK);
		/* next installed: receivable by phase, not yet used to seal */
		const struct ike_pk_gen *n = ike_pk_ring_by_phase(r[i], 4 % EESP_PHASES);
		cr_assert(n && n->generation == 4);
		cr_assert(same32(ike_pk_ring_current(r[i])->send, old_send[i]));
	}
	cr_assert_eq(eesp_ring_rotate(&gk), EESP_E_OK);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(ike_pk_ring_sync(r[i], IKE_PRF_HMAC_SHA2_256, sk[i], 32, &gk),
			     IKE_E_OK);
		const struct ike_pk_gen *c = ike_pk_ring_current(r[i]), *prev;
		cr_assert(c && c->generation == 4);
		cr_assert(!same32(c->send, old_send[i]), "pair %u kept its sending key", i);
		cr_assert(!same32(c->recv, old_recv[i]), "pair %u kept its receiving key", i);
		/* a peer that has not switched yet still sends with generation 3 */
		prev = ike_pk_ring_by_phase(r[i], 3 % EESP_PHASES);
		cr_assert(prev && prev->generation == 3);
		cr_assert(same32(prev->recv, old_recv[i]), "previous pair key kept");
		cr_assert_null(ike_pk_ring_by_phase(r[i], 2 % EESP_PHASES), "gen 2 rotated out");
	}
	eesp_ring_retire_previous(&gk);
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(ike_pk_ring_sync(r[i], IKE_PRF_HMAC_SHA2_256, sk[i], 32, &gk),
			     IKE_E_OK);
		cr_assert_null(ike_pk_ring_by_phase(r[i], 3 % EESP_PHASES), "retired: dropped");
		ike_pk_ring_free(r[i]);
	}
}

/* Each field of ctx, and each key, changes the result. */
Test(ike_pairkey, every_input_is_bound)
{
	uint8_t sk_d[32], gk[32], base[2][32], k[2][32];
	uint8_t si[8], sr[8];
	struct ike_pk_pair p, q;

	vec_sk_d(sk_d);
	HEX(gk3_hex, gk);
	pair_of(&p, NODE_A, NODE_B);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, gk, &p, 3, base), IKE_E_OK);
	for (unsigned v = 0; v < 7; v++) {
		uint8_t sk2[32], gk2[32];
		uint32_t gen = 3;
		memcpy(sk2, sk_d, 32);
		memcpy(gk2, gk, 32);
		memcpy(si, spi_i, 8);
		memcpy(sr, spi_r, 8);
		q = p;
		switch (v) {
		case 0:
			q.spi_i[7] ^= 1;
			break;
		case 1:
			q.spi_r[0] ^= 0x80;
			break;
		case 2:
			q.node_lo = NODE_A - 1;
			break;
		case 3:
			q.node_hi = NODE_C;
			break;
		case 4:
			q.group_id = GROUP + 1;
			break;
		case 5:
			gen = 7; /* same phase as 3: the generation, not the phase, is bound */
			break;
		case 6:
			memcpy(q.spi_i, sr, 8); /* SPIs swapped */
			memcpy(q.spi_r, si, 8);
			break;
		}
		cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk2, 32, gk2, &q, gen, k),
			     IKE_E_OK);
		cr_assert(!same32(k[0], base[0]) && !same32(k[1], base[1]), "input %u not bound",
			  v);
	}
}

Test(ike_pairkey, refusals)
{
	uint8_t sk_d[64] = {0}, gk[32] = {0}, k[2][32], h[64];
	struct ike_pk_pair p;
	struct ike_pk_ring *r = ike_pk_ring_new();
	struct eesp_ring ring;

	cr_assert(r);
	cr_assert_eq(ike_pk_pair_init(&p, spi_i, spi_r, NODE_A, NODE_A, GROUP), IKE_E_INVALID);
	pair_of(&p, NODE_A, NODE_B);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_512, sk_d, 64, gk, &p, 1, k),
		     IKE_E_UNSUPPORTED);
	cr_assert_eq(ike_pk_pair_half(IKE_PRF_HMAC_SHA1, sk_d, 20, &p, 1, h), IKE_E_UNSUPPORTED);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 64, gk, &p, 1, k), IKE_E_INVALID);
	cr_assert_eq(ike_pk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 16, gk, &p, 1, k), IKE_E_INVALID);
	cr_assert_eq(ike_pk_ring_init(r, &p, NODE_C), IKE_E_INVALID, "self outside the pair");
	cr_assert_eq(ike_pk_ring_init(r, &p, NODE_B), IKE_E_OK);
	group_ring(&ring);
	cr_assert_eq(ike_pk_ring_sync(r, IKE_PRF_HMAC_SHA2_256, sk_d, 32, &ring), IKE_E_OK);
	cr_assert_not_null(ike_pk_ring_current(r));
	ring.id = GROUP + 1; /* another group's ring */
	cr_assert_eq(ike_pk_ring_sync(r, IKE_PRF_HMAC_SHA2_256, sk_d, 32, &ring), IKE_E_INVALID);
	cr_assert_null(ike_pk_ring_current(r), "a refused sync leaves no key behind");
	ring.id = GROUP;
	cr_assert_eq(ike_pk_ring_sync(r, IKE_PRF_HMAC_SHA2_512, sk_d, 64, &ring),
		     IKE_E_UNSUPPORTED);
	cr_assert_null(ike_pk_ring_by_phase(r, 2));
	ike_pk_ring_free(r);
}
