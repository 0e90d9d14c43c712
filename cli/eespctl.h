/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eespctl.h - the subcommand table and the helpers the subcommands share.
 *
 * One file per subcommand (as in wireguard-tools); each exports
 * <name>_main(argc, argv) with argv[0] = the subcommand name.
 * Exit codes: 0 success, 1 failure (bad input, key or verdict), 2 usage.
 */
#ifndef EESPCTL_H
#define EESPCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eesp_proto.h"
#include "keys.h"
#include "names.h"

#define PROG "eespctl"
#define EXIT_USAGE 2

extern const char *prog; /* "eespctl" */

int genkey_main(int argc, char *argv[]);
int fingerprint_main(int argc, char *argv[]);
int domain_main(int argc, char *argv[]);
int join_main(int argc, char *argv[]);
int key_main(int argc, char *argv[]);
int rotate_main(int argc, char *argv[]);
int retire_main(int argc, char *argv[]);
int derive_main(int argc, char *argv[]);
/* derive_pairkey.c: `derive pairkey`, its usage lines and its help paragraph */
int derive_pairkey_main(int argc, char *argv[]);
void derive_pairkey_usage(FILE *f);
void derive_pairkey_help(FILE *f);
int spialloc_main(int argc, char *argv[]);
int sa_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int status_main(int argc, char *argv[]);
int metrics_main(int argc, char *argv[]);
int reload_main(int argc, char *argv[]);
int keydir_main(int argc, char *argv[]);
int encrypt_main(int argc, char *argv[]);
int decrypt_main(int argc, char *argv[]);
int vectors_main(int argc, char *argv[]);
int iked_main(int argc, char *argv[]);

/* ------------------------------------------------------------ util.c -- */

void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool want_help(int argc, char *argv[]);

/* Exactly `len` bytes of hex (blanks around it allowed); 0 or -1. */
int hex_decode(const char *s, size_t slen, uint8_t *out, size_t len);
/* Any even number of hex digits up to cap bytes; returns bytes or -1. */
long hex_decode_var(const char *s, uint8_t *out, size_t cap);
void hex_encode(const uint8_t *in, size_t len, char *out);
void print_hex(FILE *f, const uint8_t *in, size_t len);

/* 0x-prefixed hex or decimal, whole string, 32 bits. */
int parse_u32(const char *s, uint32_t *v);
int parse_u64(const char *s, uint64_t *v);

/* JSON string with escapes. */
void json_str(FILE *f, const char *s);

/* ----------------------------------------------------------- files.c -- */

/* Read a whole file ("-" = stdin) into a NUL-terminated heap buffer. */
int read_file(const char *path, char **buf, size_t *len);
/* Same, but refuse a regular file that group or others may access. */
int read_secret_file(const char *path, char **buf, size_t *len);
/* Wipe and free a buffer read with read_*_file. */
void free_secret(char *buf, size_t len);
/* Write buf to path atomically (temp file + rename) with the given mode. */
int write_file_atomic(const char *path, const char *buf, size_t len, unsigned mode);

/* Parse a key file (mode checked unless it is stdin) into a new keyset. */
struct eesp_keyset *load_keys(const char *path);
/* Same, also returning the key file's `domain <spi>` line if it has one. */
struct eesp_keyset *load_keys_id(const char *path, bool *has_id, uint32_t *id);
/* The `domain <spi>` scope line of a key file, if there is one. */
bool keyfile_domain_id(const char *buf, uint32_t *spi);

/* ----------------------------------------------------------- words.c -- */

/* The words of names.h: parse_* take exactly the table's words (0, or -1
 * with a message naming the ones expected); *_name print them ("?" for a
 * value the table does not have). */
int parse_level(const char *s, enum eesp_level *level);
const char *level_name(enum eesp_level level);
/* s is a level's word (no message otherwise) */
bool is_level(const char *s);
int parse_profile(const char *s, unsigned *p);
const char *profile_name(unsigned p);
int parse_kdf(const char *s, unsigned *k);
const char *kdf_name(unsigned k);
int parse_suite(const char *s, unsigned *suite);
const char *suite_name(unsigned s);
int parse_mode(const char *s, enum eesp_mode *mode);
const char *mode_name(enum eesp_mode mode);
/* s is the word of mode (no message otherwise) */
bool is_mode(const char *s, enum eesp_mode mode);
const char *slot_name(enum eesp_gen_slot slot);
/* PSP version 0..3 by its AEAD, "aes-gcm-128" .. "aes-gmac-256" */
const char *psp_version_name(unsigned version);
/* "CMD: unknown mode 's' (expected eesp or psp)" if s is not a mode's word */
int parse_mode_arg(const char *cmd, const char *s, enum eesp_mode *mode);
/* "a|b|c": the words of t, for a usage line */
const char *word_choices(const struct eesp_name *t, char *buf, size_t cap);

