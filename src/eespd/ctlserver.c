// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlserver.c - the control socket's connections, served from the main
 * thread's poll loop without ever blocking it (ctlserver.h); what a
 * request means is ctlverbs.c's.
 */
#include "ctlserver.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctlpeer.h"
#include "ctlproto.h"
#include "ctlverbs.h"
#include "log.h"

/*
 * Every client is served from the main thread's poll loop without blocking:
 * the listener and the connections are non-blocking, each connection has
 * its own buffers and a deadline (CTL_DEADLINE_MS to send its request line,
 * again to take its reply), so idle or slow clients only hold a slot
 * (CTL_MAX_CONNS; when all are taken new clients wait in the backlog until
 * a deadline frees one) and never delay the others.
 */
#define CTL_MAX_CONNS 32
#define CTL_DEADLINE_MS 2000
/*
 * A request may wait (sa-wait: until the key serial moves, ctlverbs.h): its
 * connection is parked, polled for nothing but the client's hang-up, and
 * asked again after every round of the poll loop - every key change is made
 * by this thread inside a round (a control verb, or SIGHUP's reload just
 * before ctl_process) - and at its own deadline.  At most CTL_MAX_PARKED
 * wait at once, so the others always find a slot; beyond that a wait is
 * answered at once ("changed no").
 */
#define CTL_MAX_PARKED 8

struct conn {
	int fd;
	struct ctl_peer peer; /* credentials at connect time */
	bool writing;
	bool parked; /* the request waits (sa-wait) */
	size_t in_len;
	char in[EESP_CTL_MAX_LINE + 2];
	char *out;
	size_t out_len, out_off;
	int64_t deadline;
};

struct ctl_server {
	struct eespd *e;
	int lfd;
	struct conn conn[CTL_MAX_CONNS];
	unsigned n;
	unsigned n_parked;
	bool warned_full; /* CTL_MAX_PARKED reached: said once */
};

struct ctl_server *ctl_server_new(struct eespd *e, int lfd)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	if (s) {
		s->e = e;
		s->lfd = lfd;
	}
	return s;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(struct ctl_server *s, unsigned i)
{
	struct conn *c = &s->conn[i];
	if (c->parked)
		s->n_parked--;
	close(c->fd);
	if (c->out) {
		OPENSSL_cleanse(c->out, c->out_len);
		free(c->out);
	}
	OPENSSL_cleanse(c->in, sizeof(c->in));
	if (i != s->n - 1) {
		*c = s->conn[s->n - 1];
		memset(&s->conn[s->n - 1], 0, sizeof(s->conn[0]));
	}
	s->n--;
}

/* request complete (newline, full buffer, EOF or deadline): build the
 * reply, or park the connection when the request waits (now: the wait is
 * over) */
static void conn_answer(struct ctl_server *s, struct conn *c, bool now)
{
	struct ctl_wait w = {.now = now};
	if (!c->parked && s->n_parked >= CTL_MAX_PARKED) {
		if (!s->warned_full)
			log_warn("control: %d clients wait (sa-wait) already: another one is "
				 "answered at once",
				 CTL_MAX_PARKED);
		s->warned_full = true;
		w.now = true;
	}
	c->out = ctlverbs_answer(s->e, &c->peer, c->in, c->in_len, &c->out_len, &w);
	if (w.park) {
		if (!c->parked) {
			c->parked = true;
			s->n_parked++;
			c->deadline = now_ms() + w.wait_ms;
		}
		return;
	}
	if (c->parked) {
		c->parked = false;
		s->n_parked--;
	}
	c->out_off = 0;
	c->writing = true;
	c->deadline = now_ms() + CTL_DEADLINE_MS;
	if (c->out)
		shutdown(c->fd, SHUT_RD);
}

