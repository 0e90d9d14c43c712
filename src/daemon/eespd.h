/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eespd.h - shared declarations of the daemon's stations.
 *
 * A configuration snapshot (struct cfg) is immutable once published: the
 * main thread builds a new one on reload/rotate, swaps the global pointer,
 * and frees the old one once every worker has acknowledged the switch.
 */
#ifndef EESPD_H
#define EESPD_H

#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "counters.h"
#include "errors.h"
#include "keys.h"
#include "packet.h"

#define EESPD_VERSION "0.1"
#define EESPD_MAX_WORKERS 64
#define EESPD_MAX_DOMAINS 8 /* trust domains per daemon (domains = ( ... )) */

enum { MODE_EESP = 0, MODE_PSP = 1 };

/* ---------------------------------------------------------------- log -- */
enum { LOG_LVL_ERROR = 0, LOG_LVL_WARNING, LOG_LVL_INFO, LOG_LVL_DEBUG };
void log_open(bool to_stderr, int level);
void log_set_level(int level);
int log_level_parse(const char *s);
void logmsg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_err(...) logmsg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) logmsg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_info(...) logmsg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) logmsg(LOG_LVL_DEBUG, __VA_ARGS__)

/* -------------------------------------------------------------- route -- */
struct prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

int prefix_parse(const char *s, struct prefix *p);
bool prefix_contains(const struct prefix *p, int family, const uint8_t *addr);
void prefix_format(const struct prefix *p, char *out, size_t cap);

struct peer {
	char name[64];
	struct sockaddr_storage ep; /* native family */
	socklen_t ep_len;
	struct sockaddr_in6 ep6; /* v4-mapped for the dual-stack socket */
	char ep_str[80];
	uint32_t node_id; /* eesp: node id (0 = none) */
	uint32_t tx_spi;  /* psp / spi profile: SPI to send with */
	uint32_t *rx_spi; /* psp: SPIs this peer sends with */
	unsigned n_rx_spi;
	struct prefix *allowed;
	unsigned n_allowed;
	int tx_key;   /* index into cfg->sa (psp) or -1 */
	unsigned dom; /* index of the peer's trust domain in cfg->doms */
	/* eesp: the key levels the peer's packets must be sealed under
	 * (tenant/group id, 0 = level not used; default: the domain's own) */
	uint32_t tenant, group;
};

struct route {
	struct prefix p;
	unsigned peer;
};

struct node_range {
	uint32_t lo, hi;
};

struct policy {
	struct node_range *nodes; /* eesp: node ids; psp: SPIs */
	unsigned n_nodes;
	struct prefix *prefixes;
	unsigned n_prefixes;
	/* eesp: the key levels an accepted packet was sealed under (tenant and
	 * group id, 0 = level not used; default: the domain's own) */
	uint32_t tenant, group;
};

/*
 * The key boundary of an authenticated eesp packet: which tenant and group
 * roots its master key was derived from (T and G flags with their ids).  A
 * peer or policy entry accepts a packet only from its own boundary, so a
 * holder of one tenant's root cannot claim another tenant's nodes or
 * addresses, whatever node id it writes in the header.
 */
struct key_boundary {
	uint8_t flags; /* EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G */
	uint32_t tenant, group;
};

/* Out-of-band data keys from "sa" lines (secure memory). */
struct sa_key {
	bool psp;
	uint32_t spi;
	size_t key_len;
	uint8_t key[32];
	uint8_t salt[4];
};

/* ------------------------------------------------------------- config -- */
struct cfg {
	/* daemon (static: changes need a restart) */
	char path[4096];
	char dir[4096];
	int mode;
	char ifname[IFNAMSIZ];
	unsigned mtu;
	struct prefix *addrs;
	unsigned n_addrs;
	uint16_t port;
	uint16_t sport_min, sport_max;
	unsigned workers;
	bool offload; /* TUN virtio header + TSO */
	bool gro;     /* coalesce received TCP segments (needs offload) */
	bool udp_gso; /* send a flow's datagrams as one UDP_SEGMENT sendmsg */
	bool udp_gro; /* UDP_GRO on the listening socket(s) */
	char user[64];
	char ctl_path[256];
	char state_dir[1024];
	int log_level;
	bool seccomp;	 /* daemon.seccomp: system call filter (sandbox.h) */
	int lock_memory; /* daemon.lock_memory: enum memlock_mode (memlock.h) */

	/* eesp domain */
	char dom_name[64];
	char key_path[4096];
	struct eesp_domain dom;
	struct eesp_keyset *keys;
	uint8_t profile, kdf, suite;
	uint32_t node_id, tenant, group;
	uint32_t epoch_base, epoch_period;
	uint8_t crypt_offset;
	uint8_t phase[3];
	uint8_t sa_phase; /* profile spi client: domain phase the sa keys belong to */
	unsigned sctx_flags;

	/* psp */
	unsigned psp_version;
	uint8_t psp_crypt_offset;
	unsigned psp_spi_master;

	struct sa_key *sa; /* secure memory, n_sa entries */
	unsigned n_sa;

