/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eesp-common.c - what the dissection of EESP and of PSP shares: GSO trains
 * (several datagrams in one UDP payload), the hand-off of a decrypted inner
 * packet, and value_strings made from the words of names.h.
 */

#include "packet-eesp.h"

/* ---------------------------------------------------------- GSO trains -- */

/* The train fields of one mode: the train item and its shape, and the index
 * each datagram's protocol item gets. */
struct train_fields {
	int train, count, size, last, index;
	gint ett;
};

static struct train_fields train_fields[2] = {
    [EESP_MODE_EESP] = {-1, -1, -1, -1, -1, -1},
    [EESP_MODE_PSP] = {-1, -1, -1, -1, -1, -1},
};

static hf_register_info hf_eesp_train[] = {
    {&train_fields[EESP_MODE_EESP].train,
     {"GSO train", "eesp.train", FT_NONE, BASE_NONE, NULL, 0,
      "EESP datagrams laid end to end in one UDP payload (UDP GSO/GRO)", HFILL}},
    {&train_fields[EESP_MODE_EESP].count,
     {"Datagrams", "eesp.train.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
    {&train_fields[EESP_MODE_EESP].size,
     {"Datagram size", "eesp.train.size", FT_UINT32, BASE_DEC, NULL, 0,
      "Length of every datagram but the last (the GSO segment size)", HFILL}},
    {&train_fields[EESP_MODE_EESP].last,
     {"Last datagram size", "eesp.train.last", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
    {&train_fields[EESP_MODE_EESP].index,
     {"Datagram of the GSO train", "eesp.train.index", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
};

static hf_register_info hf_psp_train[] = {
    {&train_fields[EESP_MODE_PSP].train,
     {"GSO train", "psp.train", FT_NONE, BASE_NONE, NULL, 0,
      "PSP datagrams laid end to end in one UDP payload (UDP GSO/GRO)", HFILL}},
    {&train_fields[EESP_MODE_PSP].count,
     {"Datagrams", "psp.train.count", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
    {&train_fields[EESP_MODE_PSP].size,
     {"Datagram size", "psp.train.size", FT_UINT32, BASE_DEC, NULL, 0,
      "Length of every datagram but the last (the GSO segment size)", HFILL}},
    {&train_fields[EESP_MODE_PSP].last,
     {"Last datagram size", "psp.train.last", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
    {&train_fields[EESP_MODE_PSP].index,
     {"Datagram of the GSO train", "psp.train.index", FT_UINT32, BASE_DEC, NULL, 0, NULL, HFILL}},
};

void eesp_train_register(int proto, enum eesp_mode mode)
{
	static gint *ett_eesp[] = {&train_fields[EESP_MODE_EESP].ett};
	static gint *ett_psp[] = {&train_fields[EESP_MODE_PSP].ett};

	if (mode == EESP_MODE_PSP) {
		proto_register_field_array(proto, hf_psp_train, array_length(hf_psp_train));
		proto_register_subtree_array(ett_psp, array_length(ett_psp));
	} else {
		proto_register_field_array(proto, hf_eesp_train, array_length(hf_eesp_train));
		proto_register_subtree_array(ett_eesp, array_length(ett_eesp));
	}
}

void eesp_train_mark(tvbuff_t *tvb, proto_item *ti, proto_tree *t, enum eesp_mode mode, guint idx,
		     guint n)
{
	proto_item *xi;

	if (n <= 1)
		return;
	proto_item_append_text(ti, " (GSO train datagram %u of %u)", idx, n);
	xi = proto_tree_add_uint(t, train_fields[mode].index, tvb, 0, 0, idx);
	proto_item_set_generated(xi);
}

/* The stride S of the train in tvb (eesp_proto.h), or its length when it
 * holds one datagram or was not captured in full. */
static guint train_stride(tvbuff_t *tvb, enum eesp_mode mode)
{
	guint len = tvb_reported_length(tvb);
	const guint8 *p;
	size_t min;

	if (!len || tvb_captured_length(tvb) != len)
		return len;
	p = tvb_get_ptr(tvb, 0, len);
	min = mode == EESP_MODE_PSP ? psp_train_min_dgram(p, len) : eesp_train_min_dgram(p, len);
	return (guint)eesp_train_stride(p, len, min);
}

/* The train item: its shape, as generated fields. */
static void train_add_item(tvbuff_t *tvb, proto_tree *tree, enum eesp_mode mode, guint n, guint s,
			   guint last)
{
	const struct train_fields *f = &train_fields[mode];
	proto_item *ti, *xi;
	proto_tree *tt;

	ti = proto_tree_add_none_format(tree, f->train, tvb, 0, -1,
					"GSO train: %u datagrams of %u bytes", n, s);
	if (last < s)
		proto_item_append_text(ti, ", the last %u", last);
	tt = proto_item_add_subtree(ti, f->ett);
	xi = proto_tree_add_uint(tt, f->count, tvb, 0, 0, n);
	proto_item_set_generated(xi);
	xi = proto_tree_add_uint(tt, f->size, tvb, 0, 0, s);
	proto_item_set_generated(xi);
	xi = proto_tree_add_uint(tt, f->last, tvb, 0, 0, last);
	proto_item_set_generated(xi);
}

/*
 * eespd lays the datagrams of one flow end to end and sends them with
 * UDP_SEGMENT, and a capture on a veth, on a sender whose NIC segments or
 * after UDP GRO shows the unsegmented train.  The stride comes from the rule
 * of eesp_proto.h (eesp_train_stride, shared with eespctl decrypt); each
 * datagram is dissected (and decrypted) as a PDU of its own in the same
 * frame.  A payload not fully captured is taken as one datagram.
 */
int eesp_dissect_train(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, enum eesp_mode mode,
		       eesp_pdu_fn pdu)
{
	guint len = tvb_reported_length(tvb), s = train_stride(tvb, mode), n, last;

	if (!s || s >= len)
		return pdu(tvb, pinfo, tree, 1, 1);
	n = (len + s - 1) / s;
	last = len - (n - 1) * s;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, mode == EESP_MODE_PSP ? "PSP" : "EESP");
	col_add_fstr(pinfo->cinfo, COL_INFO, "GSO train: %u datagrams of %u bytes", n, s);
	train_add_item(tvb, tree, mode, n, s, last);
	for (guint i = 0; i < n; i++) {
		tvbuff_t *sub = tvb_new_subset_length(tvb, i * s, i + 1 < n ? s : last);
		/* each datagram (and what is inside it) appends to the Info column */
		col_append_str(pinfo->cinfo, COL_INFO, i ? " | " : ": ");
		col_set_fence(pinfo->cinfo, COL_INFO);
		pdu(sub, pinfo, tree, i + 1, n);
	}
	return tvb_captured_length(tvb);
}

/* ------------------------------------------------------ inner packets -- */

static dissector_handle_t ip_handle;
static dissector_table_t ip_proto_table;

void eesp_inner_handoff(int proto)
{
	ip_handle = find_dissector_add_dependency("ip", proto);
	ip_proto_table = find_dissector_table("ip.proto");
}

void eesp_dissect_inner(tvbuff_t *inner, packet_info *pinfo, proto_tree *tree, guint nh,
			gboolean by_version)
{
	/* "ip" reads the version nibble itself: IPv4 and IPv6 alike */
	if (by_version) {
		call_dissector(ip_handle, inner, pinfo, tree);
		return;
	}
	if (!ip_proto_table || !dissector_try_uint(ip_proto_table, nh, inner, pinfo, tree))
		call_data_dissector(inner, pinfo, tree);
}

/* -------------------------------------------------------------- names -- */

void eesp_vals_from_names(value_string *out, const struct eesp_name *t)
{
	/* both tables end with {0, NULL} */
	for (;; t++, out++) {
		out->value = t->value;
		out->strptr = t->word;
		if (!t->word)
			return;
	}
}

const char *eesp_profile_word(guint profile)
{
	return eesp_name_of(eesp_profile_names, profile);
}

const char *eesp_level_word(guint level)
{
	return eesp_name_of(eesp_level_names, level);
}

const char *eesp_mode_word(enum eesp_mode mode)
{
	return eesp_name_of(eesp_mode_names, mode);
}
