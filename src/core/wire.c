/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wire.c - parse and build the PSP and EESP headers.  No crypto, no I/O.
 *
 * Every parser rejection has its own code (errors.h); the order of the
 * checks below is part of the contract the unit tests pin down: when a
 * packet has several faults, the first check in this order reports it.
 */
#include <string.h>

#include "wire.h"

/* ---------------------------------------------------------------- PSP -- */

/*
 * PSP (psp.md §1.2-1.6), checks in this order:
 *   len < 16                                   truncated
 *   always-1 bit clear                         psp_always_one
 *   version > 3 (4..15 reserved)               bad_version
 *   hdr_ext_len < 1 + V                        psp_hdr_ext_len
 *   SPI low 31 bits zero                       psp_spi_zero
 *   header (16 + 8*(hdr_ext_len-1)) + ICV > len truncated
 *   version 2/3 (GMAC) and crypt_off != 0      psp_gmac_crypt_offset
 *   16 + 4*crypt_off > len - 16                crypt_offset
 *
 * Like the reference decryptor, the payload position comes from Hdr Ext Len
 * only: a larger Hdr Ext Len than V requires is accepted (extension bytes
 * after the VC).  R, S and D are not checked (authenticated only).
 *
 * The crypt offset counts from the end of the IV (byte 16), so the VC and
 * any header extension lie inside the crypt-offset region: ct_off =
 * 16 + 4*crypt_off even when that is below hdr_len, in which case part of
 * the VC is encrypted, exactly as the reference does
 * (v4_transport_no_crypt_off_128_vc).  An empty ciphertext is allowed
 * (crypt offset pointing exactly at the ICV, spec p.13).
 *
 * Versions 2 and 3 (AES-GMAC) encrypt nothing: the AAD is every byte before
 * the ICV and the ciphertext is empty.  The specification makes their Crypt
 * Offset reserved (0); a receiver that read a non-zero one could not tell
 * what the sender meant to leave out, so it is dropped rather than ignored.
 */
int psp_parse(const uint8_t *pkt, size_t len, struct psp_view *v)
{
	uint8_t b3;
	size_t hdr_len, aad_len;

	memset(v, 0, sizeof(*v));
	if (!pkt || len < PSP_HDR_LEN)
		return EESP_E_TRUNCATED;
	b3 = pkt[3];
	if (!(b3 & PSP_ALWAYS_1))
		return EESP_E_PSP_ALWAYS1;
	v->version = (b3 >> PSP_VER_SHIFT) & PSP_VER_MASK;
	if (v->version > PSP_VER_MAX)
		return EESP_E_BAD_VERSION;
	v->next_hdr = pkt[0];
	v->hdr_ext_len = pkt[1];
	v->crypt_off = pkt[2] & PSP_CRYPT_OFFSET_MASK;
	v->s = (b3 & PSP_FLAG_S) != 0;
	v->d = (b3 & PSP_FLAG_D) != 0;
	v->v = (b3 & PSP_FLAG_V) != 0;
	if (v->hdr_ext_len < (v->v ? PSP_HDR_EXT_LEN_WITH_VC : PSP_HDR_EXT_LEN_MIN))
		return EESP_E_PSP_HDRLEN;
	v->spi = eesp_get32(pkt + 4);
	if (!(v->spi & ~PSP_SPI_KEY_SELECTOR))
		return EESP_E_PSP_SPI_ZERO;
	v->iv = eesp_get64(pkt + 8);
	hdr_len = PSP_HDR_LEN + 8 * ((size_t)v->hdr_ext_len - 1);
	if (hdr_len + PSP_ICV_LEN > len)
		return EESP_E_TRUNCATED;
	if (v->v)
		v->vc = eesp_get64(pkt + PSP_HDR_LEN);
	if (psp_version_is_gmac(v->version) && v->crypt_off)
		return EESP_E_PSP_GMAC_CO;
	aad_len = psp_version_is_gmac(v->version)
		      ? len - PSP_ICV_LEN
		      : PSP_HDR_LEN + PSP_CRYPT_OFFSET_UNITS * (size_t)v->crypt_off;
	if (aad_len > len - PSP_ICV_LEN)
		return EESP_E_CRYPT_OFFSET;
	v->hdr_len = hdr_len;
	v->aad_len = aad_len;
	v->ct_off = aad_len;
	v->icv_off = len - PSP_ICV_LEN;
	v->ct_len = v->icv_off - aad_len;
	return EESP_E_OK;
}

