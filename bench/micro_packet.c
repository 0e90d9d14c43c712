// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * micro_packet.c - whole-packet eesp_seal and eesp_parse+eesp_open with a cached
 * key, and the cost of the data-key cache lookup itself.
 */
#include "micro_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bench_packet(void)
{
	enum { K = 4096 };
	static uint8_t inner[PKT];
	static uint8_t pkts[K][PKT + 128];
	static size_t lens[K];
	struct eesp_crypto *tx = eesp_crypto_new(64), *rx = eesp_crypto_new(DKCACHE);
	struct eesp_hdr_params p;
	double ts[REPS], to[REPS];
	uint64_t sn = 1;
	int err;

	if (!tx || !rx)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	inner_packet(inner, PKT);
	params(&p, 2, 1, sn);
	for (int r = 0; r < REPS; r++) {
		double t0 = now_ns();
		for (int i = 0; i < K; i++) {
			p.sn = sn++;
			if ((err = eesp_seal(tx, &dom, &p, inner, PKT, pkts[i], sizeof(pkts[i]),
					     &lens[i])))
				die("eesp_seal", err);
		}
		double t1 = now_ns();
		for (int i = 0; i < K; i++) {
			struct eesp_view v;
			size_t off, ilen;
			if ((err = eesp_parse(pkts[i], lens[i], 0, &v)))
				die("eesp_parse", err);
			if ((err = eesp_open(rx, &dom, 0, pkts[i], lens[i], &v, &off, &ilen)))
				die("eesp_open", err);
			if (ilen != PKT)
				die("eesp_open length", EESP_E_BAD_INNER);
		}
		double t2 = now_ns();
		ts[r] = (t1 - t0) / K;
		to[r] = (t2 - t1) / K;
	}
	printf("packet_seal_ns %.1f ns  # eesp_seal %d B inner, node profile, cached key\n",
	       fastest(ts, REPS), PKT);
	printf("packet_open_ns %.1f ns  # eesp_parse + eesp_open, cached key\n", fastest(to, REPS));
	eesp_crypto_free(tx);
	eesp_crypto_free(rx);
}

/* Cached lookup: the same parameters again and again through one eesp_crypto. */
void bench_cached(void)
{
	/*
	 * The data-key cache has no lookup call of its own, so its cost is
	 * measured as a difference of two public paths on the same 64-byte
	 * packet: eesp_seal (root lookup, master identity, SCTX and KDF
	 * context encoding, hash, cache hit) minus eesp_seal_with_key (the
	 * same AEAD context reused, after a 16-byte key compare).  The hit counter must grow by
	 * one per eesp_seal, and both paths must produce identical packets.
	 */
	enum { M = 50000 };
	double tc[AEAD_REPS], tk[AEAD_REPS];
	uint8_t inner[64], o1[256], o2[256];
	size_t l1, l2;
	int err;
	struct eesp_crypto *cr = eesp_crypto_new(DKCACHE), *ck = eesp_crypto_new(DKCACHE);
	struct eesp_crypto_stats s0, s1;
	struct eesp_hdr_params p;
	struct eesp_dkey dk;

	if (!cr || !ck)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	inner_packet(inner, sizeof(inner));
	params(&p, 9, 3, 1);
	if ((err = eesp_data_key_for(cr, &dom, &p, &dk)))
		die("eesp_data_key_for", err);
	if ((err = eesp_seal(cr, &dom, &p, inner, sizeof(inner), o1, sizeof(o1), &l1)) ||
	    (err = eesp_seal_with_key(ck, &dk, &p, inner, sizeof(inner), o2, sizeof(o2), &l2)))
		die("eesp_seal/eesp_seal_with_key", err);
	if (l1 != l2 || memcmp(o1, o2, l1)) {
		fprintf(stderr, "bench_micro: eesp_seal and eesp_seal_with_key disagree\n");
		exit(1);
	}
	eesp_crypto_stats(cr, &s0);
	for (int r = 0; r < AEAD_REPS; r++) {
		for (int half = 0; half < 2; half++) {
			bool cached = (half == 0) == (r % 2 == 0);
			double t0 = now_ns();
			for (int i = 0; i < M; i++) {
				p.sn = (uint64_t)i + 2;
				if (cached)
					eesp_seal(cr, &dom, &p, inner, sizeof(inner), o1,
						  sizeof(o1), &l1);
				else
					eesp_seal_with_key(ck, &dk, &p, inner, sizeof(inner), o2,
							   sizeof(o2), &l2);
			}
			(cached ? tc : tk)[r] = (now_ns() - t0) / M;
		}
	}
	eesp_crypto_stats(cr, &s1);
	double a = fastest(tc, AEAD_REPS), b = fastest(tk, AEAD_REPS);
	bool hit =
	    s1.dk_hits - s0.dk_hits == (uint64_t)M * AEAD_REPS && s1.dk_misses == s0.dk_misses;
	printf("seal64_cached_ns %.1f ns  # eesp_seal, 64 B inner, key from the cache\n", a);
	printf("seal64_withkey_ns %.1f ns  # eesp_seal_with_key, 64 B inner, same AEAD context\n",
	       b);
	printf("cached_lookup_ns %.1f ns  # difference of the two = data-key cache lookup; "
	       "dk_hits +%" PRIu64 ", dk_misses +%" PRIu64 "%s\n",
	       a - b, s1.dk_hits - s0.dk_hits, s1.dk_misses - s0.dk_misses,
	       hit ? "" : " (NOT all served from the cache)");
	eesp_crypto_free(cr);
	eesp_crypto_free(ck);
}
