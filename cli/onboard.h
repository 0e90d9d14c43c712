/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * onboard.h - what the commands that make a node's files from scratch
 * share (`domain create` with --address, `domain invite`, `join`):
 *
 *   nodeconf.c  a node's eespd.conf as a struct, written out complete
 *               (confgen) or read back from a file (libconfig)
 *   confpeer.c  one more peer in an existing eespd.conf, comments kept
 *   confdir.c   the configuration directory and its files, owned as
 *               eespd needs them, written through a directory descriptor
 *   roster.c    DIR/nodes: the node ids handed out, never twice
 *   bundle.c    the join bundle: text, its MAC, its strict parser
 *   invite.c    `domain invite`          join.c  `join`
 */
#ifndef EESPCTL_ONBOARD_H
#define EESPCTL_ONBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "keys.h"
#include "prefix.h"

#define NC_MAX_ADDRS 8
#define NC_TEXT 64 /* a name, an endpoint, a prefix */
#define NC_DEFAULT_DIR "/etc/eespd"
#define NC_DEFAULT_USER "eesp"
#define NC_DEFAULT_IFNAME "eesp0"
#define NC_STATE_DIR "/var/lib/eespd"
#define NC_SOCKET_DIR "/run/eespd"
#define ROSTER_FILE "nodes"

struct nc_peer {
	char name[NC_TEXT];
	char endpoint[NC_TEXT];
	uint32_t node_id, tenant, group;
	char allowed[NC_MAX_ADDRS][NC_TEXT];
	unsigned n_allowed;
};

/* A single-domain eesp node: what its eespd.conf says. */
struct node_conf {
	/* daemon group */
	char ifname[16];
	unsigned mtu, port;
	char addrs[NC_MAX_ADDRS][NC_TEXT];
	unsigned n_addrs;
	char user[64];
	char control_socket[108];
	char state_dir[256];
	/* domain group */
	char name[NC_TEXT];
	uint32_t id;
	char key_file[256];
	unsigned profile, kdf, suite;
	uint32_t node_id, tenant, group;
	char self_name[NC_TEXT]; /* this node's name (bundle; not in eespd.conf) */
	uint32_t epoch, epoch_period, epoch_window, epoch_packets;
	unsigned crypt_offset, max_crypt_offset;
	/* peers list */
	struct nc_peer *peers;
	unsigned n_peers;
};

/* ---------------------------------------------------------- nodeconf.c -- */

/* Defaults of eespd (and of `domain create`) for node node_id of domain
 * name/id: interface eesp0, port 4500, its control socket, state dir. */
void nc_defaults(struct node_conf *c, const char *name, uint32_t id, uint32_t node_id);
/* Interface-derived defaults: control_socket /run/eespd/IFNAME.sock. */
void nc_set_ifname(struct node_conf *c, const char *ifname);
void nc_free(struct node_conf *c);
/* One more peer (copied); 0, or -1 (out of memory, reported). */
int nc_add_peer(struct node_conf *c, const struct nc_peer *p);
/* The complete eespd.conf text (heap, NUL-terminated); header: comment
 * lines to put first (may be NULL). */
char *nc_format(const struct node_conf *c, const char *header, size_t *len);
/* One peer as the text of an entry of the peers list (heap). */
char *nc_format_peer(const struct nc_peer *p, size_t *len);
/* Read a single-domain eesp eespd.conf, text (path names it in messages).
 * 0, or -1 (reported). */
int nc_read(const char *path, const char *text, struct node_conf *c);

/* Words and values the bundle and the configuration share. */
bool nc_name_ok(const char *s); /* [A-Za-z0-9._-]{1,63} */
/* "ADDR", "ADDR:PORT", "[ADDR6]" or "[ADDR6]:PORT" (a bare IPv6 address
 * has no port) -> "ADDR:PORT" / "[ADDR6]:PORT" with default port dport.
 * 0, or -1 (reported, naming what). */
int nc_endpoint(const char *what, const char *s, unsigned dport, char *out, size_t cap,
		unsigned *port);
/* An interface address "ADDR/LEN" (checked); 0 or -1 (reported). */
int nc_address(const char *what, const char *s, char out[NC_TEXT]);
/* The host prefix of an interface address: "ADDR/32" or "ADDR/128". */
void nc_host_prefix(const char *addr, char out[NC_TEXT]);

/* ---------------------------------------------------------- confpeer.c -- */

/* Add peer p to the peers list of the eespd.conf text (heap, *len), keeping
 * every other byte; the result is checked to parse with one peer more.
 * 0 (*out heap), or -1 (reported: the list could not be found, ...). */
