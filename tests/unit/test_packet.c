/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_packet.c - EESP seal/open: round trips over every profile x KDF x
 * suite x crypt offset with IPv4 and IPv6 inner packets, and each drop rule
 * of the key/policy/AEAD/inner stages (design.md receive order).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "aead.h"
#include "keys.h"
#include "packet.h"
#include "pcapfile.h"
#include "testdomain.h"
#include "testhex.h"

/* domain gens 7 (phase 3) and 8 (phase 0, current); tenant 5 gen 2;
 * group 9 gen 1 (hex keys are arbitrary test values) */
static const char *KEYS =
    "# test keys\n"
    "domain 0xC0FFEE01\n"
    "domain 0 7 0707070707070707070707070707070707070707070707070707070707070707\n"
    "domain 0 8 0808080808080808080808080808080808080808080808080808080808080808\n"
    "tenant 5 2 5252525252525252525252525252525252525252525252525252525252525252\n"
    "group 9 1 9191919191919191919191919191919191919191919191919191919191919191\n";

static void setup(void)
{
	th_domain_setup(KEYS);
}

TestSuite(packet, .init = setup, .fini = th_domain_teardown);

static size_t inner_pkt(int family, uint8_t *out, size_t cap, size_t payload_len)
{
	uint8_t payload[512];
	struct udp_frame_params p = {.family = family, .sport = 5353, .dport = 53};
	for (size_t i = 0; i < payload_len; i++)
		payload[i] = (uint8_t)(i * 7 + family);
	if (family == 4) {
		memcpy(p.src, (uint8_t[]){192, 0, 2, 1}, 4);
		memcpy(p.dst, (uint8_t[]){198, 51, 100, 2}, 4);
	} else {
		th_unhex("20010db8000000000000000000000001", p.src, 16);
		th_unhex("20010db8000000000000000000000002", p.dst, 16);
	}
	size_t n = ip_build_udp(out, cap, &p, payload, payload_len);
	cr_assert(n > 0);
	return n;
}

static struct eesp_hdr_params params(unsigned profile, unsigned kdf, unsigned suite, unsigned co)
{
	struct eesp_hdr_params p = {
	    .session_id = 3, .sn = 0x5f000000000001ull, .crypt_offset = (uint8_t)co};
	p.sctx.profile = (uint8_t)profile;
	p.sctx.kdf = (uint8_t)kdf;
	p.sctx.suite = (uint8_t)suite;
	p.sctx.phase[0] = 0; /* generation 8 */
	p.sctx.epoch = 100;
	p.spi = profile == EESP_PROFILE_SPI ? 0x1234 : DOM;
	if (profile != EESP_PROFILE_SPI)
		p.sctx.node_id = 1;
	if (profile == EESP_PROFILE_PAIR)
		p.sctx.peer_node_id = 2;
	if (profile == EESP_PROFILE_TENANT) {
		p.sctx.flags = EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G;
		p.sctx.tenant_id = 5;
		p.sctx.phase[1] = 2;
		p.sctx.group_id = 9;
		p.sctx.phase[2] = 1;
	}
	return p;
}

static int seal_open(const struct eesp_hdr_params *p, const uint8_t *inner, size_t il, uint8_t *pkt,
		     size_t *len, size_t *io, size_t *olen)
{
	struct eesp_view v;
	int rc = eesp_seal(C, &D, p, inner, il, pkt, 2048, len);
	cr_assert_eq(rc, EESP_E_OK, "seal: %s", eesp_err_name(rc));
	rc = eesp_parse(pkt, *len, 63, &v);
	cr_assert_eq(rc, EESP_E_OK, "parse: %s", eesp_err_name(rc));
	return eesp_open(C, &D, 101, pkt, *len, &v, io, olen);
}

