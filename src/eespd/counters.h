/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * counters.h - per-worker counters.  Indices 1..EESP_E__COUNT-1 are the drop
 * reasons of errors.h (index = enum eesp_err, named by eesp_err_name()); the
 * daemon's own counters follow.  Each worker writes only its own array (plain
 * relaxed stores); the control thread reads with relaxed loads and sums.
 *
 * Receive side:  rx_datagrams = rx_packets + proxy_packets + proxy_denied + replay_too_old
 *   + proxy_drops + every receive drop (the errors.h names, keepalive, ike,
 *   esp, oversize_rx, tun_write_err).  A proxied packet's send-side failure
 *   is counted under proxy_drops and its reason (send_err, no_route, ...).
 * Send side:     tun_packets = tx_packets + no_route + oversize + non_ip
 *                              + send_err + tx_no_buffer + iv_exhausted
 *                              + no_tx_sa + crypto_error (seal failures).
 */
#ifndef EESPD_COUNTERS_H
#define EESPD_COUNTERS_H

#include <stdint.h>

#include "errors.h"

#define EESPD_COUNTER_LIST(X)                                                                      \
	X(RX_DATAGRAMS, "rx_datagrams")	    /* UDP datagrams received */                           \
	X(RX_PACKETS, "rx_packets")	    /* inner packets written to the TUN */                 \
	X(RX_BYTES, "rx_bytes")		    /* their bytes (inner) */                              \
	X(TUN_PACKETS, "tun_packets")	    /* packets read from the TUN */                        \
	X(TX_PACKETS, "tx_packets")	    /* inner packets sealed and sent */                    \
	X(TX_BYTES, "tx_bytes")		    /* their bytes (inner) */                              \
	X(KEEPALIVE, "keepalive")	    /* NAT keepalive 0xFF, dropped */                      \
	X(IKE, "ike")			    /* non-ESP marker (IKE), dropped */                    \
	X(ESP, "esp")			    /* ESP (first bit 0), dropped */                       \
	X(OVERSIZE_RX, "oversize_rx")	    /* datagram larger than a receive buffer */            \
	X(TUN_WRITE_ERR, "tun_write_err")   /* write to the TUN failed */                          \
	X(NON_IP, "non_ip")		    /* TUN packet that is not IPv4/IPv6 */                 \
	X(SEND_ERR, "send_err")		    /* UDP send failed */                                  \
	X(TX_NO_BUFFER, "tx_no_buffer")	    /* no free send buffer */                              \
	X(IV_EXHAUSTED, "iv_exhausted")	    /* IV reservation could not be persisted */            \
	X(RX_REARM, "rx_rearm")		    /* multishot receive re-armed (not a drop) */          \
	X(TUN_REARM, "tun_rearm")	    /* multishot TUN read re-armed (not a drop) */         \
	X(CFG_SWITCH, "config_switches")    /* snapshots picked up by this worker */               \
	X(GRO_WRITES, "tun_gro_writes")	    /* coalesced TUN writes (offload; not a drop) */       \
	X(TSO_READS, "tun_tso_reads")	    /* TCP super-segments split (offload; not a drop) */   \
	X(PROXY_PACKETS, "proxy_packets")   /* received, re-sealed for another domain, sent */     \
	X(PROXY_BYTES, "proxy_bytes")	    /* their bytes (inner) */                              \
	X(PROXY_DENIED, "proxy_denied")	    /* routed to a domain forward_to does not allow */     \
	X(PROXY_DROPS, "proxy_drops")	    /* re-seal or send failed (reason counted as well) */  \
	X(REPLAY_TOO_OLD, "replay_too_old") /* SN below the replay window or floor */              \
	X(REPLAY_EVICT, "replay_evictions") /* replay windows evicted (not a drop) */              \
	X(IV_PERSIST_WAIT, "iv_persist_wait")	/* sender waited for an IV mark on disk */         \
	X(UDP_GSO_SENDS, "udp_gso_sends")	/* sends carrying > 1 datagram (not a drop) */     \
	X(UDP_GSO_FALLBACK, "udp_gso_fallback") /* datagrams re-sent one by one: GSO refused */    \
	X(UDP_GRO_READS, "udp_gro_reads")	/* receives carrying > 1 datagram (not a drop) */  \
	X(SN_FUTURE, "sn_future")     /* replay: SN clock part beyond now + clock_skew */          \
	X(BAD_SESSION, "bad_session") /* replay: Session ID 0 or above 64 */                       \
	X(UNKNOWN_SPI, "unknown_spi") /* psp: SPI of no peer (rx_spi) nor policy */                \
	X(SA_RELEASED, "sa_released") /* SPI of a runtime SA released (sa-release) */              \
	X(NO_TX_SA, "no_tx_sa")	      /* routed to a peer without a transmit SA (yet) */

enum {
#define EESPD_CNT_ENUM(n, s) CNT_##n,
	CNT__FIRST = EESP_E__COUNT - 1,
	EESPD_COUNTER_LIST(EESPD_CNT_ENUM)
#undef EESPD_CNT_ENUM
	    CNT__COUNT
};

/* Name of counter i (1..CNT__COUNT-1); index 0 ("ok") is never used. */
const char *counter_name(unsigned i);
/* true for counters of the receive side that are drops (for "drops" sums). */
int counter_is_drop(unsigned i);

static inline void cnt_add(uint64_t *c, unsigned i, uint64_t n)
{
	__atomic_store_n(&c[i], __atomic_load_n(&c[i], __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

#endif /* EESPD_COUNTERS_H */
