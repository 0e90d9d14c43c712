// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * decrypt.c - `eespctl decrypt psp|eesp IN [OUT]`: open every PSP/EESP
 * packet of a pcap file, like the PSP reference's psp_decrypt, and report a
 * verdict per packet (ok, or the core's error name); exit 1 if any failed.
 *
 * Tunnel mode: the output frame is the inner IP packet behind the original
 * link header.  PSP transport mode (Next Header not 4/41): the packet's own
 * IP header gets the L4 protocol and length back, followed by the L4 segment.
 * Parsing and opening are the core's (psp_parse/psp_open, eesp_parse/eesp_open).
 * A UDP payload that holds a GSO train is split by the rule of eesp_proto.h
 * (eesp_train_stride); each datagram gets its own verdict and output record.
 *
 * Verdicts are the daemon's counter names (eespd rx.c): a datagram is first
 * classified like eespd does (keepalive, ike, esp), and the crypt offset
 * accepted is the domain's max_crypt_offset (0 by default, as in eespd)
 * unless --max-crypt-offset says otherwise.
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
		"Usage: %s decrypt psp [--keys FILE|DIR|- | --data-key FILE|- --version 0-3]\n"
		"              [--port N] [--json] [-q] [--snaplen N] IN.pcap [OUT.pcap]\n"
		"       %s decrypt eesp [--domain DIR | --keys FILE|- | --data-key FILE|-]\n"
		"              [--spi SPI] [--suite S] [--epoch-now N] [--epoch-window N]\n"
		"              [--max-crypt-offset N] [--port N] [--json] [-q] [--snaplen N]\n"
		"              IN.pcap [OUT.pcap]\n\n"
		"Decrypts every packet of IN sent to UDP port --port (1000 for psp, 4500 for\n"
		"eesp) and prints one verdict per packet: `ok` or the name of the check that\n"
		"failed (auth_failed, unknown_generation, epoch_window, ...).  Other packets\n"
		"are `skipped` and copied to OUT unchanged; failed ones are left out.  Exits\n"
		"1 if any packet failed.\n"
		"psp: keys are the two master keys (`psp 0|1 HEX` lines; the SPI's bit 31\n"
		"selects), or one data key with --data-key (16 bytes for --version 0 and 2,\n"
		"32 for 1 and 3).  Tunnel (Next Header 4/41) and transport packets are both\n"
		"handled; versions 2 and 3 (AES-GMAC) are verified and their clear payload\n"
		"written out.\n"
		"eesp: root keys of a domain directory or key file; the SPI must be the\n"
		"domain id (--spi, the config or the key file's `domain` line; otherwise any\n"
		"SPI is taken as the domain's).  Every epoch is accepted unless --epoch-now\n"
		"and --epoch-window are given.  Crypt offsets above the domain's\n"
		"max_crypt_offset (its eespd.conf; 0, eespd's default, without one) are\n"
		"dropped as eespd drops them, unless --max-crypt-offset N (63: any) is given.\n"
		"Verdicts are eespd's counter names: keepalive, ike and esp for datagrams\n"
		"that are no EESP.  --data-key takes an spi-profile `KEYHEX SALTHEX`.\n"
		"--json prints {\"packets\":[...],\"ok\":N,\"failed\":N,\"skipped\":N,...}.\n"
		"A UDP payload holding a GSO train (datagrams laid end to end, as eespd\n"
		"sends them) is split; each datagram is a packet of its own, numbered\n"
		"FRAME.I, with its own record in OUT.\n\n"
		"Examples:\n"
		"  %s decrypt psp --keys psp psp.pcap out.pcap\n"
		"  %s decrypt eesp --domain lab --json eesp.pcap\n",
		PROG, PROG, PROG, PROG);
}

struct verdict {
	unsigned n;	  /* record (frame) number, 1-based */
	unsigned dgram;	  /* datagram of a GSO train, 1-based; 0 = not a train */
	unsigned of;	  /* datagrams in the train */
	int err;	  /* -1 skipped */
	const char *drop; /* a daemon counter that is no core error (keepalive, ike, esp) */
	uint32_t spi;
	uint64_t iv;
	bool has_hdr;
	size_t len;
	const char *what;
};

