/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_psp.c - PSP mode known answers.
 *
 * Sources: psp.md §3.7 (compact vectors A and B, produced by google/psp's
 * psp_encrypt and accepted by an independent decryptor), psp.md §2 (master
 * keys K0/K1 and the derived keys), and the public reference pcaps in
 * tests/data/psp-public/ (google/psp, Apache-2.0; see its README.md).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "packet.h"
#include "pcapfile.h"
#include "testhex.h"

static const char *K0 = "34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca";
static const char *K1 = "563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739";

/* psp.md §3.7: 74-byte cleartext frame, Eth + IPv4 10.0.0.1 -> 10.0.0.2,
 * UDP 11111 -> 22222, 32-byte payload 00..1f */
static const char *FRAME74 = "008899aabb0000223344550008004500003c00004000401126af0a0000010a000002"
			     "2b6756ce00287865"
			     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static struct eesp_crypto *C;

static void setup(void)
{
	C = eesp_crypto_new(64);
	cr_assert_not_null(C);
}
static void teardown(void)
{
	eesp_crypto_free(C);
}
TestSuite(psp, .init = setup, .fini = teardown);

/* Transport mode as psp_encrypt does it: the L4 segment (UDP header +
 * payload) follows the PSP header; crypt offset 1 exposes the ports. */
static void small_vector(bool vc, const char *aad_hex, const char *ct_hex, const char *icv_hex)
{
	uint8_t frame[74], key[16], out[256], aad[64], ct[64], icv[16];
	size_t n, aad_len, ct_len, l4 = 14 + 20;
	struct psp_hdr_params p = {.next_hdr = 17,
				   .crypt_off = vc ? 3 : 1,
				   .version = 0,
				   .v = vc,
				   .spi = 0x9a345678,
				   .iv = 1,
				   .vc = 0};

	cr_assert_eq(th_unhex(FRAME74, frame, sizeof(frame)), 74u);
	th_unhex("3946da2554eae46ad1ef77a64372edc4", key, 16); /* psp.md §2, K1 v0 */
	aad_len = th_unhex(aad_hex, aad, sizeof(aad));
	ct_len = th_unhex(ct_hex, ct, sizeof(ct));
	th_unhex(icv_hex, icv, 16);
	cr_assert_eq(psp_seal_with_key(C, key, &p, frame + l4, 74 - l4, out, sizeof(out), &n),
		     EESP_E_OK);
	cr_assert_eq(n, aad_len + ct_len + 16, "packet length %zu", n);
	th_assert_mem(out, aad, aad_len, "AAD (header + exposed bytes)");
	th_assert_mem(out + aad_len, ct, ct_len, "ciphertext");
	th_assert_mem(out + aad_len + ct_len, icv, 16, "ICV");

	/* and it opens back to the L4 segment, through the KDF from K1 */
	struct eesp_keyset *ks = eesp_keyset_new();
	struct psp_view v;
	size_t io, il;
	cr_assert_not_null(ks);
	th_unhex(K0, ks->psp_master[0], 32);
	th_unhex(K1, ks->psp_master[1], 32);
	ks->has_psp[0] = ks->has_psp[1] = true;
	cr_assert_eq(psp_parse(out, n, &v), EESP_E_OK);
	cr_assert_eq(psp_open(C, ks, out, n, &v, &io, &il), EESP_E_OK);
	cr_assert_eq(il, 74 - l4);
	th_assert_mem(out + io, frame + l4, il, "decrypted L4");
	/* flip one ciphertext bit: auth_failed */
	cr_assert_eq(psp_seal_with_key(C, key, &p, frame + l4, 74 - l4, out, sizeof(out), &n),
		     EESP_E_OK);
	out[aad_len + 3] ^= 0x10;
	cr_assert_eq(psp_open(C, ks, out, n, &v, &io, &il), EESP_E_AUTH);
	eesp_keyset_free(ks);
}

