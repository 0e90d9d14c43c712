/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eesp_proto.h - the wire format, said once.
 *
 * Crypto-agnostic layouts, constants, labels and the construction of every
 * KDF input.  Header-only and free of OpenSSL so that the core, the CLI, the
 * daemon and the Wireshark plugin (which uses libgcrypt) share one copy of the
 * rules.  man/eesp.7 is the prose version of this file; keep them in step.
 *
 * Choices marked [ours] are defined by this project (seed 000 leaves the
 * stateless scheme "TBD"); everything else comes from draft-ietf-ipsecme-eesp-04
 * or the PSP Architecture Specification.
 */
#ifndef EESP_PROTO_H
#define EESP_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------- PSP -- */

#define PSP_UDP_PORT 1000
#define PSP_HDR_LEN 16 /* NH, HdrExtLen, CryptOff, flags, SPI, IV */
#define PSP_VC_LEN 8   /* virtualization cookie, present iff V = 1 */
#define PSP_ICV_LEN 16
#define PSP_HDR_EXT_LEN_MIN 1	  /* 16-byte header */
#define PSP_HDR_EXT_LEN_WITH_VC 2 /* 24-byte header */
#define PSP_CRYPT_OFFSET_MASK 0x3f
#define PSP_CRYPT_OFFSET_UNITS 4
#define PSP_CRYPT_OFFSET_MAX 63
#define PSP_FLAG_S 0x80
#define PSP_FLAG_D 0x40
#define PSP_VER_SHIFT 2
#define PSP_VER_MASK 0x0f
#define PSP_FLAG_V 0x02
#define PSP_ALWAYS_1 0x01
#define PSP_SPI_KEY_SELECTOR 0x80000000u
#define PSP_VER_AES_GCM_128 0
#define PSP_VER_AES_GCM_256 1
/* AES-GMAC (integrity only): the payload travels in clear, the whole PSP
 * packet before the ICV is the AAD of a GCM with an empty plaintext, and the
 * Crypt Offset must be 0 (eesp.7 "PSP versions 2 and 3") */
#define PSP_VER_AES_GMAC_128 2
#define PSP_VER_AES_GMAC_256 3
#define PSP_VER_MAX PSP_VER_AES_GMAC_256 /* 4..15 are reserved: bad_version */
#define PSP_MASTER_KEY_LEN 32

/* Data-key length of a PSP version: 16 (v0, v2), 32 (v1, v3), as the Linux
 * kernel's psp_key_size(); 0 for a reserved version. */
static inline size_t psp_version_key_len(unsigned version)
{
	switch (version) {
	case PSP_VER_AES_GCM_128:
	case PSP_VER_AES_GMAC_128:
		return 16;
	case PSP_VER_AES_GCM_256:
	case PSP_VER_AES_GMAC_256:
		return 32;
	default:
		return 0;
	}
}

/* Versions 2 and 3: authenticated, not encrypted. */
static inline bool psp_version_is_gmac(unsigned version)
{
	return version == PSP_VER_AES_GMAC_128 || version == PSP_VER_AES_GMAC_256;
}

/*
 * KDF label: "Pv" || 0x30 + version || 0x00, 4 bytes (psp.md §2): "Pv0",
 * "Pv1" as the specification gives them, and [ours, where the specification
 * is silent] "Pv2"/"Pv3" for the GMAC versions, the version OR-ed into the
 * label as for v0/v1, so that a key derived for one version never serves
 * another (eesp.7 "PSP versions 2 and 3" says why).
 */
#define PSP_KDF_LABEL_LEN 4
static inline void psp_kdf_label(uint8_t out[4], unsigned version)
{
	out[0] = 'P';
	out[1] = 'v';
	out[2] = (uint8_t)(0x30 | version);
	out[3] = 0;
}

/* --------------------------------------------------------------- EESP -- */

#define EESP_UDP_PORT 4500
#define EESP_BASE_LEN 8 /* 1|Version(4)|R(3), Opt Len, Session ID, SPI */
#define EESP_PEER_LEN 8 /* 64-bit sequence number, also the IV (IIV) [ours: always present] */
/* [ours] The SNs of a Session ID are 1 .. 2^64-2: neither 0 (seq_zero) nor
 * 2^64-1 (seq_max) is ever sent, and receivers drop both before any key
 * derivation.  A sender that has sent 2^64-2 stops sending with that Session
 * ID; the counter never wraps.  PSP senders keep the same range for their IV
 * (receivers accept every PSP IV, as PSP does). */
