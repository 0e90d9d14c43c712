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
 *   spi-alloc [0|1|2|3]        PSP: fresh SPI under the current master key and
 *                              its data key for an out-of-band client
 *   metrics                    every counter, per worker and domain, and the key
 *                              generations with their age, in the Prometheus
 *                              text exposition format
 *
 * Runtime SAs (class sa; eesp-iked's verbs, eespd(8) "Runtime SAs"), each
 * with an optional final "json":
 *
 *   sa-rx-alloc <peer> [psp-version 0|1|2|3 | eesp]
 *                              a fresh receive SPI (as spi-alloc) bound to the
 *                              configured peer, and the key it sends with
 *   sa-tx-alloc <peer>         eesp key holder: a fresh SPI we send to the
 *                              peer with (key derived from our root), and
 *                              that key for the peer's sa-rx-set
 *   sa-tx-set <peer> <spi> <key> [version 0|1|2|3] [salt <hex8>] [phase 0..3]
 *             [epoch <n>]      install or replace the peer's transmit SA
 *   sa-rx-set <peer> <spi> <key> salt <hex8>
 *                              eesp client: a receive SA the key holder gave
 *   sa-release <peer> [<spi>]  drop one runtime SA of the peer, or all of them
 *   sa-list                    runtime SAs and the key serial (never keys)
 *   sa-wait <serial> [<seconds>]
 *                              answer once the key serial is not <serial>
 *                              (a master or root key changed), or after
 *                              <seconds> (default 30, at most 300)
 *
 * Tokens are strict so that a request has one spelling: <peer> is 1..63
 * printable characters (no space), <spi> is "0x" and 8 lower-case hex digits
 * (not 0), <key> 32 or 64 lower-case hex digits, <hex8> 8, numbers decimal
 * without leading zeros.  The optional words come in the order shown.
 * Parse errors never quote a key or salt token.
 *
 * The reply is a first line "ok" or "error <message>", then the body, and the
 * daemon closes the connection.  JSON bodies are one JSON object.
 *
 * Every verb has one permission class (eesp_ctl_verb_class, one table in
 * ctlproto.c): read (status, show, counters, keys, metrics) for anyone who can reach
 * the socket, admin (reload, rotate, retire, spi-alloc: they change keys or
 * mint client keys) for root and the daemon's admin_group only, sa (the
 * sa-* verbs: runtime SAs of configured peers) for root, admin_group and
 * sa_group, so that a key-management daemon such as eesp-iked needs neither
 * reload nor rotate rights.
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
#define EESP_CTL_MAX_PEER 63	 /* a peer name's bytes on the wire */
#define EESP_CTL_WAIT_DEFAULT 30 /* sa-wait seconds without an argument */
#define EESP_CTL_WAIT_MAX 300	 /* sa-wait seconds at most */

enum eesp_ctl_verb {
	EESP_CTL_STATUS,
	EESP_CTL_SHOW,
	EESP_CTL_COUNTERS,
	EESP_CTL_KEYS,
	EESP_CTL_RELOAD,
	EESP_CTL_ROTATE,
	EESP_CTL_RETIRE,
	EESP_CTL_SPI_ALLOC,
	EESP_CTL_SA_RX_ALLOC,
	EESP_CTL_SA_TX_ALLOC,
	EESP_CTL_SA_TX_SET,
	EESP_CTL_SA_RX_SET,
	EESP_CTL_SA_RELEASE,
	EESP_CTL_SA_LIST,
	EESP_CTL_SA_WAIT,
	EESP_CTL_METRICS,
	EESP_CTL__COUNT /* not a verb: the number of verbs */
};

enum eesp_ctl_class {
	EESP_CTL_CLASS_READ,  /* reports state, changes nothing */
	EESP_CTL_CLASS_ADMIN, /* changes keys or configuration, or hands out keys */
	EESP_CTL_CLASS_SA,    /* runtime SAs of configured peers (sa-*) */
};

struct eesp_ctl_req {
	enum eesp_ctl_verb verb;
	bool json;
	int level;   /* enum eesp_level, for rotate/retire */
	uint32_t id; /* tenant/group id */
	int version; /* spi-alloc, sa-rx-alloc psp-version, sa-tx-set version: PSP
		      * version 0..3; -1 when not given (the daemon's configured one) */
	/* sa-* verbs */
	char peer[EESP_CTL_MAX_PEER + 1]; /* the configured peer's name */
	uint32_t spi;			  /* sa-tx-set, sa-rx-set; sa-release: 0 = all */
	bool eesp;			  /* sa-rx-alloc ... eesp */
	uint8_t key_len;		  /* sa-tx-set, sa-rx-set: 16 or 32 */
	uint8_t key[32];		  /* key material: the daemon wipes the request after use */
	bool has_salt;			  /* salt given */
	uint8_t salt[4];		  /* (key material too) */
	int phase;			  /* sa-tx-set phase 0..3, -1 when not given */
	bool has_epoch;			  /* sa-tx-set epoch given */
	uint32_t epoch;			  /* sa-tx-set epoch */
	uint64_t serial;		  /* sa-wait: the key serial the client knows */
	uint32_t wait_s;		  /* sa-wait: seconds, 0 = EESP_CTL_WAIT_DEFAULT */
};

/* Parse one request line (with or without the trailing newline).  Returns 0,
 * or -1 with a message in err (e.g. "unknown verb 'foo'"). */
int eesp_ctl_parse(const char *line, size_t len, struct eesp_ctl_req *req, char *err,
		   size_t err_len);

/* The verb's permission class, or -1 for a value that is not a verb. */
int eesp_ctl_verb_class(enum eesp_ctl_verb verb);
/* The verb's name on the wire ("spi-alloc"), or NULL for a non-verb. */
const char *eesp_ctl_verb_name(enum eesp_ctl_verb verb);
/* "read", "admin" or "sa" (NULL for another value). */
const char *eesp_ctl_class_name(int cls);

/* Format a request line for eespctl; returns its length (with '\n'). */
size_t eesp_ctl_format(const struct eesp_ctl_req *req, char *out, size_t cap);

#endif /* EESP_CTLPROTO_H */
