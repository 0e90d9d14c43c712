// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain_usage.c - the usage of `eespctl domain create|show|invite`, which
 * the actions and the dispatch (domain.c) print.
 */
#include "eespctl.h"
#include "onboard.h"

void domain_usage(FILE *f)
{
	char prof[64], kdf[32], suite[64], mode[32];

	fprintf(f,
		"Usage: %s domain create DIR [--name NAME] [--id SPI] [--profile %s]\n"
		"                 [--kdf %s] [--suite %s] [--node N]\n"
		"                 [--tenant N] [--group N] [--mode %s] [--user NAME]\n"
		"                 [--address ADDR/LEN]... [--endpoint ADDR[:PORT]]\n"
		"                 [--interface IFNAME] [--node-name NAME]\n"
		"       %s domain show DIR [--json] [--show-keys]\n"
		"       %s domain invite DIR NAME --address ADDR/LEN [--address ADDR/LEN]\n"
		"                 --endpoint ADDR[:PORT] [-o FILE] [-s SOCKET]\n\n"
		"create makes DIR with a fresh root key for the domain level (and the\n"
		"tenant/group levels given), written to DIR/%s (mode 0600, the daemon\n"
		"user's), and a complete eespd.conf DIR/%s for this node: its tunnel\n"
		"addresses (--address, repeatable), where the other nodes reach it\n"
		"(--endpoint; its port is the listening port), its TUN device (default\n"
		"eesp0); and DIR/%s, the roster that invite takes node ids from.  With --mode\n"
		"psp it writes two PSP master keys to DIR/%s instead.  SPI values are 0x-hex\n"
		"or decimal; the default id is random.  --user names the daemon user\n"
		"(default eesp; as root, with --address, created when missing).  As root\n"
		"DIR is root's, group of the daemon user, mode 0750 (0700 otherwise).\n\n"
		"show prints the levels, their generations (previous/current/next), phases and\n"
		"key fingerprints; never the keys themselves unless --show-keys is given.\n\n"
		"invite makes a join bundle NAME.join (-o) for a new node NAME: the next node\n"
		"id, its addresses, the domain's keys and the peers; this node's eespd.conf\n"
		"gains NAME as a peer and a running eespd reloads.  On the new node:\n"
		"%s join NAME.join (eespctl(8), JOIN BUNDLES).\n\n"
		"Examples:\n"
		"  %s domain create /etc/eespd --address 192.0.2.1/24 --endpoint 198.51.100.10\n"
		"  %s domain invite /etc/eespd beta --address 192.0.2.2/24 --endpoint "
		"198.51.100.20\n"
		"  %s domain create lab --id 0xC0FFEE01 --profile node --node 1\n"
		"  %s domain create psp --mode psp\n"
		"  %s domain show lab --json\n",
		PROG, word_choices(eesp_profile_names, prof, sizeof(prof)),
		word_choices(eesp_kdf_names, kdf, sizeof(kdf)),
		word_choices(eesp_suite_names, suite, sizeof(suite)),
		word_choices(eesp_mode_names, mode, sizeof(mode)), PROG, PROG, DOMAIN_KEYS,
		DOMAIN_CONF, ROSTER_FILE, DOMAIN_PSP_KEYS, PROG, PROG, PROG, PROG, PROG, PROG);
}
