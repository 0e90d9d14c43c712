/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_psp_gmac.c - PSP versions 2 and 3 (AES-GMAC-128/256, integrity only).
 *
 * No public implementation or vector exists for them (psp.md §1.7); the
 * rules are eesp's reading, written down in man/eesp.7 "PSP versions 2 and
 * 3".  The known answers below were computed outside the code base:
 *  - derived keys: `openssl mac -cipher AES-256-CBC ... CMAC` over the
 *    block [i]_32 || "Pv2"/"Pv3" 0x00 || SPI || [L]_32 with the spec's
 *    master keys K0/K1;
 *  - tags: `openssl mac -cipher AES-128-GCM ... GMAC` (NIST SP 800-38D's
 *    GMAC, an EVP path the core does not use) and Python's `cryptography`
 *    AESGCM with an empty plaintext, over the whole PSP packet before the ICV.
 * It asserts: the keys, the tags, the payload in clear, round trips through
 * the master keys and an SA key, that changing any single bit of a packet
 * makes the receiver drop it, that a key of the wrong size for the version
 * is refused, that a Crypt Offset other than 0 is refused on send and
 * dropped on receive (psp_gmac_crypt_offset), and that a GMAC key is never
 * the GCM key of the same SPI.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "kdf.h"
#include "keys.h"
#include "names.h"
#include "packet.h"
#include "testhex.h"

static const char *K0 = "34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca";
static const char *K1 = "563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739";

/* the L4 segment of psp.md §3.7's 74-byte frame: UDP 11111 -> 22222 and
 * the payload 00..1f (transport mode, Next Header 17) */
static const char *L4 = "2b6756ce00287865"
			"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static struct eesp_crypto *C;
static struct eesp_keyset *KS;

static void setup(void)
{
	C = eesp_crypto_new(64);
	KS = eesp_keyset_new();
	cr_assert_not_null(C);
	cr_assert_not_null(KS);
	th_unhex(K0, KS->psp_master[0], 32);
	th_unhex(K1, KS->psp_master[1], 32);
	KS->has_psp[0] = KS->has_psp[1] = true;
}
static void teardown(void)
{
	eesp_keyset_free(KS);
	eesp_crypto_free(C);
}
TestSuite(psp_gmac, .init = setup, .fini = teardown);

static void derived(const char *master, uint32_t spi, unsigned ver, const char *want_hex)
{
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	uint8_t mk[32], key[32], want[32];
	size_t n = th_unhex(want_hex, want, sizeof(want));

	cr_assert_not_null(k);
	th_unhex(master, mk, 32);
	cr_assert_eq(n, psp_version_key_len(ver));
	cr_assert_eq(psp_derive_key(k, mk, spi, ver, key), EESP_E_OK);
	th_assert_mem(key, want, n, "PSP v%u key of SPI %08x", ver, spi);
	eesp_kdf_ctx_free(k);
}

Test(psp_gmac, derived_keys)
{
	derived(K0, 0x12345678, 2, "186e6a36e8b4a7ca1fd12eaca5a33357");
	derived(K1, 0x9a345678, 2, "c42b1b69404d8338329b8ab392e87bb8");
	derived(K0, 0x12345678, 3,
		"5c1f322a681fdcb31060c635d870567073495c29e55c66463e1f9e5054813ebc");
	derived(K1, 0x9a345678, 3,
		"1d5368a6bcc99c72dfb6f255fa2c4801ac303820e94e475573ad01df8f4d475a");
}

Test(psp_gmac, label_and_key_len)
{
	uint8_t l[4];
	psp_kdf_label(l, 2);
	th_assert_mem(l, (const uint8_t *)"Pv2", 4, "v2 label");
	psp_kdf_label(l, 3);
	th_assert_mem(l, (const uint8_t *)"Pv3", 4, "v3 label");
	cr_assert_eq(psp_version_key_len(2), 16u);
	cr_assert_eq(psp_version_key_len(3), 32u);
	cr_assert_eq(psp_version_key_len(4), 0u);
	cr_assert(psp_version_is_gmac(2) && psp_version_is_gmac(3));
	cr_assert(!psp_version_is_gmac(0) && !psp_version_is_gmac(1) && !psp_version_is_gmac(4));
	cr_assert_str_eq(eesp_name_of(eesp_psp_version_names, 2), "aes-gmac-128");
	cr_assert_str_eq(eesp_name_of(eesp_psp_version_names, 3), "aes-gmac-256");
}

