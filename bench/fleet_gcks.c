// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fleet_gcks.c - the domain key server with a simulated fleet: one key
 * server engine (src/iked, as eesp-iked runs it) and N member engines in
 * one process, multiplexed over an in-memory network (no UDP, no
 * authenticating process: AUTH is computed in-process from each member's
 * own PSK), each member's eespd a stub that notes when root-set arrives.
 *
 *   fleet_gcks N [ROTATIONS]
 *
 * Reports: the time for all N to register; for each rotation (a switch:
 * the ring has a next generation) the time until 99 % and 100 % of the
 * members hold the new current generation, and the server's CPU for it;
 * the server's heap growth per registered member (malloc only: the locked
 * key memory of each IKE SA, a page-rounded secure allocation, is
 * reported apart); the configuration's bytes per member.
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "conf.h"
#include "engine.h"
#include "ike_crypto.h"
#include "keys.h"
#include "log.h"
#include "psk.h"
#include "sa.h"

#define DOMAIN_ID 0xc0ffee01u

struct node {
	int id; /* 0 the server, 1..N members */
	struct iked_conf conf;
	struct iked_engine *e;
	struct iked_addr addr;
	uint32_t cur_gen; /* members: current generation last installed */
	double got_ms;	  /* members: when it arrived */
};

struct pkt {
	int to;
	struct iked_addr from, local;
	size_t len;
	uint8_t *buf;
};

static struct node *nodes;
static int n_nodes;
static struct pkt *q;
static size_t nq, qcap, qhead;
static long long server_heap;	 /* net malloc growth inside server calls */
static double server_cpu;	 /* CPU ms spent inside server calls */
static bool measure_heap = true; /* mallinfo2 costs O(heap): registration only */

static double thread_cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double now_real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long long heap_now(void)
{
	if (!measure_heap)
		return 0;
	struct mallinfo2 mi = mallinfo2();
	return (long long)mi.uordblks;
}

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	       ru.ru_stime.tv_usec / 1e3;
}

/* 2001:db8:f::<id+1> */
static void addr_of(struct iked_addr *a, int id)
{
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&a->ss;
	memset(a, 0, sizeof(*a));
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(500);
	inet_pton(AF_INET6, "2001:db8:f::", &s->sin6_addr);
	s->sin6_addr.s6_addr[14] = (uint8_t)((id + 1) >> 8);
	s->sin6_addr.s6_addr[15] = (uint8_t)(id + 1);
	a->len = sizeof(*s);
}

static int id_of(const struct iked_addr *a)
{
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&a->ss;
	return (s->sin6_addr.s6_addr[14] << 8 | s->sin6_addr.s6_addr[15]) - 1;
}

static int io_send(void *arg, const struct iked_addr *local, const struct iked_addr *remote,
		   const uint8_t *buf, size_t len)
{
	struct node *n = arg;
	(void)local;
	if (nq == qcap) {
		qcap = qcap ? 2 * qcap : 4096;
		q = realloc(q, qcap * sizeof(*q));
		if (!q)
			abort();
	}
	struct pkt *p = &q[nq++];
	p->to = id_of(remote);
	p->from = n->addr;
	p->local = *remote;
	p->len = len;
	p->buf = malloc(len);
	memcpy(p->buf, buf, len);
	return 0;
}

static int io_local_for(void *arg, const struct iked_addr *remote, struct iked_addr *local)
{
	(void)remote;
	*local = ((struct node *)arg)->addr;
	return 0;
}

static int64_t io_now(void *arg)
{
	(void)arg;
	return (int64_t)now_real_ms();
}

static int io_random(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

static int io_auth(void *arg, unsigned peer, uint16_t prf, const uint8_t *msg, size_t msg_len,
		   const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p, size_t sk_p_len,
		   const uint8_t *id_body, size_t id_len, uint8_t *out)
{
	struct node *n = arg;
	const struct iked_psk *k = &n->conf.peers[peer].psk;
	return ike_psk_auth(prf, k->key, k->len, msg, msg_len, nonce, nonce_len, sk_p, sk_p_len,
			    id_body, id_len, out)
		   ? -1
		   : 0;
}

/* the member's eespd: root-set noted, "ok" */
static int io_eespd(void *arg, const char *sock, const char *line, size_t n, char **body, char *err,
		    size_t err_len)
{
	struct node *m = arg;
	unsigned g;
	const char *c = strstr(line, " cur=");
	(void)sock, (void)n, (void)err, (void)err_len;
	*body = calloc(1, 1);
	if (c && sscanf(c, " cur=%u:", &g) == 1 && g != m->cur_gen) {
		m->cur_gen = g;
		m->got_ms = now_real_ms();
	}
	return 0;
}

static int user_ids(void *arg, const char *name, uid_t *uid, gid_t *gid)
{
	(void)arg, (void)name;
	*uid = 1000;
	*gid = 1000;
	return 0;
}

static int load_psk(void *arg, const char *path, uid_t uid, struct iked_psk *psk, char *err,
		    size_t err_len)
{
	const char *t = strstr(path, "text:");
	(void)arg, (void)uid;
	return t ? psk_parse(t + 5, strlen(t + 5), psk, err, err_len) : -1;
}

static const struct iked_conf_env env = {.user_ids = user_ids, .load_psk = load_psk};

static void addr_text(int id, char *out, size_t cap)
{
	struct iked_addr a;
	addr_of(&a, id);
	inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&a.ss)->sin6_addr, out, (socklen_t)cap);
}

