/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_iked_kd.c - key download between two engines in memory
 * (ikedworld.h), each with a fake eespd behind io->eespd that allocates
 * receive SPIs under a "master" (bit 31 = spi_master, key = a function of
 * master and SPI), records the transmit SA it is given and counts
 * releases.  Asserted: each side's transmit key is the other's receive
 * key for that SPI; the initiator's v0 offer is released once v1 is
 * chosen; a key-serial change re-keys the child (REKEY_SA) with bit 31
 * flipped and the old receive SPI released later; an IKE SA rekey keeps
 * the child; a peer without a psp group refuses (NO_PROPOSAL_CHOSEN) and
 * keeps the IKE SA; closing the IKE SA releases everything.
 */
#include "ikedworld.h"
#include "kd.h"
#include "testhex.h"

struct fake_eespd {
	uint32_t next_spi[2];
	unsigned master; /* spi_master */
	uint64_t serial;
	uint32_t rx[16];
	unsigned n_rx;
	uint32_t tx_spi;
	uint8_t tx_key[32];
	unsigned tx_version;
	unsigned released, release_all, calls;
};
static struct fake_eespd F[2];

static void fake_key(unsigned node, uint32_t spi, unsigned version, uint8_t *out)
{
	for (unsigned i = 0; i < 32; i++)
		out[i] = (uint8_t)(node * 97 + (spi >> 31) * 13 + (spi & 0xff) * 7 + version + i);
}

static int hexbyte(const char *s)
{
	unsigned v;
	return sscanf(s, "%2x", &v) == 1 ? (int)v : -1;
}

static int fake_call(void *arg, const char *sock, const char *line, size_t n, char **body,
		     char *err, size_t err_len)
{
	struct w_node *wn = arg;
	struct fake_eespd *f = &F[wn->id];
	char peer[64], keyhex[80], *out = malloc(512);
	unsigned version;
	uint32_t spi;
	(void)sock;
	(void)n;
	f->calls++;
	*body = out;
	out[0] = 0;
	if (sscanf(line, "sa-rx-alloc %63s psp-version %u", peer, &version) == 2) {
		uint8_t k[32];
		size_t kl = ike_psp_key_len(version);
		if (version > 1) {
			snprintf(err, err_len, "PSP version %u is unsupported", version);
			return 1;
		}
		spi = (f->master ? 0x80000000u : 0) | ++f->next_spi[f->master];
		f->rx[f->n_rx++ % 16] = spi;
		fake_key((unsigned)wn->id, spi, version, k);
		int o = snprintf(out, 512, "peer %s\nspi 0x%08x\ndir rx\nversion %u\nkey ", peer,
				 spi, version);
		for (size_t i = 0; i < kl; i++)
			o += snprintf(out + o, 512 - (size_t)o, "%02x", k[i]);
		snprintf(out + o, 512 - (size_t)o, "\nkey_serial %llu\n",
			 (unsigned long long)f->serial);
		return 0;
	}
	if (sscanf(line, "sa-tx-set %63s 0x%x %79s version %u", peer, &spi, keyhex, &version) ==
	    4) {
		f->tx_spi = spi;
		f->tx_version = version;
		for (size_t i = 0; i < strlen(keyhex) / 2; i++)
			f->tx_key[i] = (uint8_t)hexbyte(keyhex + 2 * i);
		return 0;
	}
	if (sscanf(line, "sa-release %63s 0x%x", peer, &spi) == 2) {
		for (unsigned i = 0; i < 16; i++)
			if (f->rx[i] == spi)
				f->rx[i] = 0;
		f->released++;
		return 0;
	}
	if (sscanf(line, "sa-release %63s", peer) == 1) {
		memset(f->rx, 0, sizeof(f->rx));
		f->tx_spi = 0;
		f->release_all++;
		return 0;
	}
	if (!strcmp(line, "sa-list\n")) {
		int o = snprintf(out, 512, "key_serial %llu\n", (unsigned long long)f->serial);
		for (unsigned i = 0; i < 16 && o < 400; i++)
			if (f->rx[i])
				o += snprintf(out + o, 512 - (size_t)o,
					      "sa peer p dir rx spi 0x%08x kind psp\n", f->rx[i]);
		return 0;
	}
	snprintf(err, err_len, "unknown verb");
	return 1;
}

