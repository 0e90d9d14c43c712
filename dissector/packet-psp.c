/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-psp.c - protocol psp: the PSP Security Protocol (PSP Architecture
 * Specification; reference/psp.md) over UDP port 1000, in the transport and
 * tunnel modes eespd sends.  Keys come from the same preferences as EESP
 * (eesp-keys.c): the receiver's master keys or the sender's SA keys.
 * Versions 2 and 3 (AES-GMAC, integrity only; eesp.7): the payload is in
 * clear and shown as the inner packet, the ICV is verified over the whole
 * datagram before it, and a Crypt Offset other than 0 is malformed.
 */

#include "packet-eesp.h"

#include <epan/ipproto.h>

static int proto_psp = -1;
static dissector_handle_t psp_handle;

static int hf_psp_nexthdr = -1;
static int hf_psp_hdrextlen = -1;
static int hf_psp_reserved = -1;
static int hf_psp_cryptoffset = -1;
static int hf_psp_s = -1;
static int hf_psp_d = -1;
static int hf_psp_version = -1;
static int hf_psp_v = -1;
static int hf_psp_one = -1;
static int hf_psp_spi = -1;
static int hf_psp_spi_keyselector = -1;
static int hf_psp_iv = -1;
static int hf_psp_vc = -1;
static int hf_psp_ext = -1;
static int hf_psp_exposed = -1;
static int hf_psp_payload = -1;
static int hf_psp_auth_payload = -1;
static int hf_psp_icv = -1;
static int hf_psp_decrypted = -1;
static int hf_psp_data_key = -1;
static int hf_psp_key_source = -1;

static gint ett_psp = -1;

static expert_field ei_psp_no_key = EI_INIT;
static expert_field ei_psp_auth_failed = EI_INIT;
static expert_field ei_psp_malformed = EI_INIT;
static expert_field ei_psp_decrypted = EI_INIT;

/* PSP versions: the words of names.h, AES-GCM and AES-GMAC alike */
static value_string psp_version_vals[G_N_ELEMENTS(eesp_psp_version_names)];

/* One datagram's header, as far as the checks below have read it. */
struct psp_hdr {
	guint8 nh, hel, b3, version, co;
	guint32 spi;
	guint hdr_len; /* 8 + 8 * Hdr Ext Len: the header with VC and extensions */
	guint ct_off;  /* start of the ciphertext: after the IV + Crypt Offset;
			* the ICV for AES-GMAC (nothing is encrypted) */
	gboolean gmac; /* versions 2, 3 */
	proto_item *ti, *hi, *tail_item; /* protocol, Hdr Ext Len, encrypted payload */
	proto_tree *pt;
};

/* ---------------------------------------------------------- dissection -- */

/* The 16 fixed bytes: FALSE if a receiver would drop the datagram (the
 * rest is still shown). */
