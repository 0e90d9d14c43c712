/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_offload.c - TUN offload (src/eespd/offload.c): TCP and UDP GSO
 * super-packets built by hand for IPv4 and IPv6 are split, and every segment
 * is checked on its own against the original: IP length fields, IPv4 IDs and
 * header checksum, TCP sequence numbers and flags, UDP length, the L4
 * checksum over the pseudo header, and the payload bytes put back together.
 * The checksums are verified with an RFC 1071 sum written here (byte-wise,
 * big-endian), independent of the one in offload.c.  Then the refusals,
 * checksum completion (NEEDS_CSUM) and the pseudo-header sum of the GRO
 * direction.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "offload.h"
#include "csumref.h"

#define FIN 0x01
#define SYN 0x02
#define PSH 0x08
#define ACK 0x10
#define ECE 0x40
#define CWR 0x80

/* ------------------------------------------------ independent helpers -- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* ------------------------------------------------------------ builder -- */

struct pk {
	uint8_t b[70000];
	size_t len, iphl, l4hl, pl;
	bool v6;
	unsigned proto;
};

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 7 + (i >> 8) + 3);
}

/* A super-packet as the kernel hands it over: IP length fields covering the
 * whole, L4 checksum field holding junk (the pseudo-header sum really). */
static struct pk *build(bool v6, unsigned proto, size_t pl, size_t ip4opt, size_t tcpopt,
			uint8_t tcpflags)
{
	struct pk *k = calloc(1, sizeof(*k));
	cr_assert_not_null(k);
	uint8_t *p = k->b;
	k->v6 = v6;
	k->proto = proto;
	k->iphl = v6 ? 40 : 20 + ip4opt;
	k->l4hl = proto == 6 ? 20 + tcpopt : 8;
	k->pl = pl;
	k->len = k->iphl + k->l4hl + pl;
	cr_assert_leq(k->len, sizeof(k->b));
	if (v6) {
		p[0] = 0x60;
		p[1] = 0x0a; /* traffic class / flow label, carried as is */
		p[2] = 0xbc;
		p[3] = 0xde;
		put16(p + 4, (unsigned)(k->len - 40));
		p[6] = (uint8_t)proto;
		p[7] = 64;
		/* 2001:db8::1 -> 2001:db8::abcd:2 */
		memset(p + 8, 0, 32);
		put32(p + 8, 0x20010db8);
		p[23] = 1;
		put32(p + 24, 0x20010db8);
		put32(p + 36, 0xabcd0002);
	} else {
		cr_assert_eq(ip4opt % 4, 0);
		p[0] = (uint8_t)(0x40 | k->iphl / 4);
		p[1] = 0x02; /* ECT(0) */
		put16(p + 2, (unsigned)k->len);
		put16(p + 4, 0x1234);
		put16(p + 6, 0x4000); /* DF */
		p[8] = 64;
		p[9] = (uint8_t)proto;
		put16(p + 10, 0xdead); /* wrong on purpose */
		static const uint8_t a[8] = {192, 0, 2, 1, 198, 51, 100, 2};
		memcpy(p + 12, a, 8);
		for (size_t i = 0; i < ip4opt; i++)
			p[20 + i] = 1; /* NOP options */
	}
	uint8_t *l4 = p + k->iphl;
	put16(l4, 40000);
	put16(l4 + 2, proto == 6 ? 443 : 4433);
	if (proto == 6) {
		cr_assert_eq(tcpopt % 4, 0);
		put32(l4 + 4, 0xfffff000u); /* wraps within the first 64 KB */
		put32(l4 + 8, 0x01020304u);
		l4[12] = (uint8_t)((k->l4hl / 4) << 4);
		l4[13] = tcpflags;
		put16(l4 + 14, 501);
		put16(l4 + 16, 0xbeef);
		put16(l4 + 18, 0);
		for (size_t i = 0; i < tcpopt; i++)
			l4[20 + i] = 1;
	} else {
		put16(l4 + 4, (unsigned)((k->l4hl + pl) & 0xffff));
		put16(l4 + 6, 0xbeef);
	}
	for (size_t i = 0; i < pl; i++)
		p[k->iphl + k->l4hl + i] = pat(i);
	return k;
}

