/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inject.c - send bad EESP datagrams at a live eespd (integration test 04).
 *
 * Five classes, crafted with the core library:
 *   malformed         a valid packet with one header field broken
 *   truncated         a valid packet cut short inside its header or ICV
 *   forged            well-formed, sealed with a random (wrong) root key
 *   wrong_generation  the right domain, but a root generation the receiver
 *                     does not hold (its phase is not live)
 *   spoofed           sealed with the right key, inner source outside every
 *                     prefix the receiver allows
 *   garbage           random bytes of random length, or a valid packet with
 *                     1-4 random bytes changed
 * With -V only one class is sent instead:
 *   valid             well-formed packets sealed with the given key and
 *                     generation (e.g. a retired one, for the rotation test)
 *
 * For every datagram the expected drop reason is computed with the same core
 * functions the daemon uses, in its receive order (eesp_udp_classify,
 * eesp_parse, domain SPI, node policy -N, the replay precheck of Session ID
 * and SN clock, eesp_open with the receiver's node id -r, plus the known
 * inner source for the spoofed class), so the test can
 * compare the daemon's counters with what was sent, reason by reason.  Output:
 *
 *   class <name> <count>        datagrams sent per class
 *   expect <counter> <count>    drops the receiver must count, per reason
 *   total <count>
 *
 * Usage: inject -d ADDR [-p PORT] -s SPI -k HEXROOT [-g GEN] [-n NODE]
 *               [-S INNER_SRC] [-D INNER_DST] [-X SPOOF_SRC] [-c PER_CLASS] [-V]
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
#include "ivgen.h"
#include "keys.h"
#include "packet.h"
#include "replay.h"
#include "wire.h"

#include "garble.h"

enum cls { C_MALFORMED, C_TRUNCATED, C_FORGED, C_WRONG_GEN, C_SPOOFED, C_GARBAGE, C_VALID, C__N };
static const char *const cls_name[C__N] = {"malformed", "truncated", "forged", "wrong_generation",
					   "spoofed",	"garbage",   "valid"};

static unsigned long sent[C__N];
/* expected drops: the errors.h reasons, then the daemon's own classes */
enum { X_KEEPALIVE = EESP_E__COUNT, X_IKE, X_ESP, X_BAD_SESSION, X_SN_FUTURE, X__N };
static unsigned long expect[X__N];
static const char *expect_name(int i)
{
	return i == X_KEEPALIVE	    ? "keepalive"
	       : i == X_IKE	    ? "ike"
	       : i == X_ESP	    ? "esp"
	       : i == X_BAD_SESSION ? "bad_session"
	       : i == X_SN_FUTURE   ? "sn_future"
				    : eesp_err_name(i);
}

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "inject: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static size_t build_inner(uint8_t *p, uint32_t src, uint32_t dst, const char *tag, unsigned n)
{
	char payload[64];
	int pl = snprintf(payload, sizeof(payload), "eesp-inject %s %u", tag, n);
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
	eesp_put16(p + 22, 9); /* discard */
	eesp_put16(p + 24, (uint16_t)(8 + pl));
	memcpy(p + 28, payload, (size_t)pl);
	return len;
}

static struct eesp_keyset *keyset_from(const char *hexkey, unsigned gen)
{
	char buf[160];
	struct eesp_keyfile_error err;
	struct eesp_keyset *ks = eesp_keyset_new();
	int n;

	if (!ks)
		die("%s", "eesp_keyset_new failed");
	n = snprintf(buf, sizeof(buf), "domain 0 %u %s\n", gen, hexkey);
	if (eesp_keyfile_parse(ks, buf, (size_t)n, &err) != EESP_E_OK)
		die("key: %s", err.msg);
	return ks;
}

static void random_hex(char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", rnd() & 0xff);
}

