// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * encrypt.c - `eespctl encrypt psp|eesp IN OUT`: seal every IP packet of a
 * pcap file, like the PSP reference's psp_encrypt (psp.md §3).
 *
 * PSP tunnel mode and EESP: the outer IP header is a copy of the inner one
 * (IPv4 without options) with protocol UDP, as the reference builds it, or
 * with --outer-src/--outer-dst.  PSP transport mode keeps the packet's own
 * IP header and seals its L4 segment (Next Header = the L4 protocol).
 * Sealing is the core's (psp_seal_with_key, eesp_seal).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "eespctl.h"
#include "packet.h"
#include "pcapfile.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s encrypt psp --spi SPI [--keys FILE|DIR|- | --data-key FILE|-]\n"
		"              [--version 0-3] [--tunnel|--transport] [--crypt-offset N]\n"
		"              [--vc] [--vc-value N] [--iv N] [--psp-compat] [--sport N]\n"
		"              [--dport N] [--zero-csum] [--outer-src A] [--outer-dst A]\n"
		"              [--snaplen N] [--corrupt] IN.pcap OUT.pcap\n"
		"       %s encrypt eesp [--domain DIR | --keys FILE|- | --data-key FILE|-]\n"
		"              [--spi SPI] [--session N] [--profile P] [--kdf K] [--suite S]\n"
		"              [--epoch N] [--node N] [--peer-node N] [--tenant N] [--group N]\n"
		"              [--phases D[,T[,G]]] [--crypt-offset N] [--sn N] [--sport N]\n"
		"              [--dport N] [--zero-csum] [--outer-src A] [--outer-dst A]\n"
		"              [--snaplen N] [--corrupt] IN.pcap OUT.pcap\n\n"
		"Encrypts every IPv4/IPv6 packet of IN (Ethernet or raw IP) under one SA and\n"
		"writes OUT.  The first packet gets IV/SN --iv (default 1), then +1 each;\n"
		"2^64-2 is the last one, later packets are not encrypted (exit 1).\n"
		"psp: the data key is derived from the master key that SPI bit 31 selects\n"
		"(psp.md §2) or given with --data-key (hex).  Version 1 (AES-GCM-256) is the\n"
		"default; 0 is AES-GCM-128, 2 and 3 are AES-GMAC-128/256: integrity only, the\n"
		"payload stays in clear and --crypt-offset must be 0 (eesp.7).\n"
		"Tunnel mode (default) wraps the whole IP packet (Next Header 4/41);\n"
		"transport mode seals the L4 segment behind the packet's own IP header.\n"
		"--crypt-offset counts 4-byte units after the IV (the VC is inside it).\n"
		"--psp-compat matches the reference: UDP source port = inner sport XOR dport\n"
		"(1000 without ports), UDP checksum 0, pcap snaplen 9014.\n"
		"eesp: tunnel mode with the context options of `derive eesp`; --crypt-offset\n"
		"selects the full format (Payload Info Header).  --data-key gives an spi-profile\n"
		"key and salt (`KEYHEX SALTHEX`).\n"
		"The UDP source port is otherwise a hash of the inner flow (49152-65535);\n"
		"--corrupt flips one bit after sealing, giving packets that must fail.\n\n"
		"Examples:\n"
		"  %s encrypt psp --keys psp --spi 0x9a345678 --version 0 --transport \\\n"
		"      --crypt-offset 1 --psp-compat clear.pcap psp.pcap\n"
		"  %s encrypt eesp --domain lab clear.pcap eesp.pcap\n",
		PROG, PROG, PROG, PROG);
}

