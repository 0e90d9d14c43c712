// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sa.c - `eespctl sa ...`: the runtime-SA verbs of a running eespd by hand
 * (sa-rx-alloc, sa-tx-alloc, sa-tx-set, sa-rx-set, sa-release, sa-list,
 * sa-wait; src/core/ctlproto.h).  What eesp-iked does over the control
 * socket, an operator can do with these: allocate a receive SPI on one
 * side and hand the reply to the other side's tx-set (on stdin, so the key
 * is never on a command line).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "ctlproto.h"
#include "eespctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s sa rx-alloc PEER [--psp-version 0-3 | --eesp] [--json] [-s SOCKET]\n"
		"       %s sa tx-alloc PEER [--json] [-s SOCKET]\n"
		"       %s sa tx-set PEER (SPI KEY|-) [--version N] [--salt HEX] [--phase N]\n"
		"                          [--epoch N] [--json] [-s SOCKET]\n"
		"       %s sa rx-set PEER (SPI KEY|-) [--salt HEX] [--json] [-s SOCKET]\n"
		"       %s sa release PEER [SPI] [--json] [-s SOCKET]\n"
		"       %s sa list [--json] [-s SOCKET]\n"
		"       %s sa wait SERIAL [--timeout SECONDS] [--json] [-s SOCKET]\n\n"
		"SOCKET: a control socket's path or an interface name.\n"
		"Runtime SAs of a configured peer (eespd(8), Runtime SAs).  rx-alloc gives a\n"
		"fresh receive SPI bound to PEER and the key PEER sends with; hand that reply\n"
		"to the other daemon's tx-set with `-` in place of SPI and KEY (read from\n"
		"stdin, so the key is on no command line).  KEY `-` alone reads the key\n"
		"from stdin.  An EESP key holder also allocates what it sends with\n"
		"(tx-alloc), which its client installs with rx-set.  release drops one SA\n"
		"of PEER, or all; list shows them (never keys) and the key serial; wait\n"
		"returns when the key serial is no longer SERIAL (a master or root key\n"
		"changed: allocate again) or after SECONDS (default 30).\n\n"
		"Example:\n"
		"  %s sa rx-alloc b -s /run/eespd/a.sock | %s sa tx-set a - -s /run/eespd/b.sock\n"
		"  %s sa wait 1 --timeout 300 -s /run/eespd/a.sock\n",
		PROG, PROG, PROG, PROG, PROG, PROG, PROG, PROG, PROG, PROG);
}

struct sa_opts {
	const char *sock;
	int timeout_s;
	struct eesp_ctl_req req;
};

static void wipe_req(struct eesp_ctl_req *r)
{
	OPENSSL_cleanse(r, sizeof(*r));
}

static int key_from_hex(const char *hex, struct eesp_ctl_req *r)
{
	long n = hex_decode_var(hex, r->key, sizeof(r->key));
	if (n != 16 && n != 32) {
		err("the key must be 32 or 64 hex digits");
		return -1;
	}
	r->key_len = (uint8_t)n;
	return 0;
}

static int salt_from_hex(const char *hex, struct eesp_ctl_req *r)
{
	if (hex_decode(hex, strlen(hex), r->salt, 4)) {
		err("--salt: 8 hex digits");
		return -1;
	}
	r->has_salt = true;
	return 0;
}

/* one "name value" line of an rx-alloc/tx-alloc reply */
static int reply_line(char *l, struct eesp_ctl_req *r)
{
	char *v = strchr(l, ' ');
	uint32_t n;
	if (!v)
		return 0;
	*v++ = 0;
	if (!strcmp(l, "spi"))
		return parse_u32(v, &r->spi) ? -1 : 0;
	if (!strcmp(l, "key"))
		return key_from_hex(v, r);
	if (!strcmp(l, "salt"))
		return salt_from_hex(v, r);
	if (!strcmp(l, "version") && r->verb == EESP_CTL_SA_TX_SET) {
		if (parse_u32(v, &n) || n > 3)
			return -1;
		r->version = (int)n;
	} else if (!strcmp(l, "sa_phase") && r->verb == EESP_CTL_SA_TX_SET) {
		if (parse_u32(v, &n) || n > 3)
			return -1;
		r->phase = (int)n;
	} else if (!strcmp(l, "epoch") && r->verb == EESP_CTL_SA_TX_SET) {
		if (parse_u32(v, &r->epoch))
			return -1;
		r->has_epoch = true;
	}
	return 0;
}

/* the text reply of sa-rx-alloc / sa-tx-alloc on stdin */
static int read_reply(struct eesp_ctl_req *r)
{
	char *buf;
	size_t len;
	int rc = 0;
	if (read_file("-", &buf, &len))
		return -1;
	for (char *l = buf; l && *l && !rc;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		rc = reply_line(l, r);
		l = nl ? nl + 1 : NULL;
	}
	free_secret(buf, len);
	if (rc || !r->spi || !r->key_len) {
		err("stdin: not an sa-rx-alloc / sa-tx-alloc reply (spi and key lines)");
		return -1;
	}
	return 0;
}

