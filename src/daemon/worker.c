// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * worker.c - one io_uring per worker thread; every data-path I/O goes
 * through it, in batches:
 *
 *   UDP receive   one multishot RECVMSG (io_uring_prep_recvmsg_multishot)
 *                 on the worker's SO_REUSEPORT socket, buffers from a
 *                 provided buffer ring (group 0), re-armed when a CQE comes
 *                 without IORING_CQE_F_MORE (ENOBUFS, errors).
 *   TUN read      multishot READ (IORING_OP_READ_MULTISHOT, opcode 49, built
 *                 by hand: liburing 2.3 has no helper; kernel >= 6.7) with a
 *                 second buffer ring (group 1).  If the kernel refuses it
 *                 (EINVAL), TUN_SINGLESHOT single-shot READs with
 *                 IOSQE_BUFFER_SELECT are kept outstanding instead.
 *   UDP send      SENDMSG on the send socket the inner flow hashes to
 *                 (socket.c).  With udp_gso, datagrams of one flow to one
 *                 peer sealed in one batch are laid end to end in a 64 KB
 *                 train and leave in one SENDMSG with UDP_SEGMENT (one trip
 *                 through the kernel's UDP/IP/route code per train, not per
 *                 datagram); a train is closed by a shorter datagram, 64
 *                 datagrams or 65000 bytes, and every open train is sent at
 *                 the end of the batch.  If the kernel refuses a train (EIO:
 *                 no checksum offload on the route's device; EINVAL,
 *                 EMSGSIZE: segment above the MTU) its datagrams are re-sent
 *                 one by one (udp_gso_fallback) and GSO pauses for
 *                 GSO_PAUSE_S seconds.  Without GSO, one 2 KB slot per
 *                 datagram.
 *   UDP receive   with udp_gro the kernel may deliver a train of one
 *                 sender's datagrams in one buffer (cmsg UDP_GRO = segment
 *                 size); it is split and each datagram opened on its own.
 *   TUN write     WRITE of the decrypted packet straight from the receive
 *                 buffer (opened in place); the buffer goes back to its ring
 *                 when its last write completes (rx_refs).
 *
 * Loop: reap all CQEs, queue the resulting SQEs, recycle buffers, then one
 * io_uring_submit_and_wait_timeout() (200 ms, so configuration switches and
 * stop requests are seen when idle).  The ring is created with
 * SINGLE_ISSUER|DEFER_TASKRUN, falling back to COOP_TASKRUN, then to none;
 * always disabled at first and restricted to the operations above
 * (sandbox.c), by the main thread in worker_new() before the seccomp filter
 * goes on, and enabled by the worker thread.
 */
#include <errno.h>
#include <liburing.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dp.h"
#include "offload.h"
#include <linux/virtio_net.h>
#include "sandbox.h"
#include "secmem.h"

#define RX_BUFS 1024   /* power of two */
#define RX_BUFS_GRO 64 /* 64 KB each (UDP_GRO trains) */
#define RX_GRO_SZ 65536
#define RX_NAME_LEN ((sizeof(struct sockaddr_in6) + 7) & ~(size_t)7)
#define TX_TRAINS 32	    /* 64 KB send buffers for UDP GSO trains */
#define TRAINS_OPEN 8	    /* trains being filled at once */
#define GSO_MAX_SEGS 64	    /* the kernel's UDP_MAX_SEGMENTS */
#define GSO_MAX_BYTES 65000 /* UDP payload of one train (IPv4 allows 65507) */
#define GSO_PAUSE_S 10	    /* after a refused train */
#define TUN_BUFS_PLAIN 1024
#define TUN_BUFS_VNET 64 /* 64 KB super-packets */
#define TX_SLOTS_PLAIN 1024
#define TX_SLOTS_VNET 2048 /* without GSO a TUN read may become ~45 datagrams */
#define SQ_DEPTH 1024
#define CQ_DEPTH 4096
#define TUN_SINGLESHOT 32
#define BGID_RX 0
#define GRO_FLOWS 8
#define GRO_BUFS 32
#define GRO_BUF_SZ (65536 + 128)
#define GRO_MAX 65535	/* IPv4 total length / IPv6 payload length */
#define GRO_MAX_SEGS 64 /* UDP_MAX_SEGMENTS: the kernel splits no more */
#define BGID_TUN 1
#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49
#endif

