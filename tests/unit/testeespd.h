/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * testeespd.h - a struct eespd in memory for the control-verb tests: its
 * configuration and first snapshot from conf_parse (testconf.h), its
 * replay tables, no workers, no sockets and no state directory (unless a
 * test gives one); control requests answered by ctlverbs_answer() with
 * the credentials a test chooses; the daemon's log captured.
 */
#ifndef EESP_TESTEESPD_H
#define EESP_TESTEESPD_H

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctlverbs.h"
#include "eespd.h"
#include "log.h"
#include "publish.h"
#include "replaytab.h"
#include "saverbs.h"
#include "spistate.h"
#include "testconf.h"

static struct eespd E;

/* the first snapshot published as main.c's serve() does */
static inline void te_start(struct snap *s)
{
	char err[256];
	E.replay = replay_tables_new();
	cr_assert_not_null(E.replay);
	cr_assert_eq(replay_sync(E.replay, s, (uint64_t)time(NULL), err, sizeof(err)), 0, "%s",
		     err);
	s->serial = ++E.next_serial;
	atomic_store(&E.snap, s);
	E.started = time(NULL) - 100;
}

static inline void te_init(void)
{
	memset(&E, 0, sizeof(E));
	pthread_mutex_init(&E.lock, NULL);
	E.state_fd = -1;
	E.listener.fd = E.listener.dirfd = -1;
	E.verbose = 1; /* a reload keeps the log level: quiet unless captured */
	log_open("eespd", true, LOG_LVL_ERROR - 1);
}

/* An eespd running the configuration text (keys: dom.keys's text or NULL). */
static inline void te_from(const char *keys, const char *text)
{
	te_init();
	tc_reset_keys(keys);
	te_start(tc_parse_ok(text, &E.conf, NULL));
}

static inline void te_stop(void)
{
	eespd_reap_all(&E);
	saverbs_free(&E);
	replay_tables_free(E.replay);
	spistate_free(E.spi);
	if (E.state_fd >= 0)
		close(E.state_fd);
	pthread_mutex_destroy(&E.lock);
	memset(&E, 0, sizeof(E));
}

/* credentials of control clients (ctl_peer_get fills these from the socket) */
static const struct ctl_peer TE_ROOT = {.known = true, .pid = 11, .uid = 0, .gid = 0};
static const struct ctl_peer TE_ADMIN = {
    .known = true, .pid = 12, .uid = 1000, .gid = 1000, .in_admin_group = true};
static const struct ctl_peer TE_CONTROL = {.known = true, .pid = 13, .uid = 1001, .gid = 1991};
static const struct ctl_peer TE_OTHER = {.known = true, .pid = 14, .uid = 1002, .gid = 1002};
/* SO_PEERCRED did not answer: whatever the fields say */
static const struct ctl_peer TE_UNKNOWN = {.known = false, .uid = 0, .gid = 0};

static char te_reply[65536];

/* The reply to request (len bytes, NUL bytes allowed) from peer, in
 * te_reply; its length. */
static inline size_t te_ask_n(const struct ctl_peer *peer, const char *request, size_t len)
{
	char *line = malloc(len + 1);
	size_t n = 0;
	cr_assert_not_null(line);
	memcpy(line, request, len);
	char *r = ctlverbs_answer(&E, peer, line, len, &n, NULL); /* never waits */
	free(line);
	cr_assert_not_null(r);
	cr_assert_lt(n, sizeof(te_reply));
	memcpy(te_reply, r, n);
	te_reply[n] = 0;
	cr_assert_eq(strlen(te_reply), n, "a NUL inside the reply");
	free(r);
	return n;
}

static inline const char *te_ask(const struct ctl_peer *peer, const char *request)
{
	te_ask_n(peer, request, strlen(request));
	return te_reply;
}

static inline bool te_starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The body of an "ok" reply (asserts it is one). */
static inline const char *te_ok(const struct ctl_peer *peer, const char *request)
{
	te_ask(peer, request);
	cr_assert(!strncmp(te_reply, "ok\n", 3), "%s: %s", request, te_reply);
	return te_reply + 3;
}

/* the fingerprint of a key of len bytes `byte` */
static inline void te_fingerprint(uint8_t byte, size_t len, char fp[17])
{
	uint8_t key[EESP_MAX_DATA_KEY_LEN > EESP_ROOT_KEY_LEN ? EESP_MAX_DATA_KEY_LEN
							      : EESP_ROOT_KEY_LEN];
	cr_assert_leq(len, sizeof(key));
	memset(key, byte, len);
	eesp_key_fingerprint(key, len, fp);
}

/* How the keys listing shows the root key of 32 bytes `byte` (testconf.h
 * keys): its text line (with the newline) or its JSON object. */
static inline const char *te_root_key(bool json, const char *level, unsigned id, const char *slot,
				      unsigned gen, uint8_t byte)
{
	static char out[256];
	char fp[17];
	te_fingerprint(byte, EESP_ROOT_KEY_LEN, fp);
	if (json)
		snprintf(out, sizeof(out),
			 "{\"level\":\"%s\",\"id\":%u,\"slot\":\"%s\",\"generation\":%u,"
			 "\"phase\":%u,\"fingerprint\":\"%s\"}",
			 level, id, slot, gen, gen % 4, fp);
	else
		snprintf(out, sizeof(out),
			 "key level %s id %u slot %s generation %u phase %u fingerprint %s\n",
			 level, id, slot, gen, gen % 4, fp);
	return out;
}

static inline unsigned te_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ------------------------------------------------------- log capture -- */

static int te_saved_stderr = -1, te_log_pipe = -1;

/* from now on the log (stderr) goes into a pipe (small logs only: a full
 * pipe drops the rest rather than block) */
static inline void te_log_begin(void)
{
	int p[2];
	fflush(stderr);
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
	cr_assert_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
	te_saved_stderr = dup(2);
	dup2(p[1], 2);
	close(p[1]);
	te_log_pipe = p[0];
	log_set_level(LOG_LVL_DEBUG);
}

/* the log since te_log_begin, in out */
static inline const char *te_log_end(char *out, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	log_set_level(LOG_LVL_ERROR - 1);
	fflush(stderr);
	dup2(te_saved_stderr, 2);
	close(te_saved_stderr);
	while (n + 1 < cap && (r = read(te_log_pipe, out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(te_log_pipe);
	return out;
}

#endif
