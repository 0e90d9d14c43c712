/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_iked.c - libFuzzer harness for eesp-iked's engine (src/iked).
 *
 * Two engines, gw1 (initiator) and gw2 (responder), are wired to each
 * other in memory once, and bring up an IKE SA.  Each input is then one
 * datagram thrown at one of them; its first octet says how:
 *   bit 0     at gw1 (0) or gw2 (1)
 *   bits 1-2  0: as it is, from the peer's address
 *             1: its header made that of the established SA (SPIs, the
 *                flags of a request or response of the peer), so that the
 *                Message-ID window and the SK payload are reached
 *             2: from an address no peer has
 *             3: as 1, with the MID of the request the engine expects next
 *   bits 3-7  how far (in 100 ms steps) the clock moves before the timers
 * Whatever the engines answer is delivered to the other one.
 * Invariant: no input without the keys changes the established SA: both
 * engines still have it, established, with the same SPIs (no DPD and no
 * rekey are configured), and the table stays within its bounds.
 */
#include <arpa/inet.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "engine.h"
#include "ike_crypto.h"
#include "log.h"
#include "psk.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

#define MAXQ 64

struct pkt {
	int to;
	uint8_t buf[IKE_MSG_MAX];
	size_t len;
	struct iked_addr from;
};

static struct {
	int64_t now;
	struct iked_conf conf[2];
	struct iked_engine *e[2];
	struct iked_addr addr[2];
	struct pkt q[MAXQ];
	unsigned nq;
	uint8_t spi_i[8], spi_r[8];
	int id[2];
} W;

static int f_send(void *arg, const struct iked_addr *l, const struct iked_addr *r, const uint8_t *b,
		  size_t n)
{
	int id = *(int *)arg;
	(void)l;
	(void)r;
	if (W.nq >= MAXQ || n > IKE_MSG_MAX)
		return -1;
	W.q[W.nq].to = 1 - id;
	memcpy(W.q[W.nq].buf, b, n);
	W.q[W.nq].len = n;
	W.q[W.nq].from = W.addr[id];
	W.nq++;
	return 0;
}

static int64_t f_now(void *arg)
{
	(void)arg;
	return W.now;
}

