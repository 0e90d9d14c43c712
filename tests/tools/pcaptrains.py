#!/usr/bin/env python3
# tests/tools/pcaptrains.py - pcap files of GSO trains for the train tests
# (tests/cli/09_trains.sh, tests/dissector/45_trains.sh).
#
#   pcaptrains.py inner OUT [--v6] LEN...
#       Ethernet IPv4 (--v6: IPv6) UDP packets of one flow, payload lengths
#       LEN..., payload bytes derived from the index (to feed eespctl encrypt)
#   pcaptrains.py trains IN OUT CORRUPT N...
#       frame k of OUT holds the next N_k datagrams of IN (UDP payloads laid
#       end to end, as a capture of a UDP GSO send shows them) behind the
#       headers of the first of them, IP and UDP lengths and checksums fixed,
#       its timestamp; CORRUPT is "FRAME.DATAGRAM" (1-based) whose ciphertext
#       gets one bit flipped, or "-"
import struct
import sys

MACS = bytes.fromhex("020000000002020000000001")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def inner(out, args):
    v6 = "--v6" in args
    lens = [int(a) for a in args if a != "--v6"]
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, n in enumerate(lens):
            data = bytes((i + k) & 0xff for k in range(n))
            udp = struct.pack("!HHHH", 40000, 5201, 8 + len(data), 0) + data
            if v6:
                ip = struct.pack("!IHBB16s16s", 0x60000000, len(udp), 17, 64,
                                 bytes.fromhex("20010db8000100000000000000000001"),
                                 bytes.fromhex("20010db8000100000000000000000002"))
                p = MACS + b"\x86\xdd" + ip + udp
            else:
                ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                                 bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2]))
                ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
                p = MACS + b"\x08\x00" + ip + udp
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)


def split(p):  # Ethernet frame -> (ethernet, ip header, udp header, udp payload)
    ip = p[14:]
    hl = (ip[0] & 15) * 4 if ip[0] >> 4 == 4 else 40
    return p[:14], ip[:hl], ip[hl:hl + 8], ip[hl + 8:]


def trains(src, out, bad, groups):
    d = open(src, "rb").read()
    recs, off = [], 24
    while off < len(d):
        ts, us, incl, _ = struct.unpack("<IIII", d[off:off + 16])
        recs.append((ts, us, d[off + 16:off + 16 + incl]))
        off += 16 + incl
    assert sum(groups) == len(recs), (groups, len(recs))
    bf, bd = (int(x) for x in bad.split(".")) if bad != "-" else (0, 0)
    with open(out, "wb") as f:
        f.write(d[:24])
        i = 0
        for k, g in enumerate(groups, 1):
            eth, ip, udp, _ = split(recs[i][2])
            pays = [bytearray(split(r[2])[3]) for r in recs[i:i + g]]
            if k == bf:
                pays[bd - 1][-20] ^= 1
            pay = b"".join(pays)
            ul = 8 + len(pay)
            if ip[0] >> 4 == 4:
                ip = ip[:2] + struct.pack("!H", len(ip) + ul) + ip[4:10] + b"\0\0" + ip[12:]
                ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
                ph = ip[12:20] + struct.pack("!BBH", 0, 17, ul)
            else:
                ip = ip[:4] + struct.pack("!H", ul) + ip[6:]
                ph = ip[8:40] + struct.pack("!IxxxB", ul, 17)
            u = udp[:4] + struct.pack("!HH", ul, 0)
            c = csum(ph + u + pay) or 0xffff
            p = eth + ip + udp[:4] + struct.pack("!HH", ul, c) + pay
            f.write(struct.pack("<IIII", recs[i][0], recs[i][1], len(p), len(p)) + p)
            i += g


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "inner":
        inner(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "trains":
        trains(sys.argv[2], sys.argv[3], sys.argv[4], [int(g) for g in sys.argv[5:]])
    else:
        sys.exit("usage: pcaptrains.py inner OUT [--v6] LEN... | trains IN OUT CORRUPT N...")
