// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tungro.c - GRO into the TUN (offload on): TCP segments (and, with USO,
 * UDP datagrams) of one flow opened in one batch are coalesced into one
 * super-packet with a virtio-net header, written to the TUN at once.  Only
 * the first packet's headers are copied (into a gro_slot, where they are
 * rewritten for the whole); the payloads stay where they were opened, in the
 * receive buffers, and one WRITEV gathers them, so the bytes are copied once,
 * by the kernel.  Each receive buffer is held until the write completes.
 */
#include <linux/virtio_net.h>
#include <string.h>

#include "log.h"
#include "offload.h"
#include "worker_int.h"

/* ----------------------------------------------------------------- GRO -- */

/* The headers of slot i, after its virtio header. */
static uint8_t *gro_hdr(struct worker *w, int i)
{
	return w->gro_slots[i].hdr + VNET_HDR_LEN;
}

/* Slot i is done with (written or given up): its receive buffers are let go. */
static void gro_slot_release(struct worker *w, int i)
{
	struct gro_slot *s = &w->gro_slots[i];
	for (unsigned k = 0; k < s->n; k++)
		rx_unref(w, s->bid[k]);
	s->n = 0;
	w->gro_free[w->n_gro_free++] = i;
}

/* Payload (p, n) of receive buffer bid appended to slot i. */
static void gro_slot_add(struct worker *w, int i, unsigned bid, const uint8_t *p, size_t n)
{
	struct gro_slot *s = &w->gro_slots[i];
	s->iov[1 + s->n].iov_base = (void *)p;
	s->iov[1 + s->n].iov_len = n;
	s->bid[s->n++] = (uint16_t)bid;
	w->rx_refs[bid]++;
}

/* A packet that may be coalesced: TCP or (USO) UDP, no IPv4 options or
 * fragments, no IPv6 extension headers, some payload; TCP flags ACK or
 * ACK|PSH only; a UDP length that matches the packet. */
static bool gro_eligible(const struct worker *w, const uint8_t *p, size_t len, bool *v6,
			 uint8_t *proto, size_t *iphl, size_t *hl)
{
	if ((p[0] >> 4) == 4) {
		if (p[0] != 0x45 || (eesp_get16(p + 6) & 0x3fff))
			return false;
		*v6 = false;
		*proto = p[9];
		*iphl = 20;
	} else {
		if (len < 40)
			return false;
		*v6 = true;
		*proto = p[6];
		*iphl = 40;
	}
	if (*proto == 17 && w->gro_udp) {
		*hl = *iphl + 8;
		return len > *hl && eesp_get16(p + *iphl + 4) == len - *iphl;
	}
	if (*proto != 6 || len < *iphl + 20)
		return false;
	size_t thl = (size_t)(p[*iphl + 12] >> 4) * 4;
	if (thl < 20 || len <= *iphl + thl)
		return false;
	if ((p[*iphl + 13] & ~0x08) != 0x10) /* ACK, optionally PSH */
		return false;
	*hl = *iphl + thl;
	return true;
}

/* Same addresses, protocol and ports. */
static bool gro_same_flow(const struct gro_flow *f, const uint8_t *fp, const uint8_t *p, bool v6,
			  uint8_t proto)
{
	if (f->v6 != v6 || f->proto != proto)
		return false;
	if (v6)
		return !memcmp(fp + 8, p + 8, 32) && !memcmp(fp + 40, p + 40, 4);
	return !memcmp(fp + 12, p + 12, 8) && !memcmp(fp + 20, p + 20, 4);
}

static bool gro_can_append(const struct gro_flow *f, const uint8_t *fp, const uint8_t *p, size_t hl,
			   size_t plen)
{
	size_t i = f->iphl;
	if (f->closed || hl != f->hl || plen > f->mss || f->len + plen > GRO_MAX ||
	    f->count >= GRO_MAX_SEGS)
		return false;
	if (f->v6) {
		if (memcmp(fp, p, 4) || fp[7] != p[7])
			return false;
	} else if (fp[1] != p[1] || fp[6] != p[6] || fp[8] != p[8]) {
		return false;
	}
	if (f->proto == 17)
		return true;
	/* TCP: the next sequence number; ack, data offset, window, urgent
	 * pointer and options identical */
	return eesp_get32(p + i + 4) == f->next_seq && !memcmp(fp + i + 8, p + i + 8, 5) &&
	       !memcmp(fp + i + 14, p + i + 14, 2) && !memcmp(fp + i + 18, p + i + 18, hl - i - 18);
}

