/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inject_psp.c - send bad PSP datagrams at a live eespd in psp mode
 * (integration test 12).  The PSP counterpart of inject.c.
 *
 * Classes (per_class datagrams each):
 *   malformed  a valid packet with one header field broken (a reserved
 *              version 4-15, always-1 bit clear, Hdr Ext Len 0 or 2 without
 *              V, SPI 0, a Crypt Offset 1-63 written after sealing: for
 *              the GMAC versions 2/3 psp_gmac_crypt_offset)
 *   truncated  a valid packet cut inside its header or ICV room
 *   forged     well-formed, sealed with a random data key
 *   spoofed    sealed with the right data key, inner source outside the
 *              prefixes allowed for the SPI
 *   garbage    random bytes, or a valid packet with 1-4 random bytes changed
 *
 * The expected drop reason of each datagram follows eespd's receive order
 * (src/daemon/rx.c rx_psp) with the receiver's master keys (-0, -1), computed
 * with the core (psp_parse, psp_open).  Output as inject.c: "class NAME N",
 * "expect COUNTER N", "total N".
 *
 * Usage: inject_psp -d ADDR [-p PORT] -s SPI -0 HEXMASTER0 -1 HEXMASTER1
 *                   [-v VERSION 0-3] [-S SRC] [-D DST] [-X SPOOF] [-c PER_CLASS]
 *                   [-R SEED]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "eesp_proto.h"
#include "errors.h"
#include "kdf.h"
#include "keys.h"
#include "packet.h"
#include "wire.h"

#include "garble.h"

enum cls { C_MALFORMED, C_TRUNCATED, C_FORGED, C_SPOOFED, C_GARBAGE, C__N };
static const char *const cls_name[C__N] = {"malformed", "truncated", "forged", "spoofed",
					   "garbage"};
enum { X_KEEPALIVE = EESP_E__COUNT, X_UNKNOWN_SPI, X__N };
static unsigned long sent[C__N], expect[X__N];

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "inject_psp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static size_t build_inner(uint8_t *p, uint32_t src, uint32_t dst, const char *tag, unsigned n)
{
	char payload[64];
	int pl = snprintf(payload, sizeof(payload), "psp-inject %s %u", tag, n);
	size_t len = 20 + 8 + (size_t)pl;
	uint32_t sum = 0;

	memset(p, 0, 28);
	p[0] = 0x45;
	eesp_put16(p + 2, (uint16_t)len);
	eesp_put16(p + 4, (uint16_t)n);
	p[8] = 64;
	p[9] = 17;
	eesp_put32(p + 12, src);
	eesp_put32(p + 16, dst);
	for (int i = 0; i < 20; i += 2)
		sum += eesp_get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	eesp_put16(p + 10, (uint16_t)~sum);
	eesp_put16(p + 20, 40000);
	eesp_put16(p + 22, 9);
	eesp_put16(p + 24, (uint16_t)(8 + pl));
	memcpy(p + 28, payload, (size_t)pl);
	return len;
}

