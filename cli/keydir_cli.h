/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keydir_cli.h - `eespctl keydir`: what keydir.c (the subcommands) and
 * keydir_swap.c (the atomic writer) share.
 */
#ifndef EESPCTL_KEYDIR_CLI_H
#define EESPCTL_KEYDIR_CLI_H

#include <sys/types.h>

#include "eespctl.h"
#include "keys.h"

/* Who owns the files written: the daemon user that reads them. */
struct keydir_owner {
	uid_t uid;
	gid_t gid;
};

/* Write ks's rings into the key directory at path (created if missing) as
 * a new "..<timestamp>" directory swapped in by renaming "..data".  0, or
 * -1 with the error printed; the running set is untouched on error. */
int keydir_swap(const char *path, const struct eesp_keyset *ks, const struct keydir_owner *o);

#endif /* EESPCTL_KEYDIR_CLI_H */