enum { UD_RECV = 1, UD_TUNREAD, UD_SEND, UD_TUNWRITE, UD_GROWRITE };
#define UD(t, i) ((uint64_t)(t) << 56 | (uint64_t)(i))
#define UD_TYPE(u) ((unsigned)((u) >> 56))
#define UD_IDX(u) ((unsigned)((u)&0xffffffffu))

struct gro_flow {
	int buf;
	bool v6;
	uint8_t proto;		   /* 6 TCP, 17 UDP */
	size_t iphl, hl, mss, len; /* len: bytes after the virtio header */
	uint32_t next_seq;
	unsigned count;
	bool closed;
};

/* A send buffer: one datagram, or (a 64 KB slot) a GSO train of n datagrams
 * of seg bytes each, the last one possibly shorter. */
struct txslot {
	struct msghdr msg;
	struct iovec iov;
	struct sockaddr_storage addr;
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	uint8_t *buf;
	size_t cap;
	size_t len, seg, ov; /* ov: seal overhead of the first datagram */
	unsigned n;
	bool closed;
	int fd;
	const struct peer *peer;
	int next_free;
};

struct worker {
	unsigned idx;
	pthread_t th;
	bool started;
	_Atomic bool stop;
	_Atomic bool failed;
	_Atomic uint64_t serial;
	struct io_uring ring;
	bool ring_ok;
	int tun_fd;
	struct sockset s;
	struct dp dp;

	struct io_uring_buf_ring *rx_br, *tun_br;
	unsigned n_tun_bufs;
	unsigned n_tx;
	bool vnet;
	bool gro_on;
	bool gro_udp; /* the TUN takes UDP super-packets (USO) */
	uint8_t *seg; /* TSO split scratch */
	/* GRO into the TUN (offload on): TCP segments of one flow that arrive
	 * in one batch are coalesced into one super-packet per write */
	struct gro_flow gro[GRO_FLOWS];
	unsigned n_gro;
	uint8_t *gro_bufs;
	int gro_free[GRO_BUFS];
	unsigned n_gro_free;
	unsigned gro_segs[GRO_BUFS];
	size_t rx_br_sz, tun_br_sz;
	unsigned n_rx;
	bool udp_gro;
	uint16_t *rx_refs; /* TUN writes (+1 while being handled) per receive buffer */
	uint8_t *rx_bufs, *tun_bufs;
	size_t rx_buf_sz, tun_buf_sz;
	unsigned rx_recycle, tun_recycle;
	struct msghdr rx_msg;
	bool rx_armed, tun_armed;
	bool tun_multishot;
	_Atomic bool tun_multishot_pub;
	unsigned tun_outstanding;

	struct txslot *tx; /* n_tx datagram slots, then TX_TRAINS train slots */
	uint8_t *tx_bufs, *train_bufs;
	size_t tx_buf_sz, train_buf_sz;
	int tx_free, train_free;
	int open[TRAINS_OPEN]; /* trains being filled in this batch */
	unsigned n_open;
	uint64_t gso_pause_until;

	uint64_t cnt[CNT__COUNT];
	uint64_t pxy[EESPD_MAX_DOMAINS][EESPD_MAX_DOMAINS][2]; /* proxy from -> to */
};

static size_t align64(size_t n)
{
	return (n + 63) & ~(size_t)63;
}

/* Touch every data-path buffer once: the daemon's memory is all there from
 * the start (no growth as traffic first reaches each buffer, no page faults
 * on the data path). */
static void prefault(struct worker *w)
{
	memset(w->rx_bufs, 0, w->n_rx * w->rx_buf_sz);
	memset(w->tun_bufs, 0, w->n_tun_bufs * w->tun_buf_sz);
	memset(w->tx_bufs, 0, (size_t)w->n_tx * w->tx_buf_sz);
	memset(w->train_bufs, 0, (size_t)TX_TRAINS * w->train_buf_sz);
	if (w->gro_bufs)
		memset(w->gro_bufs, 0, (size_t)GRO_BUFS * GRO_BUF_SZ);
}

static int ring_init(struct worker *w);

