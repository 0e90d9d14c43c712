/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_keyfile - libFuzzer harness for the key file parser (keyfile.h line
 * parser + eesp_keyfile_parse), checking the ring invariants on success.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile.h"
#include "keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ring(const struct eesp_ring *r)
{
	const struct eesp_root_gen *g = r->gen;
	for (int i = 0; i < EESP_GENS; i++)
		for (int j = i + 1; j < EESP_GENS; j++)
			if (g[i].present && g[j].present &&
			    (g[i].generation % 4 == g[j].generation % 4 ||
			     g[i].generation >= g[j].generation))
				abort(); /* phases must differ, order ascending */
	if ((g[EESP_GEN_PREVIOUS].present || g[EESP_GEN_NEXT].present) &&
	    !g[EESP_GEN_CURRENT].present)
		abort();
	for (unsigned p = 0; p < 4; p++) {
		const struct eesp_root_gen *x = eesp_ring_by_phase(r, p);
		if (x && x->generation % 4 != p)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct eesp_keyset *ks;
	struct eesp_keyfile_error err;
	struct eesp_keyfile_entry e;
	char msg[128];

	if (!ks)
		ks = eesp_keyset_new();
	if (!ks)
		return 0;
	/* the line parser on the whole input (no NUL termination assumed) */
	if (eesp_keyfile_line((const char *)data, size, &e, msg, sizeof(msg)) == 0 &&
	    (e.kind > EESP_KF_SA_PSP || e.key_len > sizeof(e.key)))
		abort();
	memset(ks, 0, sizeof(*ks));
	if (eesp_keyfile_parse(ks, (const char *)data, size, &err) == 0) {
		if (ks->n_tenants > EESP_MAX_TENANTS || ks->n_groups > EESP_MAX_GROUPS ||
		    ks->n_sa > EESP_MAX_SA)
			abort();
		check_ring(&ks->domain);
		for (unsigned i = 0; i < ks->n_tenants; i++)
			check_ring(&ks->tenant[i]);
		for (unsigned i = 0; i < ks->n_groups; i++)
			check_ring(&ks->group[i]);
	} else if (strnlen(err.msg, sizeof(err.msg)) == 0 ||
		   strnlen(err.msg, sizeof(err.msg)) == sizeof(err.msg)) {
		abort(); /* every error has a message */
	}
	return 0;
}
