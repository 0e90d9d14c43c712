// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikeflood.c - a flood of IKE_SA_INIT requests from spoofed sources, for
 * tests/integration/86_iked_flood.sh and nothing else: raw IPv4 (root, in
 * a test namespace), sources NET.FIRST .. NET.LAST, each at ports P0 ..
 * P0+NPORTS-1, in turn, COUNT datagrams at RATE per second at most.  Each
 * request is a well-formed IKE_SA_INIT (aes256gcm16-prfsha256-x25519: SA,
 * KE of random octets, Ni, N(CHILDLESS_IKEV2_SUPPORTED)) with a random
 * SPIi, built with src/ike; none is ever followed up, and the spoofed
 * sources cannot answer a cookie.
 *
 *   ikeflood DST NET FIRST LAST P0 NPORTS COUNT RATE
 *   e.g. ikeflood 198.51.100.1 203.0.113 1 250 1024 40 10000 5000
 *
 * Prints "sent N" (send errors stop it with a message).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ike_proto.h"
#include "ike_sa.h"
#include "ike_wire.h"
#include "pcapfile.h"

static void rnd(void *p, size_t n)
{
	if (getrandom(p, n, 0) != (ssize_t)n) {
		perror("getrandom");
		exit(1);
	}
}

static size_t sa_init(uint8_t *out, size_t cap)
{
	struct ike_hdr h = {.exch_type = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_I};
	struct ike_builder b;
	struct ike_proposal p;
	uint8_t ke[32], ni[32];
	size_t len;
	rnd(h.spi_i, sizeof(h.spi_i));
	rnd(ke, sizeof(ke));
	rnd(ni, sizeof(ni));
	ike_build_init(&b, out, cap, &h);
	ike_proposal_init(&p, 1, IKE_PROTO_IKE, NULL, 0);
	ike_proposal_add(&p, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_proposal_add(&p, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_proposal_add(&p, IKE_TT_KE, IKE_KE_X25519, 0);
	ike_put_sa(&b, &p, 1);
	ike_put_ke(&b, IKE_KE_X25519, ke, sizeof(ke));
	ike_put_nonce(&b, ni, sizeof(ni));
	ike_put_notify(&b, 0, NULL, 0, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	return ike_build_finish(&b, &len) ? 0 : len;
}

static void pace(struct timespec *t0, unsigned long sent, unsigned long rate)
{
	struct timespec due = *t0;
	unsigned long long ns = (unsigned long long)sent * 1000000000ull / rate;
	due.tv_sec += (time_t)(ns / 1000000000ull);
	due.tv_nsec += (long)(ns % 1000000000ull);
	if (due.tv_nsec >= 1000000000L) {
		due.tv_sec++;
		due.tv_nsec -= 1000000000L;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL);
}

int main(int argc, char **argv)
{
	struct udp_frame_params f = {.family = 4, .dport = 500};
	struct sockaddr_in dst = {.sin_family = AF_INET};
	struct timespec t0;
	unsigned long first, last, p0, nports, count, rate, sent = 0;
	uint8_t msg[512], pkt[640];
	char src[64];
	int fd, one = 1;
	if (argc != 9) {
		fprintf(stderr, "usage: ikeflood DST NET FIRST LAST P0 NPORTS COUNT RATE\n");
		return 2;
	}
	first = strtoul(argv[3], NULL, 10);
	last = strtoul(argv[4], NULL, 10);
	p0 = strtoul(argv[5], NULL, 10);
	nports = strtoul(argv[6], NULL, 10);
	count = strtoul(argv[7], NULL, 10);
	rate = strtoul(argv[8], NULL, 10);
	if (inet_pton(AF_INET, argv[1], &dst.sin_addr) != 1 || !first || last > 254 ||
	    first > last || !nports || p0 + nports > 65536 || !count || count > 1000000 || !rate) {
		fprintf(stderr, "ikeflood: bad arguments\n");
		return 2;
	}
	memcpy(f.dst, &dst.sin_addr, 4);
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("ikeflood: raw socket");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < count; i++) {
		unsigned long host = first + i % (last - first + 1);
		unsigned long port = p0 + (i / (last - first + 1)) % nports;
		size_t n = sa_init(msg, sizeof(msg)), pl;
		snprintf(src, sizeof(src), "%s.%lu", argv[2], host);
		if (!n || inet_pton(AF_INET, src, f.src) != 1) {
			fprintf(stderr, "ikeflood: cannot build from %s\n", src);
			return 1;
		}
		f.sport = (uint16_t)port;
		f.ip_id = (uint16_t)i;
		pl = ip_build_udp(pkt, sizeof(pkt), &f, msg, n);
		if (!pl ||
		    sendto(fd, pkt, pl, 0, (struct sockaddr *)&dst, sizeof(dst)) != (ssize_t)pl) {
			fprintf(stderr, "ikeflood: sendto: %s\n", strerror(errno));
			return 1;
		}
		sent++;
		if (sent % 32 == 0)
			pace(&t0, sent, rate);
	}
	printf("sent %lu\n", sent);
	return 0;
}
