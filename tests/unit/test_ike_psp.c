/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_psp.c - the PSP child of key download (src/ike/ike_psp.h): the
 * proposal octets, the responder's choice among per-version proposals, the
 * checks of a chosen proposal, key bags wrapped under SK_w and their
 * refusals, the eesp Vendor ID.
 */
#include <string.h>

#include "ike_crypto.h"
#include "ike_kwp.h"
#include "ike_psp.h"
#include "testhex.h"

static const struct ike_psp_codes C = {.proto = 201, .params_type = 241};

static struct ike_hdr hdr(void)
{
	struct ike_hdr h;
	memset(&h, 0, sizeof(h));
	memset(h.spi_i, 0xa1, 8);
	memset(h.spi_r, 0xb2, 8);
	h.exch_type = IKE_EXCH_CREATE_CHILD_SA;
	h.flags = IKE_FLAG_I;
	h.msg_id = 2;
	return h;
}

/* a message holding one SA payload with props; parsed back into m */
static size_t sa_msg(uint8_t *buf, size_t cap, const struct ike_proposal *props, unsigned n,
		     struct ike_msg *m)
{
	struct ike_builder b;
	struct ike_hdr h = hdr();
	size_t len;
	ike_build_init(&b, buf, cap, &h);
	ike_put_sa(&b, props, n);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, m), IKE_E_OK);
	return len;
}

Test(ike_psp, proposal_octets)
{
	struct ike_proposal p;
	struct ike_msg m;
	uint8_t buf[256], want[28];
	cr_assert_eq(ike_psp_proposal(&C, 1, 0x00000042, 1, &p), IKE_E_OK);
	size_t len = sa_msg(buf, sizeof(buf), &p, 1, &m);
	/* Last 0, Length 28, Num 1, Protocol 201, SPI Size 4, 2 transforms,
	 * SPI; PSP Parameters (241) ID 2 = v1 AES-GCM-256; KWA (13) ID 3 */
	th_unhex("0000001c01c90402"
		 "00000042"
		 "03000008f1000002"
		 "000000080d000003",
		 want, sizeof(want));
	cr_assert_eq(len, IKE_HDR_LEN + 4 + 28);
	th_assert_mem(buf + IKE_HDR_LEN + 4, want, 28, "PSP proposal");
	cr_assert_eq(ike_psp_transform_id(0), 1);
	cr_assert_eq(ike_psp_transform_id(3), 4);
	cr_assert_eq(ike_psp_version_of(4), 3);
	cr_assert_eq(ike_psp_version_of(5), -1);
	cr_assert_eq(ike_psp_version_of(0), -1);
	cr_assert_eq(ike_psp_key_len(0), 16);
	cr_assert_eq(ike_psp_key_len(1), 32);
	cr_assert_eq(ike_psp_key_len(4), 0);
	cr_assert_eq(ike_psp_proposal(&C, 1, 1, 4, &p), IKE_E_INVALID);
}

/* initiator offers v1 (SPI 0x11) then v0 (SPI 0x22); a v0-only responder
 * takes proposal 2 and its SPI; a v1-first responder proposal 1 */
Test(ike_psp, responder_choice)
{
	struct ike_proposal offer[2], got[4], ours[2];
	struct ike_type_set known;
	struct ike_sa_choice ch;
	struct ike_msg m;
	uint8_t buf[256];
	unsigned n, v;
	uint32_t spi;
	cr_assert_eq(ike_psp_proposal(&C, 1, 0x11, 1, &offer[0]), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal(&C, 2, 0x22, 0, &offer[1]), IKE_E_OK);
	sa_msg(buf, sizeof(buf), offer, 2, &m);
	cr_assert_eq(ike_sa_parse(&m.outer.pl[0], got, 4, &n), IKE_E_OK);
	cr_assert_eq(n, 2);
	ike_psp_known_types(&C, &known);
	cr_assert_eq(ike_psp_proposal(&C, 1, 0, 0, &ours[0]), IKE_E_OK);
	cr_assert_eq(ike_sa_select(ours, 1, got, n, &known, &ch), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal_get(&C, &ch.prop, &v, &spi), IKE_E_OK);
	cr_assert(v == 0 && spi == 0x22 && ch.prop.num == 2, "v%u spi %x num %u", v, spi,
		  ch.prop.num);
	cr_assert_eq(ike_psp_proposal(&C, 1, 0, 1, &ours[0]), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal(&C, 2, 0, 0, &ours[1]), IKE_E_OK);
	cr_assert_eq(ike_sa_select(ours, 2, got, n, &known, &ch), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal_get(&C, &ch.prop, &v, &spi), IKE_E_OK);
	cr_assert(v == 1 && spi == 0x11);
	/* a peer that does not know type 241 (strongSwan) chooses nothing */
	ike_type_set_standard(&known);
	cr_assert_eq(ike_sa_select(ours, 2, got, n, &known, &ch), IKE_E_NO_PROPOSAL);
	/* no version in common */
	ike_psp_known_types(&C, &known);
	cr_assert_eq(ike_psp_proposal(&C, 1, 0, 3, &ours[0]), IKE_E_OK);
	cr_assert_eq(ike_sa_select(ours, 1, got, n, &known, &ch), IKE_E_NO_PROPOSAL);
}

