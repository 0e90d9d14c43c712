#!/usr/bin/env bash
# 28: PSP versions 2 and 3 (AES-GMAC-128/256, integrity only) between two
# eespd in psp mode (`psp { version = 2|3 }`), the data keys derived outside
# eespd with openssl's CMAC and the label "Pv2"/"Pv3" (eesp.7).  For each
# version:
#  - ping both ways (IPv4 and IPv6) and a 2 MB TCP transfer pass and no
#    drop counter moves;
#  - on the veth, every datagram n1 -> n2 carries the version in byte 3,
#    Crypt Offset 0, and the inner IPv4 packet in clear right after the
#    16-byte header (the ping's fill pattern is readable in it);
#  - a captured datagram sent again unchanged is delivered (PSP has no
#    replay protection: the control that the injection reaches eespd), one
#    with a single payload byte changed is dropped as auth_failed, one with
#    the Crypt Offset set is dropped as psp_gmac_crypt_offset, and nothing
#    else is counted;
#  - node 2's spi-alloc for the version hands out openssl's key;
#  - build/tools/inject_psp -v VERSION (test 12's injector, 200 datagrams
#    per class: malformed, among them a Crypt Offset set after sealing,
#    truncated, forged with a wrong key, spoofed inner source, garbage):
#    every one counted under the reason the core gives, none delivered.
# Version 1 (AES-GCM-256) runs the capture check as the negative control:
# there the fill pattern must not be visible.  `eespd -t` refuses, with
# file:line and the setting, a Crypt Offset with version 2, version 4, and
# an SA key of the size of the other GMAC version.
# Runtime SAs (eesp-iked's path): with both daemons configured for version
# 1 and node 1 for crypt_offset = 1, node 2's `eespctl sa rx-alloc n1
# --psp-version V` handed to node 1's `sa tx-set n2 -` makes node 1 send
# version V (2, 3) with Crypt Offset 0 and the inner packet in clear, the
# ping passes and node 2 counts no drop; the reply's key is openssl's "PvV".
. "$(dirname "$0")/lib.sh"
it_init
require_cmd openssl
net_create 2
keys_psp
PATTERN=676d61632d696e2d636c6561722d2d2d # "gmac-in-clear---", ping -p
SEEN=676d61632d696e2d636c656172         # what must (v2/v3) or must not (v1) appear

# the UDP payloads n1 -> n2 (port 1000) of a capture, one hex string a line
datagrams_1to2() {
	PCAP_UDP_HEX=all pcap_udp "$1" |
		awk -v s="$(ul4 1)" -v d="$(ul4 2)" '$1 == s && $3 == d && $4 == 1000 { print $6 }'
}

# send_raw HEX: one UDP datagram from node 1 to node 2's eespd
send_raw() {
	nsx 1 "$PY" - "$(ul4 2)" "$IT_PORT" "$1" <<'EOF' || fail "send_raw failed"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[1], int(sys.argv[2])))
EOF
}

# rx_datagrams of node 2 reached $1
rx_reached() {
	local n
	n=$(counters 2 | awk '$1 == "rx_datagrams" { print $2 }')
	[ "${n:-0}" -ge "$1" ]
}

# capture_pings VERSION FILE: 3 pings n1 -> n2 with the fill pattern, captured on n2's veth
capture_pings() {
	capture 2 "$(veth 2)" "$2" udp port "$IT_PORT"
	ping_ok 1 "$(in4 2)" 3 -p "$PATTERN"
	capture_stop
}