Test(psp, small_vector_A)
{
	small_vector(false, "110101019a34567800000000000000012b6756ce",
		     "69d35006906f6e952004d2f5c527abfac04aa637aa837fcff9f5108113a02588ccf58cff",
		     "4ae347a8de4650db2e12232aca13572a");
}

Test(psp, small_vector_B_with_vc)
{
	small_vector(true, "110203039a345678000000000000000100000000000000002b6756ce",
		     "69d35006906f6e952004d2f5c527abfac04aa637aa837fcff9f5108113a02588ccf58cff",
		     "d462e35c92da3ba4854a615c97ce91b6");
}

/* psp.md §1.2 example header and §3.7 frame start for the 1474-byte pcap */
Test(psp, header_bytes)
{
	uint8_t out[64], exp[16], in[8] = {0};
	size_t n;
	struct psp_hdr_params p = {
	    .next_hdr = 17, .crypt_off = 1, .version = 0, .spi = 0x9a345678, .iv = 1};
	uint8_t key[16] = {0};
	th_unhex("110101019a3456780000000000000001", exp, 16);
	cr_assert_eq(psp_seal_with_key(C, key, &p, in, sizeof(in), out, sizeof(out), &n),
		     EESP_E_OK);
	th_assert_mem(out, exp, 16, "PSP header");
	p.version = 1;
	cr_assert_eq(
	    psp_seal_with_key(C, (uint8_t[32]){0}, &p, in, sizeof(in), out, sizeof(out), &n),
	    EESP_E_OK);
	cr_assert_eq(out[3], 0x05);
}

Test(psp, tunnel_roundtrip_and_errors)
{
	uint8_t inner[60], out[256], key[32];
	size_t n, io, il;
	struct psp_view v;
	struct psp_hdr_params p = {
	    .next_hdr = 4, .crypt_off = 6, .version = 1, .spi = 0x1234, .iv = 77};
	memset(inner, 0xab, sizeof(inner));
	th_unhex("4500003c000000004011000002c000020c6336402000", inner, 22);
	inner[2] = 0;
	inner[3] = sizeof(inner);
	memset(key, 7, 32);
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, sizeof(inner), out, sizeof(out), &n),
		     EESP_E_OK);
	cr_assert_eq(psp_parse(out, n, &v), EESP_E_OK);
	cr_assert_eq(psp_open_with_key(C, key, 16, out, n, &v, &io, &il), EESP_E_NO_KEY);
	cr_assert_eq(psp_open_with_key(C, key, 32, out, n, &v, &io, &il), EESP_E_OK);
	cr_assert_eq(il, sizeof(inner));
	th_assert_mem(out + io, inner, il, "tunnel inner");
	/* AAD covers the exposed inner header: flipping a byte there fails auth */
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, sizeof(inner), out, sizeof(out), &n),
		     EESP_E_OK);
	out[16 + 12] ^= 1;
	cr_assert_eq(psp_open_with_key(C, key, 32, out, n, &v, &io, &il), EESP_E_AUTH);
	/* inner claims more bytes than there are: bad_inner after auth */
	inner[3] = (uint8_t)(sizeof(inner) + 4);
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, sizeof(inner), out, sizeof(out), &n),
		     EESP_E_OK);
	cr_assert_eq(psp_open_with_key(C, key, 32, out, n, &v, &io, &il), EESP_E_BAD_INNER);
	/* crypt offset past the payload is refused on send */
	p.crypt_off = 63;
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, sizeof(inner), out, sizeof(out), &n),
		     EESP_E_CRYPT_OFFSET);
	/* no master key for SPI bit 31 = 1 */
	struct eesp_keyset *ks = eesp_keyset_new();
	p.crypt_off = 0;
	p.spi = 0x80000001;
	inner[3] = sizeof(inner);
	cr_assert_eq(psp_seal_with_key(C, key, &p, inner, sizeof(inner), out, sizeof(out), &n),
		     EESP_E_OK);
	cr_assert_eq(psp_parse(out, n, &v), EESP_E_OK);
	ks->has_psp[0] = true;
	cr_assert_eq(psp_open(C, ks, out, n, &v, &io, &il), EESP_E_NO_KEY);
	eesp_keyset_free(ks);
}