static void gro_write(struct worker *w, int buf, size_t hl)
{
	struct gro_slot *s = &w->gro_slots[buf];
	struct io_uring_sqe *sqe = get_sqe(w);
	if (!sqe) {
		cnt_add(w->cnt, CNT_TUN_WRITE_ERR, s->n);
		gro_slot_release(w, buf);
		return;
	}
	if (s->n > 1)
		cnt_add(w->cnt, CNT_GRO_WRITES, 1);
	s->iov[0].iov_base = s->hdr;
	s->iov[0].iov_len = VNET_HDR_LEN + hl;
	io_uring_prep_writev(sqe, w->tun_fd, s->iov, 1 + s->n, 0);
	io_uring_sqe_set_data64(sqe, UD(UD_GROWRITE, (unsigned)buf));
}

static void gro_flush_one(struct worker *w, struct gro_flow *f)
{
	uint8_t *b = w->gro_slots[f->buf].hdr;
	uint8_t *p = b + VNET_HDR_LEN;
	memset(b, 0, VNET_HDR_LEN);
	if (f->count > 1) {
		bool udp = f->proto == 17;
		struct vnet_hdr h = {
		    .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		    .gso_type = udp	? VIRTIO_NET_HDR_GSO_UDP_L4
				: f->v6 ? VIRTIO_NET_HDR_GSO_TCPV6
					: VIRTIO_NET_HDR_GSO_TCPV4,
		    .hdr_len = (uint16_t)f->hl,
		    .gso_size = (uint16_t)f->mss,
		    .csum_start = (uint16_t)f->iphl,
		    .csum_offset = udp ? 6 : 16,
		};
		memcpy(b, &h, VNET_HDR_LEN);
		if (f->v6) {
			eesp_put16(p + 4, (uint16_t)(f->len - 40));
		} else {
			eesp_put16(p + 2, (uint16_t)f->len);
			vnet_ip4_csum(p, 20);
		}
		if (udp)
			eesp_put16(p + f->iphl + 4, (uint16_t)(f->len - f->iphl));
		vnet_l4_pseudo_csum(p, f->v6, f->iphl, f->len - f->iphl, f->proto);
	}
	gro_write(w, f->buf, f->hl);
}

void gro_flush(struct worker *w)
{
	for (unsigned i = 0; i < w->n_gro; i++)
		gro_flush_one(w, &w->gro[i]);
	w->n_gro = 0;
}

/* Take a decrypted packet (in receive buffer bid); true if a GRO slot now
 * holds it (and a reference to bid), false if the caller writes it itself. */
bool gro_take(struct worker *w, unsigned bid, const uint8_t *p, size_t len)
{
	bool v6;
	uint8_t proto;
	size_t iphl, hl;
	if (!gro_eligible(w, p, len, &v6, &proto, &iphl, &hl)) {
		gro_flush(w); /* keep the order of everything before it */
		return false;
	}
	size_t plen = len - hl;
	bool tcp = proto == 6;
	bool push = tcp && (p[iphl + 13] & 0x08);
	for (unsigned i = 0; i < w->n_gro; i++) {
		struct gro_flow *f = &w->gro[i];
		uint8_t *fp = gro_hdr(w, f->buf);
		if (!gro_same_flow(f, fp, p, v6, proto))
			continue;
		if (gro_can_append(f, fp, p, hl, plen)) {
			gro_slot_add(w, f->buf, bid, p + hl, plen);
			f->len += plen;
			f->next_seq += (uint32_t)plen;
			f->count++;
			if (plen < f->mss || push) {
				if (push)
					fp[iphl + 13] |= 0x08;
				f->closed = true;
			}
			return true;
		}
		gro_flush_one(w, f);
		w->gro[i] = w->gro[--w->n_gro];
		break;
	}
	if (w->n_gro == GRO_FLOWS)
		gro_flush(w);
	if (!w->n_gro_free)
		return false;
	struct gro_flow *f = &w->gro[w->n_gro++];
	f->buf = w->gro_free[--w->n_gro_free];
	f->v6 = v6;
	f->proto = proto;
	f->iphl = iphl;
	f->hl = hl;
	f->mss = plen;
	f->len = len;
	f->next_seq = tcp ? eesp_get32(p + iphl + 4) + (uint32_t)plen : 0;
	f->count = 1;
	f->closed = push;
	memcpy(gro_hdr(w, f->buf), p, hl);
	gro_slot_add(w, f->buf, bid, p + hl, plen);
	return true;
}

void on_gro_write(struct worker *w, struct io_uring_cqe *cqe)
{
	unsigned buf = UD_IDX(cqe->user_data);
	if (buf >= GRO_BUFS)
		return;
	if (cqe->res < 0) {
		cnt_add(w->cnt, CNT_TUN_WRITE_ERR, w->gro_slots[buf].n);
		log_debug("worker %u: tun write (gro): %s", w->idx, strerror(-cqe->res));
	} else {
		cnt_add(w->cnt, CNT_RX_PACKETS, w->gro_slots[buf].n);
	}
	gro_slot_release(w, (int)buf);
}
