/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp-options.c - the options area of an EESP header (draft -04
 * §2.3): Pad1, PadN, Crypt Offset and the project's Stateless Context
 * option (eesp_proto.h), which carries everything the key derivation needs.
 * Also the heuristic's test, which looks for that option.
 */

#include "packet-eesp.h"

static int hf_eesp_options = -1;
static int hf_eesp_option = -1;
static int hf_eesp_option_type = -1;
static int hf_eesp_option_len = -1;
static int hf_eesp_option_data = -1;
static int hf_eesp_pad = -1;
static int hf_eesp_co = -1;
static int hf_eesp_co_payload_offset = -1;
static int hf_eesp_co_crypt_offset = -1;
static int hf_eesp_co_reserved = -1;
static int hf_eesp_sctx_profile = -1;
static int hf_eesp_sctx_kdf = -1;
static int hf_eesp_sctx_suite = -1;
static int hf_eesp_sctx_flags = -1;
static int hf_eesp_sctx_flags_tenant = -1;
static int hf_eesp_sctx_flags_group = -1;
static int hf_eesp_sctx_flags_reserved = -1;
static int hf_eesp_sctx_phase = -1;
static int hf_eesp_sctx_phase_domain = -1;
static int hf_eesp_sctx_phase_tenant = -1;
static int hf_eesp_sctx_phase_group = -1;
static int hf_eesp_sctx_phase_reserved = -1;
static int hf_eesp_sctx_epoch = -1;
static int hf_eesp_sctx_tenant_id = -1;
static int hf_eesp_sctx_group_id = -1;
static int hf_eesp_sctx_node_id = -1;
static int hf_eesp_sctx_peer_node_id = -1;

static gint ett_eesp_options = -1;
static gint ett_eesp_option = -1;
static gint ett_eesp_flags = -1;
static gint ett_eesp_phase = -1;
static gint ett_eesp_co = -1;

static const value_string eesp_option_vals[] = {
    {EESP_OPT_PAD1, "Pad1"},
    {EESP_OPT_PADN, "PadN"},
    {EESP_OPT_CRYPT_OFFSET, "Crypt Offset"},
    {EESP_OPT_SCTX, "Stateless Context"},
    {0, NULL},
};

/* The words of names.h, filled in by eesp_options_register(). */
static value_string eesp_profile_vals[G_N_ELEMENTS(eesp_profile_names)];
static value_string eesp_kdf_vals[G_N_ELEMENTS(eesp_kdf_names)];
static value_string eesp_suite_vals[G_N_ELEMENTS(eesp_suite_names)];
static char help_peer_node_id[64];

/* ----------------------------------------------- stateless context -- */

