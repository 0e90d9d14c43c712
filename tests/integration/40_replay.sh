#!/usr/bin/env bash
# 40: anti-replay.  Legitimate EESP datagrams n1 -> n2 are captured on the
# veth and sent again at the live receiver, each from its own UDP source port
# (so SO_REUSEPORT spreads them over n2's two workers: the window table must
# be shared).  With the default (replay = true for the node profile) every
# replayed datagram is dropped and counted under "replay", nothing reaches
# n2's TUN, and the tunnel still passes traffic.  Then n2 restarts with
# replay = false and the same datagrams are accepted (so the first half can
# fail).  Then the restart rule (issue 14, finding 6): n2 restarts with
# replay on, after a clean stop and after kill -9; datagrams it accepted
# before the restart are refused after it (replay_too_old), and new traffic
# passes.  A replayed datagram that is older than its window (its sender's
# SNs moved to a new second since, ivgen.h) is counted replay_too_old
# rather than replay: both are replays, both dropped.
. "$(dirname "$0")/lib.sh"
it_init
IT_WORKERS=2
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2

ping_ok 1 "$(in4 2)" 2 # both sides up; not captured

# 1. capture 6 legitimate datagrams n1 -> n2 (3 IPv4 + 3 IPv6 echo requests
#    and the replies' direction is not captured: dst n2 only)
CAP="$IT_DIR/legit.pcap"
capture 2 "$(veth 2)" "$CAP" udp and dst host "$(ul4 2)" and dst port 4500
ping_ok 1 "$(in4 2)" 3
ping_ok 1 "$(in6 2)" 3
CAP_COUNT=udp capture_stop 6
pcap_udp "$CAP" >"$IT_DIR/legit.txt"
N=$(wc -l <"$IT_DIR/legit.txt")
[ "$N" -ge 6 ] || fail "captured $N EESP datagrams n1 -> n2, expected at least 6"
log "captured $N legitimate EESP datagrams on the veth"

