/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pcapfile.c - pcap reader/writer, frame build/parse, checksums.
 * Known bytes: the 74-byte cleartext frame of psp.md §3.7, RFC 1071's
 * checksum example, and (when ../shared is present) the public PSP pcaps.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"
#include "wire.h"

static size_t pf_unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;

	while (hex[0] && hex[1]) {
		unsigned b;

		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		cr_assert(n < cap);
		cr_assert_eq(sscanf(hex, "%2x", &b), 1);
		out[n++] = (uint8_t)b;
		hex += 2;
	}
	return n;
}

/* psp.md §3.7: Eth + IPv4 10.0.0.1 -> 10.0.0.2, UDP 11111 -> 22222, payload 00..1f */
static const char cleartext_hex[] =
    "008899aabb0000223344550008004500003c00004000401126af0a0000010a0000022b6756ce00287865"
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static struct udp_frame_params cleartext_params(void)
{
	struct udp_frame_params p = {
	    .family = 4,
	    .src = {10, 0, 0, 1},
	    .dst = {10, 0, 0, 2},
	    .sport = 11111,
	    .dport = 22222,
	    .src_mac = {0x00, 0x22, 0x33, 0x44, 0x55, 0x00},
	    .dst_mac = {0x00, 0x88, 0x99, 0xaa, 0xbb, 0x00},
	};
	return p;
}

Test(frame, build_psp_cleartext_byte_exact)
{
	uint8_t want[128], out[128], pl[32];
	struct udp_frame_params p = cleartext_params();
	size_t wn = pf_unhex(want, sizeof(want), cleartext_hex);

	for (int i = 0; i < 32; i++)
		pl[i] = (uint8_t)i;
	cr_assert_eq(wn, 74);
	cr_assert_eq(frame_build_udp(out, sizeof(out), &p, pl, 32), 74);
	cr_assert_arr_eq(out, want, 74);
	cr_assert_eq(frame_build_udp(out, 73, &p, pl, 32), 0);
	/* same without Ethernet */
	cr_assert_eq(ip_build_udp(out, sizeof(out), &p, pl, 32), 60);
	cr_assert_arr_eq(out, want + 14, 60);
	/* zero checksum as PSP senders do */
	p.zero_csum = true;
	cr_assert_eq(ip_build_udp(out, sizeof(out), &p, pl, 32), 60);
	cr_assert_eq(out[26], 0);
	cr_assert_eq(out[27], 0);
}

Test(frame, parse_psp_cleartext)
{
	uint8_t f[128];
	struct frame_view v;
	size_t n = pf_unhex(f, sizeof(f), cleartext_hex);

	cr_assert_eq(frame_parse(f, n, true, &v), 0);
	cr_assert_eq(v.family, 4);
	cr_assert_eq(v.l3_off, 14);
	cr_assert_eq(v.l3_hdr_len, 20);
	cr_assert_eq(v.l4_off, 34);
	cr_assert_eq(v.proto, 17);
	cr_assert_eq(v.src, f + 26);
	cr_assert_eq(v.dst, f + 30);
	cr_assert_eq(v.sport, 11111);
	cr_assert_eq(v.dport, 22222);
	cr_assert_eq(v.payload_off, 42);
	cr_assert_eq(v.payload_len, 32);
	cr_assert_eq(v.ip_len, 60);
	/* raw IP input */
	cr_assert_eq(frame_parse(f + 14, n - 14, false, &v), 0);
	cr_assert_eq(v.l3_off, 0);
	cr_assert_eq(v.payload_off, 28);
	/* an Ethernet trailer (padding) after the IP packet is fine */
	memset(f + n, 0, 10);
	cr_assert_eq(frame_parse(f, n + 10, true, &v), 0);
	cr_assert_eq(v.payload_len, 32);
}

Test(frame, parse_rejections)
{
	uint8_t f[128], g[128];
	struct frame_view v;
	size_t n = pf_unhex(f, sizeof(f), cleartext_hex);

	for (size_t l = 0; l < n; l++)
		cr_assert_eq(frame_parse(f, l, true, &v), -1, "len %zu", l);
	memcpy(g, f, n);
	g[12] = 0x88; /* ethertype 0x88 00: not IP */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	memcpy(g, f, n);
	g[14] = 0x65; /* ethertype IPv4 but version 6 */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	memcpy(g, f, n);
	g[14] = 0x44; /* IHL 4 */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	memcpy(g, f, n);
	g[14] = 0x4f; /* IHL 15 = 60 bytes > what the packet holds as header+UDP */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	memcpy(g, f, n);
	g[17] = 0x3d; /* total length 61 > 60 */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	g[17] = 0x13; /* total length 19 < header */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	memcpy(g, f, n);
	g[39] = 0x07; /* UDP length 7 */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	g[39] = 0x29; /* UDP length 41 > 40 */
	cr_assert_eq(frame_parse(g, n, true, &v), -1);
	g[39] = 0x20; /* UDP length 32: shorter than the IP payload, accepted */
	cr_assert_eq(frame_parse(g, n, true, &v), 0);
	cr_assert_eq(v.payload_len, 24);
	/* non-first fragment: no ports */
	memcpy(g, f, n);
	g[20] = 0x00;
	g[21] = 0x10;
	cr_assert_eq(frame_parse(g, n, true, &v), 0);
	cr_assert_eq(v.sport, 0);
	cr_assert_eq(v.payload_len, 0);
	/* raw mode, not IP */
	g[14] = 0x20;
	cr_assert_eq(frame_parse(g + 14, n - 14, false, &v), -1);
}