static void report(const struct xopts *o, const struct verdict *v, bool *first)
{
	const char *name = v->err < 0 ? "skipped" : v->drop ? v->drop : eesp_err_name(v->err);
	if (o->json) {
		printf("%s{\"n\":%u", *first ? "" : ",", v->n);
		if (v->dgram)
			printf(",\"dgram\":%u,\"train\":%u", v->dgram, v->of);
		printf(",\"verdict\":\"%s\"", name);
		if (v->has_hdr)
			printf(",\"spi\":%u,\"%s\":%llu", v->spi,
			       o->mode == EESP_MODE_PSP ? "iv" : "sn", (unsigned long long)v->iv);
		if (!v->err)
			printf(",\"len\":%zu,\"mode\":\"%s\"", v->len, v->what);
		putchar('}');
		*first = false;
		return;
	}
	if (o->quiet && v->err <= 0)
		return;
	printf("%u", v->n);
	if (v->dgram)
		printf(".%u", v->dgram);
	printf(" %s", name);
	if (v->has_hdr)
		printf(" spi 0x%08x %s %llu", v->spi, o->mode == EESP_MODE_PSP ? "iv" : "sn",
		       (unsigned long long)v->iv);
	if (!v->err)
		printf(" %s %zu bytes", v->what, v->len);
	else if (v->err < 0 && v->what)
		printf(" (%s)", v->what);
	putchar('\n');
}

/* What opening a datagram needs: the keys and the scratch buffer. */
struct dkeys {
	struct xopts *o;
	struct eesp_crypto *cr;
	struct ctx_resolved *r;
	struct eesp_dkey *edk;
	const uint8_t *pkey;
	size_t pklen;
	uint8_t *buf;
};

/*
 * The classification of eespd's receive path (rx.c) before any parsing: the
 * counter a NAT keepalive, an IKE non-ESP marker or an ESP packet is dropped
 * under, or NULL to parse the datagram (a runt then fails as truncated).
 * PSP's port carries no IKE or ESP, but eespd counts keepalives there too.
 */
static const char *classify_drop(enum eesp_mode mode, const uint8_t *p, size_t len)
{
	if (mode == EESP_MODE_PSP)
		return len == 1 && p[0] == 0xff ? "keepalive" : NULL;
	switch (eesp_udp_classify(p, len)) {
	case EESP_UDP_KEEPALIVE:
		return "keepalive";
	case EESP_UDP_IKE:
		return "ike";
	case EESP_UDP_ESP:
		return "esp";
	case EESP_UDP_EESP:
	case EESP_UDP_RUNT:
		break;
	}
	return NULL;
}

/*
 * Open one datagram dg[0 .. len) of the UDP payload of the frame fv/rec
 * describes (one of a GSO train, or the whole payload).  On success frame
 * gets the output record (link header, then the inner packet, or in PSP
 * transport mode the frame's own IP header and the L4 segment).
 */