/* ---------------------------------------------------------- collector -- */

#define MAXSEG 128
#define SEGCAP 2048

struct col {
	size_t n;
	uint8_t *seg[MAXSEG];
	size_t len[MAXSEG];
	const uint8_t *buf;
	size_t cap;
};

static void collect(void *arg, const uint8_t *pkt, size_t len)
{
	struct col *c = arg;
	cr_assert_lt(c->n, MAXSEG, "too many segments");
	cr_assert_eq(pkt, c->buf, "segment not built in the buffer given");
	cr_assert_leq(len, c->cap, "segment of %zu bytes over the cap %zu", len, c->cap);
	c->seg[c->n] = malloc(len);
	cr_assert_not_null(c->seg[c->n]);
	memcpy(c->seg[c->n], pkt, len);
	c->len[c->n++] = len;
}

static void col_free(struct col *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->seg[i]);
	c->n = 0;
}

static uint8_t segbuf[65536 + 256];

static int split(const struct pk *k, unsigned gso_type, unsigned gso_size, size_t cap,
		 struct col *c)
{
	struct vnet_hdr h = {.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
			     .gso_type = (uint8_t)gso_type,
			     .hdr_len = 7, /* nonsense: must not be used */
			     .gso_size = (uint16_t)gso_size,
			     .csum_start = 3,
			     .csum_offset = 1};
	memset(c, 0, sizeof(*c));
	c->buf = segbuf;
	c->cap = cap;
	cr_assert_leq(cap, sizeof(segbuf));
	uint8_t *copy = malloc(k->len + 1);
	cr_assert_not_null(copy);
	memcpy(copy, k->b, k->len);
	int r = vnet_gso_split(&h, copy, k->len, segbuf, cap, collect, c);
	cr_assert_eq(memcmp(copy, k->b, k->len), 0, "input packet modified");
	free(copy);
	return r;
}

/* ------------------------------------------------ checking a split -- */

static void check_split(const struct pk *k, const struct col *c, size_t mss)
{
	size_t hl = k->iphl + k->l4hl;
	size_t want = k->pl ? (k->pl + mss - 1) / mss : 1;
	cr_assert_eq(c->n, want, "%zu segments, want %zu", c->n, want);
	uint8_t *pay = malloc(k->pl + 1);
	cr_assert_not_null(pay);
	size_t got = 0;
	const uint8_t *o = k->b, *ol4 = k->b + k->iphl;
	for (size_t i = 0; i < c->n; i++) {
		const uint8_t *s = c->seg[i], *l4 = s + k->iphl;
		size_t len = c->len[i];
		size_t n = i + 1 < c->n ? mss : k->pl - i * mss;
		cr_assert_eq(len, hl + n, "segment %zu: %zu bytes, want %zu", i, len, hl + n);
		/* IP */
		if (k->v6) {
			cr_assert_eq(get16(s + 4), len - 40, "seg %zu: IPv6 payload length", i);
			cr_assert_eq(memcmp(s, o, 4), 0);
			cr_assert_eq(memcmp(s + 6, o + 6, 34), 0);
		} else {
			cr_assert_eq(get16(s + 2), len, "seg %zu: IPv4 total length", i);
			cr_assert_eq(get16(s + 4), (get16(o + 4) + i) & 0xffff, "seg %zu: IPv4 ID",
				     i);
			cr_assert(ip4_hdr_ok(s, k->iphl), "seg %zu: IPv4 header checksum", i);
			cr_assert_eq(memcmp(s, o, 2), 0);
			cr_assert_eq(memcmp(s + 6, o + 6, 4), 0);
			cr_assert_eq(memcmp(s + 12, o + 12, k->iphl - 12), 0);
		}
		/* L4 */
		cr_assert_eq(memcmp(l4, ol4, 4), 0, "seg %zu: ports", i);
		if (k->proto == 6) {
			cr_assert_eq(get32(l4 + 4), (uint32_t)(get32(ol4 + 4) + i * mss),
				     "seg %zu: sequence number", i);
			uint8_t f = ol4[13];
			if (i + 1 < c->n)
				f &= (uint8_t) ~(FIN | PSH);
			if (i > 0)
				f &= (uint8_t)~CWR;
			cr_assert_eq(l4[13], f, "seg %zu: flags %02x, want %02x", i, l4[13], f);
			cr_assert_eq(memcmp(l4 + 8, ol4 + 8, 5), 0, "seg %zu: ack/offset", i);
			cr_assert_eq(memcmp(l4 + 14, ol4 + 14, 2), 0, "seg %zu: window", i);
			cr_assert_eq(memcmp(l4 + 18, ol4 + 18, k->l4hl - 18), 0,
				     "seg %zu: urgent pointer/options", i);
		} else {
			cr_assert_eq(get16(l4 + 4), 8 + n, "seg %zu: UDP length", i);
			cr_assert_neq(get16(l4 + 6), 0, "seg %zu: UDP checksum 0", i);
		}
		cr_assert(l4_ok(s, k->v6, k->iphl, len - k->iphl, k->proto), "seg %zu: L4 checksum",
			  i);
		memcpy(pay + got, s + hl, n);
		got += n;
	}
	cr_assert_eq(got, k->pl);
	cr_assert_eq(memcmp(pay, o + hl, k->pl), 0, "payload does not concatenate back");
	free(pay);
}

