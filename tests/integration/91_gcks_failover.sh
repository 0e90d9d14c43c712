#!/usr/bin/env bash
# 91: two domain key servers on one key directory (issue 19).  Needs root.
# Nodes 1 and 2 are key servers whose gcks group reads the same key
# directory (the Kubernetes Secret layout, written by eespctl keydir);
# nodes 3..5 are members with no root key, each registered with both
# servers (peers gcks and gcks2, one PSK: the member's).
#   1. all members register with both; both serve the same fingerprints;
#      ping between every pair of members;
#   2. server 1 is killed (SIGKILL: no Delete); the key directory is
#      rotated (eespctl keydir rotate) and server 2 reads it again
#      (gcks-reload): every member switches to the new generation under a
#      20 ms ping around the members, no echo lost;
#   3. a retire written to the directory and sent by SIGHUP reaches every
#      member; ping still passes;
#   4. a rotation written to the directory with no signal at all: server 2
#      notices the new version by itself and every member switches;
#   5. a malformed set swapped in (a next key of 63 hex digits) is refused
#      and logged, the running rings stay;
#   6. server 2 restarted cleanly (its Delete reaches every member): the
#      members bring their IKE SAs up again and register, and the next
#      rotation of the directory reaches them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_gcks.sh"
gcks_init
MEMBERS="3 4 5"
net_create 5
keys_eesp
KD="$IT_DIR/domain.keys.d"
"$EESPCTL" keydir init "$KD" --generation 1 --user "$IT_USER" >/dev/null || fail "keydir init"
for i in $MEMBERS; do
	gcks_eespd_conf "$i" "$(for p in $MEMBERS; do [ "$p" = "$i" ] || printf '%s ' "$p"; done)"
	gcks_member_conf "$i" "1 2"
	daemon_start "$i"
done
GK_KEYDIR=$KD gcks_server_conf 1 "$MEMBERS" ""
GK_KEYDIR=$KD gcks_server_conf 2 "$MEMBERS" ""
iked_start 1
iked_start 2
for i in $MEMBERS; do iked_start "$i"; done
for s in 1 2; do
	wait_for 20 gk_counter "$s" gsa_registered 3 || fail "server $s counted $(iked_counter "$s" gsa_registered) registrations"
done
for i in $MEMBERS; do
	wait_for 30 gk_counter "$i" gsa_registered 2 || fail "member $i did not register with both servers"
done
s1=$(gk_server_fps 1 | sort | tr '\n' ' ')
s2=$(gk_server_fps 2 | sort | tr '\n' ' ')
[ -n "$s1" ] && [ "$s1" = "$s2" ] || fail "the servers serve '$s1' and '$s2'"
for i in $MEMBERS; do
	got=$(gk_fps "$i" | cut -d: -f3 | sort | tr '\n' ' ')
	[ "$got" = "$s1" ] || fail "member $i holds '$got', the servers serve '$s1'"
done
ping_ok 3 "$(in4 4)" 2
ping_ok 4 "$(in4 5)" 2
ping_ok 5 "$(in4 3)" 2
log "1. three members registered with two servers on one key directory (same fingerprints), ping"

cur=$(gk_cur 3)
gk_pings_start "3:4 4:5 5:3"
kill -KILL "${IT_IPID[1]}"
wait "${IT_IPID[1]}" 2>/dev/null
"$EESPCTL" keydir rotate "$KD" --user "$IT_USER" >/dev/null || fail "keydir rotate"
iked 2 gcks-reload >/dev/null || fail "gcks-reload on server 2"
for i in $MEMBERS; do
	wait_for 10 gk_has_cur "$i" $((cur + 1)) || fail "member $i did not switch to $((cur + 1)): $(ctl "$i" keys)"
done
gk_pings_stop 0
log "2. server 1 killed, the directory rotated, server 2 re-read it: every member on generation $((cur + 1)), no echo lost"

"$EESPCTL" keydir retire "$KD" --user "$IT_USER" >/dev/null || fail "keydir retire"
kill -HUP "${IT_IPID[2]}"
for i in $MEMBERS; do
	wait_for 10 gk_no_prev "$i" || fail "member $i keeps the previous generation: $(ctl "$i" keys)"
done
ping_ok 3 "$(in4 5)" 2
log "3. a retire through the directory and SIGHUP reached every member"

cur=$(gk_cur 3)
"$EESPCTL" keydir rotate "$KD" --user "$IT_USER" >/dev/null || fail "keydir rotate"
for i in $MEMBERS; do
	wait_for 10 gk_has_cur "$i" $((cur + 1)) || fail "member $i did not follow the directory to $((cur + 1)) by itself: $(ctl "$i" keys)"
done
ping_ok 4 "$(in4 3)" 2
log "4. a rotation written to the directory, no signal: server 2 followed it, every member on $((cur + 1))"

# a new ..data set by hand, as a writer would, with a torn next key
data=$(readlink "$KD/..data")
bad="..bad_$RANDOM"
cp -a "$KD/$data" "$KD/$bad"
chmod u+w "$KD/$bad/next"
printf '%063d\n' 0 >"$KD/$bad/next"
chmod 0400 "$KD/$bad/next"
ln -s "$bad" "$KD/..data_tmp" && mv -T "$KD/..data_tmp" "$KD/..data"
wait_for 10 iked_logged 2 "is refused, the running rings stay" || fail "server 2 did not refuse the torn set"
[ "$(gk_cur 3)" = $((cur + 1)) ] || fail "member 3 changed after a refused set: $(ctl 3 keys)"
ping_ok 5 "$(in4 4)" 2
log "5. a torn set in the directory: refused and logged, the running rings stay"

# a good set again, then a clean restart of server 2 (Delete sent)
cp -a "$KD/$data" "$KD/..good_$RANDOM" && good=$(ls -d "$KD"/..good_* | head -1)
ln -s "$(basename "$good")" "$KD/..data_tmp" && mv -T "$KD/..data_tmp" "$KD/..data"
declare -A reg0=()
for i in $MEMBERS; do reg0[$i]=$(iked_counter "$i" gsa_registered); done
iked_stop 2
iked_start 2
for i in $MEMBERS; do
	wait_for 20 gk_counter "$i" gsa_registered $((reg0[$i] + 1)) ||
		fail "member $i did not register again after server 2's clean restart"
done
cur=$(gk_cur 3)
"$EESPCTL" keydir rotate "$KD" --user "$IT_USER" >/dev/null || fail "keydir rotate"
for i in $MEMBERS; do
	wait_for 10 gk_has_cur "$i" $((cur + 1)) || fail "member $i missed the rotation after the restart: $(ctl "$i" keys)"
done
ping_ok 3 "$(in4 4)" 2
log "6. server 2 restarted cleanly: every member came back, registered, and followed the next rotation"
log "PASS"
