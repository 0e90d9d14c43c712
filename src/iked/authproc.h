/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * authproc.h - the authenticating process, the only one that holds the
 * PSKs (after the manner of OpenSSH's monitor and openiked's ca process).
 *
 * The IKE process, which parses what the network sends, asks it over a
 * SOCK_SEQPACKET socket pair for AUTH values: one request (a peer index,
 * the PRF, and the octets RealMessage | Nonce | SK_p | IDx') and one
 * answer (the AUTH value) each.  A compromised IKE process can thus make
 * AUTH values for as long as it runs, but never learns a key, so the PSKs
 * stay good once it is gone.  The authenticating process has no network
 * socket, no control socket and no file to write.
 */
#ifndef IKED_AUTHPROC_H
#define IKED_AUTHPROC_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

/* The state of the authenticating process. */
struct iked_auth {
	const struct iked_conf *conf; /* with the PSKs */
	int fd;			      /* its end of the socket pair */
	uint64_t answered, refused;
};

/* Serve requests on a->fd until the IKE process closes its end; the exit
 * status of the process. */
int authproc_run(struct iked_auth *a);

/* The IKE process's side: one AUTH value (ike_prf_len(prf) octets into
 * out) from the authenticating process on fd; 0 or -1. */
int authproc_call(int fd, unsigned peer, uint16_t prf, const uint8_t *msg, size_t msg_len,
		  const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p, size_t sk_p_len,
		  const uint8_t *id_body, size_t id_len, uint8_t *out);

#endif /* IKED_AUTHPROC_H */