	struct peer *peers;
	unsigned n_peers;
	struct route *routes; /* sorted by prefix length, longest first */
	unsigned n_routes;
	struct policy *policy;
	unsigned n_policy;

	/* trust domains: doms[0] is this snapshot itself (the first domain);
	 * doms[1..] are domain-only snapshots (is_sub) that share the daemon
	 * fields and the peers/routes of doms[0].  Every struct cfg has its
	 * dom_idx; a peer's domain is peers[i].dom. */
	struct cfg *doms[EESPD_MAX_DOMAINS];
	unsigned n_doms;
	unsigned dom_idx;
	bool is_sub;
	uint32_t forward_mask;	/* proxy: domains received traffic may be re-sealed for */
	uint32_t epoch_packets; /* sender: epoch + 1 every N packets (0 = off) */
	bool replay;		/* receive: anti-replay windows for this domain */
	uint32_t clock_skew;	/* replay: seconds a sender's clock may be ahead (SN clock part) */
	unsigned replay_bits;	/* replay table: 2^replay_bits buckets (restart to resize) */
	char ctl_group[64];	/* daemon.control_group ("" = default "eesp" if it exists) */
	char admin_group[64];	/* daemon.admin_group: admin verbs besides root ("" = none) */
	gid_t admin_gid;	/* its gid, (gid_t)-1 for none */
	uint64_t iv_block;	/* IVs per persisted reservation (daemon.iv_block, tests) */

	uint64_t serial; /* snapshot number */
	time_t loaded_at;
};

/* Load and check a configuration; on error prints "file:line: problem" into
 * err and returns NULL.  daemon_uid: the user that re-reads the key files
 * after the privilege drop ((uid_t)-1: look up the configured user); a key
 * file it could not read is refused, also at start-up. */
struct cfg *cfg_load(const char *path, uid_t daemon_uid, char *err, size_t err_len);
/* The same from a string (the fuzz harness): name labels messages, relative
 * key_file paths and @include resolve under dir. */
struct cfg *cfg_load_string(const char *text, const char *name, const char *dir, uid_t daemon_uid,
			    char *err, size_t err_len);
void cfg_free(struct cfg *c);
/* Snapshot serial numbers: 1, 2, ... over loads, reloads and rotations. */
uint64_t cfg_next_serial(void);
/* Deep copy (for rotate/retire: new snapshot with modified key rings). */
struct cfg *cfg_clone(const struct cfg *c);
/* Recompute the derived fields (phases, domain struct) after key changes. */
void cfg_finish_keys(struct cfg *c);

/* The peer for an inner destination (longest prefix match) or NULL. */
const struct peer *route_lookup(const struct cfg *c, int family, const uint8_t *dst);
/* Is this inner source allowed for an authenticated eesp node in key boundary b? */
bool policy_allows_node(const struct cfg *c, uint32_t node, const struct key_boundary *b,
			int family, const uint8_t *src);
/* node_denied pre-check: is the node id known at all (peer or policy) in boundary b? */
bool policy_node_known(const struct cfg *c, uint32_t node, const struct key_boundary *b);
/* PSP: is the SPI one a peer sends with (rx_spi) or a policy range names?
 * Checked before its key is derived, so unknown SPIs cost no KDF. */
bool policy_spi_known(const struct cfg *c, uint32_t spi);
/* PSP: is this inner source allowed for the packet's SPI? */
bool policy_allows_spi(const struct cfg *c, uint32_t spi, int family, const uint8_t *src);
/* An out-of-band data key ("sa eesp"/"sa psp" line) for this SPI, or NULL. */
const struct sa_key *cfg_sa_key(const struct cfg *c, bool psp, uint32_t spi);
/* The sending epoch of domain c at unix time unix_s (epoch_period schedule). */
uint32_t cfg_epoch_at(const struct cfg *c, uint64_t unix_s);
uint32_t cfg_epoch_now(const struct cfg *c);
/* Receive: the trust domain (a doms[] entry of c) a packet with this SPI
 * belongs to; c itself when none matches (the caller then counts
 * unknown_domain as before). */
const struct cfg *cfg_domain_for_spi(const struct cfg *c, uint32_t spi);
/* Largest max_crypt_offset over the domains (for parsing before the SPI lookup). */
unsigned cfg_max_crypt_offset(const struct cfg *c);

/* Global snapshot pointer, read by the workers between batches. */
extern _Atomic(struct cfg *) g_cfg;

/* ---------------------------------------------------------------- tun -- */
/* Create/attach the TUN device; fds[n] one per queue (IFF_MULTI_QUEUE if n > 1). */
/* vnet: IFF_VNET_HDR and TSO (and USO where the kernel has it: *uso). */
int tun_open(const char *name, unsigned n, bool vnet, int *fds, bool *uso, char *err,
	     size_t err_len);
/* MTU, addresses, link up (ioctl; no external tools). */
int tun_configure(const char *name, unsigned mtu, const struct prefix *addrs, unsigned n, char *err,
		  size_t err_len);

/* ------------------------------------------------------------- socket -- */
/* Send sockets bound across source_ports, shared by the workers (n == 0:
 * source_ports is the listen port alone; each worker sends from its udp). */