/* Returns 0 (nothing written) if cap is short or a field is out of range
 * (version > 3, crypt_off > 63, or a GMAC version with crypt_off != 0). */
size_t psp_build_header(uint8_t *out, size_t cap, const struct psp_hdr_params *p)
{
	size_t n = PSP_HDR_LEN + (p->v ? PSP_VC_LEN : 0);

	if (!out || cap < n || p->version > PSP_VER_MAX || p->crypt_off > PSP_CRYPT_OFFSET_MAX ||
	    (psp_version_is_gmac(p->version) && p->crypt_off))
		return 0;
	out[0] = p->next_hdr;
	out[1] = p->v ? PSP_HDR_EXT_LEN_WITH_VC : PSP_HDR_EXT_LEN_MIN;
	out[2] = p->crypt_off & PSP_CRYPT_OFFSET_MASK;
	out[3] = (uint8_t)((p->s ? PSP_FLAG_S : 0) | (p->d ? PSP_FLAG_D : 0) |
			   (p->version & PSP_VER_MASK) << PSP_VER_SHIFT | (p->v ? PSP_FLAG_V : 0) |
			   PSP_ALWAYS_1);
	eesp_put32(out + 4, p->spi);
	eesp_put64(out + 8, p->iv);
	if (p->v)
		eesp_put64(out + PSP_HDR_LEN, p->vc);
	return n;
}

/* --------------------------------------------------------------- EESP -- */

#define CO_OPT_LEN (2 + EESP_OPT_CRYPT_OFFSET_DATA_LEN)

/*
 * EESP v0 (design.md, eesp_proto.h), checks in this order:
 *   len < 8                                     truncated
 *   first bit 0                                 not_eesp
 *   version != 0                                bad_version
 *   R bits set                                  reserved_bits
 *   8 + Opt Len > len                           option_overrun
 *   TLV walk over the Opt Len bytes:
 *     type/length byte or data past Opt Len     option_overrun
 *     Crypt Offset data length != 2             option_malformed
 *     second SCTX or second Crypt Offset        option_duplicate
 *     (Pad1, PadN and unknown types are skipped; they stay in the AAD)
 *   no SCTX option                              no_context
 *   SCTX decode (eesp_sctx_decode):
 *     unknown profile / KDF / suite             unknown_profile/kdf/suite
 *     reserved bits of Levels or Phases set     reserved_bits
 *     other flag inconsistencies (tenant profile
 *       without T, phase of an absent level)    bad_context
 *     length not what profile and flags imply   bad_context
 *   base + options + peer header + ICV > len    truncated
 *   full format (Crypt Offset option present):
 *     PayloadOffset*4 != base + options + peer  payload_offset
 *     no room for the Payload Info Header + ICV truncated
 *     CryptOffset > max_crypt_offset            crypt_offset
 *     PIH start + CryptOffset*4 > len - 16      crypt_offset
 *   sequence number 0                           seq_zero
 *   sequence number 2^64-1 (never sent)         seq_max
 *
 * The Crypt Offset option's 4 R bits are ignored as the draft says (they
 * are authenticated).  A Crypt Offset option with CryptOffset 0 is accepted:
 * full format with the Payload Info Header encrypted.
 */
