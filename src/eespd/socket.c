// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * socket.c - underlay sockets, opened before the privilege drop.
 *
 * Receive: one UDP socket per worker bound to the listen port, dual-stack
 * (IPv6 with IPV6_V6ONLY off; plain IPv4 if the kernel has no IPv6), with
 * SO_REUSEPORT only when several workers share the port (so a second daemon
 * on the same port fails instead of taking half the traffic).  UDP_GRO on
 * (daemon.udp_gro): the kernel may hand over a train of datagrams of one
 * sender in one read, which the worker splits again.
 *
 * Send: the outer source port is a hash of the inner flow, so that the
 * underlay (ECMP, RSS) can spread flows while each flow stays in order.
 * Ordinary UDP sockets cannot choose a source port per datagram, so a pool
 * of up to EESPD_TX_SOCKETS sockets is bound across source_ports (one per
 * slice of the range; a port in use is skipped) and the flow hash picks a
 * socket.  Being real UDP sockets they can send a flow's datagrams as one
 * UDP_SEGMENT (GSO) train, which raw sockets cannot.  They never receive:
 * a BPF filter that accepts nothing and a minimal receive buffer.  If
 * source_ports is [port, port] the worker's listening socket sends itself.
 * Fragmentation stays allowed (PMTUDISC_DONT): a sealed packet a little
 * above the path MTU is fragmented rather than lost.
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "socket.h"

static void bufsizes(int fd, bool rcv)
{
	int sz = 4 << 20;
	if (rcv && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static void allow_fragments(int fd, int family)
{
	int p4 = IP_PMTUDISC_DONT, p6 = IPV6_PMTUDISC_DONT;
	/* a dual-stack socket sends IPv4 as well: set both */
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &p4, sizeof(p4));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &p6, sizeof(p6));
}

static int drop_all_filter(int fd)
{
	struct sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_fprog prog = {.len = 1, .filter = code};
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one));
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/* A UDP socket bound to port (any address) in family (AF_INET6 dual-stack,
 * or AF_INET).  -1 with errno on failure. */
static int bind_udp(int family, uint16_t port, bool reuse)
{
	int one = 1, zero = 0, fd, e;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (family == AF_INET6) {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
	} else {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
			return fd;
	}
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* What a failed bind of the listening port means to the operator. */
static const char *bind_hint(int e, uint16_t port, char *buf, size_t cap)
{
	if (e == EADDRINUSE)
		snprintf(buf, cap,
			 " (another program holds UDP port %u: `ss -ulpn 'sport = :%u'` shows "
			 "which; stop it, or give this daemon another daemon.port)",
			 port, port);
	else if (e == EACCES && port < 1024)
		snprintf(buf, cap,
			 " (ports below 1024 need CAP_NET_BIND_SERVICE: start eespd as root, "
			 "or set daemon.port to 1024 or above)");
	else
		buf[0] = 0;
	return buf;
}

static int open_listen(const struct eespd_conf *c, bool reuse, int *family, char *err,
		       size_t err_len)
{
	char hint[192];
	int fd = bind_udp(AF_INET6, c->port, reuse);
	if (fd >= 0) {
		*family = AF_INET6;
	} else if (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT) {
		fd = bind_udp(AF_INET, c->port, reuse);
		if (fd < 0) {
			snprintf(err, err_len, "bind 0.0.0.0:%u: %s%s", c->port, strerror(errno),
				 bind_hint(errno, c->port, hint, sizeof(hint)));
			return -1;
		}
		*family = AF_INET;
	} else {
		snprintf(err, err_len, "bind [::]:%u: %s%s", c->port, strerror(errno),
			 bind_hint(errno, c->port, hint, sizeof(hint)));
		return -1;
	}
	bufsizes(fd, true);
	allow_fragments(fd, *family);
	if (c->udp_gro) {
		int one = 1;
		if (setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one)))
			log_warn("UDP_GRO: %s; receiving datagram by datagram", strerror(errno));
	}
	return fd;
}

/* Slice i of n over [lo, hi]: bind the first free port in it (never the
 * listen port, whose SO_REUSEPORT group must only hold receivers). */
static int bind_slice(int family, const struct eespd_conf *c, unsigned i, unsigned n)
{
	uint32_t range = (uint32_t)c->sport_max - c->sport_min + 1;
	uint32_t from = c->sport_min + (uint32_t)((uint64_t)range * i / n);
	uint32_t to = c->sport_min + (uint32_t)((uint64_t)range * (i + 1) / n);
	for (uint32_t p = from; p < to; p++) {
		if (p == c->port)
			continue;
		int fd = bind_udp(family, (uint16_t)p, false);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

static int open_pool(const struct eespd_conf *c, int family, struct txpool *pool, char *err,
		     size_t err_len)
{
	uint32_t range = (uint32_t)c->sport_max - c->sport_min + 1;
	unsigned n = range < EESPD_TX_SOCKETS ? (unsigned)range : EESPD_TX_SOCKETS;
	pool->family = family;
	pool->n = 0;
	for (unsigned i = 0; i < n; i++) {
		int fd = bind_slice(family, c, i, n);
		if (fd < 0)
			continue;
		drop_all_filter(fd);
		bufsizes(fd, false);
		allow_fragments(fd, family);
		pool->fd[pool->n++] = fd;
	}
	if (!pool->n) {
		snprintf(err, err_len, "source_ports [%u, %u]: no port could be bound",
			 c->sport_min, c->sport_max);
		return -1;
	}
	if (pool->n < n)
		log_warn("source_ports [%u, %u]: %u of %u send sockets bound (ports in use)",
			 c->sport_min, c->sport_max, pool->n, n);
	return 0;
}

int sockets_open(const struct eespd_conf *c, unsigned n, struct sockset *s, struct txpool *pool,
		 char *err, size_t err_len)
{
	bool own_port = c->sport_min == c->sport_max && c->sport_min == c->port;
	pool->n = 0;
	for (unsigned i = 0; i < n; i++) {
		s[i].udp = open_listen(c, n > 1, &s[i].udp_family, err, err_len);
		if (s[i].udp < 0)
			return -1;
		s[i].pool = pool;
	}
	if (!own_port && open_pool(c, s[0].udp_family, pool, err, err_len))
		return -1;
	return 0;
}
