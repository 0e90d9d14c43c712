/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * output.c - how a case is written: JSON lines of hex, and the pcap with
 * the packet in one frame at a fixed timestamp.
 */
#include "vecgen.h"

#include <stdio.h>
#include <string.h>

#include "pcapfile.h"

void vec_json_hex(struct strbuf *b, const char *k, const uint8_t *d, size_t n, bool last)
{
	strbuf_printf(b, "  \"%s\": \"", k);
	strbuf_hex(b, d, n);
	strbuf_printf(b, "\"%s\n", last ? "" : ",");
}

int vec_emit_pcap(vec_emit_fn emit, void *arg, const char *name, uint16_t sport, uint16_t dport,
		  const uint8_t *udp_payload, size_t len, uint32_t ts)
{
	struct udp_frame_params fp = {.family = 4, .sport = sport, .dport = dport, .ip_id = 1};
	struct pcap_writer w;
	uint8_t frame[2048];
	char fname[96];
	size_t n;
	int rc;

	memcpy(fp.src, (const uint8_t[]){203, 0, 113, 1}, 4);
	memcpy(fp.dst, (const uint8_t[]){203, 0, 113, 2}, 4);
	memcpy(fp.src_mac, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x01}, 6);
	memcpy(fp.dst_mac, (const uint8_t[]){0x02, 0, 0, 0, 0, 0x02}, 6);
	n = frame_build_udp(frame, sizeof(frame), &fp, udp_payload, len);
	if (!n)
		return EESP_E_NOSPACE;
	if (pcap_writer_init(&w, PCAP_LINKTYPE_ETHERNET, 65535))
		return EESP_E_NOSPACE;
	if (pcap_writer_add(&w, ts, 0, frame, n)) {
		pcap_writer_free(&w);
		return EESP_E_NOSPACE;
	}
	snprintf(fname, sizeof(fname), "%s.pcap", name);
	rc = emit(arg, fname, w.buf, w.len);
	pcap_writer_free(&w);
	return rc;
}
