/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_vectors.c - published known answers for the IKE core's crypto:
 * RFC 5649 §6 (AES-KWP), RFC 4231 §4.3 (HMAC-SHA2), NIST CAVP SP 800-135
 * IKEv2 KDF (SKEYSEED, DKM, child DKM with and without g^ir, rekeyed
 * SKEYSEED), RFC 7748 §6.1 (X25519) and RFC 5903 §8.1 (ECP-256).
 */
#include <string.h>

#include "ike_crypto.h"
#include "ike_dh.h"
#include "ike_kwp.h"
#include "testhex.h"

#define HEX(s, buf) th_unhex(s, buf, sizeof(buf))

/* ------------------------------------------------------------ RFC 5649 */

static const char kwp_kek[] = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";

static void kwp_case(const char *key_hex, const char *want_hex)
{
	uint8_t kek[24], key[64], want[80], out[80], back[80];
	size_t kek_len = HEX(kwp_kek, kek), n = HEX(key_hex, key), wn = HEX(want_hex, want);
	size_t olen = 0, blen = 0;

	cr_assert_eq(ike_kwp_wrap(kek, kek_len, key, n, out, sizeof(out), &olen), IKE_E_OK);
	cr_assert_eq(olen, wn);
	cr_assert_eq(olen, ike_kwp_wrapped_len(n));
	th_assert_mem(out, want, wn, "RFC 5649 wrap of %s", key_hex);
	cr_assert_eq(ike_kwp_unwrap(kek, kek_len, out, olen, back, sizeof(back), &blen), IKE_E_OK);
	cr_assert_eq(blen, n);
	th_assert_mem(back, key, n, "RFC 5649 unwrap");
	/* any flipped bit breaks the integrity check */
	out[olen - 1] ^= 1;
	cr_assert_eq(ike_kwp_unwrap(kek, kek_len, out, olen, back, sizeof(back), &blen),
		     IKE_E_UNWRAP);
}

Test(ike_vectors, kwp_rfc5649_20_octets)
{
	kwp_case("c37b7e6492584340bed12207808941155068f738",
		 "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a");
}

Test(ike_vectors, kwp_rfc5649_7_octets)
{
	kwp_case("466f7250617369", "afbeb0f07dfbf5419200f2ccb50bb24f");
}

Test(ike_vectors, kwp_refuses_wrong_kek_and_sizes)
{
	uint8_t kek[24], key[32] = {1}, out[48], back[48];
	size_t olen, blen;

	HEX(kwp_kek, kek);
	cr_assert_eq(ike_kwp_wrap(kek, 24, key, 32, out, sizeof(out), &olen), IKE_E_OK);
	cr_assert_eq(olen, 40);
	kek[0] ^= 0x80;
	cr_assert_eq(ike_kwp_unwrap(kek, 24, out, olen, back, sizeof(back), &blen), IKE_E_UNWRAP);
	cr_assert_eq(ike_kwp_wrap(kek, 20, key, 32, out, sizeof(out), &olen), IKE_E_INVALID);
	cr_assert_eq(ike_kwp_wrap(kek, 24, key, 32, out, 39, &olen), IKE_E_NOSPACE);
	cr_assert_eq(ike_kwp_unwrap(kek, 24, out, 20, back, sizeof(back), &blen), IKE_E_UNWRAP);
	cr_assert_eq(ike_kwa_key_len(IKE_KWA_5649_256), 32);
	cr_assert_eq(ike_kwa_key_len(IKE_KWA_5649_128), 16);
	cr_assert_eq(ike_kwa_key_len(IKE_KWA_ARX), 0);
}

/* ------------------------------------------------------------ RFC 4231 */

