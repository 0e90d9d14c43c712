// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * status.c - what the read verbs of the control protocol answer: the
 * status line, show, counters and keys, as text or one JSON object
 * (status.h).  Never a key: fingerprints only.
 */
#include "status.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "counters.h"
#include "keys.h"
#include "keywatch.h"
#include "lookup.h"
#include "names.h"
#include "peerstats.h"
#include "replaytab.h"
#include "worker.h"

void status_sum_counters(const struct eespd *e, uint64_t *tot)
{
	memset(tot, 0, sizeof(uint64_t) * CNT__COUNT);
	for (unsigned w = 0; w < e->n_workers; w++) {
		const uint64_t *c = worker_counters(e->w[w]);
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

/* Proxy role (issue 6): "proxy":[{"from":"a","to":"b","packets":N,"bytes":N},...]
 * for every ordered pair of domains, summed over the workers. */
static void proxy_pairs(struct strbuf *b, const struct eespd *e, const struct snap *c)
{
	bool first = true;
	strbuf_printf(b, ",\"proxy\":[");
	for (unsigned f = 0; c && f < c->n_doms; f++)
		for (unsigned t = 0; t < c->n_doms; t++) {
			uint64_t n[2] = {0, 0};
			if (f == t)
				continue;
			for (unsigned w = 0; w < e->n_workers; w++)
				for (unsigned k = 0; k < 2; k++)
					n[k] += worker_proxy_counter(e->w[w], f, t, k);
			strbuf_printf(b,
				      "%s{\"from\":\"%s\",\"to\":\"%s\",\"packets\":%" PRIu64
				      ",\"bytes\":%" PRIu64 "}",
				      first ? "" : ",", c->dom[f].name, c->dom[t].name, n[0], n[1]);
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

void status_counters(struct strbuf *b, bool json, const struct eespd *e, const struct snap *s,
		     const uint64_t *tot, bool per_worker)
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
	proxy_pairs(b, e, s);
	if (!per_worker)
		return;
	strbuf_printf(b, ",\"workers\":[");
	for (unsigned w = 0; w < e->n_workers; w++) {
		const uint64_t *c = worker_counters(e->w[w]);
		strbuf_printf(b,
			      "%s{\"worker\":%u,\"session_id\":%u,\"config_serial\":%" PRIu64
			      ",\"tun_multishot\":%s",
			      w ? "," : "", w, w + 1, worker_snap_serial(e->w[w]),
			      truefalse(worker_uses_multishot(e->w[w])));
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
			    *first ? "" : ",", eesp_name_of(eesp_level_names, level), r->id,
			    eesp_name_of(eesp_slot_names, s), r->gen[s].generation,
			    r->gen[s].generation % 4, fp);
		else
			strbuf_printf(
			    b, "key level %s id %u slot %s generation %u phase %u fingerprint %s\n",
			    eesp_name_of(eesp_level_names, level), r->id,
			    eesp_name_of(eesp_slot_names, s), r->gen[s].generation,
			    r->gen[s].generation % 4, fp);
		*first = false;
	}
}

void status_keys(struct strbuf *b, bool json, const struct snap *c)
{
	bool first = true;
	const struct eesp_keyset *ks = c->dom[0].keys;
	if (json)
		strbuf_printf(b, "\"keys\":[");
	if (ks && c->mode == EESP_MODE_EESP) {
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
	for (unsigned i = 0; ks && i < ks->n_sa; i++) {
		const struct eesp_sa_key *k = &ks->sa[i];
		const char *kind =
		    eesp_name_of(eesp_mode_names, k->psp ? EESP_MODE_PSP : EESP_MODE_EESP);
		char fp[17];
		eesp_key_fingerprint(k->key, k->key_len, fp);
		if (json)
			strbuf_printf(b,
				      "%s{\"level\":\"sa\",\"kind\":\"%s\",\"spi\":\"0x%08x\","
				      "\"fingerprint\":\"%s\"}",
				      first ? "" : ",", kind, k->spi, fp);
		else
			strbuf_printf(b, "key level sa kind %s spi 0x%08x fingerprint %s\n", kind,
				      k->spi, fp);
		first = false;
	}
	if (json)
		strbuf_printf(b, "]");
}

void status_line(struct strbuf *b, bool json, const struct eespd *e, const struct snap *c)
{
	uint64_t tot[CNT__COUNT];
	status_sum_counters(e, tot);
	long up = (long)(time(NULL) - e->started);
	const char *mode = eesp_name_of(eesp_mode_names, (unsigned)e->conf.mode);
	uint64_t floor = e->replay ? replay_floor_clock(e->replay) : 0;
	if (json) {
		strbuf_printf(
		    b, "{\"version\":\"%s\",\"pid\":%d,\"uid\":%u,\"mode\":\"%s\",\"interface\":",
		    EESPD_VERSION, (int)getpid(), (unsigned)getuid(), mode);
		strbuf_json(b, e->conf.ifname);
		strbuf_printf(b,
			      ",\"workers\":%u,\"uptime\":%ld,\"config_serial\":%" PRIu64
			      ",\"peers\":%u,\"rx_packets\":%" PRIu64 ",\"tx_packets\":%" PRIu64
			      ",\"drops\":%" PRIu64 ",\"replay_floor\":%" PRIu64 "}\n",
			      e->n_workers, up, c->serial, c->n_peers, tot[CNT_RX_PACKETS],
			      tot[CNT_TX_PACKETS], drops_of(tot), floor);
		return;
	}
	strbuf_printf(
	    b,
	    "eespd %s pid %d uid %u mode %s interface %s workers %u uptime %ld config %" PRIu64
	    " peers %u rx_packets %" PRIu64 " tx_packets %" PRIu64 " drops %" PRIu64
	    " replay_floor %" PRIu64 "\n",
	    EESPD_VERSION, (int)getpid(), (unsigned)getuid(), mode, e->conf.ifname, e->n_workers,
	    up, c->serial, c->n_peers, tot[CNT_RX_PACKETS], tot[CNT_TX_PACKETS], drops_of(tot),
	    floor);
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

/* "domain ..." / "psp ..." line of the first domain */
static void show_domain_text(struct strbuf *b, const struct eespd *e, const struct domain *d)
{
	if (e->conf.mode == EESP_MODE_EESP)
		strbuf_printf(b,
			      "domain %s id 0x%08x profile %s kdf %s suite %s node_id %u tenant %u "
			      "group %u epoch %u epoch_window %u crypt_offset %u max_crypt_offset "
			      "%u\n",
			      d->name, d->dom.spi, eesp_name_of(eesp_profile_names, d->profile),
			      eesp_name_of(eesp_kdf_names, d->kdf),
			      eesp_name_of(eesp_suite_names, d->suite), d->node_id, d->tenant,
			      d->group, domain_epoch_at(d, (uint64_t)time(NULL)),
			      d->dom.epoch_window, d->crypt_offset, d->dom.max_crypt_offset);
	else
		strbuf_printf(b, "psp version %u crypt_offset %u spi_master %u\n", d->psp_version,
			      d->psp_crypt_offset, d->psp_spi_master);
}

/* Domains whose keys come from a key directory: the set in force and
 * the newest refused one (keywatch.h). */
static void key_dirs(struct strbuf *b, bool json, const struct eespd *e, const struct snap *s)
{
	bool first = true;
	if (json)
		strbuf_printf(b, "\"key_dirs\":[");
	for (unsigned i = 0; i < s->n_doms; i++) {
		const struct domain *d = &s->dom[i];
		const char *why = keywatch_refusal(e->keywatch, i);
		if (!d->key_is_dir)
			continue;
		if (!json) {
			strbuf_printf(b, "key_dir %s %s version %s%s%s\n", d->name, d->key_path,
				      d->key_version, why[0] ? " refused " : "", why);
			continue;
		}
		strbuf_printf(b, "%s{\"domain\":", first ? "" : ",");
		strbuf_json(b, d->name);
		strbuf_printf(b, ",\"path\":");
		strbuf_json(b, d->key_path);
		strbuf_printf(b, ",\"version\":");
		strbuf_json(b, d->key_version);
		strbuf_printf(b, ",\"refused\":");
		strbuf_json(b, why);
		strbuf_printf(b, "}");
		first = false;
	}
	if (json)
		strbuf_printf(b, "],");
}

/* The traffic of a peer, one "  name value" line each, as `wg show` has
 * "latest handshake" and "transfer" (eespctl show hides the zero ones). */
static void show_peer_traffic(struct strbuf *b, const struct peer_ctr *c)
{
	if (c->latest_rx) {
		char when[32];
		struct tm tm;
		time_t t = (time_t)c->latest_rx, now = time(NULL);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
		strbuf_printf(b, "  latest_rx %s (%ld s ago)\n", when,
			      (long)(now > t ? now - t : 0));
	} else {
		strbuf_printf(b, "  latest_rx never\n");
	}
	strbuf_printf(b,
		      "  rx_packets %" PRIu64 "\n  rx_bytes %" PRIu64 "\n  tx_packets %" PRIu64
		      "\n  tx_bytes %" PRIu64 "\n",
		      c->rx_packets, c->rx_bytes, c->tx_packets, c->tx_bytes);
}

static void show_peers_text(struct strbuf *b, const struct eespd *e, const struct snap *s)
{
	for (unsigned i = 0; i < s->n_peers; i++) {
		const struct peer *p = &s->peers[i];
		struct peer_ctr c;
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
		peerstats_sum(e, s, i, &c);
		show_peer_traffic(b, &c);
	}
}

static void show_policy_text(struct strbuf *b, const struct eespd *e, const struct domain *d)
{
	for (unsigned i = 0; i < d->n_policy; i++) {
		const struct policy *p = &d->policy[i];
		strbuf_printf(b, "policy %s ", e->conf.mode == EESP_MODE_EESP ? "nodes" : "spis");
		for (unsigned k = 0; k < p->n_nodes; k++)
			if (p->nodes[k].lo == p->nodes[k].hi)
				strbuf_printf(b, "%s%u", k ? "," : "", p->nodes[k].lo);
			else
				strbuf_printf(b, "%s%u-%u", k ? "," : "", p->nodes[k].lo,
					      p->nodes[k].hi);
		strbuf_printf(b, " tenant %u prefixes ", p->tenant);
		prefixes(b, false, p->prefixes, p->n_prefixes);
		strbuf_printf(b, "\n");
	}
}

static void show_text(struct strbuf *b, const struct eespd *e, const struct snap *s,
		      const uint64_t *tot)
{
	const struct eespd_conf *c = &e->conf;
	status_line(b, false, e, s);
	strbuf_printf(b,
		      "interface %s mtu %u port %u source_ports %u-%u workers %u udp_gso %s "
		      "udp_gro %s offload %s gro %s\n",
		      c->ifname, c->mtu, c->port, c->sport_min, c->sport_max, e->n_workers,
		      onoff(c->udp_gso), onoff(c->udp_gro), onoff(c->offload), onoff(c->gro));
	for (unsigned i = 0; i < c->n_addrs; i++) {
		char a[64];
		prefix_format(&c->addrs[i], a, sizeof(a));
		strbuf_printf(b, "address %s\n", a);
	}
	show_domain_text(b, e, &s->dom[0]);
	key_dirs(b, false, e, s);
	status_keys(b, false, s);
	show_peers_text(b, e, s);
	show_policy_text(b, e, &s->dom[0]);
	strbuf_printf(b, "counters\n");
	for (unsigned i = 1; i < CNT__COUNT; i++)
		strbuf_printf(b, "  %s %" PRIu64 "\n", counter_name(i), tot[i]);
}

static void show_domain_json(struct strbuf *b, const struct eespd *e, const struct domain *d)
{
	if (e->conf.mode != EESP_MODE_EESP) {
		strbuf_printf(b, "\"psp\":{\"version\":%u,\"crypt_offset\":%u,\"spi_master\":%u},",
			      d->psp_version, d->psp_crypt_offset, d->psp_spi_master);
		return;
	}
	strbuf_printf(b, "\"domain\":{\"name\":");
	strbuf_json(b, d->name);
	strbuf_printf(
	    b,
	    ",\"id\":%u,\"profile\":\"%s\",\"kdf\":\"%s\",\"suite\":\"%s\",\"node_id\":%u,"
	    "\"tenant\":%u,\"group\":%u,\"epoch\":%u,\"epoch_window\":%u,"
	    "\"crypt_offset\":%u,\"max_crypt_offset\":%u},",
	    d->dom.spi, eesp_name_of(eesp_profile_names, d->profile),
	    eesp_name_of(eesp_kdf_names, d->kdf), eesp_name_of(eesp_suite_names, d->suite),
	    d->node_id, d->tenant, d->group, domain_epoch_at(d, (uint64_t)time(NULL)),
	    d->dom.epoch_window, d->crypt_offset, d->dom.max_crypt_offset);
}

static void show_peers_json(struct strbuf *b, const struct eespd *e, const struct snap *s)
{
	strbuf_printf(b, ",\"peers\":[");
	for (unsigned i = 0; i < s->n_peers; i++) {
		const struct peer *p = &s->peers[i];
		struct peer_ctr c;
		strbuf_printf(b, "%s{\"name\":", i ? "," : "");
		strbuf_json(b, p->name);
		strbuf_printf(b, ",\"endpoint\":");
		strbuf_json(b, p->ep_str);
		strbuf_printf(b, ",\"node_id\":%u,\"tx_spi\":%u,\"allowed_ips\":[", p->node_id,
			      p->tx_spi);
		prefixes(b, true, p->allowed, p->n_allowed);
		peerstats_sum(e, s, i, &c);
		strbuf_printf(b,
			      "],\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
			      ",\"tx_packets\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
			      ",\"latest_rx\":%" PRIu64 "}",
			      c.rx_packets, c.rx_bytes, c.tx_packets, c.tx_bytes, c.latest_rx);
	}
}

static void show_json(struct strbuf *b, const struct eespd *e, const struct snap *s,
		      const uint64_t *tot)
{
	const struct eespd_conf *c = &e->conf;
	strbuf_printf(b, "{\"status\":");
	status_line(b, true, e, s);
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
	show_domain_json(b, e, &s->dom[0]);
	status_keys(b, true, s);
	show_peers_json(b, e, s);
	strbuf_printf(b, "],");
	key_dirs(b, true, e, s);
	status_counters(b, true, e, s, tot, true);
	strbuf_printf(b, "}\n");
}

void status_show(struct strbuf *b, bool json, const struct eespd *e, const struct snap *s)
{
	uint64_t tot[CNT__COUNT];
	status_sum_counters(e, tot);
	if (json)
		show_json(b, e, s, tot);
	else
		show_text(b, e, s, tot);
}
