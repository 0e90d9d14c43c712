#!/usr/bin/env bash
# 17: the data path with every offload on and off (eespd.conf(5) daemon:
# offload, gro, udp_gso, udp_gro), over the IPv4 and the IPv6 underlay.
# Each case starts a fresh pair of daemons (new keys, empty state) and moves
#   - a few pings each way, under a capture on node 1's veth that shows the
#     tunnel runs over the underlay asked for;
#   - 8 MiB over TCP each way (n1 -> n2 inner IPv4, n2 -> n1 inner IPv6),
#     sha256 checked at the receiver;
#   - an inner UDP burst each way: 3000 datagrams of 1200 bytes whose
#     payload (sequence number, body derived from it, sha256) the receiver
#     checks; every datagram must be intact and unique, >= 95 % must arrive;
#     n1 -> n2 sends 8 datagrams per send with UDP_SEGMENT, so that with USO
#     node 1's TUN hands the daemon UDP super-packets (case a: > 0 of them
#     on Linux >= 6.2; case b: none);
# then asserts the offload counters, that no drop was counted (check_drops)
# and that rx_packets grew by at least what was sent through.
#   a  all on                                   (IPv4 and IPv6 underlay)
#      tun_tso_reads, tun_gro_writes, udp_gso_sends, udp_gro_reads > 0
#   b  all off                                  (IPv4 and IPv6 underlay)
#      all four 0
#   c  udp_gso, udp_gro on, offload = false     (IPv4 underlay)
#      udp_gso_sends > 0, udp_gro_reads > 0, tun_tso_reads = tun_gro_writes = 0
#   d  all on, node 1's veth with tx checksumming off (ethtool -K tx off)
#      (IPv4 underlay; skipped with a message when ethtool is missing).
#      Before Linux 6.11 the kernel refuses UDP GSO sends without checksum
#      offload (EIO) and the daemon re-sends the datagrams one by one; since
#      6.11 (udp: Allow GSO transmit from devices with no checksum offload)
#      it checksums the segments itself.  Either way the data arrives
#      intact and node 1 either fell back (udp_gso_fallback > 0) or sent
#      trains (udp_gso_sends > 0); the log says which.
#   e  all on, node 1's route to node 2 with "mtu lock 1280", below a sealed
#      full-size datagram (IPv4 underlay): the kernel refuses every train of
#      such datagrams (EMSGSIZE: segment above the route's MTU, any kernel)
#      while a single datagram is fragmented (the daemon sends with
#      PMTUDISC_DONT): udp_gso_fallback > 0 on node 1, data intact.
# udp_gso_fallback must stay 0 where nothing makes the kernel refuse a
# train (a, c, node 2 in d and e).
. "$(dirname "$0")/lib.sh"
it_init
net_create 2

TCP_BYTES=$((8 << 20))
UDP_N=3000
UDP_SIZE=1200
UDP_PORT=5202
# largest TCP payload of one inner packet (TUN mtu 1400 - 20 - 20): the
# lower bound of the packets 8 MiB needs
MSS_MAX=1360
OFFLOAD_NAMES="tun_tso_reads tun_gro_writes udp_gso_sends udp_gso_fallback udp_gro_reads"

cat >"$IT_DIR/udp_burst.py" <<'EOF'
# udp_burst.py send|recv ADDR PORT N SIZE SALT RESULT
# datagram i: b"E17U" + seq (4 bytes, big endian) + body + sha256(all before)
# body = shake_128(SALT:seq), so the receiver can check every byte.  The
# receiver writes how many it has to RESULT.progress; the sender keeps at
# most WINDOW datagrams ahead of that (flow control: a busy machine makes
# the test slower, not lossy), waiting at most 5 s each time (a datagram
# that is really lost must not stop it).
import errno, hashlib, os, socket, struct, sys, time

mode, addr, port, n, size, salt = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
progress = sys.argv[7] + ".progress"
WINDOW = 256
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET


def datagram(i):
    head = b"E17U" + struct.pack(">I", i)
    body = hashlib.shake_128(("%s:%d" % (salt, i)).encode()).digest(size - 8 - 32)
    return head + body + hashlib.sha256(head + body).digest()


def received():
    try:
        return int(open(progress).read() or 0)
    except (OSError, ValueError):
        return 0


