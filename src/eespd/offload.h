/* SPDX-License-Identifier: GPL-2.0-or-later */
/* offload.h - TUN virtio-net header: checksum completion and TSO/USO split. */
#ifndef EESPD_OFFLOAD_H
#define EESPD_OFFLOAD_H

#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eesp_proto.h"

/* UDP segmentation offload (Linux 6.2); older uapi headers lack these. */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

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
/* L4 checksum field for a GSO/CHECKSUM_PARTIAL packet: pseudo header only,
 * written at the TCP (proto 6, offset 16) or UDP (proto 17, offset 6)
 * checksum field; other protocols are left alone. */
void vnet_l4_pseudo_csum(uint8_t *pkt, bool v6, size_t l4off, size_t l4len, unsigned proto);

/* Split a TCP (TCPV4/TCPV6) or UDP (UDP_L4) GSO packet into segments built
 * in seg (seg_cap bytes), calling fn for each.  -1, before fn is called at
 * all, if the packet is not one this can split. */
int vnet_gso_split(const struct vnet_hdr *h, const uint8_t *p, size_t len, uint8_t *seg,
		   size_t seg_cap, vnet_seg_fn fn, void *arg);

/* The same segments, built in p itself without copying the payload: segment
 * i's headers overwrite the end of segment i-1, so fn must be done with a
 * segment when it returns (the daemon seals it out of place).  The headers
 * (IP + L4) may be at most VNET_SPLIT_HDR_MAX bytes. */
#define VNET_SPLIT_HDR_MAX 128
int vnet_gso_split_inplace(const struct vnet_hdr *h, uint8_t *p, size_t len, size_t seg_cap,
			   vnet_seg_fn fn, void *arg);

#endif /* EESPD_OFFLOAD_H */
