// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * udpgen.c - a UDP traffic generator and sink for bench.sh (issue 18,
 * targets 4 and 5b): sendmmsg/recvmmsg in batches, so that the generator is
 * not the bottleneck (iperf3 tops out near 160-200 kpps of 64-byte datagrams
 * on this machine, one sendto each).
 *
 *   udpgen send -d ADDR -p PORT [-l LEN] [-r PPS] [-t SECONDS] [-b BATCH]
 *               [-F eesp|psp] [-s SPI] [-N LO-HI]
 *       LEN-byte datagrams (default 64), PPS a second (0: as fast as it can)
 *       for SECONDS; prints "sent N seconds S pps P cpu_s C" (C: this
 *       process's own CPU seconds, user + system).  -F eesp: forged EESP
 *       datagrams for domain SPI: every (domain generation 1-3 x tenant
 *       11-14 x group 21-24 x level flags) combination in turn, each with a
 *       random node id in LO-HI and a Session ID and SN an honest sender
 *       could use, sealed under throw-away keys (their tags are wrong for
 *       anyone else).  -F psp: PSP datagrams with random SPIs and bytes.
 *   udpgen sink -a ADDR -p PORT [-i IDLE_MS] [-T MAX_SECONDS]
 *       prints "ready", counts what arrives until nothing came for IDLE_MS
 *       (default 500) after the first datagram, or MAX_SECONDS (default 60)
 *       passed, and prints "received N seconds S" (first to last datagram).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "keys.h"
#include "packet.h"
#include "wire.h"

#define MAX_BATCH 256
#define MAX_LEN 1500
#define FORGED_N 4096 /* distinct forged datagrams, sent in turn */

static void die(const char *what)
{
	fprintf(stderr, "udpgen: %s: %s\n", what, errno ? strerror(errno) : "failed");
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int resolve(const char *host, const char *port, struct sockaddr_storage *a, socklen_t *len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST}, *r;
	if (getaddrinfo(host, port, &hints, &r))
		return -1;
	memcpy(a, r->ai_addr, r->ai_addrlen);
	*len = r->ai_addrlen;
	freeaddrinfo(r);
	return 0;
}

/* ------------------------------------------------------------- forged -- */

struct forged {
	uint8_t pkt[FORGED_N][MAX_LEN];
	size_t len[FORGED_N];
};

static void key_line(char *buf, size_t cap, const char *level, unsigned id, unsigned gen)
{
	uint8_t k[EESP_ROOT_KEY_LEN];
	size_t n = strlen(buf);
	RAND_bytes(k, sizeof(k));
	n += (size_t)snprintf(buf + n, cap - n, "%s %u %u ", level, id, gen);
	for (size_t i = 0; i < sizeof(k) && n < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%02x", k[i]);
	snprintf(buf + n, cap - n, "\n");
}

/* Combination i: domain generation, then none / tenant / group / both
 * levels, each level at generations 1-3 (3 x (1 + 12 + 12 + 144) = 507). */
static void combo(struct eesp_hdr_params *p, unsigned i)
{
	unsigned dg = i % 3, rest = (i / 3) % 169, lv = 12;
	p->sctx.phase[0] = (uint8_t)(1 + dg);
	if (rest == 0)
		return;
	rest--;
	if (rest < 2 * lv) {
		unsigned l = rest < lv ? 1 : 2, t = rest % lv;
		p->sctx.flags = l == 1 ? EESP_SCTX_FLAG_T : EESP_SCTX_FLAG_G;
		p->sctx.phase[l] = (uint8_t)(1 + t % 3);
		if (l == 1)
			p->sctx.tenant_id = 11 + t / 3;
		else
			p->sctx.group_id = 21 + t / 3;
		return;
	}
	rest -= 2 * lv;
	p->sctx.flags = EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G;
	p->sctx.phase[1] = (uint8_t)(1 + (rest % lv) % 3);
	p->sctx.tenant_id = 11 + (rest % lv) / 3;
	p->sctx.phase[2] = (uint8_t)(1 + (rest / lv) % 3);
	p->sctx.group_id = 21 + (rest / lv) / 3;
}

static uint32_t rnd32(void)
{
	uint32_t v;
	RAND_bytes((uint8_t *)&v, sizeof(v));
	return v;
}

/* A 64-byte inner IPv4/UDP packet (the forger knows what tunnels carry). */
static void inner_packet(uint8_t *p, size_t n)
{
	memset(p, 0, n);
	p[0] = 0x45;
	eesp_put16(p + 2, (uint16_t)n);
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, "\xc6\x33\x64\x01\xc6\x33\x64\x02", 8);
	eesp_put16(p + 24, (uint16_t)(n - 20));
}

static void forge_eesp(struct forged *f, uint32_t spi, uint32_t lo, uint32_t hi, size_t len)
{
	static char text[16384];
	struct eesp_keyset *ks = eesp_keyset_new();
	struct eesp_keyfile_error ke;
	struct eesp_crypto *c = eesp_crypto_new(16);
	uint8_t inner[MAX_LEN];
	size_t ilen = len > 120 ? len - 56 : 64;
	uint64_t clock = (uint64_t)time(NULL) << 32;

	for (unsigned g = 1; g <= 3; g++) {
		key_line(text, sizeof(text), "domain", 0, g);
		for (unsigned i = 0; i < 4; i++) {
			key_line(text, sizeof(text), "tenant", 11 + i, g);
			key_line(text, sizeof(text), "group", 21 + i, g);
		}
	}
	if (!ks || !c || eesp_keyfile_parse(ks, text, strlen(text), &ke))
		die("throw-away keyset");
	struct eesp_domain d = {.spi = spi, .keys = ks, .epoch_window = 2};
	inner_packet(inner, ilen);
	for (unsigned i = 0; i < FORGED_N; i++) {
		struct eesp_hdr_params p;
		memset(&p, 0, sizeof(p));
		p.spi = spi;
		p.session_id = (uint16_t)(1 + rnd32() % 64);
		p.sn = clock | (uint64_t)(p.session_id - 1) << 26 | (i + 1);
		p.next_hdr = 4;
		p.sctx.profile = EESP_PROFILE_NODE;
		p.sctx.kdf = EESP_KDF_CMAC_AES256;
		p.sctx.suite = EESP_SUITE_AES_GCM_128;
		p.sctx.node_id = lo + rnd32() % (hi - lo + 1);
		combo(&p, i);
		if (eesp_seal(c, &d, &p, inner, ilen, f->pkt[i], MAX_LEN, &f->len[i]))
			die("eesp_seal of a forged datagram");
	}
	eesp_crypto_free(c);
	eesp_keyset_free(ks);
}

static void forge_psp(struct forged *f, size_t len)
{
	for (unsigned i = 0; i < FORGED_N; i++) {
		struct psp_hdr_params p = {.next_hdr = 4, .version = 0, .iv = rnd32()};
		size_t h;
		p.spi = rnd32() | 1;
		h = psp_build_header(f->pkt[i], MAX_LEN, &p);
		if (!h || len < h + 16)
			die("psp_build_header");
		RAND_bytes(f->pkt[i] + h, (int)(len - h));
		f->len[i] = len;
	}
}

/* --------------------------------------------------------------- send -- */

struct sendopt {
	const char *addr, *port, *forge;
	size_t len;
	double pps, seconds;
	unsigned batch;
	uint32_t spi, lo, hi;
};

static int do_send(const struct sendopt *o)
{
	static struct forged f;
	static uint8_t plain[MAX_BATCH][MAX_LEN];
	struct mmsghdr mm[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_storage a;
	socklen_t alen;
	uint64_t sent = 0, next = 0;
	int fd, sz = 4 << 20;

	if (resolve(o->addr, o->port, &a, &alen))
		die("address");
	if (o->forge && !strcmp(o->forge, "eesp"))
		forge_eesp(&f, o->spi, o->lo, o->hi, o->len);
	else if (o->forge && !strcmp(o->forge, "psp"))
		forge_psp(&f, o->len);
	else if (o->forge)
		die("-F takes eesp or psp");
	fd = socket(a.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, alen))
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	prctl(PR_SET_TIMERSLACK, 1UL);
	memset(mm, 0, sizeof(mm));
	double t0 = now_s(), c0 = cpu_s(), t;
	while ((t = now_s()) - t0 < o->seconds) {
		uint64_t due = o->pps > 0 ? (uint64_t)((t - t0) * o->pps) + 1 : sent + o->batch;
		if (due < sent + o->batch && o->pps > 0) {
			/* sleep until a whole batch is due: one sendmmsg per batch
			 * keeps the generator's own cost per datagram low */
			double wait = (double)(sent + o->batch) / o->pps - (t - t0);
			struct timespec ts = {(time_t)wait, (long)((wait - (double)(time_t)wait) * 1e9)};
			if (wait > 0) {
				nanosleep(&ts, NULL);
				continue;
			}
		}
		unsigned n = due - sent < o->batch ? (unsigned)(due - sent) : o->batch;
		for (unsigned i = 0; i < n; i++) {
			unsigned k = (unsigned)(next++ % FORGED_N);
			if (o->forge) {
				iov[i].iov_base = f.pkt[k];
				iov[i].iov_len = f.len[k];
			} else {
				eesp_put64(plain[i], sent + i);
				iov[i].iov_base = plain[i];
				iov[i].iov_len = o->len;
			}
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
		}
		int r = sendmmsg(fd, mm, n, 0);
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
			die("sendmmsg");
		if (r > 0)
			sent += (unsigned)r;
	}
	double el = now_s() - t0;
	printf("sent %llu seconds %.3f pps %.0f cpu_s %.3f\n", (unsigned long long)sent, el,
	       (double)sent / el, cpu_s() - c0);
	return 0;
}

/* --------------------------------------------------------------- sink -- */

static int do_sink(const char *addr, const char *port, int idle_ms, double max_s)
{
	static uint8_t buf[MAX_BATCH][MAX_LEN];
	struct mmsghdr mm[MAX_BATCH];
	struct iovec iov[MAX_BATCH];
	struct sockaddr_storage a;
	socklen_t alen;
	uint64_t n = 0;
	double first = 0, last = 0, t0 = now_s();
	int fd, sz = 8 << 20;

	if (resolve(addr, port, &a, &alen))
		die("address");
	fd = socket(a.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	/* recvmmsg's own timeout is only looked at after a datagram came: the
	 * wait for the first one is bounded by SO_RCVTIMEO */
	struct timeval rto = {0, 100000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof(rto));
	if (bind(fd, (struct sockaddr *)&a, alen))
		die("bind");
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < MAX_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = MAX_LEN;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int r = recvmmsg(fd, mm, MAX_BATCH, MSG_WAITFORONE, NULL);
		double t = now_s();
		if (r > 0) {
			if (!n)
				first = t;
			n += (unsigned)r;
			last = t;
		} else if (r < 0 && errno != EAGAIN && errno != EINTR) {
			die("recvmmsg");
		}
		if ((n && t - last >= idle_ms / 1e3) || t - t0 >= max_s)
			break;
	}
	printf("received %llu seconds %.3f\n", (unsigned long long)n, last - first);
	return 0;
}

int main(int argc, char **argv)
{
	struct sendopt o = {.len = 64, .seconds = 2, .batch = 32, .lo = 1, .hi = 254};
	const char *sink_addr = "0.0.0.0";
	int idle_ms = 500, c;
	double max_s = 60;
	bool send = argc > 1 && !strcmp(argv[1], "send"), sink = argc > 1 && !strcmp(argv[1], "sink");
	if (!send && !sink) {
		fprintf(stderr, "usage: udpgen send|sink ... (see bench/udpgen.c)\n");
		return 2;
	}
	optind = 2;
	while ((c = getopt(argc, argv, "d:a:p:l:r:t:b:F:s:N:i:T:")) != -1) {
		switch (c) {
		case 'd': o.addr = optarg; break;
		case 'a': sink_addr = optarg; break;
		case 'p': o.port = optarg; break;
		case 'l': o.len = strtoul(optarg, NULL, 0); break;
		case 'r': o.pps = strtod(optarg, NULL); break;
		case 't': o.seconds = strtod(optarg, NULL); break;
		case 'b': o.batch = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'F': o.forge = optarg; break;
		case 's': o.spi = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'N':
			if (sscanf(optarg, "%u-%u", &o.lo, &o.hi) != 2 || o.lo > o.hi)
				return 2;
			break;
		case 'i': idle_ms = atoi(optarg); break;
		case 'T': max_s = strtod(optarg, NULL); break;
		default: return 2;
		}
	}
	if (!o.port || o.len < 16 || o.len > MAX_LEN || !o.batch || o.batch > MAX_BATCH)
		return 2;
	if (sink)
		return do_sink(sink_addr, o.port, idle_ms, max_s);
	if (!o.addr || (o.forge && !strcmp(o.forge, "eesp") && !o.spi))
		return 2;
	return do_send(&o);
}