static gboolean fixed_header(tvbuff_t *tvb, packet_info *pinfo, struct psp_hdr *h)
{
	static int *const b2[] = {&hf_psp_reserved, &hf_psp_cryptoffset, NULL};
	proto_item *oi, *si;
	gboolean ok = TRUE;

	h->nh = tvb_get_guint8(tvb, 0);
	h->hel = tvb_get_guint8(tvb, 1);
	h->co = tvb_get_guint8(tvb, 2) & PSP_CRYPT_OFFSET_MASK;
	h->b3 = tvb_get_guint8(tvb, 3);
	h->version = (h->b3 >> PSP_VER_SHIFT) & PSP_VER_MASK;
	h->spi = tvb_get_ntohl(tvb, 4);

	proto_tree_add_item(h->pt, hf_psp_nexthdr, tvb, 0, 1, ENC_BIG_ENDIAN);
	h->hi = proto_tree_add_item(h->pt, hf_psp_hdrextlen, tvb, 1, 1, ENC_BIG_ENDIAN);
	proto_tree_add_bitmask_list(h->pt, tvb, 2, 1, b2, ENC_BIG_ENDIAN);
	proto_tree_add_item(h->pt, hf_psp_s, tvb, 3, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(h->pt, hf_psp_d, tvb, 3, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(h->pt, hf_psp_version, tvb, 3, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(h->pt, hf_psp_v, tvb, 3, 1, ENC_BIG_ENDIAN);
	oi = proto_tree_add_item(h->pt, hf_psp_one, tvb, 3, 1, ENC_BIG_ENDIAN);
	if (!(h->b3 & PSP_ALWAYS_1)) {
		expert_add_info_format(pinfo, oi, &ei_psp_malformed, "The always-1 bit is 0");
		ok = FALSE;
	}
	si = proto_tree_add_item(h->pt, hf_psp_spi, tvb, 4, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(h->pt, hf_psp_spi_keyselector, tvb, 4, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(h->pt, hf_psp_iv, tvb, 8, 8, ENC_BIG_ENDIAN);
	col_add_fstr(pinfo->cinfo, COL_INFO, "PSP SPI=0x%08x IV=%" G_GUINT64_FORMAT, h->spi,
		     tvb_get_ntoh64(tvb, 8));
	proto_item_append_text(h->ti, ", SPI: 0x%08x, %s", h->spi,
			       val_to_str_const(h->version, psp_version_vals, "reserved version"));
	if (!(h->spi & ~PSP_SPI_KEY_SELECTOR)) {
		expert_add_info_format(pinfo, si, &ei_psp_malformed,
				       "SPI low 31 bits are 0 (reserved)");
		ok = FALSE;
	}
	return ok;
}

/* VC, header extensions, exposed bytes, payload, ICV: FALSE if they do not
 * fit in the datagram. */
static gboolean layout(tvbuff_t *tvb, packet_info *pinfo, struct psp_hdr *h)
{
	guint len = tvb_reported_length(tvb);
	gboolean vc = h->b3 & PSP_FLAG_V;
	guint ext_start = PSP_HDR_LEN + (vc ? PSP_VC_LEN : 0);

	h->hdr_len = 8 + 8 * (guint)h->hel;
	if (h->hel < PSP_HDR_EXT_LEN_MIN || (vc && h->hel < PSP_HDR_EXT_LEN_WITH_VC)) {
		expert_add_info_format(pinfo, h->hi, &ei_psp_malformed,
				       "Hdr Ext Len %u is too small%s", h->hel,
				       vc ? " for a header with a VC" : "");
		return FALSE;
	}
	h->ct_off =
	    h->gmac ? len - PSP_ICV_LEN : (guint)(PSP_HDR_LEN + h->co * PSP_CRYPT_OFFSET_UNITS);
	if (h->hdr_len + PSP_ICV_LEN > len || h->ct_off + PSP_ICV_LEN > len) {
		expert_add_info_format(pinfo, h->ti, &ei_psp_malformed,
				       "Truncated: header, crypt offset or ICV beyond the end");
		return FALSE;
	}
	if (vc)
		proto_tree_add_item(h->pt, hf_psp_vc, tvb, PSP_HDR_LEN, PSP_VC_LEN, ENC_BIG_ENDIAN);
	if (h->hdr_len > ext_start)
		proto_tree_add_item(h->pt, hf_psp_ext, tvb, ext_start, h->hdr_len - ext_start,
				    ENC_NA);
	if (h->gmac && h->hdr_len < len - PSP_ICV_LEN)
		h->tail_item = proto_tree_add_item(h->pt, hf_psp_auth_payload, tvb, h->hdr_len,
						   len - PSP_ICV_LEN - h->hdr_len, ENC_NA);
	else if (h->ct_off > h->hdr_len)
		proto_tree_add_item(h->pt, hf_psp_exposed, tvb, h->hdr_len, h->ct_off - h->hdr_len,
				    ENC_NA);
	if (!h->gmac && h->ct_off < len - PSP_ICV_LEN)
		h->tail_item = proto_tree_add_item(h->pt, hf_psp_payload, tvb, h->ct_off,
						   len - PSP_ICV_LEN - h->ct_off, ENC_NA);
	proto_tree_add_item(h->pt, hf_psp_icv, tvb, len - PSP_ICV_LEN, PSP_ICV_LEN, ENC_NA);
	return TRUE;
}

/* No key opened the datagram: say why, on the encrypted payload. */
static void show_failure(tvbuff_t *tvb, packet_info *pinfo, const struct psp_hdr *h,
			 enum try_result r)
{
	proto_item *at = h->tail_item ? h->tail_item : h->ti;

	proto_item_set_generated(proto_tree_add_boolean(h->pt, hf_psp_decrypted, tvb, 0, 0, FALSE));
	if (r == TRY_AUTH_FAILED)
		expert_add_info_format(pinfo, at, &ei_psp_auth_failed,
				       "Authentication failed (wrong key or corrupted packet)");
	else
		expert_add_info_format(pinfo, at, &ei_psp_no_key,
				       "No master key %u and no SA key for SPI 0x%08x",
				       (h->spi & PSP_SPI_KEY_SELECTOR) ? 1 : 0, h->spi);
	col_append_str(pinfo->cinfo, COL_INFO,
		       r == TRY_AUTH_FAILED ? " [auth failed]" : " [no key]");
}

static void show_key(tvbuff_t *tvb, packet_info *pinfo, const struct psp_hdr *h,
		     const struct psp_pkt *p)
{
	proto_item_set_generated(proto_tree_add_boolean(h->pt, hf_psp_decrypted, tvb, 0, 0, TRUE));
	proto_item_set_generated(proto_tree_add_bytes_with_length(h->pt, hf_psp_data_key, tvb, 0, 0,
								  p->key, (gint)p->key_len));
	proto_item_set_generated(
	    proto_tree_add_string(h->pt, hf_psp_key_source, tvb, 0, 0, p->source));
	expert_add_info_format(pinfo, h->ti, &ei_psp_decrypted, "Decrypted with %s (%s)", p->how,
			       p->source);
}

/*
 * AES-GMAC: verify the ICV over everything before it; the payload is the
 * inner packet as it is on the wire, handed on whether or not a key
 * verified it (the expert info says which).
 */
static void verify_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
			   const struct psp_hdr *h)
{
	guint len = tvb_reported_length(tvb);
	struct psp_pkt p = {
	    .spi = h->spi,
	    .version = h->version,
	    .nonce = tvb_get_ptr(tvb, 4, 12), /* SPI || IV */
	    .aad = tvb_get_ptr(tvb, 0, len - PSP_ICV_LEN),
	    .aad_len = len - PSP_ICV_LEN,
	    .ct_len = 0,
	    .tag = tvb_get_ptr(tvb, len - PSP_ICV_LEN, PSP_ICV_LEN),
	};
	guint8 none[1];
	enum try_result r = psp_decrypt(&p, none);

	if (r == TRY_OK) {
		show_key(tvb, pinfo, h, &p);
		memset(p.key, 0, sizeof(p.key));
	} else {
		show_failure(tvb, pinfo, h, r);
	}
	eesp_dissect_inner(tvb_new_subset_length(tvb, h->hdr_len, len - PSP_ICV_LEN - h->hdr_len),
			   pinfo, tree, h->nh, FALSE);
}

/* Decrypt, show the result, hand the inner packet on. */
static void decrypt_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
			    const struct psp_hdr *h)
{
	guint len = tvb_reported_length(tvb);
	/* the decrypted view starts after the IV: the bytes a crypt offset left
	 * in clear (VC, extensions, exposed bytes), then the plaintext */
	guint clear_len = h->ct_off - PSP_HDR_LEN;
	struct psp_pkt p = {
	    .spi = h->spi,
	    .version = h->version,
	    .nonce = tvb_get_ptr(tvb, 4, 12), /* SPI || IV */
	    .aad = tvb_get_ptr(tvb, 0, h->ct_off),
	    .aad_len = h->ct_off,
	    .ct_len = len - PSP_ICV_LEN - h->ct_off,
	    .tag = tvb_get_ptr(tvb, len - PSP_ICV_LEN, PSP_ICV_LEN),
	};
	guint dlen = clear_len + (guint)p.ct_len;
	guint8 *dbuf = (guint8 *)wmem_alloc0(pinfo->pool, MAX(dlen, 1));
	enum try_result r;
	tvbuff_t *dtvb;
	proto_item *di;

	p.ct = tvb_get_ptr(tvb, h->ct_off, p.ct_len);
	r = psp_decrypt(&p, dbuf + clear_len);
	if (r != TRY_OK) {
		show_failure(tvb, pinfo, h, r);
		return;
	}
	show_key(tvb, pinfo, h, &p);
	memset(p.key, 0, sizeof(p.key));

	if (clear_len)
		tvb_memcpy(tvb, dbuf, PSP_HDR_LEN, clear_len);
	dtvb = tvb_new_child_real_data(tvb, dbuf, dlen, dlen);
	add_new_data_source(pinfo, dtvb, "Decrypted PSP");
	di = proto_tree_add_item(h->pt, proto_psp, dtvb, 0, -1, ENC_NA);
	proto_item_set_text(di, "Decrypted PSP payload (%u bytes)", dlen);
	/* the inner packet starts after the header (VC and extensions) */
	eesp_dissect_inner(tvb_new_subset_remaining(dtvb, h->hdr_len - PSP_HDR_LEN), pinfo, tree,
			   h->nh, FALSE);
}

/* One PSP datagram (datagram idx of a GSO train of n). */
static int dissect_psp_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint idx, guint n)
{
	guint len = tvb_reported_length(tvb);
	struct psp_hdr h;
	gboolean ok;

	if (len < 4)
		return 0;
	memset(&h, 0, sizeof(h));
	col_set_str(pinfo->cinfo, COL_PROTOCOL, "PSP");
	col_clear(pinfo->cinfo, COL_INFO);
	h.ti = proto_tree_add_item(tree, proto_psp, tvb, 0, -1, ENC_NA);
	h.pt = proto_item_add_subtree(h.ti, ett_psp);
	eesp_train_mark(tvb, h.ti, h.pt, EESP_MODE_PSP, idx, n);
	if (len < PSP_HDR_LEN + PSP_ICV_LEN) {
		expert_add_info_format(pinfo, h.ti, &ei_psp_malformed,
				       "Truncated: %u bytes, header and ICV need 32", len);
		col_set_str(pinfo->cinfo, COL_INFO, "PSP (truncated)");
		return tvb_captured_length(tvb);
	}
	ok = fixed_header(tvb, pinfo, &h);
	h.gmac = psp_version_is_gmac(h.version);
	if (!layout(tvb, pinfo, &h))
		return tvb_captured_length(tvb);
	if (h.version > PSP_VER_MAX) {
		expert_add_info_format(pinfo, h.ti, &ei_psp_malformed,
				       "bad_version: reserved PSP version %u", h.version);
		return tvb_captured_length(tvb);
	}
	if (h.gmac && h.co) {
		/* what eespd drops before any key derivation (eesp.7) */
		expert_add_info_format(pinfo, h.ti, &ei_psp_malformed,
				       "psp_gmac_crypt_offset: Crypt Offset %u with AES-GMAC "
				       "(version %u), which encrypts nothing: must be 0",
				       h.co, h.version);
		return tvb_captured_length(tvb);
	}
	if (!ok)
		return tvb_captured_length(tvb);
	if (tvb_captured_length(tvb) < len) {
		expert_add_info_format(pinfo, h.ti, &ei_psp_malformed,
				       "Packet not fully captured: cannot decrypt");
		return tvb_captured_length(tvb);
	}
	if (h.gmac)
		verify_payload(tvb, pinfo, tree, &h);
	else
		decrypt_payload(tvb, pinfo, tree, &h);
	return tvb_captured_length(tvb);
}

/* UDP port 1000: PSP, a GSO train of PSP datagrams split first */
static int dissect_psp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	if (tvb_reported_length(tvb) < 4)
		return 0;
	return eesp_dissect_train(tvb, pinfo, tree, EESP_MODE_PSP, dissect_psp_pdu);
}

/* ------------------------------------------------------- registration -- */

void proto_register_psp(void)
{
	static hf_register_info hf[] = {
	    {&hf_psp_nexthdr,
	     {"Next Header", "psp.nexthdr", FT_UINT8, BASE_DEC | BASE_EXT_STRING, &ipproto_val_ext,
	      0, NULL, HFILL}},
	    {&hf_psp_hdrextlen,
	     {"Hdr Ext Len", "psp.hdrextlen", FT_UINT8, BASE_DEC, NULL, 0,
	      "8-octet units after the first 8", HFILL}},
	    {&hf_psp_reserved,
	     {"Reserved", "psp.reserved", FT_UINT8, BASE_HEX, NULL, 0xc0, NULL, HFILL}},
	    {&hf_psp_cryptoffset,
	     {"Crypt Offset (4-byte units)", "psp.cryptoffset", FT_UINT8, BASE_DEC, NULL,
	      PSP_CRYPT_OFFSET_MASK, "From the end of the IV", HFILL}},
	    {&hf_psp_s, {"Sample (S)", "psp.s", FT_BOOLEAN, 8, NULL, PSP_FLAG_S, NULL, HFILL}},
	    {&hf_psp_d,
	     {"Drop after sampling (D)", "psp.d", FT_BOOLEAN, 8, NULL, PSP_FLAG_D, NULL, HFILL}},
	    {&hf_psp_version,
	     {"Version", "psp.version", FT_UINT8, BASE_DEC, VALS(psp_version_vals), 0x3c, NULL,
	      HFILL}},
	    {&hf_psp_v, {"VC present (V)", "psp.v", FT_BOOLEAN, 8, NULL, PSP_FLAG_V, NULL, HFILL}},
	    {&hf_psp_one,
	     {"Always 1", "psp.one", FT_UINT8, BASE_DEC, NULL, PSP_ALWAYS_1, NULL, HFILL}},
	    {&hf_psp_spi, {"SPI", "psp.spi", FT_UINT32, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_psp_spi_keyselector,
	     {"Master key selector", "psp.spi.keyselector", FT_BOOLEAN, 32, NULL,
	      PSP_SPI_KEY_SELECTOR, "SPI bit 31: master key 1 if set", HFILL}},
	    {&hf_psp_iv, {"IV", "psp.iv", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_psp_vc,
	     {"Virtualization Cookie", "psp.vc", FT_UINT64, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_psp_ext,
	     {"Header extension", "psp.ext", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_exposed,
	     {"Exposed bytes", "psp.exposed", FT_BYTES, BASE_NONE, NULL, 0,
	      "Left in clear by the crypt offset (authenticated)", HFILL}},
	    {&hf_psp_payload,
	     {"Encrypted payload", "psp.payload", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_auth_payload,
	     {"Payload (in clear, authenticated)", "psp.auth_payload", FT_BYTES, BASE_NONE, NULL, 0,
	      "AES-GMAC (versions 2, 3): covered by the ICV, not encrypted", HFILL}},
	    {&hf_psp_icv, {"ICV", "psp.icv", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_decrypted,
	     {"Decrypted", "psp.decrypted", FT_BOOLEAN, BASE_NONE, NULL, 0,
	      "A key opened the datagram (AES-GMAC: verified its ICV)", HFILL}},
	    {&hf_psp_data_key,
	     {"Data key", "psp.data_key", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_psp_key_source,
	     {"Key source", "psp.key_source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	};
	static gint *ett[] = {&ett_psp};
	static ei_register_info ei[] = {
	    {&ei_psp_no_key,
	     {"psp.expert.no_key", PI_DECRYPTION, PI_WARN, "No key for this SPI", EXPFILL}},
	    {&ei_psp_auth_failed,
	     {"psp.expert.auth_failed", PI_DECRYPTION, PI_ERROR, "Authentication failed", EXPFILL}},
	    {&ei_psp_malformed,
	     {"psp.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed PSP packet", EXPFILL}},
	    {&ei_psp_decrypted,
	     {"psp.expert.decrypted", PI_DECRYPTION, PI_CHAT, "Decrypted", EXPFILL}},
	};

	proto_psp = proto_register_protocol("PSP Security Protocol", "PSP", "psp");
	eesp_vals_from_names(psp_version_vals, eesp_psp_version_names);
	proto_register_field_array(proto_psp, hf, array_length(hf));
	eesp_train_register(proto_psp, EESP_MODE_PSP);
	proto_register_subtree_array(ett, array_length(ett));
	expert_register_field_array(expert_register_protocol(proto_psp), ei, array_length(ei));
	psp_handle = register_dissector("psp", dissect_psp, proto_psp);
	/* no preferences of its own: the keys are eesp.keyfile and eesp.keys; the
	 * module holds psp.udp.port (Decode As) */
	prefs_register_protocol(proto_psp, eesp_keys_mark_dirty);
}

void proto_reg_handoff_psp(void)
{
	dissector_add_uint_with_preference("udp.port", PSP_UDP_PORT, psp_handle);
}
