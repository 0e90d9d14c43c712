#!/usr/bin/env bash
# 60: soak (issue 8, item 5).  Two eespd nodes carry mixed traffic for
# SOAK_SECONDS (default 100):
#   - ping -i 0.01 both ways for the whole run (the loss accounting),
#   - iperf3 TCP n1 -> n2 in 4 s chunks (200 Mbit/s cap),
#   - iperf3 UDP n2 -> n1 in 4 s chunks (20 Mbit/s),
# while a loop of four steps repeats until the time is up:
#   rotate  a new domain root generation: `eespctl key add DIR domain --key -
#           -s SOCK` on both nodes (the same key), `eespctl rotate DIR domain`
#           on node 1, 1.5 s later on node 2 (test 09's gap), then `eespctl
#           retire DIR domain` on both;
#   reload  SIGHUP to both daemons, then `eespctl reload -s SOCK` on both;
#   epoch   the configured base epoch (domain.epoch) 0 -> 1 (next time
#           1 -> 0) on node 1, reload, 1 s later the same on node 2: for that
#           second the nodes are one epoch apart, inside epoch_window = 2, so
#           nothing may be lost (it toggles rather than climbs because
#           inject judges its datagrams against a receiver at epoch 0 with
#           window 2);
#   inject  build/tools/inject sends 200 datagrams of each bad class (six
#           classes) at one node (alternating), sealed with the current
#           generation: the node's drop counters must grow by exactly what
#           inject says it sent per reason, and no other drop reason moves.
# Asserted at the end: both daemons alive with the PIDs they started with;
# no ping lost (SOAK_MAX_LOSS_PPM, default 0: every step above is designed
# to be loss-free, so the bound is zero unless a run asks otherwise); no
# legitimate packet dropped (drop counters over the whole run = exactly the
# injected ones, apart from no_route and tx_no_buffer, see check_drops in
# lib.sh); VmRSS at the end within +20% or +2 MiB of the start (the start is
# taken after a warm-up of traffic, so buffers and rings are allocated) and
# the number of open file descriptors exactly equal (both read while idle).
# The last line is a summary with every figure.
. "$(dirname "$0")/lib.sh"
# Under ASan (tools/check_asan.sh) the allocator's quarantine grows RSS by
# design and every packet costs several times more, so neither the RSS bound
# nor the traffic mix holds; the soak runs in the plain build of make check.
if [ "${EESP_SANITIZER:-}" = asan ]; then
	echo "SKIP: the soak's RSS and loss bounds do not apply under ASan (it runs in the plain build)"
	exit 77
fi
it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built (make)"
INJECT=$B/tools/inject
[ -x "$INJECT" ] || skip "$INJECT not built (make tools)"
require_cmd iperf3 timeout
SOAK_SECONDS=${SOAK_SECONDS:-100}
SOAK_MAX_LOSS_PPM=${SOAK_MAX_LOSS_PPM:-0}
case $SOAK_SECONDS in '' | *[!0-9]*) fail "SOAK_SECONDS must be a number of seconds" ;; esac
[ "$SOAK_SECONDS" -ge 20 ] || fail "SOAK_SECONDS must be at least 20"

net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
for i in 1 2; do
	# eespd re-reads the key file after dropping root (reload, key add): it
	# must belong to the daemon user, as in test 10
	chown "$IT_USER" "$(node_dir "$i")/keys/lab.keys"
	grep -q 'epoch = 0;' "$(node_conf "$i")" || fail "config has no 'epoch = 0;'"
done
daemon_start 1
daemon_start 2
PID1=${IT_DPID[1]} PID2=${IT_DPID[2]}
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in6 1)" 3

rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
nfd() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }
# the drop counters of node $1 as "name value", excluding no_route and
# tx_no_buffer (see check_drops)
dropc() {
	counters "$1" | awk 'NR==FNR { d[$1] = 1; next } ($1 in d)' <(drop_names) - |
		grep -Ev '^(no_route|tx_no_buffer) '
}

# iperf3 servers for the whole run (not -1: one per chunk would race)
spawn nsx 2 iperf3 -s -B "$(in4 2)" -p 5301 >"$IT_DIR/iperf-tcp-server.log" 2>&1
spawn nsx 1 iperf3 -s -B "$(in4 1)" -p 5302 >"$IT_DIR/iperf-udp-server.log" 2>&1
wait_for 30 listening 2 5301 || fail "iperf3 TCP server"
wait_for 30 listening 1 5302 || fail "iperf3 UDP server"