/* SPI KEY, or "-" for a reply on stdin, or KEY "-" for the key on stdin */
static int set_args(int argc, char *argv[], struct eesp_ctl_req *r)
{
	if (argc == 1 && !strcmp(argv[0], "-"))
		return read_reply(r);
	if (argc != 2) {
		err("give SPI and KEY, or - to read a reply from stdin");
		return -1;
	}
	if (parse_u32(argv[0], &r->spi) || !r->spi) {
		err("bad SPI '%s'", argv[0]);
		return -1;
	}
	if (strcmp(argv[1], "-"))
		return key_from_hex(argv[1], r);
	char *buf;
	size_t len;
	if (read_file("-", &buf, &len))
		return -1;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' ' || buf[len - 1] == '\r'))
		buf[--len] = 0; /* the key's line */
	int rc = key_from_hex(buf, r);
	free_secret(buf, len);
	return rc;
}

static const struct {
	const char *name;
	enum eesp_ctl_verb verb;
	int min, max; /* positional arguments after the subcommand */
} subs[] = {
    {"rx-alloc", EESP_CTL_SA_RX_ALLOC, 1, 1}, {"tx-alloc", EESP_CTL_SA_TX_ALLOC, 1, 1},
    {"tx-set", EESP_CTL_SA_TX_SET, 2, 3},     {"rx-set", EESP_CTL_SA_RX_SET, 2, 3},
    {"release", EESP_CTL_SA_RELEASE, 1, 2},   {"list", EESP_CTL_SA_LIST, 0, 0},
    {"wait", EESP_CTL_SA_WAIT, 1, 1},
};

static int positional(int argc, char *argv[], struct sa_opts *o)
{
	struct eesp_ctl_req *r = &o->req;
	uint64_t serial;
	if (r->verb == EESP_CTL_SA_LIST)
		return 0;
	if (r->verb == EESP_CTL_SA_WAIT) {
		if (parse_u64(argv[0], &serial)) {
			err("bad serial '%s'", argv[0]);
			return -1;
		}
		r->serial = serial;
		return 0;
	}
	if (strlen(argv[0]) > EESP_CTL_MAX_PEER) {
		err("peer name too long");
		return -1;
	}
	snprintf(r->peer, sizeof(r->peer), "%s", argv[0]);
	if (r->verb == EESP_CTL_SA_RELEASE && argc == 2 &&
	    (parse_u32(argv[1], &r->spi) || !r->spi)) {
		err("bad SPI '%s'", argv[1]);
		return -1;
	}
	if (r->verb == EESP_CTL_SA_TX_SET || r->verb == EESP_CTL_SA_RX_SET)
		return set_args(argc - 1, argv + 1, r);
	return 0;
}

static int option(int c, const char *arg, struct sa_opts *o)
{
	struct eesp_ctl_req *r = &o->req;
	uint32_t v;
	switch (c) {
	case 's':
		o->sock = arg;
		return 0;
	case 'j':
		r->json = true;
		return 0;
	case 'e':
		r->eesp = true;
		return 0;
	case 'P':
	case 'V':
		if (parse_u32(arg, &v) || v > 3)
			break;
		r->version = (int)v;
		return 0;
	case 'S':
		return salt_from_hex(arg, r);
	case 'p':
		if (parse_u32(arg, &v) || v > 3)
			break;
		r->phase = (int)v;
		return 0;
	case 'E':
		if (parse_u32(arg, &r->epoch))
			break;
		r->has_epoch = true;
		return 0;
	case 't':
		if (parse_u32(arg, &v) || !v || v > EESP_CTL_WAIT_MAX)
			break;
		r->wait_s = v;
		return 0;
	}
	err("bad option value '%s'", arg ? arg : "");
	return -1;
}

static int run(struct sa_opts *o)
{
	char buf[256], e[512], *body = NULL;
	int wait_s = o->req.wait_s ? (int)o->req.wait_s : EESP_CTL_WAIT_DEFAULT;
	int to = o->req.verb == EESP_CTL_SA_WAIT ? (wait_s + 10) * 1000 : 10000;
	int rc = ctl_request_timeout(ctl_socket_path(o->sock, buf, sizeof(buf)), &o->req, to, &body,
				     e, sizeof(e));
	wipe_req(&o->req);
	if (rc) {
		err("%s", e);
		return 1;
	}
	size_t len = strlen(body);
	fputs(body, stdout);
	OPENSSL_cleanse(body, len); /* rx-alloc replies hold a key */
	free(body);
	return 0;
}

int sa_main(int argc, char *argv[])
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"json", no_argument, NULL, 'j'},
					     {"eesp", no_argument, NULL, 'e'},
					     {"psp-version", required_argument, NULL, 'P'},
					     {"version", required_argument, NULL, 'V'},
					     {"salt", required_argument, NULL, 'S'},
					     {"phase", required_argument, NULL, 'p'},
					     {"epoch", required_argument, NULL, 'E'},
					     {"timeout", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sa_opts o = {0};
	int c, rc = EXIT_USAGE;
	size_t k;
	if (argc < 2 || want_help(argc, argv)) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]) && strcmp(subs[k].name, argv[1]); k++)
		;
	if (k == sizeof(subs) / sizeof(subs[0])) {
		err("sa: unknown command '%s'", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	o.req.verb = subs[k].verb;
	o.req.version = o.req.phase = -1;
	optind = 1;
	while ((c = getopt_long(argc - 1, argv + 1, "s:jh", opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?' || option(c, optarg, &o))
			goto out;
	}
	int np = argc - 1 - optind;
	if (np < subs[k].min || np > subs[k].max) {
		usage(stderr);
		goto out;
	}
	if (positional(np, argv + 1 + optind, &o)) {
		rc = 1;
		goto out;
	}
	return run(&o);
out:
	wipe_req(&o.req);
	return rc;
}
