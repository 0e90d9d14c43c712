#!/usr/bin/env bash
# 12: the PSP counterpart of test 05: 10 000 bad PSP datagrams
# (2 000 each of malformed headers, truncated, forged with a wrong data key,
# spoofed inner source under a valid SPI, and garbage) from node 1's
# namespace at node 2's eespd in psp mode (build/tools/inject_psp).  None
# may appear on node 2's TUN, the counters must grow by exactly what was sent
# per reason, and the daemon must still carry traffic afterwards.
. "$(dirname "$0")/lib.sh"
it_init
INJECT=$B/tools/inject_psp
[ -x "$INJECT" ] || skip "$INJECT not built (make tools)"
require_cmd openssl
net_create 2
keys_psp
conf_psp 1 "2"
conf_psp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 3

pcap="$IT_DIR/tun2.pcap"
capture 2 "$IT_TUN" "$pcap" -Q in
before="$IT_DIR/before.2"
counters 2 >"$before" || fail "counters of node 2"
out="$IT_DIR/inject.out"
seed=${INJECT_SEED:-$RANDOM}
log "inject_psp seed $seed (INJECT_SEED=$seed reproduces this run)"
nsx 1 "$INJECT" -d "$(ul4 2)" -p "$IT_PORT" -s "$(psp_spi 2 1)" -0 "${IT_PSPM[2, 0]}" -1 "${IT_PSPM[2, 1]}" \
	-v "$IT_PSP_VERSION" -S "$(in4 1)" -D "$(in4 2)" -X 203.0.113.7 -R "$seed" -c 2000 >"$out" ||
	fail "inject_psp failed: $(cat "$out")"
sed 's/^/  inject_psp: /' "$out"
total=$(awk '$1 == "total" { print $2 }' "$out")
[ "$total" = 10000 ] || fail "inject_psp sent $total datagrams, not 10000"

after="$IT_DIR/after.2"
# every one received and counted (bounded: a busy machine is slow, not lossy)
rx_settled 2 "$before" "$total" || log "rx_datagrams did not reach $total"
counters 2 >"$after"
ping_ok 1 "$(in4 2)" 3 # positive control for the capture
capture_stop 3
delta="$IT_DIR/delta"
counter_delta "$before" "$after" >"$delta"
log "node 2 counter changes:"
sed 's/^/    /' "$delta"
bad=0
# every reason the injector expects, exactly, and no other drop reason moved
# (derive_budget may stand for reasons decided after the key derivation)
expected_drops "$out" "$delta" >"$IT_DIR/expected_drops" || bad=1
sed 's/^/  /' "$IT_DIR/expected_drops"
rxd=$(awk '$1 == "rx_datagrams" { print $2 }' "$delta")
[ "${rxd:-0}" = "$total" ] || { echo "rx_datagrams +${rxd:-0}, expected +$total" >&2; bad=1; }
rxp=$(awk '$1 == "rx_packets" { print $2 }' "$delta")
[ "${rxp:-0}" = 0 ] || { echo "rx_packets +$rxp: something was written to the TUN" >&2; bad=1; }
ctrl=$(tcpdump -r "$pcap" -n "icmp and src $(in4 1)" 2>/dev/null | wc -l)
ntun=$(tcpdump -r "$pcap" -n "not (icmp and src $(in4 1))" 2>/dev/null | wc -l)
[ "$ctrl" -eq 3 ] || { echo "the TUN capture missed the control pings ($ctrl of 3)" >&2; bad=1; }
[ "$ntun" -eq 0 ] || { echo "$ntun injected packets appeared on node 2's TUN" >&2; bad=1; }
[ $bad -eq 0 ] || fail "the receiver did not account for the injected datagrams exactly"
log "TUN capture on node 2: none of them (only the 3 control pings); every datagram counted under its reason"
daemon_alive 2 || fail "eespd node 2 died"
ping_ok 1 "$(in4 2)" 5
ping_ok 2 "$(in6 1)" 5
log "PASS"
