/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eespdcall.h - eesp-iked's requests to its eespd's control socket
 * (eespd(8)), for key download (kd_eespd.c), the domain key server's member
 * (member.c) and the pair keys (pair.c).  They go through io->eespd, so
 * the unit tests stand in for eespd; a failure is logged and counted
 * (eespd_errors); request lines are wiped (they may hold keys), and so are
 * reply bodies when freed.
 */
#ifndef IKED_EESPDCALL_H
#define IKED_EESPDCALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct iked_engine;

/* One request line (n bytes, newline included) to the eespd at socket on
 * behalf of peer who (for the log); 0 with the reply's body in *body (free
 * it with eespd_body_free) unless body is NULL, or -1 (logged, counted). */
int eespd_send(struct iked_engine *e, const char *socket, const char *who, const char *line,
	       size_t n, char **body);
/* The same, the line formatted from fmt (at most 511 bytes). */
int eespd_call(struct iked_engine *e, const char *socket, const char *who, char **body,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void eespd_body_free(char *body);

/* An sa-list reply lists the runtime SA of peer (eespd's name for it) in
 * direction dir ("rx" or "tx") with spi. */
bool eespd_sa_listed(const char *body, const char *peer, const char *dir, uint32_t spi);
/* The receive SPIs an sa-list reply lists for peer, at most max into out;
 * how many. */
unsigned eespd_sa_rx_spis(const char *body, const char *peer, uint32_t *out, unsigned max);

#endif /* IKED_EESPDCALL_H */
