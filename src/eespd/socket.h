/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * socket.h - the UDP sockets: each worker's SO_REUSEPORT receive socket on
 * the port, and the pool of send sockets bound across source_ports (the
 * outer source port of a flow picks one).
 */
#ifndef EESPD_SOCKET_H
#define EESPD_SOCKET_H

#include <stddef.h>

#include "conf.h"

/* Send sockets bound across source_ports, shared by the workers (n == 0:
 * source_ports is the listen port alone; each worker sends from its udp). */
#define EESPD_TX_SOCKETS 64
struct txpool {
	unsigned n;
	int family;
	int fd[EESPD_TX_SOCKETS];
};
struct sockset {
	int udp; /* this worker's receive socket */
	int udp_family;
	const struct txpool *pool;
};
int sockets_open(const struct eespd_conf *c, unsigned n, struct sockset *s, struct txpool *pool,
		 char *err, size_t err_len);

#endif /* EESPD_SOCKET_H */
