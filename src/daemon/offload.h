/* SPDX-License-Identifier: GPL-2.0-or-later */
/* offload.h - TUN virtio-net header: checksum completion and TSO split. */
#ifndef EESPD_OFFLOAD_H
#define EESPD_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eesp_proto.h"

#define VNET_HDR_LEN 10

/* struct virtio_net_hdr in host byte order (tun without TUNSETVNETLE on x86) */
struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
};

typedef void (*vnet_seg_fn)(void *arg, const uint8_t *pkt, size_t len);

/* Complete a partial checksum: sum from start to the end, store at start + off. */
int vnet_csum_complete(uint8_t *p, size_t len, unsigned start, unsigned off);

/* IPv4 header checksum. */
void vnet_ip4_csum(uint8_t *p, size_t ihl);
/* TCP checksum field for a GSO/CHECKSUM_PARTIAL packet: pseudo header only. */
void vnet_tcp_pseudo_csum(uint8_t *pkt, bool v6, size_t l4off, size_t l4len);

/* Split a TCP GSO packet into segments built in seg (seg_cap bytes), calling
 * fn for each.  -1 if the packet is not a TCP packet this can split. */
int vnet_tso_split(const struct vnet_hdr *h, const uint8_t *p, size_t len, uint8_t *seg,
		   size_t seg_cap, vnet_seg_fn fn, void *arg);

#endif /* EESPD_OFFLOAD_H */
