/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * keyfile.h - one line of the key file (format: keys.h), header-only and
 * free of OpenSSL so that eespd, eespctl and the Wireshark plugin parse
 * exactly the same thing.
 *
 *   domain <spi>
 *   <level> <id> <generation> <hex64> [next]
 *   psp <0|1> <hex64>
 *   sa eesp <spi> <hexkey> <hexsalt>
 *   sa psp <spi> <hexkey>
 *
 * Fields are separated by blanks (space, tab); '#' at the start of a field
 * starts a comment that runs to the end of the line; a trailing '\r' or
 * '\n' is ignored.  Numbers are decimal or 0x-hex and must fit in 32 bits;
 * <spi> of domain and sa lines must be non-zero; the id of a domain-level
 * key must be 0; a root or psp master key must not be all zeros.  The optional trailing word "next" marks a generation that
 * has been distributed but is not yet used to send.
 */
#ifndef EESP_KEYFILE_H
#define EESP_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "eesp_proto.h"
#include "names.h"

enum eesp_keyfile_kind {
	EESP_KF_EMPTY = 0, /* blank or comment line */
	EESP_KF_DOMAIN,	   /* domain <spi> */
	EESP_KF_ROOT,	   /* <level> <id> <generation> <hex64> [next] */
	EESP_KF_PSP,	   /* psp <0|1> <hex64> */
	EESP_KF_SA_EESP,   /* sa eesp <spi> <hexkey> <hexsalt> */
	EESP_KF_SA_PSP,	   /* sa psp <spi> <hexkey> */
};

struct eesp_keyfile_entry {
	enum eesp_keyfile_kind kind;
	uint32_t spi;	     /* domain, sa */
	unsigned level;	     /* root: enum eesp_level */
	uint32_t id;	     /* root: tenant/group id, 0 for domain */
	uint32_t generation; /* root */
	bool next;	     /* root: marked "next" */
	unsigned psp_index;  /* psp: 0 or 1 */
	size_t key_len;	     /* 32 for root/psp; 16 or 32 for sa */
	uint8_t key[32];
	uint8_t salt[EESP_SALT_LEN]; /* sa eesp */
};

#define EESP_KEYFILE_MAX_FIELDS 6

struct eesp_kf_field {
	const char *p;
	size_t n;
};

static inline int eesp_kf_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen) {
		size_t n = strlen(msg);
		if (n >= errlen)
			n = errlen - 1;
		memcpy(err, msg, n);
		err[n] = 0;
	}
	return -1;
}

static inline bool eesp_kf_is(const struct eesp_kf_field *f, const char *word)
{
	size_t n = strlen(word);
	return f->n == n && memcmp(f->p, word, n) == 0;
}

/* f is the word of value in table t (names.h) */
static inline bool eesp_kf_is_word(const struct eesp_kf_field *f, const struct eesp_name *t,
				   unsigned value)
{
	unsigned v;
	return !eesp_value_of_n(t, f->p, f->n, &v) && v == value;
}

