// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_snap.c - a snapshot's memory (snap.c) on every shape conf_parse
 * builds: a clone is equal, owns all of its memory (changing its key ring
 * leaves the original alone) and frees cleanly (run under ASan by make
 * check-asan); the key phases follow a changed ring; and conf_restart_diff
 * names exactly the restart-only settings that changed, one row per setting.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "testconf.h"

/* ------------------------------------------------------------- shapes -- */

static const struct {
	const char *name;
	const char *keys; /* the text of dom.keys (NULL: the table's) */
	const char *text;
} shapes[] = {
    {"one domain, one peer", NULL, TC_EESP("", "", "", "")},
    {"no peers", NULL, "daemon: { user = \"eesp\"; };\n" TC_EESP_DOMAIN " };\n"},
    {"tenants, groups and policy", TC_TENANT_KEYS,
     TC_EESP("addresses = [ \"192.0.2.1/24\", \"2001:db8::1/64\" ];",
	     "tenant = 7; group = 5; "
	     "policy = ( { nodes = ( \"10-20\", 30 ); prefixes = [ \"198.51.100.0/24\" ]; "
	     "tenant = 8; }, { nodes = [ 40 ]; prefixes = [ ]; } );",
	     "rx_spi = [ 0x2001, 0x2002 ];", "")},
    {"two domains forwarding", NULL,
     TC_DOMS("", "forward_to = [ \"b\" ];", "forward_to = [ \"a\" ];", "", "")},
    {"profile spi server", NULL,
     TC_SPI_SERVER("",
		   "policy = ( { spis = [ \"0x1f00-0x1fff\" ]; "
		   "prefixes = [ \"192.0.2.0/24\" ]; } );",
		   "", "")},
    {"profile spi client", NULL, TC_SPI_CLIENT("", "", "", "")},
    {"psp with policy", NULL,
     TC_PSP("", "policy = ( { spis = ( 5, \"7-9\" ); prefixes = [ \"192.0.2.0/24\" ]; } );", "",
	    "")},
};

static struct snap *parse_shape(size_t i, struct eespd_conf *c)
{
	tc_reset_keys(shapes[i].keys);
	return tc_parse_ok(shapes[i].text, c, NULL);
}

/* n elements at a and b equal, and b a copy of its own (or both empty) */
static void same_array(const void *a, const void *b, size_t n, size_t size, const char *what)
{
	if (!n)
		return;
	cr_assert_not_null(b, "%s not copied", what);
	cr_assert_neq(a, b, "%s shared with the original", what);
	cr_assert_eq(memcmp(a, b, n * size), 0, "%s differ", what);
}

static void same_domain(const struct domain *o, const struct domain *d)
{
	cr_assert_str_eq(d->name, o->name);
	cr_assert_str_eq(d->key_path, o->key_path);
	cr_assert_eq(d->dom.spi, o->dom.spi);
	cr_assert_eq(d->profile, o->profile);
	cr_assert_eq(d->forward_mask, o->forward_mask);
	cr_assert_eq(memcmp(d->phase, o->phase, sizeof(d->phase)), 0);
	same_array(o->keys, d->keys, 1, sizeof(*o->keys), "keys");
	cr_assert_eq(d->dom.keys, d->keys, "the core's view points at the copy's keys");
	cr_assert_eq(d->n_policy, o->n_policy);
	for (unsigned k = 0; k < o->n_policy; k++) {
		const struct policy *a = &o->policy[k], *b = &d->policy[k];
		cr_assert(a->n_nodes == b->n_nodes && a->n_prefixes == b->n_prefixes &&
			  a->tenant == b->tenant && a->group == b->group);
		same_array(a->nodes, b->nodes, a->n_nodes, sizeof(*a->nodes), "policy nodes");
		same_array(a->prefixes, b->prefixes, a->n_prefixes, sizeof(*a->prefixes),
			   "policy prefixes");
	}
}