static int f_random(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

static int f_local(void *arg, const struct iked_addr *r, struct iked_addr *l)
{
	(void)r;
	*l = W.addr[*(int *)arg];
	return 0;
}

static int f_auth(void *arg, unsigned peer, uint16_t prf, const uint8_t *m, size_t ml,
		  const uint8_t *n, size_t nl, const uint8_t *k, size_t kl, const uint8_t *id,
		  size_t il, uint8_t *out)
{
	const struct iked_psk *p = &W.conf[*(int *)arg].peers[peer].psk;
	return ike_psk_auth(prf, p->key, p->len, m, ml, n, nl, k, kl, id, il, out) ? -1 : 0;
}

static int f_user(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
	(void)arg;
	(void)name;
	*uid = 1000;
	*gid = 1000;
	return 0;
}

static int f_psk(void *arg, const char *path, uid_t uid, struct iked_psk *psk, char *err, size_t el)
{
	(void)arg;
	(void)path;
	(void)uid;
	return psk_parse("fuzz-psk-0123456789abcdef", 25, psk, err, el);
}

static void deliver(void)
{
	for (unsigned guard = 0; W.nq && guard < 256; guard++) {
		static struct pkt p;
		p = W.q[0];
		memmove(&W.q[0], &W.q[1], (W.nq - 1) * sizeof(W.q[0]));
		W.nq--;
		engine_input(W.e[p.to], &W.addr[p.to], &p.from, p.buf, p.len);
	}
	W.nq = 0;
}

static struct ike_sa *established(int i)
{
	struct ike_sa *sa, *found = NULL;
	unsigned n = 0;
	for (unsigned k = 0; (sa = sa_next(&W.e[i]->sas, &k));)
		if (sa->state == SA_ESTABLISHED) {
			found = sa;
			n++;
		}
	return n == 1 ? found : NULL;
}

static void setup(void)
{
	static const struct iked_conf_env env = {.user_ids = f_user, .load_psk = f_psk};
	char text[1024], err[512];
	log_open("fuzz_iked", true, LOG_LVL_ERROR);
	W.now = 1000000;
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in *s = (struct sockaddr_in *)&W.addr[i].ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(500);
		s->sin_addr.s_addr = htonl(0xC6336401u + (uint32_t)i);
		W.addr[i].len = sizeof(*s);
		snprintf(text, sizeof(text),
			 "daemon: { user = \"f\"; listen = [ \"198.51.100.%d\" ]; };\n"
			 "ike: { local_id = \"gw%d.example\"; dpd_interval = 0; rekey_time = 0;\n"
			 "  half_open_max = 16; cookie_threshold = 8; half_open_timeout = 2; };\n"
			 "peers = ( { name = \"p\"; address = \"198.51.100.%d\"; remote_id = "
			 "\"gw%d.example\"; psk_file = \"k\"; initiate = %s; } );\n",
			 i + 1, i + 1, 2 - i, 2 - i, i ? "false" : "true");
		CHECK(iked_conf_parse("/fuzz.conf", text, &env, &W.conf[i], err, sizeof(err)) == 0);
	}
	for (int i = 0; i < 2; i++) {
		W.id[i] = i;
		struct iked_io io = {.arg = &W.id[i],
				     .send = f_send,
				     .local_for = f_local,
				     .now_ms = f_now,
				     .random = f_random,
				     .auth = f_auth};
		W.e[i] = engine_new(&W.conf[i], &io);
		CHECK(W.e[i]);
	}
	for (int k = 0; k < 8 && !(established(0) && established(1)); k++) {
		engine_tick(W.e[0]);
		engine_tick(W.e[1]);
		deliver();
	}
	CHECK(established(0) && established(1));
	memcpy(W.spi_i, established(0)->spi_i, 8);
	memcpy(W.spi_r, established(0)->spi_r, 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[IKE_MSG_MAX + 64];
	static int ready;
	struct iked_addr from;
	struct ike_sa *sa;
	int to, mode;
	size_t n;
	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	to = data[0] & 1;
	mode = (data[0] >> 1) & 3;
	n = size - 1 < sizeof(buf) ? size - 1 : sizeof(buf);
	memcpy(buf, data + 1, n);
	from = W.addr[1 - to];
	sa = established(to);
	CHECK(sa);
	if ((mode == 1 || mode == 3) && n >= 28) {
		/* the SA's header: the peer's request (I flag when the peer
		 * is the original initiator) or response */
		memcpy(buf, W.spi_i, 8);
		memcpy(buf + 8, W.spi_r, 8);
		buf[17] = 0x20;
		buf[19] = (uint8_t)((buf[19] & IKE_FLAG_R) | (sa->initiator ? 0 : IKE_FLAG_I));
		if (mode == 3)
			ike_put32(buf + 20, sa->peer_mid);
		ike_put32(buf + 24, (uint32_t)n);
	}
	if (mode == 2) {
		struct sockaddr_in *s = (struct sockaddr_in *)&from.ss;
		s->sin_addr.s_addr = htonl(0xCB007107u); /* 203.0.113.7 */
	}
	engine_input(W.e[to], &W.addr[to], &from, buf, n);
	deliver();
	W.now += (int64_t)(data[0] >> 3) * 100;
	engine_tick(W.e[0]);
	engine_tick(W.e[1]);
	deliver();
	/* the SA is untouched */
	for (int i = 0; i < 2; i++) {
		struct ike_sa *e = established(i);
		CHECK(e);
		CHECK(!memcmp(e->spi_i, W.spi_i, 8) && !memcmp(e->spi_r, W.spi_r, 8));
		CHECK(W.e[i]->sas.half_open <= W.conf[i].half_open_max);
		CHECK(W.e[i]->sas.n <= W.conf[i].half_open_max + 2 * W.conf[i].sas_per_peer);
	}
	return 0;
}