if mode == "send":
    import os
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.connect((addr, port))
    # UDP_GSO_SEGS=k: k datagrams per send with UDP_SEGMENT (the inner
    # stack hands the TUN one UDP super-packet when the TUN has USO)
    k = int(os.environ.get("UDP_GSO_SEGS", "1"))
    if k > 1:
        s.setsockopt(socket.IPPROTO_UDP, 103, size)  # UDP_SEGMENT
    sent = 0
    for i in range(0, n, k):
        d = b"".join(datagram(j) for j in range(i, min(n, i + k)))
        while True:
            try:
                s.send(d)
                break
            except OSError as e:
                if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                    raise
                time.sleep(0.001)
        sent += len(d) // size
        # bursts of 32 back to back (one flow: material for UDP GSO), then a
        # short pause so that the TUN queue (500 packets) does not overflow,
        # and no more than WINDOW beyond what the receiver has
        if (i // k) % (32 // k) == 32 // k - 1:
            time.sleep(0.002)
            t0 = time.time()
            while sent - received() > WINDOW and time.time() - t0 < 5:
                time.sleep(0.001)
    print(sent)
    sys.exit(0)

s = socket.socket(fam, socket.SOCK_DGRAM)
try:
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE (root)
except OSError:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
s.bind((addr, port))
s.settimeout(20)  # until the first datagram
seen = set()
bad = dup = 0
first_bad = ""
while len(seen) < n:
    try:
        d = s.recv(65536)
    except socket.timeout:
        break
    s.settimeout(10)
    ok = len(d) == size and d[:4] == b"E17U"
    i = struct.unpack(">I", d[4:8])[0] if len(d) >= 8 else -1
    if ok and (i >= n or d != datagram(i)):
        ok = False
    if not ok:
        bad += 1
        if not first_bad:
            first_bad = "len %d seq %d head %s" % (len(d), i, d[:16].hex())
        continue
    if i in seen:
        dup += 1
        continue
    seen.add(i)
    if len(seen) % 32 == 0:
        with open(progress + ".tmp", "w") as f:
            f.write(str(len(seen)))
        os.replace(progress + ".tmp", progress)
with open(sys.argv[7], "w") as f:
    f.write("%d %d %d %s\n" % (len(seen), bad, dup, first_bad or "-"))
EOF

# udp_burst FROM TO DST: UDP_N datagrams FROM -> DST (an address of TO);
# sets UDP_GOT to the number received intact; fails on any corrupt or
# duplicated datagram and below 95 %
udp_burst() {
	local from=$1 to=$2 dst=$3 res salt spid sent got bad dup first
	res="$IT_DIR/udp.$from.$to.res"
	salt=$(hex32)
	rm -f "$res" "$res.progress"
	nsx "$to" "$PY" "$IT_DIR/udp_burst.py" recv "$dst" "$UDP_PORT" "$UDP_N" "$UDP_SIZE" "$salt" "$res" &
	spid=$!
	IT_PIDS+=("$spid")
	wait_for 30 listening "$to" "$UDP_PORT" u || fail "udp receiver on node $to did not bind"
	sent=$(UDP_GSO_SEGS=${UDP_GSO_SEGS:-1} nsx "$from" timeout 300 "$PY" "$IT_DIR/udp_burst.py" send "$dst" "$UDP_PORT" "$UDP_N" "$UDP_SIZE" "$salt" "$res") ||
		fail "udp sender n$from -> $dst failed"
	[ "$sent" = "$UDP_N" ] || fail "udp sender n$from -> $dst sent $sent of $UDP_N"
	wait "$spid" || fail "udp receiver on node $to failed"
	read -r got bad dup first <"$res" || fail "udp receiver on node $to wrote no result"
	[ "$bad" = 0 ] || fail "udp n$from -> $dst: $bad datagrams with wrong content (first: $first)"
	[ "$dup" = 0 ] || fail "udp n$from -> $dst: $dup duplicated datagrams"
	[ $((got * 100)) -ge $((UDP_N * 95)) ] || fail "udp n$from -> $dst: only $got of $UDP_N datagrams arrived"
	log "udp n$from -> $dst: $got of $UDP_N datagrams of $UDP_SIZE bytes arrived, all intact"
	UDP_GOT=$got
}

# cval FILE NAME: the counter's value, or "missing"
cval() {
	awk -v n="$2" '$1 == n { v = $2 } END { print (v == "" ? "missing" : v) }' "$1"
}
# dval NODE NAME: the counter's delta over the case (0 if unchanged)
dval() {
	awk -v n="$2" '$1 == n { d = $2 } END { print d + 0 }' "$IT_DIR/c$1.delta"
}
# want CASE NODE NAME OP VALUE: assert a counter delta (OP: gt, eq)
want() {
	local c=$1 i=$2 name=$3 op=$4 v=$5 got
	got=$(cval "$IT_DIR/c$i.after" "$name")
	[ "$got" != missing ] || fail "case $c: node $i has no counter $name"
	got=$(dval "$i" "$name")
	case $op in
	gt) [ "$got" -gt "$v" ] || fail "case $c: node $i: $name = $got, expected > $v" ;;
	eq) [ "$got" -eq "$v" ] || fail "case $c: node $i: $name = $got, expected $v" ;;
	esac
}

