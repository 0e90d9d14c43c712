/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * udp.h - the IKE UDP sockets: one per listen address, bound by the parent
 * (port 500 needs root) and used by the IKE process.  Each reports the
 * address a datagram was sent to (IP_PKTINFO / IPV6_RECVPKTINFO), and the
 * answer leaves from that address, so that a wildcard socket on a host
 * with several addresses answers from the one the peer talks to.
 */
#ifndef IKED_UDP_H
#define IKED_UDP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conf.h"
#include "sa.h"

struct udp_socks {
	int fd[IKED_MAX_LISTEN];
	struct sockaddr_storage addr[IKED_MAX_LISTEN]; /* as bound */
	unsigned n;
};

/* Bind every listen address of c; 0, or -1 with err (all closed again). */
int udp_open(const struct iked_conf *c, struct udp_socks *u, char *err, size_t err_len);
void udp_close(struct udp_socks *u);

/* One datagram from socket i: its length (the full length even when
 * longer than cap: then only cap octets are in buf), 0 when there is none
 * (EAGAIN), -1 on error.  from and to (our address) are filled in. */
ssize_t udp_recv(const struct udp_socks *u, unsigned i, uint8_t *buf, size_t cap,
		 struct iked_addr *from, struct iked_addr *to);
/* Send from local (its socket, its address when it is not a wildcard). */
int udp_send(const struct udp_socks *u, const struct iked_addr *local,
	     const struct iked_addr *remote, const uint8_t *buf, size_t len);
/* A socket of remote's address family as local (source address left to
 * the kernel when the socket is a wildcard); 0 or -1. */
int udp_local_for(const struct udp_socks *u, const struct iked_addr *remote,
		  struct iked_addr *local);

#endif /* IKED_UDP_H */