#define EESP_SN_MAX (UINT64_MAX - 1)
#define EESP_PIH_LEN 4	/* Payload Info Header (full format only) */
/*
 * Payload Info Header [draft-04 §2.4; receive rules ours]:
 *   0x0 (4) | Reserved (12) | Next Header (8) | Pad Length (8)
 * Bytes 0-1 are sent as 0 and a receiver drops the packet if any bit is set;
 * Next Header is 4 or 41 and must name the version of the inner packet; both
 * are bad_payload_info.  The inner packet's own length (IPv4 Total Length, 40
 * + IPv6 Payload Length) plus Pad Length must be exactly the bytes between
 * the header and the ICV, else bad_inner.
 */
#define EESP_PIH_NH_IPV4 4
#define EESP_PIH_NH_IPV6 41
#define EESP_ICV_LEN 16
#define EESP_VERSION 0
#define EESP_FIRST_BIT 0x80
#define EESP_VERSION_SHIFT 3
#define EESP_VERSION_MASK 0x0f
#define EESP_RESERVED_MASK 0x07

/* Option types (EESP_OPTIONS registry, draft -04 §10) */
#define EESP_OPT_PAD1 0
#define EESP_OPT_PADN 1
#define EESP_OPT_CRYPT_OFFSET 2
#define EESP_OPT_CRYPT_OFFSET_DATA_LEN 2
/* [ours] Stateless Context option, first private-use type (224-255). */
#define EESP_OPT_SCTX 0xE0

/*
 * Stateless Context option data (SCTX) [ours], after Type (0xE0) and Opt
 * Data Len:
 *
 *   byte 0     Profile        1 spi, 2 node, 3 pair, 4 tenant
 *   byte 1     KDF(4) | Suite(4)
 *              KDF   1 = SP 800-108 counter, PRF AES-256-CMAC (default)
 *                    2 = SP 800-108 counter, PRF HMAC-SHA256
 *              Suite 1 = AES-GCM-128 (16-byte data key)
 *                    2 = AES-GCM-256 (32-byte data key)
 *   byte 2     Levels         T (0x80) tenant root level applied, Tenant ID follows
 *                             G (0x40) group root level applied, Group ID follows
 *                             other bits reserved, must be 0
 *   byte 3     Phases         domain (bits 7-6) | tenant (5-4) | group (3-2) | 0 (1-0)
 *                             phase = root-key generation number mod 4; the phase
 *                             of an absent level must be 0
 *   bytes 4-7  Epoch          unsigned 32-bit, big-endian
 *   then, in this order, each 32-bit big-endian, present as stated:
 *              Tenant ID      if T   (the tenant profile requires T)
 *              Group ID       if G
 *              Node ID        profiles node, pair, tenant (the sender)
 *              Peer Node ID   profile pair (the intended receiver)
 *
 * Opt Data Len must equal 8 + 4 * (number of 32-bit fields present).
 */
#define EESP_SCTX_FIXED_LEN 8
#define EESP_SCTX_MAX_LEN (EESP_SCTX_FIXED_LEN + 4 * 4)

enum eesp_profile {
	EESP_PROFILE_SPI = 1,
	EESP_PROFILE_NODE = 2,
	EESP_PROFILE_PAIR = 3,
	EESP_PROFILE_TENANT = 4,
};

enum eesp_kdf {
	EESP_KDF_CMAC_AES256 = 1,
	EESP_KDF_HMAC_SHA256 = 2,
};

enum eesp_suite {
	EESP_SUITE_AES_GCM_128 = 1,
	EESP_SUITE_AES_GCM_256 = 2,
};

enum eesp_level {
	EESP_LEVEL_DOMAIN = 0,
	EESP_LEVEL_TENANT = 1,
	EESP_LEVEL_GROUP = 2,
	EESP_LEVELS = 3,
};

#define EESP_SCTX_FLAG_T 0x80
#define EESP_SCTX_FLAG_G 0x40
#define EESP_SCTX_FLAGS_RESERVED 0x3f
#define EESP_SCTX_PHASES_RESERVED 0x03
#define EESP_PHASES 4 /* phase = generation mod 4; three generations live */

#define EESP_ROOT_KEY_LEN 32
#define EESP_MASTER_KEY_LEN 32
#define EESP_SALT_LEN 4
#define EESP_NONCE_LEN 12
#define EESP_MAX_DATA_KEY_LEN 32