Test(packet, roundtrip_matrix)
{
	static const unsigned cos[] = {0, 1, 7};
	unsigned count = 0;
	for (unsigned prof = 1; prof <= 4; prof++)
		for (unsigned kdf = 1; kdf <= 2; kdf++)
			for (unsigned suite = 1; suite <= 2; suite++)
				for (unsigned ci = 0; ci < 3; ci++)
					for (int fam = 4; fam <= 6; fam += 2) {
						uint8_t inner[256], pkt[2048], pkt2[2048];
						struct eesp_hdr_params p =
						    params(prof, kdf, suite, cos[ci]);
						struct eesp_dkey dk;
						struct eesp_view v;
						size_t il =
						    inner_pkt(fam, inner, sizeof(inner), 33 + prof);
						size_t len, len2, io, ol;
						int rc =
						    seal_open(&p, inner, il, pkt, &len, &io, &ol);
						cr_assert_eq(rc, EESP_E_OK,
							     "open prof %u kdf %u suite %u co %u "
							     "v%d: %s",
							     prof, kdf, suite, cos[ci], fam,
							     eesp_err_name(rc));
						cr_assert_eq(ol, il);
						th_assert_mem(pkt + io, inner, il, "inner");
						/* the key given out of band seals the same bytes */
						cr_assert_eq(eesp_data_key_for(C, &D, &p, &dk),
							     EESP_E_OK);
						cr_assert_eq(
						    eesp_seal_with_key(C, &dk, &p, inner, il, pkt2,
								       sizeof(pkt2), &len2),
						    EESP_E_OK);
						cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt,
								       sizeof(pkt), &len),
							     EESP_E_OK);
						cr_assert_eq(len, len2);
						th_assert_mem(pkt2, pkt, len, "with_key vs seal");
						cr_assert_eq(eesp_parse(pkt2, len2, 63, &v),
							     EESP_E_OK);
						cr_assert_eq(eesp_open_with_key(C, &dk, pkt2, len2,
										&v, &io, &ol),
							     EESP_E_OK);
						th_assert_mem(pkt2 + io, inner, il,
							      "with_key open");
						/* crypt offset exposes exactly what it says */
						if (cos[ci]) {
							cr_assert_eq(v.aad_len,
								     v.hdr_len + 4 * cos[ci]);
							cr_assert_eq(pkt[v.hdr_len + 2],
								     fam == 4 ? 4 : 41);
						}
						count++;
					}
	cr_assert_eq(count, 4 * 2 * 2 * 3 * 2);
}

Test(packet, in_place_seal)
{
	uint8_t buf[2048], inner[256];
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 2, 0);
	size_t il = inner_pkt(4, inner, sizeof(inner), 40), hl = eesp_header_len(&p), len, io, ol;
	struct eesp_view v;
	memcpy(buf + hl, inner, il);
	cr_assert_eq(eesp_seal(C, &D, &p, buf + hl, il, buf, sizeof(buf), &len), EESP_E_OK);
	cr_assert_eq(eesp_parse(buf, len, 63, &v), EESP_E_OK);
	cr_assert_eq(eesp_open(C, &D, 100, buf, len, &v, &io, &ol), EESP_E_OK);
	th_assert_mem(buf + io, inner, il, "in-place");
}

static int open_bytes(uint8_t *pkt, size_t len, uint32_t epoch)
{
	struct eesp_view v;
	size_t io, ol;
	int rc = eesp_parse(pkt, len, 63, &v);
	cr_assert_eq(rc, EESP_E_OK, "parse: %s", eesp_err_name(rc));
	return eesp_open(C, &D, epoch, pkt, len, &v, &io, &ol);
}

Test(packet, tag_mismatch_is_auth_failed)
{
	uint8_t inner[256], pkt[2048];
	struct eesp_hdr_params p = params(EESP_PROFILE_PAIR, 2, 1, 7);
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len;
	size_t where[4];
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	where[0] = len - 1;  /* ICV */
	where[1] = len - 20; /* ciphertext */
	where[2] = 2;	     /* Session ID: AAD, also the KDF context */
	where[3] = 0;	     /* placeholder: exposed inner byte below */
	{
		struct eesp_view v;
		cr_assert_eq(eesp_parse(pkt, len, 63, &v), EESP_E_OK);
		where[3] = v.aad_len - 1; /* last exposed (authenticated, clear) byte */
	}
	for (unsigned i = 0; i < 4; i++) {
		uint8_t copy[2048];
		memcpy(copy, pkt, len);
		copy[where[i]] ^= 0x01;
		cr_assert_eq(open_bytes(copy, len, 100), EESP_E_AUTH, "flip at %zu", where[i]);
	}
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_OK);
}

