// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctlserve.c - a control socket served from a poll loop (ctlserve.h).
 */
#include "ctlserve.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "secmem.h"

#define CTLSERVE_DEADLINE_MS 2000
#define CTLSERVE_MAX_LINE 256

struct conn {
	int fd;
	struct ctl_peer peer; /* credentials at connect time */
	bool writing;
	size_t in_len;
	char in[CTLSERVE_MAX_LINE + 2];
	char *out;
	size_t out_len, out_off;
	int64_t deadline;
};

struct ctlserve {
	int lfd;
	gid_t admin_gid;
	ctlserve_answer_fn *fn;
	void *arg;
	struct conn conn[CTLSERVE_MAX_CONNS];
	unsigned n;
};

struct ctlserve *ctlserve_new(int lfd, gid_t admin_gid, ctlserve_answer_fn *fn, void *arg)
{
	struct ctlserve *s = calloc(1, sizeof(*s));
	if (s) {
		s->lfd = lfd;
		s->admin_gid = admin_gid;
		s->fn = fn;
		s->arg = arg;
	}
	return s;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(struct ctlserve *s, unsigned i)
{
	struct conn *c = &s->conn[i];
	close(c->fd);
	if (c->out) {
		eesp_wipe(c->out, c->out_len);
		free(c->out);
	}
	eesp_wipe(c->in, sizeof(c->in));
	if (i != s->n - 1) {
		*c = s->conn[s->n - 1];
		memset(&s->conn[s->n - 1], 0, sizeof(s->conn[0]));
	}
	s->n--;
}

/* request complete (newline, full buffer, EOF or deadline): build the reply */
static void conn_answer(struct ctlserve *s, struct conn *c)
{
	c->in[c->in_len] = 0;
	c->out = s->fn(s->arg, &c->peer, c->in, c->in_len, &c->out_len);
	c->out_off = 0;
	c->writing = true;
	c->deadline = mono_ms() + CTLSERVE_DEADLINE_MS;
	if (c->out)
		shutdown(c->fd, SHUT_RD);
}

/* 0 keep, -1 close */
static int conn_io(struct ctlserve *s, struct conn *c, short rev)
{
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
			if (r < 0)
				return -1;
			conn_answer(s, c);
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

unsigned ctlserve_pollfds(const struct ctlserve *s, struct pollfd *p, unsigned cap)
{
	unsigned n = 0;
	if (s->n < CTLSERVE_MAX_CONNS && n < cap)
		p[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (unsigned i = 0; i < s->n && n < cap; i++)
		p[n++] = (struct pollfd){.fd = s->conn[i].fd,
					 .events = s->conn[i].writing ? POLLOUT : POLLIN};
	return n;
}

int ctlserve_timeout_ms(const struct ctlserve *s)
{
	int64_t t = mono_ms(), m = -1;
	for (unsigned i = 0; i < s->n; i++) {
		int64_t d = s->conn[i].deadline - t;
		if (d < 0)
			d = 0;
		if (m < 0 || d < m)
			m = d;
	}
	return (int)m;
}

void ctlserve_process(struct ctlserve *s, const struct pollfd *p, unsigned n)
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
	/* deadlines: an unfinished request is answered as it stands; a reply
	 * not taken in time is dropped */
	int64_t t = mono_ms();
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
		conn_answer(s, c);
		if (conn_io(s, c, 0)) {
			conn_close(s, i);
			continue;
		}
		i++;
	}
	while (s->n < CTLSERVE_MAX_CONNS) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			break;
		struct conn *c = &s->conn[s->n++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		struct ctl_groups g = {.admin_gid = s->admin_gid, .sa_gid = (gid_t)-1};
		ctl_peer_get(fd, &g, &c->peer);
		c->deadline = mono_ms() + CTLSERVE_DEADLINE_MS;
		if (conn_io(s, c, POLLIN))
			conn_close(s, s->n - 1);
	}
}

void ctlserve_free(struct ctlserve *s)
{
	if (!s)
		return;
	while (s->n)
		conn_close(s, s->n - 1);
	free(s);
}
