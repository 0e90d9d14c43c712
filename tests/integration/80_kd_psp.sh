#!/usr/bin/env bash
# 80: PSP key download end to end (issue 16 item 3).  Needs root.  Two eespd
# in PSP mode whose configurations hold no SA keys at all (their own PSP
# masters and a peer with endpoint and allowed_ips), an eesp-iked beside
# each with a PSK (node 1 initiates, a psp group for the peer):
#   1. before eesp-iked: no ping (no_tx_sa);
#   2. once the children are keyed (child_up 1 on both): each eespd's rx SPI
#      is the other's tx SPI, node 1's rx key is derive's for its SPI under
#      its own master 0, `eespctl iked show` names the child (psp, version
#      1, the two SPIs), no key appears in either eesp-iked log; ping both
#      ways (v4, v6) and a 2 s iperf3 pass;
#   3. an IKE SA rekey (rekey_time 4 s, both sides) keeps the child: the same SPIs in
#      eespd, ping passes;
#   4. SIGKILL of eesp-iked on node 2 (responder) and a restart: node 1
#      gives up the dead IKE SA (dpd), brings up a new one, a new child is
#      keyed and ping passes; eespd holds one rx SA per side (stale swept);
#   5. the same for node 1 (initiator): INITIAL_CONTACT replaces node 2's SA;
#   6. a restart of eespd on node 2 (its runtime SAs are gone, its key
#      serial starts again at 1): node 2's eesp-iked sees its receive SA
#      missing from sa-list and re-keys the child; ping passes again;
#   7. a clean stop of node 2's eesp-iked (SIGTERM: Delete sent) and a
#      start: node 1 (initiate = true) brings the SA and the child back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_kd.sh"
kd_init
net_create 2
keys_psp
kd_eespd_conf 1 2 0
kd_eespd_conf 2 1 0
daemon_start 1
daemon_start 2
out=$(nsx 1 timeout 10 ping -n -q -c 2 -i 0.2 -W 1 "$(in4 2)" 2>&1)
grep -q " 0 received" <<<"$out" || fail "ping passed before any key download: $out"
log "1. no SA yet, no ping"

KD_IKE_EXTRA="rekey_time = 4; dpd_interval = 1; retransmit_tries = 2;"
IKED_RETRANSMIT=500
kd_iked_conf 1 2 true
kd_iked_conf 2 1
iked_start 2
iked_start 1
wait_for 20 kd_children 1 1 || fail "node 1: no PSP child: $(grep -i 'child\|eespd' "$(iked_log 1)" | tail -5)"
wait_for 10 kd_children 2 1 || fail "node 2: no PSP child: $(grep -i 'child\|eespd' "$(iked_log 2)" | tail -5)"
wait_for 5 kd_paired || fail "the SAs do not pair: node 1 $(kd_sa 1 | tr '\n' ' ') node 2 $(kd_sa 2 | tr '\n' ' ')"
R1=$(kd_spi 1 rx) R2=$(kd_spi 2 rx)
[ $((R1 & 0x80000000)) -eq 0 ] || fail "node 1's rx SPI $R1 is not under master 0"
K1=$(psp_derive "${IT_PSPM[1, 0]}" "$R1" 1)
fp=$(printf '%s\n' "$K1" | "$EESPCTL" fingerprint)
kd_sa 2 | grep -q "dir tx spi $R1 .*fingerprint $fp" || fail "node 2's tx key for $R1 is not node 1's derived key ($fp): $(kd_sa 2)"
for n in 1 2; do
	! grep -qi "$K1" "$(iked_log "$n")" "$(node_log "$n")" || fail "node $n logged the SA key"
done
grep -q "PSP child up: version 1, we receive under $R1" "$(iked_log 1)" || fail "node 1 did not log its child: $(grep -i child "$(iked_log 1)")"
[ "$(iked_sa 1 child established | "$PY" -c 'import ast,sys; c = ast.literal_eval(sys.stdin.read()); print(c["kind"], c["version"], c["rx_spi"], c["tx_spi"])')" = "psp 1 $R1 $R2" ] ||
	fail "eespctl iked show: the child is not psp 1 $R1 $R2: $(iked 1 show)"