# check_clear VERSION FILE: the datagrams of FILE are PSP VERSION with the
# inner packet in clear (2, 3) or encrypted (1)
check_clear() {
	local ver=$1 f=$2 n=0 clear=0 d b3 inner
	while read -r d; do
		n=$((n + 1))
		b3=$((0x${d:6:2}))
		[ $(((b3 >> 2) & 15)) -eq "$ver" ] || fail "v$ver: datagram with byte 3 = 0x${d:6:2} (version $(((b3 >> 2) & 15)))"
		[ $((0x${d:4:2} & 0x3f)) -eq 0 ] || fail "v$ver: Crypt Offset $((0x${d:4:2} & 0x3f)), not 0"
		inner=${d:32}
		# IPv4 header (0x45), protocol ICMP, 192.0.2.1 -> 192.0.2.2 right after the header
		if [ "${inner:0:2}" = 45 ] && [ "${inner:18:2}" = 01 ] &&
			[ "${inner:24:16}" = "$(printf '%02x' 192 0 2 1 192 0 2 2)" ] &&
			grep -q "$SEEN" <<<"$d"; then
			clear=$((clear + 1))
		fi
	done < <(datagrams_1to2 "$f")
	[ "$n" -ge 3 ] || fail "v$ver: only $n datagrams n1 -> n2 captured on the veth"
	if [ "$ver" -ge 2 ]; then
		[ "$clear" -eq "$n" ] || fail "v$ver: $clear of $n datagrams carry the inner packet in clear"
		log "v$ver: $n datagrams on the veth, version $ver, Crypt Offset 0, inner ICMP and the ping pattern in clear"
	else
		[ "$clear" -eq 0 ] || fail "v$ver (AES-GCM): $clear of $n datagrams show the inner packet in clear"
		log "v$ver (control): $n datagrams on the veth, the ping pattern not visible (encrypted)"
	fi
}

# tamper VERSION FILE: resend a captured datagram unchanged, with a payload
# byte changed and with the Crypt Offset set; check node 2's counters
tamper() {
	local ver=$1 f=$2 d bad co before after delta out="$IT_DIR/expect.$1"
	d=$(datagrams_1to2 "$f" | head -1)
	[ -n "$d" ] || fail "v$ver: no datagram to tamper with"
	# byte 60 of the datagram: inner byte 44, inside the ICMP echo data
	local x=$((0x${d:120:2} ^ 0x01))
	bad=${d:0:120}$(printf '%02x' "$x")${d:122}
	co=${d:0:4}$(printf '%02x' $((0x${d:4:2} | 0x06)))${d:6}
	before="$IT_DIR/before.$ver"
	after="$IT_DIR/after.$ver"
	counters 2 >"$before" || fail "counters of node 2"
	send_raw "$d"
	send_raw "$bad"
	send_raw "$co"
	# settled, not only received: rx_datagrams counts before the verdict
	rx_settled 2 "$before" 3 10 || fail "v$ver: node 2 did not finish the 3 datagrams"
	counters 2 >"$after" || fail "counters of node 2"
	delta="$IT_DIR/delta.$ver"
	counter_delta "$before" "$after" >"$delta"
	log "v$ver: node 2 counter changes after the 3 datagrams:"
	sed 's/^/    /' "$delta"
	printf 'expect auth_failed 1\nexpect psp_gmac_crypt_offset 1\n' >"$out"
	expected_drops "$out" "$delta" || fail "v$ver: the receiver did not drop exactly the changed datagrams"
	[ "$(awk '$1 == "rx_packets" { print $2 }' "$delta")" = 1 ] ||
		fail "v$ver: the unchanged datagram was not delivered once (rx_packets)"
	log "v$ver: unchanged datagram delivered, changed payload byte -> auth_failed, Crypt Offset set -> psp_gmac_crypt_offset"
}

# bad_conf NAME FILE PATTERN: eespd -t must fail and print PATTERN (ERE)
bad_conf() {
	local out
	out=$("$EESPD" -t -c "$2" 2>&1) && fail "$1: eespd -t accepted it"
	grep -Eq -- "$3" <<<"$out" || fail "$1: no /$3/ in: $out"
	log "refused: $1: $(head -1 <<<"$out")"
}

