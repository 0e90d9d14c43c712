// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * txpath.c - a worker's send side: packets read from the TUN (split when
 * they are TSO/USO super-packets), sealed (tx.c) into UDP datagrams that
 * leave one by one or laid end to end as a GSO train (UDP_SEGMENT), and
 * the proxy role's re-sealing of packets opened from another domain.
 */
#include <errno.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "flowhash.h"
#include "log.h"
#include "offload.h"
#include "worker.h"
#include "worker_int.h"

/* ---------------------------------------------------------------- send -- */

static int slot_get(struct worker *w, bool train)
{
	int *head = train ? &w->train_free : &w->tx_free;
	int i = *head;
	if (i >= 0)
		*head = w->tx[i].next_free;
	return i;
}

static void slot_put(struct worker *w, int i)
{
	int *head = (unsigned)i >= w->n_tx ? &w->train_free : &w->tx_free;
	w->tx[i].next_free = *head;
	*head = i;
}

/* The send socket of an inner packet's flow: its outer source port. */
static int flow_fd(const struct worker *w, const uint8_t *pkt, size_t len)
{
	const struct txpool *p = w->s.pool;
	if (!p->n)
		return w->s.udp;
	return p->fd[eesp_flow_bucket(w->dp.flow_seed, pkt, len, 0, (uint16_t)(p->n - 1))];
}

/* Queue the SENDMSG of slot i (one datagram, or a train with UDP_SEGMENT). */
static void slot_send(struct worker *w, int i)
{
	struct txslot *t = &w->tx[i];
	const struct peer *peer = t->peer;
	int family = w->s.pool->n ? w->s.pool->family : w->s.udp_family;
	struct io_uring_sqe *sqe = get_sqe(w);
	if (!sqe) {
		cnt_add(w->cnt, CNT_SEND_ERR, t->n);
		slot_put(w, i);
		return;
	}
	memset(&t->msg, 0, sizeof(t->msg));
	if (family == AF_INET6) {
		memcpy(&t->addr, &peer->ep6, sizeof(peer->ep6));
		t->msg.msg_namelen = sizeof(peer->ep6);
	} else {
		memcpy(&t->addr, &peer->ep, peer->ep_len);
		t->msg.msg_namelen = peer->ep_len;
	}
	t->iov.iov_base = t->buf;
	t->iov.iov_len = t->len;
	t->msg.msg_name = &t->addr;
	t->msg.msg_iov = &t->iov;
	t->msg.msg_iovlen = 1;
	if (t->n > 1) {
		struct cmsghdr *cm = &t->ctl.align;
		uint16_t seg = (uint16_t)t->seg;
		t->msg.msg_control = t->ctl.buf;
		t->msg.msg_controllen = sizeof(t->ctl.buf);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		cnt_add(w->cnt, CNT_UDP_GSO_SENDS, 1);
	}
	io_uring_prep_sendmsg(sqe, t->fd, &t->msg, 0);
	io_uring_sqe_set_data64(sqe, UD(UD_SEND, (unsigned)i));
}

static void train_flush(struct worker *w, unsigned k)
{
	slot_send(w, w->open[k]);
	w->open[k] = w->open[--w->n_open];
}

void trains_flush(struct worker *w)
{
	while (w->n_open)
		train_flush(w, w->n_open - 1);
}

/* One datagram in a slot of its own. */
static unsigned seal_single(struct worker *w, int fd, const struct peer *peer, const uint8_t *pkt,
			    size_t len)
{
	int i = slot_get(w, false);
	if (i < 0)
		return CNT_TX_NO_BUFFER;
	struct txslot *t = &w->tx[i];
	unsigned r = tx_seal(&w->dp, peer, pkt, len, t->buf, t->cap, &t->len);
	if (r) {
		slot_put(w, i);
		return r;
	}
	t->n = 1;
	t->fd = fd;
	t->peer = peer;
	slot_send(w, i);
	return 0;
}

/* The open train to (fd, peer) that can take a datagram of inner length
 * len, or -1; a train that cannot is sent now (keeps the flow's order). */