static void same_snap(const struct snap *o, const struct snap *s)
{
	cr_assert(s->mode == o->mode && s->n_doms == o->n_doms && s->n_peers == o->n_peers &&
		  s->n_routes == o->n_routes && s->log_level == o->log_level &&
		  s->admin_gid == o->admin_gid && s->serial == o->serial &&
		  s->loaded_at == o->loaded_at);
	cr_assert_str_eq(s->admin_group, o->admin_group);
	for (unsigned i = 0; i < o->n_doms; i++)
		same_domain(&o->dom[i], &s->dom[i]);
	same_array(o->routes, s->routes, o->n_routes, sizeof(*o->routes), "routes");
	for (unsigned i = 0; i < o->n_peers; i++) {
		const struct peer *a = &o->peers[i], *b = &s->peers[i];
		cr_assert_str_eq(b->name, a->name);
		cr_assert_str_eq(b->ep_str, a->ep_str);
		cr_assert(a->node_id == b->node_id && a->tx_spi == b->tx_spi &&
			  a->tx_key == b->tx_key && a->dom == b->dom && a->tenant == b->tenant &&
			  a->n_allowed == b->n_allowed && a->n_rx_spi == b->n_rx_spi);
		same_array(a->allowed, b->allowed, a->n_allowed, sizeof(*a->allowed),
			   "allowed_ips");
		same_array(a->rx_spi, b->rx_spi, a->n_rx_spi, sizeof(*a->rx_spi), "rx_spi");
	}
	if (o->n_peers)
		cr_assert_neq(s->peers, o->peers);
}

Test(snap, clone_is_equal_and_owns_its_memory)
{
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		struct eespd_conf c;
		struct snap *o = parse_shape(i, &c);
		o->serial = 41;
		struct snap *s = snap_clone(o);
		cr_assert_not_null(s, "%s", shapes[i].name);
		same_snap(o, s);
		/* a clone of a clone, then the copies freed first */
		struct snap *t = snap_clone(s);
		snap_free(s);
		same_snap(o, t);
		snap_free(t);
		snap_free(o);
	}
	snap_free(NULL);
}

/* rotate works on a clone: the original keeps its keys and phases */
Test(snap, changed_ring_in_the_clone_only)
{
	struct eespd_conf c;
	struct snap *o = parse_shape(2, &c);
	struct snap *s = snap_clone(o);
	struct eesp_ring *dom = &s->dom[0].keys->domain;
	struct eesp_ring *t7 =
	    (struct eesp_ring *)eesp_keyset_ring(s->dom[0].keys, EESP_LEVEL_TENANT, 7);
	cr_assert_eq(o->dom[0].phase[0], 2);
	cr_assert_eq(o->dom[0].phase[1], 1);
	cr_assert_eq(eesp_ring_rotate(dom), 0);
	eesp_ring_retire_previous(t7);
	snap_finish_keys(s);
	cr_assert_eq(s->dom[0].phase[0], 3, "generation 3 is current");
	cr_assert_eq(s->dom[0].phase[1], 1, "retire keeps the current generation");
	cr_assert_not(t7->gen[EESP_GEN_PREVIOUS].present);
	cr_assert_eq(o->dom[0].phase[0], 2);
	cr_assert_eq(eesp_ring_current(&o->dom[0].keys->domain)->generation, 2);
	cr_assert(
	    eesp_keyset_ring(o->dom[0].keys, EESP_LEVEL_TENANT, 7)->gen[EESP_GEN_PREVIOUS].present);
	cr_assert_eq(s->dom[0].dom.keys, s->dom[0].keys);
	snap_free(s);
	snap_free(o);
}

/* psp snapshots have no phases */
Test(snap, finish_keys_psp)
{
	struct eespd_conf c;
	struct snap *o = parse_shape(6, &c);
	o->dom[0].phase[0] = 3;
	snap_finish_keys(o);
	cr_assert_eq(o->dom[0].phase[0], 0);
	cr_assert_eq(o->dom[0].dom.keys, o->dom[0].keys);
	snap_free(o);
}

/* --------------------------------------------------------- restart diff -- */