# configuration checks on node 1's version-2 files
config_checks() {
	local c d k n out
	c=$(node_conf 1)
	d=$(node_dir 1)
	out=$("$EESPD" -t -c "$c" 2>&1) || fail "the valid version-2 config fails -t: $out"
	sed 's/crypt_offset = 0;/crypt_offset = 6;/' "$c" >"$d/co.conf"
	n=$(grep -n 'crypt_offset = 6;' "$d/co.conf" | cut -d: -f1)
	bad_conf "crypt_offset 6 with version 2" "$d/co.conf" \
		"co\.conf:$n: crypt_offset must be 0 with psp version 2 \(aes-gmac-128"
	sed 's/version = 2;/version = 4;/' "$c" >"$d/v4.conf"
	bad_conf "version 4" "$d/v4.conf" "v4\.conf:[0-9]+: .*version"
	# the SA key of version 3 (32 bytes) under version 2
	k=$(psp_derive "${IT_PSPM[2, 0]}" "$(psp_spi 2 1)" 3)
	sed "s/^sa psp \([^ ]*\) .*/sa psp \1 $k/" "$d/keys/psp.keys" | write_secret "$d/keys/k32.keys"
	sed 's|keys/psp.keys|keys/k32.keys|' "$c" >"$d/k32.conf"
	bad_conf "32-byte SA key with version 2" "$d/k32.conf" "is 32 bytes, psp version needs 16"
}

# spialloc VERSION: node 2's spi-alloc for VERSION hands out the key that
# openssl's CMAC derives from its master 0 with the label "Pv<VERSION>"
spialloc() {
	local ver=$1 r spi key
	r=$(ctl 2 "spi-alloc $ver")
	[ "$(sed -n 1p <<<"$r")" = ok ] || fail "v$ver: spi-alloc: $r"
	spi=$(awk '$1 == "spi" { print $2 }' <<<"$r")
	key=$(awk '$1 == "key" { print $2 }' <<<"$r")
	grep -q "^version $ver\$" <<<"$r" || fail "v$ver: spi-alloc answered another version: $r"
	[ "${#key}" = $((ver == 2 ? 32 : 64)) ] || fail "v$ver: spi-alloc key of ${#key} hex digits"
	[ "$key" = "$(psp_derive "${IT_PSPM[2, 0]}" "$spi" "$ver")" ] ||
		fail "v$ver: spi-alloc key for $spi differs from openssl's derivation"
	log "v$ver: spi-alloc $spi: key = openssl CMAC with label Pv$ver"
}

# inject VERSION: test 12's bad datagrams at node 2, 200 per class
inject() {
	local ver=$1 out="$IT_DIR/inject.$1" before="$IT_DIR/ibefore.$1" after="$IT_DIR/iafter.$1"
	local total seed=${INJECT_SEED:-$RANDOM}
	counters 2 >"$before" || fail "counters of node 2"
	log "v$ver: inject_psp seed $seed (INJECT_SEED=$seed reproduces this run)"
	nsx 1 "$INJECT" -d "$(ul4 2)" -p "$IT_PORT" -s "$(psp_spi 2 1)" -0 "${IT_PSPM[2, 0]}" \
		-1 "${IT_PSPM[2, 1]}" -v "$ver" -S "$(in4 1)" -D "$(in4 2)" -X 203.0.113.7 -R "$seed" \
		-c 200 >"$out" || fail "inject_psp failed: $(cat "$out")"
	total=$(awk '$1 == "total" { print $2 }' "$out")
	[ "$total" = 1000 ] || fail "inject_psp sent $total datagrams, not 1000"
	grep -q "^expect psp_gmac_crypt_offset [1-9]" "$out" ||
		fail "v$ver: inject_psp sent no datagram with a Crypt Offset: $(cat "$out")"
	rx_settled 2 "$before" "$total" 10 || fail "v$ver: node 2 did not finish $total datagrams"
	counters 2 >"$after" || fail "counters of node 2"
	counter_delta "$before" "$after" >"$IT_DIR/idelta.$ver"
	expected_drops "$out" "$IT_DIR/idelta.$ver" >"$IT_DIR/iexp.$ver" ||
		fail "v$ver: injected datagrams not counted as expected: $(cat "$IT_DIR/iexp.$ver")"
	[ "$(awk '$1 == "rx_packets" { print $2 }' "$IT_DIR/idelta.$ver")" = "" ] ||
		fail "v$ver: an injected datagram was delivered"
	log "v$ver: $total injected datagrams, each counted under its reason: $(grep '^expect' "$out" | cut -d' ' -f2- | tr '\n' ' ')"
}

INJECT=$B/tools/inject_psp
[ -x "$INJECT" ] || skip "$INJECT not built (make tools)"

