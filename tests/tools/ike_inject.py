#!/usr/bin/env python3
# tests/tools/ike_inject.py - send hand-made IKEv2 datagrams for the
# eesp-iked integration tests (tests/integration/7x_iked_*.sh).
#
# Datagrams leave through a raw socket with the UDP header built here, so
# that they can carry source port 500 while the IKE daemon of the sending
# namespace holds that port (a test runs this inside a peer's namespace,
# from that peer's address: eesp-iked drops messages of an SA that come
# from anywhere else).
#
#   ike_inject.py [--src IP] [--sport N] --dst IP [--dport N] MODE ARGS...
#     sa-init                 a well-formed IKE_SA_INIT request (fresh SPIi,
#                             AES-GCM-256/SHA-256/X25519, random KE and nonce)
#     raw HEX                 the datagram HEX as it is
#     truncated HEX LEN       the first LEN octets of HEX
#     garbage N [COUNT]       COUNT datagrams of N random octets
#     oversize N              a header whose Length is N, and N octets
#     forge SPII SPIR EXCH FLAGS MID [LEN]
#                             a header with these fields and an SK payload
#                             of LEN random octets (its ICV cannot verify)
# Prints one line per datagram: "sent <len> octets".
import argparse, os, socket, struct, sys


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def send(a, payload):
    fam = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_UDP)
    if a.src:
        s.bind((a.src, 0))
    src = a.src or ("::" if fam == socket.AF_INET6 else "0.0.0.0")
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", a.sport, a.dport, length & 0xFFFF, 0)
    if fam == socket.AF_INET:
        pseudo = socket.inet_aton(src) + socket.inet_aton(a.dst) + struct.pack("!BBH", 0, 17, length)
    else:
        pseudo = (socket.inet_pton(fam, src) + socket.inet_pton(fam, a.dst) +
                  struct.pack("!IxxxB", length, 17))
    c = csum(pseudo + hdr + payload) or 0xFFFF
    hdr = struct.pack("!HHHH", a.sport, a.dport, length & 0xFFFF, c)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, 7, 6)  # IPV6_CHECKSUM off
    s.sendto(hdr + payload, (a.dst, 0))
    print("sent %d octets" % len(payload))


def payload(nxt, body, crit=0):
    return struct.pack("!BBH", nxt, crit, 4 + len(body)) + body


def header(spi_i, spi_r, first, exch, flags, mid, total):
    return spi_i + spi_r + struct.pack("!BBBBII", first, 0x20, exch, flags, mid, total)


def sa_init():
    spi_i = os.urandom(8)
    # proposal 1: ENCR AES-GCM-16 (256), PRF HMAC-SHA2-256, KE X25519
    t = [struct.pack("!BxHBxH", 3, 12, 1, 20) + struct.pack("!HH", 0x800E, 256),
         struct.pack("!BxHBxH", 3, 8, 2, 5),
         struct.pack("!BxHBxH", 0, 8, 4, 31)]
    trans = b"".join(t)
    prop = struct.pack("!BxHBBBB", 0, 8 + len(trans), 1, 1, 0, 3) + trans
    sa = payload(34, prop)                       # next: KE
    ke = payload(40, struct.pack("!HH", 31, 0) + os.urandom(32))  # next: Nonce
    no = payload(0, os.urandom(32))
    body = sa + ke + no
    return header(spi_i, b"\0" * 8, 33, 34, 0x08, 0, 28 + len(body)) + body


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--src")
    p.add_argument("--sport", type=int, default=500)
    p.add_argument("--dst", required=True)
    p.add_argument("--dport", type=int, default=500)
    p.add_argument("mode")
    p.add_argument("args", nargs="*")
    a = p.parse_args()
    m, x = a.mode, a.args
    if m == "sa-init":
        send(a, sa_init())
    elif m == "raw":
        send(a, bytes.fromhex(x[0]))
    elif m == "truncated":
        send(a, bytes.fromhex(x[0])[: int(x[1])])
    elif m == "garbage":
        for _ in range(int(x[1]) if len(x) > 1 else 1):
            send(a, os.urandom(int(x[0])))
    elif m == "oversize":
        n = int(x[0])
        d = header(os.urandom(8), os.urandom(8), 0, 37, 0x08, 0, n)
        send(a, d + os.urandom(n - len(d)))
    elif m == "forge":
        spi_i, spi_r = bytes.fromhex(x[0]), bytes.fromhex(x[1])
        exch, flags, mid = int(x[2], 0), int(x[3], 0), int(x[4], 0)
        n = int(x[5]) if len(x) > 5 else 48
        sk = payload(0, os.urandom(n))
        send(a, header(spi_i, spi_r, 46, exch, flags, mid, 28 + len(sk)) + sk)
    else:
        sys.exit("unknown mode %s" % m)


main()