/* The fixed part as far as it is there, and (valid) the ids it announces. */
static void add_sctx(tvbuff_t *tvb, proto_tree *t, guint off, guint len, const struct eesp_sctx *c,
		     gboolean valid)
{
	static int *const flags[] = {&hf_eesp_sctx_flags_tenant, &hf_eesp_sctx_flags_group,
				     &hf_eesp_sctx_flags_reserved, NULL};
	static int *const phases[] = {&hf_eesp_sctx_phase_domain, &hf_eesp_sctx_phase_tenant,
				      &hf_eesp_sctx_phase_group, &hf_eesp_sctx_phase_reserved,
				      NULL};
	guint o = off + EESP_SCTX_FIXED_LEN;

	if (len < 1)
		return;
	proto_tree_add_item(t, hf_eesp_sctx_profile, tvb, off, 1, ENC_BIG_ENDIAN);
	if (len < 2)
		return;
	proto_tree_add_item(t, hf_eesp_sctx_kdf, tvb, off + 1, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(t, hf_eesp_sctx_suite, tvb, off + 1, 1, ENC_BIG_ENDIAN);
	if (len < 3)
		return;
	proto_tree_add_bitmask(t, tvb, off + 2, hf_eesp_sctx_flags, ett_eesp_flags, flags,
			       ENC_BIG_ENDIAN);
	if (len < 4)
		return;
	proto_tree_add_bitmask(t, tvb, off + 3, hf_eesp_sctx_phase, ett_eesp_phase, phases,
			       ENC_BIG_ENDIAN);
	if (len < 8)
		return;
	proto_tree_add_item(t, hf_eesp_sctx_epoch, tvb, off + 4, 4, ENC_BIG_ENDIAN);
	if (!valid)
		return;
	/* the order of eesp_sctx_encode() */
	if (c->flags & EESP_SCTX_FLAG_T) {
		proto_tree_add_item(t, hf_eesp_sctx_tenant_id, tvb, o, 4, ENC_BIG_ENDIAN);
		o += 4;
	}
	if (c->flags & EESP_SCTX_FLAG_G) {
		proto_tree_add_item(t, hf_eesp_sctx_group_id, tvb, o, 4, ENC_BIG_ENDIAN);
		o += 4;
	}
	if (eesp_profile_has_node(c->profile)) {
		proto_tree_add_item(t, hf_eesp_sctx_node_id, tvb, o, 4, ENC_BIG_ENDIAN);
		o += 4;
	}
	if (c->profile == EESP_PROFILE_PAIR)
		proto_tree_add_item(t, hf_eesp_sctx_peer_node_id, tvb, o, 4, ENC_BIG_ENDIAN);
}

static const char *sctx_verdict_str(enum eesp_sctx_verdict v, packet_info *pinfo)
{
	switch (v) {
	case EESP_SCTX_OK:
		return "ok";
	case EESP_SCTX_BAD_LEN:
		return "option length does not match profile and level flags";
	case EESP_SCTX_BAD_PROFILE:
		return "unknown profile";
	case EESP_SCTX_BAD_KDF:
		return "unknown KDF";
	case EESP_SCTX_BAD_SUITE:
		return "unknown AEAD suite";
	case EESP_SCTX_BAD_FLAGS:
		return wmem_strdup_printf(pinfo->pool,
					  "reserved bits set, %s profile without T, or phase of "
					  "an absent level",
					  eesp_profile_word(EESP_PROFILE_TENANT));
	}
	return "?";
}

static void option_sctx(tvbuff_t *tvb, packet_info *pinfo, proto_item *oi, proto_tree *oit,
			guint off, guint olen, struct eesp_opts *o)
{
	struct eesp_sctx c;
	enum eesp_sctx_verdict v = eesp_sctx_decode(tvb_get_ptr(tvb, off, olen), olen, &c);

	add_sctx(tvb, oit, off, olen, &c, v == EESP_SCTX_OK);
	if (o->sctx_found) {
		expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
				       "Duplicate Stateless Context option");
		o->bad = TRUE;
	} else if (v != EESP_SCTX_OK) {
		expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
				       "Bad Stateless Context option: %s",
				       sctx_verdict_str(v, pinfo));
		o->bad = TRUE;
	} else {
		o->sctx_found = TRUE;
		o->sctx = c;
		o->sctx_off = off;
		o->sctx_len = olen;
		proto_item_append_text(oi, " (profile %s, epoch %u)", eesp_profile_word(c.profile),
				       c.epoch);
	}
}

/* ------------------------------------------------------ other options -- */

static void option_crypt_offset(tvbuff_t *tvb, packet_info *pinfo, proto_item *oi, proto_tree *oit,
				guint off, guint olen, struct eesp_opts *o)
{
	static int *const cof[] = {&hf_eesp_co_payload_offset, &hf_eesp_co_crypt_offset,
				   &hf_eesp_co_reserved, NULL};
	guint16 v;

	if (olen != EESP_OPT_CRYPT_OFFSET_DATA_LEN) {
		expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
				       "Crypt Offset option data must be 2 bytes");
		o->bad = TRUE;
		return;
	}
	if (o->has_co) {
		expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
				       "Duplicate Crypt Offset option");
		o->bad = TRUE;
		return;
	}
	v = tvb_get_ntohs(tvb, off);
	proto_tree_add_bitmask(oit, tvb, off, hf_eesp_co, ett_eesp_co, cof, ENC_BIG_ENDIAN);
	o->has_co = TRUE;
	o->po = eesp_co_payload_offset(v);
	o->co = eesp_co_crypt_offset(v);
	proto_item_append_text(oi, " (payload offset %u, crypt offset %u)", o->po * 4, o->co * 4);
}