int main(int argc, char **argv)
{
	const char *dst = NULL, *port = "4500", *hexkey = NULL;
	uint32_t spi = 0, node = 9, gen = 1, per_class = 2000, epoch = 0;
	uint32_t isrc = 0, idst = 0, ispoof = 0;
	/* the last of eespd's Session IDs (1..64, one per IV lane): receivers
	 * with replay windows refuse others (bad_session) */
	uint16_t session = EESP_IVGEN_LANES;
	bool only_valid = false, replay_on = true;
	uint32_t recv_node = 2, pol_lo = 1, pol_hi = 254;
	struct in_addr a;
	int opt;

	inet_pton(AF_INET, "192.0.2.9", &a);
	isrc = ntohl(a.s_addr);
	inet_pton(AF_INET, "192.0.2.2", &a);
	idst = ntohl(a.s_addr);
	inet_pton(AF_INET, "203.0.113.7", &a);
	ispoof = ntohl(a.s_addr);

	while ((opt = getopt(argc, argv, "d:p:s:k:g:n:S:D:X:c:Vr:N:R:E:Q")) != -1) {
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
		case 'r':
			recv_node = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'E':
			/* the SCTX epoch of every datagram (the receiver is taken
			 * to be at epoch 0 with window 2: |E| > 2 expects
			 * epoch_window) */
			epoch = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'N':
			if (sscanf(optarg, "%u-%u", &pol_lo, &pol_hi) != 2)
				die("bad node range %s", optarg);
			break;
		case 'R':
			rng_state = (uint32_t)strtoul(optarg, NULL, 0) | 1;
			break;
		case 'V':
			only_valid = true;
			break;
		case 'Q':
			/* the receiver runs without a replay window (replay = false) */
			replay_on = false;
			break;
		case 'c':
			per_class = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'S':
		case 'D':
		case 'X':
			if (inet_pton(AF_INET, optarg, &a) != 1)
				die("bad IPv4 address %s", optarg);
			*(opt == 'S' ? &isrc : opt == 'D' ? &idst : &ispoof) = ntohl(a.s_addr);
			break;
		default:
			fprintf(stderr,
				"usage: inject -d ADDR [-p PORT] -s SPI -k HEXROOT [-g GEN] "
				"[-n NODE] [-S SRC] [-D DST] [-X SPOOF] [-c PER_CLASS] [-V] [-r "
				"RECV_NODE] [-N LO-HI] [-R SEED] [-E EPOCH] [-Q]\n");
			return 2;
		}
	}
	if (!dst || !hexkey || !spi)
		die("%s", "need -d ADDR, -s SPI and -k HEXROOT");

	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST}, *ai;
	if (getaddrinfo(dst, port, &hints, &ai) != 0)
		die("bad destination %s", dst);
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));

	char wrong_hex[65];
	random_hex(wrong_hex);
	struct eesp_keyset *good = keyset_from(hexkey, gen);
	struct eesp_keyset *wrong = keyset_from(wrong_hex, gen);
	/* gen + 2: a phase the receiver (holding gen only) has no key for */
	struct eesp_keyset *other = keyset_from(hexkey, gen + 2);
	struct eesp_domain dom = {
	    .spi = spi, .keys = good, .epoch_window = 2, .self_node_id = recv_node};
	struct eesp_domain dom_wrong = dom, dom_other = dom;
	dom_wrong.keys = wrong;
	dom_other.keys = other;
	struct eesp_crypto *cr = eesp_crypto_new(64);
	if (!cr)
		die("%s", "eesp_crypto_new failed");

	/* SNs laid out as eespd's senders do (ivgen.h): the clock in the top
	 * 32 bits and the session's lane, so that a receiver's restart floor
	 * and future bound let them through; the low bits start from the
	 * nanoseconds, so runs within one second do not repeat each other */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	const uint64_t sn0 =
	    eesp_ivgen_clock((uint64_t)now.tv_sec, session - 1u) + (uint64_t)now.tv_nsec / 16;
	uint64_t sn = sn0;
	unsigned long total = 0;
	/* SNs the receiver has authenticated (sn0 .. sn0 + classes*per_class) */
	size_t sn_seen_len = (size_t)C__N * per_class + 2;
	uint8_t *sn_seen = calloc(sn_seen_len, 1);
	uint64_t sn_hwm = 0;
	if (!sn_seen)
		die("%s", "out of memory");
	for (int c = only_valid ? C_VALID : 0; c < (only_valid ? C__N : C_VALID); c++) {
		for (uint32_t n = 0; n < per_class; n++) {
			uint8_t inner[128], pkt[512], chk[512];
			size_t ilen, plen = 0, slen, ioff, ilen2;
			struct eesp_hdr_params hp = {
			    .session_id = session,
			    .spi = spi,
			    .sctx = {.profile = EESP_PROFILE_NODE,
				     .kdf = EESP_KDF_CMAC_AES256,
				     .suite = EESP_SUITE_AES_GCM_256,
				     .epoch = epoch,
				     .node_id = node},
			    .sn = sn++,
			};
			const struct eesp_domain *sd = &dom;
			unsigned phase_gen = gen;
			int want = EESP_E_OK, rc;

			if (c == C_FORGED)
				sd = &dom_wrong;
			if (c == C_WRONG_GEN) {
				sd = &dom_other;
				phase_gen = gen + 2;
			}
			hp.sctx.phase[0] = (uint8_t)(phase_gen % 4);
			ilen = build_inner(inner, c == C_SPOOFED ? ispoof : isrc, idst, cls_name[c],
					   n);
			rc = eesp_seal(cr, sd, &hp, inner, ilen, pkt, sizeof(pkt), &plen);
			if (rc != EESP_E_OK)
				die("eesp_seal: %s", eesp_err_name(rc));
			slen = plen;
			size_t hlen = eesp_header_len(&hp);

			if (c == C_MALFORMED) {
				struct eesp_view gv;
				size_t so;

				memcpy(chk, pkt, plen);
				if (eesp_parse(chk, plen, 0, &gv) != EESP_E_OK)
					die("%s", "a freshly sealed packet does not parse");
				so = gv.sctx_off; /* SCTX data; its Type byte is at so - 2 */
				switch (n % 9) {
				case 0:
					pkt[0] = 0x88;
					break; /* version 1 */
				case 1:
					pkt[0] |= 0x01;
					break; /* reserved bit */
				case 2:
					pkt[1] = 0xf8;
					break; /* Opt Len past end */
				case 3:
					pkt[so - 2] = 0xe1;
					break; /* no SCTX left */
				case 4:
					pkt[so] = 9;
					break; /* profile 9 */
				case 5:
					pkt[so + 1] = 0x72;
					break; /* KDF 7 */
				case 6:
					pkt[so + 1] = 0x19;
					break; /* suite 9 */
				case 7:
					pkt[so + 2] |= 0x01;
					break; /* SCTX reserved flag */
				case 8:
					memset(pkt + hlen - 8, 0, 8);
					break; /* SN 0 */
				}
			} else if (c == C_TRUNCATED) {
				/* cut inside the header or the ICV room: never a full packet */
				slen = 4 + rnd() % (hlen + EESP_ICV_LEN - 4);
			} else if (c == C_GARBAGE) {
				if (n % 2) {
					/* random bytes, random length 1..400 */
					slen = 1 + rnd() % 400;
					for (size_t b = 0; b < slen; b++)
						pkt[b] = (uint8_t)rnd();
				} else {
					/* a valid packet with 1-4 random bytes changed */
					garble_bytes(pkt, slen);
				}
			}

			/* expected verdict: the receive order of eespd (src/daemon/rx.c)
			 * with the receiver's view of the domain */
			memcpy(chk, pkt, slen);
			struct eesp_view v;
			switch (eesp_udp_classify(chk, slen)) {
			case EESP_UDP_KEEPALIVE:
				want = X_KEEPALIVE;
				break;
			case EESP_UDP_IKE:
				want = X_IKE;
				break;
			case EESP_UDP_ESP:
				want = X_ESP;
				break;
			case EESP_UDP_RUNT:
				want = EESP_E_TRUNCATED;
				break;
			case EESP_UDP_EESP:
				want = eesp_parse(chk, slen, 0, &v);
				if (want != EESP_E_OK)
					break;
				if (v.sctx.profile == EESP_PROFILE_SPI || v.spi != spi) {
					want = EESP_E_UNKNOWN_DOMAIN;
					break;
				}
				if (eesp_profile_has_node(v.sctx.profile) &&
				    (v.sctx.node_id < pol_lo || v.sctx.node_id > pol_hi)) {
					want = EESP_E_NODE_DENIED;
					break;
				}
				/* eespd's replay precheck (rx.c): a Session ID that
				 * is none of its senders', an SN from beyond now +
				 * clock_skew (the default, 60 s) */
				if (replay_on &&
				    (v.session_id == 0 || v.session_id > EESP_IVGEN_LANES)) {
					want = X_BAD_SESSION;
					break;
				}
				if (replay_on && (v.sn >> 32) > (uint64_t)time(NULL) + 60) {
					want = X_SN_FUTURE;
					break;
				}
				/* eespd's duplicate check before the AEAD: an SN this
				 * sender already authenticated is a replay, whatever
				 * the rest of the bytes (a garbage flip can land there) */
				if (replay_on && v.sctx.node_id == node &&
				    v.session_id == session && v.sn >= sn0 &&
				    v.sn - sn0 < sn_seen_len && sn_seen[v.sn - sn0] &&
				    sn_hwm - v.sn < EESP_REPLAY_SPAN /* else too old: ignored */) {
					want = EESP_E_REPLAY;
					break;
				}
				want = eesp_open(cr, &dom, 0, chk, slen, &v, &ioff, &ilen2);
				if (want == EESP_E_OK && c == C_SPOOFED)
					want = EESP_E_SPOOFED_SOURCE;
				if (want == EESP_E_OK && v.sn >= sn0 && v.sn - sn0 < sn_seen_len) {
					/* eespd records it after the source check */
					sn_seen[v.sn - sn0] = 1;
					if (v.sn > sn_hwm)
						sn_hwm = v.sn;
				}
				break;
			}
			if (c != C_GARBAGE && want >= EESP_E__COUNT)
				die("class %s: crafted datagram does not classify as EESP",
				    cls_name[c]);
			if (want == EESP_E_OK && c != C_VALID)
				die("class %s: a datagram would be accepted", cls_name[c]);
			if ((c == C_FORGED && want != EESP_E_AUTH) ||
			    (c == C_WRONG_GEN && want != EESP_E_UNKNOWN_GEN))
				fprintf(stderr, "inject: class %s verdict %s\n", cls_name[c],
					eesp_err_name(want));

			for (;;) {
				if (sendto(fd, pkt, slen, 0, ai->ai_addr, ai->ai_addrlen) ==
				    (ssize_t)slen)
					break;
				if (errno != ENOBUFS && errno != EAGAIN)
					die("sendto: %s", strerror(errno));
				usleep(1000);
			}
			sent[c]++;
			if (want != EESP_E_OK)
				expect[want]++;
			total++;
			/* pace: about 20 000 datagrams per second, well below what the
			 * receiver's socket buffer absorbs */
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
			printf("expect %s %lu\n", expect_name(e), expect[e]);
	printf("total %lu\n", total);
	free(sn_seen);
	eesp_crypto_free(cr);
	eesp_keyset_free(good);
	eesp_keyset_free(wrong);
	eesp_keyset_free(other);
	freeaddrinfo(ai);
	close(fd);
	return 0;
}
