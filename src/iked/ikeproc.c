// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ikeproc.c - the IKE process's loop (ikeproc.h): poll the UDP sockets,
 * the control socket and the signals, with the engine's next timer as the
 * timeout.
 */
#include "ikeproc.h"

#include <errno.h>
#include <openssl/rand.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "authproc.h"
#include "ctlclient.h"
#include "gcks.h"
#include "keys.h"
#include "keylog.h"
#include "log.h"
#include "secmem.h"

#define RX_BURST 64
/* eespd answers runtime-SA verbs in one round of its loop; the IKE process
 * waits for it (key download is rare: child set-up, rekeys, polling) */
#define EESPD_CALL_MS 2000

static int io_send(void *arg, const struct iked_addr *local, const struct iked_addr *remote,
		   const uint8_t *buf, size_t len)
{
	struct iked_ike *p = arg;
	return udp_send(&p->udp, local, remote, buf, len);
}

static int io_local_for(void *arg, const struct iked_addr *remote, struct iked_addr *local)
{
	struct iked_ike *p = arg;
	return udp_local_for(&p->udp, remote, local);
}

static int64_t io_now(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int io_random(void *arg, uint8_t *out, size_t n)
{
	(void)arg;
	return RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

static int io_auth(void *arg, unsigned peer, uint16_t prf, const uint8_t *msg, size_t msg_len,
		   const uint8_t *nonce, size_t nonce_len, const uint8_t *sk_p, size_t sk_p_len,
		   const uint8_t *id_body, size_t id_len, uint8_t *out)
{
	struct iked_ike *p = arg;
	return authproc_call(p->auth_fd, peer, prf, msg, msg_len, nonce, nonce_len, sk_p, sk_p_len,
			     id_body, id_len, out);
}

static int io_eespd(void *arg, const char *sock, const char *line, size_t n, char **body, char *err,
		    size_t err_len)
{
	(void)arg;
	return ctl_call_full("eespd", sock, line, n, EESPD_CALL_MS, body, err, err_len);
}

static void io_key_log(void *arg, const uint8_t *spi_i, const uint8_t *spi_r,
		       const struct ike_suite *s, const struct ike_keys *k)
{
	struct iked_ike *p = arg;
	if (keylog_write(p->key_log_fd, spi_i, spi_r, s, k))
		log_warn("key_log %s: cannot write a record: %s", p->conf->key_log,
			 strerror(errno));
}

static int64_t io_wall(void *arg)
{
	struct timespec ts;
	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int io_gcks_save(void *arg, const char *text, size_t len)
{
	struct iked_ike *p = arg;
	if (gcks_statefile_write(&p->gks, text, len)) {
		log_err("key server: %s: %s", p->gks.path, strerror(errno));
		return -1;
	}
	return 0;
}

/* every datagram waiting on socket i, up to a burst */
static void drain(struct iked_ike *p, unsigned i)
{
	static uint8_t buf[IKE_MSG_MAX + 1];
	for (int k = 0; k < RX_BURST; k++) {
		struct iked_addr from, to;
		ssize_t n = udp_recv(&p->udp, i, buf, sizeof(buf), &from, &to);
		if (n <= 0) {
			if (n < 0)
				log_debug("recv: %s", strerror(errno));
			return;
		}
		engine_input(p->eng, &to, &from, buf, (size_t)n);
	}
}

/* false: stop */
static bool on_signal(struct iked_ike *p)
{
	struct signalfd_siginfo si;
	if (read(p->sig_fd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo == SIGHUP) {
		char err[512];
		if (p->conf->gcks.on) {
			if (ikeproc_gcks_reload(p, err, sizeof(err)) < 0)
				log_err("SIGHUP: %s (the running rings stay)", err);
		} else {
			log_info("SIGHUP: eesp-iked does not reload its configuration yet; restart "
				 "it");
		}
		return true;
	}
	log_info("signal %u: stopping", si.ssi_signo);
	return false;
}

static int timeout_ms(struct iked_ike *p)
{
	int64_t next = engine_next_ms(p->eng) - io_now(p);
	int c = ctlserve_timeout_ms(p->ctl);
	int t = next < 0 ? 0 : next > 1000 ? 1000 : (int)next;
	return c >= 0 && c < t ? c : t;
}

static int loop(struct iked_ike *p)
{
	for (;;) {
		struct pollfd fds[1 + IKED_MAX_LISTEN + CTLSERVE_MAX_CONNS + 1];
		unsigned n = 0, nu;
		fds[n++] = (struct pollfd){.fd = p->sig_fd, .events = POLLIN};
		for (unsigned i = 0; i < p->udp.n; i++)
			fds[n++] = (struct pollfd){.fd = p->udp.fd[i], .events = POLLIN};
		nu = n;
		n +=
		    ctlserve_pollfds(p->ctl, fds + n, (unsigned)(sizeof(fds) / sizeof(fds[0])) - n);
		int r = poll(fds, n, timeout_ms(p));
		if (r < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			return 1;
		}
		if (r > 0 && (fds[0].revents & POLLIN) && !on_signal(p))
			return 0;
		for (unsigned i = 1; r > 0 && i < nu; i++)
			if (fds[i].revents & POLLIN)
				drain(p, i - 1);
		if (engine_next_ms(p->eng) <= io_now(p))
			engine_tick(p->eng);
		gcks_watch(p);
		ctlserve_process(p->ctl, fds + nu, n - nu);
	}
}

int ikeproc_gcks_reload(struct iked_ike *p, char *err, size_t el)
{
	struct eesp_keyset *ks = NULL;
	int rc;
	if (!p->conf->gcks.on) {
		snprintf(err, el, "not a key server (no gcks group)");
		return -1;
	}
	rc = gcks_load(p->conf, (unsigned)getuid(), (unsigned)getgid(), &ks, err, el);
	if (!rc)
		rc = gcks_reload(p->eng, ks, err, el);
	if (ks)
		eesp_keyset_free(ks);
	return rc;
}

/* The key server's rings, read as the daemon user (after the drop: the
 * files must belong to it, keyload.h, gcks_statefile.h): the key set, then
 * the state file over it.  A state file that cannot be read stops the
 * start: serving the key set instead would undo rotations and removals. */
static int serve_keys(struct iked_ike *p)
{
	struct eesp_keyset *ks = NULL;
	char err[4600], *state = NULL;
	size_t len = 0, cap = 0;
	int rc = gcks_statefile_open(&p->gks, p->conf->gcks.state_dir, p->conf->gcks.state_base,
				     p->conf->gcks.state_path, err, sizeof(err));
	if (!rc)
		rc = gcks_statefile_read(&p->gks, &state, &len, &cap, err, sizeof(err));
	if (!rc)
		rc = gcks_load(p->conf, (unsigned)getuid(), (unsigned)getgid(), &ks, err,
			       sizeof(err));
	if (!rc)
		rc = gcks_start(p->eng, ks, state, len, err, sizeof(err));
	if (state)
		eesp_secure_free(state, cap);
	if (ks)
		eesp_keyset_free(ks);
	if (rc) {
		log_err("%s", err);
		engine_free(p->eng);
	}
	return rc;
}

int ikeproc_run(struct iked_ike *p)
{
	struct iked_io io = {.arg = p,
			     .send = io_send,
			     .local_for = io_local_for,
			     .now_ms = io_now,
			     .random = io_random,
			     .auth = io_auth,
			     .eespd = io_eespd,
			     .wall_ms = io_wall,
			     .gcks_save = p->conf->gcks.on ? io_gcks_save : NULL,

			     .key_log = p->key_log_fd >= 0 ? io_key_log : NULL};
	int rc;
	p->eng = engine_new(p->conf, &io);
	if (p->eng && p->conf->gcks.on && serve_keys(p))
		return 1;
	p->ctl = p->eng ? ctlserve_new(p->ctl_fd, p->conf->admin_gid, ikeproc_answer, p) : NULL;
	if (!p->ctl) {
		log_err("out of memory");
		engine_free(p->eng);
		return 1;
	}
	rc = loop(p);
	engine_shutdown(p->eng);
	ctlserve_free(p->ctl);
	engine_free(p->eng);
	gcks_statefile_close(&p->gks);
	return rc;
}