/* [ours] KDF labels, ASCII without terminator. */
#define EESP_MASTER_LABEL "EESPv0 master"
#define EESP_MASTER_LABEL_LEN 13
#define EESP_DATA_LABEL "EESPv0 data"
#define EESP_DATA_LABEL_LEN 11

/* Decoded SCTX option. */
struct eesp_sctx {
	uint8_t profile;
	uint8_t kdf;
	uint8_t suite;
	uint8_t flags;		    /* EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G */
	uint8_t phase[EESP_LEVELS]; /* domain, tenant, group */
	uint32_t epoch;
	uint32_t tenant_id;    /* valid iff flags & T */
	uint32_t group_id;     /* valid iff flags & G */
	uint32_t node_id;      /* node, pair, tenant */
	uint32_t peer_node_id; /* pair */
};

static inline bool eesp_profile_known(unsigned p)
{
	return p >= EESP_PROFILE_SPI && p <= EESP_PROFILE_TENANT;
}
static inline bool eesp_kdf_known(unsigned k)
{
	return k == EESP_KDF_CMAC_AES256 || k == EESP_KDF_HMAC_SHA256;
}
static inline bool eesp_suite_known(unsigned s)
{
	return s == EESP_SUITE_AES_GCM_128 || s == EESP_SUITE_AES_GCM_256;
}
static inline size_t eesp_suite_key_len(unsigned s)
{
	return s == EESP_SUITE_AES_GCM_256 ? 32 : 16;
}
static inline bool eesp_profile_has_node(unsigned p)
{
	return p == EESP_PROFILE_NODE || p == EESP_PROFILE_PAIR || p == EESP_PROFILE_TENANT;
}

/* Length of the SCTX option data for a given profile and level flags. */
static inline size_t eesp_sctx_data_len(unsigned profile, unsigned flags)
{
	size_t n = 0;
	n += (flags & EESP_SCTX_FLAG_T) ? 1 : 0;
	n += (flags & EESP_SCTX_FLAG_G) ? 1 : 0;
	n += eesp_profile_has_node(profile) ? 1 : 0;
	n += profile == EESP_PROFILE_PAIR ? 1 : 0;
	return EESP_SCTX_FIXED_LEN + 4 * n;
}

static inline void eesp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline uint32_t eesp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void eesp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline uint16_t eesp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
/* Crypt Offset option data, 16 bits: Payload Offset (6) | Crypt Offset (6)
 * | reserved (4), both offsets in 4-byte units. */
static inline uint16_t eesp_co_encode(unsigned payload_offset, unsigned crypt_offset)
{
	return (uint16_t)((payload_offset & 0x3f) << 10 | (crypt_offset & 0x3f) << 4);
}
static inline unsigned eesp_co_payload_offset(uint16_t v)
{
	return v >> 10;
}
static inline unsigned eesp_co_crypt_offset(uint16_t v)
{
	return (v >> 4) & 0x3f;
}

static inline void eesp_put64(uint8_t *p, uint64_t v)
{
	eesp_put32(p, (uint32_t)(v >> 32));
	eesp_put32(p + 4, (uint32_t)v);
}
static inline uint64_t eesp_get64(const uint8_t *p)
{
	return (uint64_t)eesp_get32(p) << 32 | eesp_get32(p + 4);
}

/* SCTX decode results (the parser maps them onto enum eesp_err). */
enum eesp_sctx_verdict {
	EESP_SCTX_OK = 0,
	EESP_SCTX_BAD_LEN,     /* data length does not match profile and flags */
	EESP_SCTX_BAD_PROFILE, /* unknown profile */
	EESP_SCTX_BAD_KDF,     /* unknown KDF */
	EESP_SCTX_BAD_SUITE,   /* unknown AEAD suite */
	EESP_SCTX_BAD_FLAGS,   /* reserved bits, tenant profile without T, phase of absent level */
};

