/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keydir.h - a key directory's files into a keyset (no I/O).
 *
 * A key directory is the form secret stores already write: the Kubernetes
 * Secret volume (one file per key, the set swapped by one atomic rename of
 * "..data"), a Vault Agent template, a writer fed by `etcdctl watch`.  Each
 * ring is four files, named with a prefix: "" for the domain ring,
 * "tenant-<id>." and "group-<id>." for a tenant or task-group ring:
 *
 *   <prefix>generation   the current generation, decimal (0 .. 2^32-1)
 *   <prefix>cur          its root key, 64 hex digits
 *   <prefix>prev         optional: generation - 1
 *   <prefix>next         optional: generation + 1, distributed ahead of use
 *
 * Surrounding white space (a trailing newline) is ignored.  A file of
 * another name is an error (a typo must not drop a ring silently), except
 * names starting with ".." (the Secret volume's own entries).  The set is
 * checked as a key file is (keys.h: phases, generation order, no wrap): it
 * is turned into key-file lines and handed to eesp_keyfile_parse, so the
 * two forms can never disagree on what they accept.
 */
#ifndef EESP_KEYDIR_H
#define EESP_KEYDIR_H

#include <stddef.h>

#include "keys.h"

#define EESP_KEYDIR_MAX_FILES 64
#define EESP_KEYDIR_MAX_FILE 256 /* bytes in one file: a key and white space */

struct eesp_keydir_file {
	const char *name; /* the file's name in the directory */
	const char *text; /* its contents (need not be NUL-terminated) */
	size_t len;
};

/*
 * Parse n files into ks (a fresh keyset).  0, or an EESP_E_* code with
 * err->msg naming the file and the problem (err->line is 0: a key
 * directory has no lines).
 */
int eesp_keydir_parse(struct eesp_keyset *ks, const struct eesp_keydir_file *files, size_t n,
		      struct eesp_keyfile_error *err);

/*
 * The other way: the rings of ks (domain, tenants, groups) as key directory
 * files.  emit(arg, name, text, len) is called once per file; text is in
 * locked memory, wiped after the call.  A ring whose live generations are
 * not consecutive (a key file may hold 3, 5, 6) has no key directory form:
 * EESP_E_INVALID with err->msg.  0, or the first non-zero emit() return.
 */
typedef int (*eesp_keydir_emit)(void *arg, const char *name, const char *text, size_t len);
int eesp_keydir_format(const struct eesp_keyset *ks, eesp_keydir_emit emit, void *arg,
		       struct eesp_keyfile_error *err);

#endif /* EESP_KEYDIR_H */
