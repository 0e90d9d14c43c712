/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapfile.h - classic pcap files and Ethernet/IP/UDP frames, in memory.
 *
 * No I/O: readers take a buffer, writers grow a heap buffer the caller
 * writes out.  Used by eespctl's offline encrypt/decrypt, the vector
 * generator and the tests; fuzzed as eespctl's pcap input.
 */
#ifndef EESP_PCAPFILE_H
#define EESP_PCAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCAP_LINKTYPE_ETHERNET 1
#define PCAP_LINKTYPE_RAW 101 /* raw IPv4/IPv6 */
#define PCAP_MAX_SNAPLEN 262144

struct pcap_rec {
	const uint8_t *data;
	uint32_t caplen, origlen;
	uint32_t ts_sec, ts_frac; /* usec, or nsec if the file says so */
};

struct pcap_reader {
	const uint8_t *buf;
	size_t len, off;
	bool swapped, nsec;
	uint32_t linktype, snaplen;
};

/* 0 or -1 (not a pcap file / truncated global header / unsupported version). */
int pcap_reader_init(struct pcap_reader *r, const uint8_t *buf, size_t len);
/* 1 = record in rec, 0 = clean end, -1 = truncated or insane record. */
int pcap_reader_next(struct pcap_reader *r, struct pcap_rec *rec);

struct pcap_writer {
	uint8_t *buf;
	size_t len, cap;
};

/* Writes the global header (microsecond, little-endian magic a1b2c3d4). */
int pcap_writer_init(struct pcap_writer *w, uint32_t linktype, uint32_t snaplen);
int pcap_writer_add(struct pcap_writer *w, uint32_t ts_sec, uint32_t ts_usec, const uint8_t *data,
		    size_t len);
void pcap_writer_free(struct pcap_writer *w);

/* ------------------------------------------------------------- frames -- */

struct udp_frame_params {
	int family;            /* 4 or 6 */
	uint8_t src[16], dst[16]; /* first 4 bytes for IPv4 */
	uint16_t sport, dport;
	bool zero_csum;        /* UDP checksum 0 (IPv4 only), as PSP senders do */
	uint8_t src_mac[6], dst_mac[6];
	uint8_t ttl;           /* 0 = 64 */
	uint16_t ip_id;
};

/* Ethernet II + IPv4/IPv6 + UDP around payload, checksums filled in.
 * Returns the frame length or 0 if cap is short. */
size_t frame_build_udp(uint8_t *out, size_t cap, const struct udp_frame_params *p,
		       const uint8_t *payload, size_t len);

/* Same without the Ethernet header (an IP packet), for inner packets. */
size_t ip_build_udp(uint8_t *out, size_t cap, const struct udp_frame_params *p,
		    const uint8_t *payload, size_t len);

struct frame_view {
	int family;          /* 4 or 6 */
	size_t l3_off;       /* IP header (0 for raw IP input) */
	size_t l3_hdr_len;
	size_t l4_off;       /* TCP/UDP header, or where it would be */
	uint8_t proto;       /* IP protocol of l4 */
	const uint8_t *src, *dst; /* IP addresses (4 or 16 bytes) */
	uint16_t sport, dport; /* when proto is TCP or UDP */
	size_t payload_off;  /* UDP payload (proto 17) */
	size_t payload_len;
	size_t ip_len;       /* IP total length as the header says */
};

/* Parse an Ethernet II frame (ethernet = true) or a raw IP packet: IPv4
 * (with options) or IPv6 (no extension headers), then TCP/UDP ports.
 * Strict about lengths: -1 on anything that does not fit. */
int frame_parse(const uint8_t *frame, size_t len, bool ethernet, struct frame_view *v);

/* RFC 1071 checksum over buf, starting from a partial sum. */
uint16_t inet_checksum(const void *buf, size_t len, uint32_t sum);
/* Fill in the IPv4 header checksum / the UDP checksum of an IP packet. */
void ipv4_fix_checksum(uint8_t *ip);
void udp_fix_checksum(uint8_t *ip, size_t ip_len);

#endif /* EESP_PCAPFILE_H */
