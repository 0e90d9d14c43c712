// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * domain.c - `eespctl domain create|show`: a trust domain as a directory.
 *
 *   DIR/            mode 0700
 *   DIR/eespd.conf  config skeleton in conf/eespd.conf's format (eespd.conf(5))
 *   DIR/domain.keys the root keys of every level (key-file format, keys.h), 0600
 *   DIR/psp.keys    instead, for --mode psp: the two PSP master keys, 0600
 *
 * This file dispatches; domain_usage.c has the usage, domain_create.c makes
 * a directory, domain_show.c prints one, domaindir.c reads and writes its
 * files.
 */
#include <string.h>

#include "eespctl.h"
#include "onboard.h"

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
	if (!strcmp(argv[1], "invite"))
		return domain_invite(argc - 1, argv + 1);
	err("domain: unknown action '%s' (expected create, show or invite)", argv[1]);
	return EXIT_USAGE;
}
