/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapfile.c - classic pcap files and Ethernet/IP/UDP frames, in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_MAGIC_NSEC 0xa1b23c4du
#define PCAP_GLOBAL_LEN 24
#define PCAP_REC_LEN 16

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define UDP_HDR_LEN 8
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t rd32(const struct pcap_reader *r, const uint8_t *p)
{
	return r->swapped ? get_be32(p) : get_le32(p);
}

static uint16_t rd16(const struct pcap_reader *r, const uint8_t *p)
{
	return r->swapped ? get_be16(p) : (uint16_t)(p[0] | p[1] << 8);
}

/*
 * Accepts the microsecond (a1b2c3d4) and nanosecond (a1b23c4d) magics in
 * either byte order, major version 2 (minor 3 or 4).  The magic is read as
 * little-endian; "swapped" means the file is big-endian.
 */
int pcap_reader_init(struct pcap_reader *r, const uint8_t *buf, size_t len)
{
	uint32_t magic;
	uint16_t major, minor;

	memset(r, 0, sizeof(*r));
	if (!buf || len < PCAP_GLOBAL_LEN)
		return -1;
	magic = get_le32(buf);
	if (magic == PCAP_MAGIC_USEC || magic == PCAP_MAGIC_NSEC) {
		r->swapped = false;
	} else {
		magic = get_be32(buf);
		if (magic != PCAP_MAGIC_USEC && magic != PCAP_MAGIC_NSEC)
			return -1;
		r->swapped = true;
	}
	r->nsec = magic == PCAP_MAGIC_NSEC;
	major = rd16(r, buf + 4);
	minor = rd16(r, buf + 6);
	if (major != 2 || (minor != 3 && minor != 4))
		return -1;
	r->snaplen = rd32(r, buf + 16);
	/* FCS bits live in the upper bits of the link type field; keep the type. */
	r->linktype = rd32(r, buf + 20) & 0x0fffffffu;
	r->buf = buf;
	r->len = len;
	r->off = PCAP_GLOBAL_LEN;
	return 0;
}

/* The largest caplen accepted: the file's snaplen, capped at
 * PCAP_MAX_SNAPLEN (a snaplen of 0 or above the cap means the cap). */
static uint32_t reader_limit(const struct pcap_reader *r)
{
	if (r->snaplen == 0 || r->snaplen > PCAP_MAX_SNAPLEN)
		return PCAP_MAX_SNAPLEN;
	return r->snaplen;
}

int pcap_reader_next(struct pcap_reader *r, struct pcap_rec *rec)
{
	const uint8_t *h;
	uint32_t caplen;

	memset(rec, 0, sizeof(*rec));
	if (!r->buf || r->off > r->len)
		return -1;
	if (r->off == r->len)
		return 0;
	if (r->len - r->off < PCAP_REC_LEN)
		return -1;
	h = r->buf + r->off;
	caplen = rd32(r, h + 8);
	if (caplen > reader_limit(r))
		return -1;
	if (r->len - r->off - PCAP_REC_LEN < caplen)
		return -1;
	rec->ts_sec = rd32(r, h);
	rec->ts_frac = rd32(r, h + 4);
	if (rec->ts_frac >= (r->nsec ? 1000000000u : 1000000u))
		return -1;
	rec->caplen = caplen;
	rec->origlen = rd32(r, h + 12);
	rec->data = h + PCAP_REC_LEN;
	r->off += PCAP_REC_LEN + caplen;
	return 1;
}

static int writer_reserve(struct pcap_writer *w, size_t more)
{
	size_t ncap;
	uint8_t *nb;

	if (w->cap - w->len >= more)
		return 0;
	ncap = w->cap ? w->cap : 4096;
	while (ncap - w->len < more) {
		if (ncap > SIZE_MAX / 2)
			return -1;
		ncap *= 2;
	}
	nb = realloc(w->buf, ncap);
	if (!nb)
		return -1;
	w->buf = nb;
	w->cap = ncap;
	return 0;
}

int pcap_writer_init(struct pcap_writer *w, uint32_t linktype, uint32_t snaplen)
{
	uint8_t *h;

	memset(w, 0, sizeof(*w));
	if (writer_reserve(w, PCAP_GLOBAL_LEN) < 0)
		return -1;
	h = w->buf;
	put_le32(h, PCAP_MAGIC_USEC);
	put_le16(h + 4, 2);
	put_le16(h + 6, 4);
	put_le32(h + 8, 0);  /* thiszone */
	put_le32(h + 12, 0); /* sigfigs */
	put_le32(h + 16, snaplen);
	put_le32(h + 20, linktype);
	w->len = PCAP_GLOBAL_LEN;
	return 0;
}

