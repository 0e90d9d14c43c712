/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ike_gcks.c - the key server's octets (ike_gcks.h): rings in a KD
 * under GSK_w, their sizes, round trip with fingerprints, the refusals
 * (wrong KWK, wrong domain or protocol, a tampered fingerprint, generations
 * out of order or a phase twice, no current, one ring twice), IDg; and the
 * root-set control line (ctlroot.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "ctlproto.h"
#include "ike_crypto.h"
#include "ike_gcks.h"
#include "ike_wire.h"

#define PROTO 202
#define DOM 0xc0ffee01u

static struct ike_gcks_ring ring(uint8_t level, uint32_t id, uint32_t g0, uint32_t g1, uint32_t g2)
{
	struct ike_gcks_ring r;
	memset(&r, 0, sizeof(r));
	r.level = level;
	r.id = id;
	uint32_t g[3] = {g0, g1, g2};
	for (int s = 0; s < 3; s++)
		if (g[s] != UINT32_MAX) {
			r.gen[s].present = true;
			r.gen[s].generation = g[s];
			memset(r.gen[s].key, 0x40 + s + (int)id, 32);
		}
	return r;
}
#define NONE UINT32_MAX

/* a message whose KD holds rings r[n]; its length */
static size_t build(uint8_t *buf, size_t cap, const uint8_t kwk[32], uint32_t dom,
		    const struct ike_gcks_ring *r, unsigned n)
{
	struct ike_builder b;
	struct ike_hdr h;
	size_t off, len;
	memset(&h, 0, sizeof(h));
	memset(h.spi_i, 1, 8);
	memset(h.spi_r, 2, 8);
	h.exch_type = IKE_EXCH_GSA_INBAND_REKEY;
	h.msg_id = 3;
	ike_build_init(&b, buf, cap, &h);
	off = ike_build_begin(&b, IKE_PT_KD, 0);
	for (unsigned i = 0; i < n; i++)
		ike_gcks_put_ring(&b, PROTO, dom, kwk, &r[i]);
	ike_build_end(&b, off);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	return len;
}

static int parse(const uint8_t *buf, size_t len, const uint8_t kwk[32], uint32_t dom,
		 struct ike_gcks_ring *out, unsigned *n)
{
	struct ike_msg m;
	struct ike_kd kd;
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_kd_parse(&m.outer.pl[0], &kd), IKE_E_OK);
	return ike_gcks_get_rings(&kd, PROTO, dom, kwk, out, IKE_GCKS_MAX_RINGS, n);
}

static void kwk_of(uint8_t kwk[32], uint8_t fill)
{
	uint8_t sk_d[32];
	memset(sk_d, fill, sizeof(sk_d));
	cr_assert_eq(ike_gcks_kwk(IKE_PRF_HMAC_SHA2_256, sk_d, 32, kwk), IKE_E_OK);
}

Test(ike_gcks, round_trip_sizes_fingerprints)
{
	uint8_t kwk[32], buf[2048], fp[8];
	struct ike_gcks_ring in[2] = {ring(0, 0, 4, 5, 6), ring(2, 7, NONE, 1, NONE)}, out[8];
	unsigned n = 0;
	kwk_of(kwk, 3);
	size_t len = build(buf, sizeof(buf), kwk, DOM, in, 2);
	/* header 28; KD 4; bag 8 + RING 12 + 3 x GEN (4 + 56); bag 8 + 12 + 60 */
	cr_assert_eq(len, 28 + 4 + (8 + 12 + 3 * 60) + (8 + 12 + 60));
	cr_assert_eq(parse(buf, len, kwk, DOM, out, &n), IKE_E_OK);
	cr_assert_eq(n, 2);
	cr_assert(out[0].level == 0 && out[0].id == 0 && out[1].level == 2 && out[1].id == 7);
	for (int s = 0; s < 3; s++) {
		cr_assert_eq(out[0].gen[s].present, true);
		cr_assert_eq(out[0].gen[s].generation, 4u + (unsigned)s);
		cr_assert(!memcmp(out[0].gen[s].key, in[0].gen[s].key, 32));
		cr_assert_eq(ike_gcks_fingerprint(in[0].gen[s].key, fp), IKE_E_OK);
		cr_assert(!memcmp(out[0].gen[s].fp, fp, 8));
	}
	cr_assert(!out[1].gen[0].present && out[1].gen[1].present && !out[1].gen[2].present);
}

Test(ike_gcks, fingerprint_is_sha256_prefix)
{
	/* SHA-256 of 32 zero octets begins 66687aadf862bd77 */
	uint8_t key[32] = {0}, fp[8], want[8] = {0x66, 0x68, 0x7a, 0xad, 0xf8, 0x62, 0xbd, 0x77};
	cr_assert_eq(ike_gcks_fingerprint(key, fp), IKE_E_OK);
	cr_assert(!memcmp(fp, want, 8));
}

