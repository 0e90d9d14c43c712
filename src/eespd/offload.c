// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * offload.c - TUN segmentation offload, TCP and UDP (daemon.offload = true).
 *
 * The TUN device is opened with IFF_VNET_HDR and TUNSETOFFLOAD(CSUM | TSO4 |
 * TSO6 | USO4 | USO6): every read starts with a struct virtio_net_hdr and may
 * carry a super-packet of up to 64 KB with a partial checksum (NEEDS_CSUM):
 *  - TCP (gso_type TCPV4/TCPV6, gso_size = MSS): a TCP super-segment;
 *  - UDP (gso_type UDP_L4, gso_size = payload bytes per datagram): a run of
 *    equally sized datagrams (UDP_SEGMENT / GSO on a UDP socket, e.g. QUIC
 *    or WireGuard), the last one possibly shorter.
 * The local stack then crosses the TUN once per super-packet instead of once
 * per segment.  Here the super-packet is split into packets of headers plus
 * up to gso_size payload bytes: IPv4 total length, ID incremented per
 * segment (as the kernel's own GSO does for TCP and UDP_L4) and header
 * checksum, or IPv6 payload length; for TCP the sequence number, FIN/PSH only
 * on the last and CWR only on the first segment; for UDP the UDP length; and
 * a full L4 checksum (UDP: 0 sent as 0xffff).  Each segment is then sealed
 * and sent on its own.  The daemon splits in place (vnet_gso_split_inplace):
 * each segment's headers are written just before its payload, over the end
 * of the segment before it, which is sealed by then, so the 64 KB of
 * payload are never copied in userspace.  Non-GSO packets with NEEDS_CSUM get their checksum
 * completed.  Writes to the TUN carry a zeroed header or, with GRO, a merged
 * TCP packet whose checksum field holds the pseudo-header sum
 * (vnet_l4_pseudo_csum).
 *
 * Nothing the kernel says about the headers is trusted: hdr_len, csum_start
 * and csum_offset are ignored on GSO reads, the headers are measured from the
 * packet itself, and a super-packet is refused (-1, nothing sent) unless
 *  - gso_size is not 0 and the gso_type matches the IP version (TCPV4/TCPV6)
 *    and the IP protocol (no IPv6 extension headers, no IPv4 fragment);
 *  - its IP length field covers exactly the bytes read: IPv4 total length ==
 *    len, IPv6 40 + payload length == len.  The kernel sets these from
 *    skb->len for a GSO skb (__ip_local_out,
 *    __ip6_local_out), so a mismatch means a
 *    truncated read or a packet we do not understand (BIG TCP's zero length
 *    / jumbogram above 64 KB included: the TUN does not announce it);
 *  - the first (largest) segment fits seg_cap.
 */
#include <string.h>

#include "offload.h"

/* s + v in one's complement arithmetic (end-around carry) */
static inline uint64_t add_carry(uint64_t s, uint64_t v)
{
	uint64_t r;
	return __builtin_add_overflow(s, v, &r) ? r + 1 : r;
}

/*
 * One's complement sum of n bytes, 64 bits at a time (RFC 1071: the sum is
 * independent of the word size and byte order once folded to 16 bits, as
 * 2^64 = 1 mod 0xffff).  This runs over every byte the TSO/USO split sends,
 * so it is written for speed: four independent accumulators.
 */
static uint64_t csum_partial(const uint8_t *p, size_t n, uint64_t s)
{
	uint64_t a = s, b = 0, c = 0, d = 0, v[4];
	while (n >= 32) {
		memcpy(v, p, 32);
		a = add_carry(a, v[0]);
		b = add_carry(b, v[1]);
		c = add_carry(c, v[2]);
		d = add_carry(d, v[3]);
		p += 32;
		n -= 32;
	}
	a = add_carry(add_carry(a, b), add_carry(c, d));
	while (n >= 8) {
		memcpy(v, p, 8);
		a = add_carry(a, v[0]);
		p += 8;
		n -= 8;
	}
	if (n) {
		/* the tail as a zero-padded word keeps the byte positions */
		v[0] = 0;
		memcpy(v, p, n);
		a = add_carry(a, v[0]);
	}
	return a;
}

static uint16_t csum_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Unfolded sum of the pseudo header of the L4 part (l4len bytes) of pkt. */
static uint64_t pseudo_sum(const uint8_t *pkt, bool v6, size_t l4len, unsigned proto)
{
	uint8_t ph[40];
	size_t phl;
	if (v6) {
		memcpy(ph, pkt + 8, 32);
		eesp_put32(ph + 32, (uint32_t)l4len);
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = (uint8_t)proto;
		phl = 40;
	} else {
		memcpy(ph, pkt + 12, 8);
		ph[8] = 0;
		ph[9] = (uint8_t)proto;
		eesp_put16(ph + 10, (uint16_t)l4len);
		phl = 12;
	}
	return csum_partial(ph, phl, 0);
}

/* Offset of the checksum field in the L4 header, 0 for other protocols. */
static size_t l4_csum_field(unsigned proto)
{
	return proto == 6 ? 16 : proto == 17 ? 6 : 0;
}

/* Full L4 checksum of the l4len bytes at pkt + l4off, pseudo header included. */
static void l4_csum(uint8_t *pkt, bool v6, size_t l4off, size_t l4len, unsigned proto)
{
	size_t field = l4off + l4_csum_field(proto);
	pkt[field] = pkt[field + 1] = 0;
	uint16_t c = csum_fold(csum_partial(pkt + l4off, l4len, pseudo_sum(pkt, v6, l4len, proto)));
	if (proto == 17 && c == 0)
		c = 0xffff;
	memcpy(pkt + field, &c, 2);
}

void vnet_ip4_csum(uint8_t *p, size_t ihl)
{
	p[10] = p[11] = 0;
	uint16_t c = csum_fold(csum_partial(p, ihl, 0));
	memcpy(p + 10, &c, 2);
}

void vnet_l4_pseudo_csum(uint8_t *pkt, bool v6, size_t l4off, size_t l4len, unsigned proto)
{
	size_t field = l4_csum_field(proto);
	if (!field)
		return;
	/* CHECKSUM_PARTIAL: the field holds the folded, not inverted, sum of
	 * the pseudo header; the kernel adds the rest */
	uint16_t c = (uint16_t)~csum_fold(pseudo_sum(pkt, v6, l4len, proto));
	memcpy(pkt + l4off + field, &c, 2);
}

int vnet_csum_complete(uint8_t *p, size_t len, unsigned start, unsigned off)
{
	if ((size_t)start + off + 2 > len)
		return -1;
	uint16_t c = csum_fold(csum_partial(p + start, len - start, 0));
	if (off == 6 && c == 0) /* UDP */
		c = 0xffff;
	memcpy(p + start + off, &c, 2);
	return 0;
}

/* What a split needs to know about a super-packet (split_parse). */
struct split_info {
	bool v6;
	unsigned proto;
	size_t iphl, l4hl, hl, pl, mss, nseg;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
};

/* Check a GSO packet and measure its headers; -1 if it is not one this can
 * split (see the top of the file). */
static int split_parse(const struct vnet_hdr *h, const uint8_t *p, size_t len,
		       struct split_info *si)
{
	unsigned gt = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN, ver;

	memset(si, 0, sizeof(*si));
	si->mss = h->gso_size;
	if (si->mss == 0 || len < 1)
		return -1;
	ver = p[0] >> 4;
	if (gt == VIRTIO_NET_HDR_GSO_TCPV4 && ver == 4)
		si->proto = 6;
	else if (gt == VIRTIO_NET_HDR_GSO_TCPV6 && ver == 6)
		si->proto = 6;
	else if (gt == VIRTIO_NET_HDR_GSO_UDP_L4 && (ver == 4 || ver == 6))
		si->proto = 17;
	else
		return -1;
	si->v6 = ver == 6;
	if (!si->v6) {
		si->iphl = (size_t)(p[0] & 15) * 4;
		/* no fragments (MF or an offset): GSO never makes them */
		if (len < 20 || si->iphl < 20 || p[9] != si->proto || eesp_get16(p + 2) != len ||
		    (eesp_get16(p + 6) & 0x3fff))
			return -1;
	} else {
		si->iphl = 40;
		/* extension headers: the kernel's TSO/USO here never adds them */
		if (len < 40 || p[6] != si->proto || (size_t)eesp_get16(p + 4) + 40 != len)
			return -1;
	}
	if (si->proto == 6) {
		if (len < si->iphl + 20)
			return -1;
		si->l4hl = (size_t)(p[si->iphl + 12] >> 4) * 4;
		if (si->l4hl < 20)
			return -1;
	} else {
		si->l4hl = 8;
	}
	si->hl = si->iphl + si->l4hl;
	if (len < si->hl)
		return -1;
	si->pl = len - si->hl;
	si->seq = si->proto == 6 ? eesp_get32(p + si->iphl + 4) : 0;
	si->id = si->v6 ? 0 : eesp_get16(p + 4);
	si->flags = si->proto == 6 ? p[si->iphl + 13] : 0;
	si->nseg = si->pl ? (si->pl + si->mss - 1) / si->mss : 1;
	return 0;
}

/* Segment i (n payload bytes) at seg, whose first hl bytes are a copy of the
 * super-packet's headers: its lengths, IPv4 ID and header checksum, TCP
 * sequence number and flags, and L4 checksum. */
static void seg_fix(uint8_t *seg, const struct split_info *si, size_t i, size_t n)
{
	size_t iphl = si->iphl, l4hl = si->l4hl;
	bool first = i == 0, last = i + 1 == si->nseg;
	if (si->v6) {
		eesp_put16(seg + 4, (uint16_t)(l4hl + n));
	} else {
		eesp_put16(seg + 2, (uint16_t)(si->hl + n));
		eesp_put16(seg + 4, (uint16_t)(si->id + i));
		vnet_ip4_csum(seg, iphl);
	}
	if (si->proto == 6) {
		eesp_put32(seg + iphl + 4, si->seq + (uint32_t)(i * si->mss));
		uint8_t f = si->flags;
		if (!last)
			f &= (uint8_t) ~(0x01 | 0x08); /* FIN, PSH */
		if (!first)
			f &= (uint8_t)~0x80; /* CWR */
		seg[iphl + 13] = f;
		l4_csum(seg, si->v6, iphl, l4hl + n, 6);
	} else {
		eesp_put16(seg + iphl + 4, (uint16_t)(l4hl + n));
		l4_csum(seg, si->v6, iphl, l4hl + n, 17);
	}
}

static size_t seg_payload(const struct split_info *si, size_t i)
{
	size_t done = i * si->mss;
	return si->pl - done < si->mss ? si->pl - done : si->mss;
}

int vnet_gso_split(const struct vnet_hdr *h, const uint8_t *p, size_t len, uint8_t *seg,
		   size_t seg_cap, vnet_seg_fn fn, void *arg)
{
	struct split_info si;

	if (split_parse(h, p, len, &si))
		return -1;
	/* the first segment is the largest: refuse before sending any */
	if (si.hl + (si.pl < si.mss ? si.pl : si.mss) > seg_cap)
		return -1;
	for (size_t i = 0; i < si.nseg; i++) {
		size_t n = seg_payload(&si, i);
		memcpy(seg, p, si.hl);
		memcpy(seg + si.hl, p + si.hl + i * si.mss, n);
		seg_fix(seg, &si, i, n);
		fn(arg, seg, si.hl + n);
	}
	return 0;
}

/*
 * In place: segment i is built where its payload already lies, its headers
 * written over the last hl bytes before it - the tail of segment i-1, which
 * fn has consumed by then (it seals out of place before returning).  The
 * payload is not copied at all; a copy of the original headers serves as the
 * template for each segment.
 */
int vnet_gso_split_inplace(const struct vnet_hdr *h, uint8_t *p, size_t len, size_t seg_cap,
			   vnet_seg_fn fn, void *arg)
{
	struct split_info si;
	uint8_t tmpl[VNET_SPLIT_HDR_MAX];

	if (split_parse(h, p, len, &si) || si.hl > sizeof(tmpl))
		return -1;
	if (si.hl + (si.pl < si.mss ? si.pl : si.mss) > seg_cap)
		return -1;
	memcpy(tmpl, p, si.hl);
	for (size_t i = 0; i < si.nseg; i++) {
		uint8_t *seg = p + i * si.mss;
		size_t n = seg_payload(&si, i);
		memcpy(seg, tmpl, si.hl);
		seg_fix(seg, &si, i, n);
		fn(arg, seg, si.hl + n);
	}
	return 0;
}
