#!/usr/bin/env python3
"""tests/tools/ike_fixture.py --psk PSK PCAP LOG: print the IKE core's
strongSwan fixture (tests/unit/data/ike/strongswan.txt) from a capture of
one IKE_SA_INIT + IKE_AUTH exchange and the initiator's `ike = 4` file log.

Output lines are `name = hex`.  The messages come from the pcap (UDP
payloads, the non-ESP marker stripped on port 4500), the intermediate
values from strongSwan's hex dumps ("SKEYSEED => 32 bytes @ ...").
"""
import argparse
import re
import struct
import sys


def udp_payloads(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        sys.exit("ike_fixture: link type %d, want Ethernet" % linktype)
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if struct.unpack(">H", frame[12:14])[0] != 0x0800:
            continue
        ihl = (frame[14] & 15) * 4
        ip = frame[14:]
        if ip[9] != 17:
            continue
        udp = ip[ihl:]
        sport, dport, ulen = struct.unpack(">HHH", udp[:6])
        payload = udp[8:ulen]
        if 4500 in (sport, dport):
            if payload[:4] != b"\0\0\0\0":
                continue  # ESP, not IKE
            payload = payload[4:]
        yield payload


def messages(path):
    want = {(34, 0): "init_req", (34, 1): "init_resp", (35, 0): "auth_req",
            (35, 1): "auth_resp"}
    got = {}
    for p in udp_payloads(path):
        key = (p[18], 1 if p[19] & 0x20 else 0)
        if key in want and want[key] not in got:
            got[want[key]] = p
    missing = [n for n in want.values() if n not in got]
    if missing:
        sys.exit("ike_fixture: pcap lacks " + ", ".join(missing))
    return got


DUMP_HEAD = re.compile(r"^(\d+)\[IKE\] (.*?) => (\d+) bytes @ 0x[0-9a-f]+$")
DUMP_LINE = re.compile(r"^(\d+)\[IKE\]\s+\d+: ((?:[0-9A-F]{2} ){1,16})")


def dumps(path):
    """[(label, bytes)] in log order."""
    out, cur = [], None
    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        m = DUMP_HEAD.match(line)
        if m:
            cur = [m.group(1), m.group(2), int(m.group(3)), bytearray()]
            out.append(cur)
            continue
        m = DUMP_LINE.match(line)
        if m and cur and m.group(1) == cur[0] and len(cur[3]) < cur[2]:
            cur[3] += bytes.fromhex(m.group(2))
    for c in out:
        if len(c[3]) != c[2]:
            sys.exit("ike_fixture: dump %r has %d of %d bytes" % (c[1], len(c[3]), c[2]))
    return [(c[1], bytes(c[3])) for c in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psk", required=True)
    ap.add_argument("pcap")
    ap.add_argument("log")
    a = ap.parse_args()
    msgs = messages(a.pcap)
    d = dumps(a.log)

    def first(label, nth=0):
        hits = [v for k, v in d if k == label]
        if len(hits) <= nth:
            sys.exit("ike_fixture: log lacks %r #%d" % (label, nth))
        return hits[nth]

    rows = [("psk", a.psk.encode())]
    rows += [(n, msgs[n]) for n in ("init_req", "init_resp", "auth_req", "auth_resp")]
    rows += [
        ("gir", first("shared Diffie Hellman secret")),
        ("skeyseed", first("SKEYSEED")),
        ("sk_d", first("Sk_d secret")),
        ("sk_ei", first("Sk_ei secret")),
        ("sk_er", first("Sk_er secret")),
        ("sk_pi", first("Sk_pi secret")),
        ("sk_pr", first("Sk_pr secret")),
        # the initiator builds its own AUTH first, then verifies the responder's
        ("idi_body", first("IDx'", 0)),
        ("auth_i_octets", first("octets = message + nonce + prf(Sk_px, IDx')", 0)),
        ("auth_i", first("AUTH = prf(prf(secret, keypad), octets)", 0)),
        ("idr_body", first("IDx'", 1)),
        ("auth_r_octets", first("octets = message + nonce + prf(Sk_px, IDx')", 1)),
        ("auth_r", first("AUTH = prf(prf(secret, keypad), octets)", 1)),
    ]
    print("# strongSwan 5.9.8 IKEv2 fixture: written by tests/tools/ike_fixture.sh, do not edit")
    print("# suite aes256gcm16-prfsha256-x25519, PSK, childless; values: name = hex")
    for k, v in rows:
        print("%s = %s" % (k, v.hex()))


main()
