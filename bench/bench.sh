#!/usr/bin/env bash
# bench/bench.sh - eespd against userspace VPN peers, in one run (issue 7).
#
# Two network namespaces joined by veth (documentation addresses only).  For
# every round, every system in turn (alternating, fresh namespaces each
# time): start both ends, then measure from A to B's tunnel address
#   - idle ping RTT (PING_COUNT pings at 0.05 s; median),
#   - one TCP stream (iperf3 -t 10 -O 1): Gbit/s, retransmits, daemon CPU
#     seconds of both ends (utime+stime from /proc/PID/stat) -> cores/Gbit/s,
#   - small UDP packets (64-byte payload): highest rate with < 1% loss, by a
#     doubling-then-bisecting rate sweep (not an overload figure),
# then run build/bench_micro (AEAD, KDF, RSS) and write
# bench/results/<date>.md + <date>.png via bench/summary.py and plot.gp.
#
# Run as root from the repository root (make bench).  Environment:
#   ROUNDS=3  SYSTEMS="veth quicktun wireguard openvpn eesp psp"
#   TCP_SECONDS=10  UDP_STEP_SECONDS=2  PING_COUNT=50  OUT=bench/results
#   PERF=1    `perf record` eespd (EESP mode) during one extra TCP test (default;
#             PERF=0 skips it)
#   B=build
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
ROUNDS=${ROUNDS:-3}
SYSTEMS=${SYSTEMS:-"veth quicktun wireguard openvpn eesp psp"}
TCP_SECONDS=${TCP_SECONDS:-10}
UDP_STEP_SECONDS=${UDP_STEP_SECONDS:-2}
PING_COUNT=${PING_COUNT:-50}
OUT=${OUT:-bench/results}
PERF=${PERF:-1}
TESTS=${TESTS:-"ping tcp udp"}
EESP_WORKERS=${EESP_WORKERS:-1}
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

# --------------------------------------------------------------- systems --
# Each start_X brings up both ends and sets DPIDS and DST, or prints a reason
# on stdout and returns 1.

start_veth() {
	DST=$UB
}

start_quicktun() {
	local side
	command -v quicktun >/dev/null || { echo "quicktun not installed"; return 1; }
	for side in a b; do
		local ns=$NA la=$UA ra=$UB ta=$TA tb=$TB
		[ $side = b ] && { ns=$NB la=$UB ra=$UA ta=$TB tb=$TA; }
		ip netns exec "$ns" env -i PATH="$PATH" IFACE=${P}q$side IF_QT_PROTOCOL=raw \
			IF_QT_TUN_MODE=1 IF_QT_LOCAL_ADDRESS=$la IF_QT_REMOTE_ADDRESS=$ra \
			IF_QT_LOCAL_PORT=2998 IF_QT_REMOTE_PORT=2998 \
			quicktun >"$W/qt$side.log" 2>&1 &
		DPIDS+=($!)
		for _ in $(seq 1 50); do ip netns exec "$ns" ip link show ${P}q$side >/dev/null 2>&1 && break; sleep 0.05; done
		ip netns exec "$ns" ip addr add $ta peer $tb dev ${P}q$side || { echo "quicktun: no interface"; return 1; }
		ip netns exec "$ns" ip link set ${P}q$side mtu $TMTU up
	done
	DST=$TB
}

start_wireguard() {
	command -v wireguard-go >/dev/null && command -v wg >/dev/null ||
		{ echo "wireguard-go/wireguard-tools not installed"; return 1; }
	umask 077
	wg genkey >"$W/wga.key" && wg genkey >"$W/wgb.key"
	umask 022
	local side
	for side in a b; do
		local ns=$NA ta=$TA peer=b ep=$UB:51820 tb=$TB
		[ $side = b ] && { ns=$NB ta=$TB peer=a ep=$UA:51820 tb=$TA; }
		# UAPI sockets live in /var/run/wireguard (shared): unique names per end.
		ip netns exec "$ns" wireguard-go -f ${P}w$side >"$W/wg$side.log" 2>&1 &
		DPIDS+=($!)
		for _ in $(seq 1 50); do [ -S /var/run/wireguard/${P}w$side.sock ] && break; sleep 0.05; done
		ip netns exec "$ns" wg set ${P}w$side private-key "$W/wg$side.key" listen-port 51820 \
			peer "$(wg pubkey <"$W/wg$peer.key")" allowed-ips $tb/32 endpoint $ep ||
			{ echo "wg set failed"; return 1; }
		ip netns exec "$ns" ip addr add $ta/24 dev ${P}w$side
		ip netns exec "$ns" ip link set ${P}w$side mtu $TMTU up
	done
	DST=$TB
}

