/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_pcap.c - libFuzzer harness for the pcap reader and frame_parse (the
 * input eespctl reads).  Every record is parsed as a frame, its views are
 * checked to stay inside the record, and the records are written out again
 * and must read back identically.  Inputs that are not pcap files are
 * parsed directly as an Ethernet frame and as a raw IP packet.
 */
#include <stdlib.h>
#include <string.h>

#include "pcapfile.h"
#include "wire.h"

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

static void check_frame(const uint8_t *f, size_t len, bool eth)
{
	struct frame_view v;
	struct psp_view pv;
	struct eesp_view ev;

	if (frame_parse(f, len, eth, &v) != 0)
		return;
	CHECK(v.family == 4 || v.family == 6);
	CHECK(v.l3_off + v.ip_len <= len);
	CHECK(v.l3_hdr_len >= (v.family == 4 ? 20u : 40u));
	CHECK(v.l4_off == v.l3_off + v.l3_hdr_len && v.l4_off <= v.l3_off + v.ip_len);
	CHECK(v.src >= f && v.dst >= f);
	CHECK((size_t)(v.src - f) + (v.family == 4 ? 4 : 16) <= len);
	CHECK((size_t)(v.dst - f) + (v.family == 4 ? 4 : 16) <= len);
	if (v.payload_len || v.payload_off) {
		CHECK(v.proto == 17);
		CHECK(v.payload_off == v.l4_off + 8);
		CHECK(v.payload_off + v.payload_len <= v.l3_off + v.ip_len);
		(void)psp_parse(f + v.payload_off, v.payload_len, &pv);
		(void)eesp_parse(f + v.payload_off, v.payload_len, 63, &ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcap_reader r, r2;
	struct pcap_rec rec, rec2;
	struct pcap_writer w;
	int rc, n = 0;

	if (pcap_reader_init(&r, data, size) != 0) {
		check_frame(data, size, true);
		check_frame(data, size, false);
		return 0;
	}
	CHECK(pcap_writer_init(&w, r.linktype, r.snaplen) == 0);
	while ((rc = pcap_reader_next(&r, &rec)) == 1) {
		CHECK(rec.data >= data && rec.data + rec.caplen <= data + size);
		CHECK(rec.caplen <= PCAP_MAX_SNAPLEN);
		check_frame(rec.data, rec.caplen, r.linktype != PCAP_LINKTYPE_RAW);
		if (!r.nsec)
			CHECK(pcap_writer_add(&w, rec.ts_sec, rec.ts_frac, rec.data, rec.caplen) ==
			      0);
		n++;
	}
	CHECK(rc == 0 || rc == -1);
	CHECK(pcap_reader_next(&r, &rec) == rc); /* sticky at the end / error */
	if (!r.nsec) {
		CHECK(pcap_reader_init(&r2, w.buf, w.len) == 0);
		CHECK(r2.linktype == r.linktype && r2.snaplen == r.snaplen);
		for (int i = 0; i < n; i++)
			CHECK(pcap_reader_next(&r2, &rec2) == 1);
		CHECK(pcap_reader_next(&r2, &rec2) == 0);
	}
	pcap_writer_free(&w);
	return 0;
}
