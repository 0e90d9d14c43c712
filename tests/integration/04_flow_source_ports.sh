#!/usr/bin/env bash
# 04: source-port entropy.  16 inner UDP flows (same addresses and source
# port, destination ports 10001-10016) from node 1 to node 2; the outer UDP
# packets are captured on node 1's veth.  Each flow's datagrams have their
# own size, so the outer UDP length tells which flow an (encrypted) packet
# belongs to.  Every flow must leave on exactly one outer source port, inside
# the configured range 49152-65535, and the 16 flows must use >= 4 ports.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
FLOWS=16 PER=6
pcap="$IT_DIR/veth1.pcap"
capture 1 "$(veth 1)" "$pcap" -Q out "udp and dst host $(ul4 2) and dst port $IT_PORT"
nsx 1 "$PY" - "$(in4 1)" "$(in4 2)" "$FLOWS" "$PER" <<'PYEOF' || fail "sending the flows failed"
import socket, sys, time
src, dst, flows, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 40000))
for r in range(per):
    for k in range(flows):
        # flow k: destination port 10001 + k, payload 100 + 8 k bytes
        s.sendto(bytes([k]) * (100 + 8 * k), (dst, 10001 + k))
        time.sleep(0.002)
PYEOF
CAP_COUNT=udp capture_stop $((FLOWS * PER))
pcap_udp "$pcap" >"$IT_DIR/outer.txt"
log "captured $(wc -l <"$IT_DIR/outer.txt") outer datagrams"
# "198.51.100.1 51234 198.51.100.2 4500 172 80..." (src sport dst dport payload-length hex)
"$PY" - "$FLOWS" "$PER" "$IT_DIR/outer.txt" <<'PYEOF' || fail "source-port entropy check failed"
import sys
flows, per = int(sys.argv[1]), int(sys.argv[2])
bylen = {}
for line in open(sys.argv[3]):
    f = line.split()
    if len(f) < 5:
        continue
    bylen.setdefault(int(f[4]), []).append(int(f[1]))
# inner length grows by 8 per flow; find the 16 lengths spaced by 8
lens = sorted(bylen)
base = None
for l in lens:
    if all(l + 8 * k in bylen for k in range(flows)):
        base = l
        break
if base is None:
    sys.exit("could not find %d flows in the capture: lengths %s" % (flows, lens))
ports, bad = set(), 0
for k in range(flows):
    sp = bylen[base + 8 * k]
    u = sorted(set(sp))
    print("flow %2d (inner dport %d): %d packets, outer source port(s) %s" % (k, 10001 + k, len(sp), u))
    if len(sp) != per:
        print("  expected %d packets" % per); bad += 1
    if len(u) != 1:
        print("  flow is not on exactly one port"); bad += 1
    if any(p < 49152 or p > 65535 for p in u):
        print("  port outside 49152-65535"); bad += 1
    ports.update(u)
print("%d flows on %d distinct outer source ports" % (flows, len(ports)))
if len(ports) < 4:
    print("  fewer than 4 ports"); bad += 1
sys.exit(1 if bad else 0)
PYEOF
log "PASS"
