/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packet-eesp-ike.c - protocol eespike (packet-eesp-ike.h): a
 * postdissector over Wireshark's IKEv2 dissector that names eesp-iked's
 * Vendor ID and its PSP/EESP child proposals on private code points,
 * decodes Key Download payloads (RFC 9838 §4.5) and, with SK_d from
 * eesp-iked's key log, unwraps each Group Key Bag's SA_KEY (SK_w =
 * prf+(SK_d, "Key Wrap for PSP"), AES-KWP) and hands the key to the PSP
 * decryption (eesp_keys_add_downloaded), so the downloaded SAs' traffic
 * in the same capture decrypts.
 */

#include "packet-eesp.h"

#include <epan/expert.h>
#include <epan/prefs.h>

#include "packet-eesp-ike.h"

static int proto_eike = -1;
static int hf_vid = -1, hf_prop = -1, hf_prop_proto = -1, hf_prop_spi = -1, hf_prop_psp = -1,
	   hf_prop_kwa = -1;
static int hf_bag = -1, hf_bag_proto = -1, hf_bag_spi = -1, hf_key_id = -1, hf_kwk_id = -1,
	   hf_wrapped = -1, hf_key = -1, hf_unwrap = -1;
static gint ett_eike = -1, ett_prop = -1, ett_bag = -1;
static expert_field ei_unwrapped = EI_INIT, ei_unwrap_failed = EI_INIT, ei_no_sk_d = EI_INIT,
		    ei_malformed = EI_INIT;
static int hf_isakmp_ispi = -1, hf_isakmp_rspi = -1, hf_isakmp_typepayload = -1;

static const char *pref_key_log = "";
static guint pref_psp_proto = 201, pref_eesp_proto = 202, pref_psp_type = 241;

/* PSP Parameters transform IDs (draft-smyslov-ipsecme-ikev2-psp §8) */
static const value_string psp_params_vals[] = {{1, "PSP v0, AES-GCM-128"},
					       {2, "PSP v1, AES-GCM-256"},
					       {3, "PSP v2, AES-GMAC-128"},
					       {4, "PSP v3, AES-GMAC-256"},
					       {0, NULL}};
/* KWA transform IDs (RFC 9838) */
static const value_string kwa_vals[] = {
    {1, "KW_5649_128"}, {2, "KW_5649_192"}, {3, "KW_5649_256"}, {4, "KW_ARX"}, {0, NULL}};

static const char *proto_word(guint p)
{
	return p == pref_psp_proto    ? "PSP (private use)"
	       : p == pref_eesp_proto ? "EESP (private use)"
				      : NULL;
}

struct eike_ctx {
	packet_info *pinfo;
	proto_tree *root; /* the frame's tree */
	proto_item *ti;	  /* our protocol item, made on first use */
	proto_tree *t;
	tvbuff_t *frame;
	const eike_sa_t *sa;
};

static proto_tree *ctx_tree(struct eike_ctx *c)
{
	if (!c->t) {
		c->ti = proto_tree_add_item(c->root, proto_eike, c->frame, 0, 0, ENC_NA);
		c->t = proto_item_add_subtree(c->ti, ett_eike);
	}
	return c->t;
}

static void dissect_vid(struct eike_ctx *c, tvbuff_t *tvb, gint off, gint len)
{
	if (len != EIKE_VID_LEN || tvb_memeql(tvb, off, (const guint8 *)EIKE_VID, EIKE_VID_LEN))
		return;
	proto_tree_add_item(ctx_tree(c), hf_vid, tvb, off, len, ENC_ASCII);
	col_append_str(c->pinfo->cinfo, COL_INFO, " [eesp VID]");
}

/* the transforms of one proposal (RFC 7296 §3.3.2) at off..end */
static void dissect_transforms(proto_tree *pt, tvbuff_t *tvb, gint off, gint end)
{
	while (off + 8 <= end) {
		guint len = tvb_get_ntohs(tvb, off + 2);
		guint type = tvb_get_guint8(tvb, off + 4);
		if (len < 8 || off + (gint)len > end)
			return;
		if (type == pref_psp_type)
			proto_tree_add_item(pt, hf_prop_psp, tvb, off + 6, 2, ENC_BIG_ENDIAN);
		else if (type == EIKE_TT_KWA)
			proto_tree_add_item(pt, hf_prop_kwa, tvb, off + 6, 2, ENC_BIG_ENDIAN);
		off += (gint)len;
	}
}

