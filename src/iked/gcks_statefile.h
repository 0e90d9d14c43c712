/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gcks_statefile.h - the key server's state file (gcks.state_file) on
 * disk, for the IKE process after its privilege drop: the directory is
 * opened once (O_DIRECTORY | O_NOFOLLOW, owned by the daemon user or root,
 * not writable by group or others), then every read and write goes
 * through that descriptor.  The file must be a regular file with one
 * link, owned by the daemon user, mode 0600 (checked on the open
 * descriptor; a symlink is refused); it is replaced atomically (a fresh
 * O_CREAT | O_EXCL | O_NOFOLLOW file of mode 0600 in the same directory,
 * fsync, renameat over the old name, fsync of the directory).
 */
#ifndef IKED_GCKS_STATEFILE_H
#define IKED_GCKS_STATEFILE_H

#include <stddef.h>

struct gcks_statefile {
	int dirfd;
	char path[4096]; /* for messages */
	char base[256];	 /* the name in the directory */
};

/* Open dir, where the file is base (path for messages); 0, or -1 with err. */
int gcks_statefile_open(struct gcks_statefile *f, const char *dir, const char *base,
			const char *path, char *err, size_t el);
/* The file's text into locked memory (*text, *cap octets to free with
 * eesp_secure_free) and its length; 0 with *len 0 and *text NULL when
 * there is no file yet; -1 with err. */
int gcks_statefile_read(const struct gcks_statefile *f, char **text, size_t *len, size_t *cap,
			char *err, size_t el);
/* Replace the file by len octets of text; 0 or -1 with errno. */
int gcks_statefile_write(const struct gcks_statefile *f, const char *text, size_t len);
void gcks_statefile_close(struct gcks_statefile *f);

#endif /* IKED_GCKS_STATEFILE_H */
