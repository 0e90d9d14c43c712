// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain_usage.c - the usage of `eespctl domain create|show`, which both
 * actions and the dispatch (domain.c) print.
 */
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
