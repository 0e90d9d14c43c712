// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * micro_rss.c - receiver memory (/proc/self/statm) after opening packets from
 * 1 k, 100 k and 1 M distinct sender node ids through one eesp_crypto.
 */
#include "micro_common.h"

#include <inttypes.h>
#include <stdio.h>

/* Receiver memory with many distinct senders: sender crypto with a tiny cache,
 * receiver with the DKCACHE bound; every packet has a new node id. */
void bench_rss(void)
{
	static const uint32_t marks[] = {1000, 100000, 1000000};
	struct eesp_crypto *tx = eesp_crypto_new(16), *rx = eesp_crypto_new(DKCACHE);
	uint8_t inner[64], pkt[256];
	struct eesp_hdr_params p;
	struct eesp_crypto_stats st;
	double open_ns = 0;
	uint32_t node = 1, opened = 0;
	int err;

	if (!tx || !rx)
		die("eesp_crypto_new", EESP_E_CRYPTO);
	inner_packet(inner, sizeof(inner));
	/* warm up both (fetches, first allocations) before the baseline */
	for (int i = 0; i < 2; i++) {
		size_t len, off, il;
		struct eesp_view v;
		params(&p, 0xFFFF0000u + (uint32_t)i, 1, 1);
		if ((err = eesp_seal(tx, &dom, &p, inner, sizeof(inner), pkt, sizeof(pkt), &len)))
			die("eesp_seal", err);
		if ((err = eesp_parse(pkt, len, 0, &v)) ||
		    (err = eesp_open(rx, &dom, 0, pkt, len, &v, &off, &il)))
			die("eesp_open (warm-up)", err);
	}
	printf("rss_base_kib %ld KiB  # receiver process before traffic (cache bound %d)\n",
	       rss_kib(), DKCACHE);
	for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
		for (; node <= marks[m]; node++) {
			size_t len, off, il;
			struct eesp_view v;
			params(&p, node + 16, 1, 1);
			if ((err = eesp_seal(tx, &dom, &p, inner, sizeof(inner), pkt, sizeof(pkt),
					     &len)))
				die("eesp_seal", err);
			double t0 = now_ns();
			if ((err = eesp_parse(pkt, len, 0, &v)) ||
			    (err = eesp_open(rx, &dom, 0, pkt, len, &v, &off, &il)))
				die("eesp_open (distinct senders)", err);
			open_ns += now_ns() - t0;
			opened++;
		}
		printf("rss_%u_kib %ld KiB  # after opening packets from %u distinct node ids\n",
		       marks[m], rss_kib(), marks[m]);
	}
	eesp_crypto_stats(rx, &st);
	printf("miss_open_ns %.1f ns  # parse+open of a 64 B packet from a new sender (derive, key "
	       "setup, AEAD)\n",
	       open_ns / opened);
	printf("# receiver cache: hits %" PRIu64 " misses %" PRIu64 " evictions %" PRIu64
	       " master derivations %" PRIu64 "\n",
	       st.dk_hits, st.dk_misses, st.dk_evictions, st.master_derivations);
	eesp_crypto_free(tx);
	eesp_crypto_free(rx);
}
