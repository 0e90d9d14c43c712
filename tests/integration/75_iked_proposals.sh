#!/usr/bin/env bash
# 75: proposal and key-exchange refusals with strongSwan 5.9.8.
#   1. strongSwan offers ECP-256 only (aes128gcm16-prfsha256-ecp256):
#      eesp-iked initiates with its X25519 key, strongSwan answers
#      INVALID_KE_PAYLOAD, eesp-iked retries with ECP-256 and the SA comes up
#      with AES_GCM_16/128, PRF_HMAC_SHA2_256, ECP_256 (invalid_ke_retries 1);
#   2. eesp-iked accepts ECP-256 only and strongSwan initiates with X25519
#      first: eesp-iked answers INVALID_KE_PAYLOAD (invalid_ke_sent 1),
#      strongSwan retries, the SA comes up with ECP_256;
#   3. no common proposal: eesp-iked logs NO_PROPOSAL_CHOSEN and strongSwan
#      "received NO_PROPOSAL_CHOSEN notify error"; no SA on either side.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2
ECP="encr-alg=AES_GCM_16 encr-keysize=128 prf-alg=PRF_HMAC_SHA2_256 dh-group=ECP_256"

log "1. strongSwan wants ECP-256"
SW_PROPOSALS=aes128gcm16-prfsha256-ecp256 sw_conf 2 1
iked_conf 1 2
sw_start 2
iked_start 1
iked 1 initiate node2 >/dev/null || fail "initiate"
wait_for 10 iked_up 1 || fail "no SA after INVALID_KE_PAYLOAD"
SW_EXPECT=$ECP sw_expect_suite 2
same_spis 1 2
[ "$(iked_counter 1 invalid_ke_retries)" = 1 ] || fail "invalid_ke_retries is not 1"
iked_logged 1 'the peer answers INVALID_KE_PAYLOAD and wants group ecp256: retrying' || fail "no log of the retry"
sw_logged 2 'N(INVAL_KE)' || fail "strongSwan did not send INVALID_KE_PAYLOAD"
iked_stop 1
sw_stop 2

log "2. eesp-iked wants ECP-256"
# retransmitting after 10 s, not 2: invalid_ke_sent is counted exactly once
# even when a loaded machine answers late
SW_RETRANSMIT_TIMEOUT=10 sw_conf 2 1
IKED_PROPOSALS='"aes128gcm16-prfsha256-ecp256"' iked_conf 1 2
sw_start 2
iked_start 1
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate: $out"
wait_for 10 iked_up 1 || fail "no SA"
SW_EXPECT=$ECP sw_expect_suite 2
[ "$(iked_counter 1 invalid_ke_sent)" = 1 ] || fail "invalid_ke_sent is not 1"
iked_logged 1 'IKE_SA_INIT refused with INVALID_KE_PAYLOAD: its KE is of group x25519, the chosen proposal needs ecp256' ||
	fail "no log of INVALID_KE_PAYLOAD"
iked_stop 1
sw_stop 2

log "3. no common proposal"
SW_PROPOSALS=aes256gcm16-prfsha256-ecp256 sw_conf 2 1
IKED_PROPOSALS='"aes128gcm16-prfsha256-x25519"' iked_conf 1 2
sw_start 2
iked_start 1
sw 2 --initiate --ike eesp >/dev/null 2>&1 && fail "swanctl --initiate succeeded without a common proposal"
wait_for 10 iked_logged 1 'IKE_SA_INIT refused with NO_PROPOSAL_CHOSEN' || fail "eesp-iked did not log NO_PROPOSAL_CHOSEN"
wait_for 10 sw_logged 2 'received NO_PROPOSAL_CHOSEN notify error' || fail "strongSwan did not log NO_PROPOSAL_CHOSEN"
[ "$(iked_nsas 1)" = 0 ] || fail "eesp-iked kept state for a refused IKE_SA_INIT"
iked 1 initiate node2 >/dev/null || fail "initiate"
wait_for 10 iked_logged 1 'the peer refused IKE_SA_INIT: NO_PROPOSAL_CHOSEN' || fail "eesp-iked did not log the peer's refusal"
wait_for 15 iked_none 1 || fail "eesp-iked kept an SA"
log "PASS"
