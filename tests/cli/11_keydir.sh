#!/usr/bin/env bash
# 11: eespctl keydir - a key directory written the Secret way (..data swap),
# its generations through init/rotate/retire/import, what show prints, and
# the refusals.  Runs as any user (as root it writes files for --user).
. "$(dirname "$0")/lib.sh"

D=$TMP/lab.d
U=()
[ "$(id -u)" -ne 0 ] || U=(--user root)
gens() { "$E" keydir show "$D" "${U[@]}" | awk '$3 != "" && $4 == "generation" { printf "%s=%s ", $3, $5 }'; }

expect_ok "init" "$E" keydir init "$D" --generation 7 "${U[@]}"
contains "$OUT" "now holds the set \(3 files\)" "init writes generation, cur, next"
same "$(gens)" "current=7 next=8 " "init: generations"
v1=$(readlink "$D/..data")
contains "$v1" '^\.\.[0-9_]+\.[0-9]+\.[0-9]+$' "..data points to a ..<timestamp> directory"
same "$(stat -c %a "$D/..data/cur")" "400" "key files are mode 0400"
same "$(readlink "$D/cur")" "..data/cur" "the top-level name is a link through ..data"
"$E" keydir show "$D" "${U[@]}" --json >"$TMP/show.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == sys.argv[2], d
assert [(k["slot"], k["generation"]) for k in d["keys"]] == [("current", 7), ("next", 8)], d
assert all(len(k["fingerprint"]) == 16 for k in d["keys"])
assert "key" not in json.dumps(d["keys"]).replace("keys", "")
' "$TMP/show.json" "$v1" && ok || fail "show --json: $(cat "$TMP/show.json")"
lacks "$(cat "$TMP/show.json")" "$(cat "$D/..data/cur")" "show never prints a key"
cur7=$(cat "$D/cur")
next8=$(cat "$D/next")

expect_ok "rotate" "$E" keydir rotate "$D" "${U[@]}"
same "$(gens)" "previous=7 current=8 next=9 " "rotate: next -> current -> previous, a new next"
same "$(cat "$D/prev")" "$cur7" "the old current is previous"
same "$(cat "$D/cur")" "$next8" "the old next is current"
[ ! -e "$D/$v1" ] && ok || fail "the old data directory $v1 is removed after the swap"
expect_ok "retire" "$E" keydir retire "$D" "${U[@]}"
same "$(gens)" "current=8 next=9 " "retire drops previous"
[ ! -e "$D/prev" ] && [ ! -L "$D/prev" ] && ok || fail "retire leaves no prev link"
expect_fail "rotate a tenant ring the set lacks" 1 "holds no tenant ring" "$E" keydir rotate "$D" tenant 3 "${U[@]}"
expect_fail "unknown level" 2 "unknown level 'psp'" "$E" keydir rotate "$D" psp "${U[@]}"
expect_fail "unknown operation" 2 "unknown operation 'add'" "$E" keydir add "$D"

# import: a key file with tenant ring, then another key directory
K=$(printf '%064d' 1) K2=$(printf '%064d' 2) K3=$(printf '%064d' 3)
printf 'domain 0 4 %s\ndomain 0 5 %s next\ntenant 9 1 %s\n' "$K" "$K2" "$K3" >"$TMP/k.keys"
expect_ok "import a key file" "$E" keydir import "$TMP/imp.d" "$TMP/k.keys" "${U[@]}"
same "$(cat "$TMP/imp.d/generation") $(cat "$TMP/imp.d/tenant-9.generation")" "4 1" "import: generations of both rings"
same "$(cat "$TMP/imp.d/tenant-9.cur")" "$K3" "import: the tenant key"
expect_ok "import another key directory" "$E" keydir import "$TMP/copy.d" "$TMP/imp.d" "${U[@]}"
same "$(cat "$TMP/copy.d/cur") $(cat "$TMP/copy.d/next")" "$K $K2" "the copy holds the same keys"
printf 'domain 0 3 %s\ndomain 0 5 %s\n' "$K" "$K2" >"$TMP/gap.keys"
expect_fail "a key file with a generation gap" 1 "not consecutive" "$E" keydir import "$TMP/gap.d" "$TMP/gap.keys" "${U[@]}"
[ ! -e "$TMP/gap.d/..data" ] && ok || fail "a refused import leaves no set"

# refusals when reading
chmod 0444 "$D/..data/cur"
expect_fail "a key readable by others" 1 "cur: readable by others" "$E" keydir show "$D" "${U[@]}"
chmod 0400 "$D/..data/cur"
ln -s /etc/passwd "$D/..data/extra"
expect_fail "a symlink inside the set" 1 "extra: a symlink \(refused\)" "$E" keydir show "$D" "${U[@]}"
rm "$D/..data/extra"
mkdir "$TMP/open.d" && chmod 0777 "$TMP/open.d"
expect_fail "a world-writable directory without the sticky bit" 1 "writable by group or others" \
	"$E" keydir init "$TMP/open.d" "${U[@]}"
# a writer with a strict umask (a script that handles keys) still gives the
# daemon user a way in: the directories are 0755 whatever the umask
(umask 077 && "$E" keydir init "$TMP/umask.d" "${U[@]}" >/dev/null) && ok || fail "init under umask 077"
same "$(stat -c %a "$TMP/umask.d") $(stat -c %a "$TMP/umask.d/$(readlink "$TMP/umask.d/..data")")" "755 755" \
	"under umask 077 the directory and its data directory are 0755 (the daemon user reaches its files)"
(umask 077 && "$E" keydir rotate "$TMP/umask.d" "${U[@]}" >/dev/null) && ok || fail "rotate under umask 077"
same "$(stat -c %a "$TMP/umask.d/$(readlink "$TMP/umask.d/..data")")" "755" "a set rotated under umask 077 is reachable too"
finish