int confpeer_add(const char *path, const char *text, const struct nc_peer *p, char **out,
		 size_t *len);

/* ----------------------------------------------------------- confdir.c -- */

/* Who the files of a configuration directory belong to. */
struct owners {
	bool root;	  /* eespctl runs as root: owners and modes are set */
	uid_t uid;	  /* the daemon user: the key file */
	gid_t gid;	  /* its group: may enter the directory */
	char user[64];	  /* its name */
	bool user_exists; /* false: the note was printed, files stay root's */
};

/* The daemon user: as root, looked up, and when it is missing and create
 * is set (the default user only), made with useradd --system.  0 or -1. */
int owners_get(const char *user, bool create, struct owners *o);
/*
 * The configuration directory dir, made if missing and create is set (its
 * parent must exist), and opened without following links.  As root it is set to root:<daemon
 * group> 0750: eespd (as root) reads eespd.conf there at start, so the
 * daemon user must not be able to replace it, but it must reach the key
 * file on every reload.  An existing directory that someone other than
 * root (or the caller) owns or that group or others may write is refused.
 * The descriptor, or -1 (reported).
 */
int confdir_open(const char *dir, const struct owners *o, bool create);
/* name in the directory, owned and with its mode set through the new
 * file's descriptor: "key" (daemon user, 0600), "conf" (root, 0644) or
 * "private" (root, 0600).  Without replace an existing name is an error
 * (EEXIST, reported with the hint).  0 or -1 (reported). */
enum confdir_kind { CONFDIR_KEY, CONFDIR_CONF, CONFDIR_PRIVATE };
int confdir_write(int dirfd, const char *dir, const char *name, const void *data, size_t len,
		  enum confdir_kind kind, const struct owners *o, bool replace, const char *hint);
/* Does dir/name exist (not following a link)? */
bool confdir_has(int dirfd, const char *name);
/* A file of the directory read whole (NUL-terminated, heap); a regular file
 * only, no link followed.  0, 1 (does not exist) or -1 (reported). */
int confdir_read(int dirfd, const char *dir, const char *name, char **buf, size_t *len);

/* ------------------------------------------------------------ roster.c -- */

/* DIR/nodes: the node ids this domain directory has handed out. */
struct roster {
	uint32_t self;		 /* this node's id */
	char self_name[NC_TEXT]; /* its name (the others' peer entry) */
	char self_ep[NC_TEXT];	 /* where the others reach it ("-": unknown) */
	uint32_t next;		 /* the lowest id never handed out */
	char *log;		 /* the "node ..." lines so far (heap, may be NULL) */
	size_t log_len;
};
/* The roster of a new domain: node self called name, at endpoint ep. */
char *roster_new(uint32_t self, const char *name, const char *ep, size_t *len);
/* Parse DIR/nodes; 0 or -1 (reported, naming the line). */
int roster_parse(const char *path, const char *text, struct roster *r);
void roster_free(struct roster *r);
/* The next free id: never self, never one in used[], never one handed out
 * before.  0, or -1 (ids exhausted, reported). */
int roster_next(const struct roster *r, const uint32_t *used, unsigned n_used, uint32_t *id);
/* The roster text that records id as handed out to name (heap). */
char *roster_record(const struct roster *r, uint32_t id, const char *name, const char *addr,
		    const char *ep, size_t *len);

/* ------------------------------------------------------------ bundle.c -- */

#define BUNDLE_VERSION 1
#define BUNDLE_MAGIC "eesp-join"

/* The bundle text (heap; holds keys: free_secret it) for node c with the
 * key rings of ks that c's levels use, authenticated (bundle.c). */
char *bundle_format(const struct node_conf *c, const struct eesp_keyset *ks, size_t *len);
/* Verify and parse a bundle: c (peers heap: nc_free) and *ks (new, only
 * the rings it carried).  0, or -1 (reported as path:line: problem). */
int bundle_parse(const char *path, const char *text, size_t len, struct node_conf *c,
		 struct eesp_keyset **ks);
/* HMAC-SHA256 of text under the bundle key of ks's current domain root and
 * domain id (bundle.c); 0 or -1. */
int bundle_mac(const struct eesp_keyset *ks, uint32_t id, const char *text, size_t len,
	       uint8_t out[32]);
/* The fingerprint of the current domain root (as show prints it). */
void bundle_fingerprint(const struct eesp_keyset *ks, char fp[17]);

/* --------------------------------------------------- invite.c, join.c -- */

int domain_invite(int argc, char *argv[]);

#endif /* EESPCTL_ONBOARD_H */
