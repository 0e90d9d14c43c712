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
};

struct eesp_ctl_req {
	enum eesp_ctl_verb verb;
	bool json;
	int level;   /* enum eesp_level, for rotate/retire */
	uint32_t id; /* tenant/group id */
	int version; /* spi-alloc: PSP version 0/1 */
};

/* Parse one request line (with or without the trailing newline).  Returns 0,
 * or -1 with a message in err (e.g. "unknown verb 'foo'"). */
int eesp_ctl_parse(const char *line, size_t len, struct eesp_ctl_req *req, char *err,
		   size_t err_len);

/* Format a request line for eespctl; returns its length (with '\n'). */
size_t eesp_ctl_format(const struct eesp_ctl_req *req, char *out, size_t cap);

#endif /* EESP_CTLPROTO_H */
