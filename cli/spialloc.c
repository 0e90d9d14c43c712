// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spialloc.c - `eespctl spi-alloc`: ask a PSP-mode eespd for a fresh SPI
 * under its current master key and the data key a client sends with (like
 * the rx_spi_alloc driver hook).  The daemon's reply is the key-file line
 * `sa psp <spi> <key>` (and, with --json, one JSON object); both go to
 * stdout, which is where secrets go.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ctlproto.h"
#include "eespctl.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s spi-alloc [--version 0|1] [--json] [-s SOCKET | INTERFACE]\n\n"
		"Asks a PSP-mode eespd for a fresh SPI under its current master key and the\n"
		"data key for it (PSP version 0 = AES-GCM-128, 1 = AES-GCM-256, default 1).\n"
		"Prints the key-file line `sa psp SPI KEY` for the client's key file.  When\n"
		"the daemon's master keys rotate (two keys, double-buffered), SPIs of the\n"
		"evicted key stop working: allocate again before a double rotation.\n\n"
		"Example:\n  %s spi-alloc -s /run/eespd/psp0.sock --version 1 >> client.keys\n",
		PROG, PROG);
}

int spialloc_main(int argc, char *argv[])
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"version", required_argument, NULL, 'V'},
					     {"json", no_argument, NULL, 'j'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *sock = NULL;
	char buf[256], e[512], *body;
	struct eesp_ctl_req req = {.verb = EESP_CTL_SPI_ALLOC, .version = 1};
	bool json = false;
	int c;
	uint32_t v;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+s:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sock = optarg;
			break;
		case 'V':
			if (parse_u32(optarg, &v) || v > 1) {
				err("--version: PSP version 0 or 1, got '%s'", optarg);
				return EXIT_USAGE;
			}
			req.version = (int)v;
			break;
		case 'j':
			json = true;
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
	if (optind == argc - 1)
		sock = argv[optind];
	if (ctl_request(ctl_socket_path(sock, buf, sizeof(buf)), &req, &body, e, sizeof(e))) {
		err("%s", e);
		return 1;
	}
	/* find the `sa psp SPI KEY` line of the reply */
	char spi_s[16] = "", key_s[80] = "";
	for (char *l = body; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		if (sscanf(l, "sa psp %15s %79s", spi_s, key_s) == 2)
			break;
		spi_s[0] = 0;
		l = nl ? nl + 1 : NULL;
	}
	uint32_t spi;
	uint8_t key[32];
	long klen = spi_s[0] ? hex_decode_var(key_s, key, sizeof(key)) : -1;
	if (parse_u32(spi_s, &spi) || (klen != 16 && klen != 32)) {
		err("eespd's spi-alloc reply has no `sa psp SPI KEY` line");
		free(body);
		return 1;
	}
	if (json)
		printf("{\"spi\":%u,\"spi_hex\":\"0x%08x\",\"master\":%u,\"version\":%d,"
		       "\"key\":\"%s\",\"line\":\"sa psp 0x%08x %s\"}\n",
		       spi, spi, spi >> 31, klen == 32 ? 1 : 0, key_s, spi, key_s);
	else
		printf("sa psp 0x%08x %s\n", spi, key_s);
	memset(key, 0, sizeof(key));
	free(body);
	return 0;
}
