#!/usr/bin/env bash
# 13: several workers.  Both nodes run eespd with workers = 2 (one io_uring
# ring per worker thread, multi-queue TUN): iperf3 with 4 parallel TCP
# streams for 5 s, 8 MiB over TCP each way with sha256 checked, pings both
# ways; both worker threads of each daemon exist, and no drop is counted.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd iperf3
net_create 2
keys_eesp
IT_WORKERS=2
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
for i in 1 2; do
	nw=$(grep -l '^eespd-w' /proc/"${IT_DPID[$i]}"/task/*/comm 2>/dev/null | wc -l)
	log "node $i: $nw worker threads ($(cat /proc/"${IT_DPID[$i]}"/task/*/comm | tr '\n' ' '))"
	[ "$nw" -eq 2 ] || fail "node $i runs $nw worker threads, configured 2"
done
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in6 1)" 3
bg_out="$IT_DIR/iperf.json"
spawn nsx 2 iperf3 -s -1 -B "$(in4 2)" -p 5301 >"$IT_DIR/iperf3-server.log" 2>&1
wait_for 30 listening 2 5301 || fail "iperf3 server"
nsx 1 timeout 60 iperf3 -c "$(in4 2)" -p 5301 -t 5 -P 4 -J >"$bg_out" 2>&1 || fail "iperf3 -P 4: $(tail -5 "$bg_out")"
"$PY" -c '
import json, sys
e = json.load(open(sys.argv[1]))["end"]
print("    iperf3 -P 4, 5 s: %.2f Gbit/s, %d retransmits" % (e["sum_received"]["bits_per_second"] / 1e9, e["sum_sent"].get("retransmits", 0)))
sys.exit(0 if e["sum_received"]["bytes"] > 0 else 1)
' "$bg_out" || fail "iperf3 moved no data"
tcp_sha 1 2 "$(in4 2)" $((8 << 20))
tcp_sha 2 1 "$(in6 1)" $((8 << 20))
for i in 1 2; do
	daemon_alive "$i" || fail "eespd node $i died"
	check_drops "$i"
done
log "PASS"
