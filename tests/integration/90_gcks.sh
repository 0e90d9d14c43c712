#!/usr/bin/env bash
# 90: the domain key server (issue 19 item 1).  Needs root.  Node 1 is the
# key server (eesp-iked with a gcks group and the domain's root key file);
# nodes 2..M+1 (M = GCKS_MEMBERS, default 7: eight namespaces) are members
# whose eespd has NO root key (key_server = true, no key file), each with
# its own PSK; node M+2 is a member entitled only to a tenant ring the
# server does not hold.
#   1. before registration no member pings another;
#   2. every member registers (GSA_REGISTRATION over its IKE SA) and its
#      eespd holds the server's generations (same fingerprints); EESP ping
#      between every pair of members;
#   3. the unentitled member got AUTHORIZATION_FAILED and has no key;
#   4. two rotations started on the server (gcks-rotate domain) reach every
#      member (GSA_INBAND_REKEY), the previous generation retired after the
#      grace period, under a 20 ms ping around the ring of members: no echo
#      lost;
#   5. removing the last member (gcks-remove): the others get new
#      generations; once the old ones are retired the removed member's
#      eespd holds none of the server's live fingerprints, cannot ping a
#      member nor be pinged, its re-registration is refused, and the others
#      still ping each other;
#   6. a member's eesp-iked restarted catches up (registers again, holds
#      the current generation);
#   7. a member's eespd restarted (it keeps root-set's rings in memory
#      only): its running eesp-iked sees the rings gone, registers again,
#      and the member holds the current generation and pings again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_gcks.sh"
gcks_init
M=${GCKS_MEMBERS:-7}
[ "$M" -ge 3 ] || fail "GCKS_MEMBERS must be at least 3"
N=$((M + 2))
BAD=$N
MEMBERS=$(seq 2 $((M + 1)) | tr '\n' ' ')
net_create "$N"
keys_eesp
for i in $MEMBERS $BAD; do
	gcks_eespd_conf "$i" "$(for p in $MEMBERS $BAD; do [ "$p" = "$i" ] || printf '%s ' "$p"; done)"
done
gcks_server_conf 1 "$MEMBERS" "$BAD"
for i in $MEMBERS $BAD; do
	gcks_member_conf "$i" 1
	daemon_start "$i"
done
gk_no_ping 2 3
log "1. members up with no root key: no ping"

iked_start 1
for i in $MEMBERS $BAD; do iked_start "$i"; done
for i in $MEMBERS; do
	wait_for 20 gk_counter "$i" gsa_registered 1 ||
		fail "member $i did not register: $(grep -i 'gsa\|key server\|refus' "$(iked_log "$i")" | tail -3)"
	wait_for 5 gk_has_cur "$i" 1 || fail "member $i's eespd: no current generation 1: $(ctl "$i" keys)"
done
wait_for 10 gk_counter 1 gsa_registered "$M" || fail "the server counted $(iked_counter 1 gsa_registered) registrations"
srv=$(gk_server_fps 1 | sort | tr '\n' ' ')
for i in $MEMBERS; do
	got=$(gk_fps "$i" | cut -d: -f3 | sort | tr '\n' ' ')
	[ "$got" = "$srv" ] || fail "member $i holds fingerprints '$got', the server serves '$srv'"
done
for a in $MEMBERS; do
	for b in $MEMBERS; do
		[ "$a" -lt "$b" ] || continue
		ping_ok "$a" "$(in4 "$b")" 2
	done
done
log "2. $M members registered, the server's generations in every eespd, ping between every pair"
# the members' eesp-iked user is in eespd's sa_group only: root-set worked
# (above), and no admin verb does
for verb in reload "rotate domain" "retire domain"; do
	# shellcheck disable=SC2086
	out=$(setpriv --reuid="$IT_USER" --regid="$GK_GROUP" --init-groups -- \
		"$EESPCTL" $verb -s "$(node_sock 2)" 2>&1) && fail "the eesp-iked user may $verb its eespd: $out"
	grep -q "permission denied" <<<"$out" || fail "$verb as the eesp-iked user: $out"
done
log "2b. the members' eesp-iked user (sa_group) installs rings but may not reload, rotate or retire"

wait_for 10 gk_counter "$BAD" gsa_refused 1 || fail "the unentitled member was not refused"
iked_logged "$BAD" "AUTHORIZATION_FAILED" || fail "the unentitled member's log does not say AUTHORIZATION_FAILED"
[ -z "$(gk_fps "$BAD")" ] || fail "the unentitled member's eespd holds keys: $(gk_fps "$BAD")"
gk_counter 1 gsa_refused 1 || fail "the server counted no refusal"
gk_no_ping "$BAD" 2
log "3. the unentitled member: AUTHORIZATION_FAILED, no key, no ping"

