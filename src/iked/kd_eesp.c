// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kd_eesp.c - the EESP child (kd.h, wire format in ike_eesp.h): a client
 * of a trust domain with profile spi gets both of its SAs from the key
 * holder, never a root key.
 *
 *   key holder: sa-rx-alloc PEER eesp -> X (the client sends with it),
 *               sa-tx-alloc PEER -> Y (pending: we send with it later)
 *   key holder -> client  SK{[N(REKEY_SA)], V, SA(EESP, SPI X), Ni,
 *                            KD{bag X: key|salt, phase, epoch; bag Y: key|salt}, TSi, TSr}
 *   client:     sa-tx-set HOLDER X key salt phase epoch, sa-rx-set HOLDER Y key salt
 *   client -> key holder  SK{V, SA(EESP, SPI Y), Nr, TSi, TSr}
 *   key holder: sa-tx-set PEER Y key salt (activates Y: the client has it)
 *
 * So the key holder sends under Y only once the client can open it, and the
 * client's old receive SA is released KD_OLD_HOLD_MS after the switch.  The
 * key holder starts the child whichever side began the IKE SA, and again
 * when its key serial moves (a root rotation or retirement).
 */
#include <inttypes.h>
#include <string.h>

#include "engine_int.h"
#include "kd.h"
#include "log.h"
#include "secmem.h"

static void pend_drop(struct iked_engine *e, struct ike_sa *sa, struct iked_child *c)
{
	for (unsigned i = 0; i < c->n_pend; i++)
		kd_release(e, sa->peer, c->pend_spi[i]);
	c->n_pend = 0;
	if (c->pend_tx) {
		kd_release(e, sa->peer, c->pend_tx->spi);
		eesp_wipe(c->pend_tx, sizeof(*c->pend_tx));
		eesp_secure_free(c->pend_tx, sizeof(*c->pend_tx));
		c->pend_tx = NULL;
	}
}

static int send_offer(struct iked_engine *e, struct ike_sa *sa, struct iked_child *c,
		      const struct ike_eesp_sa *x, const struct ike_eesp_sa *y)
{
	uint8_t proto = e->conf->eesp_protocol, w[IKE_PSP_KWK_LEN], spi[4];
	struct ike_proposal prop;
	struct msgbuild mb;
	size_t off;
	int rc;
	if (ike_eesp_proposal(proto, 1, x->spi, &prop) || kd_kwk(sa, w))
		return -1;
	msg_begin_request(sa, &mb, IKE_EXCH_CREATE_CHILD_SA);
	if (c->my_spi) {
		ike_put32(spi, c->my_spi);
		ike_put_notify(&mb.b, proto, spi, 4, IKE_N_REKEY_SA, NULL, 0);
	}
	ike_put_vendor(&mb.b, (const uint8_t *)IKE_EESP_VID, IKE_EESP_VID_LEN);
	ike_put_sa(&mb.b, &prop, 1);
	kd_put_nonce(e, &mb.b);
	off = ike_build_begin(&mb.b, IKE_PT_KD, 0);
	ike_eesp_put_bag(&mb.b, proto, w, x);
	ike_eesp_put_bag(&mb.b, proto, w, y);
	ike_build_end(&mb.b, off);
	kd_put_ts_any(&mb.b);
	eesp_wipe(w, sizeof(w));
	rc = msg_request(e, sa, &mb, X_CHILD);
	eesp_wipe(&mb, sizeof(mb));
	return rc;
}