/* The in-place split (the daemon's) gives the copying split's segments byte
 * for byte, each built inside the packet where its payload lies. */
struct inplace {
	const struct col *want;
	const uint8_t *lo, *hi; /* the packet buffer */
	size_t n;
};

static void inplace_seg(void *arg, const uint8_t *pkt, size_t len)
{
	struct inplace *ip = arg;
	cr_assert_lt(ip->n, ip->want->n, "in place: more segments than the copying split");
	cr_assert(pkt >= ip->lo && pkt + len <= ip->hi, "in place: segment %zu outside the packet",
		  ip->n);
	cr_assert_eq(len, ip->want->len[ip->n], "in place: segment %zu length", ip->n);
	cr_assert_eq(memcmp(pkt, ip->want->seg[ip->n], len), 0, "in place: segment %zu differs",
		     ip->n);
	ip->n++;
}

static void check_inplace(const struct pk *k, unsigned gso_type, unsigned mss, const struct col *c)
{
	struct vnet_hdr h = {.gso_type = (uint8_t)gso_type, .gso_size = (uint16_t)mss};
	uint8_t *copy = malloc(k->len + 1);
	cr_assert_not_null(copy);
	memcpy(copy, k->b, k->len);
	struct inplace ip = {.want = c, .lo = copy, .hi = copy + k->len};
	cr_assert_eq(vnet_gso_split_inplace(&h, copy, k->len, SEGCAP, inplace_seg, &ip), 0,
		     "in-place split refused");
	cr_assert_eq(ip.n, c->n, "in place: %zu segments, the copying split %zu", ip.n, c->n);
	free(copy);
}

static void split_ok(bool v6, unsigned proto, size_t pl, unsigned mss, size_t ip4opt, size_t tcpopt,
		     uint8_t flags, unsigned gso_type)
{
	struct pk *k = build(v6, proto, pl, ip4opt, tcpopt, flags);
	struct col c;
	cr_assert_eq(split(k, gso_type, mss, SEGCAP, &c), 0, "split refused");
	check_split(k, &c, mss);
	check_inplace(k, gso_type, mss, &c);
	col_free(&c);
	free(k);
}

/* ------------------------------------------------------------ splits -- */

Test(offload, tcp4_even)
{
	split_ok(false, 6, 3000, 1000, 0, 0, ACK | PSH | FIN | CWR | ECE, VIRTIO_NET_HDR_GSO_TCPV4);
}

