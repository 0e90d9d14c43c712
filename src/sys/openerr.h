/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * openerr.h - why a careful open() failed, in words: eesp opens its files
 * and directories with O_NOFOLLOW, and the kernel's answer to a symlink
 * there ("Too many levels of symbolic links") reads like a loop, not like
 * the rule it is (issue 17, item 6).
 */
#ifndef EESP_SYS_OPENERR_H
#define EESP_SYS_OPENERR_H

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static inline const char *open_error_text(int e)
{
	return e == ELOOP ? "a symlink (symlinks are refused)" : strerror(e);
}

/* The same for O_DIRECTORY | O_NOFOLLOW, where a symlink to a directory
 * fails with ENOTDIR rather than ELOOP. */
static inline const char *open_dir_error_text(const char *path, int e)
{
	struct stat st;
	if (e == ENOTDIR && !lstat(path, &st))
		return S_ISLNK(st.st_mode) ? open_error_text(ELOOP) : "not a directory";
	return open_error_text(e);
}

#endif /* EESP_SYS_OPENERR_H */
