#!/usr/bin/env bash
# 93: a removal survives a restart of the key server (issue 19).  Needs
# root.  Node 1 is the key server (key file with generations 1 and 2),
# nodes 2..4 members (lib_gcks.sh).
#   1. every member registers; node 4 is removed (gcks-remove); the others
#      switch past the generation it knew and the previous one retires;
#      the state file is the daemon user's, mode 0600, in a 0700 directory;
#   2. the key server is stopped (by its PID) and started again from the
#      same configuration and key file: it serves the post-removal
#      fingerprints, not the key file's; members 2 and 3 register again
#      and hold exactly the fingerprints they held before the restart;
#      node 4's new registration is refused (AUTHORIZATION_FAILED) and it
#      can ping nobody, nor be pinged; 2 and 3 still ping each other;
#   3. a torn state file stops the key server's start with file:line.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_gcks.sh"
gcks_init
MEMBERS="2 3 4"
RM=4
net_create 4
keys_eesp
for i in $MEMBERS; do
	gcks_eespd_conf "$i" "$(for p in $MEMBERS; do [ "$p" = "$i" ] || printf '%s ' "$p"; done)"
done
gcks_server_conf 1 "$MEMBERS" ""
for i in $MEMBERS; do
	gcks_member_conf "$i" 1
	daemon_start "$i"
done
iked_start 1
for i in $MEMBERS; do iked_start "$i"; done
for i in $MEMBERS; do
	wait_for 20 gk_counter "$i" gsa_registered 1 || fail "member $i did not register"
	wait_for 5 gk_has_cur "$i" 1 || fail "member $i's eespd: no current generation 1: $(ctl "$i" keys)"
done
file_fps=$(gk_server_fps 1 | sort | tr '\n' ' ')
ping_ok 2 "$(in4 3)" 2
ping_ok "$RM" "$(in4 2)" 2

iked 1 gcks-remove "node$RM" >/dev/null || fail "gcks-remove failed"
target=3 # generation 2 (the key file's next) is skipped: node 4 knew it
for i in 2 3; do
	wait_for 10 gk_has_cur "$i" "$target" || fail "member $i did not switch to $target: $(ctl "$i" keys)"
done
wait_for $((GCKS_GRACE + 10)) gk_step_none 1 || fail "the removal's retire did not happen: $(iked 1 gcks)"
for i in 2 3; do
	wait_for 5 gk_no_prev "$i" || fail "member $i keeps the previous generation: $(ctl "$i" keys)"
done
srv_before=$(gk_server_fps 1 | sort | tr '\n' ' ')
declare -A held=()
for i in 2 3; do held[$i]=$(gk_fps "$i" | sort | tr '\n' ' '); done
st=$(gk_state 1)
[ -f "$st" ] && [ ! -L "$st" ] || fail "no state file $st"
[ "$(stat -c '%U %a' "$st")" = "$IT_USER 600" ] || fail "state file: $(stat -c '%U %a' "$st")"
[ "$(stat -c '%U %a' "$(dirname "$st")")" = "$IT_USER 700" ] || fail "state dir: $(stat -c '%U %a' "$(dirname "$st")")"
grep -q "^removed node$RM\$" "$st" || fail "the state file does not name the removed member"
grep -q "^gen current $target " "$st" || fail "the state file does not hold generation $target"
log "1. node$RM removed, the others at generation $target, previous retired; state file 0600 $IT_USER"

refused0=$(iked_counter "$RM" gsa_refused)
declare -A reg0=()
for i in 2 3; do reg0[$i]=$(iked_counter "$i" gsa_registered); done
t0=$(date +%s)
iked_stop 1
iked_start 1
srv_after=$(gk_server_fps 1 | sort | tr '\n' ' ')
[ "$srv_after" = "$srv_before" ] || fail "the restarted key server serves '$srv_after', before '$srv_before' (key file: '$file_fps')"
iked_logged 1 "member node$RM stays removed" || fail "the server's log does not keep node$RM removed"
for i in 2 3; do
	wait_for 30 gk_counter "$i" gsa_registered $((reg0[$i] + 1)) || fail "member $i did not register again after the server's restart"
	wait_for 5 gk_has_cur "$i" "$target" || fail "member $i holds $(gk_cur "$i") after the restart"
	got=$(gk_fps "$i" | sort | tr '\n' ' ')
	[ "$got" = "${held[$i]}" ] || fail "member $i holds '$got' after the restart, before '${held[$i]}'"
done
wait_for 30 gk_counter "$RM" gsa_refused $((refused0 + 1)) || fail "node$RM's registration after the restart was not refused"
iked_logged "$RM" "AUTHORIZATION_FAILED" || fail "node$RM's log does not say AUTHORIZATION_FAILED"
iked_logged 1 "the member was removed" || fail "the restarted server's log does not name the refusal"
for f in $(gk_fps "$RM" | cut -d: -f3); do
	[[ " $srv_after " != *" $f "* ]] || fail "node$RM holds $f, which the restarted server serves"
done
gk_no_ping "$RM" 2
gk_no_ping 2 "$RM"
ping_ok 2 "$(in4 3)" 3
ping_ok 3 "$(in4 2)" 3
log "2. key server restarted ($(($(date +%s) - t0)) s): the post-removal rings served, 2 and 3 hold the same fingerprints, node$RM refused and cut off"

iked_stop 1
head -c $(($(stat -c %s "$st") - 4)) "$st" >"$st.torn"
chown "$IT_USER" "$st.torn"
chmod 0600 "$st.torn"
mv "$st.torn" "$st"
out=$(ip netns exec "$(ns 1)" timeout 20 "$IKED" -f -c "$(iked_conf_path 1)" 2>&1) && fail "the key server started with a torn state file: $out"
grep -q "gcks.state:[0-9]*: .*torn" <<<"$out" || fail "the refusal does not name file:line: $out"
log "3. a torn state file stops the start: $(grep -o 'gcks-state/gcks.state:[0-9]*: [^(]*' <<<"$out" | head -1)"
log "PASS"
