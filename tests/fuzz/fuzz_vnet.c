/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_vnet - libFuzzer harness for the TUN offload code (src/eespd/offload.c):
 * the input is a 10-byte virtio_net_hdr (host byte order, as eespd reads it)
 * followed by the packet.  vnet_gso_split() splits it into a 2048-byte
 * segment buffer (eespd's tx_buf_sz for the default MTU) and
 * vnet_csum_complete() completes its checksum at csum_start/csum_offset, each
 * on an exactly sized heap copy so ASan sees any access outside.  Aborts if
 *  - a refused packet (-1) had segments sent first,
 *  - a segment is over the cap, is not IPv4/IPv6 of the input's version, or
 *    its IP length field (IPv4 total length, IPv6 40 + payload length) is
 *    not its length,
 *  - an IPv4 header checksum or a TCP/UDP checksum does not verify (summed
 *    here independently, RFC 1071 over the pseudo header),
 *  - an accepted input's own IP length field is not its length,
 *  - a segment other than the last carries other than gso_size payload bytes,
 *    or the payloads do not concatenate back to the input's payload,
 *  - vnet_csum_complete accepts a field that is not inside the packet,
 *  - vnet_gso_split_inplace (on another exact copy) does not give the same
 *    verdict and the same segments, each inside the packet.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "offload.h"
#include "../unit/csumref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEGCAP 2048

struct st {
	const uint8_t *in;
	size_t in_len, in_hl, gso;
	unsigned ver, n;
	bool ended;
	uint8_t *pay;
	size_t got;
};

static unsigned g16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* IP + L4 header length of a packet that vnet_gso_split accepted (or one of
 * its segments); 0 if it does not look like one */
static size_t hdr_len(const uint8_t *p, size_t len, unsigned *proto, size_t *iphl)
{
	if (len < 1)
		return 0;
	if (p[0] >> 4 == 4) {
		*iphl = (size_t)(p[0] & 15) * 4;
		if (len < 20)
			return 0;
		*proto = p[9];
	} else if (p[0] >> 4 == 6) {
		*iphl = 40;
		if (len < 40)
			return 0;
		*proto = p[6];
	} else {
		return 0;
	}
	if (*proto == 6 && len >= *iphl + 20)
		return *iphl + (size_t)(p[*iphl + 12] >> 4) * 4;
	if (*proto == 17)
		return *iphl + 8;
	return 0;
}

static void on_seg(void *arg, const uint8_t *s, size_t len)
{
	struct st *t = arg;
	unsigned proto;
	size_t iphl, hl = hdr_len(s, len, &proto, &iphl);
	if (len > SEGCAP || hl == 0 || hl != t->in_hl || len < hl || s[0] >> 4 != t->ver)
		abort();
	if (t->ver == 4) {
		if (g16(s + 2) != len || !ip4_hdr_ok(s, iphl))
			abort();
	} else if (g16(s + 4) + 40 != len) {
		abort();
	}
	size_t l4len = len - iphl;
	if (!l4_ok(s, t->ver == 6, iphl, l4len, proto))
		abort();
	if (proto == 17 && (g16(s + iphl + 4) != l4len || g16(s + iphl + 6) == 0))
		abort();
	size_t n = len - hl;
	if (n > t->gso || t->ended)
		abort(); /* gso_size each, but for a shorter last one */
	if (n < t->gso)
		t->ended = true;
	if (t->got + n > t->in_len)
		abort();
	memcpy(t->pay + t->got, s + hl, n);
	t->got += n;
	t->n++;
}

/* The in-place split against the segments the copying one gave (kept in
 * order in cmp: lengths, then bytes).  gso_size 1 makes one segment per
 * payload byte, so the store is sized from the input: at most len + 1
 * segments of at most VNET_SPLIT_HDR_MAX header bytes each, plus the
 * payload once. */
struct cmp {
	uint8_t *segs; /* concatenated segments of the copying split */
	size_t *lens, cap_n, cap_bytes, n, at, i;
	const uint8_t *lo, *hi;
};

static void keep_seg(void *arg, const uint8_t *s, size_t len)
{
	struct cmp *c = arg;
	if (c->n == c->cap_n || c->at + len > c->cap_bytes)
		abort(); /* more segments or bytes than the input can make */
	memcpy(c->segs + c->at, s, len);
	c->at += len;
	c->lens[c->n++] = len;
}

static void same_seg(void *arg, const uint8_t *s, size_t len)
{
	struct cmp *c = arg;
	if (c->i >= c->n || len != c->lens[c->i] || s < c->lo || s + len > c->hi ||
	    memcmp(s, c->segs + c->at, len) != 0)
		abort();
	c->at += len;
	c->i++;
}

static void check_inplace(const struct vnet_hdr *h, const uint8_t *pkt, size_t len, uint8_t *seg)
{
	struct cmp c = {.cap_n = len + 1};
	c.cap_bytes = c.cap_n * VNET_SPLIT_HDR_MAX + len;
	c.segs = malloc(c.cap_bytes);
	c.lens = malloc(c.cap_n * sizeof(*c.lens));
	if (!c.segs || !c.lens)
		abort();
	int r1 = vnet_gso_split(h, pkt, len, seg, SEGCAP, keep_seg, &c);
	uint8_t *q = malloc(len ? len : 1);
	if (!q)
		abort();
	memcpy(q, pkt, len);
	c.lo = q;
	c.hi = q + len;
	c.at = 0;
	int r2 = vnet_gso_split_inplace(h, q, len, SEGCAP, same_seg, &c);
	if (r1 != r2 || c.i != c.n)
		abort();
	free(q);
	free(c.segs);
	free(c.lens);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *seg;
	struct vnet_hdr h;
	if (size < VNET_HDR_LEN)
		return 0;
	if (!seg && !(seg = malloc(SEGCAP)))
		abort();
	memcpy(&h, data, VNET_HDR_LEN);
	size_t len = size - VNET_HDR_LEN;
	uint8_t *p = malloc(len ? len : 1);
	uint8_t *pay = malloc(len ? len : 1);
	if (!p || !pay)
		abort();
	memcpy(p, data + VNET_HDR_LEN, len);

	struct st t = {.in = p, .in_len = len, .gso = h.gso_size, .pay = pay};
	unsigned proto;
	size_t iphl;
	t.in_hl = hdr_len(p, len, &proto, &iphl);
	t.ver = len ? p[0] >> 4 : 0;
	int r = vnet_gso_split(&h, p, len, seg, SEGCAP, on_seg, &t);
	if (r != 0 && r != -1)
		abort();
	if (r == -1 && t.n)
		abort(); /* refused after sending */
	if (r == 0) {
		if (t.n == 0 || t.in_hl == 0 || t.got + t.in_hl != len ||
		    memcmp(pay, p + t.in_hl, t.got) != 0)
			abort();
		if (memcmp(p, data + VNET_HDR_LEN, len) != 0)
			abort(); /* input modified */
		if ((t.ver == 4 ? g16(p + 2) : g16(p + 4) + 40) != len)
			abort(); /* accepted a length field that is not the read */
	}

	check_inplace(&h, p, len, seg);

	int c = vnet_csum_complete(p, len, h.csum_start, h.csum_offset);
	if (c == 0 && (size_t)h.csum_start + h.csum_offset + 2 > len)
		abort();
	free(p);
	free(pay);
	return 0;
}
