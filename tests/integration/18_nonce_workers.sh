#!/usr/bin/env bash
# 18: no (key, nonce) pair is ever used twice by a daemon with several
# sender workers.  Both nodes run workers = 2; 32 parallel TCP streams
# (iperf3 -P 32, rate-limited so the capture stays small) spread over both
# TUN queues, so both workers of each daemon seal packets for the same peer
# (the kernel picks a queue per flow: with 8 streams all of them landed on
# one worker about once in 128 runs per node and mode).
# Every datagram on the veth is captured whole (GSO trains are split) and:
#   psp:  the key is that of the SA (SPI), the nonce is SPI || IV: the pair
#         (SPI, IV) must never appear twice (with one SA shared by both
#         workers, this fails unless their IV spaces are disjoint);
#   eesp: the key is that of (SPI, Session ID, SCTX), the nonce salt || SN:
#         (SPI, Session ID, SCTX, SN) must never appear twice.
# Both workers must have sent (per-worker tx_packets), and in each mode the
# IVs must come from two lanes (bits 31..26 = worker, eesp.7 IV UNIQUENESS).
. "$(dirname "$0")/lib.sh"
it_init
require_cmd iperf3
net_create 2
IT_WORKERS=2

# worker_tx NODE: the tx_packets of each worker, one per line
worker_tx() {
	ctl "$1" "counters json" | "$PY" -c '
import json, sys
lines = sys.stdin.read().split("\n", 1)
for w in json.loads(lines[1])["workers"]:
    print(w["tx_packets"])'
}

for mode in psp eesp; do
	if [ $mode = eesp ]; then
		keys_eesp
		conf_eesp 1 "2"
		conf_eesp 2 "1"
	else
		keys_psp
		conf_psp 1 "2"
		conf_psp 2 "1"
	fi
	daemon_start 1
	daemon_start 2
	ping_ok 1 "$(in4 2)" 2
	cap="$IT_DIR/$mode.pcap"
	capture 2 "$(veth 2)" "$cap" udp port "$IT_PORT"
	spawn nsx 2 iperf3 -s -1 -B "$(in4 2)" -p 5301 >"$IT_DIR/iperf3-server.$mode.log" 2>&1
	wait_for 30 listening 2 5301 || fail "iperf3 server"
	nsx 1 timeout 60 iperf3 -c "$(in4 2)" -p 5301 -t 2 -P 32 -b 4M -J >"$IT_DIR/iperf.$mode.json" 2>&1 ||
		fail "iperf3 -P 32: $(tail -5 "$IT_DIR/iperf.$mode.json")"
	capture_stop
	for i in 1 2; do
		tx=$(worker_tx "$i" | tr '\n' ' ')
		log "$mode node $i: tx_packets per worker: $tx"
		for n in $tx; do
			[ "$n" -ge 50 ] || fail "$mode node $i: a worker sent only $n packets; both must send"
		done
	done
	PCAP_UDP_HEX=all pcap_udp "$cap" >"$IT_DIR/$mode.udp"
	"$PY" - "$IT_DIR/$mode.udp" "$mode" <<'PYEOF' || fail "$mode: a (key, nonce) pair was used twice"
import struct, sys

mode = sys.argv[2]

def psp_tuple(u):
    if len(u) < 16:
        return None
    spi, iv = u[4:8], struct.unpack(">Q", u[8:16])[0]
    return (spi.hex(), iv)

def eesp_tuple(u):
    if len(u) < 16 or u[0] != 0x80:
        return None
    optlen, session, spi = u[1], u[2:4], u[4:8]
    opts, i, sctx = u[8:8 + optlen], 0, None
    while i < len(opts):
        if opts[i] == 0:
            i += 1
            continue
        if i + 2 > len(opts):
            return None
        t, ln = opts[i], opts[i + 1]
        if t == 0xE0:
            sctx = bytes(opts[i + 2:i + 2 + ln])
        i += 2 + ln
    if sctx is None or len(u) < 16 + optlen:
        return None
    sn = struct.unpack(">Q", u[8 + optlen:16 + optlen])[0]
    return (spi.hex(), session.hex(), sctx.hex(), sn)

per_src, seen, dups = {}, {}, []
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) < 6 or f[5] == "-":
        continue
    t = (psp_tuple if mode == "psp" else eesp_tuple)(bytes.fromhex(f[5]))
    if t is None:
        continue
    key = (f[0],) + t  # the sender's address, then the (key, nonce) tuple
    per_src.setdefault(f[0], []).append(t[-1])
    if key in seen:
        dups.append(key)
    seen[key] = 1
bad = []
for d in dups[:10]:
    print("  REUSED:", d)
if dups:
    bad.append(f"{len(dups)} (key, nonce) tuples appear twice")
for src, ivs in sorted(per_src.items()):
    lanes = sorted({(iv >> 26) & 63 for iv in ivs})
    print(f"  {mode}: {len(ivs)} packets from {src}, IV lanes {lanes}")
    if len(ivs) < 500:
        bad.append(f"too little traffic from {src}: {len(ivs)} packets")
    if len(lanes) < 2:
        bad.append(f"{src}: IVs from one lane only, both workers should have sent")
if bad:
    sys.exit("; ".join(bad))
print(f"  {mode}: {len(seen)} (key, nonce) tuples, none twice")
PYEOF
	for i in 1 2; do daemon_alive "$i" || fail "eespd node $i died"; done
	daemon_stop 1
	daemon_stop 2
done
log "PASS"
