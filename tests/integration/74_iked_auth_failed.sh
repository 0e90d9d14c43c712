#!/usr/bin/env bash
# 74: a wrong PSK gives AUTHENTICATION_FAILED, logged on both sides, and no
# IKE SA is left on either.
#   1. strongSwan initiates with another PSK: eesp-iked logs "IKE_AUTH
#      refused with AUTHENTICATION_FAILED: AUTH does not verify with the PSK
#      of ...", strongSwan logs "received AUTHENTICATION_FAILED notify error";
#   2. eesp-iked initiates: strongSwan logs the MAC mismatch and answers
#      AUTHENTICATION_FAILED, eesp-iked logs "the peer refused IKE_AUTH with
#      AUTHENTICATION_FAILED" and does not try again on its own;
#   3. a wrong identity (strongSwan calls itself node9.example) is refused
#      with AUTHENTICATION_FAILED too, naming the identities.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2
SW_PSK="not-the-psk-of-eesp-iked-0123"
# retransmitting after 10 s, not 2: auth_failed is counted exactly once
# even when a loaded machine answers late
SW_RETRANSMIT_TIMEOUT=10 sw_conf 2 1
iked_conf 1 2
sw_start 2
iked_start 1

log "1. strongSwan initiates with a wrong PSK"
sw 2 --initiate --ike eesp >"$IT_DIR/init1" 2>&1 && fail "swanctl --initiate succeeded with a wrong PSK"
wait_for 10 iked_logged 1 'IKE_AUTH refused with AUTHENTICATION_FAILED: AUTH does not verify with the PSK of' ||
	fail "eesp-iked did not log the refusal"
wait_for 10 sw_logged 2 'received AUTHENTICATION_FAILED notify error' || fail "strongSwan did not log AUTHENTICATION_FAILED"
wait_for 10 sw_none 2 || fail "strongSwan kept an SA: $(sw_sas 2)"
wait_for 15 iked_none 1 || fail "eesp-iked kept an SA: $(iked 1 show)"
[ "$(iked_counter 1 auth_failed)" = 1 ] || fail "auth_failed is not 1"
log "eesp-iked: $(grep -m1 'AUTHENTICATION_FAILED' "$(iked_log 1)" | sed 's/^eesp-iked: //')"

log "2. eesp-iked initiates with a wrong PSK"
iked 1 initiate node2 >/dev/null || fail "initiate"
wait_for 10 iked_logged 1 'the peer refused IKE_AUTH with AUTHENTICATION_FAILED' ||
	fail "eesp-iked did not log the peer's refusal"
wait_for 10 sw_logged 2 'MAC mismatched' || fail "strongSwan did not log the MAC mismatch"
sw_logged 2 'generating IKE_AUTH response 1 \[ N(AUTH_FAILED) \]' || fail "strongSwan did not answer AUTHENTICATION_FAILED"
wait_for 15 iked_none 1 || fail "eesp-iked kept an SA: $(iked 1 show)"
wait_for 10 sw_none 2 || fail "strongSwan kept an SA"
[ "$(iked_counter 1 peer_auth_failed)" = 1 ] || fail "peer_auth_failed is not 1"
[ "$(iked_counter 1 sa_established)" = 0 ] || fail "an SA was established"
log "strongSwan: $(grep -m1 'MAC mismatched' "$(sw_dir 2)/charon.log" | sed 's/^.*\] //')"

log "3. a wrong identity"
sw_stop 2
SW_PSK=$IKED_PSK SW_LOCAL_ID=node9.example sw_conf 2 1
sw_start 2
sw 2 --initiate --ike eesp >/dev/null 2>&1 && fail "swanctl --initiate succeeded with a wrong identity"
wait_for 10 iked_logged 1 'IDi fqdn:node9.example is not the remote_id fqdn:node2.example of peer node2' ||
	fail "eesp-iked did not name the identities"
wait_for 10 sw_none 2 || fail "strongSwan kept an SA"
log "PASS"