int eesp_parse(const uint8_t *pkt, size_t len, unsigned max_crypt_offset, struct eesp_view *v)
{
	size_t i, end, sctx_off = 0, sctx_len = 0, co_off = 0;
	bool have_sctx = false, have_co = false;
	enum eesp_sctx_verdict sv;

	memset(v, 0, sizeof(*v));
	if (!pkt || len < EESP_BASE_LEN)
		return EESP_E_TRUNCATED;
	if (!(pkt[0] & EESP_FIRST_BIT))
		return EESP_E_NOT_EESP;
	if (((pkt[0] >> EESP_VERSION_SHIFT) & EESP_VERSION_MASK) != EESP_VERSION)
		return EESP_E_BAD_VERSION;
	if (pkt[0] & EESP_RESERVED_MASK)
		return EESP_E_RESERVED_BITS;
	v->opt_len = pkt[1];
	v->session_id = eesp_get16(pkt + 2);
	v->spi = eesp_get32(pkt + 4);
	end = EESP_BASE_LEN + (size_t)v->opt_len;
	if (end > len)
		return EESP_E_OPTLEN;

	for (i = EESP_BASE_LEN; i < end;) {
		uint8_t type = pkt[i];
		size_t dlen;

		if (type == EESP_OPT_PAD1) {
			i++;
			continue;
		}
		if (i + 2 > end)
			return EESP_E_OPTLEN;
		dlen = pkt[i + 1];
		if (i + 2 + dlen > end)
			return EESP_E_OPTLEN;
		if (type == EESP_OPT_CRYPT_OFFSET) {
			if (dlen != EESP_OPT_CRYPT_OFFSET_DATA_LEN)
				return EESP_E_OPT_MALFORMED;
			if (have_co)
				return EESP_E_OPT_DUPLICATE;
			have_co = true;
			co_off = i + 2;
		} else if (type == EESP_OPT_SCTX) {
			if (have_sctx)
				return EESP_E_OPT_DUPLICATE;
			have_sctx = true;
			sctx_off = i + 2;
			sctx_len = dlen;
		}
		i += 2 + dlen;
	}
	if (!have_sctx)
		return EESP_E_NO_CONTEXT;
	sv = eesp_sctx_decode(pkt + sctx_off, sctx_len, &v->sctx);
	switch (sv) {
	case EESP_SCTX_OK:
		break;
	case EESP_SCTX_BAD_PROFILE:
		return EESP_E_BAD_PROFILE;
	case EESP_SCTX_BAD_KDF:
		return EESP_E_BAD_KDF;
	case EESP_SCTX_BAD_SUITE:
		return EESP_E_BAD_SUITE;
	case EESP_SCTX_BAD_FLAGS:
		/* BAD_FLAGS covers two things: reserved bits set (reserved_bits)
		 * and flags inconsistent with the profile/phases (bad_context). */
		if ((pkt[sctx_off + 2] & EESP_SCTX_FLAGS_RESERVED) ||
		    (pkt[sctx_off + 3] & EESP_SCTX_PHASES_RESERVED))
			return EESP_E_RESERVED_BITS;
		return EESP_E_BAD_CONTEXT;
	case EESP_SCTX_BAD_LEN:
	default:
		return EESP_E_BAD_CONTEXT;
	}
	v->sctx_off = sctx_off;
	v->sctx_len = sctx_len;

	v->hdr_len = end + EESP_PEER_LEN;
	if (v->hdr_len + EESP_ICV_LEN > len)
		return EESP_E_TRUNCATED;
	v->sn = eesp_get64(pkt + end);
	v->icv_off = len - EESP_ICV_LEN;
	v->aad_len = v->hdr_len;
	if (have_co) {
		v->has_crypt_offset = true;
		v->payload_offset = (uint8_t)eesp_co_payload_offset(eesp_get16(pkt + co_off));
		v->crypt_offset = (uint8_t)eesp_co_crypt_offset(eesp_get16(pkt + co_off));
		if ((size_t)v->payload_offset * 4 != v->hdr_len)
			return EESP_E_PAYLOAD_OFFSET;
		if (v->hdr_len + EESP_PIH_LEN + EESP_ICV_LEN > len)
			return EESP_E_TRUNCATED;
		if (v->crypt_offset > max_crypt_offset)
			return EESP_E_CRYPT_OFFSET;
		v->aad_len = v->hdr_len + 4 * (size_t)v->crypt_offset;
		if (v->aad_len > v->icv_off)
			return EESP_E_CRYPT_OFFSET;
	}
	v->ct_off = v->aad_len;
	v->ct_len = v->icv_off - v->ct_off;
	if (v->sn == 0)
		return EESP_E_SEQ_ZERO;
	if (v->sn > EESP_SN_MAX)
		return EESP_E_SEQ_MAX;
	return EESP_E_OK;
}