Test(packet, unknown_generation_and_no_key)
{
	uint8_t inner[256], pkt[2048];
	size_t il = inner_pkt(6, inner, sizeof(inner), 20), len;
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 1, 0);
	/* phase 1 (generation 5 or 9) is not live here: seal refuses, and a
	 * packet claiming it (sealed by a keyset that has it) is dropped */
	p.sctx.phase[0] = 1;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_UNKNOWN_GEN);
	{
		struct eesp_keyset *other = th_keys_from(
		    "domain 0 9 "
		    "0909090909090909090909090909090909090909090909090909090909090909\n");
		struct eesp_domain d2 = D;
		d2.keys = other;
		cr_assert_eq(eesp_seal(C, &d2, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
		eesp_keyset_free(other);
		eesp_crypto_flush(C);
	}
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_UNKNOWN_GEN);

	/* tenant 6 is not held: no_key; tenant 5 with a dead phase: unknown_generation */
	p = params(EESP_PROFILE_TENANT, 1, 1, 0);
	p.sctx.tenant_id = 6;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_NO_KEY);
	{
		struct eesp_keyset *other = th_keys_from(
		    "domain 0 8 0808080808080808080808080808080808080808080808080808080808080808\n"
		    "tenant 6 2 6262626262626262626262626262626262626262626262626262626262626262\n"
		    "group 9 1 9191919191919191919191919191919191919191919191919191919191919191\n");
		struct eesp_domain d2 = D;
		d2.keys = other;
		cr_assert_eq(eesp_seal(C, &d2, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
		eesp_keyset_free(other);
		eesp_crypto_flush(C);
	}
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_NO_KEY);
	p = params(EESP_PROFILE_TENANT, 1, 1, 0);
	p.sctx.phase[1] = 3;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_UNKNOWN_GEN);
	/* group 10 not held */
	p = params(EESP_PROFILE_TENANT, 1, 1, 0);
	p.sctx.group_id = 10;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_NO_KEY);
}

Test(packet, rotation_both_live_generations)
{
	uint8_t inner[256], pkt[2048], pkt2[2048];
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len, len2, io, ol;
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 2, 0);
	cr_assert_eq(seal_open(&p, inner, il, pkt, &len, &io, &ol), EESP_E_OK);
	p.sctx.phase[0] = 3; /* previous generation 7 */
	cr_assert_eq(seal_open(&p, inner, il, pkt2, &len2, &io, &ol), EESP_E_OK);
	cr_assert(memcmp(pkt + len - 16, pkt2 + len2 - 16, 16) != 0, "different keys");
}

Test(packet, epoch_window)
{
	uint8_t inner[256], pkt[2048];
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len;
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 2, 2, 0);
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 102), EESP_E_OK);    /* |100-102| = 2 */
	cr_assert_eq(open_bytes(pkt, len, 103), EESP_E_EPOCH); /* 3 > window */
	cr_assert_eq(open_bytes(pkt, len, 97), EESP_E_EPOCH);
	p.sctx.epoch = 0xffffffffu; /* serial arithmetic across the wrap */
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 1), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 2), EESP_E_EPOCH);
}

Test(packet, pair_misrouted)
{
	uint8_t inner[256], pkt[2048];
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len;
	struct eesp_hdr_params p = params(EESP_PROFILE_PAIR, 1, 1, 0);
	p.sctx.peer_node_id = 3;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_MISROUTED);
	D.self_node_id = 3;
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_OK);
}

