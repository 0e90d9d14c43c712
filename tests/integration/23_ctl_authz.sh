#!/usr/bin/env bash
# 23: per-verb authorisation on the control socket (issue 14, finding 9).
# Needs root.  eespd runs with control_group = eesptctl and admin_group =
# eesptadm (system groups the test creates if missing and then removes);
# clients are eespctl under setpriv with chosen uid/gid/groups:
#   - uid 12345 in the control group only: show, status and keys answer;
#     rotate, retire, reload and spi-alloc are refused with "permission
#     denied: <verb> needs root or group eesptadm", each refusal is logged
#     with the client's uid, and nothing changed (the domain root still has
#     generation 1 current);
#   - uid 12346 with eesptadm as a supplementary group may rotate (the
#     daemon then sends with generation 2);
#   - uid 12347 with eesptadm as its primary group may reload;
#   - root may retire, reload and reach spi-alloc (which then answers with
#     its own error in this node-profile domain, not a permission error);
#   - uid 12348 in eesptadm but not in the control group cannot even
#     connect (the socket's and its directory's mode come first).
. "$(dirname "$0")/lib.sh"
it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
require_cmd setpriv groupadd groupdel
it_group eesptctl
ctlg=$IT_GID
it_group eesptadm
admg=$IT_GID
ns_add "$(ns 1)"
IT_NODES=1
keys_eesp
IT_CONF_DAEMON_EXTRA='  control_group = "eesptctl";
  admin_group = "eesptadm";'
conf_eesp 1 "2"
echo "domain 0 2 $(hex32) next" >>"$(node_dir 1)/keys/lab.keys"
daemon_start 1
sock=$(node_sock 1)

perm="$(stat -c '%a %U:%G' "$sock"), directory $(stat -c '%a %U:%G' "$(dirname "$sock")")"
log "control socket $sock: $perm"
[ "$perm" = "660 root:eesptctl, directory 750 root:eesptctl" ] ||
	fail "control socket: $perm, expected 660 root:eesptctl in a 750 root:eesptctl directory"

# as UID GID GROUPS eespctl-args...: eespctl as that client; OUT, RC
as() {
	local uid=$1 gid=$2 groups=$3
	shift 3
	OUT=$(setpriv --reuid="$uid" --regid="$gid" --groups="$groups" -- "$EESPCTL" "$@" -s "$sock" 2>&1)
	RC=$?
}
denied() { # denied VERB eespctl-args...: the reader is refused VERB
	local verb=$1
	shift
	as 12345 12345 "$ctlg" "$@"
	[ $RC -ne 0 ] || fail "uid 12345 (control group only) may $*: $OUT"
	grep -qF "permission denied: $verb needs root or group eesptadm" <<<"$OUT" ||
		fail "uid 12345 $*: not the permission error: $OUT"
	log "uid 12345 $*: $OUT"
}

# read-only client
for cmd in show status "show --keys"; do
	# shellcheck disable=SC2086
	as 12345 12345 "$ctlg" $cmd
	[ $RC -eq 0 ] || fail "uid 12345 (control group) cannot $cmd: $OUT"
	log "uid 12345 $cmd: ok, $(wc -l <<<"$OUT") lines"
done
denied rotate rotate domain
denied retire retire domain
denied reload reload
denied spi-alloc spi-alloc
grep -q "control: refused 'rotate' to uid 12345 gid 12345" "$(node_log 1)" ||
	fail "the refusal is not logged: $(grep refused "$(node_log 1)")"
[ "$(grep -c "control: refused '.*' to uid 12345" "$(node_log 1)")" = 4 ] ||
	fail "not 4 refusals logged: $(grep refused "$(node_log 1)")"
[ "$(keygen 1 current)" = 1 ] || fail "the refused rotate changed the current generation"

# admin through a supplementary group
as 12346 12346 "$ctlg,$admg" rotate domain
[ $RC -eq 0 ] || fail "uid 12346 (supplementary eesptadm) cannot rotate: $OUT"
[ "$(keygen 1 current)" = 2 ] || fail "rotate by uid 12346 did not make generation 2 current"
log "uid 12346 (groups eesptctl,eesptadm) rotate domain: ok, current generation 2"

# admin through the primary group
as 12347 "$admg" "$ctlg" reload
[ $RC -eq 0 ] || fail "uid 12347 (primary group eesptadm) cannot reload: $OUT"
log "uid 12347 (gid eesptadm) reload: $OUT"

# root
for cmd in "retire domain" reload; do
	# shellcheck disable=SC2086
	out=$("$EESPCTL" $cmd -s "$sock" 2>&1) || fail "root cannot $cmd: $out"
	log "root $cmd: ok"
done
out=$("$EESPCTL" spi-alloc -s "$sock" 2>&1)
grep -q "permission denied" <<<"$out" && fail "root was refused spi-alloc: $out"
grep -q "spi-alloc: needs psp mode or profile spi" <<<"$out" || fail "root spi-alloc: $out"
log "root spi-alloc reaches the verb: $out"

# the admin group alone does not open the socket
as 12348 12348 "$admg" status
[ $RC -ne 0 ] && grep -q "Permission denied" <<<"$OUT" ||
	fail "uid 12348 (eesptadm, not in the control group) reached the socket: $OUT"
log "uid 12348 (eesptadm only) status: $OUT"
daemon_alive 1 || fail "eespd died"
log "PASS"