start_openvpn() {
	command -v openvpn >/dev/null || { echo "openvpn not installed"; return 1; }
	local side
	for side in a b; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj /CN=ebench-$side -days 1 -keyout "$W/ov$side.key" -out "$W/ov$side.crt" \
			>/dev/null 2>&1 || { echo "openssl req failed"; return 1; }
	done
	for side in a b; do
		local ns=$NA la=$UA ra=$UB ta=$TA tb=$TB peer=b role=--tls-server
		[ $side = b ] && { ns=$NB la=$UB ra=$UA ta=$TB tb=$TA peer=a role=--tls-client; }
		local fp
		fp=$(openssl x509 -in "$W/ov$peer.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
		ip netns exec "$ns" openvpn --dev ${P}o$side --dev-type tun --proto udp \
			--local $la --remote $ra --port 1194 --ifconfig $ta $tb \
			$role --cert "$W/ov$side.crt" --key "$W/ov$side.key" --peer-fingerprint "$fp" \
			--dh none --data-ciphers AES-128-GCM --tun-mtu $TMTU --disable-dco \
			--fast-io --verb 3 --log "$W/ov$side.log" &
		DPIDS+=($!)
	done
	DST=$TB
}

# eespd: configs written for the agreed libconfig shape (notes/config.md).
EESPD=$B/eespd
# the daemon user of the generated configs: a system user of the bench's own
# (eespd refuses a user that does not exist), created once and kept
BENCH_USER=${BENCH_USER:-eespbench}
eesp_check() {
	[ -x "$EESPD" ] || { echo "$EESPD not built"; return 1; }
	[ -x "$B/bench_micro" ] || { echo "$B/bench_micro not built"; return 1; }
	id -u "$BENCH_USER" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin "$BENCH_USER" ||
		{ echo "cannot create the daemon user $BENCH_USER"; return 1; }
	return 0
}
write_eesp_conf() { # side mode
	local side=$1 mode=$2 ta=$TA tb=$TB ep=$UB me=1 peer=2 d=$W/eesp$side
	[ "$side" = b ] && { ta=$TB tb=$TA ep=$UA me=2 peer=1; }
	# eespd makes run/ (root's) and state/ (the daemon user's) itself
	mkdir -p "$d/keys"
	chmod 755 "$d" "$d/keys"
	if [ "$mode" = eesp ]; then
		cat >"$d/eespd.conf" <<EOF
daemon: {
  mode = "eesp";
  interface = "${P}e$side";
  mtu = $TMTU;
  addresses = [ "$ta/24" ];
  port = 4500;
  workers = $EESP_WORKERS;
  user = "$BENCH_USER";
  control_socket = "$d/run/eespd.sock";
  state_dir = "$d/state";
  log_level = "warning";
};
domain: {
  name = "bench";
  id = 0xC0FFEE01;
  key_file = "keys/bench.keys";
  profile = "node";
  kdf = "cmac";
  suite = "aes-gcm-128";
  node_id = $me;
  tenant = 0; group = 0;
  epoch = 0; epoch_period = 0; epoch_window = 2;
  crypt_offset = 0; max_crypt_offset = 0;
  policy = ( { nodes = [ 1, 2 ]; prefixes = [ "198.51.100.0/24" ]; } );
};
peers = (
  { name = "peer"; endpoint = "$ep:4500"; node_id = $peer;
    allowed_ips = [ "$tb/32" ]; }
);
EOF
		printf 'domain 0 1 %s\n' "$EESP_ROOT" >"$d/keys/bench.keys"
	else
		# PSP: this end's two master keys (receive) and the data key for the
		# SPI the other end allocated for us (send), derived from its master.
		local rx_spi=$((0x00001000 + me)) tx_spi=$((0x00001000 + peer))
		local my0=$PSP_A0 my1=$PSP_A1 their1=$PSP_B1
		[ "$side" = b ] && { my0=$PSP_B0 my1=$PSP_B1 their1=$PSP_A1; }
		# SPI bit 31 set: the receiver derives from its master key 1.
		tx_spi=$((tx_spi | 0x80000000)) rx_spi=$((rx_spi | 0x80000000))
		local txkey
		txkey=$("$B/bench_micro" psp-derive "$their1" $tx_spi 0) || return 1
		cat >"$d/eespd.conf" <<EOF
daemon: {
  mode = "psp";
  interface = "${P}e$side";
  mtu = $TMTU;
  addresses = [ "$ta/24" ];
  port = 1000;
  workers = $EESP_WORKERS;
  user = "$BENCH_USER";
  control_socket = "$d/run/eespd.sock";
  state_dir = "$d/state";
  log_level = "warning";
};
psp: { key_file = "keys/psp.keys"; version = 0; crypt_offset = 0; };
peers = (
  { name = "peer"; endpoint = "$ep:1000"; tx_spi = $(printf '0x%08X' $tx_spi);
    rx_spi = $(printf '0x%08X' $rx_spi); allowed_ips = [ "$tb/32" ]; }
);
EOF
		printf 'psp 0 %s\npsp 1 %s\nsa psp 0x%08X %s\n' "$my0" "$my1" $tx_spi "$txkey" \
			>"$d/keys/psp.keys"
	fi
	chmod 600 "$d/keys/"*
	chown "$BENCH_USER" "$d/keys/"*
}
start_eespd_mode() { # mode
	local mode=$1 side out
	eesp_check || return 1
	for side in a b; do
		write_eesp_conf $side "$mode" || { echo "cannot write $mode config"; return 1; }
		if ! out=$("$EESPD" -t -c "$W/eesp$side/eespd.conf" 2>&1); then
			echo "eespd -t rejects the $mode config: $(echo "$out" | tr '\n' ' ' | cut -c1-160)"
			return 1
		fi
	done
	for side in a b; do
		local ns=$NA
		[ $side = b ] && ns=$NB
		ip netns exec "$ns" "$ROOT/$EESPD" -f -c "$W/eesp$side/eespd.conf" \
			>"$W/eesp$side.log" 2>&1 &
		DPIDS+=($!)
	done
	DST=$TB
}
start_eesp() { start_eespd_mode eesp; }
start_psp() { start_eespd_mode psp; }

# ----------------------------------------------------------- measurement --
has_test() { [[ " $TESTS " == *" $1 "* ]]; }

json() { # file python-expression-on-j
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@" 2>/dev/null
}

measure_ping() { # -> "median min"
	ina ping -c "$PING_COUNT" -i 0.05 -W 1 "$DST" 2>/dev/null | python3 -c '
import re,sys,statistics
t=[float(m.group(1)) for m in re.finditer(r"time=([0-9.]+) ms", sys.stdin.read())]
print("%.4f %.4f %d" % (statistics.median(t), min(t), len(t)) if t else "nan nan 0")'
}

measure_tcp() { # -> "gbps retrans cpu_s wall_s"
	local c0 c1 t0 t1
	c0=$(cpu_of "${DPIDS[@]}")
	t0=$(date +%s.%N)
	ina timeout $((TCP_SECONDS + 20)) iperf3 -c "$DST" -t "$TCP_SECONDS" -O 1 -J >"$W/tcp.json" 2>&1
	t1=$(date +%s.%N)
	c1=$(cpu_of "${DPIDS[@]}")
	local g r
	g=$(json "$W/tcp.json" '"%.4f" % (j["end"]["sum_received"]["bits_per_second"]/1e9)') || g=nan
	r=$(json "$W/tcp.json" 'j["end"]["sum_sent"].get("retransmits", "nan")') || r=nan
	if [ ${#DPIDS[@]} -gt 0 ]; then
		echo "$g $r $(python3 -c "print('%.3f %.3f' % (($c1-$c0)/$HZ, $t1-$t0))")"
	else
		echo "$g $r nan $(python3 -c "print('%.3f' % ($t1-$t0))")"
	fi
}

udp_try() { # kpps -> "ok delivered_kpps offered_kpps loss%"; a failing step is tried twice
	local r
	r=$(udp_try1 "$1")
	[ "${r%% *}" = 1 ] || r=$(udp_try1 "$1")
	echo "$r"
}
udp_try1() {
	local kpps=$1 bps
	bps=$((kpps * 1000 * 64 * 8))
	# -w: 4 MB socket buffers at both iperf3 ends (the server takes the
	# client's), so the tunnel limits the rate, not iperf3's receive queue
	ina timeout $((UDP_STEP_SECONDS + 15)) iperf3 -c "$DST" -u -w 4M -l 64 -b "$bps" \
		-t "$UDP_STEP_SECONDS" -J >"$W/udp.json" 2>&1
	json "$W/udp.json" '(lambda s: "%d %.2f %.2f %.3f" % (s["lost_percent"] < 1.0 and s["packets"] > 0, (s["packets"]-s["lost_packets"])/s["seconds"]/1e3, s["packets"]/s["seconds"]/1e3, s["lost_percent"]))(j["end"]["sum"])' ||
		echo "0 0 0 100"
	sleep 0.3
}

measure_udp() { # -> "best_delivered_kpps"   (trials logged to $W/udp_trials.tsv)
	local lo=0 hi=0 k=20 best=0 ok d o l i
	while [ $k -le 320 ]; do
		read -r ok d o l < <(udp_try $k)
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$SYS" $k $ok $d $o $l >>"$W/udp_trials.tsv"
		if [ "$ok" = 1 ]; then
			lo=$k
			best=$(python3 -c "print(max($best, $d))")
			k=$((k * 2))
		else
			hi=$k
			break
		fi
	done
	if [ $hi -gt 0 ]; then
		for i in 1 2 3; do
			k=$(((lo + hi) / 2))
			[ $k -le $lo ] && break
			read -r ok d o l < <(udp_try $k)
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$SYS" $k $ok $d $o $l >>"$W/udp_trials.tsv"
			if [ "$ok" = 1 ]; then
				lo=$k
				best=$(python3 -c "print(max($best, $d))")
			else
				hi=$k
			fi
		done
	fi
	echo "$best"
}

run_one() { # system round
	SYS=$1 ROUND=$2
	local why ping tcp udp
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
	ping="nan nan 0" tcp="nan nan nan nan" udp=nan
	has_test ping && ping=$(measure_ping)
	has_test tcp && tcp=$(measure_tcp)
	has_test udp && udp=$(measure_udp)
	local alive=1 p
	for p in "${DPIDS[@]}"; do kill -0 "$p" 2>/dev/null || alive=0; done
	if [ "$SYS" = eesp ] || [ "$SYS" = psp ]; then
		for p in a b; do
			echo "=== $SYS round $ROUND, end $p: eespctl show --counters" >>"$W/counters.txt"
			timeout 5 "$B/eespctl" show --counters -s "$W/eesp$p/run/eespd.sock" \
				>>"$W/counters.txt" 2>&1
		done
	fi
	[ "$SYS" = openvpn ] && grep -h "Data Channel: cipher" "$W"/ov?.log 2>/dev/null | head -1 |
		sed 's/.*Data Channel/  openvpn data channel/' >&2
	log "$SYS round $ROUND: ping(med min n)=$ping tcp(gbps retr cpu wall)=$tcp udp_kpps=$udp alive=$alive"
	printf '%s\t%s\tok\t%s\t%s\t%s\t%s\n' "$ROUND" "$SYS" "$ping" "$tcp" "$udp" "$alive" |
		tr ' ' '\t' >>"$RAW"
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
EESP_ROOT=$(openssl rand -hex 32)
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

T_END=$(date +%s)
python3 bench/summary.py --raw "$RAW" --trials "$W/udp_trials.tsv" --micro "$MICRO" \
	--out "$OUT/$STAMP.md" --dat "$W/plot.dat" --seconds $((T_END - T_START)) \
	--rounds "$ROUNDS" --host "$(uname -r), $(nproc) CPUs, load average $LOAD_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (other work on the machine disturbs the figures)" --perf "$OUT/$STAMP.perf.txt" \
	--tcp-seconds "$TCP_SECONDS" --udp-step "$UDP_STEP_SECONDS" --pings "$PING_COUNT" || exit 1
if command -v gnuplot >/dev/null; then
	gnuplot -e "datafile='$W/plot.dat'; outfile='$OUT/$STAMP.png'" bench/plot.gp &&
		log "plot: $OUT/$STAMP.png"
else
	log "gnuplot missing: no plot"
fi
cp "$RAW" "$OUT/$STAMP.raw.tsv"
cp "$W/udp_trials.tsv" "$OUT/$STAMP.udp-trials.tsv"
[ -s "$W/counters.txt" ] && cp "$W/counters.txt" "$OUT/$STAMP.eespd-counters.txt"
log "results: $OUT/$STAMP.md ($((T_END - T_START)) s)"
