#!/usr/bin/env bash
# 22: the control socket's set-up cannot be turned against root (issue 14,
# finding 2).  Needs root.
#   1. While eespd is started and stopped RACE_ROUNDS times (default 50,
#      at most 90 s), build/tools/ctlrace runs as the daemon user and, each
#      time the socket appears, renames a fresh symlink to a root-owned file
#      over it (what defeats chown/chmod by path).  The file's owner and mode
#      never change; the racer never gets an entry into the socket's
#      directory (its calls fail with EACCES); every start comes up and
#      answers, each one after the first removing the stale socket the
#      previous daemon had to leave behind.
#   2. The directory eespd made is root's (0700 root:root, or 0750
#      root:<control group>), and the daemon user cannot create a file in it.
#   3. A pre-existing socket directory owned by the daemon user, or a
#      world-writable one, stops the start with a message naming it; eespd
#      leaves it as it was.
#   4. A second eespd given a live daemon's control socket refuses to start
#      ("in use by a running eespd") and the first still answers there.
. "$(dirname "$0")/lib.sh"
it_init
RACER=$B/tools/ctlrace
[ -x "$RACER" ] || skip "$RACER not built (make tools)"
require_cmd setpriv
ns_add "$(ns 1)"
ns_add "$(ns 2)"
IT_NODES=2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
sock=$(node_sock 1)
run=$(dirname "$sock")
name=$(basename "$sock")
as_user() { setpriv --reuid="$IT_USER" --regid="$IT_USER" --clear-groups -- "$@"; }

# a file of root's that the daemon user must never get root to touch
target=$IT_DIR/target
echo "root's file" >"$target"
chown root:root "$target"
chmod 0644 "$target"
before=$(stat -c '%u:%g %a' "$target")

# round N: start eespd on node 1, wait (bounded) until it says it started or
# exits, check it answers, stop it.  ROUND_ST: up, up-noanswer, exit or
# timeout.
round() {
	local log=$IT_DIR/round.$1.log pid k st=timeout
	: >"$log"
	ip netns exec "$(ns 1)" "$EESPD" -f -c "$(node_conf 1)" >"$log" 2>&1 &
	pid=$!
	IT_DPID[1]=$pid
	for k in $(seq 1200); do
		if grep -q ' started: mode' "$log"; then
			st=up
			break
		fi
		kill -0 "$pid" 2>/dev/null || {
			st=exit
			break
		}
		sleep 0.05
	done
	if [ $st = up ] && ! ctl 1 status 2>/dev/null | head -1 | grep -q '^ok'; then
		st=up-noanswer
	fi
	kill -TERM "$pid" 2>/dev/null
	for k in $(seq 600); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "IT_DPID[1]"
	ROUND_ST=$st
}

# ---- 1. the race
ROUNDS=${RACE_ROUNDS:-50}
# (setpriv execs the racer: BG_PID is the racer itself)
spawn setpriv --reuid="$IT_USER" --regid="$IT_USER" --clear-groups -- \
	"$RACER" "$run" "$name" "$target" 120 >"$IT_DIR/racer.out"
racer=$BG_PID
t0=$SECONDS
up=0 stale=0 changed="" r=0
for r in $(seq "$ROUNDS"); do
	round "$r"
	st=$ROUND_ST
	[ "$st" = up ] && up=$((up + 1))
	grep -q 'removed the stale control socket' "$IT_DIR/round.$r.log" && stale=$((stale + 1))
	now=$(stat -c '%u:%g %a' "$target")
	if [ "$now" != "$before" ]; then
		changed="after round $r ($st): $now"
		break
	fi
	[ $((SECONDS - t0)) -lt 90 ] || break
done
kill -TERM "$racer" 2>/dev/null
wait "$racer" 2>/dev/null
read -r _ attempts _ staged _ swapped _ eacces _ enoent _ other <"$IT_DIR/racer.out" ||
	fail "the racer printed no statistics: $(cat "$IT_DIR/racer.out")"