static inline int eesp_kf_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Exactly 2*n hex digits into out. */
static inline bool eesp_kf_hex(const struct eesp_kf_field *f, uint8_t *out, size_t n)
{
	if (f->n != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = eesp_kf_hexval(f->p[2 * i]), lo = eesp_kf_hexval(f->p[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* An all-zero key is no secret: refused wherever a key file is read. */
static inline bool eesp_kf_all_zero(const uint8_t *k, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= k[i];
	return acc == 0;
}

/* Unsigned 32-bit, decimal or 0x-hex, no sign, no junk. */
static inline bool eesp_kf_u32(const struct eesp_kf_field *f, uint32_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	bool hex = f->n > 2 && f->p[0] == '0' && (f->p[1] == 'x' || f->p[1] == 'X');

	if (f->n == 0)
		return false;
	if (hex)
		i = 2;
	if (i == f->n)
		return false;
	for (; i < f->n; i++) {
		int d = hex				     ? eesp_kf_hexval(f->p[i])
			: (f->p[i] >= '0' && f->p[i] <= '9') ? f->p[i] - '0'
							     : -1;
		if (d < 0)
			return false;
		x = x * (hex ? 16 : 10) + (uint64_t)d;
		if (x > UINT32_MAX)
			return false;
	}
	*v = (uint32_t)x;
	return true;
}

/*
 * Parse one line (len bytes, need not be NUL-terminated).  Returns 0 with
 * e->kind set (EESP_KF_EMPTY for blank/comment lines), or -1 with a message
 * in err.  On error e may be partially written; key bytes in e are the
 * caller's to wipe.
 */
static inline int eesp_keyfile_line(const char *line, size_t len, struct eesp_keyfile_entry *e,
				    char *err, size_t errlen)
{
	struct eesp_kf_field f[EESP_KEYFILE_MAX_FIELDS + 1];
	size_t nf = 0, i = 0;

	memset(e, 0, sizeof(*e));
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	while (i < len) {
		size_t s;
		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f)
			return eesp_kf_err(err, errlen,
					   "unexpected control or non-ASCII character");
		s = i;
		while (i < len && line[i] != ' ' && line[i] != '\t') {
			if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >= 0x7f)
				return eesp_kf_err(err, errlen,
						   "unexpected control or non-ASCII character");
			i++;
		}
		if (nf > EESP_KEYFILE_MAX_FIELDS)
			return eesp_kf_err(err, errlen, "too many fields");
		f[nf].p = line + s;
		f[nf].n = i - s;
		nf++;
	}
	if (nf == 0) {
		e->kind = EESP_KF_EMPTY;
		return 0;
	}

	unsigned level;
	bool is_level = !eesp_value_of_n(eesp_level_names, f[0].p, f[0].n, &level);
	if (is_level && level == EESP_LEVEL_DOMAIN && nf <= 3) {
		/* "domain <spi>" (a domain-level root key has 4 or 5 fields) */
		uint32_t g;
		/* "domain 0 <n>": a root key line without its key (a scope
		 * line's SPI is never 0) */
		if (nf == 3 && eesp_kf_u32(&f[1], &e->spi) && !e->spi && eesp_kf_u32(&f[2], &g))
			return eesp_kf_err(
			    err, errlen,
			    "the key is missing: a root key line is 'domain 0 "
			    "<generation> <hex64>' (a scope line is 'domain <spi>')");
		if (nf == 1 || !eesp_kf_u32(&f[1], &e->spi) || e->spi == 0)
			return eesp_kf_err(err, errlen,
					   "domain: SPI must be a non-zero 32-bit number");
		if (nf != 2)
			return eesp_kf_err(err, errlen, "domain: junk after the SPI");
		e->kind = EESP_KF_DOMAIN;
		return 0;
	}
	if (is_level) {
		e->level = level;
		if (nf < 4)
			return eesp_kf_err(err, errlen,
					   nf == 3
					       ? "the key is missing: expected '<level> <id> "
						 "<generation> <hex64>'"
					       : "expected '<level> <id> <generation> <hex64>'");
		if (!eesp_kf_u32(&f[1], &e->id))
			return eesp_kf_err(err, errlen, "id must be a 32-bit number");
		if (e->level == EESP_LEVEL_DOMAIN && e->id != 0)
			return eesp_kf_err(err, errlen, "the id of a domain key must be 0");
		if (!eesp_kf_u32(&f[2], &e->generation))
			return eesp_kf_err(err, errlen,
					   "generation must be a number from 0 to 4294967295");
		if (!eesp_kf_hex(&f[3], e->key, EESP_ROOT_KEY_LEN))
			return eesp_kf_err(err, errlen, "key must be 64 hex digits");
		e->key_len = EESP_ROOT_KEY_LEN;
		if (nf == 5) {
			if (!eesp_kf_is_word(&f[4], eesp_slot_names, EESP_GEN_NEXT))
				return eesp_kf_err(err, errlen,
						   "junk after the key (only 'next' may follow)");
			e->next = true;
		} else if (nf > 5) {
			return eesp_kf_err(err, errlen, "junk after the key");
		}
		if (eesp_kf_all_zero(e->key, EESP_ROOT_KEY_LEN))
			return eesp_kf_err(
			    err, errlen,
			    "the key is all zeros, which is no secret (make one with "
			    "`eespctl genkey`)");
		e->kind = EESP_KF_ROOT;
		return 0;
	}
	if (eesp_kf_is_word(&f[0], eesp_mode_names, EESP_MODE_PSP)) {
		if (nf < 3)
			return eesp_kf_err(err, errlen, "expected 'psp <0|1> <hex64>'");
		if (eesp_kf_is(&f[1], "0"))
			e->psp_index = 0;
		else if (eesp_kf_is(&f[1], "1"))
			e->psp_index = 1;
		else
			return eesp_kf_err(err, errlen, "psp: master key index must be 0 or 1");
		if (!eesp_kf_hex(&f[2], e->key, PSP_MASTER_KEY_LEN))
			return eesp_kf_err(err, errlen, "psp: key must be 64 hex digits");
		if (nf != 3)
			return eesp_kf_err(err, errlen, "psp: junk after the key");
		e->key_len = PSP_MASTER_KEY_LEN;
		if (eesp_kf_all_zero(e->key, PSP_MASTER_KEY_LEN))
			return eesp_kf_err(
			    err, errlen,
			    "psp: the key is all zeros, which is no secret (make one "
			    "with `eespctl genkey`)");
		e->kind = EESP_KF_PSP;
		return 0;
	}
	if (eesp_kf_is(&f[0], "sa")) {
		bool eesp;
		if (nf < 4)
			return eesp_kf_err(err, errlen,
					   "expected 'sa eesp <spi> <hexkey> <hexsalt>' or 'sa psp "
					   "<spi> <hexkey>'");
		if (eesp_kf_is_word(&f[1], eesp_mode_names, EESP_MODE_EESP))
			eesp = true;
		else if (eesp_kf_is_word(&f[1], eesp_mode_names, EESP_MODE_PSP))
			eesp = false;
		else
			return eesp_kf_err(err, errlen, "sa: kind must be 'eesp' or 'psp'");
		if (!eesp_kf_u32(&f[2], &e->spi) || e->spi == 0)
			return eesp_kf_err(err, errlen, "sa: SPI must be a non-zero 32-bit number");
		if (eesp_kf_hex(&f[3], e->key, 16))
			e->key_len = 16;
		else if (eesp_kf_hex(&f[3], e->key, 32))
			e->key_len = 32;
		else
			return eesp_kf_err(err, errlen, "sa: key must be 32 or 64 hex digits");
		if (eesp) {
			if (nf < 5 || !eesp_kf_hex(&f[4], e->salt, EESP_SALT_LEN))
				return eesp_kf_err(err, errlen,
						   "sa eesp: salt must be 8 hex digits");
			if (nf != 5)
				return eesp_kf_err(err, errlen, "sa eesp: junk after the salt");
			e->kind = EESP_KF_SA_EESP;
		} else {
			if (nf != 4)
				return eesp_kf_err(err, errlen, "sa psp: junk after the key");
			e->kind = EESP_KF_SA_PSP;
		}
		return 0;
	}
	return eesp_kf_err(err, errlen,
			   "unknown entry (expected domain, tenant, group, psp or sa)");
}

#endif /* EESP_KEYFILE_H */
