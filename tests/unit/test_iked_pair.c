/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iked_pair.c - seed 004's pair keys on the wire: the runtime SA of a
 * pair key (ike_pk_sa: SPI and salt, known answers computed independently
 * with Python hmac from the definition in eesp.7 and ike_pairkey.h), and
 * the peers' `pair` group of eesp-iked.conf (conf_pair.c): what it reads
 * and each refusal with file:line and the setting.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "ike_pairkey.h"
#include "iked_confenv.h"
#include "psk.h"
#include "testhex.h"

/* K_lh and K_hl of generation 2 of the published vectors (vectors/pairkey) */
static const char k_lh[] = "835f34273565cbea726d57c622fc4509ef8368013ad312e25d20c29c9c81aaf2";
static const char k_hl[] = "f074c9f0606caffdfd0d1fe0a6d0cafea85c05bafc53242311e6e53f3d9978c9";

static void sa_of(const char *khex, uint32_t *spi, uint8_t salt[IKE_PK_SALT_LEN])
{
	uint8_t k[IKE_PK_KEY_LEN];
	cr_assert_eq(th_unhex(khex, k, sizeof(k)), sizeof(k));
	cr_assert_eq(ike_pk_sa(k, spi, salt), IKE_E_OK);
}

Test(iked_pair, sa_known_answers)
{
	uint8_t salt[IKE_PK_SALT_LEN], want[IKE_PK_SALT_LEN];
	uint32_t spi;
	sa_of(k_lh, &spi, salt);
	cr_assert_eq(spi, 0x98b27921u, "SPI 0x%08x", spi);
	th_unhex("08f06972", want, sizeof(want));
	cr_assert_arr_eq(salt, want, sizeof(want));
	sa_of(k_hl, &spi, salt);
	cr_assert_eq(spi, 0xa00655e2u, "SPI 0x%08x", spi);
	th_unhex("e0f4ee8b", want, sizeof(want));
	cr_assert_arr_eq(salt, want, sizeof(want));
}

Test(iked_pair, sa_spi_has_bit_31_and_follows_the_key)
{
	uint8_t k[IKE_PK_KEY_LEN] = {0}, salt[IKE_PK_SALT_LEN], salt2[IKE_PK_SALT_LEN];
	uint32_t spi, spi2;
	for (unsigned i = 0; i < 64; i++) {
		k[i % IKE_PK_KEY_LEN] ^= (uint8_t)(i * 37 + 1);
		cr_assert_eq(ike_pk_sa(k, &spi, salt), IKE_E_OK);
		cr_assert(spi & IKE_PK_SPI_BIT, "SPI 0x%08x below 0x80000000", spi);
		k[0] ^= 1;
		cr_assert_eq(ike_pk_sa(k, &spi2, salt2), IKE_E_OK);
		cr_assert(spi != spi2 || memcmp(salt, salt2, sizeof(salt)),
			  "one bit of K moves it");
		k[0] ^= 1;
	}
	cr_assert_eq(ike_pk_sa(NULL, &spi, salt), IKE_E_INVALID);
}

