/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_kd.c - the Key Download payload (RFC 9838 §4.5) with a key
 * wrapped under SK_w = prf+(SK_d, "Key Wrap for PSP"), its refusals; the
 * SK payload seal/open round trip, IV counter and Pad Length checks; the
 * stateless cookie with two secrets.
 */
#include <string.h>

#include <openssl/evp.h>

#include "ike_cookie.h"
#include "ike_crypto.h"
#include "ike_kd.h"
#include "ike_kwp.h"
#include "ike_sk.h"
#include "testhex.h"

#define PSP_PROTO 201

static struct ike_hdr hdr(uint8_t exch, uint32_t mid)
{
	struct ike_hdr h;

	memset(&h, 0, sizeof(h));
	memset(h.spi_i, 0xa1, 8);
	memset(h.spi_r, 0xb2, 8);
	h.exch_type = exch;
	h.flags = IKE_FLAG_I;
	h.msg_id = mid;
	return h;
}

Test(ike_kd, kwk_labels)
{
	uint8_t sk_d[32], a[32], b[32];

	memset(sk_d, 0x5a, sizeof(sk_d));
	cr_assert_eq(strlen(IKE_LABEL_KW_PSP), 16);
	cr_assert_eq(strlen(IKE_LABEL_KW_GIKEV2), 20);
	cr_assert_eq(strlen(IKE_LABEL_KEY_PAD), 17);
	cr_assert_eq(ike_kwk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, IKE_LABEL_KW_PSP, a, 32),
		     IKE_E_OK);
	cr_assert_eq(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, sk_d, 32,
				  (const uint8_t *)"Key Wrap for PSP", 16, b, 32),
		     IKE_E_OK);
	th_assert_mem(a, b, 32, "SK_w is prf+ over the 16 label octets, no NUL");
	cr_assert_eq(ike_kwk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, IKE_LABEL_KW_GIKEV2, b, 32),
		     IKE_E_OK);
	cr_assert(memcmp(a, b, 32) != 0);
}

/* The PSP draft's KD: one Group Key Bag, SPI = ours, SA_KEY 0/0. */
static size_t build_kd(uint8_t *buf, size_t cap, const uint8_t *kwk, const uint8_t *key,
		       const uint8_t spi[4])
{
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_CREATE_CHILD_SA, 2);
	uint8_t wrapped[48];
	size_t wl, off, len;

	cr_assert_eq(ike_kwp_wrap(kwk, 32, key, 32, wrapped, sizeof(wrapped), &wl), IKE_E_OK);
	ike_build_init(&b, buf, cap, &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	ike_put_group_key_bag(&b, PSP_PROTO, spi, 4, 0, 0, wrapped, wl);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	return len;
}

Test(ike_kd, psp_key_download_round_trip)
{
	uint8_t sk_d[32], kwk[32], key[32], spi[4] = {0x80, 0x00, 0x12, 0x34}, buf[256], out[48];
	struct ike_msg m;
	struct ike_kd kd;
	struct ike_wrapped_key wk;
	size_t len, n;

	memset(sk_d, 3, sizeof(sk_d));
	memset(key, 0xc4, sizeof(key));
	cr_assert_eq(ike_kwk_derive(IKE_PRF_HMAC_SHA2_256, sk_d, 32, IKE_LABEL_KW_PSP, kwk,
				    ike_kwa_key_len(IKE_KWA_5649_256)),
		     IKE_E_OK);
	len = build_kd(buf, sizeof(buf), kwk, key, spi);
	/* reference note §1.2: one 32-octet key makes a 64-octet KD payload */
	cr_assert_eq(len, 28 + 64);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(m.outer.pl[0].type, IKE_PT_KD);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	cr_assert_eq(kd.n, 1);
	cr_assert_eq(kd.bag[0].proto, PSP_PROTO);
	cr_assert_eq(kd.bag[0].spi_size, 4);
	cr_assert(!memcmp(kd.bag[0].spi, spi, 4));
	cr_assert_eq(ike_bag_sa_key(&kd.bag[0], &wk), IKE_E_OK);
	cr_assert(wk.key_id == 0 && wk.kwk_id == 0 && wk.wrapped_len == 40);
	cr_assert_eq(ike_kwp_unwrap(kwk, 32, wk.wrapped, wk.wrapped_len, out, sizeof(out), &n),
		     IKE_E_OK);
	cr_assert_eq(n, 32);
	th_assert_mem(out, key, 32, "downloaded key");
}

