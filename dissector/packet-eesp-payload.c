/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp-payload.c - the payload of an EESP datagram once it is
 * decrypted: which key opened it, the decrypted bytes as a data source of
 * their own, the Payload Info Header and padding checked as eespd checks
 * them, and the inner IPv4/IPv6 packet handed on.  When no key opens the
 * datagram, an expert info says why.
 */

#include "packet-eesp.h"

#include <epan/ipproto.h>

static int hf_eesp_pih = -1;
static int hf_eesp_pih_zero = -1;
static int hf_eesp_pih_reserved = -1;
static int hf_eesp_pih_next_header = -1;
static int hf_eesp_pih_pad_length = -1;
static int hf_eesp_padding = -1;
static int hf_eesp_decrypted = -1;
static int hf_eesp_data_key = -1;
static int hf_eesp_salt = -1;
static int hf_eesp_key_source = -1;
static int hf_eesp_key_info = -1;

static gint ett_eesp_pih = -1;
static gint ett_eesp_decrypted = -1;

void eesp_add_pih(tvbuff_t *tvb, proto_tree *t, guint off)
{
	proto_item *pi = proto_tree_add_item(t, hf_eesp_pih, tvb, off, EESP_PIH_LEN, ENC_NA);
	proto_tree *pt = proto_item_add_subtree(pi, ett_eesp_pih);

	proto_tree_add_item(pt, hf_eesp_pih_zero, tvb, off, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_eesp_pih_reserved, tvb, off, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_eesp_pih_next_header, tvb, off + 2, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(pt, hf_eesp_pih_pad_length, tvb, off + 3, 1, ENC_BIG_ENDIAN);
}

/* ------------------------------------------------------------- checks -- */

/* Length of the IPv4/IPv6 packet at off (within avail bytes), 0 if it is
 * none: the rule of src/core/packet.c ip_len_of. */
static guint ip_len(tvbuff_t *tvb, guint off, guint avail)
{
	guint v = avail ? tvb_get_guint8(tvb, off) >> 4 : 0, ihl, tl;

	if (v == 4 && avail >= 20) {
		ihl = (tvb_get_guint8(tvb, off) & 0x0f) * 4u;
		tl = tvb_get_ntohs(tvb, off + 2);
		return ihl >= 20 && tl >= ihl && tl <= avail ? tl : 0;
	}
	if (v == 6 && avail >= 40) {
		tl = 40u + tvb_get_ntohs(tvb, off + 4);
		return tl <= avail ? tl : 0;
	}
	return 0;
}

/*
 * The full-format payload of a decrypted packet, checked as eespd checks it
 * (src/core/packet.c, eesp.7 RECEIVE PROCESSING 22-23): NULL if the Payload
 * Info Header and the padding are valid (*inner_len set), else the message
 * of the expert info, starting with the drop reason eespd counts.
 */
static const char *check_full_payload(tvbuff_t *dtvb, guint dlen, guint *inner_len,
				      packet_info *pinfo)
{
	guint nh, pad, payload, v, il;

	if (tvb_get_ntohs(dtvb, 0))
		return "bad_payload_info: the 0x0 nibble and the 12 reserved bits must be 0";
	nh = tvb_get_guint8(dtvb, 2);
	pad = tvb_get_guint8(dtvb, 3);
	if (nh != EESP_PIH_NH_IPV4 && nh != EESP_PIH_NH_IPV6)
		return wmem_strdup_printf(pinfo->pool,
					  "bad_payload_info: Next Header %u is not 4 or 41", nh);
	if (pad > dlen - EESP_PIH_LEN)
		return wmem_strdup_printf(pinfo->pool,
					  "bad_payload_info: Pad Length %u exceeds the %u bytes "
					  "after the header",
					  pad, dlen - EESP_PIH_LEN);
	payload = dlen - EESP_PIH_LEN - pad;
	v = payload ? tvb_get_guint8(dtvb, EESP_PIH_LEN) >> 4 : 0;
	if (payload && v != (nh == EESP_PIH_NH_IPV4 ? 4u : 6u))
		return wmem_strdup_printf(pinfo->pool,
					  "bad_payload_info: Next Header %u, but the inner packet "
					  "starts with version %u",
					  nh, v);
	il = ip_len(dtvb, EESP_PIH_LEN, payload);
	if (!il || il != payload)
		return wmem_strdup_printf(pinfo->pool,
					  "bad_inner: no IPv4/IPv6 packet that ends where the %u "
					  "bytes of padding start (%u bytes after the header)",
					  pad, payload);
	*inner_len = il;
	return NULL;
}

/* ------------------------------------------------------ inner packets -- */

/* Full format: Payload Info Header, inner packet, Pad Length bytes. */
static void full_payload(tvbuff_t *dtvb, packet_info *pinfo, proto_tree *tree, proto_item *di,
			 proto_tree *dt, guint dlen, const struct eesp_layout *l)
{
	guint inner_len = 0;
	guint8 nh, padlen;
	const char *why;

	if (dlen < EESP_PIH_LEN) {
		expert_add_info_format(pinfo, di, &ei_eesp_malformed,
				       "No room for the Payload Info Header");
		return;
	}
	/* with a crypt offset the header was in clear, and shown there */
	if (l->co == 0)
		eesp_add_pih(dtvb, dt, 0);
	nh = tvb_get_guint8(dtvb, 2);
	padlen = tvb_get_guint8(dtvb, 3);
	why = check_full_payload(dtvb, dlen, &inner_len, pinfo);
	if (why) {
		/* eespd drops it: show the payload as data, say why */
		expert_add_info_format(pinfo, di, &ei_eesp_malformed, "%s", why);
		col_append_fstr(pinfo->cinfo, COL_INFO, " [%.*s]", (int)strcspn(why, ":"), why);
		call_data_dissector(tvb_new_subset_remaining(dtvb, EESP_PIH_LEN), pinfo, tree);
		return;
	}
	if (padlen)
		proto_tree_add_item(dt, hf_eesp_padding, dtvb, EESP_PIH_LEN + inner_len, padlen,
				    ENC_NA);
	eesp_dissect_inner(tvb_new_subset_length(dtvb, EESP_PIH_LEN, inner_len), pinfo, tree, nh,
			   FALSE);
}

/* Optimized format: the inner packet, then at most 255 bytes of padding. */
static void optimized_payload(tvbuff_t *dtvb, packet_info *pinfo, proto_tree *tree, proto_item *di,
			      proto_tree *dt, guint dlen)
{
	guint inner_len = ip_len(dtvb, 0, dlen);

	if (!inner_len || dlen - inner_len > 255) {
		expert_add_info_format(pinfo, di, &ei_eesp_malformed,
				       "bad_inner: decrypted payload is not an "
				       "IPv4/IPv6 packet of consistent length");
		call_data_dissector(dtvb, pinfo, tree);
		return;
	}
	if (dlen > inner_len)
		proto_tree_add_item(dt, hf_eesp_padding, dtvb, inner_len, dlen - inner_len, ENC_NA);
	eesp_dissect_inner(tvb_new_subset_length(dtvb, 0, inner_len), pinfo, tree, 0, TRUE);
}

/* ------------------------------------------------------------ results -- */

/* No key opened p: the reason, on the encrypted payload. */
static void show_failure(tvbuff_t *tvb, packet_info *pinfo, const struct eesp_layout *l,
			 enum try_result r, const struct eesp_pkt *p)
{
	expert_field *ei = r == TRY_AUTH_FAILED	  ? &ei_eesp_auth_failed
			   : r == TRY_UNKNOWN_GEN ? &ei_eesp_unknown_generation
						  : &ei_eesp_no_key;

	proto_item_set_generated(
	    proto_tree_add_boolean(l->et, hf_eesp_decrypted, tvb, 0, 0, FALSE));
	expert_add_info_format(pinfo, l->tail_item ? l->tail_item : l->ti, ei, "%s",
			       p->reason ? p->reason : "no key");
	col_append_str(pinfo->cinfo, COL_INFO,
		       r == TRY_AUTH_FAILED ? " [auth failed]" : " [no key]");
}

/* The key that opened p and where it came from, as generated fields. */
static void show_key(tvbuff_t *tvb, packet_info *pinfo, const struct eesp_layout *l,
		     const struct eesp_pkt *p)
{
	proto_tree *et = l->et;

	proto_item_set_generated(proto_tree_add_boolean(et, hf_eesp_decrypted, tvb, 0, 0, TRUE));
	proto_item_set_generated(proto_tree_add_bytes_with_length(et, hf_eesp_data_key, tvb, 0, 0,
								  p->key, (gint)p->key_len));
	proto_item_set_generated(
	    proto_tree_add_bytes_with_length(et, hf_eesp_salt, tvb, 0, 0, p->salt, EESP_SALT_LEN));
	proto_item_set_generated(
	    proto_tree_add_string(et, hf_eesp_key_source, tvb, 0, 0, p->source));
	if (p->info)
		proto_item_set_generated(
		    proto_tree_add_string(et, hf_eesp_key_info, tvb, 0, 0, p->info));
	expert_add_info_format(pinfo, l->ti, &ei_eesp_decrypted, "Decrypted with %s (%s)",
			       p->info ? p->info : "?", p->source);
}

void eesp_dissect_payload(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
			  const struct eesp_layout *l, struct eesp_pkt *p)
{
	/* the decrypted view starts after the peer header: bytes left in clear
	 * by a crypt offset, then the plaintext */
	guint clear_len = l->ct_off - l->hdr_len;
	guint dlen = clear_len + (guint)p->ct_len;
	guint8 *dbuf = (guint8 *)wmem_alloc0(pinfo->pool, MAX(dlen, 1));
	enum try_result r = eesp_decrypt(pinfo, p, dbuf + clear_len);
	tvbuff_t *dtvb;
	proto_item *di;
	proto_tree *dt;

	if (r != TRY_OK) {
		show_failure(tvb, pinfo, l, r, p);
		return;
	}
	show_key(tvb, pinfo, l, p);
	memset(p->key, 0, sizeof(p->key));

	if (clear_len)
		tvb_memcpy(tvb, dbuf, l->hdr_len, clear_len);
	dtvb = tvb_new_child_real_data(tvb, dbuf, dlen, dlen);
	add_new_data_source(pinfo, dtvb, "Decrypted EESP");
	di = proto_tree_add_item(l->et, proto_eesp, dtvb, 0, -1, ENC_NA);
	proto_item_set_text(di, "Decrypted EESP payload (%u bytes)", dlen);
	dt = proto_item_add_subtree(di, ett_eesp_decrypted);
	if (l->has_co)
		full_payload(dtvb, pinfo, tree, di, dt, dlen, l);
	else
		optimized_payload(dtvb, pinfo, tree, di, dt, dlen);
}

/* ------------------------------------------------------- registration -- */

void eesp_payload_register(int proto)
{
	static hf_register_info hf[] = {
	    {&hf_eesp_pih,
	     {"Payload Info Header", "eesp.pih", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_pih_zero,
	     {"Zero nibble", "eesp.pih.zero", FT_UINT32, BASE_HEX, NULL, 0xf0000000, NULL, HFILL}},
	    {&hf_eesp_pih_reserved,
	     {"Reserved", "eesp.pih.reserved", FT_UINT32, BASE_HEX, NULL, 0x0fff0000, NULL, HFILL}},
	    {&hf_eesp_pih_next_header,
	     {"Next Header", "eesp.pih.next_header", FT_UINT8, BASE_DEC | BASE_EXT_STRING,
	      &ipproto_val_ext, 0, NULL, HFILL}},
	    {&hf_eesp_pih_pad_length,
	     {"Pad Length", "eesp.pih.pad_length", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_padding,
	     {"Padding", "eesp.padding", FT_BYTES, BASE_NONE, NULL, 0,
	      "Bytes after the inner packet", HFILL}},
	    {&hf_eesp_decrypted,
	     {"Decrypted", "eesp.decrypted", FT_BOOLEAN, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_data_key,
	     {"Data key", "eesp.data_key", FT_BYTES, BASE_NONE, NULL, 0,
	      "Derived per packet context", HFILL}},
	    {&hf_eesp_salt,
	     {"Salt", "eesp.salt", FT_BYTES, BASE_NONE, NULL, 0, "Nonce = salt || SN", HFILL}},
	    {&hf_eesp_key_source,
	     {"Key source", "eesp.key_source", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_key_info,
	     {"Root keys used", "eesp.key_info", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	};
	static gint *ett[] = {&ett_eesp_pih, &ett_eesp_decrypted};

	proto_register_field_array(proto, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
}
