#!/usr/bin/env bash
# 79: liveness checks (DPD) with strongSwan 5.9.8.
#   1. eesp-iked with dpd_interval = 1 and strongSwan silent: eesp-iked sends
#      empty INFORMATIONAL requests, strongSwan answers them (strongSwan's
#      log: "parsed INFORMATIONAL request"), the SA stays ESTABLISHED;
#   2. strongSwan killed (SIGKILL, no Delete): eesp-iked's next checks go
#      unanswered, it gives the SA up after retransmit_tries retransmissions
#      (sa_timeout 1, logged "no answer to our liveness check"), and as a
#      peer with initiate = true it tries to bring the SA up again;
#   3. strongSwan started again: the SA comes back on its own.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2
IKED_RETRANSMIT=1000 IKED_EXTRA="dpd_interval = 1; retransmit_tries = 2;"
sw_conf 2 1
iked_conf 1 2 true
sw_start 2
iked_start 1
wait_for 10 iked_up 1 || fail "no SA"
wait_for 10 sw_up 2 || fail "strongSwan has no SA"

log "1. liveness checks answered"
dpd() { [ "$(iked_counter 1 dpd_sent)" -ge 3 ]; }
wait_for 10 dpd || fail "eesp-iked sent fewer than 3 liveness checks in 10 s"
sw_logged 2 'parsed INFORMATIONAL request [0-9]* \[ \]' || fail "strongSwan did not log our liveness check"
iked_up 1 || fail "the SA went"
sw_expect_suite 2
log "eesp-iked sent $(iked_counter 1 dpd_sent) liveness checks, all answered"

log "2. the peer dies"
kill -KILL "${IT_SPID[2]}"
wait "${IT_SPID[2]}" 2>/dev/null
unset "IT_SPID[2]"
gone() { [ "$(iked_counter 1 sa_timeout)" -ge 1 ]; }
wait_for 30 gone || fail "eesp-iked did not give the SA up: $(iked 1 show)"
iked_logged 1 'no answer to our liveness check (MID [0-9]*) after 2 retransmissions' || fail "the give-up is not logged"
again() { [ "$(grep -c ': initiating' "$(iked_log 1)")" -ge 2 ]; }
wait_for 20 again || fail "eesp-iked did not try again (initiate = true)"

log "3. the peer is back"
sw_start 2
wait_for 30 iked_up 1 || fail "the SA did not come back"
wait_for 10 sw_up 2 || fail "strongSwan has no SA"
same_spis 1 2
log "PASS"