Test(packet, unknown_domain_and_crypt_offset_max)
{
	uint8_t inner[256], pkt[2048];
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len;
	struct eesp_hdr_params p = params(EESP_PROFILE_SPI, 1, 1, 7);
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	D.max_crypt_offset = 6;
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_CRYPT_OFFSET);
	D.max_crypt_offset = 7;
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_OK);
	D.spi_max = 0x1233;
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_UNKNOWN_DOMAIN);
	p = params(EESP_PROFILE_NODE, 1, 1, 0);
	p.spi = DOM + 1;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len),
		     EESP_E_UNKNOWN_DOMAIN);
	/* crypt offset past the payload is refused on send */
	p = params(EESP_PROFILE_NODE, 1, 1, 63);
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_CRYPT_OFFSET);
}

Test(packet, bad_inner_and_payload_info)
{
	uint8_t junk[40], pkt[2048], inner[256];
	size_t len, il = inner_pkt(4, inner, sizeof(inner), 20);
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 1, 0);
	memset(junk, 0x11, sizeof(junk)); /* version nibble 1 */
	cr_assert_eq(eesp_seal(C, &D, &p, junk, sizeof(junk), pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_BAD_INNER);
	/* IPv4 total length larger than what arrived */
	memcpy(junk, inner, 20);
	junk[3] = 200;
	cr_assert_eq(eesp_seal(C, &D, &p, junk, sizeof(junk), pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_BAD_INNER);
	/* full format: Next Header 17 is not a tunnel payload; 41 with IPv4 inside */
	p = params(EESP_PROFILE_NODE, 1, 1, 1);
	p.next_hdr = 17;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_BAD_PIH);
	p.next_hdr = 41;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_BAD_PIH);
	p.next_hdr = 4;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_OK);
	/* optimized format: trailing bytes are padding, at most 255 */
	{
		uint8_t padded[600];
		memcpy(padded, inner, il);
		memset(padded + il, 0, sizeof(padded) - il);
		p = params(EESP_PROFILE_NODE, 1, 1, 0);
		cr_assert_eq(eesp_seal(C, &D, &p, padded, il + 255, pkt, sizeof(pkt), &len),
			     EESP_E_OK);
		cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_OK);
		cr_assert_eq(eesp_seal(C, &D, &p, padded, il + 256, pkt, sizeof(pkt), &len),
			     EESP_E_OK);
		cr_assert_eq(open_bytes(pkt, len, 100), EESP_E_BAD_INNER);
	}
}

/*
 * A full-format packet whose Payload Info Header and padding are written by
 * hand (eesp_seal only writes 0x0000, Next Header, Pad Length 0): header of
 * p, then pih[4], payload (inner + padding), sealed with the data key of p.
 */
static size_t seal_with_pih(const struct eesp_hdr_params *p, const uint8_t pih[4],
			    const uint8_t *payload, size_t plen, uint8_t *pkt, size_t cap)
{
	struct eesp_dkey k;
	struct eesp_aead *a = eesp_aead_new();
	uint8_t nonce[EESP_NONCE_LEN];
	size_t hl = eesp_header_len(p), aad = hl - EESP_PIH_LEN + 4u * p->crypt_offset;

	cr_assert(p->crypt_offset > 0 && a && hl + plen + EESP_ICV_LEN <= cap && aad <= hl + plen);
	cr_assert_eq(eesp_data_key_for(C, &D, p, &k), EESP_E_OK);
	cr_assert_eq(eesp_build_header(pkt, cap, p), hl);
	memcpy(pkt + hl - EESP_PIH_LEN, pih, EESP_PIH_LEN);
	memcpy(pkt + hl, payload, plen);
	eesp_nonce(nonce, k.salt, p->sn);
	cr_assert_eq(eesp_aead_setkey(a, k.key, eesp_suite_key_len(k.suite)), EESP_E_OK);
	cr_assert_eq(eesp_aead_seal(a, nonce, pkt, aad, pkt + aad, hl + plen - aad, pkt + aad,
				    pkt + hl + plen),
		     EESP_E_OK);
	eesp_aead_free(a);
	return hl + plen + EESP_ICV_LEN;
}

