// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eespdcall.c - eesp-iked's requests to its eespd (eespdcall.h).
 */
#include "eespdcall.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "engine_int.h"
#include "secmem.h"

#define LINE_MAX_LEN 512

void eespd_body_free(char *body)
{
	if (body) {
		eesp_wipe(body, strlen(body));
		free(body);
	}
}

int eespd_send(struct iked_engine *e, const char *socket, const char *who, const char *line,
	       size_t n, char **body)
{
	char err[256] = "", verb[32] = "", *b = NULL;
	int rc = e->io.eespd ? e->io.eespd(e->io.arg, socket, line, n, &b, err, sizeof(err)) : -1;
	if (rc) {
		sscanf(line, "%31s", verb);
		refusal(e, CNT_EESPD_ERRORS, "peer %s: eespd (%s) %s %s: %s", who, socket, verb,
			rc > 0 ? "refused" : "did not answer", e->io.eespd ? err : "no eespd");
		eespd_body_free(b);
		b = NULL;
	}
	if (body)
		*body = b;
	else
		eespd_body_free(b);
	return rc ? -1 : 0;
}

int eespd_call(struct iked_engine *e, const char *socket, const char *who, char **body,
	       const char *fmt, ...)
{
	char line[LINE_MAX_LEN];
	va_list ap;
	int n, rc = -1;
	if (body)
		*body = NULL;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(line))
		rc = eespd_send(e, socket, who, line, (size_t)n, body);
	eesp_wipe(line, sizeof(line));
	return rc;
}

/* each "sa peer NAME dir DIR spi 0x..." line of an sa-list reply */
static bool next_sa(const char **l, char name[EESP_CTL_MAX_PEER + 1], char dir[16], uint32_t *spi)
{
	while (*l && **l) {
		const char *at = *l, *nl = strchr(at, '\n');
		unsigned long s;
		*l = nl ? nl + 1 : NULL;
		if (sscanf(at, "sa peer %63s dir %15s spi %lx", name, dir, &s) == 3) {
			*spi = (uint32_t)s;
			return true;
		}
	}
	return false;
}

bool eespd_sa_listed(const char *body, const char *peer, const char *dir, uint32_t spi)
{
	char name[EESP_CTL_MAX_PEER + 1], d[16];
	uint32_t s;
	for (const char *l = body; next_sa(&l, name, d, &s);)
		if (s == spi && !strcmp(d, dir) && !strcmp(name, peer))
			return true;
	return false;
}

unsigned eespd_sa_rx_spis(const char *body, const char *peer, uint32_t *out, unsigned max)
{
	char name[EESP_CTL_MAX_PEER + 1], d[16];
	uint32_t s;
	unsigned n = 0;
	for (const char *l = body; n < max && next_sa(&l, name, d, &s);)
		if (!strcmp(d, "rx") && !strcmp(name, peer))
			out[n++] = s;
	return n;
}