pairs=""
prev=""
for i in $MEMBERS; do
	[ -z "$prev" ] || pairs+="$prev:$i "
	prev=$i
done
pairs+="$prev:2"
gk_pings_start "$pairs"
pushed0=$(iked_counter 1 gsa_pushed)
for gen in 2 3; do
	iked 1 gcks-rotate domain >/dev/null || fail "gcks-rotate failed"
	for i in $MEMBERS; do
		wait_for 10 gk_has_cur "$i" "$gen" || fail "rotation to $gen did not reach member $i: $(ctl "$i" keys)"
	done
	wait_for $((GCKS_GRACE + 10)) gk_step_none 1 || fail "the server's step stays $(gk_server_step 1)"
	for i in $MEMBERS; do
		wait_for 5 gk_no_prev "$i" || fail "member $i keeps the previous generation after the retire: $(ctl "$i" keys)"
	done
	log "rotation to generation $gen reached all $M members, previous retired"
done
gk_pings_stop 0
pushed=$(($(iked_counter 1 gsa_pushed) - pushed0))
[ "$pushed" -ge $((4 * M)) ] || fail "the server counted $pushed pushes for two rotations of $M members"
log "4. two rotations (switch + retire each: $pushed pushes) reached every member, no echo lost"

RM=$((M + 1))
old=$(gk_fps "$RM" | cut -d: -f3 | sort | tr '\n' ' ')
target=$(($(gk_cur 2) + 2)) # the old next is skipped: the removed member knew it
iked 1 gcks-remove "node$RM" >/dev/null || fail "gcks-remove failed"
wait_for 10 gk_counter 1 gsa_removed 1 || fail "the server counted no removal"
for i in $MEMBERS; do
	[ "$i" = "$RM" ] && continue
	wait_for 10 gk_has_cur "$i" "$target" || fail "member $i did not switch to $target after the removal: $(ctl "$i" keys)"
done
wait_for $((GCKS_GRACE + 10)) gk_step_none 1 || fail "the removal's retire did not happen: $(iked 1 gcks)"
live=$(gk_server_fps 1 | sort | tr '\n' ' ')
for f in $old; do
	[[ " $live " != *" $f "* ]] || fail "the removed member's key $f is still live on the server ($live)"
done
for i in $MEMBERS; do
	[ "$i" = "$RM" ] && continue
	for f in $old; do
		gk_fps "$i" | grep -q ":$f\$" && fail "member $i still holds $f, which the removed member knows"
	done
done
gk_no_ping "$RM" 2
gk_no_ping 2 "$RM"
# the server deleted its IKE SA; the member brings a new one up (a key
# server's Delete is answered so, eesp-iked.conf(5) initiate), which
# authenticates (its PSK is still configured) but its registration is refused
wait_for 15 gk_counter 1 sa_deleted 1 || fail "the server deleted no IKE SA"
wait_for 15 gk_counter "$RM" gsa_refused 1 || fail "the removed member's new registration was not refused"
iked_logged 1 "the member was removed" || fail "the server's log does not name the removal"
ping_ok 2 "$(in4 3)" 3
ping_ok $((RM - 1)) "$(in4 2)" 3
log "5. member $RM removed: none of its keys live, it neither sends nor receives, re-registration refused, the others ping"

iked_stop 2
iked_start 2
cur=$(gk_cur 3)
wait_for 20 gk_counter 2 gsa_registered 1 || fail "member 2 did not register again after its restart"
wait_for 5 gk_has_cur 2 "$cur" || fail "member 2 holds $(gk_cur 2) after its restart, the others $cur"
ping_ok 2 "$(in4 3)" 3
log "6. a restarted member registers again and catches up"

# eespd keeps root-set's rings in memory only: a restarted eespd starts with
# none, and its eesp-iked (which keeps running) registers again
cur=$(gk_cur 3)
reg=$(iked_counter 3 gsa_registered)
daemon_stop 3
daemon_start 3
wait_for 20 gk_has_cur 3 "$cur" || fail "member 3's restarted eespd holds '$(gk_cur 3)', the others $cur"
[ "$(iked_counter 3 gsa_registered)" -gt "$reg" ] || fail "member 3 did not register again"
iked_logged 3 "our eespd no longer holds the key server's rings" || fail "member 3's log does not say why it registered again"
ping_ok 3 "$(in4 2)" 3
ping_ok 2 "$(in4 3)" 3
log "7. a member's eespd restarted: its eesp-iked registers again within a second and the member pings"
log "PASS"
