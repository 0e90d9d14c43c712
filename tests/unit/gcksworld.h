/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gcksworld.h - a domain key server in memory (ikedworld.h) for the unit
 * tests: node 0 serves the rings of a key file text (gcks_attach), node 1
 * is a member whose eespd is a fake that records each root-set line.
 */
#ifndef GCKSWORLD_H
#define GCKSWORLD_H

#include "ikedworld.h"

#include "ctlproto.h"
#include "gcks.h"
#include "ike_gcks.h"
#include "keys.h"

struct fake_member_eespd {
	unsigned fail; /* refuse this many root-set calls first */
	unsigned calls;
	char last[EESP_CTL_MAX_LINE + 1];
	uint32_t cur_gen; /* current generation of the last root-set */
};
static struct fake_member_eespd F;

static int fake_call(void *arg, const char *sock, const char *line, size_t n, char **body,
		     char *err, size_t err_len)
{
	struct eesp_ctl_req r;
	(void)arg;
	(void)sock;
	*body = calloc(1, 8);
	if (eesp_ctl_parse(line, n, &r, err, err_len))
		return 1;
	cr_assert_eq(r.verb, EESP_CTL_ROOT_SET, "the member called %.*s", (int)n, line);
	if (F.fail) {
		F.fail--;
		snprintf(err, err_len, "no domain has key_server = true");
		return 1;
	}
	F.calls++;
	F.cur_gen = r.root[1].generation;
	snprintf(F.last, sizeof(F.last), "%.*s", (int)n, line);
	return 0;
}

#define DOM "0xc0ffee01"
static const char *const KEYS =
    "domain " DOM "\n"
    "domain 0 1 "
    "1111111111111111111111111111111111111111111111111111111111111111\n"
    "domain 0 2 "
    "2222222222222222222222222222222222222222222222222222222222222222 next\n";

/* node 0 a key server whose member gw2 gets member_extra; node 1 a member
 * asking for domain `ask`; gcks_extra: more settings of the gcks group */
static void world_x(struct world *w, const char *member_extra, const char *ask,
		    const char *gcks_extra)
{
	char ike0[256], peer1[256], err[256];
	struct eesp_keyfile_error ke;
	struct eesp_keyset *ks = eesp_keyset_new();
	memset(&F, 0, sizeof(F));
	w_init(w);
	/* the template closes the ike group's text with " };": a gcks group
	 * after it rides on ike_extra */
	snprintf(ike0, sizeof(ike0),
		 "}; gcks = { key_file = \"/k\"; state_file = \"/s/gcks.state\"; domain = " DOM "; "
		 "grace = 2; "
		 "ack_timeout_ms = 1000; %s ",
		 gcks_extra);
	snprintf(peer1, sizeof(peer1),
		 "initiate = true; key_server = { domain = %s; eespd_socket = \"/fake\"; };", ask);
	w_config(w, 0, "gcks-test-psk-0123456789", ike0, member_extra);
	w_config(w, 1, "gcks-test-psk-0123456789", NULL, peer1);
	w_start(w);
	w->n[1].e->io.eespd = fake_call;
	cr_assert_not_null(ks);
	cr_assert_eq(eesp_keyfile_parse(ks, KEYS, strlen(KEYS), &ke), 0, "%s", ke.msg);
	cr_assert_eq(gcks_attach(w->n[0].e, ks, err, sizeof(err)), 0, "%s", err);
	eesp_keyset_free(ks);
}

static void world(struct world *w, const char *member_extra, const char *ask)
{
	world_x(w, member_extra, ask, "");
}

static bool member_joined(struct world *w)
{
	return w->n[1].e->peers[0].gk.joined;
}
static bool server_idle(struct world *w)
{
	return gcks_due_ms(w->n[0].e) == 0 && w->nq == 0;
}
#endif /* GCKSWORLD_H */