Test(offload, tcp4_options_uneven)
{
	/* IPv4 options and TCP timestamps-sized options, a short last segment */
	split_ok(false, 6, 4001, 1436, 8, 12, ACK | PSH | CWR, VIRTIO_NET_HDR_GSO_TCPV4);
}

Test(offload, tcp4_ecn_flag_in_gso_type)
{
	split_ok(false, 6, 2900, 1448, 0, 12, ACK | CWR | ECE,
		 VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN);
}

Test(offload, tcp4_max_size_seq_wrap)
{
	/* 64 KB: the sequence number wraps (builder starts at 0xfffff000) */
	split_ok(false, 6, 65535 - 20 - 32, 1448, 0, 12, ACK | PSH, VIRTIO_NET_HDR_GSO_TCPV4);
}

Test(offload, tcp6_split)
{
	split_ok(true, 6, 10000, 1428, 0, 12, ACK | PSH | FIN | CWR, VIRTIO_NET_HDR_GSO_TCPV6);
}

Test(offload, tcp6_max_size)
{
	split_ok(true, 6, 65535 - 20, 1440, 0, 0, ACK, VIRTIO_NET_HDR_GSO_TCPV6);
}

Test(offload, tcp_single_segment_keeps_fin)
{
	split_ok(false, 6, 500, 1448, 0, 0, ACK | PSH | FIN | CWR, VIRTIO_NET_HDR_GSO_TCPV4);
	split_ok(true, 6, 1448, 1448, 0, 0, ACK | PSH | FIN | CWR, VIRTIO_NET_HDR_GSO_TCPV6);
}

Test(offload, tcp_no_payload_one_segment)
{
	split_ok(false, 6, 0, 1448, 0, 0, ACK | FIN, VIRTIO_NET_HDR_GSO_TCPV4);
}

Test(offload, udp4_split)
{
	split_ok(false, 17, 5 * 1200 + 17, 1200, 0, 0, 0, VIRTIO_NET_HDR_GSO_UDP_L4);
}

Test(offload, udp4_options_even)
{
	split_ok(false, 17, 8 * 1000, 1000, 4, 0, 0, VIRTIO_NET_HDR_GSO_UDP_L4);
}

Test(offload, udp4_id_wraps)
{
	struct pk *k = build(false, 17, 4 * 1300, 0, 0, 0);
	put16(k->b + 4, 0xfffe);
	struct col c;
	cr_assert_eq(split(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1300, SEGCAP, &c), 0);
	check_split(k, &c, 1300);
	cr_assert_eq(get16(c.seg[2] + 4), 0);
	cr_assert_eq(get16(c.seg[3] + 4), 1);
	col_free(&c);
	free(k);
}

Test(offload, udp6_split)
{
	split_ok(true, 17, 7 * 1232 + 1, 1232, 0, 0, 0, VIRTIO_NET_HDR_GSO_UDP_L4);
}

Test(offload, udp6_max_size)
{
	split_ok(true, 17, 65535 - 8, 1452, 0, 0, 0, VIRTIO_NET_HDR_GSO_UDP_L4);
}

Test(offload, udp_ecn_bit_ignored)
{
	split_ok(false, 17, 3000, 1000, 0, 0, 0,
		 VIRTIO_NET_HDR_GSO_UDP_L4 | VIRTIO_NET_HDR_GSO_ECN);
}

Test(offload, udp_zero_payload_one_segment)
{
	split_ok(true, 17, 0, 1200, 0, 0, 0, VIRTIO_NET_HDR_GSO_UDP_L4);
}

/* A UDP segment whose checksum computes to 0 is sent with 0xffff (RFC 768;
 * 0 would mean "no checksum", and is not allowed at all over IPv6). */