Test(ike_gcks, refusals)
{
	uint8_t kwk[32], other[32], buf[2048];
	struct ike_gcks_ring out[8], r = ring(0, 0, 4, 5, 6);
	unsigned n = 7;
	kwk_of(kwk, 3);
	kwk_of(other, 4);
	size_t len = build(buf, sizeof(buf), kwk, DOM, &r, 1);
	cr_assert_eq(parse(buf, len, other, DOM, out, &n), IKE_E_UNWRAP, "another SA's KWK");
	cr_assert_eq(n, 0);
	cr_assert_eq(parse(buf, len, kwk, DOM + 1, out, &n), IKE_E_MALFORMED, "another domain");
	/* a fingerprint changed: the first GEN's value starts after bag hdr 8,
	 * RING 12, its own TLV header 4; the fingerprint is octets 8..15 */
	uint8_t t[2048];
	memcpy(t, buf, len);
	t[28 + 4 + 8 + 12 + 4 + 8] ^= 1;
	cr_assert_eq(parse(t, len, kwk, DOM, out, &n), IKE_E_MALFORMED, "tampered fingerprint");
	/* generations not ascending, too far apart, no current */
	struct ike_gcks_ring bad[3] = {ring(0, 0, 5, 4, NONE), ring(0, 0, 1, 2, 5),
				       ring(1, 3, 1, NONE, 2)};
	for (int i = 0; i < 3; i++) {
		if (i == 2) {
			struct ike_builder b;
			/* the builder refuses a ring without a current one */
			struct ike_hdr h = {.exch_type = IKE_EXCH_GSA_INBAND_REKEY};
			size_t l;
			ike_build_init(&b, t, sizeof(t), &h);
			ike_gcks_put_ring(&b, PROTO, DOM, kwk, &bad[2]);
			cr_assert_neq(ike_build_finish(&b, &l), IKE_E_OK);
			continue;
		}
		len = build(t, sizeof(t), kwk, DOM, &bad[i], 1);
		cr_assert_eq(parse(t, len, kwk, DOM, out, &n), IKE_E_MALFORMED, "bad ring %d", i);
	}
	/* one ring twice */
	struct ike_gcks_ring twice[2] = {ring(1, 3, NONE, 1, NONE), ring(1, 3, NONE, 2, NONE)};
	len = build(t, sizeof(t), kwk, DOM, twice, 2);
	cr_assert_eq(parse(t, len, kwk, DOM, out, &n), IKE_E_MALFORMED, "a ring twice");
	/* the domain ring with an id */
	struct ike_gcks_ring did = ring(0, 5, NONE, 1, NONE);
	len = build(t, sizeof(t), kwk, DOM, &did, 1);
	cr_assert_eq(parse(t, len, kwk, DOM, out, &n), IKE_E_MALFORMED, "domain ring with id 5");
}

Test(ike_gcks, idg)
{
	uint8_t buf[128];
	struct ike_builder b;
	struct ike_hdr h = {.exch_type = IKE_EXCH_GSA_REGISTRATION};
	struct ike_msg m;
	size_t len;
	uint32_t dom = 0;
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_gcks_put_idg(&b, DOM);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(len, 28 + 4 + 4 + 4);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(m.outer.pl[0].type, IKE_PT_IDG, "IDg is a known payload");
	cr_assert_eq(ike_gcks_idg_parse(&m.outer.pl[0], &dom), IKE_E_OK);
	cr_assert_eq(dom, DOM);
	ike_build_init(&b, buf, sizeof(buf), &h);
	ike_put_id(&b, IKE_PT_IDG, IKE_ID_FQDN, (const uint8_t *)"lab", 3);
	cr_assert_eq(ike_build_finish(&b, &len), IKE_E_OK);
	cr_assert_eq(ike_msg_parse(buf, len, &m), IKE_E_OK);
	cr_assert_eq(ike_gcks_idg_parse(&m.outer.pl[0], &dom), IKE_E_MALFORMED);
}

static void root_rejects(const char *line, const char *why)
{
	struct eesp_ctl_req r;
	char err[160];
	cr_assert_eq(eesp_ctl_parse(line, strlen(line), &r, err, sizeof(err)), -1, "%s", line);
	cr_assert(strstr(err, why), "'%s': error '%s', expected '%s'", line, err, why);
	cr_assert(!strstr(err, "aaaa"), "the error quotes a key: %s", err);
}

#define K64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
Test(ike_gcks, root_set_line)
{
	struct eesp_ctl_req r;
	char err[160], out[EESP_CTL_MAX_LINE + 1];
	const char *ok = "root-set tenant 9 prev=4294967292:" K64 " cur=4294967293:" K64
			 " next=4294967295:" K64 "\n";
	cr_assert_eq(eesp_ctl_parse(ok, strlen(ok), &r, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(r.verb, EESP_CTL_ROOT_SET);
	cr_assert_eq(eesp_ctl_verb_class(r.verb), EESP_CTL_CLASS_SA);
	cr_assert(r.level == 1 && r.id == 9 && r.root[0].present && r.root[2].present);
	cr_assert_eq(r.root[2].generation, 4294967295u);
	cr_assert_eq(r.root[1].key[31], 0xaa);
	size_t n = eesp_ctl_format(&r, out, sizeof(out));
	cr_assert_eq(n, strlen(ok), "the longest line (%zu octets) formats", strlen(ok));
	cr_assert_str_eq(out, ok);
	root_rejects("root-set domain 0 prev=1:" K64, "cur= is required");
	root_rejects("root-set domain 0 next=3:" K64 " cur=2:" K64, "in that order");
	root_rejects("root-set domain 0 cur=2:" K64 " cur=3:" K64, "in that order");
	root_rejects("root-set domain 0 cur=3:" K64 " next=3:" K64, "must ascend");
	root_rejects("root-set domain 0 prev=1:" K64 " cur=2:" K64 " next=5:" K64,
		     "more than 3 apart");
	root_rejects("root-set domain 1 cur=2:" K64, "bad id");
	root_rejects("root-set domain 0 cur=02:" K64, "expected <generation>");
	root_rejects("root-set domain 0 cur=2:" K64 "a", "64 lower-case hex");
	root_rejects("root-set domain 0 cur=2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
		     "AAAAAAAAAAAA",
		     "64 lower-case hex");
	root_rejects("root-set planet 0 cur=2:" K64, "bad level");
}
