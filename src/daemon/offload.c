// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * offload.c - TUN TCP segmentation offload (daemon.offload = true).
 *
 * The TUN device is opened with IFF_VNET_HDR and TUNSETOFFLOAD(CSUM | TSO4 |
 * TSO6): every read starts with a struct virtio_net_hdr and may carry a TCP
 * super-segment of up to 64 KB (gso_type TCPV4/TCPV6, gso_size = MSS) with a
 * partial checksum (NEEDS_CSUM).  The local TCP stack then crosses the TUN
 * once per super-segment instead of once per MSS.  Here the super-segment
 * is split into MSS-sized packets (IP total length / payload length, IPv4 ID
 * and header checksum, TCP sequence number, FIN/PSH only on the last and
 * CWR only on the first segment, full TCP checksum), each then sealed and
 * sent on its own.  Non-GSO packets with NEEDS_CSUM get their checksum
 * completed.  Writes to the TUN carry a zeroed header (no GSO, checksum
 * checked by the kernel as usual).  The kernel's hdr_len is not trusted: the
 * headers are measured from the packet itself.
 */
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/socket.h>

#include "offload.h"

static uint64_t csum_partial(const uint8_t *p, size_t n, uint64_t s)
{
	while (n >= 4) {
		uint32_t v;
		memcpy(&v, p, 4);
		s += v;
		p += 4;
		n -= 4;
	}
	if (n >= 2) {
		uint16_t v;
		memcpy(&v, p, 2);
		s += v;
		p += 2;
		n -= 2;
	}
	if (n) {
		uint8_t b[2] = {p[0], 0};
		uint16_t v;
		memcpy(&v, b, 2);
		s += v;
	}
	return s;
}

static uint16_t csum_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Full L4 checksum of seg (l4 bytes at p + l4off) with the pseudo header. */
static void l4_csum(uint8_t *pkt, bool v6, size_t l4off, size_t l4len, unsigned proto,
		    size_t csum_field)
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
	pkt[l4off + csum_field] = pkt[l4off + csum_field + 1] = 0;
	uint16_t c = csum_fold(csum_partial(pkt + l4off, l4len, csum_partial(ph, phl, 0)));
	if (proto == 17 && c == 0)
		c = 0xffff;
	memcpy(pkt + l4off + csum_field, &c, 2);
}

void vnet_ip4_csum(uint8_t *p, size_t ihl)
{
	p[10] = p[11] = 0;
	uint16_t c = csum_fold(csum_partial(p, ihl, 0));
	memcpy(p + 10, &c, 2);
}

void vnet_tcp_pseudo_csum(uint8_t *pkt, bool v6, size_t l4off, size_t l4len)
{
	uint8_t ph[40];
	size_t phl;
	if (v6) {
		memcpy(ph, pkt + 8, 32);
		eesp_put32(ph + 32, (uint32_t)l4len);
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = 6;
		phl = 40;
	} else {
		memcpy(ph, pkt + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		eesp_put16(ph + 10, (uint16_t)l4len);
		phl = 12;
	}
	/* CHECKSUM_PARTIAL: the field holds the folded, not inverted, sum of
	 * the pseudo header; the kernel adds the rest */
	uint16_t c = (uint16_t)~csum_fold(csum_partial(ph, phl, 0));
	memcpy(pkt + l4off + 16, &c, 2);
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

int vnet_tso_split(const struct vnet_hdr *h, const uint8_t *p, size_t len, uint8_t *seg,
		   size_t seg_cap, vnet_seg_fn fn, void *arg)
{
	bool v6;
	size_t iphl, tcphl, hl, pl, mss = h->gso_size;
	unsigned gt = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (gt == VIRTIO_NET_HDR_GSO_TCPV4 && len >= 20 && (p[0] >> 4) == 4) {
		v6 = false;
		iphl = (size_t)(p[0] & 15) * 4;
		if (iphl < 20 || p[9] != 6)
			return -1;
	} else if (gt == VIRTIO_NET_HDR_GSO_TCPV6 && len >= 40 && (p[0] >> 4) == 6) {
		v6 = true;
		iphl = 40;
		if (p[6] != 6) /* extension headers: not produced for TSO here */
			return -1;
	} else {
		return -1;
	}
	if (len < iphl + 20)
		return -1;
	tcphl = (size_t)(p[iphl + 12] >> 4) * 4;
	hl = iphl + tcphl;
	if (tcphl < 20 || len < hl || mss == 0)
		return -1;
	pl = len - hl;
	uint32_t seq = eesp_get32(p + iphl + 4);
	uint16_t id = v6 ? 0 : eesp_get16(p + 4);
	uint8_t flags = p[iphl + 13];
	unsigned i = 0;
	for (size_t done = 0; done < pl || (pl == 0 && i == 0); done += mss, i++) {
		size_t n = pl - done < mss ? pl - done : mss;
		bool first = done == 0, last = done + n >= pl;
		if (hl + n > seg_cap)
			return -1;
		memcpy(seg, p, hl);
		memcpy(seg + hl, p + hl + done, n);
		if (v6) {
			eesp_put16(seg + 4, (uint16_t)(tcphl + n));
		} else {
			eesp_put16(seg + 2, (uint16_t)(hl + n));
			eesp_put16(seg + 4, (uint16_t)(id + i));
			vnet_ip4_csum(seg, iphl);
		}
		eesp_put32(seg + iphl + 4, seq + (uint32_t)done);
		uint8_t f = flags;
		if (!last)
			f &= (uint8_t) ~(0x01 | 0x08); /* FIN, PSH */
		if (!first)
			f &= (uint8_t)~0x80; /* CWR */
		seg[iphl + 13] = f;
		l4_csum(seg, v6, iphl, tcphl + n, 6, 16);
		fn(arg, seg, hl + n);
		if (pl == 0)
			break;
	}
	return 0;
}
