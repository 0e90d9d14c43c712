#!/usr/bin/env bash
# A real capture decrypts fully, psp mode: two eespd in network namespaces
# (tunnel mode, PSP v1, or IT_PSP_VERSION: 42_capture_psp_gmac.sh runs 2 and 3),
# capture on the veth while pinging and sending TCP
# both ways, then decrypt with both nodes' key files (their PSP master keys
# and out-of-band sa lines).  For your own capture use 40_capture.sh PCAP KEYS.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
. tests/dissector/lib.sh
command -v tshark >/dev/null 2>&1 || ds_skip "tshark not installed"
it_init
require_cmd openssl
DS_TMP=$IT_DIR/ds
mkdir -p "$DS_TMP"
ds_setup
net_create 2
keys_psp
conf_psp 1 "2"
conf_psp 2 "1"
daemon_start 1
daemon_start 2
pcap=$IT_DIR/veth1.pcap
# (capture: returns once tcpdump listens; capture_stop: once it wrote all)
capture 1 "$(veth 1)" "$pcap" udp
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in4 1)" 3
ping_ok 1 "$(in6 2)" 3
tcp_sha 1 2 "$(in4 2)" 65536
tcp_sha 2 1 "$(in6 1)" 65536
capture_stop
mkdir -p "$IT_DIR/allkeys"
cp "$(node_dir 1)/keys/psp.keys" "$IT_DIR/allkeys/n1.keys"
cp "$(node_dir 2)/keys/psp.keys" "$IT_DIR/allkeys/n2.keys"
ds_check_capture "$pcap" "$IT_DIR/allkeys" icmp icmpv6 tcp
# eespd sends with UDP GSO: the TCP bulk leaves as trains, which tcpdump on the
# veth sees unsegmented; the plugin must have split (and decrypted) some
check "GSO trains seen and split ($DS_TRAINS frames, $DS_TRAIN_DGRAMS datagrams)" \
	"$([ "$DS_TRAINS" -gt 0 ] && [ "$DS_TRAIN_DGRAMS" -ge $((2 * DS_TRAINS)) ] && echo yes)" yes
# each direction decrypts with the receiver's master key alone, too
spi12=$(psp_spi 2 1)
mk=$(printf 'psp 0 %s\npsp 1 %s\n' "${IT_PSPM[2, 0]}" "${IT_PSPM[2, 1]}")
printf '%s\n' "$mk" >"$DS_TMP/n2master.keys"
chmod 644 "$DS_TMP/n2master.keys"
# (per datagram: a GSO train lists each field once per datagram)
got=$(ts -r "$DS_TMP/capture.pcap" -o "eesp.keyfile:$DS_TMP/n2master.keys" -Y "psp.spi == $spi12" \
	-T fields -E occurrence=a -E aggregator=, -e psp.decrypted -e psp.version -e psp.nexthdr 2>/dev/null |
	awk -F'\t' '{ n = split($1, d, ","); split($2, v, ","); split($3, h, ",")
		for (i = 1; i <= n; i++) print d[i], v[i], h[i] }' | sort -u | tr '\n' ' ')
V=$IT_PSP_VERSION # IT_PSP_VERSION=2 or 3: the same with AES-GMAC (payload in clear, ICV verified)
check "n1 -> n2 with n2's master keys only: all decrypted, v$V, tunnel" "$got" "1 $V 4 1 $V 41 "
ds_finish
