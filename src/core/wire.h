/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wire.h - parse and build the two wire modes.  No crypto, no I/O.
 *
 * The buffers passed in start at the first byte after the UDP header.
 * Parsers validate strictly and return an enum eesp_err; on success the
 * view describes every region of the packet (AAD, ciphertext, ICV) as
 * offsets into the caller's buffer.
 */
#ifndef EESP_WIRE_H
#define EESP_WIRE_H

#include "eesp_proto.h"
#include "errors.h"

/* ---------------------------------------------------------------- PSP -- */

struct psp_view {
	uint8_t next_hdr;
	uint8_t hdr_ext_len;
	uint8_t crypt_off;  /* 4-byte units */
	uint8_t version;    /* 0..3 (PSP_VER_*) */
	bool s, d, v;
	uint32_t spi;
	uint64_t iv;
	uint64_t vc;        /* valid iff v */
	size_t hdr_len;     /* 16 + 8 * (hdr_ext_len - 1) */
	size_t aad_len;     /* AAD = pkt[0 .. aad_len): 16 + 4 * crypt_off for
			     * v0/v1; len - 16 (all before the ICV) for v2/v3 */
	size_t ct_off;      /* == aad_len */
	size_t ct_len;      /* may be 0; always 0 for v2/v3 */
	size_t icv_off;     /* len - 16 */
};

/* Strict: always-1 bit, version 0..3, hdr_ext_len >= 1 and consistent with V,
 * SPI low 31 bits non-zero, header + crypt offset + ICV within len, crypt
 * offset 0 for the GMAC versions 2 and 3. */
int psp_parse(const uint8_t *pkt, size_t len, struct psp_view *v);

struct psp_hdr_params {
	uint8_t next_hdr;   /* 4/41 tunnel, 6/17 transport */
	uint8_t crypt_off;  /* 0..63, 4-byte units; 0 for versions 2 and 3 */
	uint8_t version;    /* 0..3 (PSP_VER_*) */
	bool s, d, v;
	uint32_t spi;
	uint64_t iv;
	uint64_t vc;
};

/* Write the PSP header (16 or 24 bytes); returns its length or 0 if cap is short. */
size_t psp_build_header(uint8_t *out, size_t cap, const struct psp_hdr_params *p);

/* --------------------------------------------------------------- EESP -- */

struct eesp_view {
	uint8_t opt_len;
	uint16_t session_id;
	uint32_t spi;
	struct eesp_sctx sctx;
	size_t sctx_off;        /* offset of the SCTX option data in the packet */
	size_t sctx_len;        /* its length */
	bool has_crypt_offset;  /* full format (Payload Info Header present) */
	uint8_t payload_offset; /* from the option, 4-byte units */
	uint8_t crypt_offset;   /* from the option, 4-byte units */
	uint64_t sn;            /* peer header: sequence number = IV */
	size_t hdr_len;         /* base + options + peer header */
	size_t aad_len;         /* AAD = pkt[0 .. aad_len) */
	size_t ct_off;          /* == aad_len */
	size_t ct_len;
	size_t icv_off;         /* len - 16 */
};

/*
 * Strict EESP v0 parse: first bit 1, version 0, R bits 0, Opt Len within the
 * packet, well-formed TLVs (Pad1, PadN, Crypt Offset, SCTX; unknown types are
 * skipped but stay authenticated), SCTX present exactly once and valid,
 * crypt offset consistent, SN != 0, room for the ICV.
 * max_crypt_offset: the largest crypt offset accepted (4-byte units; 63 = any).
 */
int eesp_parse(const uint8_t *pkt, size_t len, unsigned max_crypt_offset, struct eesp_view *v);

struct eesp_hdr_params {
	uint16_t session_id;
	uint32_t spi;
	struct eesp_sctx sctx;
	uint8_t crypt_offset; /* 4-byte units, from the Payload Info Header; 0 = optimized format */
	uint8_t next_hdr;     /* Payload Info Header Next Header (4 or 41); full format only */
	uint64_t sn;
};

/*
 * Write base header, options (SCTX, Crypt Offset if crypt_offset > 0, padding
 * so the payload lands on an 8-byte boundary), peer header and, in full
 * format, the Payload Info Header (pad length 0).  Returns the number of bytes
 * written (the offset where the inner packet goes), or 0 if cap is short.
 * In full format the crypt offset counts from the Payload Info Header, so
 * crypt_offset = 1 exposes only that header, 7 exposes it plus an IPv4
 * header and the L4 ports.
 */
size_t eesp_build_header(uint8_t *out, size_t cap, const struct eesp_hdr_params *p);

/* Length eesp_build_header() will write for these parameters. */
size_t eesp_header_len(const struct eesp_hdr_params *p);

#endif /* EESP_WIRE_H */
