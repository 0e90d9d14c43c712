/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_train.c - the GSO train rule of eesp_proto.h (eesp_train_stride and
 * the header-derived minimum datagram): trains of 2..64 real sealed EESP and
 * PSP datagrams split at their stride (last one shorter or equal) and every
 * piece opens; single datagrams and random bytes are not split; min_dgram
 * edge cases.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eesp_proto.h"
#include "keys.h"
#include "packet.h"
#include "pcapfile.h"
#include "testdomain.h"

#define TRAIN_CAP 65536

static const char *KEYS =
    "domain 0xC0FFEE01\n"
    "domain 0 8 0808080808080808080808080808080808080808080808080808080808080808\n";

static const uint8_t PSPKEY[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
				   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void setup(void)
{
	th_domain_setup(KEYS);
}

TestSuite(train, .init = setup, .fini = th_domain_teardown);

static uint32_t rng = 0x2545f491u;
static uint32_t xs(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* An inner IPv4/UDP packet of exactly total bytes (>= 28). */
static size_t inner_pkt(uint8_t *out, size_t cap, size_t total, unsigned seq)
{
	uint8_t payload[2048];
	struct udp_frame_params p = {.family = 4, .sport = 40000, .dport = 5201};
	cr_assert(total >= 28 && total - 28 <= sizeof(payload));
	memcpy(p.src, (uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(p.dst, (uint8_t[]){192, 0, 2, 2}, 4);
	for (size_t i = 0; i < total - 28; i++)
		payload[i] = (uint8_t)(i + seq);
	size_t n = ip_build_udp(out, cap, &p, payload, total - 28);
	cr_assert_eq(n, total);
	return n;
}

static struct eesp_hdr_params eparams(unsigned co, uint64_t sn)
{
	struct eesp_hdr_params p = {
	    .session_id = 7, .spi = DOM, .sn = sn, .crypt_offset = (uint8_t)co};
	p.sctx.profile = EESP_PROFILE_NODE;
	p.sctx.kdf = EESP_KDF_CMAC_AES256;
	p.sctx.suite = EESP_SUITE_AES_GCM_256;
	p.sctx.epoch = 100;
	p.sctx.node_id = 1;
	return p;
}

/* One sealed datagram carrying an inner packet of inner_len bytes. */
static size_t seal_one(bool psp, unsigned co, uint64_t sn, size_t inner_len, uint8_t *out,
		       size_t cap)
{
	uint8_t inner[2048];
	size_t il = inner_pkt(inner, sizeof(inner), inner_len, (unsigned)sn), n = 0;
	int rc;
	if (psp) {
		struct psp_hdr_params p = {.next_hdr = 4,
					   .crypt_off = (uint8_t)co,
					   .version = 1,
					   .spi = 0x9a345678,
					   .iv = sn};
		rc = psp_seal_with_key(C, PSPKEY, &p, inner, il, out, cap, &n);
	} else {
		struct eesp_hdr_params p = eparams(co, sn);
		rc = eesp_seal(C, &D, &p, inner, il, out, cap, &n);
	}
	cr_assert_eq(rc, EESP_E_OK, "seal: %s", eesp_err_name(rc));
	return n;
}

static int open_one(bool psp, uint8_t *pkt, size_t len)
{
	size_t io, il;
	if (psp) {
		struct psp_view v;
		int rc = psp_parse(pkt, len, &v);
		return rc ? rc : psp_open_with_key(C, PSPKEY, 32, pkt, len, &v, &io, &il);
	}
	struct eesp_view v;
	int rc = eesp_parse(pkt, len, 63, &v);
	return rc ? rc : eesp_open(C, &D, 100, pkt, len, &v, &io, &il);
}

static size_t min_for(bool psp, const uint8_t *p, size_t len)
{
	return psp ? psp_train_min_dgram(p, len) : eesp_train_min_dgram(p, len);
}

/*
 * n datagrams of inner_len bytes, the last one of last_inner bytes, laid end
 * to end as eespd's GSO send does; the rule must find the stride, and every
 * piece must open.
 */
static void one_train(bool psp, unsigned co, unsigned n, size_t inner_len, size_t last_inner)
{
	static uint8_t buf[TRAIN_CAP], piece[2048];
	size_t off = 0, s = 0, last = 0;
	uint64_t sn = 1000 + xs() % 100000;
	for (unsigned i = 0; i < n; i++) {
		size_t l = seal_one(psp, co, sn + i, i + 1 == n ? last_inner : inner_len, buf + off,
				    sizeof(buf) - off);
		if (i == 0)
			s = l;
		else if (i + 1 < n)
			cr_assert_eq(l, s);
		last = l;
		off += l;
	}
	cr_assert(last <= s);
	size_t min = min_for(psp, buf, off);
	cr_assert(min >= (psp ? PSP_TRAIN_MIN_DGRAM : EESP_TRAIN_MIN_DGRAM));
	size_t got = eesp_train_stride(buf, off, min);
	cr_assert_eq(got, s, "%s co %u: %u datagrams of %zu (last %zu): stride %zu, want %zu",
		     psp ? "psp" : "eesp", co, n, s, last, got, s);
	/* the constant minimum finds the same stride */
	cr_assert_eq(eesp_train_stride(buf, off, psp ? PSP_TRAIN_MIN_DGRAM : EESP_TRAIN_MIN_DGRAM),
		     s);
	unsigned pieces = 0;
	for (size_t k = 0; k < off; k += got, pieces++) {
		size_t l = off - k < got ? off - k : got;
		memcpy(piece, buf + k, l);
		int rc = open_one(psp, piece, l);
		cr_assert_eq(rc, EESP_E_OK, "datagram %u of %u: %s", pieces + 1, n,
			     eesp_err_name(rc));
	}
	cr_assert_eq(pieces, n);
}

Test(train, real_trains_2_to_64)
{
	unsigned count = 0;
	for (int psp = 0; psp <= 1; psp++)
		for (unsigned n = 2; n <= 64; n++) {
			/* datagrams sized so the train stays within a 64 KiB super-packet */
			size_t inner = 60000 / n - 100;
			if (inner > 1400)
				inner = 1400;
			if (inner < 28)
				inner = 28;
			one_train(psp, 0, n, inner, inner); /* last equal */
			one_train(psp, 0, n, inner,
				  28 + xs() % (inner - 27)); /* last shorter or equal */
			one_train(psp, 0, n, inner, 28);     /* last as short as it gets */
			count += 3;
		}
	cr_assert_eq(count, 2 * 63 * 3);
}

Test(train, real_trains_with_crypt_offset)
{
	/* bytes left in clear by a crypt offset do not change the stride */
	for (int psp = 0; psp <= 1; psp++)
		for (unsigned co = 1; co <= 9; co += 4)
			for (unsigned n = 2; n <= 40; n += 19)
				one_train(psp, co, n, 1200, 100 + co);
}

Test(train, single_datagram_not_split)
{
	static uint8_t buf[16384];
	unsigned count = 0;
	for (int psp = 0; psp <= 1; psp++)
		for (size_t inner = 28; inner <= 2048; inner += 13) {
			size_t l =
			    seal_one(psp, (unsigned)(inner % 3), inner, inner, buf, sizeof(buf));
			cr_assert_eq(eesp_train_stride(buf, l, min_for(psp, buf, l)), l,
				     "a lone %zu-byte datagram was split", l);
			cr_assert_eq(eesp_train_stride(buf, l, 32), l);
			count++;
		}
	cr_assert(count > 300);
}

Test(train, random_bytes_not_split)
{
	static uint8_t buf[65536];
	for (unsigned round = 0; round < 200; round++) {
		size_t len = 1 + xs() % sizeof(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)xs();
		cr_assert_eq(eesp_train_stride(buf, len, 32), len, "round %u", round);
		cr_assert_eq(eesp_train_stride(buf, len, 8), len, "round %u", round);
	}
}

/* a buffer of random bytes with the first 8 bytes repeated at the offsets given */
static void plant(uint8_t *buf, size_t len, const size_t *at, size_t n)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)xs();
	buf[0] = 0x80; /* an EESP first byte */
	for (size_t i = 0; i < n; i++)
		memcpy(buf + at[i], buf, 8);
}

Test(train, min_dgram_edges)
{
	uint8_t b[512];

	/* shorter than two minimal datagrams: never split (nor read) */
	cr_assert_eq(eesp_train_stride(NULL, 0, 32), 0);
	cr_assert_eq(eesp_train_stride(b, 63, 32), 63);

	/* two datagrams of exactly min_dgram */
	plant(b, 64, (size_t[]){32}, 1);
	cr_assert_eq(eesp_train_stride(b, 64, 32), 32);
	cr_assert_eq(eesp_train_stride(b, 63, 32), 63); /* second piece 31 < 32 */
	cr_assert_eq(eesp_train_stride(b, 64, 33), 64); /* stride below min_dgram */

	/* last piece exactly min_dgram is accepted, one byte less is not */
	plant(b, 200, (size_t[]){40, 80}, 2);
	cr_assert_eq(eesp_train_stride(b, 112, 32), 40);
	cr_assert_eq(eesp_train_stride(b, 111, 32), 111);
	cr_assert_eq(eesp_train_stride(b, 120, 32), 40); /* last piece == stride */
	/* 40 would leave a 1-byte piece at 120; 80 (pieces 0 and 80, the last 41) fits */
	cr_assert_eq(eesp_train_stride(b, 121, 32), 80);

	/* the smallest stride wins; all 8 bytes count */
	plant(b, 200, (size_t[]){50, 100, 150}, 3);
	cr_assert_eq(eesp_train_stride(b, 200, 32), 50);
	b[100 + 7] ^= 1; /* datagram 3 differs in its SPI's last byte: 50, 100 fail */
	cr_assert_eq(eesp_train_stride(b, 200, 32), 150); /* 0, 150 (last 50) */
	cr_assert_eq(eesp_train_stride(b, 180, 32), 180); /* 0, 150 (last 30 < 32) */
	b[100 + 7] ^= 1;
	b[150] ^= 0x40;					  /* datagram 4 differs in its first byte */
	cr_assert_eq(eesp_train_stride(b, 200, 32), 100); /* 0, 100 (last 100 bytes) */

	/* min_dgram below 8 counts as 8 (the compared bytes must exist) */
	memset(b, 0xaa, sizeof(b));
	cr_assert_eq(eesp_train_stride(b, 16, 0), 8);
	cr_assert_eq(eesp_train_stride(b, 16, 1), 8);
	cr_assert_eq(eesp_train_stride(b, 15, 0), 15);
	cr_assert_eq(eesp_train_stride(b, 100, 32), 34); /* 0, 34, 68: last piece 32 */
	cr_assert_eq(eesp_train_stride(b, 9, 1), 9);

	/* the constants */
	cr_assert_eq(EESP_TRAIN_MIN_DGRAM, 32);
	cr_assert_eq(PSP_TRAIN_MIN_DGRAM, 32);
}

Test(train, header_derived_minimum)
{
	uint8_t b[2048];
	struct eesp_hdr_params ep = eparams(0, 1);
	size_t hl = eesp_header_len(&ep);

	/* EESP optimized format: header + ICV */
	size_t l = seal_one(false, 0, 1, 100, b, sizeof(b));
	cr_assert_eq(eesp_train_min_dgram(b, l), hl + 16);
	/* full format, crypt offset 7: 28 clear bytes after the header */
	ep = eparams(7, 1);
	hl = eesp_header_len(&ep) - EESP_PIH_LEN; /* the PIH is counted in the 28 */
	l = seal_one(false, 7, 1, 100, b, sizeof(b));
	cr_assert_eq(eesp_train_min_dgram(b, l), hl + 28 + 16);
	/* too short to say: the constant */
	cr_assert_eq(eesp_train_min_dgram(b, 4), EESP_TRAIN_MIN_DGRAM);

	/* PSP: 16-byte header + 4 * crypt offset + ICV; VC header 24 bytes */
	l = seal_one(true, 0, 1, 100, b, sizeof(b));
	cr_assert_eq(psp_train_min_dgram(b, l), 32);
	l = seal_one(true, 5, 1, 100, b, sizeof(b));
	cr_assert_eq(psp_train_min_dgram(b, l), 16 + 20 + 16);
	b[1] = 2; /* Hdr Ext Len 2: a 24-byte header */
	b[2] = 0;
	cr_assert_eq(psp_train_min_dgram(b, l), 40);
	cr_assert_eq(psp_train_min_dgram(b, 3), PSP_TRAIN_MIN_DGRAM);

	/*
	 * Why the header-derived minimum: bytes a crypt offset leaves in clear
	 * can be chosen by whoever sends the inner packet.  Here they repeat the
	 * PSP header half-way into a 300-byte datagram with crypt offset 63: the
	 * constant minimum splits it, the header's (16 + 4 * 63 + 16) does not.
	 */
	l = seal_one(true, 63, 1, 268, b, sizeof(b));
	cr_assert_eq(l, 300);
	memcpy(b + 150, b, 8); /* inside the 252 clear bytes */
	cr_assert_eq(eesp_train_stride(b, l, PSP_TRAIN_MIN_DGRAM), 150);
	cr_assert_eq(psp_train_min_dgram(b, l), 16 + 252 + 16);
	cr_assert_eq(eesp_train_stride(b, l, psp_train_min_dgram(b, l)), l);
}
