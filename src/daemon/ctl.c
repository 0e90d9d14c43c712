// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctl.c - the daemon side of the control protocol (src/core/ctlproto.h):
 * one request line per connection, reply "ok" or "error <message>" then the
 * body (text, or one JSON object with "json").  Served by the main thread.
 * The socket is set up in ctlsock.c; each connection's credentials decide
 * which verbs it may use (ctlauth.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "ctlauth.h"
#include "ctlproto.h"
#include "eespd.h"
#include "kdf.h"
#include "spistate.h"
#include "strbuf.h"

/* ------------------------------------------------------------ helpers -- */

static void sum_counters(uint64_t *tot)
{
	memset(tot, 0, sizeof(uint64_t) * CNT__COUNT);
	for (unsigned w = 0; w < g_d.n_workers; w++) {
		const uint64_t *c = worker_counters(g_d.w[w]);
		for (unsigned i = 1; i < CNT__COUNT; i++)
			tot[i] += __atomic_load_n(&c[i], __ATOMIC_RELAXED);
	}
}

static uint64_t drops_of(const uint64_t *tot)
{
	uint64_t d = 0;
	for (unsigned i = 1; i < CNT__COUNT; i++)
		if (counter_is_drop(i))
			d += tot[i];
	return d;
}

static const char *profile_name(unsigned p)
{
	switch (p) {
	case EESP_PROFILE_SPI:
		return "spi";
	case EESP_PROFILE_NODE:
		return "node";
	case EESP_PROFILE_PAIR:
		return "pair";
	case EESP_PROFILE_TENANT:
		return "tenant";
	}
	return "?";
}

static const char *level_name(unsigned l)
{
	return l == EESP_LEVEL_DOMAIN ? "domain" : l == EESP_LEVEL_TENANT ? "tenant" : "group";
}

/* Proxy role (issue 6): "proxy":[{"from":"a","to":"b","packets":N,"bytes":N},...]
 * for every ordered pair of domains, summed over the workers. */
static void proxy_pairs(struct strbuf *b)
{
	const struct cfg *c = atomic_load(&g_cfg);
	bool first = true;
	strbuf_printf(b, ",\"proxy\":[");
	for (unsigned f = 0; c && f < c->n_doms; f++)
		for (unsigned t = 0; t < c->n_doms; t++) {
			uint64_t n[2] = {0, 0};
			if (f == t)
				continue;
			for (unsigned w = 0; w < g_d.n_workers; w++)
				for (unsigned k = 0; k < 2; k++)
					n[k] += worker_proxy_counter(g_d.w[w], f, t, k);
			strbuf_printf(b,
				      "%s{\"from\":\"%s\",\"to\":\"%s\",\"packets\":%" PRIu64
				      ",\"bytes\":%" PRIu64 "}",
				      first ? "" : ",", c->doms[f]->dom_name, c->doms[t]->dom_name,
				      n[0], n[1]);
			first = false;
		}
	strbuf_printf(b, "]");
}

static const char *onoff(bool b)
{
	return b ? "on" : "off";
}

static const char *truefalse(bool b)
{
	return b ? "true" : "false";
}

static void counters_body(struct strbuf *b, bool json, const uint64_t *tot, bool per_worker)
{
	if (!json) {
		for (unsigned i = 1; i < CNT__COUNT; i++)
			strbuf_printf(b, "%s %" PRIu64 "\n", counter_name(i), tot[i]);
		return;
	}
	strbuf_printf(b, "\"counters\":{");
	for (unsigned i = 1; i < CNT__COUNT; i++)
		strbuf_printf(b, "%s\"%s\":%" PRIu64, i > 1 ? "," : "", counter_name(i), tot[i]);
	strbuf_printf(b, "}");
	proxy_pairs(b);
	if (!per_worker)
		return;
	strbuf_printf(b, ",\"workers\":[");
	for (unsigned w = 0; w < g_d.n_workers; w++) {
		const uint64_t *c = worker_counters(g_d.w[w]);
		strbuf_printf(b,
			      "%s{\"worker\":%u,\"session_id\":%u,\"config_serial\":%" PRIu64
			      ",\"tun_multishot\":%s",
			      w ? "," : "", w, w + 1, worker_cfg_serial(g_d.w[w]),
			      truefalse(worker_uses_multishot(g_d.w[w])));
		for (unsigned i = 1; i < CNT__COUNT; i++)
			strbuf_printf(b, ",\"%s\":%" PRIu64, counter_name(i),
				      __atomic_load_n(&c[i], __ATOMIC_RELAXED));
		strbuf_printf(b, "}");
	}
	strbuf_printf(b, "]");
}

static void ring_keys(struct strbuf *b, bool json, bool *first, unsigned level,
		      const struct eesp_ring *r)
{
	static const char *slots[] = {"previous", "current", "next"};
	for (unsigned s = 0; s < EESP_GENS; s++) {
		char fp[17];
		if (!r->gen[s].present)
			continue;
		eesp_key_fingerprint(r->gen[s].key, EESP_ROOT_KEY_LEN, fp);
		if (json)
			strbuf_printf(
			    b,
			    "%s{\"level\":\"%s\",\"id\":%u,\"slot\":\"%s\",\"generation\":%u,"
			    "\"phase\":%u,\"fingerprint\":\"%s\"}",
			    *first ? "" : ",", level_name(level), r->id, slots[s],
			    r->gen[s].generation, r->gen[s].generation % 4, fp);
		else
			strbuf_printf(
			    b, "key level %s id %u slot %s generation %u phase %u fingerprint %s\n",
			    level_name(level), r->id, slots[s], r->gen[s].generation,
			    r->gen[s].generation % 4, fp);
		*first = false;
	}
}

static void keys_body(struct strbuf *b, bool json, const struct cfg *c)
{
	bool first = true;
	const struct eesp_keyset *ks = c->keys;
	if (json)
		strbuf_printf(b, "\"keys\":[");
	if (ks && c->mode == MODE_EESP) {
		ring_keys(b, json, &first, EESP_LEVEL_DOMAIN, &ks->domain);
		for (unsigned i = 0; i < ks->n_tenants; i++)
			ring_keys(b, json, &first, EESP_LEVEL_TENANT, &ks->tenant[i]);
		for (unsigned i = 0; i < ks->n_groups; i++)
			ring_keys(b, json, &first, EESP_LEVEL_GROUP, &ks->group[i]);
	}
	for (unsigned m = 0; ks && m < 2; m++) {
		char fp[17];
		if (!ks->has_psp[m])
			continue;
		eesp_key_fingerprint(ks->psp_master[m], PSP_MASTER_KEY_LEN, fp);
		if (json)
			strbuf_printf(b, "%s{\"level\":\"psp\",\"id\":%u,\"fingerprint\":\"%s\"}",
				      first ? "" : ",", m, fp);
		else
			strbuf_printf(b, "key level psp id %u fingerprint %s\n", m, fp);
		first = false;
	}
	for (unsigned i = 0; i < c->n_sa; i++) {
		char fp[17];
		eesp_key_fingerprint(c->sa[i].key, c->sa[i].key_len, fp);
		if (json)
			strbuf_printf(b,
				      "%s{\"level\":\"sa\",\"kind\":\"%s\",\"spi\":\"0x%08x\","
				      "\"fingerprint\":\"%s\"}",
				      first ? "" : ",", c->sa[i].psp ? "psp" : "eesp", c->sa[i].spi,
				      fp);
		else
			strbuf_printf(b, "key level sa kind %s spi 0x%08x fingerprint %s\n",
				      c->sa[i].psp ? "psp" : "eesp", c->sa[i].spi, fp);
		first = false;
	}
	if (json)
		strbuf_printf(b, "]");
}

static void status_body(struct strbuf *b, bool json, const struct cfg *c)
{
	uint64_t tot[CNT__COUNT];
	sum_counters(tot);
	long up = (long)(time(NULL) - g_d.started);
	if (json) {
		strbuf_printf(
		    b, "{\"version\":\"%s\",\"pid\":%d,\"uid\":%u,\"mode\":\"%s\",\"interface\":",
		    EESPD_VERSION, (int)getpid(), (unsigned)getuid(),
		    c->mode == MODE_EESP ? "eesp" : "psp");
		strbuf_json(b, c->ifname);
		strbuf_printf(b,
			      ",\"workers\":%u,\"uptime\":%ld,\"config_serial\":%" PRIu64
			      ",\"peers\":%u,\"rx_packets\":%" PRIu64 ",\"tx_packets\":%" PRIu64
			      ",\"drops\":%" PRIu64 ",\"replay_floor\":%" PRIu64 "}\n",
			      g_d.n_workers, up, c->serial, c->n_peers, tot[CNT_RX_PACKETS],
			      tot[CNT_TX_PACKETS], drops_of(tot), replay_floor_clock());
		return;
	}
	strbuf_printf(
	    b,
	    "eespd %s pid %d uid %u mode %s interface %s workers %u uptime %ld config %" PRIu64
	    " peers %u rx_packets %" PRIu64 " tx_packets %" PRIu64 " drops %" PRIu64
	    " replay_floor %" PRIu64 "\n",
	    EESPD_VERSION, (int)getpid(), (unsigned)getuid(), c->mode == MODE_EESP ? "eesp" : "psp",
	    c->ifname, g_d.n_workers, up, c->serial, c->n_peers, tot[CNT_RX_PACKETS],
	    tot[CNT_TX_PACKETS], drops_of(tot), replay_floor_clock());
}

static void prefixes(struct strbuf *b, bool json, const struct prefix *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char s[64];
		prefix_format(&p[i], s, sizeof(s));
		if (json)
			strbuf_printf(b, "%s\"%s\"", i ? "," : "", s);
		else
			strbuf_printf(b, "%s%s", i ? "," : "", s);
	}
}

