#!/usr/bin/env bash
# 76: bad IKE datagrams are dropped and counted, and an established SA with
# strongSwan stays up.  From strongSwan's address and port 500
# (tests/tools/ike_inject.py, raw socket) to eesp-iked:
#   truncated (20 octets of a real message)     -> truncated +1
#   a header claiming 20000 octets, and them    -> oversize +1
#   its Length one octet short of the datagram  -> bad_length +1
#   100 datagrams of random octets              -> the framing counters +100
#   the SA's SPIs wrong                         -> unknown_spi +1
#   from another address                        -> wrong_source +1
#   the SA's SPIs, the MIDs around the next one, a forged SK
#                                               -> unauthenticated >= 1
#   the SA's SPIs, a MID far ahead              -> future_mid +1
#   strongSwan's IKE_SA_INIT request again      -> replayed +1
#   strongSwan's IKE_AUTH request again, after its liveness checks moved the
#   window on                                   -> replayed +1
# (the captured messages come from a tcpdump of the set-up).  Afterwards the
# SA is the same (same SPIs at both ends), strongSwan's liveness checks
# (dpd_delay = 1s) are still answered, and rx_datagrams grew by every
# injected datagram.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
require_cmd tcpdump
net_create 2
INJ=tests/tools/ike_inject.py
SW_CONN_EXTRA="dpd_delay = 1s"
sw_conf 2 1
iked_conf 1 2
sw_start 2
iked_start 1
capture 1 "$(veth 1)" "$IT_DIR/setup.pcap" udp port 500
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate: $out"
wait_for 10 iked_up 1 || fail "no SA"
same_spis 1 2
spi_i=$(iked_sa 1 spi_i established) spi_r=$(iked_sa 1 spi_r established)
# two liveness checks of strongSwan's: its window moves past IKE_AUTH (MID 1)
dpd_seen() { [ "$(iked_counter 1 dpd_answered)" -ge 2 ]; }
wait_for 10 dpd_seen || fail "strongSwan's liveness checks did not arrive"
capture_stop
# the requests strongSwan sent: IKE_SA_INIT (exchange 34) and IKE_AUTH (35)
PCAP_UDP_HEX=all pcap_udp "$IT_DIR/setup.pcap" >"$IT_DIR/setup.txt"
msg() { # EXCH: hex of strongSwan's first request of that exchange
	awk -v src="$(ul4 2)" -v x="$1" '$1 == src && substr($6, 37, 2) == x && substr($6, 39, 2) == "08" { print $6; exit }' "$IT_DIR/setup.txt"
}
init_req=$(msg 22) auth_req=$(msg 23)
[ -n "$init_req" ] && [ -n "$auth_req" ] || fail "no IKE_SA_INIT/IKE_AUTH request of strongSwan in the capture: $(cut -c1-120 "$IT_DIR/setup.txt")"
counters_file() { iked 1 counters >"$1" || fail "counters"; }
counters_file "$IT_DIR/c.before"
inj() { nsx 2 "$PY" "$INJ" --src "$(ul4 2)" --dst "$(ul4 1)" "$@" >>"$IT_DIR/inject.out" || fail "inject $*"; }
mid_in=$(iked_sa 1 mid_in established)
inj truncated "$auth_req" 20
inj oversize 20000
short=${auth_req:0:$((${#auth_req} - 2))}
inj raw "$short"
inj garbage 300 100
inj forge 0011223344556677 8899aabbccddeeff 37 0x08 0
# the MID it expects, and the one before and after: a liveness check of
# strongSwan's may slip in between, but one of the three is opened and
# fails its ICV whatever the window did meanwhile
for m in $((mid_in - 1)) "$mid_in" $((mid_in + 1)); do
	inj forge "$spi_i" "$spi_r" 37 0x08 "$m"
done
inj forge "$spi_i" "$spi_r" 37 0x08 $((mid_in + 50))
inj raw "$init_req"
inj raw "$auth_req"
# from another address (node 2's second one)
ip -n "$(ns 2)" addr add 198.51.100.22/24 dev "$(veth 2)"
nsx 2 "$PY" "$INJ" --src 198.51.100.22 --dst "$(ul4 1)" forge "$spi_i" "$spi_r" 37 0x08 "$mid_in" >>"$IT_DIR/inject.out" ||
	fail "inject from another address"
sent=$(grep -c '^sent' "$IT_DIR/inject.out")
# every datagram counted: wait until rx_datagrams moved by all of them
all_in() {
	counters_file "$IT_DIR/c.after"
	local d
	d=$(counter_delta "$IT_DIR/c.before" "$IT_DIR/c.after" | awk '$1 == "rx_datagrams" { print $2 }')
	[ "${d:-0}" -ge "$sent" ]
}
wait_for 10 all_in || fail "eesp-iked did not receive the $sent injected datagrams"
counter_delta "$IT_DIR/c.before" "$IT_DIR/c.after" >"$IT_DIR/delta"
log "counter changes: $(tr '\n' ' ' <"$IT_DIR/delta")"
d() { awk -v n="$1" '$1 == n { print $2 }' "$IT_DIR/delta"; }
want() { # COUNTER MIN
	local v
	v=$(d "$1")
	[ "${v:-0}" -ge "$2" ] || fail "counter $1 moved by ${v:-0}, want at least $2"
}
want truncated 1
want oversize 1
want bad_length 1
want unknown_spi 1
want unauthenticated 1
want future_mid 1
want replayed 2
want wrong_source 1
# the 100 random datagrams: each under one framing counter
framing=0
for c in truncated bad_major_version bad_length oversize payload_length bad_payload_chain sk_not_last \
	unsupported_critical too_many_payloads malformed_payload bad_exchange unknown_spi; do
	framing=$((framing + $(d "$c" || echo 0) + 0))
done
[ "$framing" -ge 100 ] || fail "only $framing framing drops for 100 random datagrams and more"
[ -z "$(d sa_deleted)" ] && [ -z "$(d sa_established)" ] || fail "the SA changed"
[ "$(iked_sa 1 spi_i established) $(iked_sa 1 spi_r established)" = "$spi_i $spi_r" ] || fail "the SA changed"
same_spis 1 2
# strongSwan's liveness checks are still answered
n=$(iked_counter 1 dpd_answered)
more() { [ "$(iked_counter 1 dpd_answered)" -gt "$n" ]; }
wait_for 10 more || fail "strongSwan's liveness checks are no longer answered"
sw_up 2 || fail "strongSwan lost the SA"
log "PASS"