/* ------------------------------- reference pcaps (tests/data/psp-public) -- */

/* relative to the repository root, where make check runs the unit tests */
#define REF_DIR "tests/data/psp-public/"

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc(n > 0 ? (size_t)n : 1);
	cr_assert_not_null(b);
	cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* The first record of a pcap, copied into out. */
static size_t first_frame(const uint8_t *buf, size_t len, uint8_t *out, size_t cap)
{
	struct pcap_reader r;
	struct pcap_rec rec;
	cr_assert_eq(pcap_reader_init(&r, buf, len), 0);
	cr_assert_eq(r.linktype, PCAP_LINKTYPE_ETHERNET);
	cr_assert_eq(pcap_reader_next(&r, &rec), 1);
	cr_assert(rec.caplen <= cap);
	memcpy(out, rec.data, rec.caplen);
	return rec.caplen;
}

static void ref_pcap(const char *name, uint8_t version, bool vc, uint8_t crypt_off)
{
	size_t clen, elen, cf, ef, io, il;
	uint8_t *cbuf = slurp(REF_DIR "psp_v4_cleartext.pcap", &clen), *ebuf;
	static uint8_t clear[2048], enc[2048];
	char path[256];
	struct frame_view cv, ev;
	struct psp_view v;
	struct eesp_keyset *ks;

	cr_assert_not_null(cbuf, "%s not found (run test_unit from the repository root)",
			   REF_DIR "psp_v4_cleartext.pcap");
	snprintf(path, sizeof(path), REF_DIR "%s", name);
	ebuf = slurp(path, &elen);
	cr_assert_not_null(ebuf, "%s not found", path);
	cf = first_frame(cbuf, clen, clear, sizeof(clear));
	ef = first_frame(ebuf, elen, enc, sizeof(enc));
	cr_assert_eq(cf, 1434u);
	cr_assert_eq(frame_parse(clear, cf, true, &cv), 0);
	cr_assert_eq(frame_parse(enc, ef, true, &ev), 0);
	cr_assert_eq(ev.proto, 17);
	cr_assert_eq(ev.dport, PSP_UDP_PORT);
	cr_assert_eq(psp_parse(enc + ev.payload_off, ev.payload_len, &v), EESP_E_OK);
	cr_assert_eq(v.spi, 0x9a345678u);
	cr_assert_eq(v.version, version);
	cr_assert_eq(v.v, vc);
	cr_assert_eq(v.crypt_off, crypt_off);
	cr_assert_eq(v.next_hdr, 17);

	ks = eesp_keyset_new();
	cr_assert_not_null(ks);
	th_unhex(K0, ks->psp_master[0], 32);
	th_unhex(K1, ks->psp_master[1], 32);
	ks->has_psp[0] = ks->has_psp[1] = true;
	cr_assert_eq(psp_open(C, ks, enc + ev.payload_off, ev.payload_len, &v, &io, &il), EESP_E_OK,
		     "%s does not decrypt", name);
	/* transport mode: the plaintext is the original L4 header + payload */
	cr_assert_eq(il, cv.l3_off + cv.ip_len - cv.l4_off, "inner length %zu", il);
	th_assert_mem(enc + ev.payload_off + io, clear + cv.l4_off, il, "%s plaintext", name);
	eesp_keyset_free(ks);
	free(cbuf);
	free(ebuf);
}

Test(psp, ref_pcap_transport_128)
{
	ref_pcap("psp_v4_encrypt_transport_crypt_off_128.pcap", 0, false, 1);
}
Test(psp, ref_pcap_transport_128_vc)
{
	ref_pcap("psp_v4_encrypt_transport_crypt_off_128_vc.pcap", 0, true, 3);
}
Test(psp, ref_pcap_transport_256)
{
	ref_pcap("psp_v4_encrypt_transport_crypt_off_256.pcap", 1, false, 1);
}
