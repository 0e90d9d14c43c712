/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testdomain.h - the EESP domain the packet and train tests share: domain
 * 0xC0FFEE01 (SPIs 0x1000-0x1fff), epoch window 2, this end node 2, crypt
 * offsets up to 63, with its keys parsed from key file text, and the suite
 * fixture around it (C, KS, D).
 */
#ifndef EESP_TESTDOMAIN_H
#define EESP_TESTDOMAIN_H

#include <criterion/criterion.h>
#include <string.h>

#include "keys.h"
#include "packet.h"

#define DOM 0xC0FFEE01u

/* A keyset from key file text; asserts that it parses. */
static inline struct eesp_keyset *th_keys_from(const char *text)
{
	struct eesp_keyset *ks = eesp_keyset_new();
	struct eesp_keyfile_error e;

	cr_assert_not_null(ks);
	cr_assert_eq(eesp_keyfile_parse(ks, text, strlen(text), &e), 0, "line %u: %s", e.line,
		     e.msg);
	return ks;
}

static inline struct eesp_domain th_domain(struct eesp_keyset *ks)
{
	return (struct eesp_domain){.spi = DOM,
				    .spi_min = 0x1000,
				    .spi_max = 0x1fff,
				    .keys = ks,
				    .epoch_window = 2,
				    .self_node_id = 2,
				    .max_crypt_offset = 63};
}

/* The suite fixture: one crypto cache, the keyset, the domain. */
static struct eesp_crypto *C;
static struct eesp_keyset *KS;
static struct eesp_domain D;

static inline void th_domain_setup(const char *keys)
{
	C = eesp_crypto_new(64);
	cr_assert_not_null(C);
	KS = th_keys_from(keys);
	D = th_domain(KS);
}

static inline void th_domain_teardown(void)
{
	eesp_keyset_free(KS);
	eesp_crypto_free(C);
}

#endif
