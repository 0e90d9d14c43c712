/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp.c - protocol eesp: EESP v0 (draft-ietf-ipsecme-eesp-04) with
 * the project's stateless context option, over UDP.  Registration, the
 * shared UDP port 4500, the heuristic for other ports, and the dissection of
 * one datagram's header; the options are in packet-eesp-options.c, the
 * decrypted payload in packet-eesp-payload.c (see packet-eesp.h).
 */

#include "packet-eesp.h"

int proto_eesp = -1;

static dissector_handle_t eesp_handle;
static dissector_handle_t eesp_port_handle; /* protocol-less wrapper on the EESP port */
static dissector_handle_t prev_port_handle; /* what was there (udpencap on 4500) */
static guint pref_eesp_port = EESP_UDP_PORT;
static guint cur_eesp_port;

static int hf_eesp_first_bit = -1;
static int hf_eesp_version = -1;
static int hf_eesp_reserved = -1;
static int hf_eesp_optlen = -1;
static int hf_eesp_session_id = -1;
static int hf_eesp_spi = -1;
static int hf_eesp_sn = -1;
static int hf_eesp_exposed = -1;
static int hf_eesp_payload = -1;
static int hf_eesp_icv = -1;

static gint ett_eesp = -1;

expert_field ei_eesp_no_key = EI_INIT;
expert_field ei_eesp_unknown_generation = EI_INIT;
expert_field ei_eesp_auth_failed = EI_INIT;
expert_field ei_eesp_malformed = EI_INIT;
expert_field ei_eesp_decrypted = EI_INIT;

/* ------------------------------------------------------------- header -- */

/* Base header: FALSE if nothing more can be parsed.  Reserved bits set
 * only make the datagram bad (receivers drop it); the rest is still shown. */
static gboolean base_header(tvbuff_t *tvb, packet_info *pinfo, const struct eesp_layout *l,
			    struct eesp_pkt *p, guint *optlen, gboolean *bad)
{
	guint len = tvb_reported_length(tvb);
	proto_item *vi, *ri;
	guint8 b0;

	if (len < EESP_BASE_LEN) {
		expert_add_info_format(pinfo, l->ti, &ei_eesp_malformed,
				       "Truncated: %u bytes, base header needs 8", len);
		col_set_str(pinfo->cinfo, COL_INFO, "EESP (truncated)");
		return FALSE;
	}
	b0 = tvb_get_guint8(tvb, 0);
	proto_tree_add_item(l->et, hf_eesp_first_bit, tvb, 0, 1, ENC_BIG_ENDIAN);
	vi = proto_tree_add_item(l->et, hf_eesp_version, tvb, 0, 1, ENC_BIG_ENDIAN);
	ri = proto_tree_add_item(l->et, hf_eesp_reserved, tvb, 0, 1, ENC_BIG_ENDIAN);
	*optlen = tvb_get_guint8(tvb, 1);
	proto_tree_add_item(l->et, hf_eesp_optlen, tvb, 1, 1, ENC_BIG_ENDIAN);
	proto_tree_add_item(l->et, hf_eesp_session_id, tvb, 2, 2, ENC_BIG_ENDIAN);
	proto_tree_add_item(l->et, hf_eesp_spi, tvb, 4, 4, ENC_BIG_ENDIAN);
	p->session_id = tvb_get_ntohs(tvb, 2);
	p->spi = tvb_get_ntohl(tvb, 4);
	col_add_fstr(pinfo->cinfo, COL_INFO, "EESP SPI=0x%08x Session=%u", p->spi, p->session_id);
	proto_item_append_text(l->ti, ", SPI: 0x%08x, Session ID: %u", p->spi, p->session_id);

	if (!(b0 & EESP_FIRST_BIT)) {
		expert_add_info_format(pinfo, l->ti, &ei_eesp_malformed,
				       "First bit is 0: this is ESP, not EESP");
		return FALSE;
	}
	if (((b0 >> EESP_VERSION_SHIFT) & EESP_VERSION_MASK) != EESP_VERSION) {
		expert_add_info_format(pinfo, vi, &ei_eesp_malformed,
				       "Unsupported EESP version %u (only 0 is defined)",
				       (b0 >> EESP_VERSION_SHIFT) & EESP_VERSION_MASK);
		return FALSE;
	}
	if (b0 & EESP_RESERVED_MASK) {
		expert_add_info_format(pinfo, ri, &ei_eesp_malformed,
				       "Reserved bits are not 0 (receivers drop this packet)");
		*bad = TRUE;
	}
	return TRUE;
}