/* Encode SCTX option data (without Type/Len); returns its length. */
static inline size_t eesp_sctx_encode(uint8_t *out, const struct eesp_sctx *c)
{
	size_t off = EESP_SCTX_FIXED_LEN;
	out[0] = c->profile;
	out[1] = (uint8_t)(c->kdf << 4 | (c->suite & 0x0f));
	out[2] = c->flags & (EESP_SCTX_FLAG_T | EESP_SCTX_FLAG_G);
	out[3] =
	    (uint8_t)((c->phase[0] & 3) << 6 | (c->phase[1] & 3) << 4 | (c->phase[2] & 3) << 2);
	eesp_put32(out + 4, c->epoch);
	if (c->flags & EESP_SCTX_FLAG_T) {
		eesp_put32(out + off, c->tenant_id);
		off += 4;
	}
	if (c->flags & EESP_SCTX_FLAG_G) {
		eesp_put32(out + off, c->group_id);
		off += 4;
	}
	if (eesp_profile_has_node(c->profile)) {
		eesp_put32(out + off, c->node_id);
		off += 4;
	}
	if (c->profile == EESP_PROFILE_PAIR) {
		eesp_put32(out + off, c->peer_node_id);
		off += 4;
	}
	return off;
}

/* Decode and validate SCTX option data of length len. */
static inline enum eesp_sctx_verdict eesp_sctx_decode(const uint8_t *d, size_t len,
						      struct eesp_sctx *c)
{
	size_t off = EESP_SCTX_FIXED_LEN;
	memset(c, 0, sizeof(*c));
	if (len < EESP_SCTX_FIXED_LEN)
		return EESP_SCTX_BAD_LEN;
	c->profile = d[0];
	c->kdf = d[1] >> 4;
	c->suite = d[1] & 0x0f;
	c->flags = d[2];
	c->phase[0] = d[3] >> 6;
	c->phase[1] = (d[3] >> 4) & 3;
	c->phase[2] = (d[3] >> 2) & 3;
	c->epoch = eesp_get32(d + 4);
	if (!eesp_profile_known(c->profile))
		return EESP_SCTX_BAD_PROFILE;
	if (!eesp_kdf_known(c->kdf))
		return EESP_SCTX_BAD_KDF;
	if (!eesp_suite_known(c->suite))
		return EESP_SCTX_BAD_SUITE;
	if ((c->flags & EESP_SCTX_FLAGS_RESERVED) || (d[3] & EESP_SCTX_PHASES_RESERVED))
		return EESP_SCTX_BAD_FLAGS;
	if (c->profile == EESP_PROFILE_TENANT && !(c->flags & EESP_SCTX_FLAG_T))
		return EESP_SCTX_BAD_FLAGS;
	if ((!(c->flags & EESP_SCTX_FLAG_T) && c->phase[1]) ||
	    (!(c->flags & EESP_SCTX_FLAG_G) && c->phase[2]))
		return EESP_SCTX_BAD_FLAGS;
	if (len != eesp_sctx_data_len(c->profile, c->flags))
		return EESP_SCTX_BAD_LEN;
	if (c->flags & EESP_SCTX_FLAG_T) {
		c->tenant_id = eesp_get32(d + off);
		off += 4;
	}
	if (c->flags & EESP_SCTX_FLAG_G) {
		c->group_id = eesp_get32(d + off);
		off += 4;
	}
	if (eesp_profile_has_node(c->profile)) {
		c->node_id = eesp_get32(d + off);
		off += 4;
	}
	if (c->profile == EESP_PROFILE_PAIR)
		c->peer_node_id = eesp_get32(d + off);
	return EESP_SCTX_OK;
}

/*
 * Master key [ours].  All applicable root keys are needed:
 *
 *   M  = HMAC-SHA256(key = R_domain, msg = "EESPv0 master" || 0x00 || 00000000)
 *   if T: M = HMAC-SHA256(key = R_tenant[TenantID], msg = "EESPv0 master" || 0x01 || TenantID || M)
 *   if G: M = HMAC-SHA256(key = R_group[GroupID],   msg = "EESPv0 master" || 0x02 || GroupID  || M)
 *   master = M (32 bytes)
 *
 * Each step is HKDF-Extract-like (HMAC used as a dual PRF, as the TLS 1.3 key
 * schedule does): the result stays secret while either input is secret.
 * This builds the message of one step; prev is NULL for the domain step.
 */
#define EESP_MASTER_MSG_MAX (EESP_MASTER_LABEL_LEN + 1 + 4 + EESP_MASTER_KEY_LEN)
static inline size_t eesp_master_msg(uint8_t *out, unsigned level, uint32_t id,
				     const uint8_t prev[EESP_MASTER_KEY_LEN])
{
	size_t off = EESP_MASTER_LABEL_LEN;
	memcpy(out, EESP_MASTER_LABEL, EESP_MASTER_LABEL_LEN);
	out[off++] = (uint8_t)level;
	eesp_put32(out + off, level == EESP_LEVEL_DOMAIN ? 0 : id);
	off += 4;
	if (level != EESP_LEVEL_DOMAIN) {
		memcpy(out + off, prev, EESP_MASTER_KEY_LEN);
		off += EESP_MASTER_KEY_LEN;
	}
	return off;
}