# warm-up: 3 s of TCP, then the start figures (idle)
nsx 1 timeout 20 iperf3 -c "$(in4 2)" -p 5301 -t 3 -b 200M >"$IT_DIR/warmup.log" 2>&1 ||
	fail "warm-up iperf3: $(tail -3 "$IT_DIR/warmup.log")"
sleep 1
RSS1_0=$(rss "$PID1") RSS2_0=$(rss "$PID2") FD1_0=$(nfd "$PID1") FD2_0=$(nfd "$PID2")
log "start: node 1 pid $PID1 VmRSS ${RSS1_0} kB, $FD1_0 fds; node 2 pid $PID2 VmRSS ${RSS2_0} kB, $FD2_0 fds"
dropc 1 >"$IT_DIR/drops1.start" || fail "counters node 1"
dropc 2 >"$IT_DIR/drops2.start" || fail "counters node 2"

# traffic.  ping -i 0.01 sends slower than 100/s on most kernels (timer
# slack); a 1 s calibration gives the count that lasts SOAK_SECONDS, so that
# ping ends on its own (-c) and no reply is in flight when it stops.
t0=$(date +%s%N)
nsx 1 ping -n -q -i 0.01 -c 50 -W 2 "$(in4 2)" >/dev/null 2>&1 || fail "calibration ping"
t1=$(date +%s%N)
NPING=$((SOAK_SECONDS * 50 * 1000000000 / (t1 - t0)))
[ "$NPING" -le $((SOAK_SECONDS * 100)) ] || NPING=$((SOAK_SECONDS * 100))
log "ping -i 0.01: 50 in $(((t1 - t0) / 1000000)) ms; $NPING pings each way for ${SOAK_SECONDS} s"
T_END=$(($(date +%s) + SOAK_SECONDS))
nsx 1 timeout $((SOAK_SECONDS + 60)) ping -n -q -i 0.01 -c "$NPING" -W 5 "$(in4 2)" >"$IT_DIR/ping12" 2>&1 &
PP1=$!
nsx 2 timeout $((SOAK_SECONDS + 60)) ping -n -q -i 0.01 -c "$NPING" -W 5 "$(in6 1)" >"$IT_DIR/ping21" 2>&1 &
PP2=$!
IT_PIDS+=("$PP1" "$PP2")
# chunk loops: one line per chunk, "ok"/"fail" and the iperf3 summary
chunks() { # proto from dst port extra...
	local proto=$1 from=$2 dst=$3 port=$4
	shift 4
	while [ ! -e "$IT_DIR/stop" ] && [ "$(date +%s)" -lt $((T_END + 60)) ]; do
		if out=$(nsx "$from" timeout 20 iperf3 -c "$dst" -p "$port" -t 4 "$@" 2>&1); then
			echo "ok $(grep -E 'receiver' <<<"$out" | tail -1 | tr -s ' ')"
		else
			echo "fail $(tail -1 <<<"$out")"
			sleep 1
		fi
	done >"$IT_DIR/chunks.$proto"
}
spawn chunks tcp 1 "$(in4 2)" 5301 -b 200M
CT=$BG_PID
spawn chunks udp 2 "$(in4 1)" 5302 -u -b 20M -l 1200
CU=$BG_PID

GEN=1 KEY=$IT_ROOT_KEY EPOCH=0 STEP=0
N_ROT=0 N_RELOAD=0 N_EPOCH=0 N_INJ=0 INJECTED=0 COUNTED=0
declare -A EXPECT=([1]="" [2]="")

step_rotate() {
	local i out k2
	k2=$(hex32)
	for i in 1 2; do
		out=$(printf '%s\n' "$k2" | "$EESPCTL" key add "$(node_dir "$i")" domain --key - -s "$(node_sock "$i")" 2>&1) ||
			fail "eespctl key add on node $i: $out"
		[ "$(keygen "$i" next)" = $((GEN + 1)) ] || fail "node $i does not hold generation $((GEN + 1)) as next"
	done
	out=$("$EESPCTL" rotate "$(node_dir 1)" domain -s "$(node_sock 1)" 2>&1) || fail "eespctl rotate node 1: $out"
	sleep 1.5
	out=$("$EESPCTL" rotate "$(node_dir 2)" domain -s "$(node_sock 2)" 2>&1) || fail "eespctl rotate node 2: $out"
	GEN=$((GEN + 1)) KEY=$k2
	sleep 1.5
	for i in 1 2; do
		out=$("$EESPCTL" retire "$(node_dir "$i")" domain -s "$(node_sock "$i")" 2>&1) || fail "eespctl retire node $i: $out"
		[ "$(keygen "$i" current)" = "$GEN" ] || fail "node $i does not send with generation $GEN"
		[ -z "$(keygen "$i" previous)" ] || fail "node $i still holds a retired generation"
	done
	N_ROT=$((N_ROT + 1))
	log "rotate: generation $GEN current on both, $((GEN - 1)) retired"
}

