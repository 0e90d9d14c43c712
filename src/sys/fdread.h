/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdread.h - read an open file to its end, for the readers of small files
 * (key files, key directories, PSK files, state files, configurations):
 * each opens and checks the file its own way (O_NOFOLLOW, fstat on the
 * descriptor), then reads it here.
 */
#ifndef EESP_SYS_FDREAD_H
#define EESP_SYS_FDREAD_H

#include <stddef.h>

/* Read fd into buf until end of file or cap bytes, whichever comes first
 * (EINTR retried); the bytes read in *len.  0, or -1 with errno on a read
 * error (*len then holds what was read before it). */
int fd_read_full(int fd, void *buf, size_t cap, size_t *len);

#endif /* EESP_SYS_FDREAD_H */
