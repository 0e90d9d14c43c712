#!/usr/bin/env bash
# 78: eesp-iked makes childless IKE SAs only (RFC 6023); a peer that asks
# for a child gets it refused, and keeps its IKE SA.
#   1. strongSwan with childless = allow and an ESP child initiates the
#      child: its IKE_AUTH carries SA, TSi, TSr; eesp-iked answers IDr AUTH
#      N(NO_PROPOSAL_CHOSEN) and logs "asked for a child SA in IKE_AUTH";
#      strongSwan logs the refused child, and the IKE SA is ESTABLISHED
#      with child-sas {} on both sides;
#   2. the child again over that SA (CREATE_CHILD_SA): refused with
#      NO_PROPOSAL_CHOSEN (child_refused 1), the IKE SA stays, the same.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2
SW_CONN_EXTRA="children {
      esp {
        local_ts = 192.0.2.2/32
        remote_ts = 192.0.2.1/32
        mode = transport
        esp_proposals = aes256gcm16
      }
    }"
sw_conf 2 1
sed -i 's/childless = force/childless = allow/' "$(sw_dir 2)/swanctl.conf"
iked_conf 1 2
sw_start 2
iked_start 1

log "1. a child in IKE_AUTH"
sw 2 --initiate --child esp >"$IT_DIR/init1" 2>&1
sw_logged 2 'generating IKE_AUTH request 1 \[ IDi .*SA TSi TSr' || fail "strongSwan did not ask for the child in IKE_AUTH: $(cat "$IT_DIR/init1")"
wait_for 10 iked_up 1 || fail "eesp-iked has no IKE SA"
wait_for 10 iked_logged 1 'asked for a child SA in IKE_AUTH (SA payload): the child is refused with NO_PROPOSAL_CHOSEN, the IKE SA stays' ||
	fail "eesp-iked did not log the refused child"
sw_logged 2 'received NO_PROPOSAL_CHOSEN notify' || fail "strongSwan did not see NO_PROPOSAL_CHOSEN: $(grep -m3 IKE_AUTH "$(sw_dir 2)/charon.log")"
wait_for 10 sw_up 2 || fail "strongSwan lost the IKE SA"
sw_expect_suite 2
same_spis 1 2
[ "$(iked_counter 1 child_in_auth)" = 1 ] || fail "child_in_auth is not 1"
log "strongSwan: $(grep -m1 'NO_PROPOSAL_CHOSEN' "$(sw_dir 2)/charon.log" | sed 's/^.*\] //')"

log "2. a child by CREATE_CHILD_SA"
spis="$(sw_field 2 initiator-spi) $(sw_field 2 responder-spi)"
sw 2 --initiate --child esp >"$IT_DIR/init2" 2>&1
wait_for 10 iked_logged 1 'asked for a child SA (protocol 3): refused with NO_PROPOSAL_CHOSEN' ||
	fail "eesp-iked did not refuse the CREATE_CHILD_SA: $(cat "$IT_DIR/init2")"
[ "$(iked_counter 1 child_refused)" = 1 ] || fail "child_refused is not 1"
sw_up 2 || fail "strongSwan lost the IKE SA"
[ "$(sw_field 2 initiator-spi) $(sw_field 2 responder-spi)" = "$spis" ] || fail "the IKE SA changed"
iked_up 1 || fail "eesp-iked lost the IKE SA"
sw_expect_suite 2
log "PASS"
