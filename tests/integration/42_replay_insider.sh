#!/usr/bin/env bash
# 42: a member of the domain turned hostile cannot poison the replay
# windows of an honest sender (issue 14, finding 5).  The attacker (forge,
# holding the domain root key) seals packets that authenticate and claims
# node 1's node id and Session ID; node 2 receives them.
#   A. SNs from the future (clock part = now + 1 day) with node 1's own
#      inner addresses (the flow of node 1's pings): dropped as sn_future
#      before any window moves; node 1's pings to node 2 still pass.
#   B. node 1's next SNs (right after the last one on the wire, and the
#      first ones of its lane in the coming seconds) from an inner source
#      node 1 may not use: dropped as spoofed_source before any window
#      records them; node 1's next pings are not taken for replays.
#   C. a Session ID none of eespd's senders uses (999): bad_session.
# Each case checks node 2's counters and that node 1's pings still pass.
. "$(dirname "$0")/lib.sh"
it_init
FORGE=$B/tools/forge
[ -x "$FORGE" ] || skip "$FORGE not built (make tools)"
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 2

forge() {
	nsx 1 "$FORGE" -d "$(ul4 2)" -p 4500 -s "$IT_DOMAIN_ID" -k "$IT_ROOT_KEY" -g "$IT_ROOT_GEN" "$@" ||
		fail "forge $*"
}
snap() { counters 2 >"$IT_DIR/$1"; }
delta() { counter_delta "$IT_DIR/$1" "$IT_DIR/$2" | awk -v n="$3" '$1 == n { print $2 }'; }
sn_at() { "$PY" -c 'import sys; t, l = int(sys.argv[1]), int(sys.argv[2]); print(t << 32 | l << 26)' "$@"; }

# A. from the future
snap a0
forge -n 1 -i 1 -b "$(sn_at $(($(date +%s) + 86400)) 0)" -c 50 -S "$(in4 1)" -D "$(in4 2)" >/dev/null
ping_ok 1 "$(in4 2)" 5
snap a1
f=$(delta a0 a1 sn_future)
r=$(delta a0 a1 replay_too_old)
log "A. 50 future SNs claiming node 1: node 2 sn_future +${f:-0}, replay_too_old +${r:-0}"
[ "${f:-0}" = 50 ] || fail "A: sn_future counted ${f:-0} of 50"
[ -z "$r" ] || fail "A: node 1's own packets were refused as too old ($r)"

# B. pre-marking node 1's next SNs with packets of a source it may not use
cap="$IT_DIR/b.pcap"
capture 2 "$(veth 2)" "$cap" udp and src host "$(ul4 1)" and dst port 4500
ping_ok 1 "$(in4 2)" 1
capture_stop
last=$(PCAP_UDP_HEX=all pcap_udp "$cap" | "$PY" -c '
import struct, sys
m = 0
for line in sys.stdin:
    f = line.split()
    x = bytes.fromhex(f[5]) if len(f) > 5 and f[5] != "-" else b""
    if len(x) >= 16 and x[0] == 0x80 and x[2:4] == b"\x00\x01":
        o = 8 + x[1]
        m = max(m, struct.unpack(">Q", x[o:o + 8])[0])
print(m)')
[ "$last" -gt 0 ] || fail "B: no SN of node 1 captured"
# B1: the SNs right after the last one (node 1's next, within this second)
snap b0
forge -n 1 -i 1 -b $((last + 1)) -c 400 -S 203.0.113.7 -D "$(in4 2)" >/dev/null
ping_ok 1 "$(in4 2)" 3
snap b1
# B2: the first SNs of node 1's lane in each of the next five seconds
now=$(date +%s)
for t in 1 2 3 4 5; do
	forge -n 1 -i 1 -b "$(sn_at $((now + t)) 0)" -c 100 -S 203.0.113.7 -D "$(in4 2)" >/dev/null
done
ping_ok 1 "$(in4 2)" 5
snap b2
for b in 1 2; do
	sp=$(delta "b$((b - 1))" "b$b" spoofed_source)
	rp=$(delta "b$((b - 1))" "b$b" replay)
	r=$(delta "b$((b - 1))" "b$b" replay_too_old)
	n=$([ $b = 1 ] && echo 400 || echo 500)
	log "B$b. $n of node 1's next SNs from 203.0.113.7: node 2 spoofed_source +${sp:-0}, replay +${rp:-0}, replay_too_old +${r:-0}"
	[ "${sp:-0}" = "$n" ] || fail "B$b: spoofed_source counted ${sp:-0} of $n"
	[ -z "$rp" ] && [ -z "$r" ] || fail "B$b: node 1's pings were refused as replays"
done

# C. a Session ID that is none of our senders'
snap c0
forge -n 1 -i 999 -b "$(sn_at "$(date +%s)" 0)" -c 20 -S "$(in4 1)" -D "$(in4 2)" >/dev/null
ping_ok 1 "$(in4 2)" 2
snap c1
bs=$(delta c0 c1 bad_session)
log "C. Session ID 999: node 2 bad_session +${bs:-0}"
[ "${bs:-0}" = 20 ] || fail "C: bad_session counted ${bs:-0} of 20"

for i in 1 2; do daemon_alive "$i" || fail "eespd node $i died"; done
log "PASS"