/* a GMAC key is never the GCM key of the same SPI (key separation) */
Test(psp_gmac, keys_differ_from_gcm)
{
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	uint8_t a[32], b[32];
	cr_assert_not_null(k);
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], 0x9a345678, 0, a), 0);
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], 0x9a345678, 2, b), 0);
	cr_assert_neq(memcmp(a, b, 16), 0, "v0 and v2 keys equal");
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], 0x9a345678, 1, a), 0);
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], 0x9a345678, 3, b), 0);
	cr_assert_neq(memcmp(a, b, 32), 0, "v1 and v3 keys equal");
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], 0x9a345678, 4, a), EESP_E_INVALID);
	eesp_kdf_ctx_free(k);
}

/* Seal the L4 segment in transport mode under the derived key of K1/SPI
 * 9a345678 and compare with the known header and tag. */
static size_t seal_known(unsigned ver, bool vc, const char *hdr_hex, const char *tag_hex,
			 uint8_t *out, size_t cap)
{
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	uint8_t l4[40], key[32], hdr[24], tag[16];
	size_t n, hl = th_unhex(hdr_hex, hdr, sizeof(hdr));
	struct psp_hdr_params p = {
	    .next_hdr = 17, .version = (uint8_t)ver, .v = vc, .spi = 0x9a345678, .iv = 1};

	cr_assert_not_null(k);
	cr_assert_eq(th_unhex(L4, l4, sizeof(l4)), 40u);
	th_unhex(tag_hex, tag, 16);
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], p.spi, ver, key), 0);
	eesp_kdf_ctx_free(k);
	cr_assert_eq(psp_seal_with_key(C, key, &p, l4, sizeof(l4), out, cap, &n), EESP_E_OK);
	cr_assert_eq(n, hl + sizeof(l4) + PSP_ICV_LEN, "packet length %zu", n);
	th_assert_mem(out, hdr, hl, "v%u header", ver);
	th_assert_mem(out + hl, l4, sizeof(l4), "v%u payload in clear", ver);
	th_assert_mem(out + n - PSP_ICV_LEN, tag, 16, "v%u ICV", ver);
	return n;
}

/* open through the master keys: the L4 segment comes back where it was */
static void opens(uint8_t *pkt, size_t n, size_t hl)
{
	struct psp_view v;
	size_t io, il;
	cr_assert_eq(psp_parse(pkt, n, &v), EESP_E_OK);
	cr_assert_eq(v.aad_len, n - PSP_ICV_LEN, "AAD: everything before the ICV");
	cr_assert_eq(v.ct_len, 0u, "nothing encrypted");
	cr_assert_eq(psp_open(C, KS, pkt, n, &v, &io, &il), EESP_E_OK);
	cr_assert_eq(io, hl);
	cr_assert_eq(il, 40u);
}

Test(psp_gmac, known_v2)
{
	uint8_t out[128];
	size_t n = seal_known(2, false, "110100099a3456780000000000000001",
			      "146e1a986e560a802d3f6d1846b75566", out, sizeof(out));
	opens(out, n, 16);
}

Test(psp_gmac, known_v2_vc)
{
	uint8_t out[128];
	size_t n = seal_known(2, true, "1102000b9a34567800000000000000010000000000000000",
			      "74bee3a6fdcda06275e57336f54b440e", out, sizeof(out));
	opens(out, n, 24);
}