step_reload() {
	local i out
	kill -HUP "$PID1" "$PID2" || fail "SIGHUP"
	sleep 1
	for i in 1 2; do
		out=$("$EESPCTL" reload -s "$(node_sock "$i")" 2>&1) || fail "eespctl reload node $i: $out"
	done
	N_RELOAD=$((N_RELOAD + 2))
	log "reload: SIGHUP + eespctl reload on both"
}

step_epoch() {
	local i out e=$((1 - EPOCH))
	for i in 1 2; do
		sed -i "s/epoch = $EPOCH;/epoch = $e;/" "$(node_conf "$i")"
		grep -q "epoch = $e;" "$(node_conf "$i")" || fail "epoch edit node $i"
		out=$("$EESPCTL" reload -s "$(node_sock "$i")" 2>&1) || fail "eespctl reload node $i: $out"
		[ "$i" = 2 ] || sleep 1
	done
	EPOCH=$e
	N_EPOCH=$((N_EPOCH + 1))
	log "epoch: base epoch $EPOCH on both"
}

step_inject() {
	local t=$((N_INJ % 2 + 1)) out total seed
	out="$IT_DIR/inject.$N_INJ"
	seed=$RANDOM
	# a new sender node id each time (9, 10, ...): inject numbers its
	# datagrams from SN 1, and the replay window of an earlier run's node
	# id would (rightly) count them as replays
	nsx $((3 - t)) "$INJECT" -d "$(ul4 "$t")" -p "$IT_PORT" -s "$IT_DOMAIN_ID" -k "$KEY" -g "$GEN" \
		-n $((9 + N_INJ)) -S "192.0.2.$((9 + N_INJ))" -D "$(in4 "$t")" -X 203.0.113.7 -r "$t" -N 1-254 \
		-R "$seed" -c 200 >"$out" 2>&1 ||
		fail "inject (seed $seed): $(cat "$out")"
	total=$(awk '$1 == "total" { print $2 }' "$out")
	[ "$total" = 1200 ] || fail "inject sent $total datagrams, not 1200"
	INJECTED=$((INJECTED + total))
	awk '$1 == "expect" { print $2, $3 }' "$out" >>"$IT_DIR/expect.$t"
	N_INJ=$((N_INJ + 1))
	log "inject: $total datagrams at node $t (seed $seed): $(awk '$1 == "expect" { printf "%s %s, ", $2, $3 }' "$out")"
}

# the step loop, until 6 s before the end (the last step finishes inside)
: >"$IT_DIR/expect.1"
: >"$IT_DIR/expect.2"
while [ "$(date +%s)" -lt $((T_END - 6)) ] && kill -0 "$PP1" 2>/dev/null && kill -0 "$PP2" 2>/dev/null; do
	case $((STEP % 4)) in
	0) step_rotate ;;
	1) step_reload ;;
	2) step_epoch ;;
	3) step_inject ;;
	esac
	STEP=$((STEP + 1))
	for i in 1 2; do
		daemon_alive "$i" || fail "eespd node $i died (step $STEP)"
	done
	sleep 2
done

wait "$PP1" "$PP2"
touch "$IT_DIR/stop"
wait "$CT" "$CU"
sleep 1
bad=0
LOST=0 SENT=0
for f in ping12 ping21; do
	s=$(grep -o '^[0-9]* packets transmitted' "$IT_DIR/$f" | grep -o '^[0-9]*')
	r=$(grep -o '[0-9]* received' "$IT_DIR/$f" | grep -o '^[0-9]*')
	log "$f: $(grep -o '[0-9]* packets transmitted.*loss' "$IT_DIR/$f")"
	[ -n "$s" ] && [ -n "$r" ] || { echo "$f: no ping summary: $(cat "$IT_DIR/$f")" >&2; bad=1; continue; }
	SENT=$((SENT + s)) LOST=$((LOST + s - r))