struct worker *worker_new(unsigned idx, int tun_fd, const struct sockset *s,
			  const struct ivstate *iv)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct cfg *c = atomic_load(&g_cfg);
	size_t base;
	if (!w)
		return NULL;
	w->idx = idx;
	w->tun_fd = tun_fd;
	w->s = *s;
	w->dp.ivs = *iv;
	w->dp.session_id = (uint16_t)(idx + 1);
	w->dp.cnt = w->cnt;
	w->dp.cfg = c;
	base = c->mtu + 256 > 2048 ? c->mtu + 256 : 2048;
	w->udp_gro = c->udp_gro;
	w->n_rx = w->udp_gro ? RX_BUFS_GRO : RX_BUFS;
	w->rx_buf_sz =
	    align64((w->udp_gro ? RX_GRO_SZ + 256 : base) + sizeof(struct io_uring_recvmsg_out) +
		    RX_NAME_LEN + CMSG_SPACE(sizeof(int)));
	w->vnet = c->offload;
	w->n_tun_bufs = w->vnet ? TUN_BUFS_VNET : TUN_BUFS_PLAIN;
	w->n_tx = w->vnet ? TX_SLOTS_VNET : TX_SLOTS_PLAIN;
	w->tun_buf_sz = w->vnet ? align64(65536 + VNET_HDR_LEN + 64) : align64(base);
	w->tx_buf_sz = align64(base);
	w->train_buf_sz = align64(GSO_MAX_BYTES + w->tx_buf_sz);
	w->rx_bufs = aligned_alloc(64, w->n_rx * w->rx_buf_sz);
	w->rx_refs = calloc(w->n_rx, sizeof(*w->rx_refs));
	w->tun_bufs = aligned_alloc(64, w->n_tun_bufs * w->tun_buf_sz);
	w->seg = aligned_alloc(64, align64(base));
	w->gro_on = w->vnet && c->gro;
	w->gro_udp = w->gro_on && g_d.tun_uso;
	if (w->gro_on) {
		w->gro_bufs = aligned_alloc(64, (size_t)GRO_BUFS * GRO_BUF_SZ);
		if (!w->gro_bufs) {
			worker_free(w);
			return NULL;
		}
		for (int i = 0; i < GRO_BUFS; i++)
			w->gro_free[w->n_gro_free++] = i;
	}
	w->tx_bufs = aligned_alloc(64, (size_t)w->n_tx * w->tx_buf_sz);
	w->train_bufs = aligned_alloc(64, (size_t)TX_TRAINS * w->train_buf_sz);
	w->tx = calloc(w->n_tx + TX_TRAINS, sizeof(*w->tx));
	if (!w->rx_bufs || !w->rx_refs || !w->tun_bufs || !w->tx_bufs || !w->train_bufs || !w->tx ||
	    !w->seg) {
		worker_free(w);
		return NULL;
	}
	for (int i = 0; i < (int)w->n_tx; i++) {
		w->tx[i].buf = w->tx_bufs + (size_t)i * w->tx_buf_sz;
		w->tx[i].cap = w->tx_buf_sz;
		w->tx[i].next_free = i + 1 < (int)w->n_tx ? i + 1 : -1;
	}
	for (int i = 0; i < TX_TRAINS; i++) {
		struct txslot *t = &w->tx[w->n_tx + (unsigned)i];
		t->buf = w->train_bufs + (size_t)i * w->train_buf_sz;
		t->cap = w->train_buf_sz;
		t->next_free = i + 1 < TX_TRAINS ? (int)w->n_tx + i + 1 : -1;
	}
	w->train_free = (int)w->n_tx;
	prefault(w);
	w->tx_free = 0;
	if (ring_init(w)) {
		worker_free(w);
		return NULL;
	}
	return w;
}

const uint64_t *worker_counters(const struct worker *w)
{
	return w->cnt;
}

uint64_t worker_cfg_serial(const struct worker *w)
{
	return atomic_load(&w->serial);
}

void worker_set_seed(struct worker *w, uint32_t seed)
{
	w->dp.flow_seed = seed;
}

bool worker_failed(const struct worker *w)
{
	return atomic_load(&w->failed);
}

bool worker_uses_multishot(const struct worker *w)
{
	return atomic_load(&w->tun_multishot_pub);
}

