/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inner.c - is the decrypted payload exactly one IP packet (and padding)?
 * (inner.h)
 */
#include "inner.h"

/* IPv4/IPv6 packet at p within avail bytes: its length, or 0 if invalid. */
static size_t ip_len_of(const uint8_t *p, size_t avail, unsigned *family)
{
	size_t tl, ihl;

	if (avail < 1)
		return 0;
	switch (p[0] >> 4) {
	case 4:
		if (avail < 20)
			return 0;
		ihl = (size_t)(p[0] & 0x0f) * 4;
		tl = eesp_get16(p + 2);
		if (ihl < 20 || tl < ihl || tl > avail)
			return 0;
		*family = 4;
		return tl;
	case 6:
		if (avail < 40)
			return 0;
		tl = 40 + (size_t)eesp_get16(p + 4);
		if (tl > avail)
			return 0;
		*family = 6;
		return tl;
	default:
		return 0;
	}
}

/*
 * Full format (eesp.7, Payload and RECEIVE PROCESSING steps 22-23): the
 * 4-byte Payload Info Header, exactly one inner packet, then exactly Pad
 * Length bytes of padding up to the ICV.  The PIH is checked first: its
 * first 16 bits are 0 (the 0x0 nibble and the 12 reserved bits; v0 has no
 * extension bits, so a set bit is not "ignored"), Next Header is 4 or 41,
 * the padding fits, and Next Header names the version of the payload's
 * first byte (a mismatch is the header's fault, not the inner packet's:
 * bad_payload_info).  Then the inner packet's own length must end exactly
 * where the padding starts (bad_inner): no unaccounted bytes either way.
 */
static int check_full_payload(const uint8_t *pih, size_t avail, size_t *inner_len)
{
	unsigned nh = pih[2], pad = pih[3], fam = 0;
	size_t payload, il;

	if (pih[0] || pih[1] || (nh != EESP_PIH_NH_IPV4 && nh != EESP_PIH_NH_IPV6) || pad > avail)
		return EESP_E_BAD_PIH;
	payload = avail - pad;
	if (payload && (pih[EESP_PIH_LEN] >> 4) != (nh == EESP_PIH_NH_IPV4 ? 4u : 6u))
		return EESP_E_BAD_PIH;
	il = ip_len_of(pih + EESP_PIH_LEN, payload, &fam);
	if (!il || il != payload)
		return EESP_E_BAD_INNER;
	*inner_len = il;
	return EESP_E_OK;
}

int eesp_inner_check(const uint8_t *pkt, const struct eesp_view *v, size_t *inner_off,
		     size_t *inner_len)
{
	unsigned fam = 0;
	size_t il;

	if (!v->has_crypt_offset) {
		size_t off = v->hdr_len, avail = v->icv_off - off;
		il = ip_len_of(pkt + off, avail, &fam);
		if (!il || avail - il > 255)
			return EESP_E_BAD_INNER;
		*inner_off = off;
		*inner_len = il;
		return EESP_E_OK;
	} else {
		size_t off = v->hdr_len + EESP_PIH_LEN;
		int rc = check_full_payload(pkt + v->hdr_len, v->icv_off - off, &il);
		if (rc)
			return rc;
		*inner_off = off;
		*inner_len = il;
		return EESP_E_OK;
	}
}

int psp_inner_check(const uint8_t *pkt, const struct psp_view *v, size_t *inner_off,
		    size_t *inner_len)
{
	size_t off = v->hdr_len, avail = v->icv_off - v->hdr_len;
	if (v->next_hdr == 4 || v->next_hdr == 41) {
		unsigned fam = 0;
		size_t il = ip_len_of(pkt + off, avail, &fam);
		if (!il || il != avail || (v->next_hdr == 4) != (fam == 4))
			return EESP_E_BAD_INNER;
	}
	*inner_off = off;
	*inner_len = avail;
	return EESP_E_OK;
}
