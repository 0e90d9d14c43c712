/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tun.h - the TUN device: queues (one per worker, IFF_MULTI_QUEUE), the
 * virtio-net header with TSO/USO, and its addresses, MTU and link state.
 */
#ifndef EESPD_TUN_H
#define EESPD_TUN_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix.h"

/* Create/attach the TUN device; fds[n] one per queue (IFF_MULTI_QUEUE if n > 1). */
/* vnet: IFF_VNET_HDR and TSO (and USO where the kernel has it: *uso). */
int tun_open(const char *name, unsigned n, bool vnet, int *fds, bool *uso, char *err,
	     size_t err_len);
/* MTU, addresses, link up (ioctl; no external tools). */
int tun_configure(const char *name, unsigned mtu, const struct prefix *addrs, unsigned n, char *err,
		  size_t err_len);

#endif /* EESPD_TUN_H */