int pcap_writer_add(struct pcap_writer *w, uint32_t ts_sec, uint32_t ts_usec, const uint8_t *data,
		    size_t len)
{
	uint8_t *h;

	if (!w->buf || len > PCAP_MAX_SNAPLEN || (len && !data) || ts_usec >= 1000000u)
		return -1;
	if (writer_reserve(w, PCAP_REC_LEN + len) < 0)
		return -1;
	h = w->buf + w->len;
	put_le32(h, ts_sec);
	put_le32(h + 4, ts_usec);
	put_le32(h + 8, (uint32_t)len);
	put_le32(h + 12, (uint32_t)len);
	if (len)
		memcpy(h + PCAP_REC_LEN, data, len);
	w->len += PCAP_REC_LEN + len;
	return 0;
}

void pcap_writer_free(struct pcap_writer *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

/* ------------------------------------------------------------- frames -- */

/*
 * Adds buf as big-endian 16-bit words (an odd last byte padded with zero)
 * to sum, folds the carries and returns the one's complement: the value to
 * store big-endian in a checksum field.
 */
uint16_t inet_checksum(const void *buf, size_t len, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

void ipv4_fix_checksum(uint8_t *ip)
{
	size_t hl = (size_t)(ip[0] & 0x0f) * 4;

	ip[10] = ip[11] = 0;
	put_be16(ip + 10, inet_checksum(ip, hl, 0));
}

/* Sum of a buffer's 16-bit words without folding or complement. */
static uint32_t sum16(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return s;
}

/* Computes the UDP checksum of an IPv4 or IPv6 packet (IPv4 with options,
 * IPv6 without extension headers) whose UDP header follows the IP header;
 * ip_len is the IP packet length.  Does nothing if it does not look like that. */
void udp_fix_checksum(uint8_t *ip, size_t ip_len)
{
	size_t hl, ulen;
	uint32_t s;
	uint8_t *u;
	uint16_t c;

	if (ip_len < 1)
		return;
	if ((ip[0] >> 4) == 4) {
		hl = (size_t)(ip[0] & 0x0f) * 4;
		if (hl < IPV4_HDR_LEN || ip_len < hl + UDP_HDR_LEN || ip[9] != IPPROTO_UDP_)
			return;
		s = sum16(ip + 12, 8);
	} else if ((ip[0] >> 4) == 6) {
		hl = IPV6_HDR_LEN;
		if (ip_len < hl + UDP_HDR_LEN || ip[6] != IPPROTO_UDP_)
			return;
		s = sum16(ip + 8, 32);
	} else {
		return;
	}
	u = ip + hl;
	ulen = ip_len - hl;
	s += IPPROTO_UDP_;
	s += (uint32_t)(ulen >> 16) + (uint32_t)(ulen & 0xffff);
	u[6] = u[7] = 0;
	c = inet_checksum(u, ulen, s);
	put_be16(u + 6, c ? c : 0xffff);
}

size_t ip_build_udp(uint8_t *out, size_t cap, const struct udp_frame_params *p,
		    const uint8_t *payload, size_t len)
{
	size_t hl, n;
	uint8_t *u;

	if (!out || !p || (len && !payload))
		return 0;
	if (p->family == 4)
		hl = IPV4_HDR_LEN;
	else if (p->family == 6)
		hl = IPV6_HDR_LEN;
	else
		return 0;
	n = hl + UDP_HDR_LEN + len;
	if (n > cap || UDP_HDR_LEN + len > 0xffff || (p->family == 4 && n > 0xffff))
		return 0;
	memset(out, 0, hl + UDP_HDR_LEN);
	if (p->family == 4) {
		out[0] = 0x45;
		put_be16(out + 2, (uint16_t)n);
		put_be16(out + 4, p->ip_id);
		out[6] = 0x40; /* DF */
		out[8] = p->ttl ? p->ttl : 64;
		out[9] = IPPROTO_UDP_;
		memcpy(out + 12, p->src, 4);
		memcpy(out + 16, p->dst, 4);
		ipv4_fix_checksum(out);
	} else {
		out[0] = 0x60;
		put_be16(out + 4, (uint16_t)(UDP_HDR_LEN + len));
		out[6] = IPPROTO_UDP_;
		out[7] = p->ttl ? p->ttl : 64;
		memcpy(out + 8, p->src, 16);
		memcpy(out + 24, p->dst, 16);
	}
	u = out + hl;
	put_be16(u, p->sport);
	put_be16(u + 2, p->dport);
	put_be16(u + 4, (uint16_t)(UDP_HDR_LEN + len));
	if (len)
		memmove(u + UDP_HDR_LEN, payload, len);
	if (p->family == 4 && p->zero_csum)
		u[6] = u[7] = 0;
	else
		udp_fix_checksum(out, n);
	return n;
}

size_t frame_build_udp(uint8_t *out, size_t cap, const struct udp_frame_params *p,
		       const uint8_t *payload, size_t len)
{
	size_t n;

	if (!out || !p || cap < ETH_HDR_LEN)
		return 0;
	/* payload may alias out: build the IP packet first (memmove), then the
	 * Ethernet header in front of it. */
	n = ip_build_udp(out + ETH_HDR_LEN, cap - ETH_HDR_LEN, p, payload, len);
	if (!n)
		return 0;
	memcpy(out, p->dst_mac, 6);
	memcpy(out + 6, p->src_mac, 6);
	put_be16(out + 12, p->family == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	return ETH_HDR_LEN + n;
}

/*
 * Ethernet II (one optional 802.1Q tag) or raw IP; IPv4 with IHL >= 5 and
 * options, total length >= header and within the frame (an Ethernet
 * trailer after it is allowed); IPv6 fixed header with payload length
 * within the frame.  Non-first IPv4 fragments and fragments with MF set
 * carry no usable L4 header: ports stay 0 and payload_len 0.  TCP needs its
 * 20-byte header, UDP its 8-byte header and a length field between 8 and
 * the bytes the IP packet holds.
 */
int frame_parse(const uint8_t *frame, size_t len, bool ethernet, struct frame_view *v)
{
	size_t l3 = 0, avail, hl, ip_end;
	const uint8_t *ip;
	bool fragment = false;

	memset(v, 0, sizeof(*v));
	if (!frame)
		return -1;
	if (ethernet) {
		uint16_t et;

		if (len < ETH_HDR_LEN)
			return -1;
		et = get_be16(frame + 12);
		l3 = ETH_HDR_LEN;
		if (et == ETHERTYPE_VLAN) {
			if (len < ETH_HDR_LEN + VLAN_TAG_LEN)
				return -1;
			et = get_be16(frame + 16);
			l3 += VLAN_TAG_LEN;
		}
		if (et == ETHERTYPE_IPV4)
			v->family = 4;
		else if (et == ETHERTYPE_IPV6)
			v->family = 6;
		else
			return -1;
	} else {
		if (len < 1)
			return -1;
		v->family = frame[0] >> 4;
	}
	avail = len - l3;
	ip = frame + l3;
	if (avail < 1 || (ip[0] >> 4) != v->family)
		return -1;
	if (v->family == 4) {
		uint16_t fo;

		if (avail < IPV4_HDR_LEN)
			return -1;
		hl = (size_t)(ip[0] & 0x0f) * 4;
		if (hl < IPV4_HDR_LEN || hl > avail)
			return -1;
		v->ip_len = get_be16(ip + 2);
		if (v->ip_len < hl || v->ip_len > avail)
			return -1;
		fo = get_be16(ip + 6);
		fragment = (fo & 0x3fff) != 0; /* MF or offset */
		v->proto = ip[9];
		v->src = ip + 12;
		v->dst = ip + 16;
	} else if (v->family == 6) {
		if (avail < IPV6_HDR_LEN)
			return -1;
		hl = IPV6_HDR_LEN;
		v->ip_len = IPV6_HDR_LEN + (size_t)get_be16(ip + 4);
		if (v->ip_len > avail)
			return -1;
		v->proto = ip[6];
		v->src = ip + 8;
		v->dst = ip + 24;
	} else {
		return -1;
	}
	v->l3_off = l3;
	v->l3_hdr_len = hl;
	v->l4_off = l3 + hl;
	ip_end = l3 + v->ip_len;
	if (fragment)
		return 0;
	if (v->proto == IPPROTO_TCP_) {
		if (ip_end - v->l4_off < 20)
			return -1;
		v->sport = get_be16(frame + v->l4_off);
		v->dport = get_be16(frame + v->l4_off + 2);
	} else if (v->proto == IPPROTO_UDP_) {
		size_t ulen;

		if (ip_end - v->l4_off < UDP_HDR_LEN)
			return -1;
		ulen = get_be16(frame + v->l4_off + 4);
		if (ulen < UDP_HDR_LEN || ulen > ip_end - v->l4_off)
			return -1;
		v->sport = get_be16(frame + v->l4_off);
		v->dport = get_be16(frame + v->l4_off + 2);
		v->payload_off = v->l4_off + UDP_HDR_LEN;
		v->payload_len = ulen - UDP_HDR_LEN;
	}
	return 0;
}
