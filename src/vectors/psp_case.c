/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * psp_case.c - one PSP tunnel-mode vector with the specification's master
 * keys (psp.md section 2): the packet from psp_seal_with_key and a JSON file
 * with the derived key, nonce, AAD, plaintext and tag.  Versions 2 and 3
 * (AES-GMAC) have an empty plaintext and ciphertext, the whole packet before
 * the ICV as AAD, and add "kdf_label" (their label is eesp's choice,
 * eesp.7); the JSON of versions 0 and 1 is as it always was.
 */
#include "vecgen.h"

#include <stdio.h>
#include <string.h>

#include "names.h"
#include "secmem.h"

int vec_gen_psp_case(struct eesp_crypto *c, struct eesp_kdf_ctx *kdf, const struct pcase *v,
		     unsigned idx, struct strbuf *index, vec_emit_fn emit, void *arg)
{
	struct psp_hdr_params p = {.next_hdr = v->inner == IN_UDP6 ? 41 : 4,
				   .crypt_off = v->crypt_off,
				   .version = v->version,
				   .v = v->vc,
				   .spi = v->spi,
				   .iv = ((uint64_t)VEC_TS_BASE << 32) + 1 + idx,
				   .vc = v->vc ? 0x0000000100000002ull : 0};
	uint64_t rng = vec_rng_seed(v->name);
	uint8_t mk[32], key[32], inner[256], pkt[2048], hdr[32];
	size_t il, len, kl = psp_version_key_len(v->version), aad, hl;
	bool gmac = psp_version_is_gmac(v->version);
	unsigned sel = (v->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0;
	struct strbuf j = {0};
	char fname[96];
	int rc;

	vec_unhex(VEC_PSP_K[sel], mk);
	rc = psp_derive_key(kdf, mk, v->spi, v->version, key);
	if (rc)
		return rc;
	il = vec_make_inner(v->inner, &rng, inner, sizeof(inner));
	if (!il)
		return EESP_E_NOSPACE;
	rc = psp_seal_with_key(c, key, &p, inner, il, pkt, sizeof(pkt), &len);
	if (rc)
		return rc;
	hl = psp_build_header(hdr, sizeof(hdr), &p);
	/* GMAC: everything before the ICV is AAD (eesp.7) */
	aad = gmac ? len - PSP_ICV_LEN : PSP_HDR_LEN + 4u * v->crypt_off;
	strbuf_printf(&j,
		      "{\n  \"name\": \"%s\",\n  \"description\": \"%s\",\n  \"mode\": \"%s\",\n",
		      v->name, v->desc, eesp_name_of(eesp_mode_names, EESP_MODE_PSP));
	strbuf_printf(&j, "  \"master_key_index\": %u,\n  \"master_key\": \"%s\",\n", sel,
		      VEC_PSP_K[sel]);
	strbuf_printf(&j, "  \"spi\": \"%08x\",\n  \"version\": %u,\n  \"iv\": \"%016llx\",\n",
		      v->spi, v->version, (unsigned long long)p.iv);
	strbuf_printf(&j, "  \"next_header\": %u,\n  \"crypt_offset\": %u,\n  \"vc\": %s,\n",
		      p.next_hdr, v->crypt_off, v->vc ? "true" : "false");
	if (gmac) {
		uint8_t label[PSP_KDF_LABEL_LEN];
		psp_kdf_label(label, v->version);
		vec_json_hex(&j, "kdf_label", label, sizeof(label), false);
	}
	vec_json_hex(&j, "derived_key", key, kl, false);
	vec_json_hex(&j, "nonce", pkt + 4, 12, false);
	vec_json_hex(&j, "inner_packet", inner, il, false);
	vec_json_hex(&j, "aad", pkt, aad, false);
	{
		uint8_t clear[2048];
		memcpy(clear, hdr, hl);
		memcpy(clear + hl, inner, il);
		vec_json_hex(&j, "plaintext", clear + aad, hl + il - aad, false);
	}
	vec_json_hex(&j, "ciphertext", pkt + aad, len - PSP_ICV_LEN - aad, false);
	vec_json_hex(&j, "tag", pkt + len - PSP_ICV_LEN, PSP_ICV_LEN, false);
	vec_json_hex(&j, "packet", pkt, len, false);
	strbuf_printf(&j, "  \"pcap\": \"%s.pcap\",\n  \"udp_dport\": %u\n}\n", v->name,
		      PSP_UDP_PORT);
	eesp_wipe(key, sizeof(key));
	if (j.oom) {
		strbuf_free(&j);
		return EESP_E_NOSPACE;
	}
	snprintf(fname, sizeof(fname), "%s.json", v->name);
	rc = emit(arg, fname, (const uint8_t *)j.p, j.len);
	strbuf_free(&j);
	if (!rc)
		rc = vec_emit_pcap(emit, arg, v->name, (uint16_t)(49152 + idx), PSP_UDP_PORT, pkt,
				   len, VEC_TS_BASE + idx);
	strbuf_printf(index, "%-28s %-5s %s\n", v->name,
		      eesp_name_of(eesp_mode_names, EESP_MODE_PSP), v->desc);
	return rc;
}
