/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keylog.h - the IKEv2 key log (eesp-iked.conf daemon.key_log): one record
 * per IKE SA whose keys were derived, in the format of Wireshark's IKEv2
 * decryption table (the ikev2_decryption_table UAT file), so that a capture
 * of eesp-iked's exchanges can be opened with its SK payloads decrypted.
 *
 * Each record is two lines:
 *
 *   SPIi,SPIr,SK_ei,SK_er,"AES-GCM-256 with 16 octet ICV [RFC5282]",,,"NONE [RFC4306]"
 *   # eesp-iked SK_d SPIi SPIr PRF SK_d
 *
 * the first Wireshark's row (octets in lower-case hex without 0x, the
 * algorithm names as Wireshark 4.0 spells them; SK_ai and SK_ar are empty
 * with an AEAD, whose SK_e holds the key and the 4-octet salt); the second
 * a comment to Wireshark, read by eesp's plugin (dissector/), which needs
 * SK_d to unwrap the keys of a Key Download payload (SK_w = prf+(SK_d,
 * "Key Wrap for PSP")).  PRF is its IKEv2 transform ID (5: HMAC-SHA2-256).
 *
 * The file is a secret: whoever reads it decrypts every IKE SA it lists
 * and every key downloaded over them.  It is off by default; the IKE
 * process (the unprivileged daemon user) opens it once at start.
 */
#ifndef IKED_KEYLOG_H
#define IKED_KEYLOG_H

#include <stddef.h>
#include <stdint.h>

#include "ike_crypto.h"

/* room for one record (two lines) */
#define KEYLOG_LINE_MAX 1024

/*
 * Open path for appending: created 0600 (O_EXCL, O_NOFOLLOW) if absent;
 * if present it must be a regular file with one link, owned by this
 * process's user, mode without group or other bits, and not a symbolic
 * link.  The descriptor, or -1 with the reason in err.
 */
int keylog_open(const char *path, char *err, size_t err_len);

/* Wireshark's name of an ENCR transform with its key length ("" if it has
 * none for it). */
const char *keylog_encr_name(uint16_t encr, uint16_t bits);

/*
 * The record for an IKE SA with SPIs spi_i, spi_r, suite s and keys k into
 * out[cap]; its length, or 0 when it does not fit or the suite has no
 * Wireshark name.
 */
size_t keylog_format(char *out, size_t cap, const uint8_t spi_i[8], const uint8_t spi_r[8],
		     const struct ike_suite *s, const struct ike_keys *k);

/* Append a record to fd in one write(2); 0 or -1. */
int keylog_write(int fd, const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ike_suite *s,
		 const struct ike_keys *k);

#endif /* IKED_KEYLOG_H */
