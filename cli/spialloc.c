// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * spialloc.c - `eespctl spi-alloc`: ask a PSP-mode eespd for a fresh SPI
 * under its current master key and the data key a client sends with (like
 * the rx_spi_alloc driver hook), or an EESP spi-profile eespd for an SA.
 * Printed as the key-file line `sa psp <spi> <key>` / `sa eesp <spi> <key>
 * <salt>` (or, with --json, one JSON object) on stdout, where secrets go.
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
		"Usage: %s spi-alloc [--version 0-3] [--json] [-s SOCKET | INTERFACE]\n\n"
		"Asks a PSP-mode eespd for a fresh SPI under its current master key and the\n"
		"data key for it (PSP version 0 = AES-GCM-128, 1 = AES-GCM-256, 2 = AES-GMAC-128,\n"
		"3 = AES-GMAC-256: integrity only, the client's packets cross the network in\n"
		"clear; default: the version the daemon is configured to send with).\n"
		"Prints the key-file line `sa psp SPI KEY` for the client's key file.  An\n"
		"EESP daemon of profile spi answers with `sa eesp SPI KEY SALT` and the\n"
		"session, epoch and phase the client sends with (a comment line).  The\n"
		"daemon never hands out an SPI twice nor one its configuration names (it\n"
		"keeps a counter in its state directory, eespd(8)); list the SPI in the\n"
		"client's peer rx_spi on the server.  When the daemon's master keys rotate\n"
		"(two keys, double-buffered), SPIs of the evicted key stop working:\n"
		"allocate again before a double rotation.\n\n"
		"Example:\n  %s spi-alloc -s /run/eespd/psp0.sock --version 1 >> client.keys\n",
		PROG, PROG);
}

/* Every copy of the new key: the reply, the decoded key, the hex fields. */
static void wipe_reply(char *body, size_t body_len, uint8_t key[32], char key_s[80],
		       char salt_s[16])
{
	OPENSSL_cleanse(body, body_len);
	free(body);
	OPENSSL_cleanse(key, 32);
	OPENSSL_cleanse(key_s, 80);
	OPENSSL_cleanse(salt_s, 16);
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
	struct eesp_ctl_req req = {.verb = EESP_CTL_SPI_ALLOC, .version = -1};
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
			if (parse_u32(optarg, &v) || v > PSP_VER_MAX) {
				err("--version: PSP version 0, 1, 2 or 3, got '%s'", optarg);
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
	/* the reply: "spi ...", "key ...", ... and a key-file line, `sa psp SPI KEY`
	 * (PSP mode) or `sa eesp SPI KEY SALT` (EESP spi profile, with the
	 * session_id, epoch and sa_phase the client sends with) */
	/* the whole body is wiped at the end: its lines are split in place
	 * below, so strlen() would stop at the first one */
	size_t body_len = strlen(body);
	char kind[8] = "", spi_s[16] = "", key_s[80] = "", salt_s[16] = "";
	unsigned long session = 0, epoch = 0, phase = 0;
	for (char *l = body; l && *l;) {
		char *nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		int nf = sscanf(l, "sa %7s %15s %79s %15s", kind, spi_s, key_s, salt_s);
		if (nf >= 3 &&
		    (is_mode(kind, EESP_MODE_PSP) || (is_mode(kind, EESP_MODE_EESP) && nf == 4)))
			break;
		kind[0] = 0;
		sscanf(l, "session_id %lu", &session);
		sscanf(l, "epoch %lu", &epoch);
		sscanf(l, "sa_phase %lu", &phase);
		l = nl ? nl + 1 : NULL;
	}
	uint32_t spi;
	uint8_t key[32];
	long klen = kind[0] ? hex_decode_var(key_s, key, sizeof(key)) : -1;
	if (parse_u32(spi_s, &spi) || (klen != 16 && klen != 32)) {
		err("eespd's spi-alloc reply has no `sa psp SPI KEY` or `sa eesp SPI KEY SALT` "
		    "line");
		wipe_reply(body, body_len, key, key_s, salt_s);
		return 1;
	}
	bool eesp = is_mode(kind, EESP_MODE_EESP);
	enum eesp_mode mode = eesp ? EESP_MODE_EESP : EESP_MODE_PSP;
	char line[SA_LINE_MAX];
	sa_line(line, mode, spi, key_s, salt_s);
	if (json && eesp)
		printf("{\"mode\":\"%s\",\"spi\":%u,\"spi_hex\":\"0x%08x\",\"session_id\":%lu,"
		       "\"epoch\":%lu,\"sa_phase\":%lu,\"key\":\"%s\",\"salt\":\"%s\","
		       "\"line\":\"%s\"}\n",
		       mode_name(mode), spi, spi, session, epoch, phase, key_s, salt_s, line);
	else if (json)
		printf("{\"mode\":\"%s\",\"spi\":%u,\"spi_hex\":\"0x%08x\",\"master\":%u,"
		       "\"version\":%d,\"key\":\"%s\",\"line\":\"%s\"}\n",
		       mode_name(mode), spi, spi, spi >> 31, klen == 32 ? 1 : 0, key_s, line);
	else if (eesp)
		printf("# spi profile SA: send with session %lu, epoch %lu, domain phase %lu\n%s\n",
		       session, epoch, phase, line);
	else
		printf("%s\n", line);
	OPENSSL_cleanse(line, sizeof(line));
	wipe_reply(body, body_len, key, key_s, salt_s);
	return 0;
}