/* open a hand-made full-format packet; on success the inner packet must be
 * exactly `want` bytes at the start of the payload */
static int open_pih(unsigned co, const uint8_t pih[4], const uint8_t *payload, size_t plen,
		    size_t want)
{
	uint8_t pkt[2048];
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 1, co);
	struct eesp_view v;
	size_t len = seal_with_pih(&p, pih, payload, plen, pkt, sizeof(pkt)), io = 0, il = 0;
	int rc = eesp_parse(pkt, len, 63, &v);
	cr_assert_eq(rc, EESP_E_OK, "parse: %s", eesp_err_name(rc));
	rc = eesp_open(C, &D, 100, pkt, len, &v, &io, &il);
	if (!rc) {
		cr_assert_eq(io, v.hdr_len + EESP_PIH_LEN);
		cr_assert_eq(il, want, "inner length %zu, expected %zu", il, want);
	}
	return rc;
}

/* eesp.7 Payload: the first 16 bits of the PIH are 0 (a set reserved bit is
 * dropped, not ignored); Next Header 4 or 41 and naming the inner version,
 * else bad_payload_info; the padding is exactly Pad Length bytes and ends at
 * the ICV, anything else bad_inner. */
Test(packet, full_format_payload_info_rules)
{
	uint8_t v4[256], v6[256], buf[600];
	size_t l4 = inner_pkt(4, v4, sizeof(v4), 20), l6 = inner_pkt(6, v6, sizeof(v6), 20);
	const uint8_t ok4[4] = {0, 0, 4, 0}, ok6[4] = {0, 0, 41, 0};

	for (unsigned co = 1; co <= 7; co += 6) {
		cr_assert_eq(open_pih(co, ok4, v4, l4, l4), EESP_E_OK);
		cr_assert_eq(open_pih(co, ok6, v6, l6, l6), EESP_E_OK);
		/* each of the 16 bits before Next Header: the 0x0 nibble, 12 reserved */
		for (unsigned b = 0; b < 16; b++) {
			uint8_t pih[4] = {(uint8_t)(0x8000u >> b >> 8), (uint8_t)(0x8000u >> b), 4,
					  0};
			cr_assert_eq(open_pih(co, pih, v4, l4, l4), EESP_E_BAD_PIH,
				     "co %u, bit %u of the PIH", co, b);
		}
		/* Next Header disagreeing with the inner version: the header's fault */
		cr_assert_eq(open_pih(co, ok6, v4, l4, l4), EESP_E_BAD_PIH, "41 with IPv4");
		cr_assert_eq(open_pih(co, ok4, v6, l6, l6), EESP_E_BAD_PIH, "4 with IPv6");
		/* not a tunnel payload (17), the draft's dummy packet (59) */
		cr_assert_eq(open_pih(co, (const uint8_t[]){0, 0, 17, 0}, v4, l4, l4),
			     EESP_E_BAD_PIH);
		cr_assert_eq(open_pih(co, (const uint8_t[]){0, 0, 59, 0}, v4, l4, l4),
			     EESP_E_BAD_PIH);
	}
	/* padding: exactly Pad Length bytes after the inner packet, up to the ICV */
	memcpy(buf, v4, l4);
	memset(buf + l4, 0, sizeof(buf) - l4);
	cr_assert_eq(open_pih(1, (const uint8_t[]){0, 0, 4, 8}, buf, l4 + 8, l4), EESP_E_OK);
	cr_assert_eq(open_pih(1, (const uint8_t[]){0, 0, 4, 255}, buf, l4 + 255, l4), EESP_E_OK);
	/* bytes the Pad Length does not account for */
	cr_assert_eq(open_pih(1, ok4, buf, l4 + 4, l4), EESP_E_BAD_INNER);
	cr_assert_eq(open_pih(1, (const uint8_t[]){0, 0, 4, 7}, buf, l4 + 8, l4), EESP_E_BAD_INNER);
	/* padding that eats into the inner packet */
	cr_assert_eq(open_pih(1, (const uint8_t[]){0, 0, 4, 9}, buf, l4 + 8, l4), EESP_E_BAD_INNER);
	/* Pad Length beyond what follows the header; all of it padding */
	cr_assert_eq(open_pih(7, (const uint8_t[]){0, 0, 4, 255}, buf, l4 + 8, l4), EESP_E_BAD_PIH);
	cr_assert_eq(open_pih(1, (const uint8_t[]){0, 0, 4, 40}, buf, 40, 0), EESP_E_BAD_INNER);
}