/* Peer header (the SN, also the implicit IV) after the options. */
static gboolean peer_header(tvbuff_t *tvb, packet_info *pinfo, const struct eesp_layout *l,
			    guint opt_end, struct eesp_pkt *p, gboolean *bad)
{
	proto_item *sn_item;

	if (opt_end + EESP_PEER_LEN > tvb_reported_length(tvb)) {
		expert_add_info_format(pinfo, l->ti, &ei_eesp_malformed,
				       "Truncated: no room for the 8-byte peer header (SN)");
		return FALSE;
	}
	sn_item = proto_tree_add_item(l->et, hf_eesp_sn, tvb, opt_end, 8, ENC_BIG_ENDIAN);
	p->sn = tvb_get_ntoh64(tvb, opt_end);
	col_append_fstr(pinfo->cinfo, COL_INFO, " SN=%" G_GUINT64_FORMAT, p->sn);
	/* receivers drop both before any key derivation (eesp_proto.h) */
	if (p->sn == 0) {
		expert_add_info_format(pinfo, sn_item, &ei_eesp_malformed,
				       "Sequence number 0 is invalid (seq_zero)");
		*bad = TRUE;
	} else if (p->sn > EESP_SN_MAX) {
		expert_add_info_format(pinfo, sn_item, &ei_eesp_malformed,
				       "seq_max: sequence number 2^64-1 is never sent");
		*bad = TRUE;
	}
	return TRUE;
}

/* Where the ciphertext starts (Crypt Offset option), and the parts after
 * the peer header: FALSE if they do not fit in the datagram. */
static gboolean layout(tvbuff_t *tvb, packet_info *pinfo, struct eesp_layout *l,
		       const struct eesp_opts *o, guint opt_end, gboolean *bad)
{
	guint len = tvb_reported_length(tvb);

	l->hdr_len = opt_end + EESP_PEER_LEN;
	l->ct_off = l->hdr_len;
	l->has_co = o->has_co;
	l->co = o->co;
	if (o->has_co) {
		if (o->po * 4 != l->hdr_len) {
			expert_add_info_format(pinfo, l->ti, &ei_eesp_malformed,
					       "Payload Offset %u bytes does not match the Payload "
					       "Info Header position %u",
					       o->po * 4, l->hdr_len);
			*bad = TRUE;
		}
		l->ct_off = l->hdr_len + o->co * 4;
	}
	if (l->ct_off + EESP_ICV_LEN > len ||
	    (o->has_co && l->hdr_len + EESP_PIH_LEN + EESP_ICV_LEN > len)) {
		expert_add_info_format(
		    pinfo, l->ti, &ei_eesp_malformed,
		    "Truncated: crypt offset or ICV beyond the end of the packet");
		return FALSE;
	}
	/* full format with a crypt offset: the PIH and inner bytes in clear */
	if (o->has_co && o->co >= 1) {
		eesp_add_pih(tvb, l->et, l->hdr_len);
		if (l->ct_off > l->hdr_len + EESP_PIH_LEN)
			proto_tree_add_item(l->et, hf_eesp_exposed, tvb, l->hdr_len + EESP_PIH_LEN,
					    l->ct_off - l->hdr_len - EESP_PIH_LEN, ENC_NA);
	}
	if (l->ct_off < len - EESP_ICV_LEN)
		l->tail_item = proto_tree_add_item(l->et, hf_eesp_payload, tvb, l->ct_off,
						   len - EESP_ICV_LEN - l->ct_off, ENC_NA);
	proto_tree_add_item(l->et, hf_eesp_icv, tvb, len - EESP_ICV_LEN, EESP_ICV_LEN, ENC_NA);
	return TRUE;
}

/* The parts the key search needs, pointing into tvb (captured in full). */
static void fill_pkt(tvbuff_t *tvb, const struct eesp_layout *l, const struct eesp_opts *o,
		     struct eesp_pkt *p)
{
	guint len = tvb_reported_length(tvb);

	p->sctx = o->sctx;
	p->sctx_data = tvb_get_ptr(tvb, o->sctx_off, o->sctx_len);
	p->sctx_len = o->sctx_len;
	p->aad = tvb_get_ptr(tvb, 0, l->ct_off);
	p->aad_len = l->ct_off;
	p->ct_len = len - EESP_ICV_LEN - l->ct_off;
	p->ct = tvb_get_ptr(tvb, l->ct_off, p->ct_len);
	p->tag = tvb_get_ptr(tvb, len - EESP_ICV_LEN, EESP_ICV_LEN);
}