static int train_find(struct worker *w, int fd, const struct peer *peer, size_t len)
{
	for (unsigned k = 0; k < w->n_open; k++) {
		struct txslot *t = &w->tx[w->open[k]];
		if (t->fd != fd || t->peer != peer)
			continue;
		if (t->closed || t->n >= GSO_MAX_SEGS || len + t->ov > t->seg ||
		    t->len + len + t->ov > GSO_MAX_BYTES) {
			train_flush(w, k);
			return -1;
		}
		return w->open[k];
	}
	return -1;
}

/* Seal into the flow's train: the datagram is written in place after the
 * ones already there. */
static unsigned seal_train(struct worker *w, int fd, const struct peer *peer, const uint8_t *pkt,
			   size_t len)
{
	int i = train_find(w, fd, peer, len);
	struct txslot *t;
	size_t n;
	if (i < 0) {
		if (w->n_open == TRAINS_OPEN)
			train_flush(w, 0);
		i = slot_get(w, true);
		if (i < 0)
			return seal_single(w, fd, peer, pkt, len);
		t = &w->tx[i];
		t->len = t->n = 0;
		t->closed = false;
		t->fd = fd;
		t->peer = peer;
		w->open[w->n_open++] = i;
	}
	t = &w->tx[i];
	unsigned r = tx_seal(&w->dp, peer, pkt, len, t->buf + t->len, t->cap - t->len, &n);
	if (r) {
		if (!t->n) {
			w->n_open--; /* opened just above: the last one */
			slot_put(w, i);
		}
		return r;
	}
	if (!t->n) {
		t->seg = n;
		t->ov = n - len;
	} else if (n > t->seg || t->len + n > GSO_MAX_BYTES) {
		/* not the size the first datagram predicted: on its own */
		int j = slot_get(w, false);
		if (j < 0 || n > w->tx[j].cap) {
			if (j >= 0)
				slot_put(w, j);
			return CNT_TX_NO_BUFFER;
		}
		memcpy(w->tx[j].buf, t->buf + t->len, n);
		w->tx[j].len = n;
		w->tx[j].n = 1;
		w->tx[j].fd = fd;
		w->tx[j].peer = peer;
		slot_send(w, j);
		return 0;
	}
	t->len += n;
	t->n++;
	if (n < t->seg)
		t->closed = true;
	return 0;
}

static bool gso_active(const struct worker *w)
{
	return w->dp.conf->udp_gso && w->dp.now_s >= w->gso_pause_until;
}

/* The peer and send socket of an inner flow.  The segments of one
 * super-packet share addresses and ports: they are routed and hashed once. */
struct tx_flow {
	const struct peer *peer;
	int fd;
};

/* Seal one inner packet read from the TUN (or, proxy, one just opened from
 * another domain) and queue its datagram.  fl (may be NULL) carries the flow
 * from one call to the next.  Returns 0 or the drop reason. */
static unsigned send_sealed(struct worker *w, const uint8_t *pkt, size_t len, bool proxy,
			    struct tx_flow *fl)
{
	struct tx_flow one = {0};
	unsigned r = 0;
	if (!fl)
		fl = &one;
	if (!proxy)
		cnt_add(w->cnt, CNT_TUN_PACKETS, 1);
	if (!fl->peer) {
		fl->peer = tx_route(&w->dp, pkt, len, &r);
		if (fl->peer)
			fl->fd = flow_fd(w, pkt, len);
	}
	const struct peer *peer = fl->peer;
	if (peer)
		r = gso_active(w) ? seal_train(w, fl->fd, peer, pkt, len)
				  : seal_single(w, fl->fd, peer, pkt, len);
	if (r) {
		cnt_add(w->cnt, r, 1);
		return r;
	}
	peerstats_tx(w->dp.pctr, (unsigned)(peer - w->dp.snap->peers), len);
	if (proxy) {
		cnt_add(w->cnt, CNT_PROXY_PACKETS, 1);
		cnt_add(w->cnt, CNT_PROXY_BYTES, len);
		if (w->dp.rx_dom < EESPD_MAX_DOMAINS && peer->dom < EESPD_MAX_DOMAINS) {
			cnt_add(w->pxy[w->dp.rx_dom][peer->dom], 0, 1);
			cnt_add(w->pxy[w->dp.rx_dom][peer->dom], 1, len);
		}
	} else {
		cnt_add(w->cnt, CNT_TX_PACKETS, 1);
		cnt_add(w->cnt, CNT_TX_BYTES, len);
		if (peer->dom < EESPD_MAX_DOMAINS) {
			cnt_add(w->dcnt[peer->dom], WORKER_DCNT_TX_PACKETS, 1);
			cnt_add(w->dcnt[peer->dom], WORKER_DCNT_TX_BYTES, len);
		}
	}
	return 0;
}