Test(ike_kd, member_key_bag_and_refusals)
{
	uint8_t buf[256], attrs[16], scratch[64], kwk[32] = {1}, key[32] = {2},
						  spi[4] = {0, 0, 0, 9};
	struct ike_builder b, ab;
	struct ike_hdr h = hdr(IKE_EXCH_GSA_AUTH, 1);
	struct ike_msg m;
	struct ike_kd kd;
	struct ike_wrapped_key wk;
	size_t len, off, alen;
	const size_t bag = 28 + 4;

	/* a Member Key Bag with a GM_SENDER_ID attribute, then a Group Key Bag */
	ike_build_init(&ab, scratch, sizeof(scratch), &h); /* attributes after a header */
	ike_put_attr_tlv(&ab, IKE_KD_ATTR_GM_SENDER_ID, (const uint8_t *)"\0\0\0\5", 4);
	cr_assert_eq(ab.err, IKE_E_OK);
	alen = ab.len - IKE_HDR_LEN;
	memcpy(attrs, scratch + IKE_HDR_LEN, alen);
	ike_build_init(&b, buf, sizeof(buf), &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	ike_put_member_key_bag(&b, attrs, alen);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	cr_assert(kd.n == 1 && kd.bag[0].proto == IKE_KD_MEMBER_KEY_BAG);
	cr_assert_eq(kd.bag[0].attrs_len, 8);
	cr_assert_eq(ike_bag_sa_key(&kd.bag[0], &wk), IKE_E_MALFORMED);
	buf[bag + 1] = 1; /* RESERVED of a Member Key Bag */
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_MALFORMED);

	len = build_kd(buf, sizeof(buf), kwk, key, spi);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	ike_put16(buf + bag + 2, 61); /* bag Length past the payload */
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_MALFORMED);
	ike_put16(buf + bag + 2, 7); /* shorter than its header and SPI */
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_MALFORMED);
	ike_put16(buf + bag + 2, 60);
	ike_put16(buf + bag + 8 + 2, 53); /* SA_KEY length past the bag */
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_BAD_ATTR);
	ike_put16(buf + bag + 8 + 2, 48);
	buf[bag + 1] = 17; /* SPI Size */
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_MALFORMED);
	buf[bag + 1] = 4;
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	/* an SA_KEY too short for a wrapped key */
	ike_put16(buf + bag + 8 + 2, 20);
	ike_put16(buf + bag + 2, 4 + 4 + 4 + 20);
	m.outer.pl[0].body_len = 4 + 4 + 4 + 20;
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	cr_assert_eq(ike_bag_sa_key(&kd.bag[0], &wk), IKE_E_MALFORMED);
	/* an empty KD */
	m.outer.pl[0].body_len = 0;
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_MALFORMED);
}

Test(ike_kd, two_sa_keys_in_one_bag)
{
	uint8_t buf[256], w[40] = {0};
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_CREATE_CHILD_SA, 2);
	struct ike_msg m;
	struct ike_kd kd;
	struct ike_wrapped_key wk;
	size_t len, off, boff;
	uint8_t spi[4] = {1, 2, 3, 4}, val[48] = {0};

	memcpy(val + 8, w, 40);
	ike_build_init(&b, buf, sizeof(buf), &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	boff = b.len;
	ike_put_group_key_bag(&b, PSP_PROTO, spi, 4, 0, 0, w, 40);
	ike_put_attr_tlv(&b, IKE_KD_ATTR_SA_KEY, val, sizeof(val));
	ike_put16(buf + boff + 2, (uint16_t)(b.len - boff));
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	cr_assert_eq(ike_bag_sa_key(&kd.bag[0], &wk), IKE_E_MALFORMED);
}

/* ------------------------------------------------------------- SK ---- */

