/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lookup.h - the questions the data path asks of a snapshot: where an inner
 * packet goes, which domain an SPI belongs to, whether a sender and its
 * inner source are allowed, which out-of-band key an SPI has, and which
 * epoch is current.  No I/O, no locks: the snapshot is immutable.
 */
#ifndef EESPD_LOOKUP_H
#define EESPD_LOOKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "snap.h"

/* The peer for an inner destination (longest prefix match) or NULL. */
const struct peer *route_lookup(const struct snap *s, int family, const uint8_t *dst);

/* Receive: the domain a packet with this SPI belongs to; the first domain
 * when none matches (the caller then counts unknown_domain). */
const struct domain *snap_domain_for_spi(const struct snap *s, uint32_t spi);

/* Largest max_crypt_offset over the domains (for parsing before the SPI lookup). */
unsigned snap_max_crypt_offset(const struct snap *s);

/* node_denied pre-check: is the node id known (peer or policy) in boundary b? */
bool policy_node_known(const struct snap *s, const struct domain *d, uint32_t node,
		       const struct key_boundary *b);
/* Is this inner source allowed for an authenticated eesp node in boundary b?
 * *peer: the index of the configured peer that allowed it, or
 * PEERSTATS_NONE (a policy entry, or refused). */
bool policy_allows_node(const struct snap *s, const struct domain *d, uint32_t node,
			const struct key_boundary *b, int family, const uint8_t *src,
			unsigned *peer);
/* PSP and profile spi: is the SPI one a peer sends with (rx_spi) or a policy
 * range names?  Checked before its key is derived, so unknown SPIs cost no
 * KDF. */
bool policy_spi_known(const struct snap *s, const struct domain *d, uint32_t spi);
/* PSP and profile spi: is this inner source allowed for the packet's SPI?
 * *peer as for policy_allows_node. */
bool policy_allows_spi(const struct snap *s, const struct domain *d, uint32_t spi, int family,
		       const uint8_t *src, unsigned *peer);

/* An out-of-band data key ("sa eesp"/"sa psp" line, or a runtime receive
 * key set by sa-rx-set) for this SPI, or NULL. */
const struct eesp_sa_key *domain_sa_key(const struct domain *d, bool psp, uint32_t spi);

/* The peer's runtime transmit SA in its domain d (rtsa.h), or NULL. */
const struct rt_key *peer_rt_tx(const struct domain *d, const struct peer *p);
/* Can we send to the peer?  PSP and profile spi need a transmit SA (a
 * configured tx_spi with its key, or a runtime one); else no_tx_sa. */
bool peer_has_tx_sa(const struct snap *s, const struct domain *d, const struct peer *p);
/* Was this receive SPI of domain d released at runtime (sa-release)? */
bool domain_spi_released(const struct domain *d, uint32_t spi);

/* The sending epoch of domain d at unix time unix_s (epoch_period schedule). */
uint32_t domain_epoch_at(const struct domain *d, uint64_t unix_s);

#endif /* EESPD_LOOKUP_H */
