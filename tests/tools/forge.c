/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * forge.c - a hostile member of a trust domain (integration test 42).
 *
 * It holds the domain root key, so it can seal packets that authenticate,
 * and writes whatever it likes in the self-asserted header fields: the node
 * id, the Session ID and the SN.  Each packet carries an ICMP echo request
 * from SRC to DST, so that it belongs to the same inner flow as a real ping
 * between those addresses (the receiver keys its replay windows by flow).
 *
 * Usage: forge -d ADDR [-p PORT] -s SPI -k HEXROOT [-g GEN] -n NODE
 *              -i SESSION -b SN [-c COUNT] -S SRC -D DST [-E EPOCH]
 * Sends COUNT packets with SNs SN, SN+1, ... and prints "sent N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "eesp_proto.h"
#include "errors.h"
#include "keys.h"
#include "packet.h"
#include "wire.h"

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "forge: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += eesp_get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv4 + ICMP echo request, 16 bytes of data */
static size_t build_ping(uint8_t *p, struct in_addr src, struct in_addr dst, unsigned seq)
{
	size_t len = 20 + 8 + 16;
	memset(p, 0, len);
	p[0] = 0x45;
	eesp_put16(p + 2, (uint16_t)len);
	eesp_put16(p + 4, (uint16_t)seq);
	p[8] = 64;
	p[9] = 1;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	eesp_put16(p + 10, csum(p, 20));
	p[20] = 8; /* echo request */
	eesp_put16(p + 24, 0x4647);
	eesp_put16(p + 26, (uint16_t)seq);
	memcpy(p + 28, "eesp-forge-probe", 16);
	eesp_put16(p + 22, csum(p + 20, 24));
	return len;
}

int main(int argc, char **argv)
{
	const char *dst = NULL, *port = "4500", *hexkey = NULL;
	uint32_t spi = 0, node = 0, gen = 1, count = 1, epoch = 0, session = 1;
	uint64_t sn = 0;
	struct in_addr isrc = {0}, idst = {0};
	int opt;

	while ((opt = getopt(argc, argv, "d:p:s:k:g:n:i:b:c:S:D:E:")) != -1) {
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
		case 'k':
			hexkey = optarg;
			break;
		case 'g':
			gen = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'n':
			node = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'i':
			session = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'b':
			sn = strtoull(optarg, NULL, 0);
			break;
		case 'c':
			count = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'E':
			epoch = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'S':
		case 'D':
			if (inet_pton(AF_INET, optarg, opt == 'S' ? &isrc : &idst) != 1)
				die("bad IPv4 address %s", optarg);
			break;
		default:
			fprintf(stderr,
				"usage: forge -d ADDR [-p PORT] -s SPI -k HEXROOT [-g GEN] -n "
				"NODE -i SESSION -b SN [-c COUNT] -S SRC -D DST [-E EPOCH]\n");
			return 2;
		}
	}
	if (!dst || !hexkey || !spi || !node || !sn || !isrc.s_addr || !idst.s_addr ||
	    session > 0xffff)
		die("%s", "need -d, -s, -k, -n, -b, -S and -D (see the usage)");

	char kf[160];
	struct eesp_keyfile_error ke;
	struct eesp_keyset *ks = eesp_keyset_new();
	int kn = snprintf(kf, sizeof(kf), "domain 0 %u %s\n", gen, hexkey);
	if (!ks || eesp_keyfile_parse(ks, kf, (size_t)kn, &ke))
		die("bad key: %s", ke.msg);
	struct eesp_domain dom = {.spi = spi, .keys = ks, .epoch_window = 2};
	struct eesp_crypto *cr = eesp_crypto_new(16);
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST}, *ai;
	if (!cr || getaddrinfo(dst, port, &hints, &ai) != 0)
		die("bad destination %s", dst);
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));

	uint32_t sent = 0;
	for (uint32_t n = 0; n < count; n++) {
		uint8_t inner[64], pkt[256];
		size_t ilen = build_ping(inner, isrc, idst, n), plen = 0;
		struct eesp_hdr_params hp = {
		    .session_id = (uint16_t)session,
		    .spi = spi,
		    .sctx = {.profile = EESP_PROFILE_NODE,
			     .kdf = EESP_KDF_CMAC_AES256,
			     .suite = EESP_SUITE_AES_GCM_256,
			     .epoch = epoch,
			     .node_id = node,
			     .phase = {(uint8_t)(gen % 4), 0, 0}},
		    .sn = sn + n,
		};
		int rc = eesp_seal(cr, &dom, &hp, inner, ilen, pkt, sizeof(pkt), &plen);
		if (rc != EESP_E_OK)
			die("eesp_seal: %s", eesp_err_name(rc));
		if (sendto(fd, pkt, plen, 0, ai->ai_addr, ai->ai_addrlen) != (ssize_t)plen)
			die("sendto: %s", strerror(errno));
		sent++;
		if (sent % 64 == 0)
			usleep(1000);
	}
	printf("sent %u\n", sent);
	eesp_crypto_free(cr);
	eesp_keyset_free(ks);
	freeaddrinfo(ai);
	close(fd);
	return 0;
}
