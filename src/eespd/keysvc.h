/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keysvc.h - fresh SPIs and their data keys: spi-alloc for an out-of-band
 * client (PSP under the current master key, or an EESP profile-spi client),
 * and the same allocation for the runtime SAs of sa-rx-alloc/sa-tx-alloc
 * (saverbs.h).  Every SPI comes from the persisted allocator (spistate.h):
 * never handed out twice, never one the configuration names.
 */
#ifndef EESPD_KEYSVC_H
#define EESPD_KEYSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctlproto.h"
#include "eespd.h"
#include "strbuf.h"

/* A freshly allocated SA and what its key was derived under.  Holds the key:
 * wipe it (OPENSSL_cleanse) after use. */
struct keysvc_sa {
	uint32_t spi;
	bool psp;
	unsigned version; /* psp: 0..3 (2, 3: AES-GMAC) */
	unsigned master;  /* psp: the master key (SPI bit 31) */
	/* eesp profile spi: bound to Session ID 1, this epoch and phase */
	uint32_t session_id, epoch, generation;
	uint8_t phase;
	uint8_t key_len;
	uint8_t key[32];
	uint8_t salt[4];
};

/* PSP: a fresh SPI under the current master (spi_master) and its key for
 * version (-1: the configured one).  what names the verb in messages.  0,
 * or -1 with err. */
int keysvc_alloc_psp(struct eespd *e, int version, const char *what, struct keysvc_sa *sa,
		     char *err, size_t err_len);
/* EESP: a fresh SPI in domain c's [spi_min, spi_max] and its data key and
 * salt (c is a profile-spi domain of the running snapshot holding its root
 * key).  0, or -1 with err. */
int keysvc_alloc_eesp(struct eespd *e, const struct domain *c, const char *what,
		      struct keysvc_sa *sa, char *err, size_t err_len);

/* spi-alloc: the reply body in b (text or JSON, per r); 0, or -1 with err. */
int keysvc_spi_alloc(struct eespd *e, const struct eesp_ctl_req *r, struct strbuf *b, char *err,
		     size_t err_len);

#endif /* EESPD_KEYSVC_H */