static void send_inner(struct worker *w, const uint8_t *pkt, size_t len)
{
	(void)send_sealed(w, pkt, len, false, NULL);
}

/*
 * Proxy role: a packet opened in domain rx_dom whose inner destination routes
 * to a peer of another domain is re-sealed for that domain (its profile, keys,
 * node id, epoch; this worker's IV counter) and sent to the peer, never
 * written to the TUN.  The receive checks of rx_dom (node policy, spoofed
 * source) have already passed.  Returns true if the packet was consumed.
 */
bool proxy_take(struct worker *w, const uint8_t *p, size_t len)
{
	const struct snap *c = w->dp.snap;
	const struct peer *peer;
	const struct domain *rd;
	if (c->n_doms < 2 || w->dp.rx_dom >= c->n_doms || len < 20)
		return false;
	if ((p[0] >> 4) == 4)
		peer = route_lookup(c, AF_INET, p + 16);
	else if (len >= 40 && (p[0] >> 4) == 6)
		peer = route_lookup(c, AF_INET6, p + 24);
	else
		return false;
	if (!peer || peer->dom == w->dp.rx_dom)
		return false; /* for us (the TUN), or hairpin inside the domain */
	rd = &c->dom[w->dp.rx_dom];
	if (!(rd->forward_mask & (1u << peer->dom))) {
		cnt_add(w->cnt, CNT_PROXY_DENIED, 1);
		return true;
	}
	if (send_sealed(w, p, len, true, NULL))
		cnt_add(w->cnt, CNT_PROXY_DROPS, 1);
	return true;
}

uint64_t worker_domain_counter(const struct worker *w, unsigned dom, unsigned which)
{
	if (dom >= EESPD_MAX_DOMAINS || which >= WORKER_DCNT__COUNT)
		return 0;
	return __atomic_load_n(&w->dcnt[dom][which], __ATOMIC_RELAXED);
}

/* Proxy counters per domain pair: [from][to][0 packets, 1 bytes]. */
uint64_t worker_proxy_counter(const struct worker *w, unsigned from, unsigned to, unsigned bytes)
{
	if (from >= EESPD_MAX_DOMAINS || to >= EESPD_MAX_DOMAINS || bytes > 1)
		return 0;
	return __atomic_load_n(&w->pxy[from][to][bytes], __ATOMIC_RELAXED);
}

/* vnet_gso_split's callback: the segments of one super-packet */
struct split_arg {
	struct worker *w;
	struct tx_flow fl;
};

static void send_seg(void *arg, const uint8_t *pkt, size_t len)
{
	struct split_arg *a = arg;
	(void)send_sealed(a->w, pkt, len, false, &a->fl);
}