static void udp_zero_csum(bool v6)
{
	const size_t mss = 1000;
	struct pk *k = build(v6, 17, 2 * mss + 100, 0, 0, 0);
	/* make the last segment's checksum 0: fix its first two payload bytes
	 * so that pseudo header + UDP header + payload sum to 0xffff */
	size_t hl = k->iphl + 8, n = 100, off = hl + 2 * mss;
	uint8_t s[2048];
	memcpy(s, k->b, hl);
	memcpy(s + hl, k->b + off, n);
	put16(s + k->iphl + 4, (unsigned)(8 + n));
	put16(s + k->iphl + 6, 0);
	s[hl] = s[hl + 1] = 0;
	if (v6)
		put16(s + 4, (unsigned)(8 + n));
	uint32_t r = sum16(s + k->iphl, 8 + n, pseudo_sum(s, v6, 8 + n, 17));
	cr_assert_neq(r, 0);
	put16(k->b + off, 0xffff - r);
	struct col c;
	cr_assert_eq(split(k, VIRTIO_NET_HDR_GSO_UDP_L4, mss, SEGCAP, &c), 0);
	check_split(k, &c, mss);
	cr_assert_eq(get16(c.seg[2] + k->iphl + 6), 0xffff, "UDP checksum %04x, want ffff",
		     get16(c.seg[2] + k->iphl + 6));
	col_free(&c);
	free(k);
}

Test(offload, udp4_zero_checksum_sent_as_ffff)
{
	udp_zero_csum(false);
}

Test(offload, udp6_zero_checksum_sent_as_ffff)
{
	udp_zero_csum(true);
}

Test(offload, seg_cap_exact_fit)
{
	struct pk *k = build(false, 17, 3 * 1000, 0, 0, 0);
	struct col c;
	cr_assert_eq(split(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, 20 + 8 + 1000, &c), 0);
	check_split(k, &c, 1000);
	col_free(&c);
	free(k);
}

/* ----------------------------------------------------------- refusals -- */

static void refused(const struct pk *k, unsigned gso_type, unsigned mss, size_t cap,
		    const char *what)
{
	struct col c;
	cr_assert_eq(split(k, gso_type, mss, cap, &c), -1, "%s: accepted", what);
	cr_assert_eq(c.n, 0, "%s: %zu segments sent before refusing", what, c.n);
}

Test(offload, refuse_gso_size_zero)
{
	struct pk *k = build(false, 6, 3000, 0, 0, ACK);
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 0, SEGCAP, "TCP gso_size 0");
	free(k);
	k = build(true, 17, 3000, 0, 0, 0);
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 0, SEGCAP, "UDP gso_size 0");
	free(k);
}

Test(offload, refuse_truncated_headers)
{
	struct pk *k = build(false, 6, 0, 0, 0, ACK);
	/* IP header cut: 19 bytes, total length says 19 */
	k->len = 19;
	put16(k->b + 2, 19);
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "IPv4 header truncated");
	/* TCP header cut */
	k->len = 30;
	put16(k->b + 2, 30);
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "TCP header truncated");
	/* TCP data offset larger than the packet */
	k->len = 40;
	put16(k->b + 2, 40);
	k->b[32] = 0x60;
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "TCP options truncated");
	/* TCP data offset below 5 */
	k->b[32] = 0x40;
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "TCP data offset 4");
	/* IHL below 5, and IHL beyond the packet */
	k->b[32] = 0x50;
	k->b[0] = 0x44;
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "IHL 4");
	k->b[0] = 0x4f;
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "IHL 15");
	free(k);

	k = build(false, 17, 0, 0, 0, 0);
	k->len = 27;
	put16(k->b + 2, 27);
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "UDP header truncated");
	free(k);
	k = build(true, 17, 0, 0, 0, 0);
	k->len = 47;
	put16(k->b + 4, 7);
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "UDP/IPv6 header truncated");
	k->len = 39;
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "IPv6 header truncated");
	k->len = 0;
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "empty");
	free(k);
}

