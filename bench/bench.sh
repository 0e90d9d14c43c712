#!/usr/bin/env bash
# bench/bench.sh - eespd against userspace VPN peers, in one run (issues 7
# and 18).
#
# Two network namespaces joined by veth (documentation addresses only).  For
# every round, every system in turn (alternating, fresh namespaces each
# time): start both ends, then measure from A to B's tunnel address
# (bench/measure.sh; which tests a system gets: SYS_TESTS below)
#   - idle ping RTT (PING_COUNT pings at 0.05 s; median),
#   - one TCP stream (iperf3 -t 10 -O 1): Gbit/s, retransmits, daemon CPU
#     seconds of both ends (utime+stime from /proc/PID/stat) -> cores/Gbit/s,
#   - four TCP streams (iperf3 -P 4): plain veth and eespd with 2 workers,
#   - small UDP packets (64-byte payload, bench/udpgen.c with sendmmsg):
#     highest rate with < 1% loss, by a doubling-then-bisecting rate sweep,
#   - eespd: ping and TCP again under a flood of forged datagrams from a
#     third namespace (FLOOD_PPS),
# then run build/bench_micro (AEAD, KDF, flood, RSS) and write
# bench/results/<date>.md + <date>.png via bench/summary.py and plot.gp.
#
# Run as root from the repository root (make bench).  Environment:
#   ROUNDS=3  SYSTEMS="veth quicktun wireguard openvpn eesp psp eesp2w"
#   TESTS="ping tcp tcp4 udp flood" (the tests any system may get)
#   TCP_SECONDS=10  UDP_STEP_SECONDS=2  UDP_BISECT=5  PING_COUNT=50
#   FLOOD_PPS=50000  OUT=bench/results
#   PERF=1    `perf record` eespd (EESP mode) during one extra TCP test (default;
#             PERF=0 skips it)
#   B=build
#   IKE=1     IKE SA setups per second, strongSwan and eesp-iked as responders
#             (bench/ike_bench.sh; IKE_ROUNDS, IKE_SECONDS, IKE_WINDOW), a
#             section of the report; IKE=0 skips it
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
ROUNDS=${ROUNDS:-3}
SYSTEMS=${SYSTEMS:-"veth quicktun wireguard openvpn eesp psp eesp2w"}
TCP_SECONDS=${TCP_SECONDS:-10}
UDP_STEP_SECONDS=${UDP_STEP_SECONDS:-2}
PING_COUNT=${PING_COUNT:-50}
OUT=${OUT:-bench/results}
PERF=${PERF:-1}
TESTS=${TESTS:-"ping tcp tcp4 udp flood"}
UDP_BISECT=${UDP_BISECT:-5}
FLOOD_PPS=${FLOOD_PPS:-50000}
UDPGEN=$B/bench_udpgen
IKE=${IKE:-1}
ROOT=$(pwd)

[ "$(id -u)" -eq 0 ] || { echo "bench: must run as root (network namespaces)" >&2; exit 1; }
for t in ip iperf3 ping python3; do
	command -v $t >/dev/null || { echo "bench: $t missing (make bench installs it)" >&2; exit 1; }
done

P=eb$$            # unique prefix for namespaces and interfaces
NA=${P}a NB=${P}b # namespaces
VA=${P}va VB=${P}vb
UA=192.0.2.1 UB=192.0.2.2       # underlay (TEST-NET-1)
TA=198.51.100.1 TB=198.51.100.2 # tunnel (TEST-NET-2)
TMTU=1420
W=$(mktemp -d /tmp/ebench.XXXXXX)
chmod 755 "$W"
RAW=$W/raw.tsv
DPIDS=()
IPERF_PID=
STAMP=$(date -u +%Y-%m-%d_%H%M)
T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
ina() { ip netns exec "$NA" "$@"; }
inb() { ip netns exec "$NB" "$@"; }