/* ------------------------------------------------------------- buffers -- */

static struct io_uring_buf_ring *setup_br(struct io_uring *ring, unsigned entries, int bgid,
					  size_t *sz, int *err)
{
	struct io_uring_buf_reg reg;
	void *m;
	*sz = entries * sizeof(struct io_uring_buf);
	m = mmap(NULL, *sz, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (m == MAP_FAILED) {
		*err = errno;
		return NULL;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)m;
	reg.ring_entries = entries;
	reg.bgid = (unsigned short)bgid;
	*err = -io_uring_register_buf_ring(ring, &reg, 0);
	if (*err) {
		munmap(m, *sz);
		return NULL;
	}
	io_uring_buf_ring_init(m);
	return m;
}

static inline void rx_buf_put(struct worker *w, unsigned bid)
{
	io_uring_buf_ring_add(w->rx_br, w->rx_bufs + (size_t)bid * w->rx_buf_sz,
			      (unsigned)w->rx_buf_sz, (unsigned short)bid,
			      io_uring_buf_ring_mask(w->n_rx), (int)w->rx_recycle++);
}

static inline void tun_buf_put(struct worker *w, unsigned bid)
{
	io_uring_buf_ring_add(w->tun_br, w->tun_bufs + (size_t)bid * w->tun_buf_sz,
			      (unsigned)w->tun_buf_sz, (unsigned short)bid,
			      io_uring_buf_ring_mask(w->n_tun_bufs), (int)w->tun_recycle++);
}

static void recycle_flush(struct worker *w)
{
	if (w->rx_recycle) {
		io_uring_buf_ring_advance(w->rx_br, (int)w->rx_recycle);
		w->rx_recycle = 0;
	}
	if (w->tun_recycle) {
		io_uring_buf_ring_advance(w->tun_br, (int)w->tun_recycle);
		w->tun_recycle = 0;
	}
}

static struct io_uring_sqe *get_sqe(struct worker *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);
	if (!sqe) {
		io_uring_submit(&w->ring);
		sqe = io_uring_get_sqe(&w->ring);
	}
	return sqe;
}

/* --------------------------------------------------------------- arming -- */

