#!/usr/bin/env bash
# 15: key add / rotate / retire with -s change the key file only when the
# daemon can follow, and say what was applied when it then does not (issue
# 17, item 4: the file was rewritten, then the command exited 1 without a
# word about it).  Against the stand-in control socket of lib.sh:
#   - no daemon at the socket: exit 1, "nothing changed", file untouched;
#   - the daemon's user (its status line's uid) could not read the file
#     after the change (another owner; a directory it cannot search):
#     exit 1, "nothing changed", the command that fixes it, file untouched,
#     nothing sent but status;
#   - the daemon refuses the reload: exit 1, the file written, what was
#     applied and `eespctl reload -s SOCKET` to finish.
. "$(dirname "$0")/lib.sh"

S=$TMP/ctl.sock
LOG=$TMP/requests
D=$TMP/lab
"$E" domain create "$D" --id 7 --user "$(id -un)" >/dev/null 2>&1 || { echo "FAIL: domain create"; exit 1; }
K=$D/domain.keys
"$E" key add "$D" domain >/dev/null || { echo "FAIL: key add (no -s)"; exit 1; } # a next generation to rotate to
cp -p "$K" "$TMP/keys.before"
unchanged() { cmp -s "$K" "$TMP/keys.before" && ok || fail "$1: the key file changed"; }

# no daemon: nothing written
for c in "key add:tenant 9" "rotate:domain" "retire:domain"; do
	lv=${c#*:} c=${c%%:*}
	expect_fail "$c -s, no daemon" 1 "nothing changed: $K is as it was" "$E" $c "$D" $lv -s "$TMP/none.sock"
	contains "$ERR" "cannot connect to eespd at $TMP/none.sock" "$c -s, no daemon: says why"
	contains "$ERR" "leave out -s to change only the file" "$c -s, no daemon: says how to go on"
	unchanged "$c -s, no daemon"
done

standin_start "$S" "$LOG"
# the daemon runs as another uid than the key file's owner
echo 12345 >"$LOG.uid"
: >"$LOG"
expect_fail "key add -s, daemon user cannot read" 1 "nothing changed: the running eespd could not read the key file" \
	"$E" key add "$D" tenant 5 -s "$S"
contains "$ERR" "eespd reads it as uid 12345 .*chown 12345 $K" "says whose file it must be"
unchanged "key add -s, daemon user cannot read"
same "$(cat "$LOG")" "status" "only status was asked"
if [ "$(id -u)" = 0 ]; then
	# the file is the daemon user's, but a directory on the way is closed to it
	chown 12345 "$K"
	chmod 0700 "$D"
	cp -p "$K" "$TMP/keys.before"
	expect_fail "rotate -s, directory closed to the daemon user" 1 "nothing changed" "$E" rotate "$D" domain -s "$S"
	contains "$ERR" "directory $D \(mode 0700, owner 0:0\) is not searchable by uid 12345" "names the directory"
	unchanged "rotate -s, directory closed"
	chmod 0755 "$D"
	chown "$(id -u)" "$K"
	cp -p "$K" "$TMP/keys.before"
fi
rm -f "$LOG.uid"

# the daemon refuses the reload: the file is written, and the message says so
touch "$LOG.noreload"
expect_fail "key add -s, reload refused" 1 "$K was written \(tenant 5: added generation 0 as current\), but the running eespd at $S did not load it: eespd: permission denied" \
	"$E" key add "$D" tenant 5 -s "$S"
contains "$ERR" "to finish, once that is fixed .*: eespctl reload -s $S" "key add: the command that finishes it"
contains "$("$E" domain show "$D")" "tenant 5" "key add: the file holds the new level"
expect_fail "rotate -s, reload refused" 1 "rotated: current generation 1\), but the running eespd at $S did not re-read it \(it did apply the change in memory\)" \
	"$E" rotate "$D" domain -s "$S"
contains "$ERR" "eespctl reload -s $S" "rotate: the command that finishes it"
same "$(tail -3 "$LOG" | tr '\n' ' ')" "status rotate domain 0 reload " "rotate -s: status, rotate, reload"
rm -f "$LOG.noreload"
expect_ok "retire -s, all well" "$E" retire "$D" domain -s "$S"
same "$(tail -3 "$LOG" | tr '\n' ' ')" "status retire domain 0 reload " "retire -s: status, retire, reload"
standin_stop
finish
