// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kd_eespd.c - the calls key download makes on eespd's control socket
 * (kd.h; the verbs are eespd(8) "Runtime SAs").  Through io->eespd, so the
 * unit tests can stand in for eespd.  Request lines and replies that hold
 * keys are wiped after use.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eespdcall.h"
#include "engine_int.h"
#include "kd.h"
#include "log.h"
#include "secmem.h"

/* the value of the line "name value" of a reply into out[cap]; false if none */
static bool field(const char *body, const char *name, char *out, size_t cap)
{
	size_t nl = strlen(name);
	for (const char *l = body; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, name, nl) || l[nl] != ' ')
			continue;
		const char *v = l + nl + 1, *end = strchr(v, '\n');
		size_t len = end ? (size_t)(end - v) : strlen(v);
		if (len >= cap)
			return false;
		memcpy(out, v, len);
		out[len] = 0;
		return true;
	}
	return false;
}

static int hexdigit(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int parse_key(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > cap || !n)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int a = hexdigit(hex[2 * i]), b = hexdigit(hex[2 * i + 1]);
		if (a < 0 || b < 0)
			return -1;
		out[i] = (uint8_t)(a << 4 | b);
	}
	*len = n / 2;
	return 0;
}

int kd_rx_alloc(struct iked_engine *e, const struct iked_peer *pe, unsigned version,
		struct kd_alloc *out)
{
	char *body, spi[32], key[2 * IKE_PSP_KEY_MAX + 2], serial[32];
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (eespd_call(e, pe->kd.eespd_socket, pe->name, &body, "sa-rx-alloc %s psp-version %u\n",
		       pe->kd.eespd_peer, version))
		return -1;
	if (field(body, "spi", spi, sizeof(spi)) && field(body, "key", key, sizeof(key)) &&
	    field(body, "key_serial", serial, sizeof(serial)) &&
	    !parse_key(key, out->key, sizeof(out->key), &out->key_len) &&
	    out->key_len == ike_psp_key_len(version)) {
		out->spi = (uint32_t)strtoul(spi, NULL, 16);
		out->key_serial = strtoull(serial, NULL, 10);
		rc = out->spi ? 0 : -1;
	}
	eesp_wipe(key, sizeof(key));
	eespd_body_free(body);
	if (rc) {
		eesp_wipe(out, sizeof(*out));
		refusal(e, CNT_EESPD_ERRORS, "peer %s: eespd's sa-rx-alloc reply is not usable",
			pe->name);
	}
	return rc;
}

int kd_eesp_alloc(struct iked_engine *e, const struct iked_peer *pe, bool tx,
		  struct ike_eesp_sa *out, uint64_t *serial)
{
	char *body, spi[32], key[2 * IKE_EESP_KEY_MAX + 2], salt[16], ph[16], ep[16], ser[32];
	size_t sl = 0;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (tx ? eespd_call(e, pe->kd.eespd_socket, pe->name, &body, "sa-tx-alloc %s\n",
			    pe->kd.eespd_peer)
	       : eespd_call(e, pe->kd.eespd_socket, pe->name, &body, "sa-rx-alloc %s eesp\n",
			    pe->kd.eespd_peer))
		return -1;
	if (field(body, "spi", spi, sizeof(spi)) && field(body, "key", key, sizeof(key)) &&
	    field(body, "salt", salt, sizeof(salt)) && field(body, "sa_phase", ph, sizeof(ph)) &&
	    field(body, "epoch", ep, sizeof(ep)) && field(body, "key_serial", ser, sizeof(ser)) &&
	    !parse_key(key, out->key, sizeof(out->key), &out->key_len) &&
	    (out->key_len == 16 || out->key_len == 32) &&
	    !parse_key(salt, out->salt, sizeof(out->salt), &sl) && sl == IKE_EESP_SALT_LEN) {
		out->spi = (uint32_t)strtoul(spi, NULL, 16);
		out->phase = (uint32_t)strtoul(ph, NULL, 10);
		out->epoch = (uint32_t)strtoul(ep, NULL, 10);
		out->has_phase = true;
		*serial = strtoull(ser, NULL, 10);
		rc = out->spi ? 0 : -1;
	}
	eesp_wipe(key, sizeof(key));
	eespd_body_free(body);
	if (rc) {
		eesp_wipe(out, sizeof(*out));
		refusal(e, CNT_EESPD_ERRORS, "peer %s: eespd's %s reply is not usable", pe->name,
			tx ? "sa-tx-alloc" : "sa-rx-alloc");
	}
	return rc;
}

