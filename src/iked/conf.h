/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * conf.h - eesp-iked's configuration file (eesp-iked.conf(5)): its text into
 * struct iked_conf.
 *
 * The parser is pure: it opens no file of its own (libconfig reads the
 * configuration and its @include files) and asks the caller, through struct
 * iked_conf_env, for the daemon user's uid, group ids and the PSK files, so
 * that the daemon, the unit tests and a fuzzer run the same code.  Every
 * error is "file:line: problem" naming the setting; an unknown setting is
 * an error.  PSKs never appear in the configuration: each peer names a file
 * (psk.h says which files are accepted).
 */
#ifndef IKED_CONF_H
#define IKED_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "suite.h"

#define IKED_MAX_LISTEN 8
#define IKED_MAX_PEERS 4096 /* a key server has one per member */
#define IKED_ID_MAX 255	    /* identification data octets */
#define IKED_PSK_MAX 256    /* octets */
#define IKED_NAME_MAX 64

/* An identity: ID payload type (IKE_ID_FQDN or IKE_ID_KEY_ID) and data. */
struct iked_id {
	uint8_t type;
	uint8_t len;
	uint8_t data[IKED_ID_MAX];
};

/* A pre-shared key, in locked memory (psk.h) once loaded. */
struct iked_psk {
	uint8_t *key; /* eesp_secure_alloc()ed, IKED_PSK_MAX octets */
	size_t len;
};

/* Key download for a peer (its psp or eesp group, eesp-iked.conf(5)). */
#define IKED_KD_MAX_VERSIONS 4
enum iked_kd_kind { IKED_KD_PSP, IKED_KD_EESP };
struct iked_kd_conf {
	bool on;				/* the peer has a psp or an eesp group */
	enum iked_kd_kind kind;			/* which */
	bool key_holder;			/* eesp: we hold the root key (else the client) */
	char eespd_socket[108];			/* our eespd's control socket */
	char eespd_peer[IKED_NAME_MAX];		/* the peer's name in our eespd.conf */
	uint8_t versions[IKED_KD_MAX_VERSIONS]; /* PSP versions, preferred first */
	unsigned n_versions;
	uint32_t poll_ms; /* how often the key serial is read */
};

/* Domain key server (eesp-iked.conf(5) "gcks", gcks.h): on the server, a
 * peer's `member` group says which rings it may receive; on a member, the
 * peer's `key_server` group names the domain and our eespd. */
#define IKED_GCKS_MAX_IDS 7 /* tenants + groups of one member (a KD holds 8 rings) */
struct iked_gcks_member {
	bool on;
	bool domain; /* the domain root ring */
	uint32_t tenants[IKED_GCKS_MAX_IDS], groups[IKED_GCKS_MAX_IDS];
	unsigned n_tenants, n_groups;
};
struct iked_gcks_client {
	bool on;
	uint32_t domain;	/* the trust domain id we register for */
	char eespd_socket[108]; /* our eespd, whose key_server domain gets the rings */
};

/* Seed 004 pair keys with another member (eesp-iked.conf(5) `pair`, pair.h):
 * GK is group ring `group` of our key server `key_server`; the pair's keys
 * go into our eespd as runtime SAs of peer eespd_peer. */
struct iked_pair_conf {
	bool on;
	char key_server[IKED_NAME_MAX]; /* the peer (with a key_server group) GK comes from */
	unsigned ks_idx;		/* its index in peers, set once all are read */
	uint32_t group;			/* GK's ring: the task group id */
	uint32_t node_id, peer_node_id; /* ours and the peer's, as in eespd.conf */
	char eespd_socket[108];
	char eespd_peer[IKED_NAME_MAX];
};

struct iked_peer {
	char name[IKED_NAME_MAX];
	struct sockaddr_storage addr; /* address and port (network order) */
	socklen_t addr_len;
	struct iked_id remote_id;
	char *psk_path;	     /* malloc()ed: a key server has thousands of peers */
	struct iked_psk psk; /* held only by the authenticating process */
	bool initiate;	     /* bring the SA up at start and after a loss */
	struct ike_suite proposals[IKED_MAX_PROPOSALS];
	unsigned n_proposals;
	struct iked_kd_conf kd;
	struct iked_gcks_member member;	    /* we serve it (server) */
	struct iked_gcks_client key_server; /* it serves us (member) */
	struct iked_pair_conf pair;	    /* it is a member paired with us */
};

struct iked_conf {
	char path[4096]; /* the configuration file */
	char dir[4096];	 /* relative paths resolve here */