static void show_body(struct strbuf *b, bool json, const struct cfg *c)
{
	uint64_t tot[CNT__COUNT];
	sum_counters(tot);
	if (!json) {
		status_body(b, false, c);
		strbuf_printf(
		    b,
		    "interface %s mtu %u port %u source_ports %u-%u workers %u udp_gso %s "
		    "udp_gro %s offload %s gro %s\n",
		    c->ifname, c->mtu, c->port, c->sport_min, c->sport_max, g_d.n_workers,
		    onoff(c->udp_gso), onoff(c->udp_gro), onoff(c->offload), onoff(c->gro));
		for (unsigned i = 0; i < c->n_addrs; i++) {
			char s[64];
			prefix_format(&c->addrs[i], s, sizeof(s));
			strbuf_printf(b, "address %s\n", s);
		}
		if (c->mode == MODE_EESP)
			strbuf_printf(
			    b,
			    "domain %s id 0x%08x profile %s kdf %s suite %s node_id %u tenant %u "
			    "group %u epoch %u epoch_window %u crypt_offset %u max_crypt_offset "
			    "%u\n",
			    c->dom_name, c->dom.spi, profile_name(c->profile),
			    c->kdf == EESP_KDF_CMAC_AES256 ? "cmac" : "hmac",
			    c->suite == EESP_SUITE_AES_GCM_128 ? "aes-gcm-128" : "aes-gcm-256",
			    c->node_id, c->tenant, c->group, cfg_epoch_now(c), c->dom.epoch_window,
			    c->crypt_offset, c->dom.max_crypt_offset);
		else
			strbuf_printf(b, "psp version %u crypt_offset %u spi_master %u\n",
				      c->psp_version, c->psp_crypt_offset, c->psp_spi_master);
		keys_body(b, false, c);
		for (unsigned i = 0; i < c->n_peers; i++) {
			const struct peer *p = &c->peers[i];
			strbuf_printf(b, "peer %s endpoint %s", p->name, p->ep_str);
			if (p->node_id)
				strbuf_printf(b, " node_id %u", p->node_id);
			if (p->tx_spi)
				strbuf_printf(b, " tx_spi 0x%08x", p->tx_spi);
			for (unsigned k = 0; k < p->n_rx_spi; k++)
				strbuf_printf(b, "%s0x%08x", k ? "," : " rx_spi ", p->rx_spi[k]);
			strbuf_printf(b, " allowed_ips ");
			prefixes(b, false, p->allowed, p->n_allowed);
			strbuf_printf(b, "\n");
		}
		for (unsigned i = 0; i < c->n_policy; i++) {
			strbuf_printf(b, "policy %s ", c->mode == MODE_EESP ? "nodes" : "spis");
			for (unsigned k = 0; k < c->policy[i].n_nodes; k++)
				if (c->policy[i].nodes[k].lo == c->policy[i].nodes[k].hi)
					strbuf_printf(b, "%s%u", k ? "," : "",
						      c->policy[i].nodes[k].lo);
				else
					strbuf_printf(b, "%s%u-%u", k ? "," : "",
						      c->policy[i].nodes[k].lo,
						      c->policy[i].nodes[k].hi);
			strbuf_printf(b, " tenant %u prefixes ", c->policy[i].tenant);
			prefixes(b, false, c->policy[i].prefixes, c->policy[i].n_prefixes);
			strbuf_printf(b, "\n");
		}
		strbuf_printf(b, "counters\n");
		for (unsigned i = 1; i < CNT__COUNT; i++)
			strbuf_printf(b, "  %s %" PRIu64 "\n", counter_name(i), tot[i]);
		return;
	}
	strbuf_printf(b, "{\"status\":");
	status_body(b, true, c);
	b->len--; /* the newline */
	strbuf_printf(b, ",\"interface\":");
	strbuf_json(b, c->ifname);
	strbuf_printf(
	    b,
	    ",\"mtu\":%u,\"port\":%u,\"source_ports\":[%u,%u],\"udp_gso\":%s,\"udp_gro\":%s,"
	    "\"offload\":%s,\"gro\":%s,\"addresses\":[",
	    c->mtu, c->port, c->sport_min, c->sport_max, truefalse(c->udp_gso),
	    truefalse(c->udp_gro), truefalse(c->offload), truefalse(c->gro));
	prefixes(b, true, c->addrs, c->n_addrs);
	strbuf_printf(b, "],");
	if (c->mode == MODE_EESP) {
		strbuf_printf(b, "\"domain\":{\"name\":");
		strbuf_json(b, c->dom_name);
		strbuf_printf(
		    b,
		    ",\"id\":%u,\"profile\":\"%s\",\"kdf\":\"%s\",\"suite\":\"%s\",\"node_id\":%u,"
		    "\"tenant\":%u,\"group\":%u,\"epoch\":%u,\"epoch_window\":%u,"
		    "\"crypt_offset\":%u,\"max_crypt_offset\":%u},",
		    c->dom.spi, profile_name(c->profile),
		    c->kdf == EESP_KDF_CMAC_AES256 ? "cmac" : "hmac",
		    c->suite == EESP_SUITE_AES_GCM_128 ? "aes-gcm-128" : "aes-gcm-256", c->node_id,
		    c->tenant, c->group, cfg_epoch_now(c), c->dom.epoch_window, c->crypt_offset,
		    c->dom.max_crypt_offset);
	} else {
		strbuf_printf(b, "\"psp\":{\"version\":%u,\"crypt_offset\":%u,\"spi_master\":%u},",
			      c->psp_version, c->psp_crypt_offset, c->psp_spi_master);
	}
	keys_body(b, true, c);
	strbuf_printf(b, ",\"peers\":[");
	for (unsigned i = 0; i < c->n_peers; i++) {
		const struct peer *p = &c->peers[i];
		strbuf_printf(b, "%s{\"name\":", i ? "," : "");
		strbuf_json(b, p->name);
		strbuf_printf(b, ",\"endpoint\":");
		strbuf_json(b, p->ep_str);
		strbuf_printf(b, ",\"node_id\":%u,\"tx_spi\":%u,\"allowed_ips\":[", p->node_id,
			      p->tx_spi);
		prefixes(b, true, p->allowed, p->n_allowed);
		strbuf_printf(b, "]}");
	}
	strbuf_printf(b, "],");
	counters_body(b, true, tot, true);
	strbuf_printf(b, "}\n");
}