/* One EESP datagram (datagram idx of a GSO train of n). */
static int dissect_eesp_pdu(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, guint idx, guint n)
{
	struct eesp_layout l;
	struct eesp_opts o;
	struct eesp_pkt p;
	gboolean bad = FALSE;
	guint optlen = 0;

	memset(&l, 0, sizeof(l));
	memset(&p, 0, sizeof(p));
	col_set_str(pinfo->cinfo, COL_PROTOCOL, "EESP");
	col_clear(pinfo->cinfo, COL_INFO);
	l.ti = proto_tree_add_item(tree, proto_eesp, tvb, 0, -1, ENC_NA);
	l.et = proto_item_add_subtree(l.ti, ett_eesp);
	eesp_train_mark(tvb, l.ti, l.et, EESP_MODE_EESP, idx, n);

	if (!base_header(tvb, pinfo, &l, &p, &optlen, &bad) ||
	    !eesp_dissect_options(tvb, pinfo, l.ti, l.et, optlen, &o))
		return tvb_captured_length(tvb);
	bad |= o.bad;
	if (!peer_header(tvb, pinfo, &l, EESP_BASE_LEN + optlen, &p, &bad) ||
	    !layout(tvb, pinfo, &l, &o, EESP_BASE_LEN + optlen, &bad))
		return tvb_captured_length(tvb);
	if (!o.sctx_found) {
		expert_add_info_format(
		    pinfo, l.ti, &ei_eesp_malformed,
		    "No Stateless Context option (type 0xE0): cannot derive a key");
		return tvb_captured_length(tvb);
	}
	col_append_fstr(pinfo->cinfo, COL_INFO, " profile=%s epoch=%u",
			eesp_profile_word(o.sctx.profile), o.sctx.epoch);
	if (bad)
		return tvb_captured_length(tvb);
	if (tvb_captured_length(tvb) < tvb_reported_length(tvb)) {
		expert_add_info_format(pinfo, l.ti, &ei_eesp_malformed,
				       "Packet not fully captured: cannot decrypt");
		return tvb_captured_length(tvb);
	}
	fill_pkt(tvb, &l, &o, &p);
	eesp_dissect_payload(tvb, pinfo, tree, &l, &p);
	return tvb_captured_length(tvb);
}

/* ------------------------------------------------------ entry points -- */

/* Decode As / explicit: always EESP (malformed if it is not). */
static int dissect_eesp(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	return eesp_dissect_train(tvb, pinfo, tree, EESP_MODE_EESP, dissect_eesp_pdu);
}

/*
 * Registered (without a protocol, so it adds no layer of its own) on the EESP
 * UDP port, 4500 by default, which EESP shares with IKE and ESP (draft -04
 * section 6): EESP goes to eesp, the rest (keepalive, non-ESP marker, ESP)
 * to the dissector that had the port before, Wireshark's udpencap.
 */
static int dissect_eesp_port(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
	guint8 head[4] = {0};
	guint cap = tvb_captured_length(tvb);

	tvb_memcpy(tvb, head, 0, MIN(cap, 4));
	if (eesp_udp_classify(head, MIN(cap, tvb_reported_length(tvb))) == EESP_UDP_EESP)
		return call_dissector_with_data(eesp_handle, tvb, pinfo, tree, data);
	if (prev_port_handle)
		return call_dissector_with_data(prev_port_handle, tvb, pinfo, tree, data);
	return 0;
}

static gboolean dissect_eesp_heur(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
				  void *data _U_)
{
	if (!eesp_looks_valid(tvb))
		return FALSE;
	eesp_dissect_train(tvb, pinfo, tree, EESP_MODE_EESP, dissect_eesp_pdu);
	return TRUE;
}

/* Moves the port wrapper to pref_eesp_port, giving the old port back to the
 * dissector that had it. */
static void eesp_update_port(void)
{
	dissector_table_t udp = find_dissector_table("udp.port");

	if (cur_eesp_port) {
		if (prev_port_handle)
			dissector_add_uint("udp.port", cur_eesp_port, prev_port_handle);
		else
			dissector_delete_uint("udp.port", cur_eesp_port, eesp_port_handle);
	}
	cur_eesp_port = pref_eesp_port;
	prev_port_handle = NULL;
	if (cur_eesp_port) {
		prev_port_handle = udp ? dissector_get_uint_handle(udp, cur_eesp_port) : NULL;
		if (prev_port_handle == eesp_port_handle || prev_port_handle == eesp_handle)
			prev_port_handle = NULL;
		dissector_add_uint("udp.port", cur_eesp_port, eesp_port_handle);
	}
}

static void eesp_prefs_apply(void)
{
	eesp_keys_mark_dirty();
	if (eesp_port_handle)
		eesp_update_port();
}

/* ------------------------------------------------------- registration -- */

static char help_spi[96];

