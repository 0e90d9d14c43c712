/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyload.h - reading a key file (keyfile.h format) into locked memory.
 *
 * A key file is refused unless it is a regular file (not a symlink) with no
 * group or other permission bits, owned by the uid that will read it again
 * on every reload (the daemon user after the privilege drop): a file the
 * daemon could read at start but not at reload would leave a revoked key in
 * force.  Its bytes and the parsed keys live in locked, wiped memory.
 */
#ifndef EESP_SYS_KEYLOAD_H
#define EESP_SYS_KEYLOAD_H

#include <stddef.h>
#include <sys/types.h>

#include "keys.h"

enum {
	KEYLOAD_OK = 0,
	KEYLOAD_E_FILE = -1, /* the file cannot be used: err says why, no position */
	KEYLOAD_E_TEXT = -2, /* its contents: err is "path:line: problem" */
};

/* The uid that re-reads key files after the privilege drop: daemon_uid when
 * running as root, else whoever runs the program. */
uid_t keyload_reader(uid_t daemon_uid);

/* Read and parse path for reader into a new keyset (*out; free it with
 * eesp_keyset_free).  KEYLOAD_OK, or an error code with err set. */
int keyload_file(const char *path, uid_t reader, struct eesp_keyset **out, char *err,
		 size_t err_len);

#endif /* EESP_SYS_KEYLOAD_H */