Test(ike_vectors, hmac_sha2_rfc4231_case2)
{
	static const char data[] = "what do ya want for nothing?";
	uint8_t out[64], want[64];

	cr_assert_eq(ike_prf(IKE_PRF_HMAC_SHA2_256, (const uint8_t *)"Jefe", 4,
			     (const uint8_t *)data, strlen(data), out),
		     IKE_E_OK);
	HEX("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want);
	th_assert_mem(out, want, 32, "HMAC-SHA-256");
	cr_assert_eq(ike_prf(IKE_PRF_HMAC_SHA2_512, (const uint8_t *)"Jefe", 4,
			     (const uint8_t *)data, strlen(data), out),
		     IKE_E_OK);
	HEX("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
	    want);
	th_assert_mem(out, want, 64, "HMAC-SHA-512");
	cr_assert_eq(ike_prf(99, (const uint8_t *)"k", 1, out, 1, out), IKE_E_UNSUPPORTED);
}

/* ---------------------------------------------------- NIST CAVP IKEv2 -- */

struct cavp {
	uint16_t prf;
	const char *ni, *nr, *gir, *gir_new, *spii, *spir;
	const char *skeyseed, *dkm, *dkm_child, *dkm_child_dh, *skeyseed_rekey;
};

/*
 * SP 800-135 IKEv2 KDF cases as published with the CAVP (transcribed from
 * the test drivers of libreswan and Cisco's FIPS kdf tests, which quote
 * them).  Only HMAC-SHA-1 cases were reachable from here; SHA-256 is
 * covered by the strongSwan fixture (test_ike_fixture.c).
 */
static const struct cavp cavp_cases[] = {
    {
	IKE_PRF_HMAC_SHA1,
	"32b50d5f4a3763f3",
	"9206a04b26564cb1",
	"4b2c1f971981a8ad8d0abeafabf38cf75fc8349c148142465ed9c8b516b8be52",
	"863f3c9d06efd39d2b907b97f8699e5dd5251ef64a2a176f36ee40c87d4f9330",
	"34c9e7c188868785",
	"3ff77d760d2b2199",
	"a9a7b222b59f8f48645f28a1db5b5f5d7479cba7",
	"a14293677cc80ff8f9cc0eee30d895da9d8f405666e30ef0dfcb63c634a46002"
	"a2a63080e514a062768b76606f9fa5e992204fc5a670bde3f10d6b027113936a"
	"5c55b648a194ae587b0088d52204b702c979fa280870d2ed41efa9c549fd1119"
	"8af1670b143d384bd275c5f594cf266b05ebadca855e4249520a441a81157435"
	"a7a56cc4",
	"8059e3ee8810e6c3a91bc8bcd2a7a41151b8d0e6ae239c7b38093ad85ef4c581"
	"1a8e7b5d1cdabd9560b2d5e092d1f24e2d4b85eccdf0ad0dc9abd94b51ee7181"
	"4ca6dbc8bb51b6309f5b9545c7eb35cf5580b1e521a8fe20754a2d883ba0c2cf"
	"285f524aea6545b33106bc03e614296d319d41d4b50b3f510b1c0a22f3e66499"
	"4d234cb4",
	"bb43244c1860ad65ee1e211ffe8bb3661750c8f89cb9f547df7f4fa61d373016"
	"28190e38c66232eab4b3ab14c400a5197dd3730ed4820a8a10394d51e1c04000"
	"52f63ebd36b0e7ef53aaed31eba4a5080d7d4b5666023a8bbb5ffb7857240f9a"
	"05884d1b7d2f933708450b7b3288f1fc863ab49fa901227cffc06e27899c7054"
	"d56fd74c",
	"63e81194946ebd05df7df5ebf5d8750056bf1f1d",
    },
    {
	IKE_PRF_HMAC_SHA1,
	"3651fef5c9c35e93",
	"c09a8b90a3f04d59",
	"d084a30166a50fb7325c3960874a839449ef9741c2f4f947d0201dd8c1269273"
	"d79509f37e3ca3eb4fa2fe2a28254e289cd3f34dad4eb4df1a07685a4b8a94fa"
	"61e2491f7598b3ce65547ff133b3f63d1ac4175eaa695033f3cedb026a6873a3"
	"6455172a8540b8a5d23a0143bed0390ee49b168269d75fffee9fb62be965993c",
	"52f00ab174c25d5b7139ae5ff4e8e9eddee5992d2e36adf8a559ffd90dab1442"
	"e4fbe429d320c0f33552a17d1557fa41ea70e8fb916c4fa27ed52b5f8ebd8461"
	"afa78f1159159a64055ac5f6319e29c28eae58cbc6847770f32c3fed1d047504"
	"84f854790f95e9ec01bc5bc461f24966462e35951132930503 8e94deb6dd42c2",
	"8e5c3ae507221684",
	"b1f201bb155c3acd",
	"cd2e8050137832245f1dbacc6e4f0a92f94d45d6",
	"6f1b12cad3cbe097b35430356d869d54cddb0198ec859174d53ceb92dddedbe2"
	"436db69f60977c58fa63bbb667f8d36920b109baae8f6c61a9ac49feda018432"
	"25d080ec5539d5881a25521ffb2a0a91874a9c0a27fcc2d717eb8963a9e3a89c"
	"7ab264757284c28cf8c3ca40576f4220b052b1fb8e9ad60ba3c80557323331a8"
	"cbb89f20",
	"4727dc0ef94eb326ce131cf282fb652faa638ad0ddae3786a11bcc0309876009"
	"f8c485de011ad962c5b1ca8a41ff81454457490 79c5686e26ffebbc342f06981"
	"f3da745e11ca0976424d1f8caec623d59dc7186deb20a27b411d1dcb70a36544"
	"0bf7de905088b0692e8addc094e18d1939bdb67e89798ca6b239e2ccb81c2409"
	"dac0106c",
	"b109c21ad4c0797768c1cec9e63554681e48f224bca7f23c20c4ea7041983451"
	"e9aa1d5408656c8a975ff1b9d9a12c75ffeb64bdecb30174664cccb4e14f1c37"
	"7b7f6d1525af77c7092aac3e47f917ebae8297fb5539d2008ce830823a09cc19"
	"7361d4a289c72745f6ce9fefe812be5bf55b3200fbb82e41a4a40877d3fe106d"
	"b909707b",
	"3b03bce748c96d5e8306918d2ff89b68f0648da3",
    },
};

static void cavp_run(const struct cavp *c)
{
	uint8_t ni[64], nr[64], gir[256], gir_new[256], spii[8], spir[8];
	uint8_t want[256], got[256], skeyseed[IKE_PRF_MAX];
	size_t nil = HEX(c->ni, ni), nrl = HEX(c->nr, nr), gl = HEX(c->gir, gir);
	size_t gnl = HEX(c->gir_new, gir_new), hl = ike_prf_len(c->prf), n;
	struct ike_chunk seed[4] = {{ni, nil}, {nr, nrl}, {spii, 8}, {spir, 8}};
	uint8_t sk_d[IKE_PRF_MAX];

	HEX(c->spii, spii);
	HEX(c->spir, spir);
	cr_assert_eq(ike_skeyseed(c->prf, ni, nil, nr, nrl, gir, gl, skeyseed), IKE_E_OK);
	n = HEX(c->skeyseed, want);
	cr_assert_eq(n, hl);
	th_assert_mem(skeyseed, want, n, "SKEYSEED");

	n = HEX(c->dkm, want);
	cr_assert_eq(ike_prf_plus_v(c->prf, skeyseed, hl, seed, 4, got, n), IKE_E_OK);
	th_assert_mem(got, want, n, "DKM = prf+(SKEYSEED, Ni|Nr|SPIi|SPIr)");
	memcpy(sk_d, got, hl);

	n = HEX(c->dkm_child, want);
	cr_assert_eq(ike_child_keymat(c->prf, sk_d, hl, NULL, 0, ni, nil, nr, nrl, got, n),
		     IKE_E_OK);
	th_assert_mem(got, want, n, "child DKM");

	n = HEX(c->dkm_child_dh, want);
	cr_assert_eq(ike_child_keymat(c->prf, sk_d, hl, gir_new, gnl, ni, nil, nr, nrl, got, n),
		     IKE_E_OK);
	th_assert_mem(got, want, n, "child DKM with g^ir (new)");

	n = HEX(c->skeyseed_rekey, want);
	cr_assert_eq(ike_skeyseed_rekey(c->prf, sk_d, hl, gir_new, gnl, ni, nil, nr, nrl, got),
		     IKE_E_OK);
	th_assert_mem(got, want, n, "SKEYSEED (rekey)");
}

Test(ike_vectors, cavp_ikev2_kdf)
{
	for (size_t i = 0; i < sizeof(cavp_cases) / sizeof(cavp_cases[0]); i++)
		cavp_run(&cavp_cases[i]);
}

Test(ike_vectors, prf_plus_block_limit)
{
	static uint8_t out[255 * 64 + 1];
	uint8_t key[32] = {7};

	cr_assert_eq(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 32, key, 1, out, 255 * 32), IKE_E_OK);
	cr_assert_eq(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, key, 32, key, 1, out, 255 * 32 + 1),
		     IKE_E_INVALID);
	cr_assert_eq(ike_prf_plus(IKE_PRF_HMAC_SHA2_512, key, 32, key, 1, out, 255 * 64), IKE_E_OK);
}