Test(offload, refuse_ip_length_mismatch)
{
	/* a short read (or a length field we do not understand) */
	struct pk *k = build(false, 6, 3000, 0, 0, ACK);
	k->len--;
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "IPv4 total length > read");
	k->len += 2;
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "IPv4 total length < read");
	free(k);
	k = build(true, 17, 3000, 0, 0, 0);
	k->len--;
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "IPv6 payload length > read");
	k->len++;
	put16(k->b + 4, 0); /* jumbogram */
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "IPv6 payload length 0");
	free(k);
}

Test(offload, refuse_wrong_protocol)
{
	struct pk *t4 = build(false, 6, 3000, 0, 0, ACK), *t6 = build(true, 6, 3000, 0, 0, ACK);
	struct pk *u4 = build(false, 17, 3000, 0, 0, 0), *u6 = build(true, 17, 3000, 0, 0, 0);
	refused(u4, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "TCPV4 on UDP");
	refused(u6, VIRTIO_NET_HDR_GSO_TCPV6, 1000, SEGCAP, "TCPV6 on UDP");
	refused(t4, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "UDP_L4 on TCP/IPv4");
	refused(t6, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "UDP_L4 on TCP/IPv6");
	refused(t6, VIRTIO_NET_HDR_GSO_TCPV4, 1000, SEGCAP, "TCPV4 on IPv6");
	refused(t4, VIRTIO_NET_HDR_GSO_TCPV6, 1000, SEGCAP, "TCPV6 on IPv4");
	refused(u4, VIRTIO_NET_HDR_GSO_UDP, 1000, SEGCAP, "UFO");
	refused(u4, VIRTIO_NET_HDR_GSO_NONE, 1000, SEGCAP, "GSO_NONE");
	u4->b[0] = 0x55; /* IP version 5 */
	refused(u4, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "IP version 5");
	free(t4);
	free(t6);
	free(u4);
	free(u6);
}

Test(offload, refuse_ipv6_extension_header)
{
	struct pk *k = build(true, 17, 3000, 0, 0, 0);
	k->b[6] = 0; /* hop-by-hop */
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "UDP behind hop-by-hop");
	k->b[6] = 60; /* destination options */
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "UDP behind dest options");
	free(k);
	k = build(true, 6, 3000, 0, 0, ACK);
	k->b[6] = 43; /* routing */
	refused(k, VIRTIO_NET_HDR_GSO_TCPV6, 1000, SEGCAP, "TCP behind routing header");
	free(k);
}

Test(offload, refuse_ipv4_fragment)
{
	struct pk *k = build(false, 17, 3000, 0, 0, 0);
	put16(k->b + 6, 0x2000); /* MF */
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "MF");
	put16(k->b + 6, 0x0001); /* offset 8 */
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, SEGCAP, "fragment offset");
	free(k);
}

Test(offload, refuse_segment_over_cap)
{
	struct pk *k = build(false, 6, 3000, 0, 0, ACK);
	refused(k, VIRTIO_NET_HDR_GSO_TCPV4, 1000, 20 + 20 + 999, "TCP segment 1 over cap");
	free(k);
	k = build(true, 17, 3000, 0, 0, 0);
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, 40 + 8 + 999, "UDP segment 1 over cap");
	/* payload shorter than gso_size: the one segment is what must fit */
	free(k);
	k = build(true, 17, 500, 0, 0, 0);
	refused(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, 40 + 8 + 499, "UDP single over cap");
	struct col c;
	cr_assert_eq(split(k, VIRTIO_NET_HDR_GSO_UDP_L4, 1000, 40 + 8 + 500, &c), 0);
	check_split(k, &c, 1000);
	col_free(&c);
	free(k);
}

/* -------------------------------------------- NEEDS_CSUM completion -- */

/* The kernel's CHECKSUM_PARTIAL: the field holds the pseudo-header sum
 * (folded, not inverted); vnet_csum_complete sums from csum_start on. */
