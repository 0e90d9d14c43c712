#!/usr/bin/env bash
# 70: eesp-iked and strongSwan 5.9.8 bring up a childless IKE SA both ways.
#
# Node 1 runs eesp-iked, node 2 strongSwan (charon-systemd, private
# strongswan.conf, swanctl.conf and vici socket in the test directory).
#   1. strongSwan initiates (swanctl --initiate --ike eesp): on node 2,
#      `swanctl --list-sas --raw` shows state=ESTABLISHED, encr-alg=AES_GCM_16
#      encr-keysize=256 prf-alg=PRF_HMAC_SHA2_256 dh-group=CURVE_25519 and
#      child-sas {}; eesp-iked shows the SA established as responder with the
#      same SPIs and suite;
#   2. swanctl --terminate --ike eesp: eesp-iked answers the Delete, the SA
#      is gone on both sides;
#   3. eesp-iked initiates (eespctl iked initiate node2): the same checks,
#      eesp-iked as initiator; eespctl iked terminate node2: strongSwan gets
#      our Delete, the SA is gone on both sides;
#   4. a restart with initiate = true brings the SA up on its own; stopping
#      eesp-iked (SIGTERM) deletes it at strongSwan as well;
#   5. ID_KEY_ID identities (strongSwan's @#hex): eesp-iked with local_id
#      keyid:6565737031 and remote_id keyid:6565737032 initiates, the SA is
#      ESTABLISHED at strongSwan, whose peer config names the key IDs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2
iked_conf 1 2
sw_conf 2 1
sw_start 2
iked_start 1

log "1. strongSwan initiates"
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate: $out"
wait_for 10 iked_up 1 || fail "eesp-iked has no established SA"
sw_expect_suite 2
same_spis 1 2
[ "$(iked_sa 1 role established)" = responder ] || fail "eesp-iked is not the responder"
[ "$(iked_sa 1 suite established)" = aes256gcm16-prfsha256-x25519 ] || fail "eesp-iked suite: $(iked_sa 1 suite)"
iked 1 show | grep -q 'AES_GCM_16-256/PRF_HMAC_SHA2_256/CURVE_25519' || fail "eespctl iked show: $(iked 1 show)"
iked 1 show | grep -q 'established, responder' || fail "eespctl iked show: $(iked 1 show)"
log "eespctl iked show: $(iked 1 show | head -1)"
sw 2 --list-sas | grep -q 'eesp: #1, ESTABLISHED, IKEv2' || fail "swanctl --list-sas: $(sw 2 --list-sas)"

log "2. swanctl --terminate --ike eesp"
out=$(sw 2 --terminate --ike eesp 2>&1) || fail "swanctl --terminate: $out"
grep -q 'terminate completed successfully' <<<"$out" || fail "swanctl --terminate did not complete: $out"
wait_for 10 sw_none 2 || fail "strongSwan still lists the SA: $(sw_sas 2)"
wait_for 10 iked_none 1 || fail "eesp-iked still has the SA: $(iked 1 show)"
iked_logged 1 'closed: deleted by the peer' || fail "eesp-iked did not log the peer's Delete"
[ "$(iked_counter 1 sa_deleted)" = 1 ] || fail "sa_deleted is not 1"

log "3. eesp-iked initiates"
iked 1 initiate node2 >/dev/null || fail "eespctl iked initiate failed"
wait_for 10 iked_up 1 || fail "eesp-iked did not establish"
wait_for 10 sw_up 2 || fail "strongSwan did not establish"
sw_expect_suite 2
same_spis 1 2
[ "$(iked_sa 1 role established)" = initiator ] || fail "eesp-iked is not the initiator"
[ "$(sw_field 2 local-id)" = node2.example ] && [ "$(sw_field 2 remote-id)" = node1.example ] ||
	fail "identities at strongSwan: $(sw_sas 2)"
out=$(iked 1 terminate node2) || fail "eespctl iked terminate: $out"
wait_for 10 sw_none 2 || fail "strongSwan still lists the SA after our Delete: $(sw_sas 2)"
wait_for 10 iked_none 1 || fail "eesp-iked still has the SA: $(iked 1 show)"
sw_logged 2 'received DELETE for IKE_SA' || fail "strongSwan did not log our Delete"
iked_logged 1 'closed: deleted, the peer answered' || fail "eesp-iked did not log the answer to its Delete"

log "4. initiate = true, then a stop"
iked_stop 1
iked_conf 1 2 true
iked_start 1
wait_for 10 iked_up 1 || fail "initiate = true did not bring the SA up"
wait_for 10 sw_up 2 || fail "strongSwan has no SA"
same_spis 1 2
iked_stop 1
wait_for 10 sw_none 2 || fail "strongSwan kept the SA after eesp-iked stopped: $(sw_sas 2)"

log "5. KEY_ID identities"
sw_stop 2
SW_LOCAL_ID=@#6565737032 SW_REMOTE_ID=@#6565737031 sw_conf 2 1
IKED_LOCAL_ID=keyid:6565737031 IKED_REMOTE_ID=keyid:6565737032 iked_conf 1 2
sw_start 2
iked_start 1
iked 1 initiate node2 >/dev/null || fail "initiate"
wait_for 10 iked_up 1 || fail "no SA with KEY_ID identities"
wait_for 10 sw_up 2 || fail "strongSwan has no SA"
sw_expect_suite 2
same_spis 1 2
# strongSwan prints a printable key ID as text; its peer config names
# @#6565737031, a KEY_ID, so the match itself shows the type was KEY_ID
sw 2 --list-sas | grep -q "remote 'eesp1'" || fail "strongSwan does not show the key ID: $(sw 2 --list-sas)"
log "strongSwan: $(sw 2 --list-sas | grep remote)"
log "PASS"
