// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iked.c - `eespctl iked`: the control socket of eesp-iked (ikedctl.h),
 * in the manner of `eespctl show` for eespd: eespctl picks the socket and
 * passes --json through, the daemon formats the body.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctlclient.h"
#include "eespctl.h"
#include "ikedctl.h"

#define IKED_DEFAULT_SOCKET "/run/eesp-iked/ctl.sock"

static void iked_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s iked [-s SOCKET] [--json] status|show|counters\n"
		"       %s iked [-s SOCKET] initiate|terminate PEER\n\n"
		"Talks to a running eesp-iked (eesp-iked(8)):\n"
		"  status      one-line summary\n"
		"  show        the IKE SAs: peer, state, role, SPIs, suite, age\n"
		"  counters    counters by name, drops by reason\n"
		"  initiate    bring up an IKE SA with PEER now\n"
		"  terminate   delete PEER's IKE SAs (Delete sent; no new attempt)\n"
		"The socket is -s, else $EESP_IKED_SOCKET, else %s.\n\n"
		"Example:\n  %s iked show --json\n",
		PROG, PROG, IKED_DEFAULT_SOCKET, PROG);
}

static int verb_of(const char *w, enum iked_ctl_verb *v)
{
	for (int i = 0; i < IKED_CTL__COUNT; i++)
		if (!strcmp(w, iked_ctl_verb_name((enum iked_ctl_verb)i))) {
			*v = (enum iked_ctl_verb)i;
			return 0;
		}
	return -1;
}

int iked_main(int argc, char *argv[])
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"socket", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct iked_ctl_req req = {0};
	const char *sock = getenv("EESP_IKED_SOCKET");
	char line[IKED_CTL_MAX_LINE + 2], e[512], *body;
	size_t n;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "js:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			req.json = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			iked_usage(stdout);
			return 0;
		default:
			iked_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc || verb_of(argv[optind], &req.verb)) {
		iked_usage(stderr);
		return EXIT_USAGE;
	}
	if (req.verb == IKED_CTL_INITIATE || req.verb == IKED_CTL_TERMINATE) {
		if (optind + 2 != argc || strlen(argv[optind + 1]) >= sizeof(req.peer)) {
			iked_usage(stderr);
			return EXIT_USAGE;
		}
		strcpy(req.peer, argv[optind + 1]);
	} else if (optind + 1 != argc) {
		iked_usage(stderr);
		return EXIT_USAGE;
	}
	n = iked_ctl_format(&req, line, sizeof(line));
	if (!n) {
		err("invalid request (peer names are letters, digits, '.', '_' and '-')");
		return EXIT_USAGE;
	}
	rc = ctl_call_daemon("eesp-iked", sock && *sock ? sock : IKED_DEFAULT_SOCKET, line, n,
			     &body, e, sizeof(e));
	if (rc) {
		err("%s", e);
		return 1;
	}
	fputs(body, stdout);
	if (*body && body[strlen(body) - 1] != '\n')
		fputc('\n', stdout);
	free(body);
	return 0;
}