/* ------------------------------------------------------ RFC 7748 / 5903 */

static void dh_pair(uint16_t group, const char *a_priv, const char *a_pub, const char *b_priv,
		    const char *b_pub, const char *shared)
{
	uint8_t ap[32], bp[32], apub[64], bpub[64], want[32], pub[64], s1[32], s2[32];
	size_t al = HEX(a_priv, ap), bl = HEX(b_priv, bp), n;
	struct ike_dh a, b;

	HEX(a_pub, apub);
	HEX(b_pub, bpub);
	HEX(shared, want);
	cr_assert_eq(ike_dh_set_private(&a, group, ap, al), IKE_E_OK);
	cr_assert_eq(ike_dh_set_private(&b, group, bp, bl), IKE_E_OK);
	cr_assert_eq(ike_dh_public(&a, pub, sizeof(pub), &n), IKE_E_OK);
	cr_assert_eq(n, ike_dh_public_len(group));
	th_assert_mem(pub, apub, n, "public value of a");
	cr_assert_eq(ike_dh_public(&b, pub, sizeof(pub), &n), IKE_E_OK);
	th_assert_mem(pub, bpub, n, "public value of b");
	cr_assert_eq(ike_dh_shared(&a, bpub, n, s1, sizeof(s1), &n), IKE_E_OK);
	cr_assert_eq(n, 32);
	th_assert_mem(s1, want, 32, "g^ir at a");
	cr_assert_eq(ike_dh_shared(&b, apub, ike_dh_public_len(group), s2, sizeof(s2), &n),
		     IKE_E_OK);
	th_assert_mem(s2, want, 32, "g^ir at b");
	/* a public value of the wrong length is refused */
	cr_assert_eq(ike_dh_shared(&a, bpub, ike_dh_public_len(group) - 1, s1, sizeof(s1), &n),
		     IKE_E_BAD_PUBLIC);
	ike_dh_free(&a);
	ike_dh_free(&b);
}

