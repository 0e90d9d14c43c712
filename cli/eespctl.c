// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * eespctl.c - entry point: a table of subcommands, one source file each,
 * in the manner of wireguard-tools' wg(8).
 */
#include <stdlib.h>
#include <string.h>

#include "eespctl.h"
#include "version.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *desc;
} subcommands[] = {
    {"genkey", genkey_main, "Generate a new 32-byte root or master key (hex) on stdout"},
    {"fingerprint", fingerprint_main, "Print the fingerprint of a key read from stdin"},
    {"domain", domain_main, "Create, show a trust domain directory, or invite a node into it"},
    {"join", join_main, "Turn a join bundle from `domain invite` into this host's eespd files"},
    {"key", key_main, "Add a next-generation root key to a level (key add)"},
    {"rotate", rotate_main, "Rotate a level: next -> current -> previous (and tell eespd)"},
    {"retire", retire_main, "Drop the previous generation of a level (and tell eespd)"},
    {"derive", derive_main, "Derive a data key out of band (psp or eesp mode)"},
    {"spi-alloc", spialloc_main, "Ask a PSP-mode eespd for a fresh SPI and data key"},
    {"sa", sa_main, "Runtime SAs of a running eespd's peers (alloc, set, release, list)"},
    {"show", show_main, "Show a running eespd: domains, generations, peers, counters"},
    {"status", status_main, "One-line health summary of a running eespd"},
    {"metrics", metrics_main, "Every counter and key age of a running eespd, for Prometheus"},
    {"keydir", keydir_main,
     "Create, rotate or show a key directory (init, rotate, retire, import, show)"},
    {"reload", reload_main, "Make a running eespd re-read its configuration and keys"},
    {"encrypt", encrypt_main, "Encrypt a pcap file offline (psp or eesp mode)"},
    {"decrypt", decrypt_main, "Decrypt a pcap file offline and report each verdict"},
    {"vectors", vectors_main, "Regenerate (--out) or verify (--check) the test vectors"},
    {"iked", iked_main, "Show or steer a running eesp-iked: status, show, counters, initiate"},
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\nAvailable subcommands:\n", PROG);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-12s %s\n", subcommands[i].name, subcommands[i].desc);
	fprintf(f,
		"\nYou may pass `--help' to any of these subcommands to view usage;\n"
		"`%s -V' (or --version) prints the version.\n",
		PROG);
}

int main(int argc, char *argv[])
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
	    !strcmp(argv[1], "version")) {
		if (argc > 2) {
			usage(stderr);
			return EXIT_USAGE;
		}
		printf("eespctl %s\n", EESP_RELEASE);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	err("invalid subcommand '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
