#!/usr/bin/env bash
# 09: root-key rotation under traffic (issue 4), with eespctl.
#   1. both nodes start with domain root generation 1;
#   2. the same generation 2 is added as "next" on both (eespctl key add ... -s);
#   3. while ping -i 0.01 runs both ways and iperf3 pushes TCP from node 1 to
#      node 2: rotate node 1 (eespctl rotate -s), wait 1.5 s, rotate node 2;
#   4. no ping packet may be lost, and no drop is counted;
#   5. retire generation 1 on both; datagrams still sealed with generation 1
#      (build/tools/inject -V) are dropped and counted as unknown_generation,
#      while the tunnel keeps working.
. "$(dirname "$0")/lib.sh"
it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
INJECT=$B/tools/inject
[ -x "$INJECT" ] || skip "$INJECT not built (make tools)"
require_cmd iperf3
net_create 2
keys_eesp
K1=$IT_ROOT_KEY
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 2

K2=$(hex32)
for i in 1 2; do
	out=$(printf '%s\n' "$K2" | "$EESPCTL" key add "$(node_dir "$i")" domain --key - -s "$(node_sock "$i")" 2>&1) ||
		fail "eespctl key add on node $i: $out"
	log "node $i: $(head -1 <<<"$out")"
done
for i in 1 2; do
	log "node $i keys: $(ctl "$i" keys | tail -n +2 | tr '\n' ' ' | tr -s ' ')"
done
counters 1 >"$IT_DIR/c1.before"
counters 2 >"$IT_DIR/c2.before"

p12="$IT_DIR/ping12" p21="$IT_DIR/ping21"
nsx 1 ping -n -q -i 0.01 -c 500 -w 30 "$(in4 2)" >"$p12" 2>&1 &
a=$!
nsx 2 ping -n -q -i 0.01 -c 500 -w 30 "$(in6 1)" >"$p21" 2>&1 &
b=$!
IT_PIDS+=("$a" "$b")
spawn nsx 2 iperf3 -s -1 -B "$(in4 2)" -p 5301 >"$IT_DIR/iperf3-server.log" 2>&1
wait_for 5 listening 2 5301 || fail "iperf3 server"
nsx 1 timeout 30 iperf3 -c "$(in4 2)" -p 5301 -t 4 -b 300M -J >"$IT_DIR/iperf.json" 2>&1 &
c=$!
IT_PIDS+=("$c")
sleep 1
out=$("$EESPCTL" rotate "$(node_dir 1)" domain -s "$(node_sock 1)" 2>&1) || fail "eespctl rotate node 1: $out"
log "node 1 rotated: $(head -1 <<<"$out")"
sleep 1.5
out=$("$EESPCTL" rotate "$(node_dir 2)" domain -s "$(node_sock 2)" 2>&1) || fail "eespctl rotate node 2: $out"
log "node 2 rotated: $(head -1 <<<"$out")"
wait "$a" "$b" "$c"
for f in "$p12" "$p21"; do
	log "$(basename "$f"): $(grep -o '[0-9]* packets transmitted.*loss' "$f")"
	grep -q " 500 received, 0% packet loss" "$f" || fail "packets lost during the rotation ($(basename "$f"))"
done
"$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
print("    iperf3 during rotation: %.2f Gbit/s, %d retransmits" % (e["sum_received"]["bits_per_second"] / 1e9, e["sum_sent"].get("retransmits", 0)))
' "$IT_DIR/iperf.json" || fail "iperf3 during rotation: $(tail -5 "$IT_DIR/iperf.json")"
counters 1 >"$IT_DIR/c1.after"
counters 2 >"$IT_DIR/c2.after"
for i in 1 2; do
	d=$(awk 'NR==FNR { d[$1] = 1; next } ($1 in d)' <(drop_names) <(counter_delta "$IT_DIR/c$i.before" "$IT_DIR/c$i.after") | grep -v '^no_route ')
	[ -z "$d" ] || fail "node $i counted drops during the rotation: $(tr '\n' ' ' <<<"$d")"
done

# retire generation 1 everywhere; generation-1 packets are now unknown
for i in 1 2; do
	out=$("$EESPCTL" retire "$(node_dir "$i")" domain -s "$(node_sock "$i")" 2>&1) || fail "eespctl retire node $i: $out"
	log "node $i: $(head -1 <<<"$out")"
done
counters 2 >"$IT_DIR/c2.before"
nsx 1 "$INJECT" -V -d "$(ul4 2)" -p "$IT_PORT" -s "$IT_DOMAIN_ID" -k "$K1" -g 1 -n 1 -S "$(in4 1)" -D "$(in4 2)" \
	-c 300 >"$IT_DIR/inject.out" || fail "inject"
sleep 1
counters 2 >"$IT_DIR/c2.after"
ug=$(counter_delta "$IT_DIR/c2.before" "$IT_DIR/c2.after" | awk '$1 == "unknown_generation" { print $2 }')
[ "${ug:-0}" = 300 ] || fail "300 datagrams of the retired generation: unknown_generation +${ug:-0}"
log "300 datagrams of the retired generation 1: unknown_generation +300"
# generation 2 still works both ways
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in6 1)" 3
log "PASS"