#define EESPD_TX_SOCKETS 64
struct txpool {
	unsigned n;
	int family;
	int fd[EESPD_TX_SOCKETS];
};
struct sockset {
	int udp; /* this worker's receive socket */
	int udp_family;
	const struct txpool *pool;
};
int sockets_open(const struct cfg *c, unsigned n, struct sockset *s, struct txpool *pool, char *err,
		 size_t err_len);

/* ------------------------------------------------------------ ivstate -- */
struct ivstate {
	uint64_t hwm;  /* mark read at start */
	unsigned slot; /* persister slot (= worker index) */
};
/* Read worker's mark through the state directory's descriptor dirfd (after
 * the privilege drop; statefile.h); dirfd stays in use for its writes. */
int ivstate_open(int dirfd, const char *ifname, unsigned worker, struct ivstate *s, char *err,
		 size_t err_len);
/* The persister thread (started before the workers, stopped after them). */
int ivstate_start(void);
void ivstate_stop(void);
/* Ask the persister to write a mark >= mark (returns at once). */
void ivstate_request(const struct ivstate *s, uint64_t mark);
/* Highest mark known to be on disk. */
uint64_t ivstate_persisted(const struct ivstate *s);
/* Block until persisted >= mark; -1 if the write failed. */
int ivstate_wait(const struct ivstate *s, uint64_t mark);

/* ------------------------------------------------------------- worker -- */
struct worker;
struct worker *worker_new(unsigned idx, int tun_fd, const struct sockset *s,
			  const struct ivstate *iv);
int worker_start(struct worker *w);
void worker_stop_join(struct worker *w);
void worker_free(struct worker *w);
/* Counters of a worker (read with relaxed atomic loads). */
const uint64_t *worker_counters(const struct worker *w);
/* Serial of the snapshot the worker runs with. */
uint64_t worker_cfg_serial(const struct worker *w);
bool worker_uses_multishot(const struct worker *w);
/* Proxy counters per domain pair (from, to: domain indexes; bytes 0/1). */
uint64_t worker_proxy_counter(const struct worker *w, unsigned from, unsigned to, unsigned bytes);
void worker_set_seed(struct worker *w, uint32_t seed);
/* The thread gave up (io_uring or buffer ring setup failed). */
bool worker_failed(const struct worker *w);

/* -------------------------------------------------------------- privs -- */
int privs_lookup(const char *user, uid_t *uid, gid_t *gid, char *name_out, size_t cap);
int privs_drop(uid_t uid, gid_t gid, char *err, size_t err_len);

/* ---------------------------------------------------------------- ctl -- */
/* the socket's set-up: ctlsock.h */
struct pollfd;
/* Non-blocking service from the main poll loop: fill pollfds (listener +
 * clients), poll with a timeout <= ctl_timeout_ms() (-1: no deadline),
 * then ctl_process() the same array. */
unsigned ctl_pollfds(int lfd, struct pollfd *p, unsigned cap);
int ctl_timeout_ms(void);
void ctl_process(int lfd, const struct pollfd *p, unsigned n);
void ctl_close_all(void);

/* ------------------------------------------------------------- replay -- */
struct eesp_replay_key;
/* Create the shared replay tables of c's domains that enable replay (main
 * thread, before publishing c).  0 or -1 with err. */
int replay_sync(const struct cfg *c, char *err, size_t err_len);
void replay_free_all(void);
/* Receive (any worker, thread-safe): 0 = new, else the counter to drop
 * under (EESP_E_REPLAY or CNT_REPLAY_TOO_OLD).  check before the AEAD
 * (duplicates only), update after the ICV verified with the inner flow's
 * hash (returns the windows it evicted). */
unsigned replay_rx_check(const struct cfg *c, const struct eesp_replay_key *k, uint64_t sn);
unsigned replay_rx_update(const struct cfg *c, const struct eesp_replay_key *k, uint32_t flow,
			  uint64_t sn, uint64_t *evicted);
void replay_table_stats(unsigned dom, uint64_t *entries, uint64_t *capacity, uint64_t *evictions);
/* The highest SN clock part (unix seconds) accepted in domain index dom. */
uint64_t replay_accepted_clock(unsigned dom);
/* Refuse every SN of domain dom whose clock part is <= clock (raises the
 * floors of its tables; restart rule, replaystate.c). */
void replay_refuse_up_to(unsigned dom, uint64_t clock);
/* The highest restart floor of any domain (0: none). */
uint64_t replay_floor_clock(void);

/* --------------------------------------------------------------- main -- */
struct daemon_state {
	struct worker *w[EESPD_MAX_WORKERS];
	unsigned n_workers;
	time_t started;
	uid_t uid;
	gid_t gid;
	char user[64];
	bool tun_uso;	      /* the TUN takes and gives UDP super-packets */
	pthread_mutex_t lock; /* serialises reload/rotate */
};
extern struct daemon_state g_d;

/* Build + publish a new snapshot from the config file; 0 or -1 with err. */
int daemon_reload(char *err, size_t err_len);
/* Publish a snapshot built by the caller (takes ownership). */
void daemon_publish(struct cfg *c);

#endif /* EESPD_H */