void on_tun_read(struct worker *w, struct io_uring_cqe *cqe)
{
	bool more = cqe->flags & IORING_CQE_F_MORE;
	if (!w->tun_multishot || !more) {
		if (w->tun_outstanding)
			w->tun_outstanding--;
		if (!w->tun_outstanding || !w->tun_multishot)
			w->tun_armed = false;
	}
	if (cqe->res < 0) {
		if (cqe->res == -EINVAL && w->tun_multishot) {
			log_warn("worker %u: multishot TUN read refused by the kernel; using "
				 "%u single-shot reads",
				 w->idx, TUN_SINGLESHOT);
			w->tun_multishot = false;
			atomic_store(&w->tun_multishot_pub, false);
		} else if (cqe->res != -ENOBUFS && cqe->res != -EAGAIN && cqe->res != -EINTR) {
			log_debug("worker %u: tun read: %s", w->idx, strerror(-cqe->res));
		}
		if (w->tun_multishot && !more)
			cnt_add(w->cnt, CNT_TUN_REARM, 1);
		return;
	}
	unsigned bid;
	if (!cqe_buffer_id(cqe, w->n_tun_bufs, &bid))
		return;
	if (w->tun_multishot && !more)
		cnt_add(w->cnt, CNT_TUN_REARM, 1);
	uint8_t *pkt = w->tun_bufs + (size_t)bid * w->tun_buf_sz;
	size_t len = (size_t)cqe->res;
	if (w->vnet) {
		struct vnet_hdr h;
		if (len < VNET_HDR_LEN) {
			cnt_add(w->cnt, CNT_TUN_PACKETS, 1);
			cnt_add(w->cnt, CNT_NON_IP, 1);
			tun_buf_put(w, bid);
			return;
		}
		memcpy(&h, pkt, VNET_HDR_LEN);
		pkt += VNET_HDR_LEN;
		len -= VNET_HDR_LEN;
		if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE) {
			struct split_arg a = {.w = w};
			cnt_add(w->cnt, CNT_TSO_READS, 1);
			/* in the read buffer itself: send_seg seals each segment
			 * out of place before the next one overwrites its tail */
			if (vnet_gso_split_inplace(&h, pkt, len, w->tx_buf_sz, send_seg, &a)) {
				cnt_add(w->cnt, CNT_TUN_PACKETS, 1);
				cnt_add(w->cnt, CNT_NON_IP, 1);
			}
			tun_buf_put(w, bid);
			return;
		}
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    vnet_csum_complete(pkt, len, h.csum_start, h.csum_offset)) {
			cnt_add(w->cnt, CNT_TUN_PACKETS, 1);
			cnt_add(w->cnt, CNT_NON_IP, 1);
			tun_buf_put(w, bid);
			return;
		}
	}
	send_inner(w, pkt, len);
	tun_buf_put(w, bid);
}

/* The kernel refused a train: send its datagrams one by one (synchronously;
 * a rare path) and pause GSO for this worker. */
static void gso_fallback(struct worker *w, struct txslot *t, int err)
{
	struct mmsghdr mm[GSO_MAX_SEGS];
	struct iovec iov[GSO_MAX_SEGS];
	unsigned n = 0;
	for (size_t at = 0; at < t->len && n < GSO_MAX_SEGS; at += t->seg, n++) {
		iov[n].iov_base = t->buf + at;
		iov[n].iov_len = t->len - at < t->seg ? t->len - at : t->seg;
		memset(&mm[n], 0, sizeof(mm[n]));
		mm[n].msg_hdr.msg_name = &t->addr;
		mm[n].msg_hdr.msg_namelen = t->msg.msg_namelen;
		mm[n].msg_hdr.msg_iov = &iov[n];
		mm[n].msg_hdr.msg_iovlen = 1;
	}
	int sent = sendmmsg(t->fd, mm, n, MSG_DONTWAIT);
	if (sent < 0)
		sent = 0;
	cnt_add(w->cnt, CNT_UDP_GSO_FALLBACK, n);
	if ((unsigned)sent < n)
		cnt_add(w->cnt, CNT_SEND_ERR, n - (unsigned)sent);
	if (w->dp.now_s >= w->gso_pause_until)
		log_warn("worker %u: UDP GSO refused (%s); sending datagram by datagram for %u s",
			 w->idx, strerror(err), GSO_PAUSE_S);
	w->gso_pause_until = w->dp.now_s + GSO_PAUSE_S;
	trains_flush(w); /* what follows goes one by one: keep the order */
}

void on_send(struct worker *w, struct io_uring_cqe *cqe)
{
	unsigned slot = UD_IDX(cqe->user_data);
	if (slot >= w->n_tx + TX_TRAINS)
		return;
	struct txslot *t = &w->tx[slot];
	if (cqe->res < 0) {
		int e = -cqe->res;
		if (t->n > 1 && (e == EIO || e == EINVAL || e == EMSGSIZE)) {
			gso_fallback(w, t, e);
		} else {
			/* they were counted as sent when queued */
			cnt_add(w->cnt, CNT_SEND_ERR, t->n);
			log_debug("worker %u: send: %s", w->idx, strerror(e));
		}
	}
	slot_put(w, (int)slot);
}