int encrypt_main(int argc, char *argv[])
{
	struct xopts o = {.encrypt = true};
	int rc = xopts_parse(argc, argv, &o, usage);
	if (rc >= 0)
		return rc;

	struct pcap_in in;
	struct pcap_writer w = {0};
	struct eesp_crypto *cr = NULL;
	struct ctx_resolved r = {0};
	struct eesp_hdr_params ep;
	struct eesp_dkey edk;
	bool eesp_with_key = false;
	uint8_t pkey[32];
	size_t pklen = 0;
	uint8_t *frame = NULL;
	size_t cap = PCAP_MAX_SNAPLEN + 512;
	unsigned n = 0, bad = 0;
	bool exhausted = false; /* the SN/IV space ran out */

	rc = 1;
	memset(&edk, 0, sizeof(edk));
	memset(&ep, 0, sizeof(ep));
	if (pcap_in_open(o.in, &in))
		return 1;
	if (o.mode == EESP_MODE_PSP) {
		if (psp_tx_key(&o, o.ctx.spi, pkey, &pklen))
			goto out;
		if (!(o.ctx.spi & ~PSP_SPI_KEY_SELECTOR)) {
			err("--spi: the low 31 bits of a PSP SPI must not be zero");
			goto out;
		}
	} else if (o.data_key) {
		char *buf;
		size_t len;
		char k[80], s[16];
		if (!o.ctx.has_spi) {
			err("encrypt eesp --data-key: --spi is required");
			goto out;
		}
		if (read_secret_file(o.data_key, &buf, &len))
			goto out;
		unsigned suite = o.ctx.suite ? o.ctx.suite : EESP_SUITE_AES_GCM_256;
		size_t kl = eesp_suite_key_len(suite);
		int ok = sscanf(buf, "%79s %15s", k, s) == 2 &&
			 !hex_decode(k, strlen(k), edk.key, kl) &&
			 !hex_decode(s, strlen(s), edk.salt, EESP_SALT_LEN);
		free_secret(buf, len);
		OPENSSL_cleanse(k, sizeof(k));
		OPENSSL_cleanse(s, sizeof(s));
		if (!ok) {
			err("--data-key: expected `KEYHEX SALTHEX` (%zu-byte key for %s, 4-byte "
			    "salt)",
			    kl, suite_name(suite));
			goto out;
		}
		edk.suite = (uint8_t)suite;
		eesp_with_key = true;
		/* the context: no root keys; defaults of the spi profile */
		struct domain_conf dc = {
		    .profile = EESP_PROFILE_SPI, .kdf = EESP_KDF_CMAC_AES256, .suite = suite};
		if (ctx_build(&o.ctx, &dc, NULL, "--data-key", &ep))
			goto out;
		if (ep.sctx.profile != EESP_PROFILE_SPI)
			fprintf(stderr, "%s: note: --data-key with the %s profile\n", prog,
				profile_name(ep.sctx.profile));
	} else {
		if (ctx_resolve(&o.ctx, true, &r, &ep))
			goto out;
		/* a client key file: `sa eesp` for this SPI and no domain root */
		const struct eesp_sa_key *sa = eesp_keyset_sa(r.ks, false, ep.spi);
		if (sa && !eesp_keyset_ring(r.ks, EESP_LEVEL_DOMAIN, 0)) {
			if (sa->key_len != eesp_suite_key_len(ep.sctx.suite)) {
				err("sa eesp 0x%08x is a %u-byte key: not %s", ep.spi, sa->key_len,
				    suite_name(ep.sctx.suite));
				goto out;
			}
			edk.suite = ep.sctx.suite;
			memcpy(edk.key, sa->key, sa->key_len);
			memcpy(edk.salt, sa->salt, EESP_SALT_LEN);
			eesp_with_key = true;
		}
		if (r.dc.mode == EESP_MODE_PSP) {
			err("%s is a PSP domain: use `%s encrypt psp`", o.ctx.dir, PROG);
			goto out;
		}
	}
	if (o.mode == EESP_MODE_EESP && o.crypt_offset) {
		ep.crypt_offset = (uint8_t)o.crypt_offset;
	}
	cr = eesp_crypto_new(16);
	frame = malloc(cap);
	if (!cr || !frame || pcap_writer_init(&w, in.r.linktype, xsnaplen(&o, &in))) {
		err("out of memory");
		goto out;
	}
	struct eesp_domain dom = {.spi = ep.spi,
				  .spi_min = 0,
				  .spi_max = UINT32_MAX,
				  .keys = r.ks,
				  .epoch_window = UINT32_MAX,
				  .self_node_id = ep.sctx.peer_node_id,
				  .max_crypt_offset = 63};
	bool eth = in.r.linktype == PCAP_LINKTYPE_ETHERNET;
	struct pcap_rec rec;
	int nr;
	while ((nr = pcap_reader_next(&in.r, &rec)) == 1) {
		struct frame_view fv;
		n++;
		if (frame_parse(rec.data, rec.caplen, eth, &fv) ||
		    fv.l3_off + fv.ip_len > rec.caplen) {
			err("packet %u: not a complete IPv4/IPv6 packet; not encrypted", n);
			bad++;
			continue;
		}
		const uint8_t *ip = rec.data + fv.l3_off;
		size_t l2 = fv.l3_off, ohl, off;
		const uint8_t *inner;
		size_t inner_len;
		uint8_t nh;

		memcpy(frame, rec.data, l2);
		if (o.mode == EESP_MODE_PSP && o.transport) {
			ohl = fv.l3_hdr_len;
			memcpy(frame + l2, ip, ohl);
			inner = ip + ohl;
			inner_len = fv.ip_len - ohl;
			nh = fv.proto;
		} else {
			ohl = fv.family == 4 ? 20 : 40;
			memcpy(frame + l2, ip, ohl);
			if (fv.family == 4)
				frame[l2] = 0x45; /* options dropped, as the reference does */
			inner = ip;
			inner_len = fv.ip_len;
			nh = fv.family == 4 ? 4 : 41;
			int fam = o.has_outer_src   ? o.outer_family_src
				  : o.has_outer_dst ? o.outer_family_dst
						    : fv.family;
			if (fam != fv.family) {
				err("packet %u: --outer-src/--outer-dst family differs from the "
				    "packet's (an IPv%d packet)",
				    n, fv.family);
				bad++;
				continue;
			}
			size_t alen = fam == 4 ? 4 : 16, aoff = fam == 4 ? 12 : 8;
			if (o.has_outer_src)
				memcpy(frame + l2 + aoff, o.outer_src, alen);
			if (o.has_outer_dst)
				memcpy(frame + l2 + aoff + alen, o.outer_dst, alen);
		}
		off = l2 + ohl + 8;
		size_t slen = 0;
		int e;
		if (n - 1 > EESP_SN_MAX - o.first_iv) {
			/* the IV/SN would be 2^64-1 or wrap: never sent (eesp.7) */
			if (!exhausted)
				err("packet %u and later: not encrypted: the last %s is 2^64-2 "
				    "(%llu), the counter never wraps",
				    n, o.mode == EESP_MODE_PSP ? "IV" : "SN",
				    (unsigned long long)EESP_SN_MAX);
			exhausted = true;
			bad++;
			continue;
		}
		uint64_t iv = o.first_iv + (n - 1);
		if (o.mode == EESP_MODE_PSP) {
			struct psp_hdr_params hp = {.next_hdr = nh,
						    .crypt_off = (uint8_t)o.crypt_offset,
						    .version = (uint8_t)o.version,
						    .v = o.vc,
						    .spi = o.ctx.spi,
						    .iv = iv,
						    .vc = o.vc_value};
			e = psp_seal_with_key(cr, pkey, &hp, inner, inner_len, frame + off,
					      cap - off, &slen);
			if (!e && o.corrupt)
				frame[off + 2] ^= 0x80; /* a reserved bit, as psp_encrypt -e */
		} else {
			ep.sn = iv;
			ep.next_hdr = nh;
			e = eesp_with_key ? eesp_seal_with_key(cr, &edk, &ep, inner, inner_len,
							       frame + off, cap - off, &slen)
					  : eesp_seal(cr, &dom, &ep, inner, inner_len, frame + off,
						      cap - off, &slen);
			if (!e && o.corrupt)
				frame[off + slen - 1] ^= 0x01; /* the ICV */
		}
		if (e) {
			err("packet %u: cannot seal: %s", n, eesp_err_name(e));
			bad++;
			continue;
		}
		/* outer IP + UDP */
		uint8_t *oip = frame + l2, *udp = oip + ohl;
		size_t ulen = 8 + slen, olen = ohl + ulen;
		if (olen > 65535) {
			err("packet %u: too long once encrypted", n);
			bad++;
			continue;
		}
		struct frame_view iv4;
		uint16_t sport = o.sport;
		if (!o.has_sport) {
			if (o.mode == EESP_MODE_PSP && o.transport)
				sport = flow_sport(&fv, o.psp_compat);
			else if (!frame_parse(inner, inner_len, false, &iv4))
				sport = flow_sport(&iv4, o.psp_compat);
			else
				sport = o.psp_compat ? PSP_UDP_PORT : 49152;
		}
		eesp_put16(udp, sport);
		eesp_put16(udp + 2, o.dport);
		eesp_put16(udp + 4, (uint16_t)ulen);
		udp[6] = udp[7] = 0;
		if (fv.family == 4) {
			oip[9] = 17;
			eesp_put16(oip + 2, (uint16_t)olen);
			ipv4_fix_checksum(oip);
		} else {
			oip[6] = 17;
			eesp_put16(oip + 4, (uint16_t)(olen - 40));
		}
		if (!o.zero_csum)
			udp_fix_checksum(oip, olen);
		uint32_t usec = in.r.nsec ? rec.ts_frac / 1000 : rec.ts_frac;
		if (pcap_writer_add(&w, rec.ts_sec, usec, frame, l2 + olen)) {
			err("out of memory");
			goto out;
		}
	}
	if (nr < 0) {
		err("%s: truncated or corrupt record after packet %u", o.in, n);
		bad++;
	}
	if (pcap_out_write(o.out, &w))
		goto out;
	if (o.json)
		printf("{\"packets\":%u,\"sealed\":%u,\"failed\":%u}\n", n, n - bad, bad);
	else if (!o.quiet)
		fprintf(stderr, "%s: encrypted %u of %u packets (%s, spi 0x%08x, first %s %llu)\n",
			o.out, n - bad, n, mode_name(o.mode),
			o.mode == EESP_MODE_PSP ? o.ctx.spi : ep.spi,
			o.mode == EESP_MODE_PSP ? "iv" : "sn", (unsigned long long)o.first_iv);
	rc = bad ? 1 : 0;
out:
	OPENSSL_cleanse(pkey, sizeof(pkey));
	OPENSSL_cleanse(&edk, sizeof(edk));
	free(frame);
	pcap_writer_free(&w);
	eesp_crypto_free(cr);
	ctx_release(&r);
	pcap_in_close(&in);
	return rc;
}