# replay_all: send every captured UDP payload from n1 to n2:4500, each
# from a new socket (new source port)
replay_all() {
	nsx 1 "$PY" - "$CAP" "$(ul4 2)" <<'PYEOF'
import socket, struct, sys, time
d = open(sys.argv[1], "rb").read()
e = "<" if d[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
lt = struct.unpack(e + "I", d[20:24])[0]
off, n = 24, 0
while off + 16 <= len(d):
    incl = struct.unpack(e + "IIII", d[off:off + 16])[2]
    p = d[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = p[14:] if lt == 1 else (p[16:] if lt == 113 else p)
    if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
        continue
    u = ip[(ip[0] & 15) * 4:]
    if struct.unpack(">H", u[2:4])[0] != 4500:
        continue
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(u[8:struct.unpack(">H", u[4:6])[0]], (sys.argv[2], 4500))
    s.close()
    n += 1
    time.sleep(0.02)  # paced: tcpdump on the TUN must not drop any
print(n)
PYEOF
}

# tun_echo FILE: ICMP/ICMPv6 echo requests from n1 in a TUN capture
tun_echo() {
	grep -q "^0 packets dropped by kernel" "$IT_DIR/tcpdump.log" ||
		fail "tcpdump on the TUN lost packets: $(tr '\n' ' ' <"$IT_DIR/tcpdump.log")"
	nsx 2 tcpdump -n -r "$1" >"$1.txt" 2>&1
	nsx 2 tcpdump -n -r "$1" 2>/dev/null | grep -c -E "$(in4 1) > $(in4 2): ICMP echo request|$(in6 1) > $(in6 2): ICMP6, echo request"
}

# 2. replay at the live receiver (replay on by default)
counters 2 >"$IT_DIR/c0"
: >"$IT_DIR/tcpdump.log" # capture() waits for "listening on" in this log
capture 2 "$IT_TUN" "$IT_DIR/tun1.pcap"
SENT=$(replay_all) || fail "replay sender failed"
[ "$SENT" = "$N" ] || fail "replayed $SENT of $N datagrams"
rx_settled 2 "$IT_DIR/c0" "$SENT"
capture_stop
counters 2 >"$IT_DIR/c1"
counter_delta "$IT_DIR/c0" "$IT_DIR/c1" >"$IT_DIR/d1"
log "n2 counter changes after $SENT replays: $(tr '\n' ' ' <"$IT_DIR/d1")"
rep=$(awk '$1 == "replay" || $1 == "replay_too_old" { n += $2 } END { print n + 0 }' "$IT_DIR/d1")
[ "${rep:-0}" = "$SENT" ] || fail "replay + replay_too_old moved by ${rep:-0}, expected exactly $SENT"
rxp=$(awk '$1 == "rx_packets" { print $2 }' "$IT_DIR/d1")
[ "${rxp:-0}" = 0 ] || fail "$rxp replayed packets were written to the TUN"
# (no_route is the send side: the TUN's own IPv6 router solicitations)
other=$(awk 'NR==FNR { d[$1] = 1; next } ($1 in d) && $1 != "replay" && $1 != "replay_too_old" && $1 != "no_route"' <(drop_names) "$IT_DIR/d1")
[ -z "$other" ] || fail "other drop counters moved: $other"
e=$(tun_echo "$IT_DIR/tun1.pcap")
[ "$e" = 0 ] || fail "$e replayed echo requests appeared on n2's TUN"
log "replay on: $SENT replayed, $rep counted as replay or replay_too_old, 0 on the TUN"

# the tunnel still works (new packets are above the windows)
ping_ok 1 "$(in4 2)" 3
ping_ok 1 "$(in6 2)" 3
ping_ok 2 "$(in4 1)" 3
daemon_alive 2 || fail "eespd n2 died"

# 3. replay = false: the very same datagrams are accepted
daemon_stop 2
IT_CONF_DOMAIN_EXTRA="  replay = false;"
conf_eesp 2 "1"
daemon_start 2
counters 2 >"$IT_DIR/c2"
: >"$IT_DIR/tcpdump.log"
capture 2 "$IT_TUN" "$IT_DIR/tun2.pcap"
SENT2=$(replay_all) || fail "replay sender failed"
rx_settled 2 "$IT_DIR/c2" "$SENT2"
# each accepted echo request and the kernel's reply went through the TUN
capture_stop $((2 * SENT2))
counters 2 >"$IT_DIR/c3"
counter_delta "$IT_DIR/c2" "$IT_DIR/c3" >"$IT_DIR/d2"
log "n2 (replay = false) counter changes after $SENT2 replays: $(tr '\n' ' ' <"$IT_DIR/d2")"
rxp=$(awk '$1 == "rx_packets" { print $2 }' "$IT_DIR/d2")
[ "${rxp:-0}" = "$SENT2" ] || fail "replay = false: ${rxp:-0} of $SENT2 replayed packets reached the TUN"
# the kernel answered each one: its echo replies were read from the TUN
tp=$(awk '$1 == "tun_packets" { print $2 }' "$IT_DIR/d2")
[ "${tp:-0}" -ge "$SENT2" ] || fail "replay = false: n2 read only ${tp:-0} packets from its TUN, expected $SENT2 echo replies"
e=$(tun_echo "$IT_DIR/tun2.pcap")
[ "$e" = "$SENT2" ] || fail "replay = false: $e echo requests on the TUN, expected $SENT2"
log "replay off: $SENT2 replayed, all $rxp accepted (the check above can fail)"

# 4. the restart rule: what a receiver accepted before a restart it refuses
# after it.  capture_fresh: new legitimate datagrams n1 -> n2 (accepted)
capture_fresh() {
	: >"$IT_DIR/tcpdump.log"
	capture 2 "$(veth 2)" "$CAP" udp and dst host "$(ul4 2)" and dst port 4500
	ping_ok 1 "$(in4 2)" 3
	CAP_COUNT=udp capture_stop 3
	[ "$(pcap_udp "$CAP" | wc -l)" -ge 3 ] || fail "captured too few datagrams"
}
# refused_after_restart HOW: restart n2 (term or kill), replay, all refused
refused_after_restart() {
	local how=$1 pid d
	if [ "$how" = kill ]; then
		pid=${IT_DPID[2]}
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		unset "IT_DPID[2]"
	else
		daemon_stop 2
	fi
	daemon_start 2
	counters 2 >"$IT_DIR/c4"
	: >"$IT_DIR/tcpdump.log"
	capture 2 "$IT_TUN" "$IT_DIR/tun3.pcap"
	SENT3=$(replay_all) || fail "replay sender failed"
	rx_settled 2 "$IT_DIR/c4" "$SENT3"
	capture_stop
	counters 2 >"$IT_DIR/c5"
	d=$(counter_delta "$IT_DIR/c4" "$IT_DIR/c5")
	log "restart ($how): n2 counter changes after $SENT3 replays: $(tr '\n' ' ' <<<"$d")"
	old=$(awk '$1 == "replay_too_old" || $1 == "replay" { n += $2 } END { print n + 0 }' <<<"$d")
	rxp=$(awk '$1 == "rx_packets" { print $2 }' <<<"$d")
	[ "${rxp:-0}" = 0 ] || fail "restart ($how): ${rxp} datagrams accepted before the restart were accepted again"
	[ "$old" = "$SENT3" ] || fail "restart ($how): $old of $SENT3 replays counted as replays"
	e=$(tun_echo "$IT_DIR/tun3.pcap")
	[ "$e" = 0 ] || fail "restart ($how): $e replayed echo requests on n2's TUN"
	ping_ok 1 "$(in4 2)" 3
	ping_ok 2 "$(in4 1)" 3
}
daemon_stop 2
IT_CONF_DOMAIN_EXTRA=""
conf_eesp 2 "1"
daemon_start 2
capture_fresh
refused_after_restart term
capture_fresh
refused_after_restart kill
log "PASS"
