// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pcaptool.c - what `encrypt` and `decrypt` share: their options, pcap
 * files in and out (parsed and written by the core's pcapfile.h), the PSP
 * data key for an SPI, and the outer UDP source port.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "hash.h"
#include "kdf.h"

enum {
	O_DATA_KEY = 0x2000,
	O_VERSION,
	O_TRANSPORT,
	O_TUNNEL,
	O_CRYPT_OFFSET,
	O_VC,
	O_VC_VALUE,
	O_IV,
	O_PSP_COMPAT,
	O_SPORT,
	O_DPORT,
	O_ZERO_CSUM,
	O_SNAPLEN,
	O_CORRUPT,
	O_OUTER_SRC,
	O_OUTER_DST,
	O_JSON,
	O_QUIET,
	O_EPOCH_NOW,
	O_EPOCH_WINDOW,
	O_MAX_CO,
	O_HELP,
};

static int parse_addr(const char *s, uint8_t out[16], int *family)
{
	if (inet_pton(AF_INET, s, out) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = 6;
		return 0;
	}
	err("bad IP address '%s'", s);
	return -1;
}

int xopts_parse(int argc, char *argv[], struct xopts *o, void (*usage)(FILE *))
{
	static const struct option opts[] = {
	    CTX_LONG_OPTIONS,
	    {"data-key", required_argument, NULL, O_DATA_KEY},
	    {"version", required_argument, NULL, O_VERSION},
	    {"transport", no_argument, NULL, O_TRANSPORT},
	    {"tunnel", no_argument, NULL, O_TUNNEL},
	    {"crypt-offset", required_argument, NULL, O_CRYPT_OFFSET},
	    {"vc", no_argument, NULL, O_VC},
	    {"vc-value", required_argument, NULL, O_VC_VALUE},
	    {"iv", required_argument, NULL, O_IV},
	    {"sn", required_argument, NULL, O_IV},
	    {"psp-compat", no_argument, NULL, O_PSP_COMPAT},
	    {"sport", required_argument, NULL, O_SPORT},
	    {"dport", required_argument, NULL, O_DPORT},
	    {"port", required_argument, NULL, O_DPORT},
	    {"zero-csum", no_argument, NULL, O_ZERO_CSUM},
	    {"snaplen", required_argument, NULL, O_SNAPLEN},
	    {"corrupt", no_argument, NULL, O_CORRUPT},
	    {"outer-src", required_argument, NULL, O_OUTER_SRC},
	    {"outer-dst", required_argument, NULL, O_OUTER_DST},
	    {"json", no_argument, NULL, O_JSON},
	    {"quiet", no_argument, NULL, O_QUIET},
	    {"epoch-now", required_argument, NULL, O_EPOCH_NOW},
	    {"epoch-window", required_argument, NULL, O_EPOCH_WINDOW},
	    {"max-crypt-offset", required_argument, NULL, O_MAX_CO},
	    {"help", no_argument, NULL, O_HELP},
	    {NULL, 0, NULL, 0}};
	int c;
	uint32_t v;
	uint64_t v64;
	bool enc = o->encrypt;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (parse_mode_arg(argv[0], argv[1], &o->mode)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	o->first_iv = 1;
	o->dport = o->mode == EESP_MODE_PSP ? PSP_UDP_PORT : EESP_UDP_PORT;
	o->epoch_window = UINT32_MAX;
	o->max_crypt_offset = 0; /* eespd's default; decrypt takes the domain's */
	o->version = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		int h = ctx_opt(c, optarg, &o->ctx);
		if (h < 0)
			return EXIT_USAGE;
		if (h) {
			if (o->mode == EESP_MODE_PSP && c != CTX_OPT_BASE + 1 &&
			    c != CTX_OPT_BASE + 0 && c != CTX_OPT_BASE + 2) {
				err("--%s is an eesp-mode option", opts[c - CTX_OPT_BASE].name);
				return EXIT_USAGE;
			}
			continue;
		}
		switch (c) {
		case O_DATA_KEY:
			o->data_key = optarg;
			break;
		case O_VERSION:
			if (parse_u32(optarg, &v) || v > PSP_VER_MAX) {
				err("--version: PSP version 0 (AES-GCM-128), 1 (AES-GCM-256), 2 "
				    "(AES-GMAC-128) or 3 (AES-GMAC-256), got '%s'",
				    optarg);
				return EXIT_USAGE;
			}
			o->version = v;
			o->has_version = true;
			break;
		case O_TRANSPORT:
		case O_TUNNEL:
			if (o->mode != EESP_MODE_PSP && c == O_TRANSPORT) {
				err("--transport: eesp mode carries whole IP packets (tunnel mode "
				    "only)");
				return EXIT_USAGE;
			}
			o->transport = c == O_TRANSPORT;
			break;
		case O_CRYPT_OFFSET:
			if (parse_u32(optarg, &v) || v > 63) {
				err("--crypt-offset: 0-63 (4-byte units), got '%s'", optarg);
				return EXIT_USAGE;
			}
			o->crypt_offset = v;
			break;
		case O_VC:
		case O_VC_VALUE:
			if (o->mode != EESP_MODE_PSP) {
				err("--vc: the virtualization cookie is a PSP field");
				return EXIT_USAGE;
			}
			o->vc = true;
			if (c == O_VC_VALUE && parse_u64(optarg, &o->vc_value)) {
				err("--vc-value: a 64-bit number, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_IV:
			/* 0 and 2^64-1 are never sent (eesp_proto.h EESP_SN_MAX) */
			if (parse_u64(optarg, &v64) || !v64 || v64 > EESP_SN_MAX) {
				err("--iv/--sn: 1 to 2^64-2 (%llu), got '%s'",
				    (unsigned long long)EESP_SN_MAX, optarg);
				return EXIT_USAGE;
			}
			o->first_iv = v64;
			break;
		case O_PSP_COMPAT:
			o->psp_compat = true;
			o->zero_csum = true;
			break;
		case O_SPORT:
		case O_DPORT:
			if (parse_u32(optarg, &v) || v > 65535 || (c == O_DPORT && !v)) {
				err("--%s: a UDP port, got '%s'", c == O_SPORT ? "sport" : "dport",
				    optarg);
				return EXIT_USAGE;
			}
			if (c == O_SPORT) {
				o->sport = (uint16_t)v;
				o->has_sport = true;
			} else {
				o->dport = (uint16_t)v;
			}
			break;
		case O_ZERO_CSUM:
			o->zero_csum = true;
			break;
		case O_SNAPLEN:
			if (parse_u32(optarg, &v) || v < 64 || v > PCAP_MAX_SNAPLEN) {
				err("--snaplen: 64-%u, got '%s'", PCAP_MAX_SNAPLEN, optarg);
				return EXIT_USAGE;
			}
			o->snaplen = v;
			break;
		case O_CORRUPT:
			o->corrupt = true;
			break;
		case O_OUTER_SRC:
			if (parse_addr(optarg, o->outer_src, &o->outer_family_src))
				return EXIT_USAGE;
			o->has_outer_src = true;
			break;
		case O_OUTER_DST:
			if (parse_addr(optarg, o->outer_dst, &o->outer_family_dst))
				return EXIT_USAGE;
			o->has_outer_dst = true;
			break;
		case O_JSON:
			o->json = true;
			break;
		case 'q':
		case O_QUIET:
			o->quiet = true;
			break;
		case O_EPOCH_NOW:
			if (parse_u32(optarg, &o->epoch_now)) {
				err("--epoch-now: a 32-bit number, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_EPOCH_WINDOW:
			if (parse_u32(optarg, &o->epoch_window)) {
				err("--epoch-window: a 32-bit number, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case O_MAX_CO:
			if (parse_u32(optarg, &v) || v > 63) {
				err("--max-crypt-offset: 0-63, got '%s'", optarg);
				return EXIT_USAGE;
			}
			o->max_crypt_offset = v;
			o->has_max_crypt_offset = true;
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (enc ? optind != argc - 2 : (optind != argc - 1 && optind != argc - 2)) {
		err("%s: expected %s", argv[-1], enc ? "IN.pcap OUT.pcap" : "IN.pcap [OUT.pcap]");
		usage(stderr);
		return EXIT_USAGE;
	}
	o->in = argv[optind];
	o->out = optind + 1 < argc ? argv[optind + 1] : NULL;
	if (o->transport && (o->has_outer_src || o->has_outer_dst)) {
		err("--outer-src/--outer-dst: transport mode keeps the packet's own IP header");
		return EXIT_USAGE;
	}
	if (o->has_outer_src && o->has_outer_dst && o->outer_family_src != o->outer_family_dst) {
		err("--outer-src and --outer-dst must be of the same address family");
		return EXIT_USAGE;
	}
	if (enc && o->mode == EESP_MODE_PSP && psp_version_is_gmac(o->version) && o->crypt_offset) {
		err("--crypt-offset: PSP version %u (%s) encrypts nothing; its Crypt Offset is 0",
		    o->version, psp_version_name(o->version));
		return EXIT_USAGE;
	}
	if (enc && o->mode == EESP_MODE_PSP && !o->ctx.has_spi && !o->data_key) {
		err("encrypt psp: --spi is required");
		return EXIT_USAGE;
	}
	return -1; /* go on */
}

int pcap_in_open(const char *path, struct pcap_in *in)
{
	memset(in, 0, sizeof(*in));
	if (read_file(path, &in->buf, &in->len))
		return -1;
	if (pcap_reader_init(&in->r, (const uint8_t *)in->buf, in->len)) {
		err("%s: not a pcap file (or an unsupported pcap version)", path);
		free(in->buf);
		in->buf = NULL;
		return -1;
	}
	if (in->r.linktype != PCAP_LINKTYPE_ETHERNET && in->r.linktype != PCAP_LINKTYPE_RAW) {
		err("%s: link type %u not supported (Ethernet or raw IP)", path, in->r.linktype);
		free(in->buf);
		in->buf = NULL;
		return -1;
	}
	return 0;
}

void pcap_in_close(struct pcap_in *in)
{
	free(in->buf);
	in->buf = NULL;
}

int pcap_out_write(const char *path, const struct pcap_writer *w)
{
	FILE *f;
	if (!strcmp(path, "-")) {
		if (fwrite(w->buf, 1, w->len, stdout) != w->len || fflush(stdout)) {
			err("writing stdout: %s", strerror(errno));
			return -1;
		}
		return 0;
	}
	f = fopen(path, "wb");
	if (!f) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fwrite(w->buf, 1, w->len, f) != w->len || fclose(f)) {
		err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

uint32_t xsnaplen(const struct xopts *o, const struct pcap_in *in)
{
	if (o->snaplen)
		return o->snaplen;
	if (o->psp_compat)
		return 9014; /* what the PSP reference writes */
	return in->r.snaplen > 65535 ? in->r.snaplen : 65535;
}

int psp_tx_key(struct xopts *o, uint32_t spi, uint8_t key[32], size_t *klen)
{
	if (o->data_key) {
		size_t want = psp_version_key_len(o->version);
		char *buf;
		size_t len;
		if (read_secret_file(o->data_key, &buf, &len))
			return -1;
		int bad = hex_decode(buf, len, key, want);
		free_secret(buf, len);
		if (bad) {
			err("--data-key: expected a %zu-byte PSP v%u data key (%zu hex digits)",
			    want, o->version, 2 * want);
			return -1;
		}
		*klen = want;
		return 0;
	}
	size_t want = psp_version_key_len(o->version);
	struct ctx_opts co = o->ctx;
	struct ctx_resolved r;
	if (ctx_resolve(&co, false, &r, NULL))
		return -1;
	const struct eesp_sa_key *sa = eesp_keyset_sa(r.ks, true, spi);
	if (sa) {
		/* a 16-byte key is v0 or v2, a 32-byte one v1 or v3: without
		 * --version, AES-GCM */
		if (!o->has_version)
			o->version = sa->key_len == 32 ? PSP_VER_AES_GCM_256 : PSP_VER_AES_GCM_128;
		if (sa->key_len != psp_version_key_len(o->version)) {
			err("sa psp 0x%08x in %s is a %u-byte key: not PSP version %u", spi,
			    r.key_path[0] ? r.key_path : "stdin", sa->key_len, o->version);
			ctx_release(&r);
			return -1;
		}
		memcpy(key, sa->key, sa->key_len);
		*klen = sa->key_len;
		ctx_release(&r);
		return 0;
	}
	unsigned sel = spi >> 31;
	if (!r.ks->has_psp[sel]) {
		err("no PSP master key %u (selected by SPI bit 31 of 0x%08x) in %s", sel, spi,
		    r.key_path[0] ? r.key_path : "stdin");
		ctx_release(&r);
		return -1;
	}
	struct eesp_kdf_ctx *k = eesp_kdf_ctx_new();
	int rc = k ? psp_derive_key(k, r.ks->psp_master[sel], spi, o->version, key) : -1;
	eesp_kdf_ctx_free(k);
	ctx_release(&r);
	if (rc) {
		err("PSP key derivation failed");
		return -1;
	}
	*klen = want;
	return 0;
}

size_t x_train_stride(const struct xopts *o, const uint8_t *p, size_t len)
{
	size_t min =
	    o->mode == EESP_MODE_PSP ? psp_train_min_dgram(p, len) : eesp_train_min_dgram(p, len);
	return eesp_train_stride(p, len, min);
}

uint16_t flow_sport(const struct frame_view *v, bool psp_compat)
{
	bool ports = v->proto == 6 || v->proto == 17;
	if (psp_compat) /* the reference: inner sport XOR dport, else 1000 */
		return ports ? (uint16_t)(v->sport ^ v->dport) : PSP_UDP_PORT;
	/* FNV-1a of the inner 5-tuple into 49152-65535: stable per flow */
	size_t alen = v->family == 4 ? 4 : 16;
	uint8_t t[40 + 5];
	size_t n = 0;
	memcpy(t + n, v->src, alen);
	n += alen;
	memcpy(t + n, v->dst, alen);
	n += alen;
	t[n++] = v->proto;
	t[n++] = ports ? (uint8_t)(v->sport >> 8) : 0;
	t[n++] = ports ? (uint8_t)v->sport : 0;
	t[n++] = ports ? (uint8_t)(v->dport >> 8) : 0;
	t[n++] = ports ? (uint8_t)v->dport : 0;
	uint32_t h = eesp_fnv1a32(t, n);
	return (uint16_t)(49152 + (h ^ (h >> 16)) % 16384);
}
