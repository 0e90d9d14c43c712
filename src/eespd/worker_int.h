/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker_int.h - a worker's insides, shared by its parts: worker.c
 * (creation, the ring loop), bufring.c (provided buffers and arming),
 * txpath.c (TUN reads, sealing, UDP send trains), rxpath.c (UDP receives,
 * opening, TUN writes) and tungro.c (coalescing received TCP/UDP segments
 * into TUN super-packets).  Not for the rest of the daemon: worker.h.
 */
#ifndef EESPD_WORKER_INT_H
#define EESPD_WORKER_INT_H

#include <liburing.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "counters.h"
#include "dp.h"
#include "eespd.h"
#include "peerstats.h"
#include "socket.h"
#include "worker.h"

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
#define GRO_BUFS 32	/* GRO super-packets being written at once */
#define GRO_HDR_MAX 144 /* virtio header + IP and L4 headers (10 + 120) */
#define GRO_MAX 65535	/* IPv4 total length / IPv6 payload length */
#define GRO_MAX_SEGS 64 /* UDP_MAX_SEGMENTS: the kernel splits no more */
#define BGID_TUN 1
#ifndef IORING_OP_READ_MULTISHOT
#define IORING_OP_READ_MULTISHOT 49
#endif

enum { UD_RECV = 1, UD_TUNREAD, UD_SEND, UD_TUNWRITE, UD_GROWRITE, UD_WAKE };
#define UD(t, i) ((uint64_t)(t) << 56 | (uint64_t)(i))
#define UD_TYPE(u) ((unsigned)((u) >> 56))
#define UD_IDX(u) ((unsigned)((u)&0xffffffffu))

/* A GRO super-packet as written to the TUN: its headers here, each
 * packet's payload where it was opened, in its receive buffer (bid; held
 * until the write completes). */
struct gro_slot {
	uint8_t hdr[GRO_HDR_MAX];
	struct iovec iov[1 + GRO_MAX_SEGS]; /* hdr, then the payloads */
	uint16_t bid[GRO_MAX_SEGS];
	unsigned n; /* payloads */
};

struct gro_flow {
	int buf; /* its gro_slot */
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
	/* an eventfd read on the ring: the main thread writes it when it
	 * publishes a snapshot or stops the worker, so an idle worker wakes
	 * at once instead of at its next 200 ms timeout */
	int wake_fd;
	uint64_t wake_val;
	bool wake_armed;
	int tun_fd;
	struct sockset s;
	struct eespd *e;
	uint64_t iv_mark; /* the persisted mark read at start */
	struct dp dp;

	struct io_uring_buf_ring *rx_br, *tun_br;
	unsigned n_tun_bufs;
	unsigned n_tx;
	bool vnet;
	bool gro_on;
	bool gro_udp; /* the TUN takes UDP super-packets (USO) */
	/* GRO into the TUN (offload on): TCP segments of one flow that arrive
	 * in one batch are coalesced into one super-packet per write */
	struct gro_flow gro[GRO_FLOWS];
	unsigned n_gro;
	struct gro_slot *gro_slots;
	int gro_free[GRO_BUFS];
	unsigned n_gro_free;
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
	uint64_t dcnt[EESPD_MAX_DOMAINS][WORKER_DCNT__COUNT];  /* per domain (worker.h) */
};

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

/* bufring.c: provided buffer rings, SQEs, arming the multishot operations */
struct io_uring_buf_ring *setup_br(struct io_uring *ring, unsigned entries, int bgid, size_t *sz,
				   int *err);
void recycle_flush(struct worker *w);
struct io_uring_sqe *get_sqe(struct worker *w);
void arm_rx(struct worker *w);
void arm_tun(struct worker *w);
/* The provided buffer a CQE was given, if any and within the ring's n. */
bool cqe_buffer_id(const struct io_uring_cqe *cqe, unsigned n, unsigned *bid);

/* txpath.c */
void on_tun_read(struct worker *w, struct io_uring_cqe *cqe);
void on_send(struct worker *w, struct io_uring_cqe *cqe);
void trains_flush(struct worker *w);
/* Proxy role: true if the opened packet was re-sealed for another domain
 * (or refused for it) and so must not reach the TUN. */
bool proxy_take(struct worker *w, const uint8_t *p, size_t len);

/* rxpath.c */
void on_recv(struct worker *w, struct io_uring_cqe *cqe);
void on_tun_write(struct worker *w, struct io_uring_cqe *cqe);
/* A reference to receive buffer bid is dropped; the last one recycles it. */
void rx_unref(struct worker *w, unsigned bid);

/* tungro.c: p (len bytes) was opened in receive buffer bid */
bool gro_take(struct worker *w, unsigned bid, const uint8_t *p, size_t len);
void gro_flush(struct worker *w);
void on_gro_write(struct worker *w, struct io_uring_cqe *cqe);

#endif /* EESPD_WORKER_INT_H */