# TUN USO (TUN_F_USO4/6) exists from Linux 6.2 on
uso_kernel() {
	local v
	v=$(uname -r | awk -F. '{ print $1 * 1000 + $2 }')
	[ "$v" -ge 6002 ]
}

# run_case CASE UNDERLAY "CONFIG LINES" [tx-off|mtu]
#   tx-off: node 1's veth without tx checksumming for the case
#   mtu:    node 1's route to node 2 with mtu lock 1280 for the case
run_case() {
	local c=$1 ul=$2 extra=$3 mod=${4:-} i j s line rx_min udp12 udp21 pcap n4 n6 f1 g1 uso
	case $mod in
	tx-off) s="; tx checksumming off on the veth of node 1" ;;
	mtu) s="; route n1 -> n2 with mtu lock 1280" ;;
	*) s="" ;;
	esac
	log "=== case $c, IPv$ul underlay: $extra$s"
	IT_UNDERLAY=$ul
	IT_CONF_DAEMON_EXTRA="  $extra"
	keys_eesp
	for i in 1 2; do
		rm -rf "$(node_dir "$i")/state"
		j=$((3 - i))
		conf_eesp "$i" "$j"
	done
	if [ "$mod" = tx-off ]; then
		must nsx 1 ethtool -K "$(veth 1)" tx off >/dev/null
		nsx 1 ethtool -k "$(veth 1)" | grep -q '^tx-checksumming: off' ||
			fail "ethtool -K $(veth 1) tx off: tx checksumming still on"
	elif [ "$mod" = mtu ]; then
		must ip -n "$(ns 1)" route add "$(ul4 2)/32" dev "$(veth 1)" mtu lock 1280
		ip -n "$(ns 1)" route get "$(ul4 2)" | grep -q 'mtu lock 1280' ||
			fail "route to $(ul4 2) without mtu lock 1280: $(ip -n "$(ns 1)" route get "$(ul4 2)")"
	fi
	daemon_start 1
	daemon_start 2
	# the tunnel runs over the underlay asked for: a few pings under a capture
	# on node 1's veth (tcpdump stays off during the bulk traffic)
	pcap="$IT_DIR/veth1.$c.$ul.pcap"
	: >"$IT_DIR/tcpdump.log" # capture waits for its own "listening on"
	capture 1 "$(veth 1)" "$pcap" udp port "$IT_PORT"
	ping_ok 1 "$(in4 2)" 3
	ping_ok 2 "$(in6 1)" 3
	capture_stop 12
	pcap_udp "$pcap" >"$IT_DIR/outer.$c.$ul"
	n6=$(grep -c "^2001:db8:ff::" "$IT_DIR/outer.$c.$ul")
	n4=$(grep -c "^198\.51\.100\." "$IT_DIR/outer.$c.$ul")
	if [ "$ul" = 6 ]; then
		[ "$n6" -ge 6 ] && [ "$n4" -eq 0 ] || fail "case $c: tunnel datagrams on node 1's veth: $n6 over IPv6, $n4 over IPv4 (IPv6 underlay asked for)"
	else
		[ "$n4" -ge 6 ] && [ "$n6" -eq 0 ] || fail "case $c: tunnel datagrams on node 1's veth: $n4 over IPv4, $n6 over IPv6 (IPv4 underlay asked for)"
	fi
	for i in 1 2; do
		counters "$i" >"$IT_DIR/c$i.before" || fail "cannot read counters of node $i"
	done

	tcp_sha 1 2 "$(in4 2)" "$TCP_BYTES"
	tcp_sha 2 1 "$(in6 1)" "$TCP_BYTES"
	# n1 -> n2 with UDP_SEGMENT (8 per send): node 1's TUN reads UDP
	# super-packets when it has USO (offload on, Linux >= 6.2)
	counters 1 >"$IT_DIR/c1.uso0" || fail "cannot read counters of node 1"
	UDP_GSO_SEGS=8 udp_burst 1 2 "$(in4 2)"
	udp12=$UDP_GOT
	counters 1 >"$IT_DIR/c1.uso1" || fail "cannot read counters of node 1"
	uso=$(($(cval "$IT_DIR/c1.uso1" tun_tso_reads) - $(cval "$IT_DIR/c1.uso0" tun_tso_reads)))
	log "case $c: UDP super-packets read from node 1's TUN during the UDP_SEGMENT burst: $uso"
	udp_burst 2 1 "$(in6 1)"
	udp21=$UDP_GOT

	for i in 1 2; do
		daemon_alive "$i" || fail "case $c: eespd node $i died"
		counters "$i" >"$IT_DIR/c$i.after" || fail "cannot read counters of node $i"
		counter_delta "$IT_DIR/c$i.before" "$IT_DIR/c$i.after" >"$IT_DIR/c$i.delta"
	done
	# one line per node with the figures
	for i in 1 2; do
		line=""
		for s in $OFFLOAD_NAMES rx_packets tx_packets rx_datagrams; do
			if [ "$(cval "$IT_DIR/c$i.after" "$s")" = missing ]; then
				line+=" $s=missing"
			else
				line+=" $s=$(dval "$i" "$s")"
			fi
		done
		log "case $c IPv$ul node $i:$line"
	done

	case $c in
	a)
		if uso_kernel; then
			[ "$uso" -gt 0 ] || fail "case a: no UDP super-packet read from the TUN (USO) during the UDP_SEGMENT burst"
		fi
		for i in 1 2; do
			want "$c" "$i" tun_tso_reads gt 0
			want "$c" "$i" tun_gro_writes gt 0
			want "$c" "$i" udp_gso_sends gt 0
			want "$c" "$i" udp_gro_reads gt 0
			want "$c" "$i" udp_gso_fallback eq 0
		done
		;;
	b)
		[ "$uso" -eq 0 ] || fail "case b: $uso UDP super-packets read from the TUN with offload off"
		for i in 1 2; do
			for s in $OFFLOAD_NAMES; do
				want "$c" "$i" "$s" eq 0
			done
		done
		;;
	c)
		for i in 1 2; do
			want "$c" "$i" udp_gso_sends gt 0
			want "$c" "$i" udp_gro_reads gt 0
			want "$c" "$i" tun_tso_reads eq 0
			want "$c" "$i" tun_gro_writes eq 0
			want "$c" "$i" udp_gso_fallback eq 0
		done
		;;
	d)
		want "$c" 1 udp_gso_fallback gt -1 # the counter exists
		f1=$(dval 1 udp_gso_fallback)
		g1=$(dval 1 udp_gso_sends)
		if [ "$f1" -gt 0 ]; then
			log "case d: the kernel refused trains without tx checksum offload (before Linux 6.11): $f1 datagrams re-sent one by one"
		else
			[ "$g1" -gt 0 ] || fail "case d: node 1 neither sent a GSO train nor fell back"
			log "case d: the kernel took $g1 trains without tx checksum offload (checksummed in software, Linux >= 6.11): no fallback"
		fi
		want "$c" 2 udp_gso_fallback eq 0
		want "$c" 2 udp_gso_sends gt 0
		;;
	e)
		want "$c" 1 udp_gso_fallback gt 0
		want "$c" 2 udp_gso_fallback eq 0
		want "$c" 2 udp_gso_sends gt 0
		;;
	esac
	# every inner packet that reached a receiver's socket was written to its
	# TUN: rx_packets >= the TCP payload in packets of at most MSS_MAX bytes
	# plus the UDP datagrams received
	rx_min=$(((TCP_BYTES + MSS_MAX - 1) / MSS_MAX))
	want "$c" 2 rx_packets gt $((rx_min + udp12 - 1))
	want "$c" 1 rx_packets gt $((rx_min + udp21 - 1))
	for i in 1 2; do
		check_drops "$i"
	done
	log "case $c IPv$ul: PASS"
	for i in 1 2; do
		daemon_stop "$i"
	done
	if [ "$mod" = tx-off ]; then
		must nsx 1 ethtool -K "$(veth 1)" tx on >/dev/null
	elif [ "$mod" = mtu ]; then
		must ip -n "$(ns 1)" route del "$(ul4 2)/32" dev "$(veth 1)"
	fi
}

ALL_ON="offload = true; gro = true; udp_gso = true; udp_gro = true;"
ALL_OFF="offload = false; gro = false; udp_gso = false; udp_gro = false;"
UDP_ONLY="offload = false; gro = true; udp_gso = true; udp_gro = true;"

run_case a 4 "$ALL_ON"
run_case b 4 "$ALL_OFF"
run_case a 6 "$ALL_ON"
run_case b 6 "$ALL_OFF"
run_case c 4 "$UDP_ONLY"
if command -v ethtool >/dev/null 2>&1; then
	run_case d 4 "$ALL_ON" tx-off
else
	log "SKIP case d: ethtool is not installed (make deps), cannot turn off the veth's tx checksumming"
fi
run_case e 4 "$ALL_ON" mtu
log "PASS"
