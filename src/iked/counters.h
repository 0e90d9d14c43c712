/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * counters.h - eesp-iked's named counters (the control socket's
 * `counters`).  Every datagram that is not used is counted under exactly
 * one drop reason: rx_datagrams = rx_messages + the sum of the drops
 * (iked_counter_is_drop).  The framing and payload refusals of the IKE core are
 * counted under the core's names (ike_err.h: truncated, bad_length,
 * oversize, malformed_payload, no_proposal_chosen, ...), except a failed
 * ICV, which is `unauthenticated`; the others are the engine's.
 */
#ifndef IKED_COUNTERS_H
#define IKED_COUNTERS_H

#include <stdbool.h>
#include <stdint.h>

#include "ike_err.h"

/* the engine's own, after the core's IKE_E_* codes (index = code) */
#define IKED_COUNTER_LIST(X)                                                                       \
	X(RX_DATAGRAMS, "rx_datagrams", 0)     /* datagrams received */                            \
	X(RX_MESSAGES, "rx_messages", 0)       /* ... that were used */                            \
	X(TX_MESSAGES, "tx_messages", 0)       /* messages sent (retransmissions too) */           \
	X(RX_RETRANSMITS, "rx_retransmits", 0) /* repeated requests answered from the cache */     \
	X(TX_RETRANSMITS, "tx_retransmits", 0) /* our requests sent again */                       \
	X(SEND_ERRORS, "send_errors", 0)       /* sendmsg failed */                                \
	X(BAD_EXCHANGE, "bad_exchange", 1)     /* unknown exchange type or wrong flags */          \
	X(UNKNOWN_SPI, "unknown_spi", 1)       /* no SA has the SPI (or the other SPI differs) */  \
	X(WRONG_SOURCE, "wrong_source", 1)     /* an SA's message from another address */          \
	X(REPLAYED, "replayed", 1)	       /* request or response of an old MID */             \
	X(FUTURE_MID, "future_mid", 1)	       /* request beyond the window */                     \
	X(UNEXPECTED_RESPONSE, "unexpected_response", 1) /* a response to nothing outstanding */   \
	X(UNAUTHENTICATED, "unauthenticated", 1)	 /* SK payload failed its ICV */           \
	X(BAD_STATE, "bad_state", 1)	       /* an exchange the SA's state does not allow */     \
	X(UNKNOWN_PEER, "unknown_peer", 1)     /* IKE_SA_INIT from an unconfigured address */      \
	X(COOKIE_SENT, "cookies_sent", 1)      /* IKE_SA_INIT answered with N(COOKIE) only */      \
	X(BAD_COOKIE, "bad_cookie", 1)	       /* ... because its cookie did not verify */         \
	X(HALF_OPEN_FULL, "half_open_full", 1) /* IKE_SA_INIT dropped: half_open_max reached */    \
	X(PEER_SA_LIMIT, "peer_sa_limit", 1)   /* IKE_SA_INIT dropped: sas_per_peer reached */     \
	X(INVALID_KE, "invalid_ke_sent", 1)    /* refused: KE of another group than chosen */      \
	X(AUTH_FAILED, "auth_failed", 1)       /* refused: IDi/AUTH did not verify */              \
	X(SA_IN_AUTH, "child_in_auth", 0)      /* IKE_AUTH asked for a child SA: refused */        \
	X(CHILD_REFUSED, "child_refused", 0)   /* CREATE_CHILD_SA for a child: refused */          \
	X(PEER_AUTH_FAILED, "peer_auth_failed", 0)   /* the peer refused our authentication */     \
	X(PEER_REFUSED, "peer_refused", 0)	     /* the peer answered with an error notify */  \
	X(INVALID_KE_RX, "invalid_ke_retries", 0)    /* INVALID_KE_PAYLOAD received, retried */    \
	X(COOKIE_RX, "cookies_received", 0)	     /* N(COOKIE) received, request repeated */    \
	X(SA_ESTABLISHED, "sa_established", 0)	     /* IKE SAs authenticated */                   \
	X(SA_REKEYED, "sa_rekeyed", 0)		     /* IKE SAs replaced by a rekey */             \
	X(SA_DELETED, "sa_deleted", 0)		     /* IKE SAs deleted (by either side) */        \
	X(SA_TIMEOUT, "sa_timeout", 0)		     /* IKE SAs given up: no answer */             \
	X(HALF_OPEN_EXPIRED, "half_open_expired", 0) /* half-open SAs never authenticated */       \
	X(DPD_SENT, "dpd_sent", 0)		     /* liveness checks sent */                    \
	X(DPD_ANSWERED, "dpd_answered", 0)	     /* liveness checks of the peer answered */    \
	X(NO_MEMORY, "no_memory", 1)		     /* a message dropped for want of memory */    \
	X(CRYPTO_FAILED, "crypto_failed", 1)	     /* a key exchange or cipher call failed */    \
	X(CHILD_UP, "child_up", 0)		     /* PSP children keyed (key download) */       \
	X(CHILD_REKEYED, "child_rekeyed", 0)	     /* ... of them replacing a child */           \
	X(CHILD_FAILED, "child_failed", 0) /* key downloads that failed or were refused */         \
	X(KD_BAD, "kd_bad", 1)		   /* a KD payload missing, malformed or not unwrapping */ \
	X(EESPD_ERRORS, "eespd_errors", 0) /* eespd calls refused or unanswered */                 \
	X(GSA_REGISTERED, "gsa_registered", 0)	 /* server: members registered; member: done */    \
	X(GSA_REFUSED, "gsa_refused", 0)	 /* registrations refused (either side) */         \
	X(GSA_PUSHED, "gsa_pushed", 0)		 /* server: pushes sent; member: applied */        \
	X(GSA_PUSH_FAILED, "gsa_push_failed", 0) /* pushes refused or failed */                    \
	X(GSA_ROTATIONS, "gsa_rotations", 0)	 /* server: ring steps (next, switch, retire) */   \
	X(GSA_REMOVED, "gsa_removed", 0)	 /* server: members removed */                     \
	X(PAIR_SYNCED, "pair_synced", 0)	 /* pair keys derived and installed in eespd */    \
	X(PAIR_FAILED, "pair_failed", 0)	 /* pair keys not derived or not installed */

enum iked_counter {
	CNT__CORE_LAST = IKE_E__COUNT - 1, /* 1 .. IKE_E__COUNT-1: the core's codes */
#define IKED_CNT_ENUM(n, s, d) CNT_##n,
	IKED_COUNTER_LIST(IKED_CNT_ENUM)
#undef IKED_CNT_ENUM
	    CNT__COUNT
};

/* Name of a counter; NULL for index 0 ("ok" is not a counter). */
const char *iked_counter_name(unsigned i);
/* Whether the counter counts dropped datagrams. */
bool iked_counter_is_drop(unsigned i);

#endif /* IKED_COUNTERS_H */
