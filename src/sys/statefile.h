/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statefile.h - small state files (IV marks, replay floors, SPI allocator)
 * in the daemon's state directory, read and replaced through a directory
 * descriptor.
 *
 * The state directory belongs to the daemon user, so a process running as
 * that user can plant links in it.  These helpers are therefore meant to be
 * called only after the privilege drop, as the user that owns the files:
 * root never opens a path inside the state directory.  Even so they refuse
 * what a careful reader would: symlinks (O_NOFOLLOW), anything that is not
 * a regular file, files with more than one link, and files not owned by
 * the caller.  A write never changes a file in place: the new contents go
 * to a fresh temporary file (O_CREAT | O_EXCL), which is fsync()ed and then
 * renamed over the old name, and the directory is fsync()ed, so a crash
 * leaves either the old or the new contents, never a torn file.
 */
#ifndef EESP_SYS_STATEFILE_H
#define EESP_SYS_STATEFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Root, before the privilege drop: make sure path is a state directory the
 * daemon user uid can own alone.  A missing directory is created (missing
 * parents 0755, the directory itself 0700) and handed to uid:gid through
 * its descriptor.  An existing one must be a real directory (no symlink)
 * owned by uid, or by root when uid is root, with no group or other write
 * permission; anything else is refused with a message in err, since fixing
 * ownership of a directory root did not create could hand over a system
 * directory.  0 or -1.
 */
int statefile_dir_prepare(const char *path, uid_t uid, gid_t gid, char *err, size_t err_len);

/* Open a directory for statefile_read/write: O_DIRECTORY | O_NOFOLLOW, and
 * refused unless it is owned by the caller (or root) and not writable by
 * group or others.  The descriptor, or -1 with a message in err. */
int statefile_dir_open(const char *path, char *err, size_t err_len);

/* Read name (at most cap - 1 bytes, NUL-terminated) from dirfd.  Returns
 * the length; 0 with buf = "" when the file does not exist; -1 with errno
 * and a message in err when it cannot be read or is refused. */
ssize_t statefile_read(int dirfd, const char *name, char *buf, size_t cap, char *err,
		       size_t err_len);

/* Replace name in dirfd by len bytes of data, durably (see above).
 * 0, or -1 with errno set (the old contents are then unchanged). */
int statefile_write(int dirfd, const char *name, const void *data, size_t len);

/*
 * Install name in dirfd with len bytes of data, mode and owner uid:gid
 * ((uid_t)-1: the caller's), durably, as statefile_write does: a fresh
 * temporary file (O_CREAT | O_EXCL | O_NOFOLLOW) whose descriptor is
 * fchown()ed and fchmod()ed before anything is written, so no other user
 * can open it in between.  With replace it is renamed over name; without,
 * it is linked to name, which fails with EEXIST if name exists (never an
 * overwrite, not even of a symlink).  0, or -1 with errno set.
 */
int statefile_install(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
		      uid_t uid, gid_t gid, int replace);

#endif /* EESP_SYS_STATEFILE_H */