static void arm_rx(struct worker *w)
{
	struct io_uring_sqe *sqe = get_sqe(w);
	if (!sqe)
		return;
	memset(&w->rx_msg, 0, sizeof(w->rx_msg));
	/* the control messages follow the name in each buffer: a name area
	 * of a multiple of 8 keeps them aligned for struct cmsghdr */
	w->rx_msg.msg_namelen = RX_NAME_LEN;
	if (w->udp_gro)
		w->rx_msg.msg_controllen = CMSG_SPACE(sizeof(int));
	io_uring_prep_recvmsg_multishot(sqe, w->s.udp, &w->rx_msg, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID_RX;
	io_uring_sqe_set_data64(sqe, UD(UD_RECV, 0));
	w->rx_armed = true;
}

static void arm_tun(struct worker *w)
{
	if (w->tun_multishot) {
		struct io_uring_sqe *sqe = get_sqe(w);
		if (!sqe)
			return;
		io_uring_prep_rw(IORING_OP_READ_MULTISHOT, sqe, w->tun_fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = BGID_TUN;
		io_uring_sqe_set_data64(sqe, UD(UD_TUNREAD, 0));
		w->tun_outstanding = 1;
	} else {
		while (w->tun_outstanding < TUN_SINGLESHOT) {
			struct io_uring_sqe *sqe = get_sqe(w);
			if (!sqe)
				return;
			io_uring_prep_read(sqe, w->tun_fd, NULL, (unsigned)w->tun_buf_sz, 0);
			sqe->flags |= IOSQE_BUFFER_SELECT;
			sqe->buf_group = BGID_TUN;
			io_uring_sqe_set_data64(sqe, UD(UD_TUNREAD, 1));
			w->tun_outstanding++;
		}
	}
	w->tun_armed = true;
}

/* ------------------------------------------------------------ handlers -- */

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
	return p->fd[flow_bucket(w->dp.flow_seed, pkt, len, 0, (uint16_t)(p->n - 1))];
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

static void trains_flush(struct worker *w)
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
	return w->dp.cfg->udp_gso && w->dp.now_s >= w->gso_pause_until;
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
static bool proxy_take(struct worker *w, const uint8_t *p, size_t len)
{
	const struct cfg *c = w->dp.cfg;
	const struct peer *peer;
	const struct cfg *rd;
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
	rd = c->doms[w->dp.rx_dom];
	if (!(rd->forward_mask & (1u << peer->dom))) {
		cnt_add(w->cnt, CNT_PROXY_DENIED, 1);
		return true;
	}
	if (send_sealed(w, p, len, true, NULL))
		cnt_add(w->cnt, CNT_PROXY_DROPS, 1);
	return true;
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

/* The provided buffer a CQE was given, if any and within the ring's n. */
static bool cqe_buffer_id(const struct io_uring_cqe *cqe, unsigned n, unsigned *bid)
{
	if (!(cqe->flags & IORING_CQE_F_BUFFER))
		return false;
	*bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	return *bid < n;
}

static void on_tun_read(struct worker *w, struct io_uring_cqe *cqe)
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
			if (vnet_gso_split(&h, pkt, len, w->seg, w->tx_buf_sz, send_seg, &a)) {
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

static void on_send(struct worker *w, struct io_uring_cqe *cqe)
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

/* ----------------------------------------------------------------- GRO -- */

static uint8_t *gro_buf(struct worker *w, int i)
{
	return w->gro_bufs + (size_t)i * GRO_BUF_SZ;
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

static void gro_write(struct worker *w, int buf, size_t len, unsigned segs)
{
	struct io_uring_sqe *sqe = get_sqe(w);
	if (!sqe) {
		cnt_add(w->cnt, CNT_TUN_WRITE_ERR, segs);
		w->gro_free[w->n_gro_free++] = buf;
		return;
	}
	w->gro_segs[buf] = segs;
	if (segs > 1)
		cnt_add(w->cnt, CNT_GRO_WRITES, 1);
	io_uring_prep_write(sqe, w->tun_fd, gro_buf(w, buf), (unsigned)len, 0);
	io_uring_sqe_set_data64(sqe, UD(UD_GROWRITE, (unsigned)buf));
}

static void gro_flush_one(struct worker *w, struct gro_flow *f)
{
	uint8_t *b = gro_buf(w, f->buf);
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
	gro_write(w, f->buf, f->len + VNET_HDR_LEN, f->count);
}

static void gro_flush(struct worker *w)
{
	for (unsigned i = 0; i < w->n_gro; i++)
		gro_flush_one(w, &w->gro[i]);
	w->n_gro = 0;
}

/* Take a decrypted packet; true if it now sits in a GRO buffer (the receive
 * buffer may be recycled), false if the caller writes it itself. */
static bool gro_take(struct worker *w, const uint8_t *p, size_t len)
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
		uint8_t *fp = gro_buf(w, f->buf) + VNET_HDR_LEN;
		if (!gro_same_flow(f, fp, p, v6, proto))
			continue;
		if (gro_can_append(f, fp, p, hl, plen)) {
			memcpy(fp + f->len, p + hl, plen);
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
	memcpy(gro_buf(w, f->buf) + VNET_HDR_LEN, p, len);
	return true;
}

static void on_gro_write(struct worker *w, struct io_uring_cqe *cqe)
{
	unsigned buf = UD_IDX(cqe->user_data);
	if (buf >= GRO_BUFS)
		return;
	if (cqe->res < 0) {
		cnt_add(w->cnt, CNT_TUN_WRITE_ERR, w->gro_segs[buf]);
		log_debug("worker %u: tun write (gro): %s", w->idx, strerror(-cqe->res));
	} else {
		cnt_add(w->cnt, CNT_RX_PACKETS, w->gro_segs[buf]);
	}
	w->gro_free[w->n_gro_free++] = (int)buf;
}

static void rx_unref(struct worker *w, unsigned bid)
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
	if (proxy_take(w, pkt + off, ilen))
		return;
	cnt_add(w->cnt, CNT_RX_BYTES, ilen);
	if (w->gro_on && gro_take(w, pkt + off, ilen))
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

static void on_recv(struct worker *w, struct io_uring_cqe *cqe)
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

static void on_tun_write(struct worker *w, struct io_uring_cqe *cqe)
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

/* ---------------------------------------------------------------- loop -- */

/* Called by worker_new() in the main thread, before the seccomp filter:
 * the ring is created disabled (IORING_SETUP_R_DISABLED) and restricted to
 * the operations below (sandbox.c); the worker thread enables it and so
 * becomes its single issuer (ring_enable). */
static int ring_init(struct worker *w)
{
	static const unsigned flag_sets[] = {
	    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
	    IORING_SETUP_COOP_TASKRUN,
	    0,
	};
	int r = -EINVAL, err;
	for (unsigned i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		struct io_uring_params p;
		memset(&p, 0, sizeof(p));
		p.flags = flag_sets[i] | IORING_SETUP_CQSIZE | IORING_SETUP_R_DISABLED;
		p.cq_entries = CQ_DEPTH;
		r = io_uring_queue_init_params(SQ_DEPTH, &w->ring, &p);
		if (r == 0)
			break;
	}
	if (r) {
		log_err("worker %u: io_uring_queue_init: %s", w->idx, strerror(-r));
		return -1;
	}
	w->ring_ok = true;
	w->rx_br = setup_br(&w->ring, w->n_rx, BGID_RX, &w->rx_br_sz, &err);
	w->tun_br =
	    w->rx_br ? setup_br(&w->ring, w->n_tun_bufs, BGID_TUN, &w->tun_br_sz, &err) : NULL;
	if (!w->rx_br || !w->tun_br) {
		log_err("worker %u: provided buffer ring: %s", w->idx, strerror(err));
		return -1;
	}
	for (unsigned i = 0; i < w->n_rx; i++)
		rx_buf_put(w, i);
	for (unsigned i = 0; i < w->n_tun_bufs; i++)
		tun_buf_put(w, i);
	recycle_flush(w);
	r = sandbox_ring_restrict(&w->ring);
	if (r) {
		log_err("worker %u: io_uring restrictions: %s", w->idx, strerror(-r));
		return -1;
	}
	return 0;
}

/* In the worker thread: register the ring fd for this thread (fewer fd
 * lookups per io_uring_enter), then enable the ring, whose restrictions
 * take effect now (no io_uring_register operation is allowed after). */
static int ring_enable(struct worker *w)
{
	io_uring_register_ring_fd(&w->ring);
	int r = sandbox_ring_enable(&w->ring);
	if (r) {
		log_err("worker %u: enabling the io_uring: %s", w->idx, strerror(-r));
		return -1;
	}
	return 0;
}

/*
 * The core's receive derivation budget (packet.h) as a token bucket:
 * EESP_DERIVE_BUDGET_PER_S tokens a second up to EESP_DERIVE_BUDGET_BURST,
 * topped up once per batch from the monotonic clock.  *last_ns advances
 * only by the time the added tokens stand for, so no fraction is lost.
 */
static void derive_budget_refill(struct eesp_crypto *c, uint64_t *last_ns)
{
	struct timespec ts;
	uint64_t now, tokens;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (now - *last_ns >= 1000000000u) { /* idle a second or more: full */
		eesp_crypto_budget_refill(c, EESP_DERIVE_BUDGET_BURST, EESP_DERIVE_BUDGET_BURST);
		*last_ns = now;
		return;
	}
	tokens = (now - *last_ns) * EESP_DERIVE_BUDGET_PER_S / 1000000000u;
	if (!tokens)
		return;
	*last_ns += tokens * 1000000000u / EESP_DERIVE_BUDGET_PER_S;
	eesp_crypto_budget_refill(c, (uint32_t)tokens, EESP_DERIVE_BUDGET_BURST);
}

static void *worker_main(void *arg)
{
	uint64_t budget_ns = 0; /* the first refill fills the bucket */
	struct worker *w = arg;
	char name[16];
	snprintf(name, sizeof(name), "eespd-w%u", w->idx);
	pthread_setname_np(pthread_self(), name);

	if (ring_enable(w)) {
		atomic_store(&w->failed, true);
		return NULL;
	}
	w->tun_multishot = true;
	atomic_store(&w->tun_multishot_pub, true);
	w->dp.crypto = eesp_crypto_new(256);
	if (!w->dp.crypto) {
		log_err("worker %u: eesp_crypto_new failed", w->idx);
		atomic_store(&w->failed, true);
		return NULL;
	}
	/* this worker's IV lane starts above its persisted mark; reserve the
	 * first block now, off the data path (tx.c next_iv) */
	w->dp.now_s = (uint64_t)time(NULL);
	eesp_ivgen_init(&w->dp.iv, w->idx, w->dp.cfg->iv_block, w->dp.ivs.hwm);
	w->dp.iv_pending = eesp_ivgen_mark(&w->dp.iv, w->dp.now_s);
	ivstate_request(&w->dp.ivs, w->dp.iv_pending);
	atomic_store(&w->serial, w->dp.cfg->serial);
	log_info("worker %u: session id %u, io_uring ready (multishot recvmsg, buffer rings "
		 "%u+%u)",
		 w->idx, w->dp.session_id, RX_BUFS, w->n_tun_bufs);

	while (!atomic_load(&w->stop)) {
		struct cfg *nc = atomic_load(&g_cfg);
		if (nc != w->dp.cfg) {
			w->dp.cfg = nc;
			eesp_crypto_flush(w->dp.crypto);
			atomic_store(&w->serial, nc->serial);
			cnt_add(w->cnt, CNT_CFG_SWITCH, 1);
		}
		recycle_flush(w);
		if (!w->rx_armed)
			arm_rx(w);
		if (!w->tun_armed || (!w->tun_multishot && w->tun_outstanding < TUN_SINGLESHOT))
			arm_tun(w);

		struct __kernel_timespec ts = {.tv_sec = 0, .tv_nsec = 200 * 1000 * 1000};
		struct io_uring_cqe *cqe;
		int r = io_uring_submit_and_wait_timeout(&w->ring, &cqe, 1, &ts, NULL);
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EBUSY && r != -EAGAIN) {
			log_err("worker %u: io_uring_submit_and_wait: %s", w->idx, strerror(-r));
			usleep(10000);
		}
		unsigned head, n = 0;
		/* one clock read per batch, not two per packet (epoch schedule) */
		w->dp.now_s = (uint64_t)time(NULL);
		derive_budget_refill(w->dp.crypto, &budget_ns);
		io_uring_for_each_cqe(&w->ring, head, cqe)
		{
			switch (UD_TYPE(cqe->user_data)) {
			case UD_RECV:
				on_recv(w, cqe);
				break;
			case UD_TUNREAD:
				on_tun_read(w, cqe);
				break;
			case UD_SEND:
				on_send(w, cqe);
				break;
			case UD_TUNWRITE:
				on_tun_write(w, cqe);
				break;
			case UD_GROWRITE:
				on_gro_write(w, cqe);
				break;
			default:
				break;
			}
			n++;
		}
		io_uring_cq_advance(&w->ring, n);
		if (w->n_gro)
			gro_flush(w);
		if (w->n_open)
			trains_flush(w);
	}
	return NULL;
}

int worker_start(struct worker *w)
{
	atomic_store(&w->serial, w->dp.cfg->serial);
	if (pthread_create(&w->th, NULL, worker_main, w))
		return -1;
	w->started = true;
	return 0;
}

void worker_stop_join(struct worker *w)
{
	atomic_store(&w->stop, true);
	if (w->started)
		pthread_join(w->th, NULL);
	w->started = false;
}

void worker_free(struct worker *w)
{
	if (!w)
		return;
	if (w->ring_ok)
		io_uring_queue_exit(&w->ring);
	if (w->rx_br)
		munmap(w->rx_br, w->rx_br_sz);
	if (w->tun_br)
		munmap(w->tun_br, w->tun_br_sz);
	if (w->dp.crypto)
		eesp_crypto_free(w->dp.crypto);
	free(w->rx_bufs);
	free(w->tun_bufs);
	if (w->tx_bufs)
		eesp_wipe(w->tx_bufs, (size_t)w->n_tx * w->tx_buf_sz);
	free(w->tx_bufs);
	if (w->train_bufs)
		eesp_wipe(w->train_bufs, (size_t)TX_TRAINS * w->train_buf_sz);
	free(w->train_bufs);
	free(w->rx_refs);
	free(w->tx);
	free(w->seg);
	free(w->gro_bufs);
	free(w);
}