int kd_eesp_start(struct iked_engine *e, struct ike_sa *sa)
{
	struct iked_child *c = kd_child_get(sa);
	struct ike_eesp_sa x, y;
	uint64_t sx = 0, sy = 0;
	int locked;
	if (!c || !sa->peer->kd.key_holder)
		return -1;
	pend_drop(e, sa, c);
	c->pend_tx = eesp_secure_alloc(sizeof(*c->pend_tx), &locked);
	if (!c->pend_tx || kd_eesp_alloc(e, sa->peer, false, &x, &sx)) {
		pend_drop(e, sa, c);
		goto fail;
	}
	c->pend_spi[0] = x.spi;
	c->n_pend = 1;
	c->pend_serial = sx;
	if (kd_eesp_alloc(e, sa->peer, true, c->pend_tx, &sy)) {
		eesp_secure_free(c->pend_tx, sizeof(*c->pend_tx));
		c->pend_tx = NULL;
		pend_drop(e, sa, c);
		goto fail;
	}
	y = *c->pend_tx;
	y.has_phase = false; /* the client receives: no header fields to set */
	if (send_offer(e, sa, c, &x, &y)) {
		pend_drop(e, sa, c);
		goto fail;
	}
	eesp_wipe(&x, sizeof(x));
	eesp_wipe(&y, sizeof(y));
	return 0;
fail:
	eesp_wipe(&x, sizeof(x));
	cnt(e, CNT_CHILD_FAILED);
	kd_retry_later(e, c);
	return -1;
}

/* ------------------------------------------------------------ client -- */

/* the two SAs of the KD: x (SPI of the proposal) and the other bag's y */
static int offered(struct iked_engine *e, const struct ike_sa *sa, const struct ike_chain *in,
		   uint32_t x_spi, struct ike_eesp_sa *x, struct ike_eesp_sa *y)
{
	const struct ike_payload *p = ike_chain_find(in, IKE_PT_KD, 0);
	uint8_t proto = e->conf->eesp_protocol, w[IKE_PSP_KWK_LEN];
	uint32_t y_spi = 0;
	struct ike_kd kd;
	int rc = !p ? IKE_E_MALFORMED : ike_kd_parse(p, &kd);
	if (rc)
		return rc;
	if (kd.n != 2)
		return IKE_E_MALFORMED;
	for (unsigned i = 0; i < kd.n; i++)
		if (kd.bag[i].proto == proto && kd.bag[i].spi_size == 4 &&
		    ike_get32(kd.bag[i].spi) != x_spi)
			y_spi = ike_get32(kd.bag[i].spi);
	if (!y_spi)
		return IKE_E_MALFORMED;
	if (kd_kwk(sa, w))
		return IKE_E_CRYPTO;
	rc = ike_eesp_get_bag(&kd, proto, x_spi, w, true, x);
	if (!rc)
		rc = ike_eesp_get_bag(&kd, proto, y_spi, w, false, y);
	eesp_wipe(w, sizeof(w));
	return rc;
}

static int answer(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m, uint8_t num,
		  uint32_t y_spi)
{
	struct ike_proposal prop;
	struct msgbuild mb;
	if (ike_eesp_proposal(e->conf->eesp_protocol, num, y_spi, &prop))
		return -1;
	msg_begin(sa, &mb, IKE_EXCH_CREATE_CHILD_SA, true, m->hdr.msg_id);
	ike_put_vendor(&mb.b, (const uint8_t *)IKE_EESP_VID, IKE_EESP_VID_LEN);
	ike_put_sa(&mb.b, &prop, 1);
	kd_put_nonce(e, &mb.b);
	kd_put_ts_any(&mb.b);
	return msg_respond(e, sa, &mb, m);
}

