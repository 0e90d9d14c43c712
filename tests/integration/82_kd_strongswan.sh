#!/usr/bin/env bash
# 82: strongSwan refuses the PSP child without losing the IKE SA (issue 16).
# Needs root and strongSwan.  eespd (PSP masters only) and eesp-iked with a
# psp group on node 1, strongSwan 5.9.8 on node 2 (childless = force):
#   - eesp-iked brings up the IKE SA and sends its CREATE_CHILD_SA with the
#     eesp Vendor ID, SA(protocol 201, PSP Parameters 241, KWA 13) and KD;
#   - strongSwan parses it as "[ V SA No UNKN(52) TSi TSr ]" (KD is unknown
#     to it, non-critical) and, having no child configuration, answers
#     "[ N(TS_UNACCEPT) ]"; eesp-iked logs "the peer refused our PSP child
#     with TS_UNACCEPTABLE", counts child_failed, installs nothing (eespd:
#     no transmit SA, the offered receive SPIs released);
#   - the IKE SA stays ESTABLISHED on both sides with the same SPIs and
#     child-sas {} on strongSwan's side, and a retry later is refused alike.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_kd.sh"
kd_init
require_strongswan
net_create 2
keys_psp
kd_eespd_conf 1 2 0
daemon_start 1
sw_conf 2 1
sw_start 2
kd_iked_conf 1 2 true
iked_start 1
wait_for 10 iked_up 1 || fail "no IKE SA with strongSwan"
wait_for 10 sw_up 2 || fail "strongSwan has no IKE SA"
spis="$(sw_field 2 initiator-spi) $(sw_field 2 responder-spi)"
wait_for 10 iked_logged 1 "the peer refused our PSP child with TS_UNACCEPTABLE" ||
	fail "eesp-iked did not see the refusal: $(grep -i child "$(iked_log 1)" | tail -3); strongSwan: $(grep -i 'CREATE_CHILD' "$(sw_dir 2)/charon.log" | tail -4)"
sw_logged 2 'parsed CREATE_CHILD_SA request 2 \[ V SA No UNKN(52) TSi TSr \]' || fail "strongSwan did not parse our request: $(grep CREATE_CHILD "$(sw_dir 2)/charon.log" | head -3)"
sw_logged 2 'generating CREATE_CHILD_SA response 2 \[ N(TS_UNACCEPT) \]' ||
	fail "strongSwan's answer: $(grep 'CREATE_CHILD_SA response' "$(sw_dir 2)/charon.log" | head -3)"
log "strongSwan: $(grep -m1 'CREATE_CHILD_SA request 2' "$(sw_dir 2)/charon.log" | sed 's/^.*\] //')"
log "strongSwan: $(grep -m1 'CREATE_CHILD_SA response 2' "$(sw_dir 2)/charon.log" | sed 's/^.*\] //')"
[ "$(iked_counter 1 child_failed)" -ge 1 ] || fail "child_failed not counted"
[ "$(iked_counter 1 child_up)" = 0 ] || fail "a child was keyed"
[ "$(kd_nsa 1 tx)" = 0 ] || fail "eespd got a transmit SA: $(kd_sa 1)"
wait_for 5 eval '[ "$(kd_nsa 1 rx)" = 0 ]' || fail "the offered receive SPIs were not released: $(kd_sa 1)"
# a retry (2-4 s later) is refused the same way and the IKE SA still stays
wait_for 10 eval '[ "$(iked_counter 1 child_failed)" -ge 2 ]' || fail "no retry of the child"
sw_up 2 || fail "strongSwan lost the IKE SA"
iked_up 1 || fail "eesp-iked lost the IKE SA"
[ "$(sw_field 2 initiator-spi) $(sw_field 2 responder-spi)" = "$spis" ] || fail "the IKE SA changed"
sw_sas 2 | grep -q 'child-sas {}' || fail "strongSwan made a child: $(sw_sas 2)"
sw_expect_suite 2
same_spis 1 2
log "PASS"