Test(frame, vlan_options_tcp_ipv6)
{
	uint8_t f[256], g[256];
	struct frame_view v;
	struct udp_frame_params p = cleartext_params();
	uint8_t pl[16] = {1, 2, 3};
	size_t n;

	/* one 802.1Q tag */
	n = frame_build_udp(f, sizeof(f), &p, pl, sizeof(pl));
	memcpy(g, f, 12);
	g[12] = 0x81;
	g[13] = 0x00;
	g[14] = 0x00;
	g[15] = 0x05;
	memcpy(g + 16, f + 12, n - 12);
	cr_assert_eq(frame_parse(g, n + 4, true, &v), 0);
	cr_assert_eq(v.l3_off, 18);
	cr_assert_eq(v.dport, 22222);
	cr_assert_eq(v.payload_len, 16);
	/* two tags are not supported */
	memmove(g + 16, g + 12, n - 8);
	cr_assert_eq(frame_parse(g, n + 8, true, &v), -1);

	/* IPv4 with 4 bytes of options (IHL 6) */
	n = ip_build_udp(f, sizeof(f), &p, pl, sizeof(pl));
	memcpy(g, f, 20);
	g[0] = 0x46;
	g[3] = (uint8_t)(g[3] + 4);
	memset(g + 20, 1, 4); /* NOPs */
	memcpy(g + 24, f + 20, n - 20);
	ipv4_fix_checksum(g);
	cr_assert_eq(inet_checksum(g, 24, 0), 0);
	cr_assert_eq(frame_parse(g, n + 4, false, &v), 0);
	cr_assert_eq(v.l3_hdr_len, 24);
	cr_assert_eq(v.l4_off, 24);
	cr_assert_eq(v.payload_off, 32);
	cr_assert_eq(v.sport, 11111);

	/* TCP: ports, needs 20 bytes */
	g[9] = 6;
	cr_assert_eq(frame_parse(g, n + 4, false, &v), 0);
	cr_assert_eq(v.proto, 6);
	cr_assert_eq(v.sport, 11111);
	cr_assert_eq(v.payload_len, 0);
	g[3] = (uint8_t)(g[3] - 8); /* 16 bytes of L4 */
	cr_assert_eq(frame_parse(g, n + 4, false, &v), -1);

	/* IPv6 */
	p.family = 6;
	memset(p.src, 0, 16);
	memset(p.dst, 0, 16);
	p.src[0] = 0x20, p.src[1] = 0x01, p.src[2] = 0x0d, p.src[3] = 0xb8, p.src[15] = 1;
	p.dst[0] = 0x20, p.dst[1] = 0x01, p.dst[2] = 0x0d, p.dst[3] = 0xb8, p.dst[15] = 2;
	n = frame_build_udp(f, sizeof(f), &p, pl, sizeof(pl));
	cr_assert_eq(n, 14 + 40 + 8 + 16);
	cr_assert_eq(f[12], 0x86);
	cr_assert_eq(f[13], 0xdd);
	cr_assert_eq(frame_parse(f, n, true, &v), 0);
	cr_assert_eq(v.family, 6);
	cr_assert_eq(v.l4_off, 54);
	cr_assert_eq(v.ip_len, 64);
	cr_assert_eq(v.payload_len, 16);
	cr_assert_arr_eq(v.src, p.src, 16);
	cr_assert_arr_eq(v.dst, p.dst, 16);
	/* UDP checksum over the pseudo-header verifies to 0 */
	{
		uint32_t s = 0;

		for (int i = 0; i < 32; i += 2)
			s += (uint32_t)(f[22 + i] << 8 | f[23 + i]);
		s += 17 + 24;
		cr_assert_eq(inet_checksum(f + 54, 24, s), 0);
		cr_assert_neq(f[60] | f[61], 0);
	}
	f[19]++; /* payload length past the frame */
	cr_assert_eq(frame_parse(f, n, true, &v), -1);
}

/* RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2; checksum 220d. */
Test(frame, rfc1071_checksum)
{
	const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};

	cr_assert_eq(inet_checksum(b, sizeof(b), 0), 0x220d);
	/* odd length: last byte padded: 0001+f203+f4f5+f600 = 2dcf9 -> dcfb */
	cr_assert_eq(inet_checksum(b, 7, 0), 0x2304);
	/* a partial sum carried in */
	cr_assert_eq(inet_checksum(b, 8, 0x0001), 0x220c);
}

/* ---------------------------------------------------------------- pcap -- */

Test(pcap, write_read_round_trip)
{
	struct pcap_writer w;
	struct pcap_reader r;
	struct pcap_rec rec;
	uint8_t d[300];

	for (size_t i = 0; i < sizeof(d); i++)
		d[i] = (uint8_t)i;
	cr_assert_eq(pcap_writer_init(&w, PCAP_LINKTYPE_ETHERNET, 65535), 0);
	cr_assert_eq(w.len, 24);
	/* little-endian microsecond magic */
	cr_assert_eq(w.buf[0], 0xd4);
	cr_assert_eq(w.buf[3], 0xa1);
	cr_assert_eq(pcap_writer_add(&w, 100, 5, d, 60), 0);
	cr_assert_eq(pcap_writer_add(&w, 101, 999999, d, 300), 0);
	cr_assert_eq(pcap_writer_add(&w, 102, 0, d, 0), 0);
	cr_assert_eq(pcap_writer_add(&w, 102, 1000000, d, 1), -1);
	cr_assert_eq(w.len, 24 + 3 * 16 + 360);

	cr_assert_eq(pcap_reader_init(&r, w.buf, w.len), 0);
	cr_assert(!r.swapped);
	cr_assert(!r.nsec);
	cr_assert_eq(r.linktype, PCAP_LINKTYPE_ETHERNET);
	cr_assert_eq(r.snaplen, 65535);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(rec.ts_sec, 100);
	cr_assert_eq(rec.ts_frac, 5);
	cr_assert_eq(rec.caplen, 60);
	cr_assert_eq(rec.origlen, 60);
	cr_assert_arr_eq(rec.data, d, 60);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(rec.caplen, 300);
	cr_assert_arr_eq(rec.data, d, 300);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(rec.caplen, 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), 0);

	/* truncated last record */
	cr_assert_eq(pcap_reader_init(&r, w.buf, w.len - 17), 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(pcap_reader_next(&r, &rec), -1);
	/* truncated record header */
	cr_assert_eq(pcap_reader_init(&r, w.buf, 24 + 15), 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), -1);
	/* truncated global header, bad magic, bad version */
	cr_assert_eq(pcap_reader_init(&r, w.buf, 23), -1);
	w.buf[0] ^= 1;
	cr_assert_eq(pcap_reader_init(&r, w.buf, w.len), -1);
	w.buf[0] ^= 1;
	w.buf[4] = 1;
	cr_assert_eq(pcap_reader_init(&r, w.buf, w.len), -1);
	w.buf[4] = 2;
	/* caplen above the file's snaplen */
	/* snaplen 65535 -> 200 (little-endian) */
	w.buf[16] = 200;
	w.buf[17] = 0;
	cr_assert_eq(pcap_reader_init(&r, w.buf, w.len), 0);
	cr_assert_eq(r.snaplen, 200);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(pcap_reader_next(&r, &rec), -1);
	pcap_writer_free(&w);
	cr_assert_null(w.buf);
}

