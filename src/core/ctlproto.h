/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctlproto.h - the control-socket protocol between eespd and eespctl.
 *
 * A UNIX stream socket (mode 0660, owner root, group eesp).  One request per
 * connection: a single ASCII line of at most EESP_CTL_MAX_LINE bytes ending
 * in '\n':
 *
 *   <verb> [arg ...]
 *
 *   status                     one-line health summary
 *   show [json]                interfaces, domains, generations, peers, counters
 *   counters [json]            drop and traffic counters by name
 *   keys [json]                generations and fingerprints per level (never keys)
 *   reload                     re-read configuration and key files
 *   rotate <level> <id>        level domain|tenant|group: next -> current -> previous
 *   retire <level> <id>        drop the previous generation
 *   spi-alloc [0|1]            PSP: fresh SPI under the current master key and
 *                              its data key for an out-of-band client
 *
 * The reply is a first line "ok" or "error <message>", then the body, and the
 * daemon closes the connection.  JSON bodies are one JSON object.
 *
 * Every verb has one permission class (eesp_ctl_verb_class, one table in
 * ctlproto.c): read (status, show, counters, keys) for anyone who can reach
 * the socket, admin (reload, rotate, retire, spi-alloc: they change keys or
 * mint client keys) for root and the daemon's admin_group only.
 *
 * eesp_ctl_parse() is pure (no I/O) so the daemon, eespctl and a fuzzer
 * share it.
 */
#ifndef EESP_CTLPROTO_H
#define EESP_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EESP_CTL_MAX_LINE 256

enum eesp_ctl_verb {
	EESP_CTL_STATUS,
	EESP_CTL_SHOW,
	EESP_CTL_COUNTERS,
	EESP_CTL_KEYS,
	EESP_CTL_RELOAD,
	EESP_CTL_ROTATE,
	EESP_CTL_RETIRE,
	EESP_CTL_SPI_ALLOC,
	EESP_CTL__COUNT /* not a verb: the number of verbs */
};

enum eesp_ctl_class {
	EESP_CTL_CLASS_READ,  /* reports state, changes nothing */
	EESP_CTL_CLASS_ADMIN, /* changes keys or configuration, or hands out keys */
};

struct eesp_ctl_req {
	enum eesp_ctl_verb verb;
	bool json;
	int level;   /* enum eesp_level, for rotate/retire */
	uint32_t id; /* tenant/group id */
	int version; /* spi-alloc: PSP version 0/1, -1 = the daemon's configured one */
};

/* Parse one request line (with or without the trailing newline).  Returns 0,
 * or -1 with a message in err (e.g. "unknown verb 'foo'"). */
int eesp_ctl_parse(const char *line, size_t len, struct eesp_ctl_req *req, char *err,
		   size_t err_len);

/* The verb's permission class, or -1 for a value that is not a verb. */
int eesp_ctl_verb_class(enum eesp_ctl_verb verb);
/* The verb's name on the wire ("spi-alloc"), or NULL for a non-verb. */
const char *eesp_ctl_verb_name(enum eesp_ctl_verb verb);
/* "read" or "admin" (NULL for another value). */
const char *eesp_ctl_class_name(int cls);

/* Format a request line for eespctl; returns its length (with '\n'). */
size_t eesp_ctl_format(const struct eesp_ctl_req *req, char *out, size_t cap);

#endif /* EESP_CTLPROTO_H */
