#!/usr/bin/env bash
# 24: a reload re-reads the key files or fails, and says which keys are in
# force (issue 14, finding 7).
#   1. reload answers ok and lists the fingerprint of the domain root in
#      force;
#   2. the key file is made unreadable for the daemon user (a root editor
#      rewrote it, owner root, mode 0600) and the root key in it replaced,
#      i.e. an operator revokes the old key: the reload answers an error
#      naming the key file, and `keys` still lists the old fingerprint (the
#      running configuration is kept, visibly: before, this reload answered
#      ok and silently kept the revoked key);
#   3. the file given back to the daemon user: the reload answers ok with
#      the new fingerprint, and node 1, still on the old key, can no longer
#      reach node 2 (its packets fail authentication there).
. "$(dirname "$0")/lib.sh"
it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 2
kf="$(node_dir 2)/keys/lab.keys"
fp_old=$(printf '%s\n' "$IT_ROOT_KEY" | "$EESPCTL" fingerprint) || fail "eespctl fingerprint"

# 1.
out=$(ctl 2 reload)
log "reload: $(tr '\n' ' ' <<<"$out")"
[ "$(head -1 <<<"$out")" = ok ] || fail "reload failed: $out"
grep -q "key level domain .*fingerprint $fp_old" <<<"$out" || fail "reload reply does not list the root in force ($fp_old)"

# 2. revoke in a file the daemon can no longer read
K2=$(hex32)
fp_new=$(printf '%s\n' "$K2" | "$EESPCTL" fingerprint)
sed -i "s/$IT_ROOT_KEY/$K2/" "$kf"
chown 0:0 "$kf"
out=$(ctl 2 reload)
log "reload with a root-owned key file: $(head -1 <<<"$out")"
grep -q "^error .*lab\.keys" <<<"$out" || fail "reload did not fail naming the key file: $out"
ctl 2 keys | grep -q "fingerprint $fp_old" || fail "keys no longer shows the running root"
ping_ok 1 "$(in4 2)" 2

# 3. readable again: the new root is in force and node 1 (old root) is out
chown "$IT_USER" "$kf"
out=$(ctl 2 reload)
log "reload: $(tr '\n' ' ' <<<"$out")"
[ "$(head -1 <<<"$out")" = ok ] || fail "reload failed: $out"
grep -q "key level domain .*fingerprint $fp_new" <<<"$out" || fail "reload reply does not list the new root ($fp_new)"
grep -q "fingerprint $fp_old" <<<"$out" && fail "the revoked root is still listed"
counters 2 >"$IT_DIR/c0"
nsx 1 ping -n -q -c 3 -i 0.2 -W 1 "$(in4 2)" >/dev/null 2>&1 && fail "node 1 still reaches node 2 with the revoked root"
# all three requests counted (bounded wait: a busy machine is slow)
failed_since() {
	counters 2 >"$IT_DIR/c1"
	af=$(counter_delta "$IT_DIR/c0" "$IT_DIR/c1" | awk '$1 == "auth_failed" || $1 == "unknown_generation" { n += $2 } END { print n + 0 }')
	[ "$af" -ge 3 ]
}
wait_for 30 failed_since
log "node 1 on the revoked root: node 2 counted $af failed packets"
[ "$af" -ge 3 ] || fail "node 2 did not count node 1's packets as failures"
for i in 1 2; do daemon_alive "$i" || fail "eespd node $i died"; done
log "PASS"