static void sk_key(struct ike_sk_cipher *c, uint8_t sk_e[36])
{
	for (int i = 0; i < 36; i++)
		sk_e[i] = (uint8_t)(i * 7 + 1);
	cr_assert_eq(ike_sk_cipher_init(c, IKE_ENCR_AES_GCM_16, sk_e, 36), IKE_E_OK);
}

static size_t sealed(uint8_t *buf, size_t cap, struct ike_sk_cipher *c, uint64_t *iv)
{
	struct ike_builder b;
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, 5);
	size_t sk, len;
	uint8_t spi[8] = {0};

	ike_build_init(&b, buf, cap, &h);
	sk = ike_sk_begin(&b);
	ike_put_delete(&b, IKE_PROTO_IKE, 0, spi, 0);
	ike_put_notify(&b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	cr_assert_eq(ike_sk_seal(&b, sk, c, iv, &len), IKE_E_OK);
	return len;
}

Test(ike_kd, sk_round_trip_and_iv_counter)
{
	struct ike_sk_cipher c;
	uint8_t sk_e[36], buf[256], buf2[256], pt[256];
	uint64_t iv = 41;
	struct ike_msg m;
	struct ike_chain in;
	size_t len = 0, len2;

	sk_key(&c, sk_e);
	len = sealed(buf, sizeof(buf), &c, &iv);
	cr_assert_eq(iv, 42);
	cr_assert_eq(len, 28 + IKE_SK_OVERHEAD + 8 + 8);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(m.sk, 0);
	cr_assert_eq(m.sk_first, IKE_PT_DELETE);
	cr_assert_eq(ike_get32(buf + 28 + 4 + 4), 41); /* IV = the counter */
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_OK);
	cr_assert_eq(in.n, 2);
	cr_assert(in.pl[0].type == IKE_PT_DELETE && in.pl[1].type == IKE_PT_NOTIFY);
	/* the next message gets the next IV, so a different ciphertext */
	len2 = sealed(buf2, sizeof(buf2), &c, &iv);
	cr_assert_eq(len2, len);
	cr_assert(memcmp(buf + 40, buf2 + 40, len - 40) != 0);
	/* a counter that would wrap refuses before anything is written */
	iv = UINT64_MAX;
	{
		struct ike_builder b;
		struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, 6);
		size_t sk;

		ike_build_init(&b, buf, sizeof(buf), &h);
		sk = ike_sk_begin(&b);
		cr_assert_eq(ike_sk_seal(&b, sk, &c, &iv, &len), IKE_E_IV_EXHAUSTED);
		cr_assert_eq(iv, UINT64_MAX);
	}
	/* too small a plaintext buffer */
	cr_assert_eq(ike_sk_open(&c, &m, pt, 4, &in), IKE_E_NOSPACE);
	ike_sk_cipher_free(&c);
}

/* An SK message whose plaintext the test chooses (own GCM, RFC 5282 layout). */
static size_t handmade_sk(uint8_t *buf, const uint8_t sk_e[36], const uint8_t *pt, size_t pt_len,
			  uint8_t first)
{
	struct ike_hdr h = hdr(IKE_EXCH_INFORMATIONAL, 7);
	size_t len = 28 + 4 + 8 + pt_len + 16;
	uint8_t nonce[12];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl;

	h.next_payload = IKE_PT_SK;
	h.length = (uint32_t)len;
	cr_assert_eq(ike_hdr_write(buf, 28, &h), IKE_E_OK);
	buf[28] = first;
	buf[29] = 0;
	ike_put16(buf + 30, (uint16_t)(len - 28));
	memset(buf + 32, 0x77, 8);
	memcpy(nonce, sk_e + 32, 4);
	memcpy(nonce + 4, buf + 32, 8);
	cr_assert(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, sk_e, nonce));
	cr_assert(EVP_EncryptUpdate(ctx, NULL, &outl, buf, 32));
	cr_assert(EVP_EncryptUpdate(ctx, buf + 40, &outl, pt, (int)pt_len));
	cr_assert(EVP_EncryptFinal_ex(ctx, buf + 40 + pt_len, &outl));
	cr_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, buf + 40 + pt_len));
	EVP_CIPHER_CTX_free(ctx);
	return len;
}

