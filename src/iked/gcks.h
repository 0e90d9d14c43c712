/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gcks.h - eesp-iked as a domain key server (a GCKS in RFC 9838's words)
 * and as its member (ike_gcks.h has the octets).
 *
 * Server (gcks.c, gcks_exch.c): holds the trust domain's rings (domain,
 * tenant and group roots, each with previous/current/next) read from the
 * gcks key_file or key_dir at start.  A peer with a `member` group that
 * has an established IKE SA registers with GSA_REGISTRATION and gets the
 * rings it is entitled to; every change of a ring is pushed to every
 * registered member entitled to it with GSA_INBAND_REKEY on its IKE SA
 * (Message IDs: a replayed or reordered push is dropped by input.c as any
 * IKE request; each push carries the rings whole, so it is idempotent).
 *
 *   rotate:  a ring without next gets a fresh next, pushed; once every
 *            member answered (or ack_timeout_ms), switch: next becomes
 *            current, a fresh next; after `grace` s the previous one goes.
 *   remove:  the member is refused from now on and its IKE SAs deleted;
 *            each ring it held gets a fresh next (the old next, which it
 *            knows, is dropped unused), then switches as above, and after
 *            `grace` s the previous generation, the last one it knew, goes.
 *
 * Member (member.c): registers when its IKE SA with the `key_server` peer
 * comes up (again after every loss or restart: it catches up), and
 * installs each ring it receives into its eespd with root-set (eespd(8)),
 * all generations of a ring in one call.
 *
 * What the server serves persists (gcks_state.c, gcks.state_file): every
 * change is written before it is pushed, and a restart serves the state
 * file's rings (unless the key set's are newer) and refuses the removed
 * members it names.
 */
#ifndef IKED_GCKS_H
#define IKED_GCKS_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

struct iked_engine;
struct ike_sa;
struct ike_msg;
struct ike_chain;
struct iked_conf;
struct eesp_keyset;

/* per configured peer (struct peer_state) */
struct gcks_peer {
	/* server side: the peer is a member of ours */
	bool registered;      /* it registered (on its current IKE SA) */
	bool removed;	      /* removed by the control socket: refused */
	bool pending;	      /* a push is wanted */
	uint64_t sent, acked; /* server serial of the last push sent / answered */
	/* member side: the peer is our key server */
	bool joined;	   /* our registration was answered with rings */
	uint64_t applied;  /* pushes applied */
	int64_t retry_ms;  /* register again then (our eespd failed), 0: no */
	char eespd_fp[17]; /* root-set's answer for the first ring (eesp_key_fingerprint) */
	int64_t check_ms;  /* look for it in our eespd's keys then, 0: no */
};

/* ------------------------------------------------------------ gcks.c */

/* Read the gcks key file or directory as reader (uid, gid); 0 with *out
 * (eesp_keyset_free it), or -1 with err ("file:line: problem"). */
int gcks_load(const struct iked_conf *c, unsigned reader_uid, unsigned reader_gid,
	      struct eesp_keyset **out, char *err, size_t el);
/* Serve the rings of ks (copied); 0 or -1 with err. */
int gcks_attach(struct iked_engine *e, const struct eesp_keyset *ks, char *err, size_t el);
/* Serve the rings of ks, then those of the state file's text (len 0: no
 * state file yet) over them, then ks again where it is newer (as
 * gcks_reload), and write the state; 0 or -1 with err (file:line). */
int gcks_start(struct iked_engine *e, const struct eesp_keyset *ks, const char *state, size_t len,
	       char *err, size_t el);
/* The key file or directory read again (SIGHUP, gcks-reload): each ring
 * that differs replaces ours (a step under way is dropped) and is pushed,
 * except a ring whose current generation we made (a rotation, a removal):
 * that one only by a ring whose current generation is above ours;
 * a ring the set no longer holds is served no more.  Two servers reading
 * one key directory so serve the same generations.  How many rings
 * changed, or -1 with err. */
int gcks_reload(struct iked_engine *e, const struct eesp_keyset *ks, char *err, size_t el);
void gcks_free(struct iked_engine *e);

/* Control verbs: start a rotation of a ring / remove a member. */
int gcks_rotate(struct iked_engine *e, int level, uint32_t id, char *err, size_t el);
int gcks_remove(struct iked_engine *e, const char *peer, char *err, size_t el);
/* The rings (generations, fingerprints, the step under way) and members. */
void gcks_report(struct iked_engine *e, struct strbuf *b, bool json);

/* Timers of the ring steps; the next due time (0: none). */
int64_t gcks_due_ms(const struct iked_engine *e);
void gcks_timers(struct iked_engine *e);

/* --------------------------------------------------------- gcks_exch.c */

void gcks_established(struct iked_engine *e, struct ike_sa *sa);
/* The member's IKE SA was rekeyed into sa: an unanswered push goes again. */
void gcks_rekeyed(struct iked_engine *e, struct ike_sa *sa);
void gcks_register_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		      const struct ike_chain *in);
int gcks_push_start(struct iked_engine *e, struct ike_sa *sa);
void gcks_push_response_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_chain *in);
/* Ring idx changed: push it to the members entitled to it. */
void gcks_ring_changed(struct iked_engine *e, unsigned idx);
/* Have all live registered members entitled to ring idx answered a push
 * of serial `serial` or later? */
bool gcks_ring_acked(const struct iked_engine *e, unsigned idx, uint64_t serial);

/* ----------------------------------------------------------- member.c */

void member_established(struct iked_engine *e, struct ike_sa *sa);
int member_register_start(struct iked_engine *e, struct ike_sa *sa);
void member_register_response_in(struct iked_engine *e, struct ike_sa *sa,
				 const struct ike_chain *in);
/* Registrations to retry (our eespd did not take the rings); the next due
 * time, 0 for none. */
int64_t member_timers(struct iked_engine *e);
int64_t member_due_ms(const struct iked_engine *e);
void member_push_in(struct iked_engine *e, struct ike_sa *sa, const struct ike_msg *m,
		    const struct ike_chain *in);

#endif /* IKED_GCKS_H */