Test(psp_gmac, known_v3)
{
	uint8_t out[128];
	size_t n = seal_known(3, false, "1101000d9a3456780000000000000001",
			      "6404444a5321c0684a2150a652212168", out, sizeof(out));
	opens(out, n, 16);
}

Test(psp_gmac, known_v3_vc)
{
	uint8_t out[128];
	size_t n = seal_known(3, true, "1102000f9a34567800000000000000010000000000000000",
			      "206562c1ed8c517b4684723744a0c86c", out, sizeof(out));
	opens(out, n, 24);
}

/* A tunnel-mode IPv4 packet (the daemon's mode): 20-byte header + UDP + data. */
static size_t tunnel_inner(uint8_t *p)
{
	memset(p, 0, 60);
	th_unhex("450000"
		 "3c"
		 "00000000401100"
		 "00"
		 "c0000201c6336402"
		 "04d2162e00280000",
		 p, 28);
	for (size_t i = 28; i < 60; i++)
		p[i] = (uint8_t)i;
	return 60;
}

static size_t seal_tunnel(unsigned ver, bool vc, uint8_t *out, size_t cap, uint8_t *key)
{
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	uint8_t inner[60];
	size_t n, il = tunnel_inner(inner);
	struct psp_hdr_params p = {.next_hdr = 4,
				   .version = (uint8_t)ver,
				   .v = vc,
				   .vc = 0x1122334455667788ull,
				   .spi = 0x80000042,
				   .iv = 0x0102030405060708ull};
	cr_assert_not_null(k);
	cr_assert_eq(psp_derive_key(k, KS->psp_master[1], p.spi, ver, key), 0);
	eesp_kdf_ctx_free(k);
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out, cap, &n), EESP_E_OK);
	return n;
}

static void roundtrip(unsigned ver, bool vc)
{
	uint8_t out[256], key[32], inner[60];
	size_t n = seal_tunnel(ver, vc, out, sizeof(out), key), io, il, hl = vc ? 24 : 16;
	struct psp_view v;

	tunnel_inner(inner);
	cr_assert_eq(n, hl + sizeof(inner) + PSP_ICV_LEN);
	th_assert_mem(out + hl, inner, sizeof(inner), "v%u: inner packet in clear", ver);
	cr_assert_eq(psp_parse(out, n, &v), EESP_E_OK);
	cr_assert_eq(v.version, ver);
	cr_assert_eq(psp_open(C, KS, out, n, &v, &io, &il), EESP_E_OK);
	cr_assert_eq(io, hl);
	cr_assert_eq(il, sizeof(inner));
	th_assert_mem(out + io, inner, il, "v%u: delivered inner", ver);
	/* the same with the sender's data key (psp_open_with_key) */
	cr_assert_eq(psp_open_with_key(C, key, psp_version_key_len(ver), out, n, &v, &io, &il),
		     EESP_E_OK);
	/* a key of the other size is refused before any crypto */
	cr_assert_eq(psp_open_with_key(C, key, ver == 2 ? 32 : 16, out, n, &v, &io, &il),
		     EESP_E_NO_KEY);
}

Test(psp_gmac, tunnel_roundtrip)
{
	roundtrip(2, false);
	roundtrip(3, false);
	roundtrip(2, true);
	roundtrip(3, true);
}

/*
 * Every single-bit change anywhere in the packet makes the receiver drop
 * it: in the header (a parse error, or an authentication failure: the whole
 * header is AAD), in the clear payload (auth_failed: it is AAD too) and in
 * the ICV (auth_failed).
 */