Test(ike_kd, sk_padding_and_inner_chain_refusals)
{
	struct ike_sk_cipher c;
	uint8_t sk_e[36], buf[256], pt[256];
	/* a Vendor ID "ab", 3 padding octets, Pad Length 3 */
	uint8_t good[] = {0, 0, 0, 6, 'a', 'b', 9, 9, 9, 3};
	struct ike_msg m;
	struct ike_chain in;
	size_t len;

	sk_key(&c, sk_e);
	len = handmade_sk(buf, sk_e, good, sizeof(good), IKE_PT_VENDOR);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_OK);
	cr_assert(in.n == 1 && in.pl[0].body_len == 2 && in.pl[0].body[1] == 'b');
	/* Pad Length beyond the plaintext */
	good[9] = 10;
	len = handmade_sk(buf, sk_e, good, sizeof(good), IKE_PT_VENDOR);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_PADDING);
	/* Pad Length leaving the Vendor ID cut short */
	good[9] = 5;
	len = handmade_sk(buf, sk_e, good, sizeof(good), IKE_PT_VENDOR);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_PAYLOAD_LENGTH);
	/* an SK inside the SK */
	good[9] = 3;
	len = handmade_sk(buf, sk_e, good, sizeof(good), IKE_PT_SK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_MALFORMED);
	/* an SK too short for IV and ICV */
	len = handmade_sk(buf, sk_e, good, 0, IKE_PT_NONE);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_TRUNCATED);
	/* no SK at all */
	m.sk = -1;
	cr_assert_eq(ike_sk_open(&c, &m, pt, sizeof(pt), &in), IKE_E_NO_SK);
	ike_sk_cipher_free(&c);
	cr_assert_eq(ike_sk_cipher_init(&c, IKE_ENCR_CHACHA20_POLY1305, sk_e, 36),
		     IKE_E_UNSUPPORTED);
}

/* ---------------------------------------------------------- cookies -- */

Test(ike_kd, cookie_two_secrets)
{
	struct ike_cookie_secrets s;
	uint8_t s1[32], s2[32], s3[32], ni[32], spi[8], ip[4] = {198, 51, 100, 7}, c[36], c2[36];

	memset(s1, 1, 32);
	memset(s2, 2, 32);
	memset(s3, 3, 32);
	memset(ni, 0x42, 32);
	memset(spi, 0x99, 8);
	ike_cookie_init(&s, s1);
	cr_assert_eq(ike_cookie_make(&s, ni, 32, ip, 4, spi, c), IKE_E_OK);
	cr_assert_eq(ike_get32(c), 1);
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 36), IKE_E_OK);
	/* every input is bound */
	ip[3] ^= 1;
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 36), IKE_E_COOKIE);
	ip[3] ^= 1;
	spi[0] ^= 1;
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 36), IKE_E_COOKIE);
	spi[0] ^= 1;
	cr_assert_eq(ike_cookie_verify(&s, ni, 31, ip, 4, spi, c, 36), IKE_E_COOKIE);
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 35), IKE_E_COOKIE);
	/* after one rotation the old cookie still verifies, after two it does not */
	ike_cookie_rotate(&s, s2);
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 36), IKE_E_OK);
	cr_assert_eq(ike_cookie_make(&s, ni, 32, ip, 4, spi, c2), IKE_E_OK);
	cr_assert_eq(ike_get32(c2), 2);
	cr_assert(memcmp(c + 4, c2 + 4, 32) != 0);
	ike_cookie_rotate(&s, s3);
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 36), IKE_E_COOKIE);
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c2, 36), IKE_E_OK);
	/* a forged version naming the current secret with the old hash */
	ike_put32(c, 3);
	cr_assert_eq(ike_cookie_verify(&s, ni, 32, ip, 4, spi, c, 36), IKE_E_COOKIE);
	cr_assert(IKE_COOKIE_LEN <= IKE_COOKIE_MAX);
	cr_assert_eq(ike_cookie_make(&s, ni, 32, ip, 5, spi, c), IKE_E_INVALID);
	ike_cookie_wipe(&s);
}
