/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * snap.h - the reloadable part of eespd's configuration: one immutable
 * snapshot of the trust domains with their keys, the peers, the routes and
 * the policy.
 *
 * A snapshot is built by the configuration parser (conf.h) at start-up and
 * at every reload, or as a copy of the running one with changed key rings
 * (rotate, retire).  Once published (snap_publish) nobody changes it: the
 * workers read it without locks between batches, and it is freed only after
 * every worker has moved to a newer one.  Settings that are bound to open
 * devices, sockets and threads are not here but in struct eespd_conf
 * (conf.h), read once at start.
 */
#ifndef EESPD_SNAP_H
#define EESPD_SNAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "keys.h"
#include "packet.h"
#include "prefix.h"

#define EESPD_MAX_DOMAINS 8 /* trust domains per daemon (domains = ( ... )) */

struct node_range {
	uint32_t lo, hi;
};

/* A receive policy entry: nodes (eesp) or SPIs (psp) and their prefixes. */
struct policy {
	struct node_range *nodes;
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
	int tx_key;   /* index into its domain's keys->sa (psp, spi client) or -1 */
	unsigned dom; /* index of the peer's trust domain in snap->dom */
	/* eesp: the key levels the peer's packets must be sealed under
	 * (tenant/group id, 0 = level not used; default: the domain's own) */
	uint32_t tenant, group;
	/* runtime SAs (rtsa.h), laid over the configuration in each snapshot:
	 * rx_spi[0 .. n_rx_cfg) are the configured SPIs, the rest runtime
	 * bindings; rt_tx is the transmit SA in its domain's rt[] (it wins
	 * over tx_spi/tx_key) or -1 */
	unsigned n_rx_cfg;
	int rt_tx;
};

/*
 * A runtime SA as the data path uses it (rtsa.h): the transmit SA of a peer,
 * or an eesp client's receive key, with the header fields it is bound to.
 * In locked memory, owned by the snapshot's domain.
 */
struct rt_key {
	struct eesp_sa_key k; /* spi, key (key_len 0: derived from our own root) */
	bool rx;	      /* a receive key (eesp client), found by domain_sa_key() */
	int8_t version;	      /* psp: the header's version */
	int8_t phase;	      /* eesp tx: the domain phase in the header, -1: the domain's */
	bool has_epoch;	      /* eesp tx: send with this epoch (the key is bound to it) */
	uint32_t epoch;
};

struct peerstats;

struct route {
	struct prefix p;
	unsigned peer;
};

/*
 * One trust domain (eesp mode), or the PSP receiver (psp mode: one domain,
 * its psp_* settings, its keys holding the master keys and "sa psp" lines).
 */
struct domain {
	unsigned idx; /* in snap->dom */
	char name[64];
	char key_path[4096];	  /* key_file, or key_dir when key_is_dir */
	bool key_is_dir;	  /* keys from a key directory (keydirload.h) */
	char key_version[128];	  /* key_dir: the set's version when it was read */
	struct eesp_keyset *keys; /* locked memory, owned by the snapshot */
	struct eesp_domain dom;	  /* the core's view (SPI, keys, windows, own node) */
	uint8_t profile, kdf, suite;
	uint32_t node_id, tenant, group;
	uint32_t epoch_base, epoch_period, epoch_packets;
	uint8_t crypt_offset;
	uint8_t phase[3]; /* current generation of each level, mod 4 */
	uint8_t sa_phase; /* profile spi client: domain phase the sa keys belong to */
	unsigned sctx_flags;
	struct policy *policy;
	unsigned n_policy;
	uint32_t forward_mask; /* proxy: domains received traffic may be re-sealed for */
	bool replay;	       /* receive: anti-replay windows for this domain */
	unsigned replay_bits;  /* replay table: 2^replay_bits buckets (restart to resize) */
	uint32_t clock_skew;   /* replay: seconds a sender's clock may be ahead */
	/* psp mode */
	unsigned psp_version;
	uint8_t psp_crypt_offset;
	unsigned psp_spi_master;
	/* runtime SAs (rtsa.h): their keys (locked memory, rt_bytes long), and
	 * the receive SPIs released at runtime (sorted: counted sa_released) */
	struct rt_key *rt;
	unsigned n_rt;
	size_t rt_bytes;
	uint32_t *released;
	unsigned n_released;
};

/* "key file" or "key directory", for messages */
static inline const char *domain_key_source(const struct domain *d)
{
	return d->key_is_dir ? "key directory" : "key file";
}

struct snap {
	int mode; /* EESP_MODE_EESP or EESP_MODE_PSP (names.h), as the daemon's */
	struct domain dom[EESPD_MAX_DOMAINS];
	unsigned n_doms;
	struct peer *peers;
	unsigned n_peers;
	struct route *routes; /* sorted by prefix length, longest first */
	unsigned n_routes;
	int log_level;
	char admin_group[64];
	gid_t admin_gid; /* (gid_t)-1: none */
	char sa_group[64];
	gid_t sa_gid;	 /* (gid_t)-1: none */
	uint64_t serial; /* snapshot number: 1, 2, ... over loads, reloads, rotations */
	time_t loaded_at;
	struct peerstats *pstats; /* per-peer counters (peerstats.h), given at publication */
};

void snap_free(struct snap *s);
/* Deep copy (rotate/retire change key rings in the copy; the caller gives
 * it its serial); NULL if no memory. */
struct snap *snap_clone(const struct snap *s);
/* Recompute what follows from the keys (phases, the core's domain views)
 * after a change of key rings. */
void snap_finish_keys(struct snap *s);

#endif /* EESPD_SNAP_H */
