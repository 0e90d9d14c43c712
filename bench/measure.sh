# bench/measure.sh - the measurements of bench.sh (sourced by it): each
# prints "key=value" fields for the raw row of the system and round.
#   ping   idle RTT: PING_COUNT pings at 0.05 s, median and minimum
#   tcp    one TCP stream (iperf3 -t TCP_SECONDS -O 1): Gbit/s, retransmits,
#          daemon CPU seconds over the test's wall time
#   tcp4   the same with iperf3 -P 4 (target 3)
#   udp    64-byte datagrams, the highest rate with < 1 % loss (udpgen)
#   flood  the tcp and ping tests again while a third namespace sends forged
#          datagrams at FLOOD_PPS to the receiver (target 5b)

has_test() { [[ " $TESTS " == *" $1 "* ]]; }

json() { # file python-expression-on-j
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@" 2>/dev/null
}

# ping_stats [PREFIX]: "PREFIXping=median PREFIXping_min=min PREFIXping_n=n"
ping_stats() {
	ina ping -c "$PING_COUNT" -i 0.05 -W 1 "$DST" 2>/dev/null | python3 -c '
import re,sys,statistics
p=sys.argv[1]
t=[float(m.group(1)) for m in re.finditer(r"time=([0-9.]+) ms", sys.stdin.read())]
print("%sping=%.4f %sping_min=%.4f %sping_n=%d" % (p, statistics.median(t), p, min(t), p, len(t)) if t else "%sping=nan" % p)' "${1:-}"
}
measure_ping() { ping_stats; }

# tcp_stats PREFIX [iperf3 args]: Gbit/s, retransmits, daemon CPU s, wall s
tcp_stats() {
	local pfx=$1 c0 c1 t0 t1 g r
	shift
	c0=$(cpu_of "${DPIDS[@]}")
	t0=$(date +%s.%N)
	ina timeout $((TCP_SECONDS + 20)) iperf3 -c "$DST" -t "$TCP_SECONDS" -O 1 -J "$@" >"$W/tcp.json" 2>&1
	t1=$(date +%s.%N)
	c1=$(cpu_of "${DPIDS[@]}")
	g=$(json "$W/tcp.json" '"%.4f" % (j["end"]["sum_received"]["bits_per_second"]/1e9)') || g=nan
	r=$(json "$W/tcp.json" 'j["end"]["sum_sent"].get("retransmits", "nan")') || r=nan
	echo "${pfx}gbps=$g ${pfx}retr=$r ${pfx}wall=$(python3 -c "print('%.3f' % ($t1-$t0))")" \
		"${pfx}cpu=$([ ${#DPIDS[@]} -gt 0 ] && python3 -c "print('%.3f' % (($c1-$c0)/$HZ))" || echo nan)"
}
measure_tcp() { tcp_stats tcp_; }
measure_tcp4() { tcp_stats tcp4_ -P 4; }

# ------------------------------------------------------------------ udp --
# One step: a sink in B (on DST) and udpgen in A sending 64-byte datagrams
# at kpps for UDP_STEP_SECONDS; -> "ok delivered_kpps offered_kpps loss%"
# (a failing step is tried twice: one stray loss burst does not end a sweep)
udp_try() {
	local r
	r=$(udp_try1 "$1")
	[ "${r%% *}" = 1 ] || r=$(udp_try1 "$1")
	echo "$r"
}
udp_try1() {
	local kpps=$1 spid k
	: >"$W/sink.out"
	inb "$UDPGEN" sink -a "$DST" -p 5202 -i 500 -T $((UDP_STEP_SECONDS + 20)) >"$W/sink.out" 2>&1 &
	spid=$!
	for k in $(seq 100); do grep -q ready "$W/sink.out" && break; sleep 0.05; done
	ina "$UDPGEN" send -d "$DST" -p 5202 -l 64 -r $((kpps * 1000)) -t "$UDP_STEP_SECONDS" \
		>"$W/gen.out" 2>&1
	wait "$spid"
	python3 - "$W/gen.out" "$W/sink.out" <<'EOF' || echo "0 0 0 100"
import sys
g = open(sys.argv[1]).read().split()
s = open(sys.argv[2]).read().split()
sent, secs = int(g[g.index("sent") + 1]), float(g[g.index("seconds") + 1])
got = int(s[s.index("received") + 1])
loss = 100.0 * (sent - got) / sent if sent else 100.0
print("%d %.2f %.2f %.3f" % (sent > 0 and loss < 1.0, got / secs / 1e3, sent / secs / 1e3, loss))
EOF
}

