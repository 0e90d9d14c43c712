/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vectors.c - eesp_vectors_generate (vectors.h): the key files, every case
 * in its fixed order (EESP, PSP, receive rules, PSP AES-GMAC), the pair-key
 * cases, then index.txt.
 */
#include "vectors.h"

#include "keys.h"
#include "names.h"
#include "vecgen.h"

int eesp_vectors_generate(vec_emit_fn emit, void *arg)
{
	struct eesp_crypto *c = eesp_crypto_new(64);
	struct eesp_kdf_ctx *kdf = eesp_kdf_ctx_new();
	struct eesp_keyset *ks = eesp_keyset_new();
	struct strbuf keys = {0}, pkeys = {0}, index = {0};
	struct eesp_keyfile_error kerr;
	struct eesp_domain d = {.spi = EESP_VEC_DOMAIN,
				.spi_min = EESP_VEC_SPI_MIN,
				.spi_max = EESP_VEC_SPI_MAX,
				.epoch_window = 0xffffffffu,
				.self_node_id = VEC_PEER_ID,
				.max_crypt_offset = 63};
	unsigned i, n = 0;
	int rc = EESP_E_NOSPACE;

	if (!c || !kdf || !ks)
		goto out;
	strbuf_printf(&keys,
		      "# eesp test vectors: root keys of domain 0x%08x (see vectors/README.md).\n"
		      "# Key i = SHA-256(\"eesp test vectors: <level> <id> generation <gen>\").\n"
		      "# TEST KEYS ONLY - published, never use them for real traffic.\n"
		      "%s 0x%08x\n",
		      EESP_VEC_DOMAIN, eesp_name_of(eesp_level_names, EESP_LEVEL_DOMAIN),
		      EESP_VEC_DOMAIN);
	for (i = 0; i < VEC_NKEYS; i++) {
		uint8_t k[32];
		if ((rc = vec_root_key(VEC_KEYS[i].level, VEC_KEYS[i].id, VEC_KEYS[i].gen, k)))
			goto out;
		strbuf_printf(&keys, "%s %u %u ", eesp_name_of(eesp_level_names, VEC_KEYS[i].level),
			      VEC_KEYS[i].id, VEC_KEYS[i].gen);
		strbuf_hex(&keys, k, 32);
		if (VEC_KEYS[i].next)
			strbuf_printf(&keys, " %s", eesp_name_of(eesp_slot_names, EESP_GEN_NEXT));
		strbuf_printf(&keys, "\n");
	}
	strbuf_printf(&pkeys,
		      "# PSP master keys K0/K1 of the PSP specification (psp.md section 2).\n"
		      "# TEST KEYS ONLY.\n%s 0 %s\n%s 1 %s\n",
		      eesp_name_of(eesp_mode_names, EESP_MODE_PSP), VEC_PSP_K[0],
		      eesp_name_of(eesp_mode_names, EESP_MODE_PSP), VEC_PSP_K[1]);
	rc = EESP_E_NOSPACE;
	if (keys.oom || pkeys.oom)
		goto out;
	if (eesp_keyfile_parse(ks, keys.p, keys.len, &kerr)) {
		rc = EESP_E_INVALID;
		goto out;
	}
	d.keys = ks;
	strbuf_printf(&index,
		      "# eesp test vectors: case, mode, description.  Each case has\n"
		      "# <case>.json and <case>.pcap; keys in keys/eesp.keys and keys/psp.keys.\n");
	for (i = 0; i < VEC_NCASES; i++)
		if ((rc = vec_gen_eesp_case(c, kdf, &d, &VEC_CASES[i], NULL, n++, &index, emit,
					    arg)))
			goto out;
	for (i = 0; i < VEC_NPCASES; i++)
		if ((rc = vec_gen_psp_case(c, kdf, &VEC_PCASES[i], n++, &index, emit, arg)))
			goto out;
	for (i = 0; i < VEC_NRCASES; i++)
		if ((rc = vec_gen_eesp_case(c, kdf, &d, &VEC_RCASES[i].v, &VEC_RCASES[i], n++,
					    &index, emit, arg)))
			goto out;
	for (i = 0; i < VEC_NGCASES; i++)
		if ((rc = vec_gen_psp_case(c, kdf, &VEC_GCASES[i], n++, &index, emit, arg)))
			goto out;
	if ((rc = vec_gen_pairkey_cases(emit, arg)))
		goto out;
	rc = EESP_E_NOSPACE;
	if (index.oom)
		goto out;
	if ((rc = emit(arg, "keys/eesp.keys", (const uint8_t *)keys.p, keys.len)) ||
	    (rc = emit(arg, "keys/psp.keys", (const uint8_t *)pkeys.p, pkeys.len)) ||
	    (rc = emit(arg, "index.txt", (const uint8_t *)index.p, index.len)))
		goto out;
	rc = EESP_E_OK;
out:
	strbuf_free(&keys); /* wipes: the file holds root keys */
	strbuf_free(&pkeys);
	strbuf_free(&index);
	eesp_keyset_free(ks);
	eesp_kdf_ctx_free(kdf);
	eesp_crypto_free(c);
	return rc;
}