	/* daemon group: the process */
	char user[IKED_NAME_MAX];
	uid_t uid;
	gid_t gid;
	char ctl_path[108];
	char ctl_group[IKED_NAME_MAX]; /* "" = the default: "eesp" if it exists */
	char admin_group[IKED_NAME_MAX];
	gid_t admin_gid; /* (gid_t)-1: none */
	char eespd_socket[108];
	char key_log[4096]; /* "": no IKEv2 key log (keylog.h) */
	int log_level;

	/* ike group: the protocol */
	struct sockaddr_storage listen[IKED_MAX_LISTEN]; /* port filled in */
	unsigned n_listen;
	uint16_t port;
	struct iked_id local_id;
	struct ike_suite proposals[IKED_MAX_PROPOSALS];
	unsigned n_proposals;
	uint32_t dpd_interval;	     /* s, 0: no liveness checks */
	uint32_t rekey_time;	     /* s, 0: never rekey */
	uint32_t retransmit_timeout; /* ms before the first retransmission */
	uint32_t retransmit_tries;   /* retransmissions before giving up */
	uint32_t cookie_threshold;   /* half-open SAs from which cookies are asked */
	uint32_t half_open_max;	     /* half-open SAs at most (then dropped) */
	uint32_t half_open_timeout;  /* s a responder waits for IKE_AUTH */
	uint32_t sas_per_peer;	     /* IKE SAs (any state) per peer at most */

	/* code_points group: private-use numbers (ikev2.md §1.3) */
	uint8_t psp_protocol;	    /* Security Protocol ID, 201-255 */
	uint8_t eesp_protocol;	    /* Security Protocol ID, 201-255 */
	uint8_t psp_transform_type; /* Transform Type, 241-255 */

	/* gcks group: we are a domain key server */
	struct {
		bool on;
		char key_path[4096]; /* key_file, or key_dir when key_is_dir */
		bool key_is_dir;
		char state_path[4096]; /* state_file: what we serve, across restarts */
		char state_dir[4096];  /* ... its directory ("/" for a file in /) */
		char state_base[256];  /* ... and its name in there */
		uint32_t domain;       /* the domain id (the key file's "domain" line) */
		uint32_t grace;	       /* s a replaced generation stays receivable */
		uint32_t ack_timeout;  /* ms a step waits for the members' answers */
		/* per level (domain, tenant, group): s between switches (0: by
		 * hand only) and s a generation may be served at most (0: no
		 * limit) */
		uint32_t period[3], lifetime[3];
	} gcks;

	struct iked_peer *peers; /* calloc()ed */
	unsigned n_peers;
};

/* What the parser needs from the world. */
struct iked_conf_env {
	void *arg;
	/* uid and primary gid of a user; -1 if there is none */
	int (*user_ids)(void *arg, const char *name, uid_t *uid, gid_t *gid);
	/* gid of a group; -1 if there is none */
	int (*group_gid)(void *arg, const char *name, gid_t *gid);
	/* read the PSK file at path, which must belong to uid (psk.h); 0, or
	 * -1 with the file and the reason in err */
	int (*load_psk)(void *arg, const char *path, uid_t uid, struct iked_psk *psk, char *err,
			size_t err_len);
};

/*
 * Parse the configuration at path (text NULL: libconfig reads the file;
 * else text is parsed and named path in messages).  Relative paths resolve
 * in path's directory.  0 with *conf filled (free it with iked_conf_free),
 * or -1 with "file:line: problem" in err and nothing left allocated.
 */
int iked_conf_parse(const char *path, const char *text, const struct iked_conf_env *env,
		    struct iked_conf *conf, char *err, size_t err_len);

/* Wipe the PSKs, free the peers. */
void iked_conf_free(struct iked_conf *conf);
/* Wipe and release every PSK (a process that must not hold them). */
void iked_conf_drop_psks(struct iked_conf *conf);

/* The peer whose address (and port) is a, or NULL. */
const struct iked_peer *iked_conf_peer_by_addr(const struct iked_conf *c,
					       const struct sockaddr_storage *a);
/* The peer called name, or NULL. */
const struct iked_peer *iked_conf_peer_by_name(const struct iked_conf *c, const char *name);

/* "fqdn:gw.example" / "keyid:0a0b" of an identity into out. */
void iked_id_format(const struct iked_id *id, char *out, size_t cap);
/* The reverse: "fqdn:NAME", "keyid:HEX" or a bare NAME (an FQDN); 0 or -1. */
int iked_id_parse(const char *s, struct iked_id *id);

#endif /* IKED_CONF_H */