stop_all() {
	local p
	for p in "${DPIDS[@]}" $IPERF_PID; do
		[ -n "$p" ] && kill "$p" 2>/dev/null
	done
	for p in "${DPIDS[@]}" $IPERF_PID; do
		[ -n "$p" ] || continue
		for _ in $(seq 1 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	DPIDS=()
	IPERF_PID=
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	ip netns del "${P}c" 2>/dev/null
	rm -f /var/run/wireguard/${P}w?.sock
}
cleanup() {
	stop_all
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

netns_up() {
	ip netns add "$NA" && ip netns add "$NB" || return 1
	ip link add "$VA" netns "$NA" type veth peer name "$VB" netns "$NB" || return 1
	ina ip link set lo up && inb ip link set lo up
	ina ip addr add $UA/24 dev "$VA" && inb ip addr add $UB/24 dev "$VB"
	ina ip link set "$VA" up && inb ip link set "$VB" up
	inb iperf3 -s -D --pidfile "$W/iperf.pid" >/dev/null 2>&1 || return 1
	for _ in $(seq 1 20); do [ -s "$W/iperf.pid" ] && break; sleep 0.05; done
	IPERF_PID=$(cat "$W/iperf.pid" 2>/dev/null)
}

# CPU seconds (utime+stime, all threads) of the given PIDs.
cpu_of() {
	local p s=0 t
	for p in "$@"; do
		t=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || t=0
		s=$((s + ${t:-0}))
	done
	echo "$s"
}
HZ=$(getconf CLK_TCK)

wait_tunnel() {
	local dst=$1 i
	for i in $(seq 1 60); do
		ina ping -c 1 -W 1 -q "$dst" >/dev/null 2>&1 && return 0
		for p in "${DPIDS[@]}"; do kill -0 "$p" 2>/dev/null || return 1; done
		sleep 0.2
	done
	return 1
}

# the systems (start_*) and the measurements (measure_*)
. bench/systems.sh
. bench/measure.sh

# The tests of each system (those also in TESTS run): four streams for
# plain veth and eespd with 2 workers, the flood for both eespd modes.
declare -A SYS_TESTS=([veth]="ping tcp tcp4 udp" [eesp]="ping tcp udp flood"
	[psp]="ping tcp udp flood" [eesp2w]="ping tcp tcp4")
sys_tests() {
	local t out=""
	for t in ${SYS_TESTS[$1]:-ping tcp udp}; do has_test "$t" && out+="$t "; done
	echo "$out"
}

# the receive-side drop reasons of eespd (src/core/errors.h names without
# "ok" and the send-side ones, and the daemon's own, as counters.h lists them)
DROP_NAMES="$(sed -n 's/.*X([A-Z_0-9]*, *"\([a-z_]*\)").*/\1/p' src/core/errors.h |
	grep -vxE 'ok|no_route|oversize|no_space|invalid_argument' | tr '\n' ' ')keepalive ike esp oversize_rx tun_write_err replay_too_old sn_future bad_session unknown_spi proxy_denied"

run_one() { # system round
	SYS=$1 ROUND=$2
	local why row t
	stop_all
	if ! netns_up; then
		printf '%s\t%s\tnot run: namespace setup failed\n' "$ROUND" "$SYS" >>"$RAW"
		return
	fi
	start_$SYS >"$W/start.log" 2>&1
	local rc=$?
	why=$(cat "$W/start.log")
	if [ $rc -ne 0 ]; then
		why=$(echo "$why" | tail -1 | tr '\t\n' '  ')
		log "$SYS round $ROUND: not run: $why"
		printf '%s\t%s\tnot run: %s\n' "$ROUND" "$SYS" "$why" >>"$RAW"
		return
	fi
	if ! wait_tunnel "$DST"; then
		why="no ping through the tunnel within 12 s"
		local f
		for f in "$W"/*"${SYS:0:2}"*.log; do [ -f "$f" ] && log "$f: $(tail -3 "$f" | tr '\n' ' ')"; done
		log "$SYS round $ROUND: not run: $why"
		printf '%s\t%s\tnot run: %s\n' "$ROUND" "$SYS" "$why" >>"$RAW"
		return
	fi
	row=""
	for t in $(sys_tests "$SYS"); do
		if [ "$t" = flood ]; then
			row+=" $(measure_flood "$SYS" | tr '\n' ' ')"
		else
			row+=" $(measure_$t | tr '\n' ' ')"
		fi
	done
	local alive=1 p
	for p in "${DPIDS[@]}"; do kill -0 "$p" 2>/dev/null || alive=0; done
	if [ "${SYS:0:4}" = eesp ] || [ "$SYS" = psp ]; then
		for p in a b; do
			echo "=== $SYS round $ROUND, end $p: eespctl show --counters" >>"$W/counters.txt"
			timeout 5 "$B/eespctl" show --counters -s "$W/eesp$p/run/eespd.sock" \
				>>"$W/counters.txt" 2>&1
		done
	fi
	[ "$SYS" = openvpn ] && grep -h "Data Channel: cipher" "$W"/ov?.log 2>/dev/null | head -1 |
		sed 's/.*Data Channel/  openvpn data channel/' >&2
	row+=" alive=$alive load=$(cut -d' ' -f1 /proc/loadavg)"
	log "$SYS round $ROUND:$row"
	printf '%s\t%s\tok\t%s\n' "$ROUND" "$SYS" "$(echo $row | tr ' ' '\t')" >>"$RAW"
}

perf_profile() {
	command -v perf >/dev/null || { log "perf not installed: no profile"; return; }
	SYS=eesp ROUND=perf
	stop_all
	netns_up || return
	start_eesp >"$W/start.log" 2>&1 || { log "perf: eespd did not start"; return; }
	wait_tunnel "$DST" || { log "perf: no tunnel"; return; }
	ina iperf3 -c "$DST" -t 12 >/dev/null 2>&1 &
	local ip=$!
	sleep 1
	perf record -e cpu-clock -g -o "$W/perf.data" -p "$(
		IFS=,
		echo "${DPIDS[*]}"
	)" -- sleep 8 >/dev/null 2>&1
	wait $ip
	{
		echo "# by object (dso)"
		perf report -i "$W/perf.data" --no-children -g none --sort dso --stdio 2>/dev/null |
			grep -E '^ +[0-9]' | sed 's/[ -]*$//' | head -8
		echo "# by symbol"
		perf report -i "$W/perf.data" --no-children -g none --sort comm,dso,symbol --stdio \
			2>/dev/null | grep -E '^ +[0-9]' | sed 's/[ -]*$//' | head -40
	} >"$OUT/$STAMP.perf.txt"
	log "perf profile of eespd: $OUT/$STAMP.perf.txt"
}

# -------------------------------------------------------------------- main --
mkdir -p "$OUT"
: >"$RAW"
: >"$W/udp_trials.tsv"
: >"$W/counters.txt"
make_eesp_keys
PSP_A0=$(openssl rand -hex 32) PSP_A1=$(openssl rand -hex 32)
PSP_B0=$(openssl rand -hex 32) PSP_B1=$(openssl rand -hex 32)

log "systems: $SYSTEMS; rounds: $ROUNDS; workdir $W"
for r in $(seq 1 "$ROUNDS"); do
	for s in $SYSTEMS; do
		run_one "$s" "$r"
	done
done
stop_all

MICRO=$W/micro.txt
if [ -x "$B/bench_micro" ]; then
	log "micro-benchmarks ($B/bench_micro)"
	"$B/bench_micro" >"$MICRO" 2>&1 || echo "bench_micro failed (exit $?)" >>"$MICRO"
	cat "$MICRO" >&2
else
	echo "not run: $B/bench_micro not built (core library missing?)" >"$MICRO"
fi

[ "$PERF" = 1 ] && perf_profile
stop_all

IKE_MD=$W/ike.md
if [ "$IKE" = 1 ]; then
	log "IKE SA setups per second (bench/ike_bench.sh)"
	B=$B bench/ike_bench.sh >"$IKE_MD" || echo "bench/ike_bench.sh failed (exit $?)" >>"$IKE_MD"
fi

T_END=$(date +%s)
python3 bench/summary.py --raw "$RAW" --trials "$W/udp_trials.tsv" --micro "$MICRO" \
	--out "$OUT/$STAMP.md" --dat "$W/plot.dat" --seconds $((T_END - T_START)) \
	--rounds "$ROUNDS" --host "$(uname -r), $(nproc) CPUs, load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine disturbs the figures)" --perf "$OUT/$STAMP.perf.txt" \
	--tcp-seconds "$TCP_SECONDS" --udp-step "$UDP_STEP_SECONDS" --pings "$PING_COUNT" \
	--flood-pps "$FLOOD_PPS" || exit 1
if command -v gnuplot >/dev/null; then
	gnuplot -e "datafile='$W/plot.dat'; outfile='$OUT/$STAMP.png'" bench/plot.gp &&
		log "plot: $OUT/$STAMP.png"
else
	log "gnuplot missing: no plot"
fi
[ -s "$IKE_MD" ] && { echo; cat "$IKE_MD"; } >>"$OUT/$STAMP.md"
cp "$RAW" "$OUT/$STAMP.raw.tsv"
cp "$W/udp_trials.tsv" "$OUT/$STAMP.udp-trials.tsv"
[ -s "$W/counters.txt" ] && cp "$W/counters.txt" "$OUT/$STAMP.eespd-counters.txt"
log "results: $OUT/$STAMP.md ($((T_END - T_START)) s)"