Test(ike_psp, proposal_get_refusals)
{
	struct ike_proposal p;
	unsigned v;
	uint32_t spi;
	cr_assert_eq(ike_psp_proposal(&C, 1, 7, 1, &p), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal_get(&C, &p, &v, &spi), IKE_E_OK);
	cr_assert(v == 1 && spi == 7);
	struct ike_proposal q = p;
	q.proto = IKE_PROTO_ESP;
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "other protocol");
	q = p;
	q.spi_size = 8;
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "SPI size 8");
	q = p;
	q.t[1].id = IKE_KWA_5649_128;
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "KWA 128");
	q = p;
	q.n = 1;
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "no KWA");
	q = p;
	q.t[0].id = 5;
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "transform ID 5");
	q = p;
	cr_assert_eq(ike_proposal_add(&q, IKE_TT_ENCR, IKE_ENCR_AES_GCM_16, 256), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "an ENCR transform");
	q = p;
	cr_assert_eq(ike_proposal_add(&q, 241, 1, 0), IKE_E_OK);
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "two versions");
	q = p;
	q.t[0].key_bits = 128;
	cr_assert_eq(ike_psp_proposal_get(&C, &q, &v, &spi), IKE_E_INVALID, "Key Length");
}

/* a KD with the bags of keys k1 (SPI 0x11, 32 octets) and k0 (0x22, 16) */
static size_t kd_msg(uint8_t *buf, size_t cap, const uint8_t *kwk, const uint8_t *k1,
		     const uint8_t *k0, struct ike_kd *kd)
{
	struct ike_builder b;
	struct ike_hdr h = hdr();
	struct ike_msg m;
	size_t off, len;
	ike_build_init(&b, buf, cap, &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	ike_psp_put_bag(&b, &C, 0x11, kwk, k1, 32);
	if (k0)
		ike_psp_put_bag(&b, &C, 0x22, kwk, k0, 16);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], kd), IKE_E_OK);
	return len;
}

Test(ike_psp, key_bags)
{
	uint8_t sk_d[32], kwk[32], other[32], k1[32], k0[16], out[32], buf[512];
	struct ike_kd kd;
	memset(sk_d, 0x3c, sizeof(sk_d));
	memset(k1, 0xc1, sizeof(k1));
	memset(k0, 0xc0, sizeof(k0));
	cr_assert_eq(ike_psp_kwk(IKE_PRF_HMAC_SHA2_256, sk_d, 32, kwk), IKE_E_OK);
	cr_assert_eq(ike_kwk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, "Key Wrap for PSP", other, 32),
		     IKE_E_OK);
	th_assert_mem(kwk, other, 32, "SK_w");
	/* reference note §1.2: one 32-octet key makes a 64-octet KD payload */
	cr_assert_eq(kd_msg(buf, sizeof(buf), kwk, k1, NULL, &kd), IKE_HDR_LEN + 64);
	/* a 16-octet key: bag 4 + 4 + (4 + 8 + 24) */
	cr_assert_eq(kd_msg(buf, sizeof(buf), kwk, k1, k0, &kd), IKE_HDR_LEN + 64 + 44);
	cr_assert_eq(kd.n, 2);
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x11, kwk, out, 32), IKE_E_OK);
	th_assert_mem(out, k1, 32, "v1 key of SPI 0x11");
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x22, kwk, out, 16), IKE_E_OK);
	th_assert_mem(out, k0, 16, "v0 key of SPI 0x22");
	/* refusals */
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x33, kwk, out, 32), IKE_E_MALFORMED, "no bag");
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x22, kwk, out, 32), IKE_E_MALFORMED, "length");
	other[0] ^= 1;
	memset(other, 0x77, sizeof(other));
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x11, other, out, 32), IKE_E_UNWRAP, "other SK_w");
	struct ike_psp_codes esp = {.proto = 202, .params_type = 241};
	cr_assert_eq(ike_psp_get_key(&kd, &esp, 0x11, kwk, out, 32), IKE_E_MALFORMED,
		     "bag of another protocol");
	kd.bag[1] = kd.bag[0];
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x11, kwk, out, 32), IKE_E_MALFORMED, "twice");
}

Test(ike_psp, key_id_not_zero)
{
	uint8_t kwk[32], key[32], wrapped[48], spi[4] = {0, 0, 0, 0x11}, buf[256], out[32];
	struct ike_builder b;
	struct ike_hdr h = hdr();
	struct ike_msg m;
	struct ike_kd kd;
	size_t wl, off, len;
	memset(kwk, 9, sizeof(kwk));
	memset(key, 8, sizeof(key));
	cr_assert_eq(ike_kwp_wrap(kwk, 32, key, 32, wrapped, sizeof(wrapped), &wl), IKE_E_OK);
	ike_build_init(&b, buf, sizeof(buf), &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	ike_put_group_key_bag(&b, C.proto, spi, 4, 1, 0, wrapped, wl);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	cr_assert_eq(ike_psp_get_key(&kd, &C, 0x11, kwk, out, 32), IKE_E_UNSUPPORTED);
}

Test(ike_psp, vendor_id)
{
	struct ike_builder b;
	struct ike_hdr h = hdr();
	struct ike_msg m;
	uint8_t buf[128];
	size_t len;
	cr_assert_eq(strlen(IKE_EESP_VID), IKE_EESP_VID_LEN);
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_vendor(&b, (const uint8_t *)"eesp-ikev2-kd-0", 15);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert(!ike_has_eesp_vid(&m.outer), "a 15-octet prefix is not the VID");
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_vendor(&b, (const uint8_t *)"strongSwan......", 16);
	ike_put_vendor(&b, (const uint8_t *)IKE_EESP_VID, IKE_EESP_VID_LEN);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert(ike_has_eesp_vid(&m.outer));
}