static void register_fields(void)
{
	static hf_register_info hf[] = {
	    {&hf_eesp_first_bit,
	     {"ESP compatibility bit", "eesp.first_bit", FT_UINT8, BASE_DEC, NULL, 0x80,
	      "Always 1 in EESP (0 = ESP)", HFILL}},
	    {&hf_eesp_version,
	     {"Version", "eesp.version", FT_UINT8, BASE_DEC, NULL, 0x78, NULL, HFILL}},
	    {&hf_eesp_reserved,
	     {"Reserved", "eesp.reserved", FT_UINT8, BASE_HEX, NULL, 0x07, "Must be 0", HFILL}},
	    {&hf_eesp_optlen,
	     {"Opt Len", "eesp.optlen", FT_UINT8, BASE_DEC, NULL, 0,
	      "Length of the options in bytes", HFILL}},
	    {&hf_eesp_session_id,
	     {"Session ID", "eesp.session_id", FT_UINT16, BASE_DEC, NULL, 0,
	      "Sub SA ID (one per sender worker)", HFILL}},
	    {&hf_eesp_spi, {"SPI", "eesp.spi", FT_UINT32, BASE_HEX, NULL, 0, help_spi, HFILL}},
	    {&hf_eesp_sn,
	     {"Sequence Number", "eesp.sn", FT_UINT64, BASE_DEC, NULL, 0,
	      "Peer header; also the implicit IV", HFILL}},
	    {&hf_eesp_exposed,
	     {"Exposed inner bytes", "eesp.exposed", FT_BYTES, BASE_NONE, NULL, 0,
	      "Left in clear by the crypt offset (authenticated)", HFILL}},
	    {&hf_eesp_payload,
	     {"Encrypted payload", "eesp.payload", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_eesp_icv, {"ICV", "eesp.icv", FT_BYTES, BASE_NONE, NULL, 0, NULL, HFILL}},
	};
	static gint *ett[] = {&ett_eesp};
	static ei_register_info ei[] = {
	    {&ei_eesp_no_key,
	     {"eesp.expert.no_key", PI_DECRYPTION, PI_WARN, "No key for this packet", EXPFILL}},
	    {&ei_eesp_unknown_generation,
	     {"eesp.expert.unknown_generation", PI_DECRYPTION, PI_WARN,
	      "No root key generation matches the phase in the header", EXPFILL}},
	    {&ei_eesp_auth_failed,
	     {"eesp.expert.auth_failed", PI_DECRYPTION, PI_ERROR, "Authentication failed",
	      EXPFILL}},
	    {&ei_eesp_malformed,
	     {"eesp.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed EESP packet", EXPFILL}},
	    {&ei_eesp_decrypted,
	     {"eesp.expert.decrypted", PI_DECRYPTION, PI_CHAT, "Decrypted", EXPFILL}},
	};
	g_snprintf(help_spi, sizeof(help_spi),
		   "Trust domain id (profiles %s/%s/%s) or SA id (profile %s)",
		   eesp_profile_word(EESP_PROFILE_NODE), eesp_profile_word(EESP_PROFILE_PAIR),
		   eesp_profile_word(EESP_PROFILE_TENANT), eesp_profile_word(EESP_PROFILE_SPI));
	proto_register_field_array(proto_eesp, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	expert_register_field_array(expert_register_protocol(proto_eesp), ei, array_length(ei));
}

void proto_register_eesp(void)
{
	module_t *m;

	proto_eesp = proto_register_protocol("Enhanced Encapsulating Security Payload (eesp)",
					     "EESP", "eesp");
	register_fields();
	eesp_options_register(proto_eesp);
	eesp_payload_register(proto_eesp);
	eesp_train_register(proto_eesp, EESP_MODE_EESP);
	eesp_handle = register_dissector("eesp", dissect_eesp, proto_eesp);

	/* the names users' saved preferences carry: eesp.udp_port, eesp.keyfile, eesp.keys */
	m = prefs_register_protocol(proto_eesp, eesp_prefs_apply);
	prefs_register_uint_preference(
	    m, "udp_port", "EESP UDP port",
	    "UDP port of EESP, shared with IKE and ESP (default 4500; 0 = none). "
	    "Elsewhere EESP is found by the heuristic eesp_udp (on ports no other "
	    "dissector claims) or with Decode As.",
	    10, &pref_eesp_port);
	eesp_keys_register(m);
}

void proto_reg_handoff_eesp(void)
{
	eesp_inner_handoff(proto_eesp);
	eesp_port_handle = create_dissector_handle_with_name_and_description(
	    dissect_eesp_port, -1, "eesp_port", "EESP/IKE/ESP");
	eesp_update_port();
	dissector_add_for_decode_as("udp.port", eesp_handle);
	heur_dissector_add("udp", dissect_eesp_heur, "EESP over UDP (any port)", "eesp_udp",
			   proto_eesp, HEURISTIC_ENABLE);
}