/*
 * Data key and salt [ours]: NIST SP 800-108 KDF in counter mode, 32-bit
 * counter before the fixed input (OpenSSL EVP_KDF "KBKDF" defaults):
 *
 *   K(i) = PRF(master, [i]_32 || Label || 0x00 || Context || [L]_32)
 *   Label   = "EESPv0 data" (11 bytes)
 *   Context = SPI (4) || Session ID (2) || SCTX option data (8..24 bytes, as on the wire)
 *   L       = 8 * (key_len + 4) bits: 160 for AES-GCM-128, 288 for AES-GCM-256
 *   output  = data key (key_len bytes) || salt (4 bytes)
 *
 * Nonce = salt || sequence number (8 bytes, big-endian, from the peer header).
 */
#define EESP_KDF_CONTEXT_MAX (4 + 2 + EESP_SCTX_MAX_LEN)
static inline size_t eesp_kdf_context(uint8_t *out, uint32_t spi, uint16_t session_id,
				      const uint8_t *sctx_data, size_t sctx_len)
{
	eesp_put32(out, spi);
	eesp_put16(out + 4, session_id);
	memcpy(out + 6, sctx_data, sctx_len);
	return 6 + sctx_len;
}

static inline void eesp_nonce(uint8_t out[EESP_NONCE_LEN], const uint8_t salt[EESP_SALT_LEN],
			      uint64_t sn)
{
	memcpy(out, salt, EESP_SALT_LEN);
	eesp_put64(out + EESP_SALT_LEN, sn);
}

/*
 * Epoch window [ours]: a receiver whose own epoch is `now` accepts `e` iff
 * the 32-bit serial distance |e - now| <= window.
 */
static inline bool eesp_epoch_in_window(uint32_t e, uint32_t now, uint32_t window)
{
	uint32_t d = e - now;
	int32_t sd = (int32_t)d;
	uint32_t ad = sd < 0 ? (uint32_t)0 - d : d;
	return ad <= window;
}

/*
 * EESP over UDP on a shared port (draft -04 §6, RFC 3948): classify the UDP
 * payload before parsing.
 */
enum eesp_udp_class {
	EESP_UDP_KEEPALIVE, /* one byte 0xFF */
	EESP_UDP_IKE,	    /* non-ESP marker: four zero bytes */
	EESP_UDP_ESP,	    /* first bit 0 */
	EESP_UDP_EESP,	    /* first bit 1 */
	EESP_UDP_RUNT,	    /* shorter than any of the above */
};
static inline enum eesp_udp_class eesp_udp_classify(const uint8_t *p, size_t len)
{
	if (len == 1 && p[0] == 0xff)
		return EESP_UDP_KEEPALIVE;
	if (len < 4)
		return EESP_UDP_RUNT;
	if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
		return EESP_UDP_IKE;
	return (p[0] & EESP_FIRST_BIT) ? EESP_UDP_EESP : EESP_UDP_ESP;
}

/* --------------------------------------------------------- GSO trains -- */

/*
 * UDP GSO trains [ours].  eespd lays the datagrams of one inner flow to one
 * peer end to end and sends them with one sendmsg() and UDP_SEGMENT = S: the
 * kernel (or a NIC doing USO) cuts the payload every S bytes, the last piece
 * possibly shorter.  A capture taken before that cut (on a veth, on a sender
 * whose NIC segments) or after the receiver's UDP GRO shows one UDP datagram
 * holding the whole train.  eespd itself never guesses: it gets S from the
 * kernel (UDP_SEGMENT, or the UDP_GRO cmsg).  Only the capture consumers
 * (eespctl decrypt, the Wireshark plugin, the test parsers) need this rule.
 *
 * The rule: within a train every datagram starts with the same 8 bytes,
 * those of the first one: EESP first byte, Opt Len, Session ID, SPI; PSP
 * Next Header, Hdr Ext Len, Crypt Offset, flags (S, D, version, V), SPI.  A
 * sender puts one flow's datagrams to one peer in a train, and those fields
 * are the same for all of them.  So the stride S is the smallest S >=
 * min_dgram (and len > S) such that every offset k*S < len repeats the 8
 * bytes at offset 0 and the last piece (len - its offset) is >= min_dgram.
 *
 * Why this is safe: the bytes that would have to repeat the header for a
 * wrong split lie, within the first datagram, after its clear part (pass
 * the *_train_min_dgram() of its header as min_dgram), i.e. in ciphertext or
 * the ICV: 8 bytes of AEAD output equal a given value by chance with
 * probability 2^-64 per offset.  A lone datagram is therefore split with
 * probability below 2^-48 even at 64 KiB, and a real train is split at
 * its true stride: a smaller candidate would need the same coincidence.
 * (With the constant minimum alone, bytes left in clear by a crypt offset
 * are not covered; the header-derived minimum excludes them.)
 */
