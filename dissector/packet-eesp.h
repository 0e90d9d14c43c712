/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp.h - what the files of the eesp Wireshark plugin share.  Private
 * to dissector/: eesp.so is built with -fvisibility=hidden, so nothing here
 * is exported; the only exported symbols are the four of plugin.c.
 *
 *   plugin.c               the entry point Wireshark looks up
 *   packet-eesp.c          protocol eesp: registration, UDP port, heuristic, PDU
 *   packet-eesp-options.c  the EESP options area and the stateless context
 *   packet-eesp-payload.c  a decrypted EESP payload: results, PIH, inner packet
 *   packet-psp.c           protocol psp
 *   eesp-common.c          shared by both: GSO trains, inner hand-off, names
 *   eesp-keys.c            preferences, key table (UAT), key files, key lookup
 *   eesp-decrypt.c         key derivation, AES-GCM (libgcrypt), key search
 *
 * The wire format and every KDF input come from ../src/core/eesp_proto.h and
 * every protocol word (profile, KDF, suite, level, mode, PSP version) from
 * ../src/core/names.h, the headers the daemon uses; only the primitives
 * differ (libgcrypt here, OpenSSL in the core).
 */
#ifndef PACKET_EESP_H
#define PACKET_EESP_H

#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>

#include "../src/core/eesp_proto.h"
#include "../src/core/names.h"

/* ------------------------------------------------ plugin.c entry points -- */

void proto_register_eesp(void);
void proto_reg_handoff_eesp(void);
void proto_register_psp(void);
void proto_reg_handoff_psp(void);

/* ----------------------------------------------------- eesp-common.c -- */

/* One datagram: datagram idx (1-based) of a GSO train of n (n = 1: alone). */
typedef int (*eesp_pdu_fn)(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint idx, guint n);

/* Registers the GSO train fields of one mode (eesp.train.*, psp.train.*). */
void eesp_train_register(int proto, enum eesp_mode mode);
/* Splits a UDP payload into the datagrams of a train and dissects each. */
int eesp_dissect_train(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, enum eesp_mode mode,
		       eesp_pdu_fn pdu);
/* Marks the protocol item of datagram idx of n (n > 1) as part of a train. */
void eesp_train_mark(tvbuff_t *tvb, proto_item *ti, proto_tree *t, enum eesp_mode mode, guint idx,
		     guint n);

/* Looks up the IP dissectors (from the handoff of proto). */
void eesp_inner_handoff(int proto);
/* Hands a decrypted inner packet on: to "ip" by its version nibble, or by
 * the IP protocol number nh. */
void eesp_dissect_inner(tvbuff_t *inner, packet_info *pinfo, proto_tree *tree, guint nh,
			gboolean by_version);

/* Fills out (G_N_ELEMENTS(t) entries) from a names.h table, so value_strings
 * show the words of the table.  out keeps pointers into t. */
void eesp_vals_from_names(value_string *out, const struct eesp_name *t);
/* The words of names.h ("?" for a value without one), for messages. */
const char *eesp_profile_word(guint profile);
const char *eesp_level_word(guint level);
const char *eesp_mode_word(enum eesp_mode mode);

/* --------------------------------------------- packet-eesp-options.c -- */

/* What the options area says (the Crypt Offset offsets in 4-byte units). */
struct eesp_opts {
	gboolean bad; /* a receiver drops the packet */
	gboolean has_co;
	guint po, co;
	gboolean sctx_found;
	struct eesp_sctx sctx;
	guint sctx_off, sctx_len; /* the option data, as on the wire */
};

void eesp_options_register(int proto);
/* Options of the datagram in tvb into et.  FALSE if Opt Len runs past the
 * end of the packet (nothing more can be shown). */
gboolean eesp_dissect_options(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, proto_tree *et,
			      guint optlen, struct eesp_opts *o);
/* The heuristic: EESP with a valid stateless context option? */
gboolean eesp_looks_valid(tvbuff_t *tvb);

/* ----------------------------------------------------- packet-eesp.c -- */

extern int proto_eesp;
extern expert_field ei_eesp_no_key;
extern expert_field ei_eesp_unknown_generation;
extern expert_field ei_eesp_auth_failed;
extern expert_field ei_eesp_malformed;
extern expert_field ei_eesp_decrypted;

/* --------------------------------------------- packet-eesp-payload.c -- */