static void option_pad1(tvbuff_t *tvb, proto_tree *ot, guint off)
{
	proto_item *oi = proto_tree_add_item(ot, hf_eesp_option, tvb, off, 1, ENC_NA);
	proto_tree *oit;

	proto_item_set_text(oi, "Option: Pad1");
	oit = proto_item_add_subtree(oi, ett_eesp_option);
	proto_tree_add_item(oit, hf_eesp_option_type, tvb, off, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(oit, hf_eesp_pad, tvb, off, 1, ENC_NA);
}

/* The option at off, before opt_end: the bytes it takes, 0 if it overruns
 * the options area (the rest cannot be parsed). */
static guint dissect_option(tvbuff_t *tvb, packet_info *pinfo, proto_tree *ot, guint off,
			    guint opt_end, struct eesp_opts *o)
{
	guint8 type = tvb_get_guint8(tvb, off), olen;
	proto_item *oi;
	proto_tree *oit;

	if (type == EESP_OPT_PAD1) {
		option_pad1(tvb, ot, off);
		return 1;
	}
	if (off + 2 > opt_end || off + 2 + (olen = tvb_get_guint8(tvb, off + 1)) > opt_end) {
		oi = proto_tree_add_item(ot, hf_eesp_option, tvb, off, opt_end - off, ENC_NA);
		expert_add_info_format(pinfo, oi, &ei_eesp_malformed,
				       "Option overruns the options area");
		o->bad = TRUE;
		return 0;
	}
	oi = proto_tree_add_item(ot, hf_eesp_option, tvb, off, 2 + olen, ENC_NA);
	proto_item_set_text(oi, "Option: %s", val_to_str_const(type, eesp_option_vals, "Unknown"));
	oit = proto_item_add_subtree(oi, ett_eesp_option);
	proto_tree_add_item(oit, hf_eesp_option_type, tvb, off, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(oit, hf_eesp_option_len, tvb, off + 1, 1, ENC_BIG_ENDIAN);
	switch (type) {
	case EESP_OPT_PADN:
		if (olen)
			proto_tree_add_item(oit, hf_eesp_pad, tvb, off + 2, olen, ENC_NA);
		break;
	case EESP_OPT_CRYPT_OFFSET:
		option_crypt_offset(tvb, pinfo, oi, oit, off + 2, olen, o);
		break;
	case EESP_OPT_SCTX:
		option_sctx(tvb, pinfo, oi, oit, off + 2, olen, o);
		break;
	default: /* skipped by receivers, still authenticated */
		if (olen)
			proto_tree_add_item(oit, hf_eesp_option_data, tvb, off + 2, olen, ENC_NA);
		break;
	}
	return 2 + olen;
}

gboolean eesp_dissect_options(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, proto_tree *et,
			      guint optlen, struct eesp_opts *o)
{
	guint len = tvb_reported_length(tvb), opt_end = EESP_BASE_LEN + optlen, used;
	proto_item *opts_item = NULL;
	proto_tree *ot;

	memset(o, 0, sizeof(*o));
	if (optlen)
		opts_item = proto_tree_add_item(et, hf_eesp_options, tvb, EESP_BASE_LEN,
						MIN(optlen, len - EESP_BASE_LEN), ENC_NA);
	if (opt_end > len) {
		expert_add_info_format(pinfo, opts_item ? opts_item : ti, &ei_eesp_malformed,
				       "Opt Len %u runs past the end of the packet", optlen);
		return FALSE;
	}
	ot = opts_item ? proto_item_add_subtree(opts_item, ett_eesp_options) : NULL;
	for (guint off = EESP_BASE_LEN; off < opt_end; off += used)
		if (!(used = dissect_option(tvb, pinfo, ot, off, opt_end, o)))
			break;
	return TRUE;
}

/* ---------------------------------------------------------- heuristic -- */

/* 1 | version 0 | reserved 0, room for a stateless context option, an SN
 * and an ICV, and a stateless context option that decodes. */
gboolean eesp_looks_valid(tvbuff_t *tvb)
{
	guint len = tvb_reported_length(tvb), optlen, off, end;

	if (len < EESP_BASE_LEN + 2 + EESP_SCTX_FIXED_LEN + EESP_PEER_LEN + EESP_ICV_LEN ||
	    tvb_captured_length(tvb) < EESP_BASE_LEN)
		return FALSE;
	if (tvb_get_guint8(tvb, 0) != EESP_FIRST_BIT)
		return FALSE;
	optlen = tvb_get_guint8(tvb, 1);
	end = EESP_BASE_LEN + optlen;
	if (optlen < 2 + EESP_SCTX_FIXED_LEN || end + EESP_PEER_LEN + EESP_ICV_LEN > len ||
	    tvb_captured_length(tvb) < end)
		return FALSE;
	for (off = EESP_BASE_LEN; off < end;) {
		guint8 t = tvb_get_guint8(tvb, off), l;
		struct eesp_sctx c;
		if (t == EESP_OPT_PAD1) {
			off++;
			continue;
		}
		if (off + 2 > end)
			return FALSE;
		l = tvb_get_guint8(tvb, off + 1);
		if (off + 2 + l > end)
			return FALSE;
		if (t == EESP_OPT_SCTX)
			return eesp_sctx_decode(tvb_get_ptr(tvb, off + 2, l), l, &c) ==
			       EESP_SCTX_OK;
		off += 2 + l;
	}
	return FALSE;
}

/* ------------------------------------------------------- registration -- */

void eesp_options_register(int proto)
{
	static hf_register_info hf[] = {
	    {&hf_eesp_options,
	     {"Options", "eesp.options", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_option, {"Option", "eesp.option", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_option_type,
	     {"Type", "eesp.option.type", FT_UINT8, BASE_DEC, VALS(eesp_option_vals), 0, NULL,
	      HFILL}},
	    {&hf_eesp_option_len,
	     {"Opt Data Len", "eesp.option.len", FT_UINT8, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_option_data,
	     {"Option data", "eesp.option.data", FT_BYTES, BASE_NONE, NULL, 0,
	      "Unknown option (skipped, still authenticated)", HFILL}},
	    {&hf_eesp_pad, {"Padding", "eesp.pad", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_co,
	     {"Crypt Offset", "eesp.crypt_offset", FT_UINT16, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_co_payload_offset,
	     {"Payload Offset (4-byte units)", "eesp.crypt_offset.payload_offset", FT_UINT16,
	      BASE_DEC, NULL, 0xfc00, NULL, HFILL}},
	    {&hf_eesp_co_crypt_offset,
	     {"Crypt Offset (4-byte units)", "eesp.crypt_offset.crypt_offset", FT_UINT16, BASE_DEC,
	      NULL, 0x03f0, NULL, HFILL}},
	    {&hf_eesp_co_reserved,
	     {"Reserved", "eesp.crypt_offset.reserved", FT_UINT16, BASE_HEX, NULL, 0x000f, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_profile,
	     {"Profile", "eesp.sctx.profile", FT_UINT8, BASE_DEC, VALS(eesp_profile_vals), 0, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_kdf,
	     {"KDF", "eesp.sctx.kdf", FT_UINT8, BASE_DEC, VALS(eesp_kdf_vals), 0xf0,
	      "PRF of the SP 800-108 counter-mode KDF", HFILL}},
	    {&hf_eesp_sctx_suite,
	     {"Suite", "eesp.sctx.suite", FT_UINT8, BASE_DEC, VALS(eesp_suite_vals), 0x0f, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_flags,
	     {"Levels", "eesp.sctx.flags", FT_UINT8, BASE_HEX, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_flags_tenant,
	     {"Tenant level (T)", "eesp.sctx.flags.tenant", FT_BOOLEAN, 8, NULL, EESP_SCTX_FLAG_T,
	      NULL, HFILL}},
	    {&hf_eesp_sctx_flags_group,
	     {"Group level (G)", "eesp.sctx.flags.group", FT_BOOLEAN, 8, NULL, EESP_SCTX_FLAG_G,
	      NULL, HFILL}},
	    {&hf_eesp_sctx_flags_reserved,
	     {"Reserved", "eesp.sctx.flags.reserved", FT_UINT8, BASE_HEX, NULL,
	      EESP_SCTX_FLAGS_RESERVED, NULL, HFILL}},
	    {&hf_eesp_sctx_phase,
	     {"Phases", "eesp.sctx.phase", FT_UINT8, BASE_HEX, NULL, 0,
	      "Root-key generation mod 4 per level", HFILL}},
	    {&hf_eesp_sctx_phase_domain,
	     {"Domain phase", "eesp.sctx.phase.domain", FT_UINT8, BASE_DEC, NULL, 0xc0, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_phase_tenant,
	     {"Tenant phase", "eesp.sctx.phase.tenant", FT_UINT8, BASE_DEC, NULL, 0x30, NULL,
	      HFILL}},
	    {&hf_eesp_sctx_phase_group,
	     {"Group phase", "eesp.sctx.phase.group", FT_UINT8, BASE_DEC, NULL, 0x0c, NULL, HFILL}},
	    {&hf_eesp_sctx_phase_reserved,
	     {"Reserved", "eesp.sctx.phase.reserved", FT_UINT8, BASE_HEX, NULL, 0x03, NULL, HFILL}},
	    {&hf_eesp_sctx_epoch,
	     {"Epoch", "eesp.sctx.epoch", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_tenant_id,
	     {"Tenant ID", "eesp.sctx.tenant_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_group_id,
	     {"Group ID", "eesp.sctx.group_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_sctx_node_id,
	     {"Node ID", "eesp.sctx.node_id", FT_UINT32, BASE_DEC, NULL, 0, "The sender", HFILL}},
	    {&hf_eesp_sctx_peer_node_id,
	     {"Peer Node ID", "eesp.sctx.peer_node_id", FT_UINT32, BASE_DEC, NULL, 0,
	      help_peer_node_id, HFILL}},
	};
	static gint *ett[] = {&ett_eesp_options, &ett_eesp_option, &ett_eesp_flags, &ett_eesp_phase,
			      &ett_eesp_co};

	eesp_vals_from_names(eesp_profile_vals, eesp_profile_names);
	eesp_vals_from_names(eesp_kdf_vals, eesp_kdf_names);
	eesp_vals_from_names(eesp_suite_vals, eesp_suite_names);
	g_snprintf(help_peer_node_id, sizeof(help_peer_node_id),
		   "The intended receiver (profile %s)", eesp_profile_word(EESP_PROFILE_PAIR));
	proto_register_field_array(proto, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
}
