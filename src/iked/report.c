// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * report.c - the engine's answers to the control socket's read verbs
 * (engine.h): status, show and counters, as text or as one JSON object.
 */
#include <inttypes.h>
#include <stdio.h>

#include "engine_int.h"
#include "kd.h"
#include "pair.h"

static void spi_hex(char *out, const uint8_t spi[IKE_SPI_LEN])
{
	for (int i = 0; i < IKE_SPI_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", spi[i]);
}

static int64_t secs(int64_t ms)
{
	return ms / 1000;
}

void engine_status(struct iked_engine *e, struct strbuf *b, bool json)
{
	unsigned est = 0, other = 0;
	struct ike_sa *sa;
	int64_t up = secs(now_ms(e) - e->started_ms);
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		if (sa->state == SA_ESTABLISHED)
			est++;
		else if (sa->state != SA_CLOSED && sa->state != SA_DEAD && sa->state != SA_INIT_R)
			other++;
	}
	if (json)
		strbuf_printf(b,
			      "{\"uptime_s\":%" PRId64 ",\"peers\":%u,\"established\":%u,"
			      "\"half_open\":%u,\"other\":%u,\"cookies\":%s}\n",
			      up, e->conf->n_peers, est, e->sas.half_open, other,
			      e->sas.half_open >= e->conf->cookie_threshold ? "true" : "false");
	else
		strbuf_printf(
		    b,
		    "eesp-iked up %" PRId64 " s: %u peer(s), %u IKE SA(s) established, %u "
		    "half-open, %u in other states, cookies %s\n",
		    up, e->conf->n_peers, est, e->sas.half_open, other,
		    e->sas.half_open >= e->conf->cookie_threshold ? "required" : "not required");
}

/* a keyed key-download child (kd.h): 1, else 0 */
static unsigned keyed(const struct ike_sa *sa)
{
	return sa->children && sa->children->my_spi ? 1 : 0;
}

static const char *child_kind(const struct ike_sa *sa)
{
	return sa->peer && sa->peer->kd.kind == IKED_KD_EESP ? "eesp" : "psp";
}

static void show_json(struct iked_engine *e, struct strbuf *b, const struct ike_sa *sa, bool first)
{
	char si[17], sr[17], suite[64], a[80];
	int64_t t = now_ms(e);
	spi_hex(si, sa->spi_i);
	spi_hex(sr, sa->spi_r);
	iked_suite_format(&sa->suite, suite, sizeof(suite));
	strbuf_printf(b, "%s{\"serial\":%" PRIu64 ",\"peer\":", first ? "" : ",", sa->serial);
	strbuf_json(b, sa->peer ? sa->peer->name : "");
	iked_addr_format(&sa->remote.ss, a, sizeof(a));
	strbuf_printf(b,
		      ",\"remote\":\"%s\",\"state\":\"%s\",\"role\":\"%s\",\"spi_i\":\"%s\","
		      "\"spi_r\":\"%s\",\"suite\":\"%s\",\"age_s\":%" PRId64,
		      a, sa_state_name(sa->state), sa->initiator ? "initiator" : "responder", si,
		      sr, sa->ciphers ? suite : "", secs(t - sa->created_ms));
	if (sa->established_ms)
		strbuf_printf(b, ",\"established_s\":%" PRId64, secs(t - sa->established_ms));
	if (sa->rekey_at_ms)
		strbuf_printf(b, ",\"rekey_in_s\":%" PRId64, secs(sa->rekey_at_ms - t));
	strbuf_printf(b,
		      ",\"replaces\":%" PRIu64
		      ",\"mid_out\":%u,\"mid_in\":%u,\"outstanding\":\"%s\","
		      "\"children\":%u,\"child\":",
		      sa->replaces, sa->my_mid, sa->peer_mid,
		      sa->req_busy ? xkind_name(sa->req.kind) : "", keyed(sa));
	if (keyed(sa))
		strbuf_printf(b,
			      "{\"kind\":\"%s\",\"version\":%u,\"rx_spi\":\"0x%08" PRIx32
			      "\",\"tx_spi\":\"0x%08" PRIx32 "\"}",
			      child_kind(sa), sa->children->version, sa->children->my_spi,
			      sa->children->peer_spi);
	else
		strbuf_printf(b, "null");
	pair_report(e, sa, b, true);
	strbuf_printf(b, "}");
}