# Sweep: from 20 kpps doubling until a step loses >= 1 %, then bisecting
# UDP_BISECT times (5: the lossless rate to about 3 %); the result is the
# highest delivered rate of a step with < 1 % loss.
measure_udp() {
	local lo=0 hi=0 k=20 best=0 ok d o l i
	[ -x "$UDPGEN" ] || { echo "udp_kpps=nan"; return; }
	while [ $k -le 5120 ]; do
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
	for i in $(seq "$UDP_BISECT"); do
		[ $hi -gt 0 ] || break
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
	echo "udp_kpps=$best"
}

# ---------------------------------------------------------------- flood --
# A third namespace C on a link of its own to B (203.0.113.0/24) sends what
# bench/udpgen.c forges: EESP datagrams cycling every (generation x tenant x
# group x flags) master B's keys and policy reach, random node ids 1-254;
# PSP datagrams with random SPIs.
NC=${P}c VC=${P}vc VBC=${P}vbc UC=203.0.113.3 UBC=203.0.113.2
inc() { ip netns exec "$NC" "$@"; }
flood_up() {
	ip netns del "$NC" 2>/dev/null
	ip netns add "$NC" && ip link add "$VC" netns "$NC" type veth peer name "$VBC" netns "$NB" || return 1
	inc ip link set lo up
	inc ip addr add $UC/24 dev "$VC" && inb ip addr add $UBC/24 dev "$VBC" &&
		inc ip link set "$VC" up && inb ip link set "$VBC" up
}

# counters of B's daemon, "name value" lines (control socket "counters json")
b_counters() {
	python3 - "$W/eespb/run/eespd.sock" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b"counters json\n")
b = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    b += d
head, body = b.decode().split("\n", 1)
if not head.startswith("ok"):
    sys.exit(head)
for k, v in json.loads(body)["counters"].items():
    print(k, v)
EOF
}
# UDP datagrams B's kernel dropped before any socket read them (InErrors
# includes the receive-buffer overflows)
b_kernel_drops() { inb awk '/^Udp:/ { if (h) print $4; h = 1 }' /proc/net/snmp; }

measure_flood() {
	local mode=$1 secs gen port=4500 args k t
	[ -x "$UDPGEN" ] || { echo "flood=nan"; return; }
	flood_up || { echo "flood=nan"; return; }
	[ "$mode" = psp ] && port=1000
	args=(-F eesp -s 0xC0FFEE01 -N 1-254)
	[ "$mode" = psp ] && args=(-F psp)
	b_counters >"$W/fl.c0" && k0=$(b_kernel_drops)
	# long enough for the pings and the TCP test behind them
	secs=$(python3 -c "print(int($PING_COUNT * 0.05 + $TCP_SECONDS + 6))")
	inc "$UDPGEN" send -d $UBC -p $port -l 120 -r "$FLOOD_PPS" -t "$secs" "${args[@]}" \
		>"$W/flood.out" 2>&1 &
	gen=$!
	# the flood has reached the receiver once its drops move
	for t in $(seq 100); do
		b_counters >"$W/fl.c1" 2>/dev/null &&
			[ "$(awk '$1 == "rx_datagrams" { print $2 }' "$W/fl.c1")" -gt \
				"$(awk '$1 == "rx_datagrams" { print $2 }' "$W/fl.c0")" ] && break
		sleep 0.05
	done
	ping_stats fl_
	tcp_stats fl_
	wait "$gen"
	b_counters >"$W/fl.c2"
	python3 - "$W/fl.c0" "$W/fl.c2" "$W/flood.out" "$k0" "$(b_kernel_drops)" "$DROP_NAMES" <<'EOF'
import sys
c0 = dict(l.split() for l in open(sys.argv[1]))
c2 = dict(l.split() for l in open(sys.argv[2]))
g = open(sys.argv[3]).read().split()
sent, secs, cpu = int(g[g.index("sent") + 1]), float(g[g.index("seconds") + 1]), float(g[g.index("cpu_s") + 1])
drops = {k: int(c2[k]) - int(c0.get(k, 0)) for k in sys.argv[6].split() if k in c2}
drops = {k: v for k, v in drops.items() if v}
kd = int(sys.argv[5]) - int(sys.argv[4])
print("fl_sent=%d fl_pps=%.0f fl_gen_cores=%.3f fl_counted=%d fl_kdrop=%d fl_reasons=%s" % (
    sent, sent / secs, cpu / secs, sum(drops.values()), kd,
    ",".join("%s:%d" % kv for kv in sorted(drops.items())) or "-"))
EOF
	ip netns del "$NC" 2>/dev/null
}