#define BASE "user = \"eesp\"; control_socket = \"/run/eespd/t.sock\"; "
static const struct {
	const char *running, *next, *names;
} diff_rows[] = {
    {BASE, BASE "interface = \"tun1\";", "interface"},
    {BASE, BASE "mtu = 1500;", "mtu"},
    {BASE, BASE "addresses = [ \"192.0.2.1/24\" ];", "addresses"},
    {BASE "addresses = [ \"192.0.2.1/24\" ];", BASE "addresses = [ \"192.0.2.1/25\" ];",
     "addresses"},
    {BASE "addresses = [ \"192.0.2.1/24\" ];",
     BASE "addresses = [ \"192.0.2.1/24\", \"2001:db8::1/64\" ];", "addresses"},
    {BASE, BASE "port = 4501;", "port"},
    {BASE, BASE "source_ports = [ 49152, 65534 ];", "source_ports"},
    {BASE, BASE "source_ports = [ 49153, 65535 ];", "source_ports"},
    {BASE, BASE "workers = 2;", "workers"},
    {BASE, BASE "offload = false;", "offload"},
    {BASE, BASE "gro = false;", "gro"},
    {BASE, BASE "udp_gso = false;", "udp_gso"},
    {BASE, BASE "udp_gro = false;", "udp_gro"},
    {"user = \"eesp\"; control_socket = \"/run/eespd/t.sock\";",
     "user = \"svc\"; control_socket = \"/run/eespd/t.sock\";", "user"},
    {"user = \"eesp\"; control_socket = \"/run/eespd/t.sock\";",
     "user = \"eesp\"; control_socket = \"/run/eespd/u.sock\";", "control_socket"},
    {"user = \"eesp\";", "user = \"eesp\"; interface = \"tun1\";", "interface, control_socket"},
    {BASE, BASE "state_dir = \"/srv/eespd\";", "state_dir"},
    {BASE, BASE "control_group = \"eesp\";", "control_group"},
    {BASE, BASE "iv_block = 16;", "iv_block"},
    {BASE, BASE "seccomp = false;", "seccomp"},
    {BASE, BASE "lock_memory = \"keys\";", "lock_memory"},
    {BASE, BASE "mtu = 1500; workers = 2; lock_memory = \"all\";", "mtu, workers, lock_memory"},
    /* reloadable settings are no restart-only change */
    {BASE, BASE "log_level = \"debug\"; admin_group = \"eespadm\";", ""},
    {BASE, BASE "mtu = 1400; port = 4500; workers = 1; interface = \"eesp0\";", ""},
};

static void parse_daemon(const char *daemon, const char *domain, struct eespd_conf *c)
{
	char text[2048];
	snprintf(text, sizeof(text), TC_CONF("", "%s", TC_EESP_DOMAIN, "%s", TC_EESP_PEER, "", ""),
		 daemon, domain);
	snap_free(tc_parse_ok(text, c, NULL));
}

static unsigned count_names(const char *names)
{
	unsigned n = names[0] ? 1 : 0;
	for (const char *p = names; *p; p++)
		n += *p == ',';
	return n;
}

Test(snap, restart_diff_names_each_restart_only_setting)
{
	for (size_t i = 0; i < sizeof(diff_rows) / sizeof(diff_rows[0]); i++) {
		struct eespd_conf a, b;
		char names[512];
		tc_reset();
		parse_daemon(diff_rows[i].running, "", &a);
		parse_daemon(diff_rows[i].next, "", &b);
		unsigned n = conf_restart_diff(&a, &b, names, sizeof(names));
		cr_expect_str_eq(names, diff_rows[i].names, "row %zu: %s -> %s", i,
				 diff_rows[i].running, diff_rows[i].next);
		cr_expect_eq(n, count_names(diff_rows[i].names), "row %zu: %u changes", i, n);
		cr_expect_eq(conf_restart_diff(&b, &a, names, sizeof(names)), n, "row %zu back", i);
	}
}

/* what the snapshot holds (domains, keys, peers, policy) is reloadable */
Test(snap, restart_diff_ignores_the_snapshot)
{
	struct eespd_conf a, b;
	char names[64];
	tc_reset();
	parse_daemon(BASE, "", &a);
	parse_daemon(BASE,
		     "epoch = 9; replay_buckets = 64; policy = ( { nodes = [ 3 ]; "
		     "prefixes = [ \"192.0.2.0/24\" ]; } );",
		     &b);
	cr_assert_eq(conf_restart_diff(&a, &b, names, sizeof(names)), 0, "%s", names);
	cr_assert_str_eq(names, "");
}

/* a short buffer: the count stays right and the names are the whole names
 * that fit, from the start of the list (never a later name in place of an
 * earlier one), nothing written past cap */
Test(snap, restart_diff_short_buffer)
{
	struct eespd_conf a, b;
	char names[16];
	tc_reset();
	parse_daemon(BASE, "", &a);
	parse_daemon(BASE "mtu = 1500; workers = 2; iv_block = 16; seccomp = false;", "", &b);
	memset(names, 'x', sizeof(names));
	cr_assert_eq(conf_restart_diff(&a, &b, names, 12), 4);
	cr_assert_str_eq(names, "mtu", "whole names from the start, not \"%s\"", names);
	cr_assert_eq(names[12], 'x');
	cr_assert_eq(conf_restart_diff(&a, &b, names, 15), 4);
	cr_assert_str_eq(names, "mtu, workers");
	cr_assert_eq(conf_restart_diff(&a, &b, names, 0), 4);
	cr_assert_eq(names[0], 'm', "cap 0: nothing written");
}
