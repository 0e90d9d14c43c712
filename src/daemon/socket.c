// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * socket.c - underlay sockets, opened before the privilege drop.
 *
 * Receive: one UDP socket per worker bound to the listen port, dual-stack
 * (IPv6 with IPV6_V6ONLY off; plain IPv4 if the kernel has no IPv6), with
 * SO_REUSEPORT only when several workers share the port (so a second daemon
 * on the same port fails instead of taking half the traffic).
 *
 * Send: the outer source port is a hash of the inner flow, so datagrams are
 * sent through raw sockets (IPPROTO_UDP; the daemon writes the UDP header,
 * the kernel the IP header; IPv6 checksums by the kernel via IPV6_CHECKSUM,
 * IPv4 checksum 0 as RFC 768 allows).  A raw socket would also receive a copy
 * of every UDP datagram: a BPF filter that accepts nothing prevents that.
 * If source_ports is [port, port] the UDP socket itself sends (no raw
 * sockets, no source-port entropy).
 */
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "eespd.h"

static void bufsizes(int fd)
{
	int sz = 4 << 20;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
}

static int drop_all_filter(int fd)
{
	struct sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
	struct sock_fprog prog = {.len = 1, .filter = code};
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one));
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

static int open_udp(const struct cfg *c, bool reuse, int *family, char *err, size_t err_len)
{
	int one = 1, zero = 0, fd;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0) {
		struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(c->port)};
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
		if (reuse)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
			*family = AF_INET6;
			bufsizes(fd);
			return fd;
		}
		if (errno != EADDRNOTAVAIL && errno != EAFNOSUPPORT) {
			snprintf(err, err_len, "bind [::]:%u: %s", c->port, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, err_len, "udp socket: %s", strerror(errno));
		return -1;
	}
	struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(c->port)};
	if (reuse)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a4, sizeof(a4))) {
		snprintf(err, err_len, "bind 0.0.0.0:%u: %s", c->port, strerror(errno));
		close(fd);
		return -1;
	}
	*family = AF_INET;
	bufsizes(fd);
	return fd;
}

int sockets_open(const struct cfg *c, unsigned n, struct sockset *s, char *err, size_t err_len)
{
	bool raw = !(c->sport_min == c->sport_max && c->sport_min == c->port);
	for (unsigned i = 0; i < n; i++) {
		s[i].raw4 = s[i].raw6 = -1;
		s[i].udp = open_udp(c, n > 1, &s[i].udp_family, err, err_len);
		if (s[i].udp < 0)
			return -1;
		if (!raw)
			continue;
		s[i].raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
		if (s[i].raw4 < 0) {
			snprintf(err, err_len, "raw IPv4 socket: %s", strerror(errno));
			return -1;
		}
		drop_all_filter(s[i].raw4);
		int pmtu = IP_PMTUDISC_DONT;
		setsockopt(s[i].raw4, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
		bufsizes(s[i].raw4);
		s[i].raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_UDP);
		if (s[i].raw6 >= 0) {
			int off = 6;
			drop_all_filter(s[i].raw6);
			if (setsockopt(s[i].raw6, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off))) {
				snprintf(err, err_len, "IPV6_CHECKSUM: %s", strerror(errno));
				return -1;
			}
			int p6 = IPV6_PMTUDISC_DONT;
			setsockopt(s[i].raw6, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &p6, sizeof(p6));
			bufsizes(s[i].raw6);
		}
	}
	return 0;
}