static void show_text(struct iked_engine *e, struct strbuf *b, const struct ike_sa *sa)
{
	char si[17], sr[17], suite[80], a[80], l[80], id[300];
	int64_t t = now_ms(e);
	spi_hex(si, sa->spi_i);
	spi_hex(sr, sa->spi_r);
	strbuf_printf(b, "#%" PRIu64 " %s: %s, %s, %s_i%s %s_r%s\n", sa->serial,
		      sa->peer ? sa->peer->name : "?", sa_state_name(sa->state),
		      sa->initiator ? "initiator" : "responder", si, sa->initiator ? "*" : "", sr,
		      sa->initiator ? "" : "*");
	iked_addr_format(&sa->local.ss, l, sizeof(l));
	iked_addr_format(&sa->remote.ss, a, sizeof(a));
	iked_id_format(&e->conf->local_id, id, sizeof(id));
	strbuf_printf(b, "  local  %s @ %s\n", id, l);
	if (sa->peer)
		iked_id_format(&sa->peer->remote_id, id, sizeof(id));
	strbuf_printf(b, "  remote %s @ %s\n", sa->peer ? id : "?", a);
	if (sa->ciphers) {
		iked_suite_format_long(&sa->suite, suite, sizeof(suite));
		strbuf_printf(b, "  %s\n", suite);
	}
	strbuf_printf(b, "  created %" PRId64 " s ago", secs(t - sa->created_ms));
	if (sa->established_ms)
		strbuf_printf(b, ", established %" PRId64 " s ago", secs(t - sa->established_ms));
	if (sa->rekey_at_ms)
		strbuf_printf(b, ", rekeying in %" PRId64 " s", secs(sa->rekey_at_ms - t));
	if (sa->replaces)
		strbuf_printf(b, ", rekeyed #%" PRIu64, sa->replaces);
	strbuf_printf(b, ", %u child SA(s)\n", keyed(sa));
	if (keyed(sa))
		strbuf_printf(b, "  %s child: version %u, rx 0x%08" PRIx32 ", tx 0x%08" PRIx32 "\n",
			      child_kind(sa), sa->children->version, sa->children->my_spi,
			      sa->children->peer_spi);
	pair_report(e, sa, b, false);
}

void engine_show(struct iked_engine *e, struct strbuf *b, bool json)
{
	struct ike_sa *sa;
	bool first = true;
	if (json)
		strbuf_printf(b, "{\"sas\":[");
	for (unsigned i = 0; (sa = sa_next(&e->sas, &i));) {
		if (sa->state == SA_DEAD)
			continue;
		if (json)
			show_json(e, b, sa, first);
		else
			show_text(e, b, sa);
		first = false;
	}
	if (json)
		strbuf_printf(b, "]}\n");
	else if (first)
		strbuf_printf(b, "no IKE SAs\n");
}

void engine_counters(struct iked_engine *e, struct strbuf *b, bool json)
{
	bool first = true;
	if (json)
		strbuf_printf(b, "{\"counters\":{");
	for (unsigned i = 1; i < CNT__COUNT; i++) {
		const char *n = iked_counter_name(i);
		if (!n)
			continue;
		if (json)
			strbuf_printf(b, "%s\"%s\":%" PRIu64, first ? "" : ",", n, e->cnt[i]);
		else
			strbuf_printf(b, "%s %" PRIu64 "\n", n, e->cnt[i]);
		first = false;
	}
	if (json)
		strbuf_printf(b, "}}\n");
}