/* ------------------------------------------------------ key management -- */

static struct eesp_ring *ring_of(struct eesp_keyset *ks, int level, uint32_t id)
{
	return (struct eesp_ring *)eesp_keyset_ring(ks, (enum eesp_level)level, id);
}

static int do_rotate(const struct eesp_ctl_req *r, struct strbuf *b, char *err, size_t el)
{
	int rc = 0;
	pthread_mutex_lock(&g_d.lock);
	struct cfg *cur = atomic_load(&g_cfg);
	if (cur->mode != MODE_EESP || !cur->keys) {
		snprintf(err, el, "%s: eesp mode only",
			 r->verb == EESP_CTL_ROTATE ? "rotate" : "retire");
		pthread_mutex_unlock(&g_d.lock);
		return -1;
	}
	struct cfg *n = cfg_clone(cur);
	struct eesp_ring *ring = n ? ring_of(n->keys, r->level, r->id) : NULL;
	if (!n || !ring) {
		snprintf(err, el, "no key ring %s %u", level_name((unsigned)r->level), r->id);
		cfg_free(n);
		pthread_mutex_unlock(&g_d.lock);
		return -1;
	}
	if (r->verb == EESP_CTL_ROTATE) {
		rc = eesp_ring_rotate(ring);
		if (rc) {
			snprintf(err, el, "rotate %s %u: %s (is there a next generation?)",
				 level_name((unsigned)r->level), r->id, eesp_err_name(rc));
			cfg_free(n);
			pthread_mutex_unlock(&g_d.lock);
			return -1;
		}
	} else {
		eesp_ring_retire_previous(ring);
	}
	cfg_finish_keys(n);
	n->serial = cfg_next_serial();
	pthread_mutex_unlock(&g_d.lock);
	daemon_publish(n);
	log_info("%s %s %u done (in memory; a reload re-reads the key file)",
		 r->verb == EESP_CTL_ROTATE ? "rotate" : "retire", level_name((unsigned)r->level),
		 r->id);
	keys_body(b, r->json, atomic_load(&g_cfg));
	return 0;
}

