// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c - the Prometheus text exposition of a running eespd
 * (metrics.h).  Read from the main thread like the other read verbs: the
 * workers' counters with relaxed loads, the published snapshot, the key
 * stamps of keyage.h.
 */
#include "metrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "counters.h"
#include "keyage.h"
#include "keys.h"
#include "names.h"
#include "worker.h"

/* the counters that are not drops, and what they count (counters.h) */
static const char *const counter_help[CNT__COUNT] = {
    [CNT_RX_DATAGRAMS] = "UDP datagrams received",
    [CNT_RX_PACKETS] = "Inner packets received and written to the TUN device",
    [CNT_RX_BYTES] = "Bytes of the inner packets received (before the TUN write)",
    [CNT_TUN_PACKETS] = "Packets read from the TUN device",
    [CNT_TX_PACKETS] = "Inner packets sealed and sent",
    [CNT_TX_BYTES] = "Bytes of the inner packets sealed and sent",
    [CNT_RX_REARM] = "Multishot UDP receives re-armed (not a drop)",
    [CNT_TUN_REARM] = "Multishot TUN reads re-armed (not a drop)",
    [CNT_CFG_SWITCH] = "Configuration snapshots the worker switched to",
    [CNT_GRO_WRITES] = "Coalesced TUN writes (offload)",
    [CNT_TSO_READS] = "TCP super-segments read from the TUN and split (offload)",
    [CNT_PROXY_PACKETS] = "Packets received in one domain, re-sealed for another and sent",
    [CNT_PROXY_BYTES] = "Bytes of the proxied packets",
    [CNT_PROXY_DROPS] = "Proxied packets whose re-seal or send failed (the reason is counted "
			"as well)",
    [CNT_REPLAY_EVICT] = "Replay windows evicted from the table (not a drop)",
    [CNT_IV_PERSIST_WAIT] = "Sends that waited for an IV mark to reach the disk",
    [CNT_UDP_GSO_SENDS] = "Sends carrying more than one datagram (UDP GSO)",
    [CNT_UDP_GSO_FALLBACK] = "Datagrams sent one by one after a refused GSO train",
    [CNT_UDP_GRO_READS] = "Receives carrying more than one datagram (UDP GRO)",
};

enum metrics_kind metrics_kind_of(unsigned i)
{
	switch (i) {
	case EESP_E_CRYPTO:
	case EESP_E_NOSPACE:
	case EESP_E_INVALID:
		return METRICS_INTERNAL;
	case EESP_E_NO_ROUTE:
	case EESP_E_OVERSIZE:
	case CNT_NON_IP:
	case CNT_SEND_ERR:
	case CNT_TX_NO_BUFFER:
	case CNT_IV_EXHAUSTED:
		return METRICS_TX_DROP;
	default:
		return counter_is_drop(i) ? METRICS_RX_DROP : METRICS_COUNTER;
	}
}

const char *metrics_help_of(unsigned i)
{
	return i < CNT__COUNT && metrics_kind_of(i) == METRICS_COUNTER ? counter_help[i] : NULL;
}

void metrics_label(struct strbuf *b, const char *v)
{
	strbuf_printf(b, "\"");
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			strbuf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			strbuf_printf(b, "\\n");
		else
			strbuf_printf(b, "%c", *v);
	}
	strbuf_printf(b, "\"");
}