/* Bytes of options (SCTX, Crypt Offset, padding) for these parameters. */
static size_t eesp_opt_len(const struct eesp_hdr_params *p, size_t *sctx_len, size_t *pad)
{
	size_t sl = eesp_sctx_data_len(p->sctx.profile, p->sctx.flags);
	size_t n = 2 + sl;
	size_t target = p->crypt_offset ? 4 : 0; /* opt_len mod 8 */

	if (p->crypt_offset)
		n += CO_OPT_LEN;
	*sctx_len = sl;
	*pad = (target + 8 - n % 8) % 8;
	return n + *pad;
}

size_t eesp_header_len(const struct eesp_hdr_params *p)
{
	size_t sl, pad, ol;

	if (!p || p->crypt_offset > 63)
		return 0;
	ol = eesp_opt_len(p, &sl, &pad);
	return EESP_BASE_LEN + ol + EESP_PEER_LEN + (p->crypt_offset ? EESP_PIH_LEN : 0);
}

/*
 * Returns 0 (nothing usable written) if cap is short or crypt_offset > 63.
 * The SCTX fields are encoded as given (eesp_sctx_encode masks them to
 * their widths); the caller chooses valid values.
 */
size_t eesp_build_header(uint8_t *out, size_t cap, const struct eesp_hdr_params *p)
{
	size_t sl, pad, ol, off, n = eesp_header_len(p);

	if (!n || !out || cap < n)
		return 0;
	ol = eesp_opt_len(p, &sl, &pad);
	out[0] = EESP_FIRST_BIT | EESP_VERSION << EESP_VERSION_SHIFT;
	out[1] = (uint8_t)ol;
	eesp_put16(out + 2, p->session_id);
	eesp_put32(out + 4, p->spi);
	off = EESP_BASE_LEN;
	out[off] = EESP_OPT_SCTX;
	out[off + 1] = (uint8_t)sl;
	eesp_sctx_encode(out + off + 2, &p->sctx);
	off += 2 + sl;
	if (p->crypt_offset) {
		size_t po = (EESP_BASE_LEN + ol + EESP_PEER_LEN) / 4;

		out[off] = EESP_OPT_CRYPT_OFFSET;
		out[off + 1] = EESP_OPT_CRYPT_OFFSET_DATA_LEN;
		eesp_put16(out + off + 2, eesp_co_encode((unsigned)po, p->crypt_offset));
		off += CO_OPT_LEN;
	}
	if (pad == 1) {
		out[off++] = EESP_OPT_PAD1;
	} else if (pad > 1) {
		out[off] = EESP_OPT_PADN;
		out[off + 1] = (uint8_t)(pad - 2);
		memset(out + off + 2, 0, pad - 2);
		off += pad;
	}
	eesp_put64(out + off, p->sn);
	off += EESP_PEER_LEN;
	if (p->crypt_offset) {
		out[off] = 0; /* 0x0 | Reserved */
		out[off + 1] = 0;
		out[off + 2] = p->next_hdr;
		out[off + 3] = 0; /* pad length */
		off += EESP_PIH_LEN;
	}
	return off;
}