void kd_eesp_request_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
			const struct ike_chain *in, const struct ike_proposal *props, unsigned n)
{
	struct ike_eesp_sa x, y;
	struct iked_child *c;
	uint32_t x_spi = 0;
	unsigned i;
	int rc;
	if (sa->peer->kd.key_holder) {
		kd_refuse(e, sa, m, "EESP", IKE_N_NO_PROPOSAL_CHOSEN, CNT_CHILD_REFUSED,
			  "we are this peer's key holder: a client does not send keys");
		return;
	}
	if (sa->state != SA_ESTABLISHED || (sa->req_busy && sa->req.kind == X_CHILD)) {
		kd_refuse(e, sa, m, "EESP", IKE_N_TEMPORARY_FAILURE, CNT_CHILD_FAILED,
			  "the IKE SA is busy");
		return;
	}
	if (!kd_rekey_names_child(sa, in, e->conf->eesp_protocol)) {
		kd_refuse(e, sa, m, "EESP", IKE_N_CHILD_SA_NOT_FOUND, CNT_CHILD_FAILED,
			  "its REKEY_SA names no child of ours");
		return;
	}
	for (i = 0; i < n; i++)
		if (!ike_eesp_proposal_get(e->conf->eesp_protocol, &props[i], &x_spi))
			break;
	if (i == n) {
		kd_refuse(e, sa, m, "EESP", IKE_N_NO_PROPOSAL_CHOSEN, CNT_CHILD_REFUSED,
			  "no EESP proposal with KWA KW_5649_256 alone");
		return;
	}
	rc = offered(e, sa, in, x_spi, &x, &y);
	c = rc ? NULL : kd_child_get(sa);
	if (!c) {
		eesp_wipe(&x, sizeof(x));
		eesp_wipe(&y, sizeof(y));
		kd_refuse(e, sa, m, "EESP", IKE_N_INVALID_SYNTAX, CNT_KD_BAD,
			  rc ? ike_err_name(rc) : "memory");
		return;
	}
	uint32_t y_spi = y.spi;
	/* receive first: the key holder may switch to y as soon as we answer */
	rc = kd_eesp_set(e, sa->peer, false, &y);
	if (!rc)
		rc = kd_eesp_set(e, sa->peer, true, &x);
	eesp_wipe(&x, sizeof(x));
	eesp_wipe(&y, sizeof(y));
	if (rc) {
		if (c->my_spi != y_spi)
			kd_release(e, sa->peer, y_spi);
		kd_refuse(e, sa, m, "EESP", IKE_N_TEMPORARY_FAILURE, CNT_CHILD_FAILED,
			  "eespd refused the SAs");
		return;
	}
	if (answer(e, sa, m, props[i].num, y_spi)) {
		cnt(e, CNT_CHILD_FAILED);
		return;
	}
	kd_child_keyed(e, sa, c, y_spi, x_spi, 0, 0);
}

/* -------------------------------------------------------- key holder -- */

void kd_eesp_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in)
{
	struct iked_child *c = sa->children;
	const struct ike_payload *ps = ike_chain_find(in, IKE_PT_SA, 0);
	uint16_t err = first_error_notify(in);
	struct ike_proposal sent, reply[2];
	unsigned nr = 0, idx;
	uint32_t x, y;
	char who[160], nb[32];
	if (!c || !c->n_pend || !c->pend_tx)
		return;
	x = c->pend_spi[0];
	if (err || !ps || ike_eesp_proposal(e->conf->eesp_protocol, 1, x, &sent) ||
	    ike_sa_parse(ps, reply, 2, &nr) || ike_sa_check_reply(&sent, 1, reply, nr, &idx)) {
		if (err)
			refusal(e, CNT_CHILD_FAILED,
				"%s: the client refused our EESP child with %s",
				sa_who(sa, who, sizeof(who)), notify_name(err, nb, sizeof(nb)));
		else
			refusal(e, CNT_CHILD_FAILED,
				"%s: the client's answer to our EESP child is not acceptable",
				sa_who(sa, who, sizeof(who)));
		pend_drop(e, sa, c);
		kd_retry_later(e, c);
		return;
	}
	/* the client has y: we may send with it */
	c->pend_tx->has_phase = false;
	y = c->pend_tx->spi;
	if (kd_eesp_set(e, sa->peer, true, c->pend_tx)) {
		cnt(e, CNT_CHILD_FAILED);
		pend_drop(e, sa, c);
		kd_retry_later(e, c);
		return;
	}
	eesp_wipe(c->pend_tx, sizeof(*c->pend_tx));
	eesp_secure_free(c->pend_tx, sizeof(*c->pend_tx));
	c->pend_tx = NULL;
	c->n_pend = 0;
	kd_child_keyed(e, sa, c, x, y, 0, c->pend_serial);
}