static int hex_to(const char *h, uint8_t *out, size_t n)
{
	if (strlen(h) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned b;
		if (sscanf(h + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dst = NULL, *port = "1000", *m0 = NULL, *m1 = NULL;
	uint32_t spi = 0, per_class = 2000, isrc, idst, ispoof;
	unsigned version = 1;
	struct in_addr a;
	int opt;

	inet_pton(AF_INET, "192.0.2.1", &a);
	isrc = ntohl(a.s_addr);
	inet_pton(AF_INET, "192.0.2.2", &a);
	idst = ntohl(a.s_addr);
	inet_pton(AF_INET, "203.0.113.7", &a);
	ispoof = ntohl(a.s_addr);
	while ((opt = getopt(argc, argv, "d:p:s:0:1:v:S:D:X:c:R:")) != -1) {
		switch (opt) {
		case 'd':
			dst = optarg;
			break;
		case 'p':
			port = optarg;
			break;
		case 's':
			spi = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case '0':
			m0 = optarg;
			break;
		case '1':
			m1 = optarg;
			break;
		case 'v':
			version = (unsigned)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			per_class = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'R':
			rng_state = (uint32_t)strtoul(optarg, NULL, 0) | 1;
			break;
		case 'S':
		case 'D':
		case 'X':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				die("bad IPv4 address %s", optarg);
			*(opt == 'S' ? &isrc : opt == 'D' ? &idst : &ispoof) = ntohl(a.s_addr);
			break;
		default:
			fprintf(stderr, "usage: inject_psp -d ADDR [-p PORT] -s SPI -0 HEXMASTER0 "
					"-1 HEXMASTER1 [-v VERSION] [-S SRC] [-D DST] [-X SPOOF] "
					"[-c PER_CLASS] [-R SEED]\n");
			return 2;
		}
	}
	if (!dst || !spi || !m0 || !m1 || version > PSP_VER_MAX)
		die("%s", "need -d ADDR, -s SPI, -0 and -1 master keys (version 0-3)");

	char kf[256];
	struct eesp_keyfile_error kerr;
	struct eesp_keyset *ks = eesp_keyset_new();
	int kn = snprintf(kf, sizeof(kf), "psp 0 %s\npsp 1 %s\n", m0, m1);
	if (!ks || eesp_keyfile_parse(ks, kf, (size_t)kn, &kerr) != EESP_E_OK)
		die("master keys: %s", ks ? kerr.msg : "no memory");

	uint8_t master[PSP_MASTER_KEY_LEN], key[32], wrong[32];
	struct eesp_kdf_ctx *kc = eesp_kdf_ctx_new();
	if (hex_to((spi & PSP_SPI_KEY_SELECTOR) ? m1 : m0, master, sizeof(master)) || !kc ||
	    psp_derive_key(kc, master, spi, version, key) != EESP_E_OK)
		die("%s", "cannot derive the data key");
	for (size_t i = 0; i < sizeof(wrong); i++)
		wrong[i] = (uint8_t)rnd();

	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST}, *ai;
	if (getaddrinfo(dst, port, &hints, &ai) != 0)
		die("bad destination %s", dst);
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	struct eesp_crypto *cr = eesp_crypto_new(64);
	if (!cr)
		die("%s", "eesp_crypto_new failed");

	uint64_t iv = 1;
	unsigned long total = 0;
	for (int c = 0; c < C__N; c++) {
		for (uint32_t n = 0; n < per_class; n++) {
			uint8_t inner[128], pkt[512], chk[512];
			size_t ilen, plen = 0, slen, ioff = 0, ilen2 = 0;
			struct psp_hdr_params hp = {
			    .next_hdr = 4, .version = (uint8_t)version, .spi = spi, .iv = iv++};
			int want, rc;

			ilen = build_inner(inner, c == C_SPOOFED ? ispoof : isrc, idst, cls_name[c],
					   n);
			rc = psp_seal_with_key(cr, c == C_FORGED ? wrong : key, &hp, inner, ilen,
					       pkt, sizeof(pkt), &plen);
			if (rc != EESP_E_OK)
				die("psp_seal_with_key: %s", eesp_err_name(rc));
			slen = plen;
			if (c == C_MALFORMED) {
				switch (n % 6) {
				case 0: /* a reserved version, 4..15 */
					pkt[3] = (uint8_t)((pkt[3] & ~0x3c) | (4 + rnd() % 12) << 2);
					break;
				case 1:
					pkt[3] &= (uint8_t)~PSP_ALWAYS_1;
					break;
				case 2:
					pkt[1] = 0;
					break; /* Hdr Ext Len 0 */
				case 3:
					pkt[1] = 2;
					break; /* 24 bytes, V clear */
				case 4:
					memset(pkt + 5, 0, 3);
					pkt[4] &= 0x80;
					break; /* SPI 0 */
				case 5: /* a crypt offset the sender did not seal with */
					pkt[2] = (uint8_t)((pkt[2] & ~PSP_CRYPT_OFFSET_MASK) |
							   (1 + rnd() % PSP_CRYPT_OFFSET_MAX));
					break;
				}
			} else if (c == C_TRUNCATED) {
				slen = 2 + rnd() % (PSP_HDR_LEN + PSP_ICV_LEN - 2);
			} else if (c == C_GARBAGE) {
				if (n % 2) {
					slen = 1 + rnd() % 400;
					for (size_t b = 0; b < slen; b++)
						pkt[b] = (uint8_t)rnd();
				} else {
					garble_bytes(pkt, slen);
				}
			}

			/* expected verdict, in the order of rx_psp() */
			struct psp_view v;
			memcpy(chk, pkt, slen);
			if (slen == 1 && chk[0] == 0xff) {
				want = X_KEEPALIVE;
			} else if ((want = psp_parse(chk, slen, &v)) != EESP_E_OK) {
				/* counted under the parser's reason */
			} else if (!ks->has_psp[v.spi & PSP_SPI_KEY_SELECTOR ? 1 : 0]) {
				want = EESP_E_NO_KEY;
			} else if (v.spi != spi) {
				/* the receiver knows only -s SPI (its peer's rx_spi) */
				want = X_UNKNOWN_SPI;
			} else if ((want = psp_open(cr, ks, chk, slen, &v, &ioff, &ilen2)) !=
				   EESP_E_OK) {
				/* auth_failed and friends */
			} else if (v.next_hdr != 4 && v.next_hdr != 41) {
				want = EESP_E_BAD_INNER;
			} else if (c == C_SPOOFED) {
				want = EESP_E_SPOOFED_SOURCE;
			}
			if (want == EESP_E_OK)
				die("class %s: a datagram would be accepted", cls_name[c]);
			for (;;) {
				if (sendto(fd, pkt, slen, 0, ai->ai_addr, ai->ai_addrlen) ==
				    (ssize_t)slen)
					break;
				if (errno != ENOBUFS && errno != EAGAIN)
					die("sendto: %s", strerror(errno));
				usleep(1000);
			}
			sent[c]++;
			expect[want]++;
			total++;
			if (total % 32 == 0) {
				struct timespec ts = {0, 1500000};
				nanosleep(&ts, NULL);
			}
		}
	}
	for (int c = 0; c < C__N; c++)
		printf("class %s %lu\n", cls_name[c], sent[c]);
	for (int e = 0; e < X__N; e++)
		if (expect[e])
			printf("expect %s %lu\n",
			       e == X_KEEPALIVE	    ? "keepalive"
			       : e == X_UNKNOWN_SPI ? "unknown_spi"
						    : eesp_err_name(e),
			       expect[e]);
	printf("total %lu\n", total);
	eesp_crypto_free(cr);
	eesp_kdf_ctx_free(kc);
	eesp_keyset_free(ks);
	freeaddrinfo(ai);
	close(fd);
	return 0;
}