static void configure(struct node *n, int members)
{
	size_t cap = 4096 + (size_t)members * 320, at = 0;
	char *t = malloc(cap), a[64], err[512];
	addr_text(n->id, a, sizeof(a));
	at += (size_t)snprintf(t + at, cap - at,
			       "daemon: { user = \"bench\"; listen = [ \"%s\" ]; };\n"
			       "ike: { local_id = \"fqdn:n%d.example\"; dpd_interval = 0; "
			       "rekey_time = 0; retransmit_timeout = 2000; retransmit_tries = 8; "
			       "half_open_max = %d; cookie_threshold = %d; };\n",
			       a, n->id, members + 16, members + 16);
	if (n->id == 0) {
		at += (size_t)snprintf(t + at, cap - at,
				       "gcks: { key_file = \"/k\"; state_file = \"/s\"; domain = "
				       "0x%08x; grace = 1; };\n"
				       "peers = (\n",
				       DOMAIN_ID);
		for (int i = 1; i <= members; i++) {
			addr_text(i, a, sizeof(a));
			at += (size_t)snprintf(t + at, cap - at,
					       "%s{ name = \"m%d\"; address = \"%s\"; remote_id = "
					       "\"fqdn:n%d.example\"; "
					       "psk_file = \"/x/text:fleet-member-psk-%08d\"; "
					       "member = { domain = true; "
					       "}; }\n",
					       i > 1 ? "," : "", i, a, i, i);
		}
		at += (size_t)snprintf(t + at, cap - at, ");\n");
	} else {
		addr_text(0, a, sizeof(a));
		at += (size_t)snprintf(
		    t + at, cap - at,
		    "peers = ( { name = \"gcks\"; address = \"%s\"; remote_id = "
		    "\"fqdn:n0.example\"; "
		    "psk_file = \"/x/text:fleet-member-psk-%08d\"; initiate = true; "
		    "key_server = { domain = 0x%08x; eespd_socket = \"/stub\"; }; } );\n",
		    a, n->id, DOMAIN_ID);
	}
	if (iked_conf_parse("/bench/eesp-iked.conf", t, &env, &n->conf, err, sizeof(err))) {
		fprintf(stderr, "fleet_gcks: node %d: %s\n", n->id, err);
		exit(1);
	}
	free(t);
}

static void deliver_all(void)
{
	while (qhead < nq) {
		struct pkt p = q[qhead++];
		if (p.to >= 0 && p.to < n_nodes) {
			long long h = p.to == 0 ? heap_now() : 0;
			double c = p.to == 0 ? thread_cpu_ms() : 0;
			engine_input(nodes[p.to].e, &p.local, &p.from, p.buf, p.len);
			if (p.to == 0) {
				server_heap += heap_now() - h;
				server_cpu += thread_cpu_ms() - c;
			}
		}
		free(p.buf);
	}
	nq = qhead = 0;
}

static void tick_all(void)
{
	int64_t t = (int64_t)now_real_ms();
	for (int i = 0; i < n_nodes; i++)
		if (engine_next_ms(nodes[i].e) <= t) {
			long long h = i == 0 ? heap_now() : 0;
			double c = i == 0 ? thread_cpu_ms() : 0;
			engine_tick(nodes[i].e);
			if (i == 0) {
				server_heap += heap_now() - h;
				server_cpu += thread_cpu_ms() - c;
			}
		}
}