/* both members of a pair name the same SA for each direction */
Test(iked_pair, both_members_name_the_same_sas)
{
	static const uint8_t si[8] = {1, 2, 3, 4, 5, 6, 7, 8}, sr[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	uint8_t sk_d[IKE_PK_SK_D_LEN], salt_a[4], salt_b[4];
	struct eesp_ring gk = {.id = 7};
	struct ike_pk_pair pa, pb;
	struct ike_pk_ring *a = ike_pk_ring_new(), *b = ike_pk_ring_new();
	uint32_t spi_a, spi_b;
	for (unsigned i = 0; i < sizeof(sk_d); i++)
		sk_d[i] = (uint8_t)(0x40 + i);
	gk.gen[EESP_GEN_CURRENT] = (struct eesp_root_gen){.present = true, .generation = 5};
	memset(gk.gen[EESP_GEN_CURRENT].key, 0x5a, sizeof(gk.gen[EESP_GEN_CURRENT].key));
	cr_assert(a && b);
	cr_assert_eq(ike_pk_pair_init(&pa, si, sr, 3, 2, 7), IKE_E_OK);
	cr_assert_eq(ike_pk_pair_init(&pb, si, sr, 2, 3, 7), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_init(a, &pa, 2), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_init(b, &pb, 3), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_sync(a, IKE_PK_PRF, sk_d, sizeof(sk_d), &gk), IKE_E_OK);
	cr_assert_eq(ike_pk_ring_sync(b, IKE_PK_PRF, sk_d, sizeof(sk_d), &gk), IKE_E_OK);
	cr_assert_eq(ike_pk_sa(ike_pk_ring_current(a)->send, &spi_a, salt_a), IKE_E_OK);
	cr_assert_eq(ike_pk_sa(ike_pk_ring_current(b)->recv, &spi_b, salt_b), IKE_E_OK);
	cr_assert_eq(spi_a, spi_b);
	cr_assert_arr_eq(salt_a, salt_b, 4);
	cr_assert_eq(ike_pk_sa(ike_pk_ring_current(a)->recv, &spi_b, salt_b), IKE_E_OK);
	cr_assert_neq(spi_a, spi_b, "the two directions have two SPIs");
	ike_pk_ring_free(a);
	ike_pk_ring_free(b);
}

/* ------------------------------------------------------------- config -- */

#define HEAD                                                                                       \
	"daemon: { eespd_socket = \"/run/eespd/ctl.sock\"; };\n"                                   \
	"ike: { local_id = \"m2.example\"; };\n"                                                   \
	"peers = ( { name = \"gcks\"; address = \"198.51.100.1\"; remote_id = \"ks.example\";"     \
	" psk_file = \"p/text:0123456789abcdef\";%s },\n"                                          \
	"  { name = \"m3\"; address = \"198.51.100.3\"; remote_id = \"m3.example\";"               \
	" psk_file = \"p/text:fedcba9876543210\";\n%s } );\n"
#define KS " key_server = { domain = 1; };"
#define PAIR "pair = { key_server = \"gcks\"; group = 7; node_id = 2; peer_node_id = 3; };"

static int parse(const char *ks, const char *pair, struct iked_conf *c, char *err, size_t el)
{
	char text[2048];
	snprintf(text, sizeof(text), HEAD, ks, pair);
	return iked_conf_parse("/etc/x/eesp-iked.conf", text, &iked_test_env, c, err, el);
}

Test(iked_pair, conf_reads_the_pair)
{
	struct iked_conf c;
	char err[512];
	cr_assert_eq(parse(KS, PAIR, &c, err, sizeof(err)), 0, "%s", err);
	const struct iked_pair_conf *p = &c.peers[1].pair;
	cr_assert(p->on && !c.peers[0].pair.on);
	cr_assert_eq(p->ks_idx, 0);
	cr_assert(p->group == 7 && p->node_id == 2 && p->peer_node_id == 3);
	cr_assert_str_eq(p->eespd_socket, "/run/eespd/ctl.sock", "the daemon's by default");
	cr_assert_str_eq(p->eespd_peer, "m3", "eespd_peer defaults to the peer's name");
	iked_conf_free(&c);
	cr_assert_eq(parse(KS,
			   "pair = { key_server = \"gcks\"; group = 7; node_id = 2; peer_node_id = "
			   "3; eespd_socket = \"s/e.sock\"; eespd_peer = \"n3\"; };",
			   &c, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_str_eq(c.peers[1].pair.eespd_socket, "/etc/x/s/e.sock");
	cr_assert_str_eq(c.peers[1].pair.eespd_peer, "n3");
	iked_conf_free(&c);
}

static void refused(const char *ks, const char *pair, const char *want)
{
	struct iked_conf c;
	char err[512];
	cr_assert_neq(parse(ks, pair, &c, err, sizeof(err)), 0, "accepted: %s", pair);
	cr_assert(strstr(err, want), "wanted '%s', got '%s'", want, err);
	cr_assert_null(c.peers, "nothing left allocated");
}

Test(iked_pair, conf_refusals)
{
	refused(KS, "pair = 1;", "eesp-iked.conf:5: peer m3: pair must be a group");
	refused(KS, "pair = { group = 7; node_id = 2; peer_node_id = 3; };",
		"eesp-iked.conf:5: missing setting 'key_server'");
	refused(KS, "pair = { key_server = \"gcks\"; node_id = 2; peer_node_id = 3; };",
		"missing setting 'group'");
	refused(KS, "pair = { key_server = \"gcks\"; group = 7; node_id = 3; peer_node_id = 3; };",
		"eesp-iked.conf:5: peer m3: pair: peer_node_id is our node_id 3");
	refused(KS,
		"pair = { key_server = \"gcks\"; group = 7; node_id = 2; peer_node_id = 3; "
		"tenant = 1; };",
		"unknown setting 'tenant'");
	/* a proposal without prfsha256 would be refused too (check_proposals),
	 * but the suite parser knows no other PRF yet: nothing to write here */
	refused(KS,
		"pair = { key_server = \"nobody\"; group = 7; node_id = 2; peer_node_id = 3; };",
		"eesp-iked.conf:5: peer m3: pair.key_server \"nobody\" is no peer of ours");
	refused("", PAIR,
		"eesp-iked.conf:5: peer m3: pair.key_server \"gcks\" is not our key server");
	refused(KS, "eesp = { role = \"client\"; };\n " PAIR,
		"eesp-iked.conf:6: peer m3: pair with a psp, eesp, member or key_server group");
	refused(KS,
		"pair = { key_server = \"gcks\"; group = 7; node_id = 2; peer_node_id = 3; "
		"eespd_peer = \"n 3\"; };",
		"pair.eespd_peer must not hold blanks");
}

Test(iked_pair, conf_one_node_id_per_key_server)
{
	static const char text[] =
	    "daemon: { eespd_socket = \"/run/eespd/ctl.sock\"; };\n"
	    "ike: { local_id = \"m2.example\"; };\n"
	    "peers = ( { name = \"gcks\"; address = \"198.51.100.1\"; remote_id = \"ks.example\";"
	    " psk_file = \"p/text:0123456789abcdef\"; key_server = { domain = 1; }; },\n"
	    "  { name = \"m3\"; address = \"198.51.100.3\"; remote_id = \"m3.example\";"
	    " psk_file = \"p/text:fedcba9876543210\";\n"
	    " pair = { key_server = \"gcks\"; group = 7; node_id = 2; peer_node_id = 3; }; },\n"
	    "  { name = \"m4\"; address = \"198.51.100.4\"; remote_id = \"m4.example\";"
	    " psk_file = \"p/text:fedcba9876543211\";\n"
	    " pair = { key_server = \"gcks\"; group = 7; node_id = 5; peer_node_id = 4; }; } );\n";
	struct iked_conf c;
	char err[512];
	cr_assert_neq(
	    iked_conf_parse("/etc/x/eesp-iked.conf", text, &iked_test_env, &c, err, sizeof(err)),
	    0);
	cr_assert(strstr(err, "eesp-iked.conf:7: peer m4: pair.node_id 5, but peer m3 says 2"),
		  "got '%s'", err);
}