Test(packet, cache_hits_and_forgeries_do_not_evict)
{
	uint8_t inner[256], pkt[2048], copy[2048];
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len;
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 1, 0);
	struct eesp_crypto_stats s0, s1;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	eesp_crypto_stats(C, &s0);
	memcpy(copy, pkt, len);
	cr_assert_eq(open_bytes(copy, len, 100), EESP_E_OK);
	eesp_crypto_stats(C, &s1);
	cr_assert_eq(s1.dk_hits, s0.dk_hits + 1, "seal's key is reused on open");
	cr_assert_eq(s1.master_derivations, s0.master_derivations);
	/* a forged packet with a new context misses twice: never cached */
	p.session_id = 99;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	eesp_crypto_flush(C);
	eesp_crypto_stats(C, &s0);
	for (int i = 0; i < 2; i++) {
		memcpy(copy, pkt, len);
		copy[len - 1] ^= 1;
		cr_assert_eq(open_bytes(copy, len, 100), EESP_E_AUTH);
	}
	eesp_crypto_stats(C, &s1);
	cr_assert_eq(s1.dk_misses, s0.dk_misses + 2);
	cr_assert_eq(s1.dk_hits, s0.dk_hits);
	/* bounded: many contexts, at most 64 entries, evictions counted */
	for (unsigned i = 0; i < 300; i++) {
		p.session_id = (uint16_t)i;
		cr_assert_eq(eesp_seal(C, &D, &p, inner, il, pkt, sizeof(pkt), &len), EESP_E_OK);
	}
	eesp_crypto_stats(C, &s1);
	cr_assert(s1.dk_evictions >= 300 - 64, "evictions %llu",
		  (unsigned long long)s1.dk_evictions);
}

/*
 * The data-key set index must depend on every context field that varies
 * between senders.  16 contexts in a 64-entry cache (32 sets of 2): with a
 * hash that spreads them, a second pass hits for almost all (about 1.4
 * misses per cache for a random function); one that ignored the varying
 * field would put all 16 in one set and miss all 16.  Summed over 20 caches
 * (20 random seeds) the bound of 100 misses of 320 fails only for a hash
 * that does not spread.
 */
static unsigned second_pass_misses(unsigned field)
{
	uint8_t inner[256], pkt[2048];
	size_t il = inner_pkt(4, inner, sizeof(inner), 20), len;
	struct eesp_crypto_stats s0, s1;
	unsigned misses = 0;

	for (unsigned r = 0; r < 20; r++) {
		struct eesp_crypto *c = eesp_crypto_new(64);
		cr_assert_not_null(c);
		for (unsigned pass = 0; pass < 2; pass++) {
			eesp_crypto_stats(c, &s0);
			for (unsigned i = 0; i < 16; i++) {
				struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 1, 0);
				if (field == 0)
					p.session_id = (uint16_t)(100 + i);
				else
					p.sctx.node_id = 100 + i;
				cr_assert_eq(
				    eesp_seal(c, &D, &p, inner, il, pkt, sizeof(pkt), &len),
				    EESP_E_OK);
			}
			eesp_crypto_stats(c, &s1);
			cr_assert_eq(s1.dk_hits + s1.dk_misses - s0.dk_hits - s0.dk_misses, 16);
			if (pass == 1)
				misses += (unsigned)(s1.dk_misses - s0.dk_misses);
		}
		eesp_crypto_free(c);
	}
	return misses;
}