#define EESP_TRAIN_CMP_LEN 8 /* bytes every datagram of a train starts with */
/* the smallest datagram of each mode: EESP base + SN + ICV, PSP header + ICV (32 each) */
#define EESP_TRAIN_MIN_DGRAM (EESP_BASE_LEN + EESP_PEER_LEN + EESP_ICV_LEN)
#define PSP_TRAIN_MIN_DGRAM (PSP_HDR_LEN + PSP_ICV_LEN)

/*
 * Stride of the train in p[0 .. len): the length S of each datagram but
 * possibly the last, or len when p holds a single datagram.  min_dgram is the
 * smallest possible datagram (values below 8 count as 8).  Cost: one byte
 * compare per candidate offset, plus len/S 8-byte compares per candidate
 * whose 8 bytes match.
 */
static inline size_t eesp_train_stride(const uint8_t *p, size_t len, size_t min_dgram)
{
	if (min_dgram < EESP_TRAIN_CMP_LEN)
		min_dgram = EESP_TRAIN_CMP_LEN;
	if (len < 2 * min_dgram)
		return len;
	for (size_t s = min_dgram; s <= len - min_dgram; s++) {
		size_t k;
		if (p[s] != p[0] || memcmp(p + s, p, EESP_TRAIN_CMP_LEN))
			continue;
		/* offset s holds a whole piece (s + min_dgram <= len); check the rest */
		for (k = 2 * s; k < len; k += s)
			if (len - k < min_dgram || memcmp(p + k, p, EESP_TRAIN_CMP_LEN))
				break;
		if (k >= len)
			return s;
	}
	return len;
}

/*
 * min_dgram for eesp_train_stride() from the first datagram's header: the
 * header, the bytes a crypt offset leaves in clear and the ICV, at least the
 * mode's constant.  Only header fields that every datagram of a train shares
 * are used (Opt Len and the options; PSP Hdr Ext Len and Crypt Offset).
 */
static inline size_t eesp_train_min_dgram(const uint8_t *p, size_t len)
{
	size_t end, off, min;
	if (len < EESP_BASE_LEN)
		return EESP_TRAIN_MIN_DGRAM;
	end = EESP_BASE_LEN + (size_t)p[1];
	min = end + EESP_PEER_LEN + EESP_ICV_LEN;
	for (off = EESP_BASE_LEN; off < end && end <= len;) {
		size_t olen;
		if (p[off] == EESP_OPT_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > end || off + 2 + (olen = p[off + 1]) > end)
			break;
		if (p[off] == EESP_OPT_CRYPT_OFFSET && olen == EESP_OPT_CRYPT_OFFSET_DATA_LEN) {
			size_t co = eesp_co_crypt_offset(eesp_get16(p + off + 2));
			/* full format: the Payload Info Header at least, co*4 bytes clear */
			min += co ? 4 * co : EESP_PIH_LEN;
		}
		off += 2 + olen;
	}
	return min;
}

static inline size_t psp_train_min_dgram(const uint8_t *p, size_t len)
{
	size_t hdr, ct;
	if (len < 4)
		return PSP_TRAIN_MIN_DGRAM;
	hdr = 8 + 8 * (size_t)p[1];
	ct = PSP_HDR_LEN + PSP_CRYPT_OFFSET_UNITS * (size_t)(p[2] & PSP_CRYPT_OFFSET_MASK);
	hdr = (hdr > ct ? hdr : ct) + PSP_ICV_LEN;
	return hdr > PSP_TRAIN_MIN_DGRAM ? hdr : PSP_TRAIN_MIN_DGRAM;
}

#endif /* EESP_PROTO_H */