#define PSP_PEER                                                                                   \
	"psp = { eespd_socket = \"/fake/ctl.sock\"; eespd_peer = \"p\"; key_poll_ms = 500; };"

static void kd_world(struct world *w, const char *peer0, const char *peer1, const char *ike)
{
	memset(F, 0, sizeof(F));
	F[0].serial = F[1].serial = 1;
	w_init(w);
	w_config(w, 0, "kd-test-psk-0123456789", ike, peer0);
	w_config(w, 1, "kd-test-psk-0123456789", ike, peer1);
	w->n[0].conf.peers[0].initiate = true;
	w_start(w);
	for (int i = 0; i < 2; i++)
		w->n[i].e->io.eespd = fake_call;
}

static bool both_children(struct world *w)
{
	return w_cnt(w, 0, CNT_CHILD_UP) >= 1 && w_cnt(w, 1, CNT_CHILD_UP) >= 1;
}

static uint32_t rx_of(struct world *w, int id)
{
	struct ike_sa *sa = w_sa(w, id, SA_ESTABLISHED);
	cr_assert_not_null(sa);
	cr_assert_not_null(sa->children);
	return sa->children->my_spi;
}

/* node a's transmit SA is node b's receive SA with b's key */
static void assert_paired(int a, int b, uint32_t b_rx, unsigned version)
{
	uint8_t k[32];
	cr_assert_eq(F[a].tx_spi, b_rx, "node %d sends under 0x%08x, node %d receives under 0x%08x",
		     a, F[a].tx_spi, b, b_rx);
	fake_key((unsigned)b, b_rx, version, k);
	cr_assert_eq(F[a].tx_version, version);
	th_assert_mem(F[a].tx_key, k, ike_psp_key_len(version), "node %d's transmit key", a);
}

Test(iked_kd, psp_children_keyed)
{
	struct world w;
	kd_world(&w, PSP_PEER, PSP_PEER, NULL);
	cr_assert(w_run(&w, 5000, both_children), "no child: %llu / %llu",
		  (unsigned long long)w_cnt(&w, 0, CNT_CHILD_UP),
		  (unsigned long long)w_cnt(&w, 1, CNT_CHILD_UP));
	uint32_t r0 = rx_of(&w, 0), r1 = rx_of(&w, 1);
	assert_paired(0, 1, r1, 1);
	assert_paired(1, 0, r0, 1);
	/* node 0 offered v1 (SPI 1) and v0 (SPI 2): the v0 SPI went back */
	cr_assert_eq(r0, 1);
	cr_assert_eq(F[0].released, 1, "the unchosen offer was not released");
	cr_assert_eq(w_count(&w, 0, SA_ESTABLISHED), 1);
	w_free(&w);
}

Test(iked_kd, version_0_only_responder)
{
	struct world w;
	kd_world(&w, PSP_PEER,
		 "psp = { eespd_socket = \"/fake\"; eespd_peer = \"p\"; versions = [ 0 ]; };",
		 NULL);
	cr_assert(w_run(&w, 5000, both_children));
	uint32_t r0 = rx_of(&w, 0), r1 = rx_of(&w, 1);
	cr_assert_eq(r0, 2, "the v0 offer's SPI is used");
	assert_paired(0, 1, r1, 0);
	assert_paired(1, 0, r0, 0);
	w_free(&w);
}

static bool rekeyed_0(struct world *w)
{
	return w_cnt(w, 0, CNT_CHILD_REKEYED) >= 1 && w_cnt(w, 1, CNT_CHILD_REKEYED) >= 1;
}

Test(iked_kd, master_rotation_rekeys_child)
{
	struct world w;
	kd_world(&w, PSP_PEER, PSP_PEER, NULL);
	cr_assert(w_run(&w, 5000, both_children));
	uint32_t old0 = rx_of(&w, 0);
	/* node 1 (the responder) rotates: serial moves, spi_master 1 */
	F[1].master = 1;
	F[1].serial = 2;
	cr_assert(w_run(&w, 3000, rekeyed_0), "no child rekey after the serial moved");
	uint32_t r0 = rx_of(&w, 0), r1 = rx_of(&w, 1);
	cr_assert(r1 & 0x80000000u, "node 1's new rx SPI 0x%08x lacks bit 31", r1);
	cr_assert_neq(r0, old0);
	assert_paired(0, 1, r1, 1);
	assert_paired(1, 0, r0, 1);
	unsigned before = F[1].released;
	w_run(&w, KD_OLD_HOLD_MS + 100, NULL);
	cr_assert_gt(F[1].released, before, "node 1's old rx SPI was never released");
	cr_assert_eq(w_cnt(&w, 0, CNT_CHILD_UP), 2); /* the first, and the rekey */
	/* no further rekey while the serial stays */
	w_run(&w, 3000, NULL);
	cr_assert_eq(w_cnt(&w, 1, CNT_CHILD_REKEYED), 1);
	w_free(&w);
}