log "2. children keyed: node 1 receives under $R1, node 2 under $R2 (key fingerprint $fp matches derive)"
ping_ok 1 "$(in4 2)" 5
ping_ok 2 "$(in4 1)" 5
ping_ok 1 "$(in6 2)" 3
log "2. psp iperf3 TCP 2 s n1 -> n2: $(iperf 1 2 "$(in4 2)" 2)"

wait_for 20 iked_logged 1 "replaces IKE SA" || fail "no IKE SA rekey within 20 s"
wait_for 10 iked_up 1 || fail "node 1: no established IKE SA after the rekey"
[ "$(kd_spi 1 rx)" = "$R1" ] && [ "$(kd_spi 2 rx)" = "$R2" ] || fail "an IKE SA rekey changed the child SAs"
[ "$(iked_counter 1 child_up)" = 1 ] || fail "the IKE rekey keyed a new child"
ping_ok 1 "$(in4 2)" 3
log "3. IKE SA rekeyed, the child stays ($R1 / $R2)"

# 4. responder killed and restarted
kd_iked_kill 2
iked_start 2
wait_for 30 kd_children 2 1 || fail "restarted node 2: no child: $(tail -5 "$(iked_log 2)") / $(tail -5 "$(iked_log 1)")"
wait_for 10 kd_paired || fail "after node 2's restart the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
wait_for 10 kd_pings 1 "$(in4 2)" || fail "no ping after node 2's restart"
[ "$(kd_nsa 1 rx)" = 1 ] && [ "$(kd_nsa 2 rx)" = 1 ] || fail "stale rx SAs remain: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
ping_ok 1 "$(in4 2)" 3
log "4. eesp-iked on node 2 killed and restarted: new child $(kd_spi 1 rx) / $(kd_spi 2 rx), ping passes"

# 5. initiator killed and restarted
kd_iked_kill 1
iked_start 1
wait_for 30 kd_children 1 1 || fail "restarted node 1: no child: $(tail -5 "$(iked_log 1)")"
wait_for 10 kd_paired || fail "after node 1's restart the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
wait_for 10 kd_pings 2 "$(in4 1)" || fail "no ping after node 1's restart"
[ "$(kd_nsa 1 rx)" = 1 ] && [ "$(kd_nsa 2 rx)" = 1 ] || fail "stale rx SAs remain: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
ping_ok 2 "$(in4 1)" 3
log "5. eesp-iked on node 1 killed and restarted: new child $(kd_spi 1 rx) / $(kd_spi 2 rx), ping passes"

# 6. eespd restarted under eesp-iked
k2=$(iked_counter 2 child_rekeyed)
daemon_stop 2
daemon_start 2
wait_for 20 kd_rekeyed 2 $((k2 + 1)) || fail "node 2 did not re-key after its eespd restarted: $(grep -i 'child\|eespd' "$(iked_log 2)" | tail -4)"
grep -q "eespd no longer holds our receive SA" "$(iked_log 2)" || fail "node 2 did not log why it re-keyed"
wait_for 10 kd_paired || fail "after node 2's eespd restart the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
wait_for 10 kd_pings 1 "$(in4 2)" || fail "no ping after node 2's eespd restart"
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in4 1)" 3
log "6. eespd on node 2 restarted: eesp-iked re-keyed the child ($(kd_spi 2 rx)), ping passes"

# 7. responder stopped cleanly (SIGTERM: it sends Delete) and started
# again: the initiator (initiate = true) brings the SA and the child back
iked_stop 2
iked_start 2
wait_for 30 kd_children 1 1 || fail "after node 2's clean restart node 1 did not come back: $(tail -5 "$(iked_log 1)")"
wait_for 10 kd_paired || fail "after node 2's clean restart the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
wait_for 10 kd_pings 1 "$(in4 2)" || fail "no ping after node 2's clean restart"
ping_ok 1 "$(in4 2)" 3
log "7. eesp-iked on node 2 stopped (Delete sent) and started: node 1 re-initiated, new child $(kd_spi 1 rx) / $(kd_spi 2 rx)"
log "PASS"