log "$r rounds in $((SECONDS - t0)) s: $up came up and answered, $stale removed a stale socket"
log "racer: $(cat "$IT_DIR/racer.out")"
[ -z "$changed" ] || fail "root's file $target changed from $before $changed: the daemon user redirected root's socket set-up through a symlink (racer: swapped $swapped)"
[ "$swapped" = 0 ] || fail "the racer replaced the control socket $swapped times"
[ "$staged" = 0 ] || fail "the racer created $staged symlinks in $run"
[ "$eacces" -gt 0 ] || fail "the racer's calls in $run never failed with EACCES (attempts $attempts, enoent $enoent, other $other)"
[ "$r" -ge 5 ] || fail "only $r rounds ran"
[ "$up" = "$r" ] || fail "only $up of $r starts came up and answered on $sock"
[ "$stale" = $((r - 1)) ] || fail "$stale of the $((r - 1)) restarts removed the stale socket left by the previous daemon"

# ---- 2. the directory eespd made
perm=$(stat -c '%U:%G %a' "$run")
if getent group eesp >/dev/null; then want="root:eesp 750"; else want="root:root 700"; fi
log "socket directory $run: $perm"
[ "$perm" = "$want" ] || fail "socket directory $run is $perm, expected $want"
out=$(as_user ln -s "$target" "$run/evil" 2>&1) && fail "the daemon user created $run/evil"
grep -q 'Permission denied' <<<"$out" || fail "ln -s in $run as $IT_USER: $out"
log "$IT_USER: ln -s in $run: $out"

# ---- 3. directories eespd refuses
# refused RUNDIR PATTERN: a start with the socket in RUNDIR fails and says so
refused() {
	local dir=$1 pat=$2 c out rc before_dir
	c=$(node_dir 1)/refuse.conf # key_file is relative to the config
	sed "s#^\( *control_socket *= *\)\"[^\"]*\"#\1\"$dir/ctl.sock\"#" "$(node_conf 1)" >"$c"
	before_dir=$(stat -c '%U:%G %a' "$dir")
	out=$(timeout 60 ip netns exec "$(ns 1)" "$EESPD" -f -c "$c" 2>&1)
	rc=$?
	ip -n "$(ns 1)" link del "$IT_TUN" 2>/dev/null
	[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "eespd started with its socket in $dir ($before_dir), exit $rc: $out"
	grep -q "control socket directory $dir " <<<"$out" || fail "the refusal does not name $dir: $out"
	grep -Eq "$pat" <<<"$out" || fail "the refusal for $dir does not say /$pat/: $out"
	[ "$(stat -c '%U:%G %a' "$dir")" = "$before_dir" ] || fail "eespd changed $dir from $before_dir to $(stat -c '%U:%G %a' "$dir")"
	[ -e "$dir/ctl.sock" ] && fail "eespd created a socket in $dir"
	log "refused ($before_dir): $(grep -o 'control socket directory.*' <<<"$out" | head -c 160)..."
}
mkdir "$(node_dir 1)/userrun"
chown "$IT_USER:$IT_USER" "$(node_dir 1)/userrun"
chmod 0755 "$(node_dir 1)/userrun"
refused "$(node_dir 1)/userrun" "owned by uid $(id -u "$IT_USER"), not root"
mkdir "$(node_dir 1)/worldrun"
chmod 1777 "$(node_dir 1)/worldrun"
refused "$(node_dir 1)/worldrun" "world-writable"

# ---- 4. a second daemon on a live daemon's socket
daemon_start 1
ino=$(stat -c %i "$sock")
c2=$(node_dir 2)/second.conf
sed "s#^\( *control_socket *= *\)\"[^\"]*\"#\1\"$sock\"#" "$(node_conf 2)" >"$c2"
out=$(timeout 60 ip netns exec "$(ns 2)" "$EESPD" -f -c "$c2" 2>&1)
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "a second eespd started on the live socket $sock (exit $rc): $out"
grep -q "control socket $sock is in use by a running eespd (pid ${IT_DPID[1]})" <<<"$out" ||
	fail "second eespd: no 'in use by a running eespd (pid ${IT_DPID[1]})': $out"
log "second eespd (exit $rc): $(grep -o 'control socket .* in use[^:]*' <<<"$out")"
[ "$(ctl 1 status | head -1)" = ok ] || fail "the first eespd no longer answers on $sock"
[ "$(stat -c %i "$sock")" = "$ino" ] || fail "the socket $sock was replaced"
daemon_alive 1 || fail "the first eespd died"
log "PASS"