Test(ike_vectors, x25519_rfc7748)
{
	dh_pair(IKE_KE_X25519, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
		"8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
		"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
		"de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
		"4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
}

Test(ike_vectors, ecp256_rfc5903)
{
	dh_pair(IKE_KE_ECP256, "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
		"dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
		"5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
		"c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
		"d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
		"56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
		"d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
}

Test(ike_vectors, dh_refuses_bad_public_values)
{
	uint8_t pub[64], s[32];
	size_t n;
	struct ike_dh a;
	static const uint8_t zero[32];

	cr_assert_eq(ike_dh_generate(&a, IKE_KE_ECP256), IKE_E_OK);
	cr_assert_eq(ike_dh_public(&a, pub, sizeof(pub), &n), IKE_E_OK);
	cr_assert_eq(n, 64);
	pub[63] ^= 1; /* (x, y+1) is not on the curve */
	cr_assert_eq(ike_dh_shared(&a, pub, 64, s, sizeof(s), &n), IKE_E_BAD_PUBLIC);
	ike_dh_free(&a);
	cr_assert_eq(ike_dh_generate(&a, IKE_KE_X25519), IKE_E_OK);
	/* u = 0 is of low order: the secret would be all zero */
	cr_assert_eq(ike_dh_shared(&a, zero, 32, s, sizeof(s), &n), IKE_E_BAD_PUBLIC);
	ike_dh_free(&a);
	cr_assert_eq(ike_dh_generate(&a, IKE_KE_MODP2048), IKE_E_UNSUPPORTED);
}