static void tamper_all(unsigned ver)
{
	uint8_t good[256], pkt[256], key[32];
	size_t n = seal_tunnel(ver, true, good, sizeof(good), key), io, il;
	unsigned auth = 0;

	for (size_t i = 0; i < n; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			struct psp_view v;
			int e;
			memcpy(pkt, good, n);
			pkt[i] ^= (uint8_t)(1u << bit);
			e = psp_parse(pkt, n, &v);
			if (e == EESP_E_OK)
				e = psp_open(C, KS, pkt, n, &v, &io, &il);
			cr_assert_neq(e, EESP_E_OK, "v%u: byte %zu bit %u changed, still accepted",
				      ver, i, bit);
			if (i >= 24) /* payload and ICV: nothing but the tag can catch it */
				cr_assert_eq(e, EESP_E_AUTH, "v%u: byte %zu bit %u: %s", ver, i,
					     bit, eesp_err_name(e));
			auth += e == EESP_E_AUTH;
		}
	cr_assert_geq(auth, 8 * (n - 24), "v%u: only %u auth failures", ver, auth);
}

Test(psp_gmac, tamper_any_bit_v2)
{
	tamper_all(2);
}

Test(psp_gmac, tamper_any_bit_v3)
{
	tamper_all(3);
}

/* Crypt Offset must be 0: refused on send, dropped on receive under
 * psp_gmac_crypt_offset (before any key is derived), even when the tag was
 * computed over the changed byte. */
Test(psp_gmac, crypt_offset_refused)
{
	uint8_t out[256], key[32], inner[60], hdr[32];
	size_t il = tunnel_inner(inner), n, io, ol;
	struct psp_hdr_params p = {.next_hdr = 4, .crypt_off = 6, .version = 2, .spi = 0x42};
	struct psp_view v;

	memset(key, 9, sizeof(key));
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out, sizeof(out), &n),
		     EESP_E_PSP_GMAC_CO);
	cr_assert_eq(psp_build_header(hdr, sizeof(hdr), &p), 0u);
	p.version = 3;
	p.crypt_off = 1;
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out, sizeof(out), &n),
		     EESP_E_PSP_GMAC_CO);
	/* a v3 packet whose crypt offset is set afterwards, every value 1..63 */
	p.crypt_off = 0;
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out, sizeof(out), &n), EESP_E_OK);
	for (unsigned co = 1; co <= PSP_CRYPT_OFFSET_MAX; co++) {
		uint8_t b = out[2];
		out[2] = (uint8_t)((b & ~PSP_CRYPT_OFFSET_MASK) | co);
		cr_assert_eq(psp_parse(out, n, &v), EESP_E_PSP_GMAC_CO, "crypt offset %u", co);
		out[2] = b;
	}
	cr_assert_eq(psp_parse(out, n, &v), EESP_E_OK);
	cr_assert_eq(psp_open_with_key(C, key, 32, out, n, &v, &io, &ol), EESP_E_OK);
	cr_assert_str_eq(eesp_err_name(EESP_E_PSP_GMAC_CO), "psp_gmac_crypt_offset");
	/* the GCM versions keep their crypt offsets */
	p.version = 1;
	p.crypt_off = 6;
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out, sizeof(out), &n), EESP_E_OK);
	cr_assert_eq(psp_parse(out, n, &v), EESP_E_OK);
	cr_assert_eq(v.aad_len, 16u + 24u);
}

/* Reserved versions 4..15 are still dropped as bad_version; a sender
 * refuses them. */
Test(psp_gmac, reserved_versions)
{
	uint8_t out[256], key[32], inner[60];
	size_t il = tunnel_inner(inner), n;
	struct psp_hdr_params p = {.next_hdr = 4, .version = 3, .spi = 0x42};
	struct psp_view v;

	memset(key, 9, sizeof(key));
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out, sizeof(out), &n), EESP_E_OK);
	for (unsigned ver = 4; ver <= 15; ver++) {
		out[3] =
		    (uint8_t)((out[3] & ~(PSP_VER_MASK << PSP_VER_SHIFT)) | ver << PSP_VER_SHIFT);
		cr_assert_eq(psp_parse(out, n, &v), EESP_E_BAD_VERSION, "version %u", ver);
		p.version = (uint8_t)ver;
		cr_assert_eq(psp_seal_with_key(C, key, &p, inner, il, out + 128, 128, &n),
			     EESP_E_INVALID, "seal version %u", ver);
		p.version = 3;
		n = 16 + il + 16;
	}
}