done
[ "$SENT" -ge $((NPING * 2 * 9 / 10)) ] || { echo "only $SENT pings sent of $((NPING * 2))" >&2; bad=1; }
LOSS_PPM=$((SENT ? LOST * 1000000 / SENT : 0))
[ "$LOSS_PPM" -le "$SOAK_MAX_LOSS_PPM" ] || { echo "ping lost $LOST of $SENT ($LOSS_PPM ppm > $SOAK_MAX_LOSS_PPM ppm)" >&2; bad=1; }
TCP_OK=$(grep -c '^ok' "$IT_DIR/chunks.tcp") TCP_BAD=$(grep -c '^fail' "$IT_DIR/chunks.tcp")
UDP_OK=$(grep -c '^ok' "$IT_DIR/chunks.udp") UDP_BAD=$(grep -c '^fail' "$IT_DIR/chunks.udp")
log "iperf3 chunks: TCP $TCP_OK ok, $TCP_BAD failed; UDP $UDP_OK ok, $UDP_BAD failed"
grep '^fail' "$IT_DIR/chunks.tcp" "$IT_DIR/chunks.udp" | head -3 >&2
[ "$TCP_BAD" = 0 ] && [ "$UDP_BAD" = 0 ] && [ "$TCP_OK" -ge 3 ] && [ "$UDP_OK" -ge 3 ] ||
	{ echo "iperf3 chunks failed or too few" >&2; bad=1; }
# UDP: datagram loss as iperf3 measured it, for the record (not asserted:
# 20 Mbit/s through two TUNs may meet socket-buffer limits unrelated to eespd)
log "iperf3 UDP receiver lines (last): $(grep '^ok' "$IT_DIR/chunks.udp" | tail -1)"

# every injected datagram under its drop reason; nothing else dropped
for i in 1 2; do
	daemon_alive "$i" || { echo "eespd node $i died" >&2; bad=1; }
	dropc "$i" >"$IT_DIR/drops$i.end" || fail "counters node $i"
	counter_delta "$IT_DIR/drops$i.start" "$IT_DIR/drops$i.end" >"$IT_DIR/ddrop.$i"
	awk '{ e[$1] += $2 } END { for (k in e) print k, e[k] }' "$IT_DIR/expect.$i" | sort >"$IT_DIR/exp.$i"
	sort "$IT_DIR/ddrop.$i" >"$IT_DIR/got.$i"
	log "node $i drops: expected {$(tr '\n' ' ' <"$IT_DIR/exp.$i")} counted {$(tr '\n' ' ' <"$IT_DIR/got.$i")}"
	if ! cmp -s "$IT_DIR/exp.$i" "$IT_DIR/got.$i"; then
		echo "node $i: drop counters differ from the injected datagrams:" >&2
		diff "$IT_DIR/exp.$i" "$IT_DIR/got.$i" >&2
		bad=1
	fi
	COUNTED=$((COUNTED + $(awk -v f="$IT_DIR/exp.$i" 'BEGIN { while ((getline l < f) > 0) { split(l, a, " "); e[a[1]] = 1 } }
		($1 in e) { s += $2 } END { print s + 0 }' "$IT_DIR/got.$i")))
done
[ "$COUNTED" = "$INJECTED" ] || { echo "injected $INJECTED, counted $COUNTED under the expected reasons" >&2; bad=1; }

# the same processes, flat memory and descriptors (idle again)
sleep 1
[ "${IT_DPID[1]}" = "$PID1" ] && [ "${IT_DPID[2]}" = "$PID2" ] || { echo "daemon PIDs changed" >&2; bad=1; }
RSS1_1=$(rss "$PID1") RSS2_1=$(rss "$PID2") FD1_1=$(nfd "$PID1") FD2_1=$(nfd "$PID2")
for i in 1 2; do
	eval "r0=\$RSS${i}_0 r1=\$RSS${i}_1 f0=\$FD${i}_0 f1=\$FD${i}_1"
	# allowed growth: the larger of 20% and 2 MiB
	lim=$((r0 / 5 > 2048 ? r0 / 5 : 2048))
	[ -n "$r1" ] && [ "$r1" -le $((r0 + lim)) ] || { echo "node $i VmRSS grew from $r0 kB to $r1 kB (limit +$lim kB)" >&2; bad=1; }
	[ "$f1" = "$f0" ] || {
		echo "node $i open fds: $f0 at the start, $f1 at the end" >&2
		ls -l "/proc/$(eval echo "\$PID$i")/fd" >&2
		bad=1
	}
done

SUMMARY="soak ${SOAK_SECONDS}s: RSS n1 ${RSS1_0}->${RSS1_1} kB n2 ${RSS2_0}->${RSS2_1} kB; FD n1 $FD1_0->$FD1_1 n2 $FD2_0->$FD2_1; ping $SENT sent $LOST lost (${LOSS_PPM} ppm); iperf3 chunks TCP $TCP_OK UDP $UDP_OK; injected $INJECTED counted $COUNTED; execs: $N_ROT rotations (gen $GEN), $N_RELOAD reloads, $N_EPOCH epoch changes, $N_INJ injections"
[ $bad -eq 0 ] || fail "$SUMMARY"
log "$SUMMARY"
log "PASS"