static int count_joined(int members)
{
	int n = 0;
	for (int i = 1; i <= members; i++)
		n += nodes[i].e->peers[0].gk.joined;
	return n;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int members = argc > 1 ? atoi(argv[1]) : 100, rotations = argc > 2 ? atoi(argv[2]) : 3;
	char err[256];
	if (members < 1 || members > IKED_MAX_PEERS || rotations < 1) {
		fprintf(stderr, "usage: fleet_gcks N (1..%d) [ROTATIONS]\n", IKED_MAX_PEERS);
		return 2;
	}
	log_open("fleet_gcks", true, getenv("FLEET_LOG") ? LOG_LVL_INFO : LOG_LVL_ERROR);
	n_nodes = members + 1;
	nodes = calloc((size_t)n_nodes, sizeof(*nodes));
	for (int i = 0; i < n_nodes; i++) {
		struct node *n = &nodes[i];
		struct iked_io io = {.arg = n,
				     .send = io_send,
				     .local_for = io_local_for,
				     .now_ms = io_now,
				     .random = io_random,
				     .auth = io_auth,
				     .eespd = i ? io_eespd : NULL};
		n->id = i;
		addr_of(&n->addr, i);
		configure(n, members);
		long long h = heap_now();
		n->e = engine_new(&n->conf, &io);
		if (!n->e)
			return 1;
		if (i == 0) {
			struct eesp_keyset *ks = eesp_keyset_new();
			struct eesp_keyfile_error ke;
			char text[512], k1[65], k2[65];
			uint8_t r[32];
			for (int s = 0; s < 2; s++) {
				RAND_bytes(r, 32);
				for (int b = 0; b < 32; b++)
					snprintf((s ? k2 : k1) + 2 * b, 3, "%02x", r[b]);
			}
			snprintf(text, sizeof(text),
				 "domain 0x%08x\ndomain 0 1 %s\ndomain 0 2 %s next\n", DOMAIN_ID,
				 k1, k2);
			if (!ks || eesp_keyfile_parse(ks, text, strlen(text), &ke) ||
			    gcks_attach(n->e, ks, err, sizeof(err))) {
				fprintf(stderr, "fleet_gcks: the server's keys: %s %s\n", ke.msg,
					err);
				return 1;
			}
			eesp_keyset_free(ks);
			server_heap = heap_now() - h; /* the engine itself, with N peer states */
		}
	}
	long long server_base = server_heap;
	double t0 = now_real_ms(), c0 = cpu_ms();
	/* registration: every member initiates at its first tick */
	while (count_joined(members) < members && now_real_ms() - t0 < 120000) {
		tick_all();
		deliver_all();
	}
	double t_reg = now_real_ms() - t0, c_reg = cpu_ms() - c0;
	int joined = count_joined(members);
	long long per_member = (server_heap - server_base) / members;
	measure_heap = false;
	size_t conf_per = sizeof(struct iked_peer) + sizeof(struct peer_state);
	printf("members %d registered %d in %.1f ms (process CPU %.1f ms, all %d engines)\n",
	       members, joined, t_reg, c_reg, n_nodes);
	printf("server heap: engine %lld B, +%lld B per registered member (IKE SA, response "
	       "cache, request); config %zu B per member; locked key memory: one "
	       "secure allocation per IKE SA\n",
	       server_base, per_member, conf_per);
	double *lat = malloc((size_t)members * sizeof(double));
	for (int r = 0; r < rotations; r++) {
		unsigned want = nodes[1].cur_gen + 1;
		double s0 = now_real_ms(), sc0 = cpu_ms(), srv0 = server_cpu, rc0 = thread_cpu_ms();
		int rrc = gcks_rotate(nodes[0].e, 0, 0, err, sizeof(err));
		server_cpu += thread_cpu_ms() - rc0; /* the pushes are built and sealed here */
		if (rrc) {
			/* a retire is pending or a switch waits: let it finish */
			while (gcks_due_ms(nodes[0].e) && now_real_ms() - s0 < 30000) {
				tick_all();
				deliver_all();
			}
			r--;
			continue;
		}
		double tr = 0;
		int got = 0;
		while (now_real_ms() - s0 < 30000) {
			deliver_all();
			got = 0;
			for (int i = 1; i <= members; i++)
				got += nodes[i].cur_gen >= want;
			if (got == members)
				break;
			tick_all();
		}
		/* and the members' answers back at the server */
		double wa = now_real_ms();
		while (now_real_ms() - wa < 5000) {
			int acked = 0;
			deliver_all();
			for (int i = 1; i <= members; i++)
				acked += nodes[0].e->peers[i - 1].gk.acked >=
					 nodes[0].e->peers[i - 1].gk.sent;
			if (acked == members)
				break;
			tick_all();
		}
		tr = now_real_ms() - s0;
		double cpu = cpu_ms() - sc0, scpu = server_cpu - srv0;
		int k = 0;
		for (int i = 1; i <= members; i++)
			if (nodes[i].cur_gen >= want)
				lat[k++] = nodes[i].got_ms - s0;
		qsort(lat, (size_t)k, sizeof(double), cmp_d);
		int i99 = (int)(0.99 * members + 0.999999) - 1;
		printf(
		    "rotation %d: generation %u at %d/%d members; 99%% %.1f ms, 100%% %.1f ms, all "
		    "answers back %.1f ms; server CPU %.1f ms (%.1f us per member), process CPU "
		    "%.1f ms\n",
		    r + 1, want, k, members, i99 < k ? lat[i99] : -1.0,
		    k == members ? lat[k - 1] : -1.0, tr, scpu, 1e3 * scpu / members, cpu);
		/* the retire after the grace: let it pass before the next switch */
		double w0 = now_real_ms();
		while (gcks_due_ms(nodes[0].e) && now_real_ms() - w0 < 10000) {
			tick_all();
			deliver_all();
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
		}
		deliver_all();
	}
	free(lat);
	for (int i = 0; i < n_nodes; i++) {
		engine_free(nodes[i].e);
		iked_conf_free(&nodes[i].conf);
	}
	free(nodes);
	free(q);
	return 0;
}