static bool ike_rekeyed(struct world *w)
{
	return w_cnt(w, 0, CNT_SA_REKEYED) >= 1 && w_cnt(w, 1, CNT_SA_REKEYED) >= 1 &&
	       w_count(w, 0, SA_ESTABLISHED) == 1 && w_count(w, 0, SA_REKEYED) == 0 &&
	       w_count(w, 1, SA_REKEYED) == 0;
}

Test(iked_kd, ike_rekey_keeps_child)
{
	struct world w;
	kd_world(&w, PSP_PEER, PSP_PEER, "rekey_time = 10;");
	cr_assert(w_run(&w, 5000, both_children));
	uint32_t r0 = rx_of(&w, 0), r1 = rx_of(&w, 1);
	cr_assert(w_run(&w, 15000, ike_rekeyed), "no IKE SA rekey");
	cr_assert_eq(rx_of(&w, 0), r0);
	cr_assert_eq(rx_of(&w, 1), r1);
	cr_assert_eq(F[0].release_all + F[1].release_all, 0, "an IKE rekey released the SAs");
	cr_assert_eq(w_cnt(&w, 0, CNT_CHILD_UP), 1);
	w_free(&w);
}

Test(iked_kd, peer_without_psp_refuses)
{
	struct world w;
	kd_world(&w, PSP_PEER, NULL, NULL);
	w_run(&w, 3000, NULL);
	/* refused once, or twice with the retry 2-4 s later */
	uint64_t refused = w_cnt(&w, 1, CNT_CHILD_REFUSED);
	cr_assert(refused >= 1 && refused <= 2, "the responder refused %llu times",
		  (unsigned long long)refused);
	cr_assert_eq(w_cnt(&w, 0, CNT_CHILD_FAILED), refused);
	cr_assert(w_both_up(&w), "the IKE SA did not stay");
	cr_assert_eq(F[0].tx_spi, 0);
	cr_assert_eq(F[1].calls, 0, "a peer without psp called eespd");
	/* the initiator's two offers went back each time */
	cr_assert_eq(F[0].released, 2 * refused);
	w_free(&w);
}

Test(iked_kd, close_releases)
{
	struct world w;
	char err[128];
	kd_world(&w, PSP_PEER, PSP_PEER, NULL);
	cr_assert(w_run(&w, 5000, both_children));
	cr_assert_eq(engine_terminate(w.n[0].e, "gw2", err, sizeof(err)), 1, "%s", err);
	w_run(&w, 3000, NULL);
	cr_assert_eq(F[0].release_all, 1, "node 0 did not release its SAs");
	cr_assert_eq(F[1].release_all, 1, "node 1 did not release its SAs at the Delete");
	w_free(&w);
}

/* a REKEY_SA naming an SPI that is not our child's: CHILD_SA_NOT_FOUND,
 * nothing installed, the child and the IKE SA stay */
Test(iked_kd, rekey_of_unknown_child_refused)
{
	struct world w;
	kd_world(&w, PSP_PEER, PSP_PEER, NULL);
	cr_assert(w_run(&w, 5000, both_children));
	uint32_t r0 = rx_of(&w, 0), r1 = rx_of(&w, 1), tx1 = F[1].tx_spi;
	w_sa(&w, 0, SA_ESTABLISHED)->children->my_spi = 0x7777; /* what its REKEY_SA names */
	F[0].serial = 2;					/* node 0 re-keys */
	w_run(&w, 1500, NULL);
	cr_assert_geq(w_cnt(&w, 1, CNT_CHILD_FAILED), 1, "node 1 did not refuse");
	cr_assert_eq(w_cnt(&w, 1, CNT_CHILD_REKEYED), 0);
	cr_assert_eq(F[1].tx_spi, tx1, "node 1 installed a key anyway");
	cr_assert_eq(rx_of(&w, 1), r1);
	cr_assert(w_both_up(&w));
	(void)r0;
	w_free(&w);
}