/* ------------------------------------------------------ showfilter.c -- */

/* A show/counters body for people: without all, the zero counters (and
 * "latest_rx never") are left out and their number said at the end. */
void show_print(FILE *f, const char *body, bool all);

/* ------------------------------------------------------------- ctl.c -- */

#define EESPCTL_DEFAULT_SOCKET "/run/eespd/eesp0.sock"
#define EESPCTL_SOCKET_DIR "/run/eespd"

struct eesp_ctl_req;
/* Resolve "-s" / an interface name / $EESPCTL_SOCKET to a socket path. */
const char *ctl_socket_path(const char *arg, char *buf, size_t cap);
/* Send one request, read the whole reply.  Returns 0 with *body (heap) on
 * "ok", 1 on "error <msg>" (msg copied to errbuf), -1 on a transport error
 * (message in errbuf). */
int ctl_request(const char *sock, const struct eesp_ctl_req *req, char **body, char *errbuf,
		size_t errlen);
/* The same, waiting timeout_ms for the reply (sa wait). */
int ctl_request_timeout(const char *sock, const struct eesp_ctl_req *req, int timeout_ms,
			char **body, char *errbuf, size_t errlen);

/* --------------------------------------------------------- keyapply.c -- */

/* Before a key file change that the daemon at sock is to follow: does it
 * answer, and could its user read keyfile afterwards?  0, or 1 with the
 * reason and "nothing changed" reported. */
int keyapply_check(const char *sock, const char *keyfile);
/* After the change (changed: what it was, for messages): verb
 * (EESP_CTL_ROTATE or EESP_CTL_RETIRE of level/id, or EESP_CTL_RELOAD for
 * a reload only), then a reload.  0, or 1 with what was and was not
 * applied and the command that finishes it reported. */
int keyapply_tell(const char *sock, int verb, int level, uint32_t id, const char *keyfile,
		  const char *changed);

/* --------------------------------------- domain.c, domaindir.c, ... -- */

#define DOMAIN_KEYS "domain.keys"
#define DOMAIN_PSP_KEYS "psp.keys"
#define DOMAIN_CONF "eespd.conf"

/* Settings of a domain directory's eespd.conf skeleton (defaults if absent). */
struct domain_conf {
	enum eesp_mode mode;
	char key_file[4096];
	uint32_t id;
	bool has_id;
	unsigned profile, kdf, suite;
	uint32_t node_id, tenant, group, epoch;
	uint32_t spi_min, spi_max;
	unsigned crypt_offset;
	unsigned max_crypt_offset; /* receive policy, as eespd reads it (default 0) */
	unsigned spi_master;	   /* psp: master key spi-alloc uses */
};
/* domaindir.c: read the skeleton's settings (defaults if it is absent) */
int domain_conf_read(const char *dir, struct domain_conf *c);
/* Path of the key file of a domain directory (eesp or psp). */
int domain_key_path(const char *dir, char *out, size_t cap);
/* Serialise a keyset back to key-file text (root keys, psp masters). */
char *keyset_format(const struct eesp_keyset *ks, bool has_id, uint32_t id, const char *comment,
		    size_t *len);
/* The key-file line of an out-of-band key, without newline: `sa psp SPI KEY`
 * or `sa eesp SPI KEY SALT` (salt_hex ignored for psp).  Holds the key:
 * OPENSSL_cleanse it after use. */
#define SA_LINE_MAX 128
const char *sa_line(char buf[SA_LINE_MAX], enum eesp_mode mode, uint32_t spi, const char *key_hex,
		    const char *salt_hex);
/* domain_usage.c, domain_create.c, domain_show.c */
void domain_usage(FILE *f);
int domain_create(int argc, char *argv[]);
int domain_show(int argc, char *argv[]);

/* ---------------------------------------------------------- context.c -- */

/* EESP packet context from options (derive, encrypt, decrypt share them). */
struct ctx_opts {
	const char *dir, *keys, *phases;
	uint32_t spi, session, epoch, node, peer, tenant, group;
	bool has_spi, has_session, has_epoch, has_node, has_peer, has_tenant, has_group;
	unsigned profile, kdf, suite;
};