static void complete_case(bool v6, unsigned proto, size_t pl)
{
	struct pk *k = build(v6, proto, pl, 0, proto == 6 ? 12 : 0, ACK | PSH);
	size_t l4len = k->len - k->iphl, off = proto == 6 ? 16 : 6;
	put16(k->b + k->iphl + off, pseudo_sum(k->b, v6, l4len, proto));
	cr_assert_not(l4_ok(k->b, v6, k->iphl, l4len, proto), "partial already verifies");
	cr_assert_eq(vnet_csum_complete(k->b, k->len, (unsigned)k->iphl, (unsigned)off), 0);
	cr_assert(l4_ok(k->b, v6, k->iphl, l4len, proto), "completed checksum does not verify");
	if (proto == 17)
		cr_assert_neq(get16(k->b + k->iphl + 6), 0);
	free(k);
}

Test(offload, csum_complete)
{
	complete_case(false, 6, 1000);
	complete_case(true, 6, 777);
	complete_case(false, 17, 1201);
	complete_case(true, 17, 64);
}

/* a UDP checksum that computes to 0 is stored as 0xffff */
Test(offload, csum_complete_udp_zero)
{
	struct pk *k = build(false, 17, 200, 0, 0, 0);
	uint8_t *u = k->b + 20;
	put16(u + 8, 0);
	put16(u + 6, 0);
	uint32_t r = sum16(u, 208, pseudo_sum(k->b, false, 208, 17));
	put16(u + 8, 0xffff - r); /* now pseudo + UDP sums to 0xffff */
	put16(u + 6, pseudo_sum(k->b, false, 208, 17));
	cr_assert_eq(vnet_csum_complete(k->b, k->len, 20, 6), 0);
	cr_assert_eq(get16(u + 6), 0xffff, "UDP checksum %04x, want ffff", get16(u + 6));
	cr_assert(l4_ok(k->b, false, 20, 208, 17));
	free(k);
}

Test(offload, csum_complete_out_of_range)
{
	uint8_t p[64] = {0};
	cr_assert_eq(vnet_csum_complete(p, sizeof(p), 40, 22), 0);
	cr_assert_eq(vnet_csum_complete(p, sizeof(p), 40, 23), -1);
	cr_assert_eq(vnet_csum_complete(p, sizeof(p), 63, 0), -1);
	cr_assert_eq(vnet_csum_complete(p, sizeof(p), 0xffffffffu, 6), -1);
}

/* --------------------------------------------- GRO: pseudo header -- */

/* A merged super-packet handed to the kernel with CHECKSUM_PARTIAL: the
 * pseudo-header sum in the field plus the sum of the L4 bytes, folded and
 * inverted, must be the full checksum. */
static void pseudo_case(bool v6, unsigned proto, size_t pl)
{
	struct pk *k = build(v6, proto, pl, 0, proto == 6 ? 12 : 0, ACK);
	size_t l4len = k->len - k->iphl, off = proto == 6 ? 16 : 6;
	uint8_t *f = k->b + k->iphl + off;
	vnet_l4_pseudo_csum(k->b, v6, k->iphl, l4len, proto);
	cr_assert_eq(get16(f), pseudo_sum(k->b, v6, l4len, proto), "pseudo sum %04x, want %04x",
		     get16(f), pseudo_sum(k->b, v6, l4len, proto));
	/* what the kernel (or a NIC) does with it */
	uint32_t s = sum16(k->b + k->iphl, l4len, 0);
	put16(f, ~s & 0xffff);
	cr_assert(l4_ok(k->b, v6, k->iphl, l4len, proto), "pseudo + payload is not the checksum");
	free(k);
}

Test(offload, l4_pseudo_csum)
{
	pseudo_case(false, 6, 30000);
	pseudo_case(true, 6, 60000);
	pseudo_case(false, 17, 12000);
	pseudo_case(true, 17, 65000);
}

Test(offload, l4_pseudo_csum_other_protocol_untouched)
{
	struct pk *k = build(false, 17, 100, 0, 0, 0), *o = build(false, 17, 100, 0, 0, 0);
	vnet_l4_pseudo_csum(k->b, false, 20, k->len - 20, 1);
	cr_assert_eq(memcmp(k->b, o->b, k->len), 0);
	free(k);
	free(o);
}
