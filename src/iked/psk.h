/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * psk.h - reading a pre-shared key file.
 *
 * The file holds one secret: "0x" and an even number of hex digits, or any
 * other text, whose octets are the key; one trailing newline is not part
 * of it.  16 to IKED_PSK_MAX octets.  Like eespd's key files (keyload.h) a
 * PSK file is refused unless it is a regular file, not a symbolic link,
 * with one link, owned by the daemon user (who alone reads it after the
 * privilege drop) and with no group or other permission bits; it is opened
 * once (O_NOFOLLOW, O_NONBLOCK: a FIFO cannot stall the start) and checked
 * through its descriptor, so root never follows a name the daemon user
 * could swap.  The secret lives in locked memory (secmem.h).
 */
#ifndef IKED_PSK_H
#define IKED_PSK_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

#define IKED_PSK_MIN 16

/* Read path for the daemon user uid into psk->key (secure memory of
 * IKED_PSK_MAX octets; release it with iked_conf_drop_psks).  0, or -1
 * with "psk file PATH: reason" in err. */
int psk_load(const char *path, uid_t uid, struct iked_psk *psk, char *err, size_t err_len);

/* The text of a PSK file (n octets) into psk->key; 0 or -1 with the reason. */
int psk_parse(const char *text, size_t n, struct iked_psk *psk, char *err, size_t err_len);

#endif /* IKED_PSK_H */
