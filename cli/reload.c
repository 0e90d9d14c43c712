// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reload.c - `eespctl reload`: the daemon re-reads its configuration and key
 * files without dropping traffic.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "eespctl.h"

static void reload_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s reload [-s SOCKET | INTERFACE]\n\n"
		"Makes a running eespd re-read its configuration and key files (new\n"
		"generations, peers) without dropping traffic.\n\n"
		"Example:\n  %s reload -s /run/eespd/eesp0.sock\n",
		PROG, PROG);
}

int reload_main(int argc, char *argv[])
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *sock = NULL;
	char buf[256], e[512], *body;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'h':
			reload_usage(stdout);
			return 0;
		default:
			reload_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc - 1 || (optind == argc - 1 && sock)) {
		reload_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind == argc - 1)
		sock = argv[optind];
	struct eesp_ctl_req req = {.verb = EESP_CTL_RELOAD};
	if (ctl_request(ctl_socket_path(sock, buf, sizeof(buf)), &req, &body, e, sizeof(e))) {
		err("%s", e);
		return 1;
	}
	fputs(body, stdout);
	free(body);
	return 0;
}
