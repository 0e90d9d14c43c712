// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rxpath.c - a worker's receive side: UDP datagrams (alone, or a UDP_GRO
 * train split by segment size) opened in place (rx.c) and written to the
 * TUN straight from the receive buffer, which goes back to its ring when
 * its last write completes.
 */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "offload.h"
#include "worker_int.h"

void rx_unref(struct worker *w, unsigned bid)
{
	if (!--w->rx_refs[bid])
		rx_buf_put(w, bid);
}

/* One received datagram (alone, or one of a UDP_GRO train in receive
 * buffer bid): open it in place and hand the inner packet on. */
static void rx_datagram(struct worker *w, unsigned bid, uint8_t *pkt, size_t len)
{
	size_t off = 0, ilen = 0;
	cnt_add(w->cnt, CNT_RX_DATAGRAMS, 1);
	unsigned r = rx_packet(&w->dp, pkt, len, &off, &ilen);
	if (!r && w->vnet && off < VNET_HDR_LEN)
		r = EESP_E_BAD_INNER; /* cannot happen: headers are longer */
	if (r) {
		cnt_add(w->cnt, r, 1);
		return;
	}
	peerstats_rx(w->dp.pctr, w->dp.rx_peer, ilen, w->dp.now_s);
	if (proxy_take(w, pkt + off, ilen))
		return;
	cnt_add(w->cnt, CNT_RX_BYTES, ilen);
	if (w->dp.rx_dom < EESPD_MAX_DOMAINS) {
		cnt_add(w->dcnt[w->dp.rx_dom], WORKER_DCNT_RX_PACKETS, 1);
		cnt_add(w->dcnt[w->dp.rx_dom], WORKER_DCNT_RX_BYTES, ilen);
	}
	if (w->gro_on && gro_take(w, bid, pkt + off, ilen))
		return;
	struct io_uring_sqe *sqe = get_sqe(w);
	if (!sqe) {
		cnt_add(w->cnt, CNT_TUN_WRITE_ERR, 1);
		return;
	}
	if (w->vnet) {
		/* zeroed virtio header just before the inner packet (the EESP or
		 * PSP header there is no longer needed) */
		off -= VNET_HDR_LEN;
		memset(pkt + off, 0, VNET_HDR_LEN);
		ilen += VNET_HDR_LEN;
	}
	io_uring_prep_write(sqe, w->tun_fd, pkt + off, (unsigned)ilen, 0);
	io_uring_sqe_set_data64(sqe, UD(UD_TUNWRITE, bid));
	w->rx_refs[bid]++;
}

/* Segment size of a UDP_GRO train (0: a single datagram). */
static size_t gro_segment(struct io_uring_recvmsg_out *o, struct msghdr *msg)
{
	for (struct cmsghdr *cm = io_uring_recvmsg_cmsg_firsthdr(o, msg); cm;
	     cm = io_uring_recvmsg_cmsg_nexthdr(o, msg, cm)) {
		if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			int v;
			memcpy(&v, CMSG_DATA(cm), sizeof(v));
			return v > 0 ? (size_t)v : 0;
		}
	}
	return 0;
}

void on_recv(struct worker *w, struct io_uring_cqe *cqe)
{
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		w->rx_armed = false;
		cnt_add(w->cnt, CNT_RX_REARM, 1);
	}
	if (cqe->res < 0) {
		if (cqe->res != -ENOBUFS)
			log_debug("worker %u: recvmsg: %s", w->idx, strerror(-cqe->res));
		return;
	}
	unsigned bid;
	if (!cqe_buffer_id(cqe, w->n_rx, &bid))
		return;
	uint8_t *buf = w->rx_bufs + (size_t)bid * w->rx_buf_sz;
	struct io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, cqe->res, &w->rx_msg);
	if (!o || (o->flags & MSG_TRUNC)) {
		cnt_add(w->cnt, CNT_RX_DATAGRAMS, 1);
		cnt_add(w->cnt, o ? CNT_OVERSIZE_RX : EESP_E_TRUNCATED, 1);
		rx_buf_put(w, bid);
		return;
	}
	uint8_t *pkt = io_uring_recvmsg_payload(o, &w->rx_msg);
	size_t len = io_uring_recvmsg_payload_length(o, cqe->res, &w->rx_msg);
	size_t seg = w->udp_gro ? gro_segment(o, &w->rx_msg) : 0;
	if (!seg || seg >= len)
		seg = len; /* one datagram (an empty one too) */
	else
		cnt_add(w->cnt, CNT_UDP_GRO_READS, 1);
	w->rx_refs[bid] = 1; /* held while its datagrams are handled */
	size_t at = 0;
	do {
		size_t n = len - at < seg ? len - at : seg;
		rx_datagram(w, bid, pkt + at, n);
		at += n;
	} while (at < len);
	rx_unref(w, bid);
}

void on_tun_write(struct worker *w, struct io_uring_cqe *cqe)
{
	unsigned bid = UD_IDX(cqe->user_data);
	if (cqe->res < 0) {
		cnt_add(w->cnt, CNT_TUN_WRITE_ERR, 1);
		log_debug("worker %u: tun write: %s", w->idx, strerror(-cqe->res));
	} else {
		cnt_add(w->cnt, CNT_RX_PACKETS, 1);
	}
	if (bid < w->n_rx)
		rx_unref(w, bid);
}