int kd_eesp_set(struct iked_engine *e, const struct iked_peer *pe, bool tx,
		const struct ike_eesp_sa *sa)
{
	char hex[2 * IKE_EESP_KEY_MAX + 1], salt[2 * IKE_EESP_SALT_LEN + 1], extra[64] = "", *body;
	int rc;
	for (size_t i = 0; i < sa->key_len && i < IKE_EESP_KEY_MAX; i++)
		snprintf(hex + 2 * i, 3, "%02x", sa->key[i]);
	for (size_t i = 0; i < IKE_EESP_SALT_LEN; i++)
		snprintf(salt + 2 * i, 3, "%02x", sa->salt[i]);
	if (tx && sa->has_phase)
		snprintf(extra, sizeof(extra), " phase %" PRIu32 " epoch %" PRIu32, sa->phase,
			 sa->epoch);
	rc = eespd_call(e, pe->kd.eespd_socket, pe->name, &body,
			"%s %s 0x%08" PRIx32 " %s salt %s%s\n", tx ? "sa-tx-set" : "sa-rx-set",
			pe->kd.eespd_peer, sa->spi, hex, salt, extra);
	eesp_wipe(hex, sizeof(hex));
	eespd_body_free(body);
	return rc;
}

int kd_tx_set(struct iked_engine *e, const struct iked_peer *pe, uint32_t spi, const uint8_t *key,
	      size_t key_len, unsigned version)
{
	char hex[2 * IKE_PSP_KEY_MAX + 1], *body;
	int rc;
	if (key_len > IKE_PSP_KEY_MAX)
		return -1;
	for (size_t i = 0; i < key_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	rc = eespd_call(e, pe->kd.eespd_socket, pe->name, &body,
			"sa-tx-set %s 0x%08" PRIx32 " %s version %u\n", pe->kd.eespd_peer, spi, hex,
			version);
	eesp_wipe(hex, sizeof(hex));
	eespd_body_free(body);
	return rc;
}

int kd_release(struct iked_engine *e, const struct iked_peer *pe, uint32_t spi)
{
	char *body;
	int rc = spi ? eespd_call(e, pe->kd.eespd_socket, pe->name, &body,
				  "sa-release %s 0x%08" PRIx32 "\n", pe->kd.eespd_peer, spi)
		     : eespd_call(e, pe->kd.eespd_socket, pe->name, &body, "sa-release %s\n",
				  pe->kd.eespd_peer);
	eespd_body_free(body);
	return rc;
}

uint64_t kd_key_serial(struct iked_engine *e, const struct iked_peer *pe, uint32_t rx_spi,
		       bool *has_rx)
{
	char *body, serial[32];
	uint64_t s = 0;
	*has_rx = false;
	if (eespd_call(e, pe->kd.eespd_socket, pe->name, &body, "sa-list\n"))
		return 0;
	if (field(body, "key_serial", serial, sizeof(serial)))
		s = strtoull(serial, NULL, 10);
	*has_rx = eespd_sa_listed(body, pe->kd.eespd_peer, "rx", rx_spi);
	eespd_body_free(body);
	return s;
}

int kd_sweep(struct iked_engine *e, const struct iked_peer *pe, const uint32_t *keep, unsigned n)
{
	char *body;
	uint32_t rx[16], stale[16];
	unsigned nr, ns = 0;
	int done = 0;
	if (eespd_call(e, pe->kd.eespd_socket, pe->name, &body, "sa-list\n"))
		return -1;
	nr = eespd_sa_rx_spis(body, pe->kd.eespd_peer, rx, 16);
	eespd_body_free(body);
	for (unsigned i = 0; i < nr; i++) {
		bool kept = false;
		for (unsigned k = 0; k < n && !kept; k++)
			kept = keep[k] == rx[i];
		if (!kept)
			stale[ns++] = rx[i];
	}
	for (unsigned i = 0; i < ns; i++)
		if (!kd_release(e, pe, stale[i]))
			done++;
	if (ns)
		log_info("peer %s: released %d receive SA(s) in eespd that no child holds (left "
			 "by an earlier eesp-iked)",
			 pe->name, done);
	return done;
}