static void hexs(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* eesp profile spi, on the key holder: a fresh SPI in [spi_min, spi_max]
 * (never one handed out before or configured: spistate.h) and the data
 * key + salt a client uses with it: bound to Session ID 1, the current
 * epoch and the current domain phase (the client's sa_phase). */
static int do_spi_alloc_eesp(const struct eesp_ctl_req *r, struct strbuf *b, char *err, size_t el)
{
	struct cfg *c = atomic_load(&g_cfg);
	struct eesp_hdr_params p;
	struct eesp_dkey dk;
	uint32_t spi;
	char key[65], salt[9];
	if (c->profile != EESP_PROFILE_SPI || !c->keys || !eesp_ring_current(&c->keys->domain) ||
	    !c->dom.spi_min) {
		snprintf(err, el,
			 "spi-alloc: needs psp mode or profile spi with a domain root key "
			 "and spi_min/spi_max");
		return -1;
	}
	struct eesp_spi_range range = {c->dom.spi_min, c->dom.spi_max};
	if (spistate_take(c, EESP_SPIALLOC_EESP, range, &spi, err, el))
		return -1;
	memset(&p, 0, sizeof(p));
	p.session_id = 1;
	p.spi = spi;
	p.sctx.profile = EESP_PROFILE_SPI;
	p.sctx.kdf = c->kdf;
	p.sctx.suite = c->suite;
	p.sctx.phase[0] = c->phase[0];
	p.sctx.epoch = cfg_epoch_now(c);
	struct eesp_crypto *cr = eesp_crypto_new(4);
	if (!cr || eesp_data_key_for(cr, &c->dom, &p, &dk) != EESP_E_OK) {
		if (cr)
			eesp_crypto_free(cr);
		OPENSSL_cleanse(&dk, sizeof(dk));
		snprintf(err, el, "spi-alloc: key derivation failed");
		return -1;
	}
	eesp_crypto_free(cr);
	hexs(dk.key, eesp_suite_key_len(c->suite), key);
	hexs(dk.salt, 4, salt);
	OPENSSL_cleanse(&dk, sizeof(dk));
	if (r->json)
		strbuf_printf(b,
			      "{\"spi\":\"0x%08x\",\"session_id\":1,\"epoch\":%u,\"sa_phase\":%u,"
			      "\"key\":\"%s\",\"salt\":\"%s\"}\n",
			      spi, p.sctx.epoch, c->phase[0], key, salt);
	else
		strbuf_printf(
		    b,
		    "spi 0x%08x\nsession_id 1\nepoch %u\nsa_phase %u\nkey %s\nsalt %s\nsa eesp "
		    "0x%08x %s %s\n",
		    spi, p.sctx.epoch, c->phase[0], key, salt, spi, key, salt);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(salt, sizeof(salt));
	return 0;
}

static int do_spi_alloc(const struct eesp_ctl_req *r, struct strbuf *b, char *err, size_t el)
{
	struct cfg *c = atomic_load(&g_cfg);
	unsigned m = c->psp_spi_master;
	unsigned version =
	    r->version >= 0 && r->version <= 1 ? (unsigned)r->version : c->psp_version;
	uint8_t key[32];
	uint32_t spi;
	char hex[65];
	if (c->mode == MODE_EESP)
		return do_spi_alloc_eesp(r, b, err, el);
	if (!c->keys->has_psp[m]) {
		snprintf(err, el, "spi-alloc: psp master key %u not loaded", m);
		return -1;
	}
	/* bit 31 selects the master: each master has its own counter */
	if (spistate_take(c, m ? EESP_SPIALLOC_PSP1 : EESP_SPIALLOC_PSP0,
			  eesp_spialloc_psp_range(m), &spi, err, el))
		return -1;
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	if (!k || psp_derive_key(k, c->keys->psp_master[m], spi, version, key) != EESP_E_OK) {
		if (k)
			eesp_kdf_ctx_free(k);
		OPENSSL_cleanse(key, sizeof(key));
		snprintf(err, el, "spi-alloc: key derivation failed");
		return -1;
	}
	eesp_kdf_ctx_free(k);
	size_t kl = version ? 32 : 16;
	for (size_t i = 0; i < kl; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	OPENSSL_cleanse(key, sizeof(key));
	if (r->json)
		strbuf_printf(b,
			      "{\"spi\":\"0x%08x\",\"version\":%u,\"master\":%u,\"key\":\"%s\"}\n",
			      spi, version, m, hex);
	else
		strbuf_printf(b, "spi 0x%08x\nversion %u\nmaster %u\nkey %s\nsa psp 0x%08x %s\n",
			      spi, version, m, hex, spi, hex);
	OPENSSL_cleanse(hex, sizeof(hex));
	return 0;
}

/* ------------------------------------------------------- connections -- */
/*
 * Every client is served from the main thread's poll loop without blocking:
 * the listener and the connections are non-blocking, each connection has
 * its own buffers and a deadline (CTL_DEADLINE_MS to send its request line,
 * again to take its reply), so idle or slow clients only hold a slot
 * (CTL_MAX_CONNS; when all are taken new clients wait in the backlog until
 * a deadline frees one) and never delay the others.
 */
#define CTL_MAX_CONNS 32
#define CTL_DEADLINE_MS 2000

struct conn {
	int fd;
	struct ctl_peer peer; /* credentials at connect time */
	bool writing;
	size_t in_len;
	char in[EESP_CTL_MAX_LINE + 2];
	char *out;
	size_t out_len, out_off;
	int64_t deadline;
};

static struct conn g_conn[CTL_MAX_CONNS];
static unsigned g_nconn;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Admin verbs only for root and admin_group (issue 14, finding 9); a
 * refusal is logged with the client's credentials. */
static int authorise(const struct ctl_peer *peer, enum eesp_ctl_verb verb, char *err, size_t el)
{
	const struct cfg *c = atomic_load(&g_cfg);
	if (!ctl_peer_allow(peer, verb, c->admin_group, err, el))
		return 0;
	log_warn("control: refused '%s' to uid %d gid %d pid %d: %s", eesp_ctl_verb_name(verb),
		 peer->known ? (int)peer->uid : -1, peer->known ? (int)peer->gid : -1,
		 (int)peer->pid, err);
	return -1;
}

/* Answer one request line (complete or not) into a freshly allocated reply. */
static char *ctl_answer(const struct ctl_peer *peer, char *line, size_t len, size_t *out_len)
{
	char err[512];
	struct eesp_ctl_req req;
	struct strbuf b = {0};
	int rc = 0;

	line[len] = 0;
	char *nl = memchr(line, '\n', len);
	if (nl)
		len = (size_t)(nl - line) + 1;
	err[0] = 0;
	memset(&req, 0, sizeof(req));
	req.version = -1;
	if (len == 0 || len > EESP_CTL_MAX_LINE + 1) {
		snprintf(err, sizeof(err), "request line missing or too long");
		rc = -1;
	} else if (eesp_ctl_parse(line, len, &req, err, sizeof(err))) {
		if (!err[0])
			snprintf(err, sizeof(err), "bad request");
		rc = -1;
	}
	if (!rc)
		rc = authorise(peer, req.verb, err, sizeof(err));
	if (!rc) {
		struct cfg *c = atomic_load(&g_cfg);
		switch (req.verb) {
		case EESP_CTL_STATUS:
			status_body(&b, req.json, c);
			break;
		case EESP_CTL_SHOW:
			show_body(&b, req.json, c);
			break;
		case EESP_CTL_COUNTERS: {
			uint64_t tot[CNT__COUNT];
			sum_counters(tot);
			if (req.json)
				strbuf_printf(&b, "{");
			counters_body(&b, req.json, tot, true);
			if (req.json)
				strbuf_printf(&b, "}\n");
			break;
		}
		case EESP_CTL_KEYS:
			if (req.json)
				strbuf_printf(&b, "{");
			keys_body(&b, req.json, c);
			if (req.json)
				strbuf_printf(&b, "}\n");
			break;
		case EESP_CTL_RELOAD:
			/* the reply names the keys now in force, so an operator
			 * who revoked one sees it gone */
			rc = daemon_reload(err, sizeof(err));
			if (!rc) {
				c = atomic_load(&g_cfg);
				if (req.json) {
					strbuf_printf(
					    &b, "{\"reloaded\":true,\"config_serial\":%" PRIu64 ",",
					    c->serial);
					keys_body(&b, true, c);
					strbuf_printf(&b, "}\n");
				} else {
					strbuf_printf(&b, "reloaded config %" PRIu64 "\n",
						      c->serial);
					keys_body(&b, false, c);
				}
			}
			break;
		case EESP_CTL_ROTATE:
		case EESP_CTL_RETIRE:
			if (req.json)
				strbuf_printf(&b, "{");
			rc = do_rotate(&req, &b, err, sizeof(err));
			if (req.json)
				strbuf_printf(&b, "}\n");
			break;
		case EESP_CTL_SPI_ALLOC:
			rc = do_spi_alloc(&req, &b, err, sizeof(err));
			break;
		default:
			snprintf(err, sizeof(err), "verb not supported by eespd");
			rc = -1;
		}
	}
	struct strbuf o = {0};
	if (rc) {
		for (char *p = err; *p; p++)
			if (*p == '\n')
				*p = ' ';
		strbuf_printf(&o, "error %s\n", err);
	} else if (b.oom) {
		strbuf_printf(&o, "error out of memory\n");
	} else {
		strbuf_printf(&o, "ok\n%.*s", (int)b.len, b.p ? b.p : "");
	}
	strbuf_free(&b);
	if (o.oom)
		return NULL;
	*out_len = o.len;
	return o.p;
}

static void conn_close(unsigned i)
{
	struct conn *c = &g_conn[i];
	close(c->fd);
	if (c->out) {
		OPENSSL_cleanse(c->out, c->out_len);
		free(c->out);
	}
	OPENSSL_cleanse(c->in, sizeof(c->in));
	if (i != g_nconn - 1) {
		*c = g_conn[g_nconn - 1];
		memset(&g_conn[g_nconn - 1], 0, sizeof(g_conn[0]));
	}
	g_nconn--;
}

/* request complete (newline, full buffer, EOF or deadline): build the reply */
static void conn_answer(struct conn *c)
{
	c->out = ctl_answer(&c->peer, c->in, c->in_len, &c->out_len);
	c->out_off = 0;
	c->writing = true;
	c->deadline = now_ms() + CTL_DEADLINE_MS;
	if (c->out)
		shutdown(c->fd, SHUT_RD);
}

/* 0 keep, -1 close */
static int conn_io(struct conn *c, short rev)
{
	if (!c->writing && (rev & (POLLIN | POLLHUP | POLLERR))) {
		for (;;) {
			ssize_t r = read(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			if (r > 0) {
				bool nl = memchr(c->in + c->in_len, '\n', (size_t)r) != NULL;
				c->in_len += (size_t)r;
				if (!nl && c->in_len < sizeof(c->in) - 1)
					continue;
			}
			/* newline, full, EOF or error: answer what we have */
			if (r < 0)
				return -1;
			conn_answer(c);
			break;
		}
	}
	if (c->writing) {
		if (!c->out)
			return -1;
		while (c->out_off < c->out_len) {
			ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return 0;
			if (w <= 0)
				return -1;
			c->out_off += (size_t)w;
		}
		return -1; /* all sent: close */
	}
	return 0;
}

unsigned ctl_pollfds(int lfd, struct pollfd *p, unsigned cap)
{
	unsigned n = 0;
	if (g_nconn < CTL_MAX_CONNS && n < cap)
		p[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (unsigned i = 0; i < g_nconn && n < cap; i++)
		p[n++] = (struct pollfd){.fd = g_conn[i].fd,
					 .events = g_conn[i].writing ? POLLOUT : POLLIN};
	return n;
}

int ctl_timeout_ms(void)
{
	int64_t t = now_ms(), m = -1;
	for (unsigned i = 0; i < g_nconn; i++) {
		int64_t d = g_conn[i].deadline - t;
		if (d < 0)
			d = 0;
		if (m < 0 || d < m)
			m = d;
	}
	return (int)m;
}

void ctl_process(int lfd, const struct pollfd *p, unsigned n)
{
	/* connections first (the array is compacted on close: match by fd) */
	for (unsigned k = 0; k < n; k++) {
		if (p[k].fd == lfd || !p[k].revents)
			continue;
		for (unsigned i = 0; i < g_nconn; i++)
			if (g_conn[i].fd == p[k].fd) {
				if (conn_io(&g_conn[i], p[k].revents))
					conn_close(i);
				break;
			}
	}
	/* deadlines: an unfinished request is answered as it stands (usually
	 * "error request line missing"); a reply not taken in time is dropped */
	int64_t t = now_ms();
	for (unsigned i = 0; i < g_nconn;) {
		struct conn *c = &g_conn[i];
		if (c->deadline > t) {
			i++;
			continue;
		}
		if (c->writing) {
			conn_close(i);
			continue;
		}
		conn_answer(c);
		if (conn_io(c, 0)) {
			conn_close(i);
			continue;
		}
		i++;
	}
	/* new clients */
	while (g_nconn < CTL_MAX_CONNS) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			break;
		struct conn *c = &g_conn[g_nconn++];
		memset(c, 0, sizeof(*c));
		c->fd = fd;
		ctl_peer_get(fd, atomic_load(&g_cfg)->admin_gid, &c->peer);
		c->deadline = now_ms() + CTL_DEADLINE_MS;
		/* the request is usually there already */
		if (conn_io(c, POLLIN))
			conn_close(g_nconn - 1);
	}
}

void ctl_close_all(void)
{
	while (g_nconn)
		conn_close(g_nconn - 1);
}
