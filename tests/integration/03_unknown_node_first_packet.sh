#!/usr/bin/env bash
# 03: stateless receive.  Node 3 (node_id 3) has node 2 as its peer; node 2
# was never told about node 3, but its domain policy allows nodes 1-3 from
# 192.0.2.0/24.  The very first packet node 3 sends (one UDP datagram, no
# prior exchange of any kind: node 2 has received nothing before it) must
# reach a listener on node 2, be seen on node 2's TUN, and node 2 must count
# no drop.  Counter-check: node 4, also a domain member but outside node 2's
# policy, is refused (node_denied).
. "$(dirname "$0")/lib.sh"
it_init
net_create 4
keys_eesp
conf_eesp 1 "2"
IT_POLICY_NODES='"1-3"'
conf_eesp 2 "1"    # no entry for node 3 or 4; policy: nodes 1-3
IT_POLICY_NODES='"1-254"'
conf_eesp 3 "2"
conf_eesp 4 "2"    # a domain member the policy of node 2 does not allow
grep -q 'node_id = 3' "$(node_conf 2)" && fail "test bug: node 2 knows node 3"
daemon_start 1
daemon_start 2
daemon_start 3
daemon_start 4

# listener on node 2 and a capture on its TUN
rx="$IT_DIR/rx.txt"
nsx 2 "$PY" - "$(in4 2)" 7777 "$rx" <<'PYEOF' &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
s.settimeout(60)
try:
    d, a = s.recvfrom(2048)
    open(sys.argv[3], "w").write("%s %s\n" % (a[0], d.decode()))
except socket.timeout:
    open(sys.argv[3], "w").write("timeout\n")
PYEOF
lpid=$!
IT_PIDS+=("$lpid")
pcap="$IT_DIR/tun2.pcap"
capture 2 "$IT_TUN" "$pcap" -Q in udp port 7777
wait_for 30 listening 2 7777 u || fail "listener on node 2 did not start"

before="$IT_DIR/before.2"
counters 2 >"$before" || fail "counters of node 2"
r0=$(awk '$1 == "rx_datagrams" { print $2 }' "$before")
[ "$r0" = 0 ] || fail "node 2 received $r0 datagrams before the test packet (not a first packet)"
# exactly one datagram, from node 3's inner address
nsx 3 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(b"first-packet-from-node-3", (sys.argv[2], 7777))
' "$(in4 3)" "$(in4 2)" || fail "send from node 3"
wait "$lpid"
got=$(cat "$rx")
log "listener on node 2: $got"
[ "$got" = "$(in4 3) first-packet-from-node-3" ] || fail "the first datagram from node 3 did not arrive (got: $got)"
capture_stop 1
n=$(pcap_udp "$pcap" | grep -c "^$(in4 3) [0-9]* $(in4 2) 7777 ")
[ "$n" -eq 1 ] || fail "expected 1 packet from node 3 on node 2's TUN, capture has $n"
after="$IT_DIR/after.2"
counters 2 >"$after"
log "node 2 counter changes: $(counter_delta "$before" "$after" | tr '\n' ' ')"
for k in rx_datagrams rx_packets; do
	v=$(counter_delta "$before" "$after" | awk -v k=$k '$1 == k { print $2 }')
	[ "${v:-0}" = 1 ] || fail "node 2 $k +${v:-0}, expected +1"
done
d=$(awk 'NR==FNR { d[$1] = 1; next } ($1 in d)' <(drop_names) <(counter_delta "$before" "$after") | grep -v '^no_route ')
[ -z "$d" ] || fail "node 2 counted drops: $d"
d=$(drops 2 '^no_route ')
[ -z "$d" ] || fail "node 2 has drops: $d"

# counter-check: node 4 (node id 4, outside node 2's policy) is refused
counters 2 >"$before"
nsx 4 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(b"from-node-4", (sys.argv[2], 7777))
' "$(in4 4)" "$(in4 2)" || fail "send from node 4"
rx_settled 2 "$before" 1
counters 2 >"$after"
nd=$(counter_delta "$before" "$after" | awk '$1 == "node_denied" { print $2 }')
rp=$(counter_delta "$before" "$after" | awk '$1 == "rx_packets" { print $2 }')
log "node 4 (not allowed by node 2's policy): node_denied +${nd:-0}, rx_packets +${rp:-0}"
[ "${nd:-0}" = 1 ] && [ "${rp:-0}" = 0 ] || fail "node 2 did not refuse node 4"
daemon_alive 2 || fail "eespd node 2 died"
log "PASS"
