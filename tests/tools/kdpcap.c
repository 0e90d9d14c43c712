// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kdpcap.c - a capture of a PSP key download, crafted with src/ike's
 * builders, for tests/dissector/51_ike_kd.sh (until eesp-iked's key
 * download runs end to end, a real capture of it cannot be taken):
 *
 *   kdpcap OUT.pcap KEYLOG [BAD]
 *
 * Frames, 192.0.2.1 (initiator) <-> 192.0.2.2 (responder):
 *   1. CREATE_CHILD_SA request, SK{SA(PSP proposal: protocol 201, SPI
 *      0x00001001, PSP Parameters 2 (v1), KWA 3), KD(bag PSP 0x00001001:
 *      the initiator's receive key Ki), VID(eesp)} sealed with SK_ei;
 *   2. its response, SK{SA(SPI 0x80002002), KD(bag 0x80002002: Kr), VID}
 *      sealed with SK_er;
 *   3. a PSP v1 packet (UDP 1000) 192.0.2.2 -> .1 to SPI 0x00001001 under
 *      Ki; 4. one .1 -> .2 to SPI 0x80002002 under Kr; each carries an
 *      inner IPv4/UDP datagram 198.51.100.x:7 with the payload "kd-ok".
 * KEYLOG gets eesp-iked's key log record of the IKE SA (keylog.h).  With
 * BAD, frame 2's wrapped key has one octet flipped (its unwrap must fail).
 * The keys are fixed patterns: this is a test fixture, not a secret.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike_crypto.h"
#include "ike_kd.h"
#include "ike_kwp.h"
#include "ike_proto.h"
#include "ike_sa.h"
#include "ike_sk.h"
#include "ike_wire.h"
#include "keylog.h"
#include "packet.h"
#include "pcapfile.h"

#define PSP_PROTO 201
#define PSP_TYPE 241
#define SPI_I_PSP 0x00001001u
#define SPI_R_PSP 0x80002002u
#define VID "eesp-ikev2-kd-01"

static const uint8_t SPI_I[8] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
static const uint8_t SPI_R[8] = {0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01};

static void fill(uint8_t *p, size_t n, uint8_t base)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(base + i * 7);
}

static void die(const char *what)
{
	fprintf(stderr, "kdpcap: %s\n", what);
	exit(1);
}

/* one CREATE_CHILD_SA message with our PSP proposal and KD */
static size_t ccsa(uint8_t *out, size_t cap, bool response, uint32_t spi, const uint8_t *sk_e,
		   const uint8_t kwk[32], const uint8_t key[32], bool bad)
{
	struct ike_hdr h = {.exch_type = IKE_EXCH_CREATE_CHILD_SA,
			    .flags = (uint8_t)(response ? IKE_FLAG_R : IKE_FLAG_I),
			    .msg_id = 2};
	struct ike_builder b;
	struct ike_sk_cipher c;
	struct ike_proposal p;
	uint8_t spib[4], wrapped[48];
	size_t wl, len, sk, kd;
	uint64_t iv = response ? 100 : 1;
	memcpy(h.spi_i, SPI_I, 8);
	memcpy(h.spi_r, SPI_R, 8);
	ike_put32(spib, spi);
	if (ike_kwp_wrap(kwk, 32, key, 32, wrapped, sizeof(wrapped), &wl))
		die("wrap");
	if (bad)
		wrapped[5] ^= 1;
	ike_build_init(&b, out, cap, &h);
	sk = ike_sk_begin(&b);
	ike_proposal_init(&p, 1, PSP_PROTO, spib, 4);
	ike_proposal_add(&p, PSP_TYPE, 2, 0);
	ike_proposal_add(&p, IKE_TT_KWA, IKE_KWA_5649_256, 0);
	ike_put_sa(&b, &p, 1);
	kd = ike_build_begin(&b, IKE_PT_KD, 0);
	ike_put_group_key_bag(&b, PSP_PROTO, spib, 4, 0, 0, wrapped, wl);
	ike_build_end(&b, kd);
	ike_put_vendor(&b, (const uint8_t *)VID, 16);
	if (ike_sk_cipher_init(&c, IKE_ENCR_AES_GCM_16, sk_e, 36) ||
	    ike_sk_seal(&b, sk, &c, &iv, &len))
		die("seal");
	ike_sk_cipher_free(&c);
	return len;
}

static void add_udp(struct pcap_writer *w, uint32_t t, int from, uint16_t port, const uint8_t *p,
		    size_t n)
{
	struct udp_frame_params f = {
	    .family = 4, .sport = port, .dport = port, .zero_csum = port != 500};
	uint8_t frame[2048];
	size_t fl;
	memcpy(f.src, (uint8_t[]){192, 0, 2, (uint8_t)from}, 4);
	memcpy(f.dst, (uint8_t[]){192, 0, 2, (uint8_t)(3 - from)}, 4);
	f.src_mac[5] = (uint8_t)from;
	f.dst_mac[5] = (uint8_t)(3 - from);
	fl = frame_build_udp(frame, sizeof(frame), &f, p, n);
	if (!fl || pcap_writer_add(w, t, 0, frame, fl))
		die("frame");
}

static size_t psp_packet(uint8_t *out, size_t cap, int from, uint32_t spi, const uint8_t key[32])
{
	struct eesp_crypto *c = eesp_crypto_new(0);
	struct udp_frame_params in = {.family = 4, .sport = 7, .dport = 7};
	struct psp_hdr_params p = {.next_hdr = 4, .version = 1, .spi = spi, .iv = 1};
	uint8_t inner[128];
	size_t il, n = 0;
	memcpy(in.src, (uint8_t[]){198, 51, 100, (uint8_t)from}, 4);
	memcpy(in.dst, (uint8_t[]){198, 51, 100, (uint8_t)(3 - from)}, 4);
	il = ip_build_udp(inner, sizeof(inner), &in, (const uint8_t *)"kd-ok", 5);
	if (!c || !il || psp_seal_with_key(c, key, &p, inner, il, out, cap, &n))
		die("psp");
	eesp_crypto_free(c);
	return n;
}

int main(int argc, char **argv)
{
	struct ike_keys k = {.prf = IKE_PRF_HMAC_SHA2_256, .prf_len = 32, .ek_len = 36};
	struct ike_suite s = {
	    .encr = IKE_ENCR_AES_GCM_16, .encr_bits = 256, .prf = IKE_PRF_HMAC_SHA2_256};
	struct pcap_writer w;
	uint8_t kwk[32], ki[32], kr[32], msg[2048];
	size_t n;
	int fd;
	if (argc < 3)
		die("usage: kdpcap OUT.pcap KEYLOG [BAD]");
	fill(k.ei, 36, 0x10);
	fill(k.er, 36, 0x20);
	fill(k.d, 32, 0x30);
	fill(ki, 32, 0x40);
	fill(kr, 32, 0x50);
	if (ike_kwk_derive(k.prf, k.d, 32, IKE_LABEL_KW_PSP, kwk, 32))
		die("SK_w");
	if (pcap_writer_init(&w, PCAP_LINKTYPE_ETHERNET, 65535))
		die("pcap");
	n = ccsa(msg, sizeof(msg), false, SPI_I_PSP, k.ei, kwk, ki, false);
	add_udp(&w, 1, 1, 500, msg, n);
	n = ccsa(msg, sizeof(msg), true, SPI_R_PSP, k.er, kwk, kr, argc > 3);
	add_udp(&w, 2, 2, 500, msg, n);
	n = psp_packet(msg, sizeof(msg), 2, SPI_I_PSP, ki);
	add_udp(&w, 3, 2, 1000, msg, n);
	n = psp_packet(msg, sizeof(msg), 1, SPI_R_PSP, kr);
	add_udp(&w, 4, 1, 1000, msg, n);
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, w.buf, w.len) != (ssize_t)w.len || close(fd))
		die("write pcap");
	pcap_writer_free(&w);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || keylog_write(fd, SPI_I, SPI_R, &s, &k) || close(fd))
		die("write key log");
	return 0;
}
