// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ike_setups.c - bench_ike_setups: IKE SA setups per second against one
 * responder (eesp-iked or strongSwan), the same initiator for both.
 *
 *   bench_ike_setups LOCAL_IP REMOTE_IP PSK_FILE SECONDS WINDOW
 *
 * From LOCAL_IP:500 it keeps WINDOW setups in flight, each a full childless
 * IKE SA with PSK (aes256gcm16-prfsha256-x25519; IDi fqdn:init.example, IDr
 * fqdn:resp.example): IKE_SA_INIT with N(CHILDLESS_IKEV2_SUPPORTED),
 * IKE_AUTH, the responder's AUTH verified, then an INFORMATIONAL Delete of
 * the SA (answered before the slot is reused, so the responder holds at
 * most WINDOW SAs).  A setup counts when the responder's AUTH verifies.
 * A request unanswered for 1 s is sent again (3 times, then the slot is
 * abandoned and counted).  The first second is a warm-up, not counted.
 * Output: "setups N seconds S rate R failures F timeouts T all A cpu C",
 * A the setups with the warm-up, C this process's CPU seconds.
 * Built with src/ike only: the initiator's code is not eesp-iked's engine.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ike_crypto.h"
#include "ike_dh.h"
#include "ike_proto.h"
#include "ike_sa.h"
#include "ike_sk.h"
#include "ike_wire.h"

#define WIN_MAX 64
#define MSG_MAX 2048
static const char ID_I[] = "init.example", ID_R[] = "resp.example";
static const struct ike_suite SUITE = {.encr = IKE_ENCR_AES_GCM_16,
				       .encr_bits = 256,
				       .prf = IKE_PRF_HMAC_SHA2_256,
				       .ke = IKE_KE_X25519};

enum st { FREE, INIT, AUTH, DEL };
struct sess {
	enum st st;
	uint8_t spi_i[8], spi_r[8], ni[32], nr[256];
	size_t nr_len;
	struct ike_dh dh;
	uint8_t init_i[MSG_MAX], init_r[MSG_MAX], last[MSG_MAX];
	size_t init_i_len, init_r_len, last_len;
	struct ike_keys *k;
	struct ike_sk_cipher tx, rx;
	bool ciphers;
	uint64_t iv;
	int64_t due_ms;
	unsigned tries;
};

struct run {
	int fd;
	struct sockaddr_in peer;
	uint8_t psk[256];
	size_t psk_len;
	unsigned long setups, failures, timeouts, all; /* all: warm-up included */
	bool counting;
};

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void die(const char *m)
{
	fprintf(stderr, "bench_ike_setups: %s\n", m);
	exit(1);
}

static void send_last(struct run *r, struct sess *s)
{
	if (sendto(r->fd, s->last, s->last_len, 0, (struct sockaddr *)&r->peer, sizeof(r->peer)) <
	    0)
		perror("sendto");
	s->due_ms = now_ms() + 1000;
}

static void release(struct sess *s)
{
	if (s->ciphers) {
		ike_sk_cipher_free(&s->tx);
		ike_sk_cipher_free(&s->rx);
		s->ciphers = false;
	}
	ike_dh_free(&s->dh);
	s->st = FREE;
}

