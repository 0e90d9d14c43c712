/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keydirload.h - reading a key directory (src/core/keydir.h) from disk.
 *
 * Two layouts are read:
 *  - the Kubernetes Secret volume layout: "..data" is a symlink to a
 *    directory "..<something>" holding the files; a writer makes a new
 *    directory and swaps the link with one rename, so a reader that
 *    follows "..data" once sees a whole set or the previous one, never a
 *    mix.  The set's version is the link's target.
 *  - a plain directory of files (no "..data"): the version is the files'
 *    names, inodes, sizes and modification times; the set is read until
 *    two versions before and after the read agree, but a writer that
 *    replaces files one by one can still be seen half way; use the swap.
 *
 * Trust: the directory, the "..data" link and the data directory must be
 * owned by root or the reader and not writable by group or others (a
 * world-writable volume root is accepted only with the sticky bit, since
 * then nobody else can replace the link).  Each file must be a regular
 * file (no symlink: O_NOFOLLOW), owned by root or the reader, writable by
 * its owner only and not readable by others; group read is accepted only
 * for the reader's own group (a Secret mounted with defaultMode 0440 and
 * fsGroup), and the reader must be able to read it (a root-owned 0400 file
 * would be readable at start but not at the next reload, after the
 * privilege drop).  Contents go to locked, wiped memory.
 */
#ifndef EESP_SYS_KEYDIRLOAD_H
#define EESP_SYS_KEYDIRLOAD_H

#include <stddef.h>
#include <sys/types.h>

#include "keys.h"

#define KEYDIR_VERSION_MAX 128

/* Read the set at path as reader (uid, gid) into a new keyset (*out).
 * 0 with the set's version in version, or -1 with err naming the path
 * and, where one is at fault, the file. */
int keydir_load(const char *path, uid_t reader, gid_t reader_gid, struct eesp_keyset **out,
		char version[KEYDIR_VERSION_MAX], char *err, size_t err_len);

/* The version of the set at path now, without reading keys (cheap: a
 * readlink, or one stat per file).  0, or -1 with err. */
int keydir_version(const char *path, char version[KEYDIR_VERSION_MAX], char *err, size_t err_len);

#endif /* EESP_SYS_KEYDIRLOAD_H */