/* What every sample carries, and the family being written. */
struct out {
	struct strbuf *b;
	const struct eespd *e;
	const struct snap *s;
	time_t now;
};

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	strbuf_printf(o->b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{interface="..."[,extra]} (extra: already formatted labels) */
static void sample_start(struct out *o, const char *name)
{
	strbuf_printf(o->b, "%s{interface=", name);
	metrics_label(o->b, o->e->conf.ifname);
}

static void sample_u64(struct out *o, uint64_t v)
{
	strbuf_printf(o->b, "} %" PRIu64 "\n", v);
}

static void label(struct out *o, const char *k, const char *v)
{
	strbuf_printf(o->b, ",%s=", k);
	metrics_label(o->b, v);
}

static void label_u(struct out *o, const char *k, unsigned v)
{
	strbuf_printf(o->b, ",%s=\"%u\"", k, v);
}

static void daemon_info(struct out *o)
{
	const struct eespd *e = o->e;
	family(o, "eesp_info", "gauge", "The running eespd: version and mode (always 1)");
	sample_start(o, "eesp_info");
	label(o, "version", EESPD_VERSION);
	label(o, "mode", eesp_name_of(eesp_mode_names, (unsigned)e->conf.mode));
	sample_u64(o, 1);
	family(o, "eesp_start_time_seconds", "gauge", "When this eespd started (Unix time)");
	sample_start(o, "eesp_start_time_seconds");
	sample_u64(o, (uint64_t)e->started);
	family(o, "eesp_config_serial", "gauge",
	       "Number of the configuration snapshot in force (loads, reloads, rotations)");
	sample_start(o, "eesp_config_serial");
	sample_u64(o, o->s->serial);
	family(o, "eesp_config_loaded_timestamp_seconds", "gauge",
	       "When the configuration in force was read (Unix time)");
	sample_start(o, "eesp_config_loaded_timestamp_seconds");
	sample_u64(o, (uint64_t)o->s->loaded_at);
	family(o, "eesp_workers", "gauge", "Worker threads");
	sample_start(o, "eesp_workers");
	sample_u64(o, e->n_workers);
	family(o, "eesp_worker_config_serial", "gauge",
	       "Configuration snapshot each worker runs with (lags eesp_config_serial only while "
	       "it switches)");
	for (unsigned w = 0; w < e->n_workers; w++) {
		sample_start(o, "eesp_worker_config_serial");
		label_u(o, "worker", w);
		sample_u64(o, worker_snap_serial(e->w[w]));
	}
	family(o, "eesp_peers", "gauge", "Peers configured, per trust domain");
	for (unsigned d = 0; d < o->s->n_doms; d++) {
		unsigned n = 0;
		for (unsigned i = 0; i < o->s->n_peers; i++)
			n += o->s->peers[i].dom == d;
		sample_start(o, "eesp_peers");
		label(o, "domain", o->s->dom[d].name);
		sample_u64(o, n);
	}
}

static uint64_t load(const uint64_t *c, unsigned i)
{
	return __atomic_load_n(&c[i], __ATOMIC_RELAXED);
}

/* every counter that is not a drop: one family each, per worker */
static void plain_counters(struct out *o)
{
	for (unsigned i = 1; i < CNT__COUNT; i++) {
		char name[96];
		if (metrics_kind_of(i) != METRICS_COUNTER)
			continue;
		snprintf(name, sizeof(name), "eesp_%s_total", counter_name(i));
		family(o, name, "counter", counter_help[i] ? counter_help[i] : counter_name(i));
		for (unsigned w = 0; w < o->e->n_workers; w++) {
			sample_start(o, name);
			label_u(o, "worker", w);
			sample_u64(o, load(worker_counters(o->e->w[w]), i));
		}
	}
}

/* the drops of one kind: one family, per reason and worker */
static void drops(struct out *o, enum metrics_kind kind, const char *name, const char *help)
{
	family(o, name, "counter", help);
	for (unsigned i = 1; i < CNT__COUNT; i++) {
		if (metrics_kind_of(i) != kind)
			continue;
		for (unsigned w = 0; w < o->e->n_workers; w++) {
			sample_start(o, name);
			label(o, "reason", counter_name(i));
			label_u(o, "worker", w);
			sample_u64(o, load(worker_counters(o->e->w[w]), i));
		}
	}
}

static void domain_traffic(struct out *o)
{
	static const struct {
		const char *name, *help;
	} f[WORKER_DCNT__COUNT] = {
	    [WORKER_DCNT_RX_PACKETS] = {"eesp_domain_rx_packets_total",
					"Inner packets opened in the trust domain and handed to "
					"the TUN device"},
	    [WORKER_DCNT_RX_BYTES] = {"eesp_domain_rx_bytes_total",
				      "Bytes of the inner packets opened in the trust domain"},
	    [WORKER_DCNT_TX_PACKETS] = {"eesp_domain_tx_packets_total",
					"Inner packets sealed and sent in the trust domain"},
	    [WORKER_DCNT_TX_BYTES] = {"eesp_domain_tx_bytes_total",
				      "Bytes of the inner packets sealed and sent in the trust "
				      "domain"},
	};
	for (unsigned k = 0; k < WORKER_DCNT__COUNT; k++) {
		family(o, f[k].name, "counter", f[k].help);
		for (unsigned d = 0; d < o->s->n_doms; d++)
			for (unsigned w = 0; w < o->e->n_workers; w++) {
				sample_start(o, f[k].name);
				label(o, "domain", o->s->dom[d].name);
				label_u(o, "worker", w);
				sample_u64(o, worker_domain_counter(o->e->w[w], d, k));
			}
	}
}

/* proxy role: per ordered pair of domains (none with one domain) */
static void proxy_pairs(struct out *o)
{
	static const char *const names[2] = {"eesp_proxy_domain_packets_total",
					     "eesp_proxy_domain_bytes_total"};
	static const char *const help[2] = {
	    "Packets received in domain from, re-sealed and sent in domain to",
	    "Bytes of the packets proxied from domain from to domain to"};
	if (o->s->n_doms < 2)
		return;
	for (unsigned k = 0; k < 2; k++) {
		family(o, names[k], "counter", help[k]);
		for (unsigned f = 0; f < o->s->n_doms; f++)
			for (unsigned t = 0; t < o->s->n_doms; t++)
				for (unsigned w = 0; f != t && w < o->e->n_workers; w++) {
					sample_start(o, names[k]);
					label(o, "from", o->s->dom[f].name);
					label(o, "to", o->s->dom[t].name);
					label_u(o, "worker", w);
					sample_u64(o, worker_proxy_counter(o->e->w[w], f, t, k));
				}
	}
}

/* one key's labels: domain, level, id, slot */
static void key_labels(struct out *o, const char *dom, const char *level, uint32_t id,
		       const char *slot)
{
	label(o, "domain", dom);
	label(o, "level", level);
	label_u(o, "id", id);
	label(o, "slot", slot);
}

static void ring_samples(struct out *o, const char *dom, unsigned level, const struct eesp_ring *r,
			 bool age)
{
	const char *name = age ? "eesp_key_age_seconds" : "eesp_key_generation";
	for (unsigned g = 0; g < EESP_GENS; g++) {
		if (!r->gen[g].present)
			continue;
		time_t since = keyage_since(o->e->keyage, dom, level, r->id, r->gen[g].generation,
					    r->gen[g].key, EESP_ROOT_KEY_LEN);
		if (age && (!since || since > o->now))
			continue;
		sample_start(o, name);
		key_labels(o, dom, eesp_name_of(eesp_level_names, level), r->id,
			   eesp_name_of(eesp_slot_names, g));
		sample_u64(o, age ? (uint64_t)(o->now - since) : r->gen[g].generation);
	}
}

static void psp_samples(struct out *o, const char *dom, const struct eesp_keyset *ks)
{
	for (unsigned m = 0; m < 2; m++) {
		time_t since = keyage_since(o->e->keyage, dom, KEYAGE_LEVEL_PSP, m, 0,
					    ks->psp_master[m], PSP_MASTER_KEY_LEN);
		if (!ks->has_psp[m] || !since || since > o->now)
			continue;
		sample_start(o, "eesp_key_age_seconds");
		key_labels(o, dom, "psp", m, "master");
		sample_u64(o, (uint64_t)(o->now - since));
	}
}

/* the root generations in force (and PSP master keys), and their age */
static void keys(struct out *o)
{
	for (int age = 0; age < 2; age++) {
		if (!age)
			family(o, "eesp_key_generation", "gauge",
			       "Root key generation held per trust domain, level (domain, tenant, "
			       "group), id and slot (previous, current: sealing, next)");
		else
			family(o, "eesp_key_age_seconds", "gauge",
			       "Seconds since this eespd first held the key (loaded at start, "
			       "reload or rotation; a restart counts anew); PSP master keys have "
			       "level psp, slot master");
		for (unsigned d = 0; d < o->s->n_doms; d++) {
			const struct eesp_keyset *ks = o->s->dom[d].keys;
			const char *dn = o->s->dom[d].name;
			if (!ks)
				continue;
			ring_samples(o, dn, EESP_LEVEL_DOMAIN, &ks->domain, age);
			for (unsigned i = 0; i < ks->n_tenants && i < EESP_MAX_TENANTS; i++)
				ring_samples(o, dn, EESP_LEVEL_TENANT, &ks->tenant[i], age);
			for (unsigned i = 0; i < ks->n_groups && i < EESP_MAX_GROUPS; i++)
				ring_samples(o, dn, EESP_LEVEL_GROUP, &ks->group[i], age);
			if (age)
				psp_samples(o, dn, ks);
		}
	}
	family(o, "eesp_sa_keys", "gauge",
	       "Out-of-band data keys (sa lines of the key file) per trust domain");
	for (unsigned d = 0; d < o->s->n_doms; d++) {
		sample_start(o, "eesp_sa_keys");
		label(o, "domain", o->s->dom[d].name);
		sample_u64(o, o->s->dom[d].keys ? o->s->dom[d].keys->n_sa : 0);
	}
}

void metrics_write(struct strbuf *b, const struct eespd *e, const struct snap *s, time_t now)
{
	struct out o = {.b = b, .e = e, .s = s, .now = now};
	daemon_info(&o);
	plain_counters(&o);
	drops(&o, METRICS_RX_DROP, "eesp_rx_dropped_total",
	      "Received datagrams dropped, by reason (eespd(8) COUNTERS; keepalive, ike and esp "
	      "are other protocols' datagrams on the port)");
	drops(&o, METRICS_TX_DROP, "eesp_tx_dropped_total",
	      "Packets not sent, by reason (from the TUN device, or proxied)");
	drops(&o, METRICS_INTERNAL, "eesp_internal_errors_total",
	      "Failures that are no packet's fault (a crypto library error, a buffer too small); "
	      "should stay 0");
	domain_traffic(&o);
	proxy_pairs(&o);
	keys(&o);
}