/* getopt_long entries for the context options (values CTX_OPT_BASE..). */
#define CTX_OPT_BASE 0x1000
#define CTX_LONG_OPTIONS                                                                           \
	{"domain", required_argument, NULL, CTX_OPT_BASE + 0},                                     \
	    {"keys", required_argument, NULL, CTX_OPT_BASE + 1},                                   \
	    {"spi", required_argument, NULL, CTX_OPT_BASE + 2},                                    \
	    {"session", required_argument, NULL, CTX_OPT_BASE + 3},                                \
	    {"profile", required_argument, NULL, CTX_OPT_BASE + 4},                                \
	    {"kdf", required_argument, NULL, CTX_OPT_BASE + 5},                                    \
	    {"suite", required_argument, NULL, CTX_OPT_BASE + 6},                                  \
	    {"epoch", required_argument, NULL, CTX_OPT_BASE + 7},                                  \
	    {"node", required_argument, NULL, CTX_OPT_BASE + 8},                                   \
	    {"peer-node", required_argument, NULL, CTX_OPT_BASE + 9},                              \
	    {"tenant", required_argument, NULL, CTX_OPT_BASE + 10},                                \
	    {"group", required_argument, NULL, CTX_OPT_BASE + 11},                                 \
	{                                                                                          \
		"phases", required_argument, NULL, CTX_OPT_BASE + 12                               \
	}

/* 1 handled, 0 not a context option, -1 bad value (reported). */
int ctx_opt(int c, const char *arg, struct ctx_opts *o);

struct eesp_hdr_params;
struct eesp_domain;
struct ctx_resolved {
	struct domain_conf dc;
	char key_path[4096];
	struct eesp_keyset *ks; /* owned */
	bool spi_known;		/* from --spi, the config or the key file */
};
/*
 * Load the keys (domain dir, key file, or stdin) and fill in defaults from
 * the domain's config.  With need_ctx, also build the header parameters p
 * (phases default to the current generations; sn = 1).  0 or -1 (reported).
 */
int ctx_resolve(struct ctx_opts *o, bool need_ctx, struct ctx_resolved *r,
		struct eesp_hdr_params *p);
void ctx_release(struct ctx_resolved *r);
/* Build p from the options and the domain settings; ks NULL (an out-of-band
 * data key) takes the phases from --phases or 0. */
int ctx_build(const struct ctx_opts *o, const struct domain_conf *dc, const struct eesp_keyset *ks,
	      const char *keys, struct eesp_hdr_params *p);

/* --------------------------------------------------------- pcaptool.c -- */

#include "pcapfile.h"

/* Options of `encrypt` and `decrypt` (both modes). */
struct xopts {
	enum eesp_mode mode;
	bool encrypt;
	struct ctx_opts ctx;   /* --domain/--keys/--spi and the EESP context */
	const char *data_key;  /* --data-key FILE|-: out-of-band data key (+ salt) */
	unsigned version;      /* PSP 0..3 */
	bool has_version;      /* --version given */
	bool transport;	       /* PSP transport mode (default tunnel) */
	unsigned crypt_offset; /* 4-byte units */
	bool vc;	       /* PSP virtualization cookie present */
	uint64_t vc_value;
	uint64_t first_iv; /* PSP IV / EESP SN of the first packet */
	bool psp_compat;   /* reference sport, zero checksum, snaplen 9014 */
	bool has_sport;
	uint16_t sport, dport;
	bool zero_csum;
	uint32_t snaplen;
	bool corrupt; /* flip a bit after sealing (a packet that must fail) */
	bool has_outer_src, has_outer_dst;
	int outer_family_src, outer_family_dst;
	uint8_t outer_src[16], outer_dst[16];
	bool json, quiet;
	uint32_t epoch_now, epoch_window;
	unsigned max_crypt_offset; /* decrypt: --max-crypt-offset, else the domain's */
	bool has_max_crypt_offset;
	const char *in, *out;
};

int xopts_parse(int argc, char *argv[], struct xopts *o, void (*usage)(FILE *));

struct pcap_in {
	char *buf;
	size_t len;
	struct pcap_reader r;
};
int pcap_in_open(const char *path, struct pcap_in *in);
void pcap_in_close(struct pcap_in *in);
int pcap_out_write(const char *path, const struct pcap_writer *w);
uint32_t xsnaplen(const struct xopts *o, const struct pcap_in *in);

/* Data key for PSP SPI: --data-key, an `sa psp` line of the key file (which
 * also sets the version unless --version was given), or derived from the
 * master key SPI bit 31 selects. */
int psp_tx_key(struct xopts *o, uint32_t spi, uint8_t key[32], size_t *klen);
/* Datagram length S of a GSO train in a UDP payload (eesp_proto.h, with the
 * minimum datagram of the mode's first header), or len for one datagram. */
size_t x_train_stride(const struct xopts *o, const uint8_t *p, size_t len);
/* UDP source port for an inner flow (frame view of the inner packet). */
uint16_t flow_sport(const struct frame_view *v, bool psp_compat);

#endif /* EESPCTL_H */
