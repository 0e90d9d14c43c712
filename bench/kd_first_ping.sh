#!/usr/bin/env bash
# bench/kd_first_ping.sh - time from eespd start to the first delivered
# ping with key download (issue 16 benchmark), PSP mode: two eespd whose
# configurations hold no SA keys and an eesp-iked beside each (node 1
# initiates, psp groups), in network namespaces made by
# tests/integration/lib.sh.  Each round: both eespd started at t0 (their
# control sockets polled every 2 ms), both eesp-iked started once eespd
# answers (t1), a 1 ms ping from node 1 to node 2 running from then on;
# the first reply's -D timestamp is t2.  Printed per round and as medians:
#   eespd_ready = t1 - t0, kd_first_ping = t2 - t1 (eesp-iked start, IKE_SA_INIT,
#   IKE_AUTH, CREATE_CHILD_SA with KD, the eespd calls), total = t2 - t0,
# and the ping RTT through the tunnel once it is up.
# Usage (as root, from the top of the tree, after make):
#   flock /work/wt/bench.lock bash bench/kd_first_ping.sh [ROUNDS]
# KD_PSP_EXTRA='versions = [ 1 ];' offers one PSP version (one SPI allocation less
# on each side of the critical path).  Each runtime-SA verb answers once
# every worker has picked up the new snapshot; publishing wakes idle
# workers (their eventfd), which before waited out a 200 ms timeout:
# 485 ms -> 91 ms in all (src/eespd/publish.c).
set -u
cd "$(dirname "$0")/.." || exit 1
ROUNDS=${1:-5}
# shellcheck source=../tests/integration/lib.sh
. tests/integration/lib.sh
# shellcheck source=../tests/integration/lib_iked.sh
. tests/integration/lib_iked.sh
# shellcheck source=../tests/integration/lib_kd.sh
. tests/integration/lib_kd.sh
kd_init
net_create 2
keys_psp
KD_POLL_MS=1000

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (a - b) * 1000 }'; }
ready() { "$EESPCTL" status -s "$(node_sock "$1")" >/dev/null 2>&1; }

declare -a R_READY=() R_KD=() R_TOTAL=()
for r in $(seq "$ROUNDS"); do
	kd_eespd_conf 1 2 0
	kd_eespd_conf 2 1 0
	kd_iked_conf 1 2 true
	kd_iked_conf 2 1
	t0=$(now)
	for n in 1 2; do
		: >"$(node_log "$n")"
		ip netns exec "$(ns "$n")" "$EESPD" -f -c "$(node_conf "$n")" >>"$(node_log "$n")" 2>&1 &
		IT_DPID[$n]=$!
		IT_PIDS+=("$!")
	done
	for k in $(seq 2500); do ready 1 && ready 2 && break; sleep 0.002; done
	ready 1 && ready 2 || fail "round $r: eespd not ready"
	t1=$(now)
	for n in 2 1; do
		: >"$(iked_log "$n")"
		ip netns exec "$(ns "$n")" "$IKED" -f -c "$(iked_conf_path "$n")" >>"$(iked_log "$n")" 2>&1 &
		IT_IPID[$n]=$!
		IT_PIDS+=("$!")
	done
	out="$IT_DIR/ping.$r"
	ip netns exec "$(ns 1)" ping -D -n -i 0.001 -W 1 -w 10 "$(in4 2)" >"$out" 2>&1 &
	ppid=$!
	IT_PIDS+=("$ppid")
	for k in $(seq 5000); do grep -q "bytes from" "$out" && break; sleep 0.002; done
	kill -INT "$ppid" 2>/dev/null
	wait "$ppid" 2>/dev/null
	t2=$(grep -m1 "bytes from" "$out" | sed -n 's/^\[\([0-9.]*\)\].*/\1/p')
	[ -n "$t2" ] || fail "round $r: no ping reply within 10 s: $(tail -3 "$(iked_log 1)")"
	rtt=$(grep "bytes from" "$out" | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
	R_READY+=("$(sub "$t1" "$t0")") R_KD+=("$(sub "$t2" "$t1")") R_TOTAL+=("$(sub "$t2" "$t0")")
	log "round $r: eespd_ready ${R_READY[-1]} ms, kd_first_ping ${R_KD[-1]} ms, total ${R_TOTAL[-1]} ms (tunnel ping RTT median ${rtt} ms)"
	for n in 1 2; do
		iked_stop "$n"
		daemon_stop "$n"
	done
done
med() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "kd_first_ping: $ROUNDS rounds, medians: eespd_ready $(med "${R_READY[@]}") ms, kd_first_ping $(med "${R_KD[@]}") ms, total $(med "${R_TOTAL[@]}") ms"