for ver in 1 2 3; do
	IT_PSP_VERSION=$ver
	conf_psp 1 "2"
	conf_psp 2 "1"
	grep -q "version = $ver;" "$(node_conf 1)" || fail "config of node 1 does not set version $ver"
	if [ "$ver" = 2 ]; then config_checks; fi
	daemon_start 1
	daemon_start 2
	ping_ok 1 "$(in4 2)" 5
	ping_ok 2 "$(in4 1)" 5
	ping_ok 1 "$(in6 2)" 5
	ping_ok 2 "$(in6 1)" 5
	tcp_sha 1 2 "$(in4 2)" $((2 << 20)) # bulk: GSO trains both ways
	pcap="$IT_DIR/veth.v$ver.pcap"
	capture_pings "$ver" "$pcap"
	check_clear "$ver" "$pcap"
	for i in 1 2; do
		daemon_alive "$i" || fail "eespd node $i died"
		check_drops "$i"
	done
	if [ "$ver" -ge 2 ]; then
		tamper "$ver" "$pcap"
		inject "$ver"
		spialloc "$ver"
	fi
	ping_ok 1 "$(in4 2)" 3
	daemon_stop 1
	daemon_stop 2
done

# runtime_gmac VERSION: node 2 allocates a GMAC receive SA for node 1, node 1
# sends with it although its domain is AES-GCM with crypt_offset = 1
runtime_gmac() {
	local ver=$1 r spi key out pcap="$IT_DIR/veth.rt$1.pcap"
	r=$("$EESPCTL" sa rx-alloc n1 --psp-version "$ver" -s "$(node_sock 2)" 2>&1) ||
		fail "v$ver: sa rx-alloc n1 on node 2: $r"
	spi=$(sed -n 's/^spi //p' <<<"$r")
	key=$(sed -n 's/^key //p' <<<"$r")
	grep -q "^version $ver\$" <<<"$r" || fail "v$ver: sa rx-alloc answered another version: $r"
	[ "$key" = "$(psp_derive "${IT_PSPM[2, 0]}" "$spi" "$ver")" ] ||
		fail "v$ver: sa rx-alloc key for $spi differs from openssl's derivation"
	out=$(printf '%s\n' "$r" | "$EESPCTL" sa tx-set n2 - -s "$(node_sock 1)" 2>&1) ||
		fail "v$ver: sa tx-set n2 - on node 1: $out"
	counters 2 >"$IT_DIR/rtbefore.$ver" || fail "counters of node 2"
	capture_pings "$ver" "$pcap"
	check_clear "$ver" "$pcap"
	counters 2 >"$IT_DIR/rtafter.$ver" || fail "counters of node 2"
	local d
	d=$(counter_delta "$IT_DIR/rtbefore.$ver" "$IT_DIR/rtafter.$ver" | grep -Fwf <(drop_names) | grep -Ev '^(no_route|tx_no_buffer) ')
	[ -z "$d" ] || fail "v$ver runtime SA: node 2 counted drops: $(tr '\n' ' ' <<<"$d")"
	datagrams_1to2 "$pcap" | grep -qv "^......[0-9a-f]\{2\}${spi#0x}" &&
		fail "v$ver runtime SA: a datagram n1 -> n2 not under SPI $spi"
	log "v$ver runtime SA $spi from node 2's sa rx-alloc: node 1 sends version $ver, Crypt Offset 0 (its domain's is 1)"
}

IT_PSP_VERSION=1
conf_psp 1 "2"
conf_psp 2 "1"
sed -i 's/crypt_offset = 0;/crypt_offset = 1;/' "$(node_conf 1)"
grep -q 'crypt_offset = 1;' "$(node_conf 1)" || fail "config of node 1 does not set crypt_offset 1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 3 # version 1, Crypt Offset 1 from the configuration
for ver in 2 3; do
	runtime_gmac "$ver"
done
ping_ok 2 "$(in4 1)" 3
for i in 1 2; do
	daemon_alive "$i" || fail "eespd node $i died"
done
daemon_stop 1
daemon_stop 2
log "PASS"
