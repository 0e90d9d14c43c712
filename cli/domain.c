// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain.c - `eespctl domain create|show`: a trust domain as a directory.
 *
 *   DIR/            mode 0700
 *   DIR/eespd.conf  config skeleton in conf/eespd.conf's format (eespd.conf(5))
 *   DIR/domain.keys the root keys of every level (key-file format, keys.h), 0600
 *   DIR/psp.keys    instead, for --mode psp: the two PSP master keys, 0600
 *
 * This file has the usage and the dispatch; domain_create.c makes a
 * directory, domain_show.c prints one, domaindir.c reads and writes its files.
 */
#include <string.h>

#include "eespctl.h"

void domain_usage(FILE *f)
{
	char prof[64], kdf[32], suite[64], mode[32];

	fprintf(f,
		"Usage: %s domain create DIR [--name NAME] [--id SPI] [--profile %s]\n"
		"                 [--kdf %s] [--suite %s] [--node N]\n"
		"                 [--tenant N] [--group N] [--mode %s] [--user NAME]\n"
		"       %s domain show DIR [--json] [--show-keys]\n\n"
		"create makes DIR (mode 0700) with a fresh root key for the domain level (and\n"
		"the tenant/group levels given), written to DIR/%s (mode 0600), and a\n"
		"config skeleton DIR/%s in eespd.conf(5) format.  With --mode psp it writes\n"
		"two PSP master keys to DIR/%s instead.  SPI values are 0x-hex or decimal;\n"
		"the default id is random.  --user names the daemon user of the skeleton\n"
		"(default eesp): run as root, create hands DIR and the key file to that user,\n"
		"since eespd re-reads its key files as that user on every reload.\n\n"
		"show prints the levels, their generations (previous/current/next), phases and\n"
		"key fingerprints; never the keys themselves unless --show-keys is given.\n\n"
		"Examples:\n"
		"  %s domain create lab --id 0xC0FFEE01 --profile node --node 1\n"
		"  %s domain create psp --mode psp\n"
		"  %s domain show lab --json\n",
		PROG, word_choices(eesp_profile_names, prof, sizeof(prof)),
		word_choices(eesp_kdf_names, kdf, sizeof(kdf)),
		word_choices(eesp_suite_names, suite, sizeof(suite)),
		word_choices(eesp_mode_names, mode, sizeof(mode)), PROG, DOMAIN_KEYS, DOMAIN_CONF,
		DOMAIN_PSP_KEYS, PROG, PROG, PROG);
}

int domain_main(int argc, char *argv[])
{
	if (argc < 2) {
		domain_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		domain_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "create"))
		return domain_create(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return domain_show(argc - 1, argv + 1);
	err("domain: unknown action '%s' (expected create or show)", argv[1]);
	return EXIT_USAGE;
}
