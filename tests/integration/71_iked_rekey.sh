#!/usr/bin/env bash
# 71: IKE SA rekey by CREATE_CHILD_SA with strongSwan 5.9.8, both ways.
#   1. eesp-iked with rekey_time = 4 s (strongSwan's 4 h): eesp-iked
#      rekeys; at strongSwan the SPIs change and uniqueid increments
#      (swanctl --list-sas --raw), one SA is left on each side, ESTABLISHED
#      and childless, both sides agree on the new SPIs, the eesp-iked SA
#      names the one it replaced; it happens again 4 s later;
#   2. strongSwan with rekey_time = 6s (over_time = 60s: its default of a
#      tenth of rekey_time would end the SA's lifetime at the rekey; eesp-iked's
#      rekey_time = 0): the
#      same, strongSwan rekeying and eesp-iked answering, then deleting the
#      old SA when strongSwan asks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
net_create 2

# spis_changed OLD: strongSwan's SA is established with other SPIs than OLD
spis_changed() {
	local now
	now="$(sw_field 2 initiator-spi) $(sw_field 2 responder-spi)"
	[ "$now" != "$1" ] && [ "$now" != " " ] && sw_up 2 && [ "$(sw_sas 2 | grep -c 'list-sa event')" = 1 ] &&
		[ "$(iked_nsas 1)" = 1 ] && iked_up 1
}

# sw_snapshot: "initiator-spi responder-spi uniqueid" of strongSwan's SA,
# read from one listing, only while it lists exactly one SA, established
sw_snapshot() {
	local out f v=""
	out=$(sw_sas 2)
	[ "$(grep -c 'list-sa event' <<<"$out")" = 1 ] && grep -q 'state=ESTABLISHED' <<<"$out" || return 1
	for f in initiator-spi responder-spi uniqueid; do
		v="$v $(grep -o "$f=[^ ]*" <<<"$out" | head -1 | cut -d= -f2)"
	done
	echo "${v# }"
}

# rekey_round WHO: one rekey, checked on both sides.  The SPIs, strongSwan's
# uniqueid and eesp-iked's serial are taken as one consistent state (the same
# strongSwan listing before and after reading the serial): read one after the
# other, a rekey falling between two reads (every 4 s in part 1; seen on a
# busy machine) made the SPIs change at once with the uniqueid already new
rekey_round() {
	local who=$1 old uid new s1 s2 serial k
	for k in $(seq 100); do
		s1=$(sw_snapshot) && serial=$(iked_sa 1 serial established) && s2=$(sw_snapshot) &&
			[ "$s1" = "$s2" ] && break
		s1=""
		sleep 0.1
	done
	[ -n "$s1" ] || fail "no steady SA to rekey within 10 s: strongSwan $(sw_sas 2); eesp-iked $(iked 1 show)"
	old=${s1% *} uid=${s1##* }
	wait_for 20 spis_changed "$old" || fail "no rekey by $who within 20 s: strongSwan $(sw_sas 2); eesp-iked $(iked 1 show)"
	# what the rekey replaced, read at once: the checks below take seconds
	# on a busy machine, and in part 1 the next rekey is only 4 s away
	local replaced
	replaced=$(iked_sa 1 replaces established)
	new=$(sw_field 2 uniqueid)
	[ "$new" -gt "$uid" ] || fail "strongSwan's uniqueid did not increment ($uid -> $new)"
	[ "$replaced" = "$serial" ] || fail "eesp-iked's new SA does not name #$serial as replaced (it names #$replaced)"
	sw_expect_suite 2
	same_spis 1 2
	log "rekey by $who: SPIs $old -> $(sw_field 2 initiator-spi) $(sw_field 2 responder-spi), uniqueid $uid -> $new"
}

log "1. eesp-iked rekeys"
sw_conf 2 1
IKED_EXTRA="rekey_time = 4;"
iked_conf 1 2 true
sw_start 2
iked_start 1
wait_for 10 iked_up 1 || fail "no SA"
wait_for 10 sw_up 2 || fail "strongSwan has no SA"
rekey_round eesp-iked
[ "$(iked_sa 1 role established)" = initiator ] || fail "eesp-iked is not the initiator of the SA it rekeyed"
rekey_round eesp-iked
[ "$(iked_counter 1 sa_rekeyed)" -ge 2 ] || fail "sa_rekeyed < 2"
sw_logged 2 'parsed CREATE_CHILD_SA request' || fail "strongSwan did not log the rekey request"
iked_stop 1
sw_stop 2

log "2. strongSwan rekeys"
SW_CONN_EXTRA="rekey_time = 6s
    over_time = 60s
    rand_time = 1s"
sw_conf 2 1
IKED_EXTRA="rekey_time = 0;"
iked_conf 1 2
sw_start 2
iked_start 1
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate: $out"
wait_for 10 iked_up 1 || fail "no SA"
rekey_round strongSwan
[ "$(iked_sa 1 role established)" = responder ] || fail "eesp-iked is not the responder of strongSwan's rekey"
iked_logged 1 'closed: the peer deleted it after the rekey' || fail "eesp-iked did not log the Delete of the old SA"
rekey_round strongSwan
log "PASS"