static void start(struct run *r, struct sess *s)
{
	struct ike_hdr h = {.exch_type = IKE_EXCH_SA_INIT, .flags = IKE_FLAG_I};
	struct ike_builder b;
	struct ike_proposal p;
	uint8_t ke[64];
	size_t kl, len;
	if (getrandom(s->spi_i, 8, 0) != 8 || getrandom(s->ni, 32, 0) != 32 ||
	    ike_dh_generate(&s->dh, IKE_KE_X25519) || ike_dh_public(&s->dh, ke, sizeof(ke), &kl))
		die("key exchange");
	memcpy(h.spi_i, s->spi_i, 8);
	ike_build_init(&b, s->last, MSG_MAX, &h);
	ike_proposal_init(&p, 1, IKE_PROTO_IKE, NULL, 0);
	ike_proposal_add(&p, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_proposal_add(&p, IKE_TT_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_proposal_add(&p, IKE_TT_KE, IKE_KE_X25519, 0);
	ike_put_sa(&b, &p, 1);
	ike_put_ke(&b, IKE_KE_X25519, ke, kl);
	ike_put_nonce(&b, s->ni, 32);
	ike_put_notify(&b, 0, NULL, 0, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL, 0);
	if (ike_build_finish(&b, &len))
		die("IKE_SA_INIT");
	memcpy(s->init_i, s->last, len);
	s->init_i_len = s->last_len = len;
	s->st = INIT;
	s->tries = 0;
	s->iv = 1;
	send_last(r, s);
}

static int seal(struct sess *s, uint8_t exch, uint32_t mid,
		void (*inner)(struct ike_builder *, const void *), const void *arg)
{
	struct ike_hdr h = {.exch_type = exch, .flags = IKE_FLAG_I, .msg_id = mid};
	struct ike_builder b;
	size_t sk;
	memcpy(h.spi_i, s->spi_i, 8);
	memcpy(h.spi_r, s->spi_r, 8);
	ike_build_init(&b, s->last, MSG_MAX, &h);
	sk = ike_sk_begin(&b);
	inner(&b, arg);
	return ike_sk_seal(&b, sk, &s->tx, &s->iv, &s->last_len);
}

static void auth_inner(struct ike_builder *b, const void *arg)
{
	const uint8_t *auth = arg;
	ike_put_id(b, IKE_PT_IDI, IKE_ID_FQDN, (const uint8_t *)ID_I, sizeof(ID_I) - 1);
	ike_put_id(b, IKE_PT_IDR, IKE_ID_FQDN, (const uint8_t *)ID_R, sizeof(ID_R) - 1);
	ike_put_auth(b, IKE_AUTH_PSK, auth, 32);
}

static void del_inner(struct ike_builder *b, const void *arg)
{
	(void)arg;
	ike_put_delete(b, IKE_PROTO_IKE, 0, NULL, 0);
}

static size_t id_body(const char *id, uint8_t *out)
{
	size_t n = strlen(id);
	out[0] = IKE_ID_FQDN;
	out[1] = out[2] = out[3] = 0;
	memcpy(out + 4, id, n);
	return 4 + n;
}

/* the IKE_SA_INIT response: keys, then our IKE_AUTH */
static int on_init(struct run *r, struct sess *s, const struct ike_msg *m)
{
	struct ike_ke ke = {0};
	const uint8_t *nr = NULL;
	uint8_t gir[64], seed[64], body[64], auth[64];
	size_t gl, nl = 0, bl;
	for (unsigned i = 0; i < m->outer.n; i++) {
		const struct ike_payload *p = &m->outer.pl[i];
		if (p->type == IKE_PT_KE && ike_ke_parse(p, &ke))
			return -1;
		if (p->type == IKE_PT_NONCE && ike_nonce_parse(p, &nr, &nl))
			return -1;
	}
	if (!nr || !ke.data || nl > sizeof(s->nr) || m->len > MSG_MAX)
		return -1;
	memcpy(s->spi_r, m->hdr.spi_r, 8);
	memcpy(s->nr, nr, nl);
	s->nr_len = nl;
	memcpy(s->init_r, m->raw, m->len);
	s->init_r_len = m->len;
	if (ike_dh_shared(&s->dh, ke.data, ke.len, gir, sizeof(gir), &gl) ||
	    ike_skeyseed(SUITE.prf, s->ni, 32, s->nr, nl, gir, gl, seed) ||
	    ike_derive_keys(&SUITE, seed, s->ni, 32, s->nr, nl, s->spi_i, s->spi_r, s->k) ||
	    ike_sk_cipher_init(&s->tx, SUITE.encr, s->k->ei, s->k->ek_len))
		return -1;
	if (ike_sk_cipher_init(&s->rx, SUITE.encr, s->k->er, s->k->ek_len)) {
		ike_sk_cipher_free(&s->tx);
		return -1;
	}
	s->ciphers = true;
	bl = id_body(ID_I, body);
	if (ike_psk_auth(SUITE.prf, r->psk, r->psk_len, s->init_i, s->init_i_len, s->nr, nl,
			 s->k->pi, s->k->prf_len, body, bl, auth) ||
	    seal(s, IKE_EXCH_AUTH, 1, auth_inner, auth))
		return -1;
	s->st = AUTH;
	s->tries = 0;
	send_last(r, s);
	return 0;
}

/* the IKE_AUTH response: the responder's AUTH, then our Delete */
static int on_auth(struct run *r, struct sess *s, const struct ike_msg *m)
{
	static uint8_t pt[MSG_MAX];
	struct ike_chain in;
	struct ike_auth a = {0};
	struct ike_id idr = {0};
	for (bool ok = ike_sk_open(&s->rx, m, pt, sizeof(pt), &in) == 0; ok; ok = false)
		for (unsigned i = 0; i < in.n; i++) {
			if (in.pl[i].type == IKE_PT_AUTH && ike_auth_parse(&in.pl[i], &a))
				return -1;
			if (in.pl[i].type == IKE_PT_IDR && ike_id_parse(&in.pl[i], &idr))
				return -1;
		}
	if (!a.data || !idr.body ||
	    ike_psk_auth_verify(SUITE.prf, r->psk, r->psk_len, s->init_r, s->init_r_len, s->ni, 32,
				s->k->pr, s->k->prf_len, idr.body, idr.body_len, a.data, a.len))
		return -1;
	r->all++;
	if (r->counting)
		r->setups++;
	if (seal(s, IKE_EXCH_INFORMATIONAL, 2, del_inner, NULL))
		return -1;
	s->st = DEL;
	s->tries = 0;
	send_last(r, s);
	return 0;
}

static struct sess *find(struct sess *w, unsigned n, const struct ike_hdr *h)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].st != FREE && !memcmp(w[i].spi_i, h->spi_i, 8))
			return &w[i];
	return NULL;
}