/* Big-endian nanosecond file, written by hand. */
Test(pcap, big_endian_nsec_and_limits)
{
	uint8_t f[24 + 16 + 4] = {
	    0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 101,
	    /* record: sec 7, nsec 999999999, caplen 4, origlen 1500 */
	    0, 0, 0, 7, 0x3b, 0x9a, 0xc9, 0xff, 0, 0, 0, 4, 0, 0, 0x05, 0xdc, 0x45, 0, 0, 0};
	struct pcap_reader r;
	struct pcap_rec rec;

	cr_assert_eq(pcap_reader_init(&r, f, sizeof(f)), 0);
	cr_assert(r.swapped);
	cr_assert(r.nsec);
	cr_assert_eq(r.linktype, PCAP_LINKTYPE_RAW);
	cr_assert_eq(r.snaplen, 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(rec.ts_sec, 7);
	cr_assert_eq(rec.ts_frac, 999999999u);
	cr_assert_eq(rec.caplen, 4);
	cr_assert_eq(rec.origlen, 1500);
	cr_assert_eq(rec.data[0], 0x45);
	cr_assert_eq(pcap_reader_next(&r, &rec), 0);
	/* nanoseconds out of range */
	f[31] = 0x00;
	f[30] = 0xca; /* 0x3b9aca00 = 10^9 */
	cr_assert_eq(pcap_reader_init(&r, f, sizeof(f)), 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), -1);
	f[30] = 0xc9;
	/* caplen above PCAP_MAX_SNAPLEN (snaplen 0 means the cap) */
	f[33] = 0x04; /* caplen 0x00040004 */
	cr_assert_eq(pcap_reader_init(&r, f, sizeof(f)), 0);
	cr_assert_eq(pcap_reader_next(&r, &rec), -1);
	/* little-endian nsec magic is accepted too */
	{
		uint8_t g[24] = {0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0};

		cr_assert_eq(pcap_reader_init(&r, g, sizeof(g)), 0);
		cr_assert(!r.swapped);
		cr_assert(r.nsec);
		cr_assert_eq(pcap_reader_next(&r, &rec), 0);
	}
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!fp)
		return NULL;
	cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	cr_assert(n > 0);
	rewind(fp);
	b = malloc((size_t)n);
	cr_assert_not_null(b);
	cr_assert_eq(fread(b, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return b;
}

/* the public PSP reference pcaps (google/psp), relative to the repository root */
#define PSP_VEC "tests/data/psp-public/"

Test(pcap, psp_public_cleartext)
{
	size_t len;
	uint8_t *b = slurp(PSP_VEC "psp_v4_cleartext.pcap", &len);
	struct pcap_reader r;
	struct pcap_rec rec;
	struct frame_view v;

	cr_assert_not_null(b, PSP_VEC
			   "psp_v4_cleartext.pcap not found (run from the repository root)");
	cr_assert_eq(pcap_reader_init(&r, b, len), 0);
	cr_assert_eq(r.linktype, PCAP_LINKTYPE_ETHERNET);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert_eq(rec.caplen, 1434);
	cr_assert_eq(frame_parse(rec.data, rec.caplen, true, &v), 0);
	cr_assert_eq(v.family, 4);
	cr_assert_eq(v.src[3], 1);
	cr_assert_eq(v.dst[3], 2);
	cr_assert_eq(v.sport, 11111);
	cr_assert_eq(v.dport, 22222);
	cr_assert_eq(v.payload_len, 1392);
	for (size_t i = 0; i < v.payload_len; i++)
		cr_assert_eq(rec.data[v.payload_off + i], (uint8_t)i, "payload byte %zu", i);
	cr_assert_eq(pcap_reader_next(&r, &rec), 0);
	free(b);
}

/* The encrypted public vectors: outer frame, PSP header and regions as in
 * the psp.md §3.7 table (frame bytes, AAD and CT lengths). */
Test(pcap, psp_public_encrypted_regions)
{
	static const struct {
		const char *file;
		size_t frame, aad, ct;
		unsigned ver, co;
		bool vc;
	} cases[] = {
	    {PSP_VEC "psp_v4_encrypt_transport_crypt_off_128.pcap", 1474, 20, 1396, 0, 1, false},
	    {PSP_VEC "psp_v4_encrypt_transport_crypt_off_128_vc.pcap", 1482, 28, 1396, 0, 3, true},
	    {PSP_VEC "psp_v4_encrypt_transport_crypt_off_256.pcap", 1474, 20, 1396, 1, 1, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *b = slurp(cases[i].file, &len);
		struct pcap_reader r;
		struct pcap_rec rec;
		struct frame_view fv;
		struct psp_view pv;

		cr_assert_not_null(b, "%s not found (run from the repository root)", cases[i].file);
		cr_assert_eq(pcap_reader_init(&r, b, len), 0);
		cr_assert_eq(pcap_reader_next(&r, &rec), 1);
		cr_assert_eq(rec.caplen, cases[i].frame);
		cr_assert_eq(frame_parse(rec.data, rec.caplen, true, &fv), 0);
		cr_assert_eq(fv.dport, PSP_UDP_PORT);
		cr_assert_eq(fv.sport, 11111 ^ 22222);
		cr_assert_eq(psp_parse(rec.data + fv.payload_off, fv.payload_len, &pv), EESP_E_OK);
		cr_assert_eq(pv.spi, 0x9a345678u);
		cr_assert_eq(pv.iv, 1);
		cr_assert_eq(pv.next_hdr, 17);
		cr_assert_eq(pv.version, cases[i].ver);
		cr_assert_eq(pv.crypt_off, cases[i].co);
		cr_assert_eq(pv.v, cases[i].vc);
		cr_assert_eq(pv.aad_len, cases[i].aad);
		cr_assert_eq(pv.ct_len, cases[i].ct);
		free(b);
	}
}
