#!/usr/bin/env python3
"""Expected tshark field values for every committed vector (standard library only).

Usage: vector_expect.py VECTORS_DIR
Prints one line per case of VECTORS_DIR/index.txt, tab-separated:
    name  pcap-path  tshark-fields(space-separated)  expected-line  verdict
The expected line is what `tshark -T fields -E separator=| -E occurrence=a
-E aggregator=,` prints for those fields: header values from the JSON, the
derived key, and the outer and inner addresses, ports and ICMP type (the
inner ones parsed from the JSON's inner_packet, the outer ones from the pcap).
verdict is the JSON's "verdict" (receive-rule cases; "ok" otherwise): for a
drop the plugin decrypts (unless the header alone is invalid: seq_zero,
seq_max), shows no inner packet, and names the reason in an expert info.
"""
import ipaddress
import json
import os
import struct
import sys

EESP_FIELDS = [
    "eesp.spi", "eesp.session_id", "eesp.sctx.profile", "eesp.sctx.kdf", "eesp.sctx.suite",
    "eesp.sctx.phase.domain", "eesp.sctx.phase.tenant", "eesp.sctx.phase.group",
    "eesp.sctx.epoch", "eesp.sctx.tenant_id", "eesp.sctx.group_id", "eesp.sctx.node_id",
    "eesp.sctx.peer_node_id", "eesp.sn", "eesp.crypt_offset.crypt_offset",
    "eesp.pih.next_header", "eesp.decrypted", "eesp.data_key", "eesp.salt",
]
PSP_FIELDS = [
    "psp.spi", "psp.spi.keyselector", "psp.version", "psp.cryptoffset", "psp.v", "psp.vc",
    "psp.iv", "psp.nexthdr", "psp.decrypted", "psp.data_key",
]
IP_FIELDS = [
    "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport", "udp.dstport", "icmp.type",
    "icmpv6.type",
]
PROFILES = {"spi": 1, "node": 2, "pair": 3, "tenant": 4}


def outer(pcap):
    """Outer IPv4 addresses and UDP ports of the single frame of a vector pcap."""
    with open(pcap, "rb") as f:
        d = f.read()
    magic = struct.unpack("<I", d[:4])[0]
    if magic != 0xA1B2C3D4:
        sys.exit("%s: not a little-endian microsecond pcap" % pcap)
    linktype = struct.unpack("<I", d[20:24])[0]
    p = d[24 + 16:]
    if linktype == 1:  # Ethernet
        if struct.unpack("!H", p[12:14])[0] != 0x0800:
            sys.exit("%s: outer frame is not IPv4" % pcap)
        p = p[14:]
    ihl = (p[0] & 0x0F) * 4
    src, dst = str(ipaddress.ip_address(p[12:16])), str(ipaddress.ip_address(p[16:20]))
    sport, dport = struct.unpack("!HH", p[ihl:ihl + 4])
    return src, dst, sport, dport


def inner(pkt):
    """src, dst, version, l4 proto, sport, dport, icmp type of an IP packet."""
    v = pkt[0] >> 4
    if v == 4:
        ihl = (pkt[0] & 0x0F) * 4
        proto, src, dst, l4 = pkt[9], pkt[12:16], pkt[16:20], pkt[ihl:]
    elif v == 6:
        proto, src, dst, l4 = pkt[6], pkt[8:24], pkt[24:40], pkt[40:]
    else:
        sys.exit("inner packet is not IPv4/IPv6")
    sport = dport = icmp = None
    if proto in (6, 17):
        sport, dport = struct.unpack("!HH", l4[:4])
    elif proto in (1, 58):
        icmp = l4[0]
    return (str(ipaddress.ip_address(src)), str(ipaddress.ip_address(dst)), v, proto, sport,
            dport, icmp)


def ip_values(o, i, inner_shown=True):
    osrc, odst, osport, odport = o
    if not inner_shown:  # a dropped packet: only the outer headers
        return [osrc, odst, "", "", str(osport), str(odport), "", ""]
    isrc, idst, v, proto, isport, idport, icmp = i
    ip_src, ip_dst, v6_src, v6_dst = [osrc], [odst], [], []
    if v == 4:
        ip_src.append(isrc)
        ip_dst.append(idst)
    else:
        v6_src.append(isrc)
        v6_dst.append(idst)
    usp, udp = [str(osport)], [str(odport)]
    if proto == 17:
        usp.append(str(isport))
        udp.append(str(idport))
    return [",".join(ip_src), ",".join(ip_dst), ",".join(v6_src), ",".join(v6_dst),
            ",".join(usp), ",".join(udp),
            str(icmp) if proto == 1 else "", str(icmp) if proto == 58 else ""]


def opt(j, k):
    return str(j[k]) if k in j else ""


HEADER_DROPS = ("seq_zero", "seq_max")  # dropped before any key is derived


def eesp_values(j):
    phases = {r["level"]: r["phase"] for r in j["root_keys"]}
    co = j.get("crypt_offset", 0)
    verdict = j.get("verdict", "ok")
    nh = ""
    if co and "payload_info_header" in j:
        nh = str(bytes.fromhex(j["payload_info_header"])[2])
    elif co:
        nh = str(4 if j["inner_packet"][0] == "4" else 41)
    decrypted = [] if verdict in HEADER_DROPS else ["1", j["data_key"], j["salt"]]
    return [
        "0x%08x" % int(j["spi"], 16), str(j["session_id"]), str(PROFILES[j["profile"]]),
        "2" if "hmac" in j["kdf"] else "1", "2" if j["suite"].endswith("256") else "1",
        str(phases.get("domain", 0)), str(phases.get("tenant", 0)), str(phases.get("group", 0)),
        str(j["epoch"]), opt(j, "tenant_id"), opt(j, "group_id"),
        opt(j, "node_id") if j["profile"] != "spi" else "",
        opt(j, "peer_node_id"), str(int(j["sequence_number"], 16)),
        str(co) if co else "", nh,
    ] + (decrypted or ["", "", ""])


def psp_values(j):
    spi = int(j["spi"], 16)
    vc = ""
    if j.get("vc"):
        # the VC follows the IV (PSP header bytes 16..23)
        vc = "0x" + j["packet"][32:48]
    return [
        "0x%08x" % spi, "1" if spi & 0x80000000 else "0", str(j["version"]),
        str(j["crypt_offset"]), "1" if j.get("vc") else "0", vc,
        "0x" + j["iv"], str(j["next_header"]), "1", j["derived_key"],
    ]


def main():
    vdir = sys.argv[1]
    with open(os.path.join(vdir, "index.txt")) as f:
        names = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
    if not names:
        sys.exit("no cases in %s/index.txt" % vdir)
    for name in names:
        with open(os.path.join(vdir, name + ".json")) as f:
            j = json.load(f)
        pcap = os.path.join(vdir, j.get("pcap", name + ".pcap"))
        if j["mode"] == "eesp":
            fields, vals = EESP_FIELDS, eesp_values(j)
        elif j["mode"] == "psp":
            fields, vals = PSP_FIELDS, psp_values(j)
        else:
            sys.exit("%s: unknown mode %s" % (name, j["mode"]))
        verdict = j.get("verdict", "ok")
        vals += ip_values(outer(pcap), inner(bytes.fromhex(j["inner_packet"])), verdict == "ok")
        print("\t".join([name, pcap, " ".join(fields + IP_FIELDS), "|".join(vals), verdict]))


if __name__ == "__main__":
    main()
