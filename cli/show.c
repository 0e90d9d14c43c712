// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * show.c - `eespctl show` and `eespctl status`: the daemon's view, like
 * `wg show`.  The daemon formats the body (ctlproto.h `show`, `counters`,
 * `keys`, `status`); eespctl chooses the socket and passes --json through.
 */
#include <dirent.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "eespctl.h"

static int run(const char *sock, enum eesp_ctl_verb verb, bool json, bool heading, bool all)
{
	struct eesp_ctl_req req = {.verb = verb, .json = json};
	char *body, e[512];
	int rc = ctl_request(sock, &req, &body, e, sizeof(e));
	if (rc) {
		err("%s", e);
		return 1;
	}
	if (heading)
		printf("socket: %s\n", sock);
	if (!json && (verb == EESP_CTL_SHOW || verb == EESP_CTL_COUNTERS))
		show_print(stdout, body, all);
	else {
		fputs(body, stdout);
		if (*body && body[strlen(body) - 1] != '\n')
			fputc('\n', stdout);
	}
	free(body);
	return 0;
}

static void show_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s show [--json] [--all] [--counters | --keys] [-s SOCKET | INTERFACE | "
		"all]\n\n"
		"Shows a running eespd: interface, mode, domains and the generations in\n"
		"use per level, peers with their traffic (latest_rx, rx/tx packets and\n"
		"bytes), traffic counters and drops by reason.  INTERFACE means the socket\n"
		"%s/INTERFACE.sock; `all` asks every socket there.\n"
		"The default socket is $EESPCTL_SOCKET or %s.\n"
		"  --json      one JSON object, for scripts (always every counter)\n"
		"  --all       also the counters that are zero (hidden otherwise)\n"
		"  --counters  only the counters;  --keys  only generations and fingerprints\n\n"
		"Example:\n  %s show -s /run/eespd/eesp0.sock --json\n",
		PROG, EESPCTL_SOCKET_DIR, EESPCTL_DEFAULT_SOCKET, PROG);
}

static int common(int argc, char *argv[], enum eesp_ctl_verb verb, void (*usage)(FILE *))
{
	static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
					     {"socket", required_argument, NULL, 's'},
					     {"counters", no_argument, NULL, 'c'},
					     {"keys", no_argument, NULL, 'k'},
					     {"all", no_argument, NULL, 'a'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *sock = NULL;
	char buf[256];
	bool json = false, all = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+js:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'a':
			if (verb == EESP_CTL_STATUS) {
				usage(stderr);
				return EXIT_USAGE;
			}
			all = true;
			break;
		case 'c':
		case 'k':
			if (verb != EESP_CTL_SHOW) {
				usage(stderr);
				return EXIT_USAGE;
			}
			verb = c == 'c' ? EESP_CTL_COUNTERS : EESP_CTL_KEYS;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc - 1 || (optind == argc - 1 && sock)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind == argc - 1 && !strcmp(argv[optind], "all")) {
		DIR *d = opendir(EESPCTL_SOCKET_DIR);
		struct dirent *de;
		int rc = 0, n = 0;
		if (!d) {
			err("%s: no daemons found", EESPCTL_SOCKET_DIR);
			return 1;
		}
		while ((de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 6 || strcmp(de->d_name + l - 5, ".sock"))
				continue;
			int m = snprintf(buf, sizeof(buf), "%s/%s", EESPCTL_SOCKET_DIR, de->d_name);
			if (m < 0 || (size_t)m >= sizeof(buf))
				continue; /* a name too long for a UNIX socket path anyway */
			rc |= run(buf, verb, json, !json, all);
			n++;
		}
		closedir(d);
		if (!n) {
			err("%s: no daemons found", EESPCTL_SOCKET_DIR);
			return 1;
		}
		return rc;
	}
	if (optind == argc - 1)
		sock = argv[optind];
	return run(ctl_socket_path(sock, buf, sizeof(buf)), verb, json, false, all);
}

int show_main(int argc, char *argv[])
{
	return common(argc, argv, EESP_CTL_SHOW, show_usage);
}

static void status_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s status [-s SOCKET | INTERFACE]\n\n"
		"Prints the daemon's one-line health summary; exits non-zero when the\n"
		"daemon cannot be reached (usable as a liveness check).\n\n"
		"Example:\n  %s status -s /run/eespd/eesp0.sock\n",
		PROG, PROG);
}

int status_main(int argc, char *argv[])
{
	return common(argc, argv, EESP_CTL_STATUS, status_usage);
}