static int open_dgram(const struct dkeys *k, const uint8_t *rec, const struct frame_view *fv,
		      bool eth, const uint8_t *dg, size_t len, struct verdict *v, uint8_t *frame,
		      size_t *out_len)
{
	struct xopts *o = k->o;
	uint8_t *buf = k->buf;
	size_t l2 = fv->l3_off, ioff = 0, ilen = 0;
	int e;
	bool tunnel = true;

	memcpy(buf, dg, len);
	if ((v->drop = classify_drop(o->mode, buf, len)))
		return EESP_E_NOT_EESP; /* reported under v->drop */
	if (o->mode == EESP_MODE_PSP) {
		struct psp_view pv;
		e = psp_parse(buf, len, &pv);
		if (e)
			return e;
		v->has_hdr = true;
		v->spi = pv.spi;
		v->iv = pv.iv;
		const struct eesp_sa_key *sa =
		    k->pklen ? NULL : eesp_keyset_sa(k->r->ks, true, pv.spi);
		if (k->pklen)
			e = psp_open_with_key(k->cr, k->pkey, k->pklen, buf, len, &pv, &ioff,
					      &ilen);
		else if (sa)
			e = psp_open_with_key(k->cr, sa->key, sa->key_len, buf, len, &pv, &ioff,
					      &ilen);
		else if (!k->r->ks->has_psp[pv.spi >> 31])
			e = EESP_E_NO_KEY;
		else
			e = psp_open(k->cr, k->r->ks, buf, len, &pv, &ioff, &ilen);
		tunnel = pv.next_hdr == 4 || pv.next_hdr == 41;
		if (!e && !tunnel) {
			/* transport: the L4 segment follows the PSP header, and the
			 * packet's own IP header gets the L4 protocol back */
			const uint8_t *ip = rec + l2;
			size_t hl = fv->l3_hdr_len, tot;
			ioff = pv.hdr_len;
			ilen = len - pv.hdr_len - PSP_ICV_LEN;
			tot = hl + ilen;
			if (tot > 65535 + (fv->family == 6 ? 40 : 0))
				return EESP_E_OVERSIZE;
			memcpy(frame, rec, l2);
			memcpy(frame + l2, ip, hl);
			memcpy(frame + l2 + hl, buf + ioff, ilen);
			uint8_t *oip = frame + l2;
			if (fv->family == 4) {
				oip[9] = pv.next_hdr;
				eesp_put16(oip + 2, (uint16_t)tot);
				ipv4_fix_checksum(oip);
			} else {
				oip[6] = pv.next_hdr;
				eesp_put16(oip + 4, (uint16_t)(tot - hl));
			}
			*out_len = l2 + tot;
			v->what = "transport";
			v->len = ilen;
		}
	} else {
		struct eesp_view ev;
		e = eesp_parse(buf, len, o->max_crypt_offset, &ev);
		if (e)
			return e;
		v->has_hdr = true;
		v->spi = ev.spi;
		v->iv = ev.sn;
		const struct eesp_sa_key *sa =
		    o->data_key || eesp_keyset_ring(k->r->ks, EESP_LEVEL_DOMAIN, 0)
			? NULL
			: eesp_keyset_sa(k->r->ks, false, ev.spi);
		if (sa) { /* a client's key file: its out-of-band data key */
			k->edk->suite =
			    sa->key_len == 32 ? EESP_SUITE_AES_GCM_256 : EESP_SUITE_AES_GCM_128;
			memcpy(k->edk->key, sa->key, sa->key_len);
			memcpy(k->edk->salt, sa->salt, EESP_SALT_LEN);
		}
		if (o->data_key || sa) {
			e = eesp_open_with_key(k->cr, k->edk, buf, len, &ev, &ioff, &ilen);
		} else {
			const struct ctx_resolved *r = k->r;
			struct eesp_domain d = {.spi = r->spi_known ? r->dc.id : ev.spi,
						.spi_min = r->dc.spi_min,
						.spi_max = r->dc.spi_max,
						.keys = r->ks,
						.epoch_window = o->epoch_window,
						.self_node_id = ev.sctx.peer_node_id,
						.max_crypt_offset = o->max_crypt_offset};
			if (!r->spi_known && ev.sctx.profile == EESP_PROFILE_SPI)
				d.spi_min = d.spi_max = ev.spi;
			e = eesp_open(k->cr, &d, o->epoch_now, buf, len, &ev, &ioff, &ilen);
		}
	}
	if (e || !tunnel)
		return e;
	if (ilen < 1 || ((buf[ioff] >> 4) != 4 && (buf[ioff] >> 4) != 6))
		return EESP_E_BAD_INNER;
	memcpy(frame, rec, l2);
	if (eth && l2 >= 14) /* EtherType of the inner packet */
		eesp_put16(frame + l2 - 2, (buf[ioff] >> 4) == 4 ? 0x0800 : 0x86dd);
	memcpy(frame + l2, buf + ioff, ilen);
	*out_len = l2 + ilen;
	v->what = "tunnel";
	v->len = ilen;
	return 0;
}

static int write_rec(const struct xopts *o, struct pcap_writer *w, const struct pcap_in *in,
		     const struct pcap_rec *rec, const uint8_t *frame, size_t len)
{
	uint32_t usec = in->r.nsec ? rec->ts_frac / 1000 : rec->ts_frac;
	if (!o->out)
		return 0;
	if (pcap_writer_add(w, rec->ts_sec, usec, frame, len)) {
		err("out of memory");
		return -1;
	}
	return 0;
}

