// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c - `eespctl metrics`: the daemon's counters, per worker, drop
 * reason and domain, and its key generations with their age, in the
 * Prometheus text exposition format (the daemon writes the body: the
 * `metrics` control verb, src/eespd/metrics.h).  With --output FILE the
 * text replaces FILE atomically (a temporary file in its directory, then
 * rename), as node_exporter's textfile collector wants it; when the daemon
 * cannot be asked, FILE is removed, so that no stale numbers are exported.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctlproto.h"
#include "eespctl.h"

static void metrics_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s metrics [-s SOCKET | INTERFACE] [-o | --output FILE]\n\n"
		"Prints every counter of a running eespd (per worker, drop reason and\n"
		"trust domain) and the key generations in force with their age, in the\n"
		"Prometheus text exposition format.\n"
		"  -o, --output FILE  replace FILE atomically instead of printing (for\n"
		"                     node_exporter's textfile collector: FILE ends in .prom);\n"
		"                     if the daemon cannot be asked, FILE is removed\n\n"
		"Example:\n  %s metrics -s /run/eespd/eesp0.sock -o "
		"/var/lib/prometheus/node-exporter/eesp0.prom\n",
		PROG, PROG);
}

/* The daemon is not answering: no file rather than a stale one. */
static void drop_output(const char *out)
{
	if (unlink(out) && errno != ENOENT)
		err("%s: cannot remove the stale file: %s", out, strerror(errno));
	else
		err("%s removed: no numbers from a daemon that does not answer", out);
}

int metrics_main(int argc, char *argv[])
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"output", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *sock = NULL, *out = NULL;
	char buf[256], e[512], *body;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			metrics_usage(stdout);
			return 0;
		default:
			metrics_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc - 1 || (optind == argc - 1 && sock) || (out && !*out)) {
		metrics_usage(stderr);
		return EXIT_USAGE;
	}
	if (optind == argc - 1)
		sock = argv[optind];
	struct eesp_ctl_req req = {.verb = EESP_CTL_METRICS};
	if (ctl_request(ctl_socket_path(sock, buf, sizeof(buf)), &req, &body, e, sizeof(e))) {
		err("%s", e);
		if (out)
			drop_output(out);
		return 1;
	}
	int rc = 0;
	if (out)
		rc = write_file_atomic(out, body, strlen(body), 0644) ? 1 : 0;
	else
		fputs(body, stdout);
	free(body);
	return rc;
}