/* Where the parts of one EESP datagram are, and its tree. */
struct eesp_layout {
	guint hdr_len; /* base header, options, peer header */
	guint ct_off;  /* start of the ciphertext */
	gboolean has_co;
	guint co;		    /* Crypt Offset, 4-byte units */
	proto_item *ti, *tail_item; /* the protocol item; the encrypted payload */
	proto_tree *et;		    /* the protocol subtree */
};

struct eesp_pkt; /* eesp-decrypt.c, below */

void eesp_payload_register(int proto);
/* The Payload Info Header at off (full format). */
void eesp_add_pih(tvbuff_t *tvb, proto_tree *t, guint off);
/* Decrypts p (or says why not), shows the keys used and the decrypted
 * payload, and hands the inner packet on. */
void eesp_dissect_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
			  const struct eesp_layout *l, struct eesp_pkt *p);

/* ------------------------------------------------------- eesp-keys.c -- */

enum ekey_kind { EKEY_ROOT, EKEY_PSP_MASTER, EKEY_SA_EESP, EKEY_SA_PSP };

typedef struct {
	enum ekey_kind kind;
	gboolean any_domain; /* root key given before any "domain" line */
	guint32 domain;	     /* domain id (= SPI of profiles node/pair/tenant) */
	guint level;	     /* EESP_LEVEL_* (roots); 0/1 for PSP masters */
	guint32 id;	     /* tenant / group id */
	guint32 generation;
	guint32 spi; /* SA keys */
	guint8 key[32];
	guint key_len;
	guint8 salt[EESP_SALT_LEN];
	const char *source; /* "keyfile" or "UAT" (static strings) */
} ekey_t;

/* The key file preference and the key table, in the eesp module m. */
void eesp_keys_register(module_t *m);
/* Preferences changed: reload the keys before the next dissection. */
void eesp_keys_mark_dirty(void);
guint eesp_keys_count(void);
const ekey_t *eesp_keys_at(guint i);
/* Is key i the first domain root of its domain scope? */
gboolean eesp_keys_first_of_scope(guint i);
/* Up to cap roots of one level in the scope of domain root dom whose
 * generation has the given phase (and, for tenant/group, the given id);
 * *any_gen tells whether the level has roots of any generation. */
guint eesp_keys_roots(const ekey_t *dom, guint level, guint32 id, guint phase, const ekey_t **out,
		      guint cap, gboolean *any_gen);

/* ---------------------------------------------------- eesp-decrypt.c -- */

/* Ordered: the most telling failure is the one reported. */
enum try_result { TRY_NONE, TRY_NO_KEY, TRY_UNKNOWN_GEN, TRY_AUTH_FAILED, TRY_OK };

/* An EESP datagram to open, and (TRY_OK) the key that opened it. */
struct eesp_pkt {
	guint32 spi;
	guint16 session_id;
	struct eesp_sctx sctx;
	const guint8 *sctx_data;
	size_t sctx_len;
	guint64 sn;
	const guint8 *aad;
	size_t aad_len;
	const guint8 *ct;
	size_t ct_len;
	const guint8 *tag;
	/* result */
	guint8 key[32];
	size_t key_len;
	guint8 salt[EESP_SALT_LEN];
	const char *source;
	gchar *info;   /* which roots were used (pinfo->pool) */
	gchar *reason; /* why no key (pinfo->pool) */
};

/* Tries every key that may open p; pt gets ct_len bytes of plaintext. */
enum try_result eesp_decrypt(packet_info *pinfo, struct eesp_pkt *p, guint8 *pt);

/* A PSP datagram to open, and (TRY_OK) the key that opened it. */
struct psp_pkt {
	guint32 spi;
	guint version;
	const guint8 *nonce; /* SPI || IV, 12 bytes */
	const guint8 *aad;
	size_t aad_len;
	const guint8 *ct;
	size_t ct_len;
	const guint8 *tag;
	/* result */
	guint8 key[32];
	size_t key_len;
	const char *source;
	const char *how; /* "out-of-band SA key", "master key 0" or "master key 1" */
};

/* The source of downloaded keys (compared by pointer). */
extern const char EESP_SOURCE_KD[];
/* A PSP SA key learned from a Key Download payload (packet-eesp-ike.c),
 * tried like an out-of-band SA key until the capture file is closed. */
void eesp_keys_add_downloaded(guint32 spi, const guint8 *key, guint key_len);

/* SA keys of the SPI first, then the master key its bit 31 selects:
 * TRY_OK, TRY_AUTH_FAILED (a key was tried) or TRY_NO_KEY. */
enum try_result psp_decrypt(struct psp_pkt *p, guint8 *pt);

#endif /* PACKET_EESP_H */
