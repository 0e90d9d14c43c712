// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * authproc.c - the authenticating process and its client (authproc.h).
 *
 * Wire format of a request: struct auth_req, then msg, nonce, sk_p and
 * id_body back to back; of an answer: struct auth_rep.  Both ends are
 * ours and run the same binary, so the structs travel in host order; the
 * server still checks every length before it reads.
 */
#include "authproc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "ike_crypto.h"
#include "log.h"
#include "secmem.h"

#define AUTH_REQ_MAX (IKE_MSG_MAX + 2 * IKE_NONCE_MAX + IKE_PRF_MAX + 4 + IKED_ID_MAX + 64)
#define AUTH_TIMEOUT_MS 5000

struct auth_req {
	uint32_t peer;
	uint16_t prf;
	uint16_t reserved;
	uint32_t msg_len, nonce_len, skp_len, id_len;
};

struct auth_rep {
	int32_t rc;
	uint32_t len;
	uint8_t auth[IKE_PRF_MAX];
};

/* check and answer one request of n octets in buf */
static void answer(struct iked_auth *a, const uint8_t *buf, size_t n, struct auth_rep *rep)
{
	struct auth_req r;
	const struct iked_peer *p;
	const uint8_t *d = buf + sizeof(r);
	size_t total;
	memset(rep, 0, sizeof(*rep));
	rep->rc = -1;
	if (n < sizeof(r)) {
		log_err("auth: short request (%zu octets)", n);
		return;
	}
	memcpy(&r, buf, sizeof(r));
	total = (size_t)r.msg_len + r.nonce_len + r.skp_len + r.id_len;
	if (total != n - sizeof(r) || r.peer >= a->conf->n_peers || !ike_prf_len(r.prf)) {
		log_err("auth: malformed request (peer %u, %zu octets)", r.peer, n);
		return;
	}
	p = &a->conf->peers[r.peer];
	if (!p->psk.key) {
		log_err("auth: peer %s has no PSK loaded", p->name);
		return;
	}
	if (ike_psk_auth(r.prf, p->psk.key, p->psk.len, d, r.msg_len, d + r.msg_len, r.nonce_len,
			 d + r.msg_len + r.nonce_len, r.skp_len,
			 d + r.msg_len + r.nonce_len + r.skp_len, r.id_len, rep->auth))
		return;
	rep->rc = 0;
	rep->len = (uint32_t)ike_prf_len(r.prf);
}

int authproc_run(struct iked_auth *a)
{
	static uint8_t buf[AUTH_REQ_MAX];
	for (;;) {
		struct auth_rep rep;
		ssize_t n = recv(a->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err("auth: recv: %s", strerror(errno));
			return 1;
		}
		if (n == 0)
			return 0; /* the IKE process went: so do we */
		if ((size_t)n > sizeof(buf)) {
			memset(&rep, 0, sizeof(rep));
			rep.rc = -1;
			log_err("auth: request of %zd octets refused", n);
		} else {
			answer(a, buf, (size_t)n, &rep);
		}
		eesp_wipe(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf));
		if (rep.rc)
			a->refused++;
		else
			a->answered++;
		if (send(a->fd, &rep, sizeof(rep), MSG_NOSIGNAL) != (ssize_t)sizeof(rep)) {
			eesp_wipe(&rep, sizeof(rep));
			log_err("auth: send: %s", strerror(errno));
			return 1;
		}
		eesp_wipe(&rep, sizeof(rep));
	}
}

int authproc_call(int fd, unsigned peer, uint16_t prf, const uint8_t *msg, size_t msg_len,
		  const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p, size_t sk_p_len,
		  const uint8_t *id_body, size_t id_len, uint8_t *out)
{
	struct auth_req r = {.peer = peer,
			     .prf = prf,
			     .msg_len = (uint32_t)msg_len,
			     .nonce_len = (uint32_t)nonce_len,
			     .skp_len = (uint32_t)sk_p_len,
			     .id_len = (uint32_t)id_len};
	struct iovec iov[5] = {{&r, sizeof(r)},
			       {(void *)msg, msg_len},
			       {(void *)nonce, nonce_len},
			       {(void *)sk_p, sk_p_len},
			       {(void *)id_body, id_len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 5};
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct auth_rep rep;
	ssize_t n;
	int rc = -1;
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
		log_err("auth process: send: %s", strerror(errno));
		return -1;
	}
	/* the answer is a local computation: a silent peer process is dead */
	while ((n = poll(&p, 1, AUTH_TIMEOUT_MS)) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		log_err("auth process: no answer");
		return -1;
	}
	n = recv(fd, &rep, sizeof(rep), 0);
	if (n == (ssize_t)sizeof(rep) && rep.rc == 0 && rep.len == ike_prf_len(prf)) {
		memcpy(out, rep.auth, rep.len);
		rc = 0;
	} else {
		log_err("auth process: %s",
			n == (ssize_t)sizeof(rep) ? "refused the request" : "malformed answer");
	}
	eesp_wipe(&rep, sizeof(rep));
	return rc;
}