int decrypt_main(int argc, char *argv[])
{
	struct xopts o = {.encrypt = false};
	int rc = xopts_parse(argc, argv, &o, usage);
	if (rc >= 0)
		return rc;

	struct pcap_in in;
	struct pcap_writer w = {0};
	struct eesp_crypto *cr = NULL;
	struct ctx_resolved r = {0};
	struct eesp_dkey edk;
	uint8_t pkey[32];
	size_t pklen = 0;
	uint8_t *buf = NULL, *frame = NULL;
	size_t cap = PCAP_MAX_SNAPLEN + 64;
	unsigned n = 0, nframes = 0, ntrains = 0, nok = 0, nfail = 0, nskip = 0;
	bool first = true;

	rc = 1;
	memset(&edk, 0, sizeof(edk));
	if (pcap_in_open(o.in, &in))
		return 1;
	if (o.data_key) {
		char *kb;
		size_t kl;
		char k[80], s[16];
		if (read_secret_file(o.data_key, &kb, &kl))
			goto out;
		if (o.mode == EESP_MODE_PSP) {
			size_t want = psp_version_key_len(o.version);
			int bad = hex_decode(kb, kl, pkey, want);
			free_secret(kb, kl);
			if (bad) {
				err("--data-key: expected a %zu-byte PSP v%u data key", want,
				    o.version);
				goto out;
			}
			pklen = want;
		} else {
			unsigned suite = o.ctx.suite ? o.ctx.suite : EESP_SUITE_AES_GCM_256;
			size_t klen = eesp_suite_key_len(suite);
			int ok = sscanf(kb, "%79s %15s", k, s) == 2 &&
				 !hex_decode(k, strlen(k), edk.key, klen) &&
				 !hex_decode(s, strlen(s), edk.salt, EESP_SALT_LEN);
			free_secret(kb, kl);
			OPENSSL_cleanse(k, sizeof(k));
			OPENSSL_cleanse(s, sizeof(s));
			if (!ok) {
				err("--data-key: expected `KEYHEX SALTHEX` (%zu-byte key for %s)",
				    klen, suite_name(suite));
				goto out;
			}
			edk.suite = (uint8_t)suite;
		}
	} else {
		if (ctx_resolve(&o.ctx, false, &r, NULL))
			goto out;
		if (!o.has_max_crypt_offset)
			o.max_crypt_offset = r.dc.max_crypt_offset;
		bool any_sa = false;
		for (unsigned i = 0; i < r.ks->n_sa; i++)
			any_sa |= r.ks->sa[i].psp == (o.mode == EESP_MODE_PSP);
		if (o.mode == EESP_MODE_PSP && !r.ks->has_psp[0] && !r.ks->has_psp[1] && !any_sa) {
			err("no PSP master keys (`psp 0|1 HEX`) or `sa psp` lines in %s",
			    r.key_path[0] ? r.key_path : "stdin");
			goto out;
		}
	}
	cr = eesp_crypto_new(64);
	buf = malloc(cap);
	frame = malloc(cap);
	if (!cr || !buf || !frame ||
	    (o.out && pcap_writer_init(&w, in.r.linktype, xsnaplen(&o, &in)))) {
		err("out of memory");
		goto out;
	}
	if (o.json)
		printf("{\"packets\":[");
	bool eth = in.r.linktype == PCAP_LINKTYPE_ETHERNET;
	struct dkeys dk = {
	    .o = &o, .cr = cr, .r = &r, .edk = &edk, .pkey = pkey, .pklen = pklen, .buf = buf};
	struct pcap_rec rec;
	int nr;
	while ((nr = pcap_reader_next(&in.r, &rec)) == 1) {
		struct frame_view fv;
		nframes++;
		if (frame_parse(rec.data, rec.caplen, eth, &fv) || fv.proto != 17 ||
		    fv.dport != o.dport || fv.l3_off + fv.ip_len > rec.caplen) {
			struct verdict v = {
			    .n = nframes, .err = -1, .what = "not UDP to the mode's port"};
			n++;
			nskip++;
			report(&o, &v, &first);
			if (write_rec(&o, &w, &in, &rec, rec.data, rec.caplen))
				goto out;
			continue;
		}
		/* a GSO train (eesp_proto.h): one verdict and one record per datagram */
		const uint8_t *pl = rec.data + fv.payload_off;
		size_t plen = fv.payload_len, s = x_train_stride(&o, pl, plen);
		unsigned nd = s && s < plen ? (unsigned)((plen + s - 1) / s) : 1;
		if (nd > 1)
			ntrains++;
		else
			s = plen;
		for (unsigned i = 0; i < nd; i++) {
			size_t off = (size_t)i * s, dl = plen - off < s ? plen - off : s,
			       out_len = 0;
			struct verdict v = {.n = nframes, .dgram = nd > 1 ? i + 1 : 0, .of = nd};
			n++;
			v.err =
			    open_dgram(&dk, rec.data, &fv, eth, pl + off, dl, &v, frame, &out_len);
			if (v.err)
				nfail++;
			else
				nok++;
			report(&o, &v, &first);
			if (!v.err && write_rec(&o, &w, &in, &rec, frame, out_len))
				goto out;
		}
	}
	if (nr < 0) {
		err("%s: record %u is truncated or corrupt", o.in, nframes + 1);
		nfail++;
	}
	if (o.json)
		printf("],\"ok\":%u,\"failed\":%u,\"skipped\":%u,\"frames\":%u,\"trains\":%u}\n",
		       nok, nfail, nskip, nframes, ntrains);
	else if (!o.quiet && ntrains)
		fprintf(stderr,
			"%s: %u packets (%u frames, %u of them GSO trains): %u ok, %u failed, %u "
			"skipped\n",
			o.in, n, nframes, ntrains, nok, nfail, nskip);
	else if (!o.quiet)
		fprintf(stderr, "%s: %u packets: %u ok, %u failed, %u skipped\n", o.in, n, nok,
			nfail, nskip);
	if (o.out && pcap_out_write(o.out, &w))
		goto out;
	rc = nfail ? 1 : 0;
out:
	OPENSSL_cleanse(pkey, sizeof(pkey));
	OPENSSL_cleanse(&edk, sizeof(edk));
	free(buf);
	free(frame);
	pcap_writer_free(&w);
	eesp_crypto_free(cr);
	ctx_release(&r);
	pcap_in_close(&in);
	return rc;
}
