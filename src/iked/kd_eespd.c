// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kd_eespd.c - the calls key download makes on eespd's control socket
 * (kd.h; the verbs are eespd(8) "Runtime SAs").  Through io->eespd, so the
 * unit tests can stand in for eespd.  Request lines and replies that hold
 * keys are wiped after use.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "kd.h"
#include "log.h"
#include "secmem.h"

#define LINE_MAX_LEN 512

/* one verb; 0 with the body (to free with body_free), or -1 (logged) */
static int call(struct iked_engine *e, const struct iked_peer *pe, char **body, const char *fmt,
		...) __attribute__((format(printf, 4, 5)));
static int call(struct iked_engine *e, const struct iked_peer *pe, char **body, const char *fmt,
		...)
{
	char line[LINE_MAX_LEN], err[256] = "";
	va_list ap;
	int n, rc;
	*body = NULL;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || !e->io.eespd) {
		eesp_wipe(line, sizeof(line));
		return -1;
	}
	rc = e->io.eespd(e->io.arg, pe->kd.eespd_socket, line, (size_t)n, body, err, sizeof(err));
	if (rc) {
		char verb[32];
		sscanf(line, "%31s", verb);
		refusal(e, CNT_EESPD_ERRORS, "peer %s: eespd (%s) %s %s: %s", pe->name,
			pe->kd.eespd_socket, verb, rc > 0 ? "refused" : "did not answer", err);
		free(*body);
		*body = NULL;
	}
	eesp_wipe(line, sizeof(line));
	return rc ? -1 : 0;
}

static void body_free(char *body)
{
	if (body) {
		eesp_wipe(body, strlen(body));
		free(body);
	}
}

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
	if (call(e, pe, &body, "sa-rx-alloc %s psp-version %u\n", pe->kd.eespd_peer, version))
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
	body_free(body);
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
	if (tx ? call(e, pe, &body, "sa-tx-alloc %s\n", pe->kd.eespd_peer)
	       : call(e, pe, &body, "sa-rx-alloc %s eesp\n", pe->kd.eespd_peer))
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
	body_free(body);
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
	rc = call(e, pe, &body, "%s %s 0x%08" PRIx32 " %s salt %s%s\n",
		  tx ? "sa-tx-set" : "sa-rx-set", pe->kd.eespd_peer, sa->spi, hex, salt, extra);
	eesp_wipe(hex, sizeof(hex));
	body_free(body);
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
	rc = call(e, pe, &body, "sa-tx-set %s 0x%08" PRIx32 " %s version %u\n", pe->kd.eespd_peer,
		  spi, hex, version);
	eesp_wipe(hex, sizeof(hex));
	body_free(body);
	return rc;
}

int kd_release(struct iked_engine *e, const struct iked_peer *pe, uint32_t spi)
{
	char *body;
	int rc = spi ? call(e, pe, &body, "sa-release %s 0x%08" PRIx32 "\n", pe->kd.eespd_peer, spi)
		     : call(e, pe, &body, "sa-release %s\n", pe->kd.eespd_peer);
	body_free(body);
	return rc;
}

uint64_t kd_key_serial(struct iked_engine *e, const struct iked_peer *pe, uint32_t rx_spi,
		       bool *has_rx)
{
	char *body, serial[32], name[IKED_NAME_MAX + 1];
	uint64_t s = 0;
	*has_rx = false;
	if (call(e, pe, &body, "sa-list\n"))
		return 0;
	if (field(body, "key_serial", serial, sizeof(serial)))
		s = strtoull(serial, NULL, 10);
	for (const char *l = body; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long spi;
		if (sscanf(l, "sa peer %64s dir rx spi %lx", name, &spi) == 2 &&
		    !strcmp(name, pe->kd.eespd_peer) && (uint32_t)spi == rx_spi)
			*has_rx = true;
	}
	body_free(body);
	return s;
}

static bool kept(uint32_t spi, const uint32_t *keep, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (keep[i] == spi)
			return true;
	return false;
}

int kd_sweep(struct iked_engine *e, const struct iked_peer *pe, const uint32_t *keep, unsigned n)
{
	char *body, name[IKED_NAME_MAX + 1];
	uint32_t stale[16];
	unsigned ns = 0;
	int done = 0;
	if (call(e, pe, &body, "sa-list\n"))
		return -1;
	for (const char *l = body; l && *l && ns < 16;
	     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		unsigned long spi;
		if (sscanf(l, "sa peer %64s dir rx spi %lx", name, &spi) == 2 &&
		    !strcmp(name, pe->kd.eespd_peer) && !kept((uint32_t)spi, keep, n))
			stale[ns++] = (uint32_t)spi;
	}
	body_free(body);
	for (unsigned i = 0; i < ns; i++)
		if (!kd_release(e, pe, stale[i]))
			done++;
	if (ns)
		log_info("peer %s: released %d receive SA(s) in eespd that no child holds (left "
			 "by an earlier eesp-iked)",
			 pe->name, done);
	return done;
}