Test(packet, data_key_hash_spreads_contexts)
{
	unsigned by_session = second_pass_misses(0), by_node = second_pass_misses(1);
	cr_assert(by_session <= 100, "session ids: %u of 320 missed on the second pass",
		  by_session);
	cr_assert(by_node <= 100, "node ids: %u of 320 missed on the second pass", by_node);
}

Test(packet, seal_rejects_bad_params)
{
	uint8_t inner[64] = {0x45}, pkt[64];
	size_t len;
	struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1, 1, 0);
	p.sn = 0;
	cr_assert_eq(eesp_seal(C, &D, &p, inner, 20, pkt, sizeof(pkt), &len), EESP_E_INVALID);
	p = params(EESP_PROFILE_NODE, 3, 1, 0);
	cr_assert_eq(eesp_seal(C, &D, &p, inner, 20, pkt, sizeof(pkt), &len), EESP_E_INVALID);
	p = params(EESP_PROFILE_NODE, 1, 1, 0);
	cr_assert_eq(eesp_seal(C, &D, &p, inner, sizeof(inner), pkt, sizeof(pkt), &len),
		     EESP_E_NOSPACE);
}

/* Re-keying a context (same or other key size) gives what a fresh one gives,
 * and a small cache that recycles contexts still opens everything. */
Test(packet, aead_rekey_matches_fresh)
{
	static const size_t kls[] = {16, 32, 32, 16, 16, 32};
	struct eesp_aead *a = eesp_aead_new(), *f;
	uint8_t key[32], nonce[12] = {1}, pt[40], ct1[40], ct2[40], t1[16], t2[16];
	memset(pt, 0x3c, sizeof(pt));
	cr_assert_not_null(a);
	for (unsigned i = 0; i < 6; i++) {
		memset(key, (int)(0x10 + i), sizeof(key));
		f = eesp_aead_new();
		cr_assert_eq(eesp_aead_setkey(a, key, kls[i]), EESP_E_OK);
		cr_assert_eq(eesp_aead_setkey(f, key, kls[i]), EESP_E_OK);
		cr_assert_eq(eesp_aead_seal(a, nonce, pt, 8, pt, 40, ct1, t1), EESP_E_OK);
		cr_assert_eq(eesp_aead_seal(f, nonce, pt, 8, pt, 40, ct2, t2), EESP_E_OK);
		th_assert_mem(ct1, ct2, 40, "re-keyed ciphertext, step %u", i);
		th_assert_mem(t1, t2, 16, "re-keyed tag, step %u", i);
		cr_assert_eq(eesp_aead_open(a, nonce, pt, 8, ct2, 40, ct1, t2), EESP_E_OK);
		th_assert_mem(ct1, pt, 40, "re-keyed open");
		eesp_aead_free(f);
	}
	eesp_aead_free(a);

	struct eesp_crypto *small = eesp_crypto_new(2);
	uint8_t inner[256], pkts[24][512];
	size_t lens[24], il = inner_pkt(4, inner, sizeof(inner), 30), io, ol;
	for (unsigned i = 0; i < 24; i++) {
		struct eesp_hdr_params p = params(EESP_PROFILE_NODE, 1 + i % 2, 1 + (i / 2) % 2, 0);
		p.session_id = (uint16_t)i;
		cr_assert_eq(
		    eesp_seal(small, &D, &p, inner, il, pkts[i], sizeof(pkts[i]), &lens[i]),
		    EESP_E_OK);
	}
	for (unsigned r = 0; r < 2; r++)
		for (unsigned i = 0; i < 24; i++) {
			uint8_t copy[512];
			struct eesp_view v;
			memcpy(copy, pkts[i], lens[i]);
			cr_assert_eq(eesp_parse(copy, lens[i], 63, &v), EESP_E_OK);
			cr_assert_eq(eesp_open(small, &D, 100, copy, lens[i], &v, &io, &ol),
				     EESP_E_OK, "packet %u round %u", i, r);
			th_assert_mem(copy + io, inner, il, "small cache inner");
		}
	eesp_crypto_free(small);
}