static void dissect_sa(struct eike_ctx *c, tvbuff_t *tvb, gint off, gint end)
{
	while (off + 8 <= end) {
		guint len = tvb_get_ntohs(tvb, off + 2), proto = tvb_get_guint8(tvb, off + 5);
		guint spi_size = tvb_get_guint8(tvb, off + 6);
		if (len < 8 + spi_size || off + (gint)len > end)
			return;
		if (proto_word(proto)) {
			proto_item *pi =
			    proto_tree_add_item(ctx_tree(c), hf_prop, tvb, off, (gint)len, ENC_NA);
			proto_tree *pt = proto_item_add_subtree(pi, ett_prop);
			proto_item_append_text(pi, " #%u: %s", tvb_get_guint8(tvb, off + 4),
					       proto_word(proto));
			proto_tree_add_item(pt, hf_prop_proto, tvb, off + 5, 1, ENC_NA);
			if (spi_size == 4)
				proto_tree_add_item(pt, hf_prop_spi, tvb, off + 8, 4,
						    ENC_BIG_ENDIAN);
			dissect_transforms(pt, tvb, off + 8 + (gint)spi_size, off + (gint)len);
		}
		off += (gint)len;
	}
}

/* one SA_KEY: Key ID | KWK ID | wrapped key; unwrapped when SK_d is known */
static void dissect_sa_key(struct eike_ctx *c, proto_tree *bt, tvbuff_t *tvb, gint off, gint len,
			   guint32 spi, gboolean psp)
{
	guint8 kwk[32], wrapped[64], key[64];
	size_t klen = 0;
	proto_item *it;
	if (len < 8 + 16 || len - 8 > (gint)sizeof(wrapped)) {
		expert_add_info(c->pinfo, c->ti, &ei_malformed);
		return;
	}
	proto_tree_add_item(bt, hf_key_id, tvb, off, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(bt, hf_kwk_id, tvb, off + 4, 4, ENC_BIG_ENDIAN);
	proto_tree_add_item(bt, hf_wrapped, tvb, off + 8, len - 8, ENC_NA);
	if (!c->sa) {
		it = proto_tree_add_string(bt, hf_unwrap, tvb, off, len, "no SK_d (key log)");
		expert_add_info(c->pinfo, it, &ei_no_sk_d);
		return;
	}
	tvb_memcpy(tvb, wrapped, off + 8, len - 8);
	if (tvb_get_ntohl(tvb, off) != 0 || tvb_get_ntohl(tvb, off + 4) != 0 ||
	    !eike_kwk(c->sa, kwk) ||
	    !eike_kwp_unwrap(kwk, sizeof(kwk), wrapped, (size_t)len - 8, key, sizeof(key), &klen)) {
		it = proto_tree_add_string(bt, hf_unwrap, tvb, off, len, "failed");
		expert_add_info(c->pinfo, it, &ei_unwrap_failed);
	} else {
		proto_tree_add_bytes_with_length(bt, hf_key, tvb, off + 8, len - 8, key,
						 (gint)klen);
		it = proto_tree_add_string(bt, hf_unwrap, tvb, off, len, "ok");
		proto_item_set_generated(it);
		expert_add_info(c->pinfo, it, &ei_unwrapped);
		if (psp)
			eesp_keys_add_downloaded(spi, key, (guint)klen);
	}
	memset(kwk, 0, sizeof(kwk));
	memset(key, 0, sizeof(key));
}

/* the attributes of a Group Key Bag; SA_KEY is TLV type 1 */
static void dissect_bag_attrs(struct eike_ctx *c, proto_tree *bt, tvbuff_t *tvb, gint off, gint end,
			      guint32 spi, gboolean psp)
{
	while (off + 4 <= end) {
		guint type = tvb_get_ntohs(tvb, off);
		gint alen = (type & 0x8000) ? 0 : tvb_get_ntohs(tvb, off + 2);
		if (off + 4 + alen > end) {
			expert_add_info(c->pinfo, c->ti, &ei_malformed);
			return;
		}
		if (type == EIKE_KD_ATTR_SA_KEY)
			dissect_sa_key(c, bt, tvb, off + 4, alen, spi, psp);
		off += 4 + alen;
	}
}

static void dissect_kd(struct eike_ctx *c, tvbuff_t *tvb, gint off, gint end)
{
	while (off + 4 <= end) {
		guint proto = tvb_get_guint8(tvb, off), spi_size = tvb_get_guint8(tvb, off + 1);
		gint len = tvb_get_ntohs(tvb, off + 2);
		guint32 spi = 0;
		proto_item *bi;
		proto_tree *bt;
		if (len < 4 + (gint)spi_size || off + len > end) {
			expert_add_info(c->pinfo, ctx_tree(c) ? c->ti : NULL, &ei_malformed);
			return;
		}
		bi = proto_tree_add_item(ctx_tree(c), hf_bag, tvb, off, len, ENC_NA);
		bt = proto_item_add_subtree(bi, ett_bag);
		proto_item_append_text(
		    bi, ": %s",
		    proto ? (proto_word(proto) ? proto_word(proto) : "Group Key Bag")
			  : "Member Key Bag");
		proto_tree_add_item(bt, hf_bag_proto, tvb, off, 1, ENC_NA);
		if (proto && spi_size == 4) {
			spi = tvb_get_ntohl(tvb, off + 4);
			proto_tree_add_item(bt, hf_bag_spi, tvb, off + 4, 4, ENC_BIG_ENDIAN);
			col_append_fstr(c->pinfo->cinfo, COL_INFO, " [KD %s SPI 0x%08x]",
					proto == pref_psp_proto ? "PSP" : "", spi);
		}
		if (proto)
			dissect_bag_attrs(c, bt, tvb, off + 4 + (gint)spi_size, off + len, spi,
					  proto == pref_psp_proto && spi_size == 4);
		off += len;
	}
}

static gboolean first_spis(proto_tree *tree, guint8 spi_i[8], guint8 spi_r[8])
{
	GPtrArray *a = proto_find_finfo(tree, hf_isakmp_ispi);
	GPtrArray *b = proto_find_finfo(tree, hf_isakmp_rspi);
	gboolean ok = a && b && a->len && b->len;
	if (ok) {
		field_info *fa = g_ptr_array_index(a, 0), *fb = g_ptr_array_index(b, 0);
		ok = fa->length == 8 && fb->length == 8;
		if (ok) {
			tvb_memcpy(fa->ds_tvb, spi_i, fa->start, 8);
			tvb_memcpy(fb->ds_tvb, spi_r, fb->start, 8);
		}
	}
	if (a)
		g_ptr_array_free(a, TRUE);
	if (b)
		g_ptr_array_free(b, TRUE);
	return ok;
}

static int dissect_eike(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	struct eike_ctx c = {.pinfo = pinfo, .root = tree, .frame = tvb};
	guint8 spi_i[8], spi_r[8];
	GPtrArray *pl;
	if (!tree || !proto_is_frame_protocol(pinfo->layers, "isakmp") ||
	    !first_spis(tree, spi_i, spi_r))
		return 0;
	c.sa = eike_keys_find(spi_i, spi_r);
	pl = proto_find_finfo(tree, hf_isakmp_typepayload);
	for (guint i = 0; pl && i < pl->len; i++) {
		field_info *fi = g_ptr_array_index(pl, i);
		guint type = fvalue_get_uinteger(&fi->value);
		gint body = fi->start + 4, end = fi->start + fi->length;
		if (fi->length < 4 || !fi->ds_tvb)
			continue;
		if (type == EIKE_PT_VENDOR)
			dissect_vid(&c, fi->ds_tvb, body, end - body);
		else if (type == EIKE_PT_SA)
			dissect_sa(&c, fi->ds_tvb, body, end);
		else if (type == EIKE_PT_KD)
			dissect_kd(&c, fi->ds_tvb, body, end);
	}
	if (pl)
		g_ptr_array_free(pl, TRUE);
	return c.t ? tvb_captured_length(tvb) : 0;
}

static void eike_init(void)
{
	eike_keys_load(pref_key_log);
}

static void eike_cleanup(void)
{
	eike_keys_clear();
}

void proto_register_eesp_ike(void)
{
	static hf_register_info hf[] = {
	    {&hf_vid,
	     {"eesp Vendor ID", "eespike.vid", FT_STRING, BASE_NONE, NULL, 0,
	      "eesp-iked's Vendor ID: the private code points below are in use", HFILL}},
	    {&hf_prop,
	     {"eesp child proposal", "eespike.prop", FT_NONE, BASE_NONE, NULL, 0, NULL, HFILL}},
	    {&hf_prop_proto,
	     {"Protocol ID", "eespike.prop.protocol", FT_UINT8, BASE_DEC, NULL, 0,
	      "Private-use Security Protocol ID (eesp-iked.conf code_points)", HFILL}},
	    {&hf_prop_spi,
	     {"SPI", "eespike.prop.spi", FT_UINT32, BASE_HEX, NULL, 0, "The proposer's receive SPI",
	      HFILL}},
	    {&hf_prop_psp,
	     {"PSP Parameters", "eespike.prop.psp", FT_UINT16, BASE_DEC, VALS(psp_params_vals), 0,
	      NULL, HFILL}},
	    {&hf_prop_kwa,
	     {"Key Wrap Algorithm", "eespike.prop.kwa", FT_UINT16, BASE_DEC, VALS(kwa_vals), 0,
	      NULL, HFILL}},
	    {&hf_bag,
	     {"Key Bag", "eespike.kd.bag", FT_NONE, BASE_NONE, NULL, 0,
	      "Key Download payload (RFC 9838 4.5)", HFILL}},
	    {&hf_bag_proto,
	     {"Protocol", "eespike.kd.bag.protocol", FT_UINT8, BASE_DEC, NULL, 0,
	      "0: Member Key Bag; else the SA's Security Protocol ID", HFILL}},
	    {&hf_bag_spi,
	     {"SPI", "eespike.kd.bag.spi", FT_UINT32, BASE_HEX, NULL, 0,
	      "The SA whose (the sender's receive) key this is", HFILL}},
	    {&hf_key_id,
	     {"Key ID", "eespike.kd.key_id", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
	    {&hf_kwk_id,
	     {"KWK ID", "eespike.kd.kwk_id", FT_UINT32, BASE_DEC, NULL, 0,
	      "0: the default KWK, SK_w", HFILL}},
	    {&hf_wrapped,
	     {"Wrapped key", "eespike.kd.wrapped", FT_BYTES, BASE_NONE, NULL, 0,
	      "AES-KWP (RFC 5649) under SK_w", HFILL}},
	    {&hf_key,
	     {"SA key", "eespike.kd.key", FT_BYTES, BASE_NONE, NULL, 0,
	      "Unwrapped with SK_w = prf+(SK_d, \"Key Wrap for PSP\")", HFILL}},
	    {&hf_unwrap,
	     {"Unwrap", "eespike.kd.unwrap", FT_STRING, BASE_NONE, NULL, 0, NULL, HFILL}},
	};
	static gint *ett[] = {&ett_eike, &ett_prop, &ett_bag};
	static ei_register_info ei[] = {
	    {&ei_unwrapped,
	     {"eespike.expert.unwrapped", PI_DECRYPTION, PI_CHAT,
	      "Key unwrapped; PSP packets of this SPI will decrypt", EXPFILL}},
	    {&ei_unwrap_failed,
	     {"eespike.expert.unwrap_failed", PI_DECRYPTION, PI_ERROR,
	      "Key unwrap failed (wrong SK_d, or not KW_5649_256)", EXPFILL}},
	    {&ei_no_sk_d,
	     {"eespike.expert.no_sk_d", PI_DECRYPTION, PI_WARN,
	      "No SK_d for this IKE SA: set eespike.key_log to eesp-iked's key log", EXPFILL}},
	    {&ei_malformed,
	     {"eespike.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed Key Download payload",
	      EXPFILL}},
	};
	module_t *m;
	expert_module_t *em;

	proto_eike = proto_register_protocol("eesp IKEv2 key download", "eesp-ike", "eespike");
	proto_register_field_array(proto_eike, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	em = expert_register_protocol(proto_eike);
	expert_register_field_array(em, ei, array_length(ei));
	m = prefs_register_protocol(proto_eike, NULL);
	prefs_register_filename_preference(
	    m, "key_log", "eesp-iked key log",
	    "eesp-iked's daemon.key_log: its SK_d lines unwrap Key Download payloads (copy it "
	    "as ikev2_decryption_table too, for the SK payloads)",
	    &pref_key_log, FALSE);
	prefs_register_uint_preference(m, "psp_protocol", "PSP Security Protocol ID",
				       "eesp-iked.conf code_points.psp_protocol", 10,
				       &pref_psp_proto);
	prefs_register_uint_preference(m, "eesp_protocol", "EESP Security Protocol ID",
				       "eesp-iked.conf code_points.eesp_protocol", 10,
				       &pref_eesp_proto);
	prefs_register_uint_preference(m, "psp_transform_type", "PSP Parameters transform type",
				       "eesp-iked.conf code_points.psp_transform_type", 10,
				       &pref_psp_type);
	register_init_routine(eike_init);
	register_cleanup_routine(eike_cleanup);
}

void proto_reg_handoff_eesp_ike(void)
{
	dissector_handle_t h = create_dissector_handle(dissect_eike, proto_eike);
	GArray *want = g_array_new(FALSE, FALSE, sizeof(int));
	hf_isakmp_ispi = proto_registrar_get_id_byname("isakmp.ispi");
	hf_isakmp_rspi = proto_registrar_get_id_byname("isakmp.rspi");
	hf_isakmp_typepayload = proto_registrar_get_id_byname("isakmp.typepayload");
	g_array_append_val(want, hf_isakmp_ispi);
	g_array_append_val(want, hf_isakmp_rspi);
	g_array_append_val(want, hf_isakmp_typepayload);
	register_postdissector(h);
	set_postdissector_wanted_hfids(h, want);
}
