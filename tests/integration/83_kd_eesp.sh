#!/usr/bin/env bash
# 83: EESP key download (issue 16 item 4).  Needs root.  Trust domain "lab"
# with profile spi: eespd on node 1 is the key holder (root key, SPI range),
# eespd on node 2 a client whose key file is empty; neither configuration
# names an SA.  eesp-iked on both (node 2 initiates the IKE SA, node 1's
# peer has eesp role key_holder, node 2's role client):
#   1. before: no ping;
#   2. node 1 (the IKE responder) keys the child: child_up 1 on both, the
#      client's SAs are "key set" (given to it), its tx SPI is the key
#      holder's rx SPI and the other way round, the key holder's rx key is
#      derived from its root; ping both ways (v4, v6) and a 2 s iperf3;
#   3. a root rotation on the key holder (next root, reload, rotate) under
#      a 10 ms ping each way: the key holder's eesp-iked re-keys the child
#      (child_rekeyed 1), new SPIs, the old rx SA released, at most one
#      echo of each ping lost;
#   4. SIGKILL and restart of the client's eesp-iked: a new IKE SA
#      (INITIAL_CONTACT), a new child, ping passes;
#   5. SIGKILL and restart of the key holder's eesp-iked (the IKE
#      responder): the client gives the dead IKE SA up (dpd), brings up a
#      new one, the key holder keys a new child, ping passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_kd.sh"
kd_init
net_create 2
keys_eesp
kd_eesp_conf 1
kd_eesp_conf 2
[ ! -s "$(node_dir 2)/keys/lab.keys" ] || fail "the client's key file is not empty"
daemon_start 1
daemon_start 2
out=$(nsx 2 timeout 10 ping -n -q -c 2 -i 0.2 -W 1 "$(in4 1)" 2>&1)
grep -q " 0 received" <<<"$out" || fail "ping passed before any key download: $out"
log "1. no SA yet, no ping"

KD_POLL_MS=100
KD_IKE_EXTRA="dpd_interval = 1; retransmit_tries = 2;"
IKED_RETRANSMIT=500
kd_eesp_iked_conf 1 2 key_holder
kd_eesp_iked_conf 2 1 client true
iked_start 1
iked_start 2
wait_for 20 kd_children 1 1 || fail "node 1: no EESP child: $(grep -i 'child\|eespd' "$(iked_log 1)" | tail -5)"
wait_for 10 kd_children 2 1 || fail "node 2: no EESP child: $(grep -i 'child\|eespd' "$(iked_log 2)" | tail -5)"
wait_for 5 kd_paired || fail "the SAs do not pair: node 1 $(kd_sa 1 | tr '\n' ' ') node 2 $(kd_sa 2 | tr '\n' ' ')"
kd_sa 2 | grep -q "dir tx spi .* key set" && kd_sa 2 | grep -q "dir rx spi .* key set" ||
	fail "the client's SAs are not given to it: $(kd_sa 2)"
kd_sa 1 | grep -q "dir rx spi .* key derived" || fail "the key holder's rx SA is not derived: $(kd_sa 1)"
grep -q "EESP child up: we receive under .* (keys from the key holder)" "$(iked_log 2)" || fail "node 2 did not log its child"
log "2. EESP child keyed: client sends under $(kd_spi 2 tx), receives under $(kd_spi 2 rx)"
ping_ok 2 "$(in4 1)" 5
ping_ok 1 "$(in4 2)" 5
ping_ok 2 "$(in6 1)" 3
log "2. eesp iperf3 TCP 2 s n2 -> n1: $(iperf 2 1 "$(in4 1)" 2)"

X1=$(kd_spi 1 rx)
kd_ping_run 2 "$(in4 1)" 0.01
a=$KD_PING_OUT b=$KD_PING_PID
kd_ping_run 1 "$(in4 2)" 0.01
KD_NEXT_ROOT=$(hex32)
kd_eesp_conf 1
r=$(ctl 1 reload)
[ "$(head -1 <<<"$r")" = ok ] || fail "reload with the next root: $r"
r=$(ctl 1 "rotate domain 0")
[ "$(head -1 <<<"$r")" = ok ] || fail "rotate: $r"
wait_for 10 kd_rekeyed 1 1 || fail "no EESP child rekey after the rotation: $(grep -i 'child\|serial' "$(iked_log 1)" | tail -5)"
wait_for 5 kd_paired || fail "after the rotation the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
X2=$(kd_spi 1 rx)
[ "$X2" != "$X1" ] || fail "the key holder kept rx SPI $X1"
kd_sa 1 | grep -q "dir rx spi $X2 kind eesp generation 2" || fail "the new rx SA is not of generation 2: $(kd_sa 1)"
wait_for 10 eval '[ "$(kd_nsa 1 rx)" = 1 ] && [ "$(kd_nsa 2 rx)" = 1 ]' || fail "old rx SAs were not released: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
kd_ping_done "node 1 -> 2 across the root rotation" 1
KD_PING_OUT=$a KD_PING_PID=$b
kd_ping_done "node 2 -> 1 across the root rotation" 1
log "3. root rotation: the key holder's rx SPI $X1 -> $X2 (generation 2), old ones released"

kd_iked_kill 2
iked_start 2
wait_for 30 kd_children 2 1 || fail "restarted client: no child: $(tail -5 "$(iked_log 2)") / $(tail -5 "$(iked_log 1)")"
wait_for 10 kd_paired || fail "after the restart the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
wait_for 10 kd_pings 2 "$(in4 1)" || fail "no ping after the client's restart"
ping_ok 2 "$(in4 1)" 3
ping_ok 1 "$(in4 2)" 3
log "4. the client's eesp-iked killed and restarted: new child $(kd_spi 2 tx) / $(kd_spi 2 rx), ping passes"

n1=$(iked_counter 2 child_up)
kd_iked_kill 1
iked_start 1
wait_for 30 kd_children 1 1 || fail "restarted key holder: no child: $(tail -5 "$(iked_log 1)") / $(tail -5 "$(iked_log 2)")"
wait_for 10 kd_children 2 $((n1 + 1)) || fail "the client got no new child after the key holder's restart"
wait_for 10 kd_paired || fail "after the key holder's restart the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
wait_for 10 kd_pings 2 "$(in4 1)" || fail "no ping after the key holder's restart"
ping_ok 2 "$(in4 1)" 3
ping_ok 1 "$(in4 2)" 3
log "5. the key holder's eesp-iked killed and restarted: new child $(kd_spi 2 tx) / $(kd_spi 2 rx), ping passes"
log "PASS"
