#!/usr/bin/env bash
# 19: root never acts on a path in the state directory, which belongs to the
# daemon user (and so to anyone who runs code as that user).  Cases:
#   - the daemon user replaces its IV mark file by a hard link to a file of
#     root's (one it may link: mode 0666, as protected_hardlinks allows);
#     at the next start eespd must neither chown nor rewrite that file, and
#     refuses to start, naming the IV file (a mark it cannot trust);
#   - an IV file that is a symlink: refused, named;
#   - a state_dir that is a symlink, or belongs to root, or is writable by
#     its group: refused at start-up with a message naming state_dir;
#   - a missing state_dir is created 0700 and owned by the daemon user.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
user=$(sed -n 's/^ *user = "\(.*\)";/\1/p' "$(node_conf 1)")
[ -n "$user" ] || fail "no user in the generated config"
st="$(node_dir 1)/state"
ivf="$st/$IT_TUN.0.iv"

# start_refused WHAT PATTERN: eespd -f must exit non-zero, its stderr matching PATTERN
start_refused() {
	local out rc
	out=$(nsx 1 timeout 60 "$EESPD" -f -c "$(node_conf 1)" 2>&1)
	rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$1: eespd started (exit $rc)"
	grep -q -- "$2" <<<"$out" || fail "$1: message does not match '$2': $out"
	log "$1: refused: $(grep -- "$2" <<<"$out" | head -1)"
}

daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 2
[ -d "$st" ] || fail "state_dir not created"
[ "$(stat -c '%U %a' "$st")" = "$user 700" ] || fail "state_dir is $(stat -c '%U %a' "$st"), want $user 700"
[ "$(stat -c %U "$ivf")" = "$user" ] || fail "IV file owned by $(stat -c %U "$ivf")"
daemon_stop 1

# 1. hard link planted by the daemon user
target="$IT_DIR/root-owned"
echo "root's data" >"$target"
chmod 0666 "$target"
before=$(stat -c '%u:%g %a %s' "$target")
setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups sh -c "rm -f '$ivf' && ln '$target' '$ivf'" ||
	fail "the daemon user could not plant the link (protected_hardlinks?)"
[ "$(stat -c %h "$target")" = 2 ] || fail "link not planted"
out=$(nsx 1 timeout 60 "$EESPD" -f -c "$(node_conf 1)" 2>&1)
rc=$?
after=$(stat -c '%u:%g %a %s' "$target")
log "root's file before: $before, after: $after, contents: $(cat "$target" | head -c 40)"
[ "$before" = "$after" ] || fail "root's file changed: $before -> $after"
[ "$(cat "$target")" = "root's data" ] || fail "root's file was rewritten: $(cat "$target")"
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "hard-linked IV file: eespd started (exit $rc)"
grep -q "$IT_TUN.0.iv" <<<"$out" || fail "hard-linked IV file: message does not name the file: $out"
log "hard-linked IV file: refused: $(grep "$IT_TUN.0.iv" <<<"$out" | head -1)"

# 2. IV file as a symlink
rm -f "$ivf"
setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups ln -s "$target" "$ivf" || fail "symlink"
start_refused "symlinked IV file" "symlinks are refused"
[ "$before" = "$(stat -c '%u:%g %a %s' "$target")" ] || fail "root's file changed"
rm -f "$ivf"

# 3. state_dir itself: a symlink, root's, group-writable
mv "$st" "$st.real"
ln -s "$st.real" "$st"
start_refused "symlinked state_dir" "state_dir.*symlinks are refused"
rm "$st"
mkdir -m 0700 "$st"
start_refused "root-owned state_dir" "state_dir.*owned by uid 0"
rmdir "$st"
mv "$st.real" "$st"
chmod 0770 "$st"
start_refused "group-writable state_dir" "state_dir.*mode 0770"
chmod 0700 "$st"

# the intact directory still works, and the marks continue
daemon_start 1
ping_ok 1 "$(in4 2)" 2
for i in 1 2; do daemon_alive "$i" || fail "eespd node $i died"; done
log "PASS"
