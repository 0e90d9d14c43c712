#!/usr/bin/env bash
# 21: no (data key, nonce) repeats across a crash.  Two nodes, ping -i 0.01
# both ways; node 1's eespd is killed with SIGKILL mid-traffic and restarted
# with the same state_dir, then more traffic.  The underlay is captured in
# both runs; every EESP packet node 1 sent is parsed and the tuple
# (SPI, Session ID, SCTX option data, SN) - which determines the data key
# (KDF context = SPI || Session ID || SCTX) and the nonce (salt || SN) - must
# never appear twice.  Also checks the restarted sender's first SN is above
# every SN of the first run for the same key context.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 3

cap1="$IT_DIR/run1.pcap" cap2="$IT_DIR/run2.pcap"
capture 2 "$(veth 2)" "$cap1" udp port 4500
t0=$(counter 1 tx_packets)
spawn nsx 1 ping -n -q -i 0.01 -c 400 -W 1 "$(in4 2)"
ping1=$BG_PID
# kill mid-traffic, once node 1 has sent 150 of the pings (the check below
# needs 100 of its packets in each run)
wait_for 60 counter_above 1 tx_packets $((t0 + 150)) || fail "node 1 did not send the pings"
kill -0 "$ping1" 2>/dev/null || log "note: the ping ended before the kill (a slow machine)"
pid=${IT_DPID[1]}
kill -KILL "$pid" || fail "kill -9 eespd node 1"
wait "$pid" 2>/dev/null
unset "IT_DPID[1]"
log "node 1 eespd (pid $pid) killed with SIGKILL mid-traffic"
wait "$ping1" 2>/dev/null
CAP_COUNT=udp capture_stop 150
ls -l "$(node_dir 1)/state" | sed 's/^/  state: /'

capture 2 "$(veth 2)" "$cap2" udp port 4500
daemon_start 1
nsx 1 timeout 120 ping -n -q -i 0.01 -c 400 -W 5 "$(in4 2)" >"$IT_DIR/ping2.out" 2>&1
grep -o '[0-9]* received' "$IT_DIR/ping2.out" | sed 's/^/  run 2 ping: /'
ping_ok 1 "$(in4 2)" 3
CAP_COUNT=udp capture_stop 200

# every datagram (a GSO train split by pcap_udp), with its whole payload
PCAP_UDP_HEX=all pcap_udp "$cap1" >"$IT_DIR/run1.udp"
PCAP_UDP_HEX=all pcap_udp "$cap2" >"$IT_DIR/run2.udp"
"$PY" - "$IT_DIR/run1.udp" "$IT_DIR/run2.udp" "$(ul4 1)" <<'PYEOF' || fail "IV reuse check failed"
import struct, sys

def udp_payloads(path):
    for line in open(path):
        f = line.split()
        yield f[0], bytes.fromhex(f[5]) if f[5] != "-" else b""

def eesp_tuple(u):
    # base header, TLV options (Pad1 = one byte), peer header (SN)
    if len(u) < 16 or u[0] != 0x80:
        return None
    optlen = u[1]
    session, spi = u[2:4], u[4:8]
    opts, i, sctx = u[8:8 + optlen], 0, None
    while i < len(opts):
        t = opts[i]
        if t == 0:
            i += 1
            continue
        if i + 2 > len(opts):
            return None
        ln = opts[i + 1]
        if t == 0xE0:
            if sctx is not None:
                return None
            sctx = bytes(opts[i + 2:i + 2 + ln])
        i += 2 + ln
    if sctx is None or len(u) < 8 + optlen + 8:
        return None
    sn = struct.unpack(">Q", u[8 + optlen:16 + optlen])[0]
    return (spi.hex(), session.hex(), sctx.hex(), sn)

src = sys.argv[3]
runs = []
for path in sys.argv[1:3]:
    tuples, other = [], 0
    for s, u in udp_payloads(path):
        if s != src:
            continue
        t = eesp_tuple(u)
        if t is None:
            other += 1
        else:
            tuples.append(t)
    runs.append(tuples)
    print(f"  {path.rsplit('/', 1)[1]}: {len(tuples)} EESP packets from node 1 ({other} other UDP)")
n1, n2 = len(runs[0]), len(runs[1])
if n1 < 100 or n2 < 100:
    sys.exit(f"too little traffic captured: run 1 {n1}, run 2 {n2} EESP packets (need >= 100 each)")
seen, dups = {}, []
for r, tuples in enumerate(runs):
    for t in tuples:
        if t in seen:
            dups.append((seen[t], r, t))
        else:
            seen[t] = r
if dups:
    for a, b, t in dups[:10]:
        print(f"  REUSED (run {a + 1} and run {b + 1}): spi {t[0]} session {t[1]} sctx {t[2]} sn {t[3]:#x}")
    sys.exit(f"{len(dups)} (key context, SN) tuples appear twice")
# per key context: the second run starts above the first run's highest SN
ctx = lambda t: t[:3]
hi = {}
for t in runs[0]:
    hi[ctx(t)] = max(hi.get(ctx(t), 0), t[3])
lo = {}
for t in runs[1]:
    lo[ctx(t)] = min(lo.get(ctx(t), 1 << 64), t[3])
shared = [c for c in lo if c in hi]
for c in shared:
    if lo[c] <= hi[c]:
        sys.exit(f"run 2 SN {lo[c]:#x} not above run 1 max {hi[c]:#x} for context {c}")
    print(f"  context session {c[1]}: run 1 SNs up to {hi[c]:#x}, run 2 from {lo[c]:#x} (+{lo[c] - hi[c]})")
print(f"  {n1 + n2} EESP packets compared ({len(seen)} distinct tuples), 0 repeated; {len(shared)} key contexts in both runs")
PYEOF
log "PASS"