static void on_datagram(struct run *r, struct sess *w, unsigned n, const uint8_t *buf, size_t len)
{
	struct ike_msg m;
	struct sess *s;
	uint32_t want;
	int rc = 0;
	if (ike_msg_parse(buf, len, &m) || !(m.hdr.flags & IKE_FLAG_R) || !(s = find(w, n, &m.hdr)))
		return;
	want = s->st == INIT ? 0 : s->st == AUTH ? 1 : 2;
	if (m.hdr.msg_id != want)
		return;
	if (s->st == INIT)
		rc = on_init(r, s, &m);
	else if (s->st == AUTH)
		rc = on_auth(r, s, &m);
	else
		release(s); /* the Delete was answered */
	if (rc) {
		if (r->counting)
			r->failures++;
		release(s);
	}
}

static void timers(struct run *r, struct sess *w, unsigned n)
{
	int64_t t = now_ms();
	for (unsigned i = 0; i < n; i++) {
		if (w[i].st == FREE || w[i].due_ms > t)
			continue;
		if (++w[i].tries > 3) {
			if (r->counting)
				r->timeouts++;
			release(&w[i]);
			continue;
		}
		send_last(r, &w[i]);
	}
}

static void read_psk(struct run *r, const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, r->psk, sizeof(r->psk));
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		die("cannot read the PSK file");
	while (n > 0 && (r->psk[n - 1] == '\n' || r->psk[n - 1] == '\r'))
		n--;
	r->psk_len = (size_t)n;
}

int main(int argc, char **argv)
{
	static struct sess w[WIN_MAX];
	struct run r = {0};
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_port = htons(500)};
	unsigned long secs, win;
	int64_t t_end, t_count;
	uint8_t buf[MSG_MAX + 1];
	struct rusage ru;
	if (argc != 6)
		die("usage: bench_ike_setups LOCAL_IP REMOTE_IP PSK_FILE SECONDS WINDOW");
	secs = strtoul(argv[4], NULL, 10);
	win = strtoul(argv[5], NULL, 10);
	r.peer = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons(500)};
	if (inet_pton(AF_INET, argv[1], &me.sin_addr) != 1 ||
	    inet_pton(AF_INET, argv[2], &r.peer.sin_addr) != 1 || !secs || secs > 600 || !win ||
	    win > WIN_MAX)
		die("bad arguments");
	read_psk(&r, argv[3]);
	r.fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (r.fd < 0 || bind(r.fd, (struct sockaddr *)&me, sizeof(me)))
		die("cannot bind UDP 500");
	for (unsigned i = 0; i < win; i++)
		if (!(w[i].k = ike_keys_new()))
			die("no memory");
	t_count = now_ms() + 1000;
	t_end = t_count + (int64_t)secs * 1000;
	for (int64_t t = now_ms(); t < t_end; t = now_ms()) {
		struct pollfd pf = {.fd = r.fd, .events = POLLIN};
		r.counting = t >= t_count;
		for (unsigned i = 0; i < win; i++)
			if (w[i].st == FREE)
				start(&r, &w[i]);
		if (poll(&pf, 1, 50) > 0)
			for (int k = 0; k < 64; k++) {
				ssize_t n = recv(r.fd, buf, sizeof(buf), MSG_DONTWAIT);
				if (n <= 0)
					break;
				on_datagram(&r, w, (unsigned)win, buf, (size_t)n);
			}
		timers(&r, w, (unsigned)win);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("setups %lu seconds %lu rate %.1f failures %lu timeouts %lu all %lu cpu %.3f\n",
	       r.setups, secs, (double)r.setups / (double)secs, r.failures, r.timeouts, r.all,
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
}