/* 0 keep, -1 close */
static int conn_io(struct ctl_server *s, struct conn *c, short rev)
{
	if (c->parked) /* nothing to read: only a hang-up ends the wait */
		return rev & (POLLHUP | POLLERR | POLLNVAL) ? -1 : 0;
	if (!c->writing && (rev & (POLLIN | POLLHUP | POLLERR))) {
		for (;;) {
			ssize_t r = read(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			if (r > 0) {
				bool nl = memchr(c->in + c->in_len, '\n', (size_t)r) != NULL;
				c->in_len += (size_t)r;
				if (!nl && c->in_len < sizeof(c->in) - 1)
					continue;
			}
			/* newline, full, EOF or error: answer what we have */
			if (r < 0)
				return -1;
			conn_answer(s, c, false);
			break;
		}
	}
	if (c->writing) {
		if (!c->out)
			return -1;
		while (c->out_off < c->out_len) {
			ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			if (w <= 0)
				return -1;
			c->out_off += (size_t)w;
		}
		return -1; /* all sent: close */
	}
	return 0;
}

unsigned ctl_pollfds(const struct ctl_server *s, struct pollfd *p, unsigned cap)
{
	unsigned n = 0;
	if (s->n < CTL_MAX_CONNS && n < cap)
		p[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (unsigned i = 0; i < s->n && n < cap; i++)
		p[n++] = (struct pollfd){.fd = s->conn[i].fd,
					 .events = s->conn[i].parked	? 0
						   : s->conn[i].writing ? POLLOUT
									: POLLIN};
	return n;
}

int ctl_timeout_ms(const struct ctl_server *s)
{
	int64_t t = now_ms(), m = -1;
	for (unsigned i = 0; i < s->n; i++) {
		int64_t d = s->conn[i].deadline - t;
		if (d < 0)
			d = 0;
		if (m < 0 || d < m)
			m = d;
	}
	return (int)m;
}

/* the waiting requests, asked again: something may have changed */
static void wake_parked(struct ctl_server *s)
{
	for (unsigned i = 0; s->n_parked && i < s->n;) {
		struct conn *c = &s->conn[i];
		if (c->parked) {
			conn_answer(s, c, false);
			if (!c->parked && conn_io(s, c, 0)) {
				conn_close(s, i);
				continue;
			}
		}
		i++;
	}
	if (s->n_parked < CTL_MAX_PARKED)
		s->warned_full = false;
}

void ctl_process(struct ctl_server *s, const struct pollfd *p, unsigned n)
{
	/* connections first (the array is compacted on close: match by fd) */
	for (unsigned k = 0; k < n; k++) {
		if (p[k].fd == s->lfd || !p[k].revents)
			continue;
		for (unsigned i = 0; i < s->n; i++)
			if (s->conn[i].fd == p[k].fd) {
				if (conn_io(s, &s->conn[i], p[k].revents))
					conn_close(s, i);
				break;
			}
	}
	/* deadlines: an unfinished request is answered as it stands (usually
	 * "error request line missing"); a reply not taken in time is dropped */
	int64_t t = now_ms();
	for (unsigned i = 0; i < s->n;) {
		struct conn *c = &s->conn[i];
		if (c->deadline > t) {
			i++;
			continue;
		}
		if (c->writing) {
			conn_close(s, i);
			continue;
		}
		conn_answer(s, c, c->parked);
		if (conn_io(s, c, 0)) {
			conn_close(s, i);
			continue;
		}
		i++;
	}
	/* new clients */
	while (s->n < CTL_MAX_CONNS) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			break;
		struct conn *c = &s->conn[s->n++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		struct ctl_groups g;
		ctlverbs_groups(s->e, &g);
		ctl_peer_get(fd, &g, &c->peer);
		c->deadline = now_ms() + CTL_DEADLINE_MS;
		/* the request is usually there already */
		if (conn_io(s, c, POLLIN))
			conn_close(s, s->n - 1);
	}
	wake_parked(s);
}

unsigned ctl_waiting(const struct ctl_server *s)
{
	return s ? s->n_parked : 0;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	while (s->n)
		conn_close(s, s->n - 1);
	free(s);
}
