// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bufring.c - a worker's provided buffer rings (UDP receive, TUN read) and
 * the arming of its multishot receive and TUN read (worker_int.h).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "worker_int.h"

/* ------------------------------------------------------------- buffers -- */

struct io_uring_buf_ring *setup_br(struct io_uring *ring, unsigned entries, int bgid, size_t *sz,
				   int *err)
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

void recycle_flush(struct worker *w)
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

struct io_uring_sqe *get_sqe(struct worker *w)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&w->ring);
	if (!sqe) {
		io_uring_submit(&w->ring);
		sqe = io_uring_get_sqe(&w->ring);
	}
	return sqe;
}

/* --------------------------------------------------------------- arming -- */

void arm_rx(struct worker *w)
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

void arm_tun(struct worker *w)
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

bool cqe_buffer_id(const struct io_uring_cqe *cqe, unsigned n, unsigned *bid)
{
	if (!(cqe->flags & IORING_CQE_F_BUFFER))
		return false;
	*bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
	return *bid < n;
}
