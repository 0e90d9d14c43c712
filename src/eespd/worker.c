// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * worker.c - one io_uring per worker thread (its parts: worker_int.h); every data-path I/O goes
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
 *                 buffer (opened in place); with GRO, one WRITEV of a
 *                 super-packet's rewritten headers and its packets'
 *                 payloads where they were opened (tungro.c); a buffer goes
 *                 back to its ring when its last write completes (rx_refs).
 *   TUN split     a TSO/USO read is split in place (offload.c): no copy.
 *
 * Loop: reap all CQEs, queue the resulting SQEs, recycle buffers, then one
 * io_uring_submit_and_wait_timeout() (200 ms).  A read of the worker's
 * eventfd stays armed on the ring: publishing a snapshot or stopping the
 * worker writes it, so an idle worker sees either at once.  The ring is created with
 * SINGLE_ISSUER|DEFER_TASKRUN, falling back to COOP_TASKRUN, then to none;
 * always disabled at first and restricted to the operations above
 * (sandbox.c), by the main thread in worker_new() before the seccomp filter
 * goes on, and enabled by the worker thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ivstate.h"
#include "log.h"
#include "offload.h"
#include "sandbox.h"
#include "secmem.h"
#include "worker.h"
#include "worker_int.h"

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
}

static int ring_init(struct worker *w);

struct worker *worker_new(struct eespd *e, unsigned idx, int tun_fd, const struct sockset *s,
			  uint64_t iv_mark)
{
	struct worker *w = calloc(1, sizeof(*w));
	const struct eespd_conf *c = &e->conf;
	size_t base;
	if (!w)
		return NULL;
	w->e = e;
	w->idx = idx;
	w->wake_fd = eventfd(0, EFD_CLOEXEC); /* blocking: the ring polls it */
	if (w->wake_fd < 0) {
		free(w);
		return NULL;
	}
	w->tun_fd = tun_fd;
	w->s = *s;
	w->iv_mark = iv_mark;
	w->dp.session_id = (uint16_t)(idx + 1);
	w->dp.lane = idx;
	w->dp.cnt = w->cnt;
	w->dp.conf = c;
	w->dp.snap = atomic_load(&e->snap);
	w->dp.pctr = peerstats_of(w->dp.snap, idx);
	w->dp.replay = e->replay;
	w->dp.ivp = e->iv;
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
	w->gro_on = w->vnet && c->gro;
	w->gro_udp = w->gro_on && e->tun_uso;
	if (w->gro_on) {
		w->gro_slots = calloc(GRO_BUFS, sizeof(*w->gro_slots));
		if (!w->gro_slots) {
			worker_free(w);
			return NULL;
		}
		for (int i = 0; i < GRO_BUFS; i++)
			w->gro_free[w->n_gro_free++] = i;
	}
	w->tx_bufs = aligned_alloc(64, (size_t)w->n_tx * w->tx_buf_sz);
	w->train_bufs = aligned_alloc(64, (size_t)TX_TRAINS * w->train_buf_sz);
	w->tx = calloc(w->n_tx + TX_TRAINS, sizeof(*w->tx));
	if (!w->rx_bufs || !w->rx_refs || !w->tun_bufs || !w->tx_bufs || !w->train_bufs || !w->tx) {
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

uint64_t worker_snap_serial(const struct worker *w)
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

/* The published snapshot, if it is not the one in use: switch (the key
 * caches are flushed, since keys may have changed) and acknowledge it. */
static void pick_snapshot(struct worker *w)
{
	const struct snap *nc = atomic_load(&w->e->snap);
	if (nc == w->dp.snap)
		return;
	w->dp.snap = nc;
	w->dp.pctr = peerstats_of(nc, w->idx);
	eesp_crypto_flush(w->dp.crypto);
	atomic_store(&w->serial, nc->serial);
	cnt_add(w->cnt, CNT_CFG_SWITCH, 1);
}

static void arm_wake(struct worker *w)
{
	struct io_uring_sqe *sqe = get_sqe(w);
	if (!sqe)
		return;
	io_uring_prep_read(sqe, w->wake_fd, &w->wake_val, sizeof(w->wake_val), 0);
	io_uring_sqe_set_data64(sqe, UD(UD_WAKE, 0));
	w->wake_armed = true;
}

void worker_wake(struct worker *w)
{
	uint64_t one = 1;
	/* an eventfd write only fails on counter overflow: then it is awake */
	if (write(w->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
		return;
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
	eesp_ivgen_init(&w->dp.iv, w->idx, w->dp.conf->iv_block, w->iv_mark);
	w->dp.iv_pending = eesp_ivgen_mark(&w->dp.iv, w->dp.now_s);
	ivstate_request(w->dp.ivp, w->dp.lane, w->dp.iv_pending);
	atomic_store(&w->serial, w->dp.snap->serial);
	log_info("worker %u: session id %u, io_uring ready (multishot recvmsg, buffer rings "
		 "%u+%u)",
		 w->idx, w->dp.session_id, RX_BUFS, w->n_tun_bufs);

	while (!atomic_load(&w->stop)) {
		pick_snapshot(w);
		recycle_flush(w);
		if (!w->rx_armed)
			arm_rx(w);
		if (!w->wake_armed)
			arm_wake(w);
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
		/* a reload while we waited applies to what just arrived */
		pick_snapshot(w);
		/* one clock read per batch, not two per packet (epoch schedule) */
		w->dp.now_s = (uint64_t)time(NULL);
		tx_keep_ahead(&w->dp);
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
			case UD_WAKE:
				/* the snapshot is picked at the top of the loop */
				w->wake_armed = false;
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
	atomic_store(&w->serial, w->dp.snap->serial);
	if (pthread_create(&w->th, NULL, worker_main, w))
		return -1;
	w->started = true;
	return 0;
}

void worker_stop_join(struct worker *w)
{
	atomic_store(&w->stop, true);
	worker_wake(w);
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
	if (w->wake_fd >= 0)
		close(w->wake_fd);
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
	free(w->gro_slots);
	free(w);
}
