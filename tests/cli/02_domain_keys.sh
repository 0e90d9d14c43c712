#!/usr/bin/env bash
# 02: domain create/show, key add, rotate, retire, and their error paths
# (bad key length, missing file, wrong mode, unknown level).
. "$(dirname "$0")/lib.sh"

D=$TMP/lab
# the daemon user of the skeleton: nobody here (it exists on Debian); as
# root, create gives it the key file, and the directory stays root's (group:
# the daemon user's), since eespd reads the eespd.conf there as root
DUSER=nobody
expect_ok "domain create" "$E" domain create "$D" --id 0xC0FFEE01 --profile node --node 1 --tenant 7 --user "$DUSER"
if [ "$(id -u)" = 0 ]; then
	same "$(stat -c %U "$D/domain.keys")" "$DUSER" "key file owned by the daemon user"
	same "$(stat -c %U:%G "$D")" "root:$(id -gn "$DUSER")" "domain dir root's, the daemon user's group"
	same "$(stat -c %a "$D")" 750 "domain dir mode (root)"
	same "$(stat -c %U:%a "$D/eespd.conf")" "root:644" "eespd.conf root's, 0644"
	# before eesp 0.2 the directory was the daemon user's: it could put
	# its own eespd.conf there for root's eespd to read at the next start
	# ($TMP itself must not be what stops it: the user may pass through)
	chmod 0711 "$TMP"
	if setpriv --reuid="$DUSER" --regid="$(id -g "$DUSER")" --clear-groups -- \
		sh -c "mv '$D/eespd.conf' '$D/old.conf'" 2>/dev/null; then
		fail "the daemon user can rename eespd.conf in the domain directory"
		mv "$D/old.conf" "$D/eespd.conf"
	else
		ok
	fi
	chmod 0700 "$TMP"
else
	same "$(stat -c %a "$D")" 700 "domain dir mode"
fi
contains "$(cat "$D/eespd.conf")" "user = \"$DUSER\";" "skeleton names the daemon user"
contains "$OUT" 'created domain "lab" id 0xc0ffee01' "create message"
same "$(stat -c %a "$D/domain.keys")" 600 "key file mode"
[ -f "$D/eespd.conf" ] && ok || fail "no eespd.conf skeleton"
contains "$(cat "$D/eespd.conf")" 'id = 0xC0FFEE01;' "skeleton has the domain id"
contains "$(cat "$D/eespd.conf")" 'key_file = "domain.keys";' "skeleton points to the key file"
contains "$(cat "$D/eespd.conf")" 'profile = "node";' "skeleton profile"
contains "$(cat "$D/domain.keys")" '^domain 0xc0ffee01$' "key file domain line"
contains "$(cat "$D/domain.keys")" '^domain 0 0 [0-9a-f]{64}' "domain root generation 0"
contains "$(cat "$D/domain.keys")" '^tenant 7 0 [0-9a-f]{64}' "tenant 7 root generation 0"
# the skeleton parses as libconfig (the daemon's -t check, when built); as
# root the key file is the daemon user's, as eespd requires; not as root,
# eespd checks it against the user running it
if [ -x "$B/eespd" ]; then
	conf=$D/eespd.conf
	if [ "$(id -u)" != 0 ]; then
		sed "s/^\( *user *= *\)\"$DUSER\";/\1\"$(id -un)\";/" "$D/eespd.conf" >"$D/eespd-me.conf"
		conf=$D/eespd-me.conf
	fi
	expect_ok "eespd -t accepts the skeleton" "$B/eespd" -t -c "$conf"
	contains "$ERR$OUT" 'configuration OK' "eespd -t: configuration OK"
	# a skeleton for a user that does not exist: eespd refuses it (no
	# fallback to nobody) and says how to create it
	nouser=eespnouser$$
	expect_ok "domain create for a missing user" "$E" domain create "$TMP/nouser" --user "$nouser"
	expect_fail "eespd -t: the skeleton's user must exist" 1 \
		"eespd.conf:[0-9]+: user '$nouser' does not exist: create it with useradd --system" \
		"$B/eespd" -t -c "$TMP/nouser/eespd.conf"
fi
expect_fail "create over an existing domain" 1 "refusing to overwrite" "$E" domain create "$D"
expect_fail "create with bad id" 2 "--id: expected a non-zero 32-bit SPI" "$E" domain create "$TMP/x" --id 0xZZ
expect_fail "create tenant profile without tenant" 2 "profile tenant needs --tenant" \
	"$E" domain create "$TMP/x" --profile tenant
expect_fail "create with unknown profile" 2 "unknown profile 'bogus'" "$E" domain create "$TMP/x" --profile bogus

dkey=$(awk '$1 == "domain" && NF >= 4 { print $4 }' "$D/domain.keys")
fp0=$(printf '%s' "$dkey" | xxd -r -p | openssl dgst -sha256 -r | cut -c1-16)

# show: generations, phases, fingerprints, never the key unless asked
expect_ok "domain show" "$E" domain show "$D"
contains "$OUT" "current +generation 0 +phase 0 +fingerprint $fp0" "show: domain current gen 0"
contains "$OUT" "tenant 7:" "show: tenant level"
lacks "$OUT" "$dkey" "show does not print the key"
expect_ok "domain show --json" "$E" domain show "$D" --json
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["id"]==0xC0FFEE01 and d["levels"][0]["generations"][0]["fingerprint"]==sys.argv[2]' "$OUT" "$fp0" &&
	ok || fail "show --json: not the expected JSON: $OUT"
lacks "$OUT" "$dkey" "show --json does not print the key"
expect_ok "domain show --show-keys" "$E" domain show "$D" --show-keys
contains "$OUT" "key $dkey" "show --show-keys prints the key"

# key add (next), rotate (next -> current -> previous), retire
expect_ok "key add domain" "$E" key add "$D" domain
contains "$OUT" "added generation 1 \(phase 1, fingerprint [0-9a-f]{16}\) as next" "key add message"
contains "$(cat "$D/domain.keys")" '^domain 0 1 [0-9a-f]{64} next' "generation 1 marked next in the file"
same "$(stat -c %a "$D/domain.keys")" 600 "key file mode after key add"
expect_fail "second key add" 1 "already has a next generation \(1\); rotate first" "$E" key add "$D" domain
run "$E" domain show "$D"
contains "$OUT" "next +generation 1 +phase 1" "show: next generation 1"
contains "$OUT" "current +generation 0 +phase 0 +fingerprint $fp0" "show: current still gen 0"
expect_ok "rotate domain" "$E" rotate "$D" domain
contains "$OUT" "current generation is now 1 \(phase 1\)" "rotate message"
run "$E" domain show "$D"
contains "$OUT" "current +generation 1 +phase 1" "show after rotate: current gen 1"
contains "$OUT" "previous +generation 0 +phase 0 +fingerprint $fp0" "show after rotate: previous gen 0"
expect_fail "rotate without next" 1 "no next generation" "$E" rotate "$D" domain
# a key given on stdin (the same next generation on every node)
k3=$("$E" genkey)
expect_ok "key add --key -" "$E" key add "$D" domain --key - <<<"$k3"
contains "$(cat "$D/domain.keys")" "^domain 0 2 $k3 next" "key from stdin is generation 2 next"
expect_ok "rotate again" "$E" rotate "$D" domain
run "$E" domain show "$D"
contains "$OUT" "current +generation 2 +phase 2" "current gen 2"
contains "$OUT" "previous +generation 1 +phase 1" "previous gen 1 (gen 0 dropped)"
lacks "$(sed -n '/domain 0:/,/tenant 7:/p' <<<"$OUT")" "generation 0 " "three generations at most: gen 0 gone"
expect_ok "retire domain" "$E" retire "$D" domain
contains "$OUT" "retired generation 1" "retire message"
run "$E" domain show "$D"
lacks "$OUT" "previous" "no previous generation after retire"
expect_fail "retire twice" 1 "no previous generation" "$E" retire "$D" domain

# tenant and group levels
expect_ok "key add tenant 7" "$E" key add "$D" tenant 7
expect_ok "rotate tenant 7" "$E" rotate "$D" tenant 7
contains "$OUT" "tenant 7: current generation is now 1" "tenant rotate"
expect_ok "key add new group 9" "$E" key add "$D" group 9
contains "$OUT" "group 9: added generation 0 .* as current" "first key of a new level is current"
expect_fail "rotate unknown tenant" 1 "no tenant 8 level" "$E" rotate "$D" tenant 8

# error paths: unknown level, missing id, missing dir, wrong mode, bad key length
expect_fail "unknown level" 2 "unknown level 'bogus' \(expected domain, tenant or group\)" "$E" rotate "$D" bogus
expect_fail "tenant without id" 2 "level tenant needs a non-zero id" "$E" key add "$D" tenant
expect_fail "domain with an id" 2 "the domain level has id 0" "$E" rotate "$D" domain 3
expect_fail "missing domain dir" 1 "not a domain directory" "$E" domain show "$TMP/nonexistent"
expect_fail "missing key file" 1 "domain.keys: No such file or directory" \
	sh -c "mkdir -p '$TMP/empty' && cp '$D/eespd.conf' '$TMP/empty/' && '$E' domain show '$TMP/empty'"
chmod 0640 "$D/domain.keys"
expect_fail "group-readable key file" 1 "accessible by group or others \(mode 0640\); refusing" "$E" domain show "$D"
expect_fail "rotate refuses a group-readable key file" 1 "refusing" "$E" rotate "$D" tenant 7
chmod 0604 "$D/domain.keys"
expect_fail "world-readable key file" 1 "mode 0604" "$E" key add "$D" tenant 7
chmod 0600 "$D/domain.keys"
cp "$D/domain.keys" "$TMP/good.keys"
sed -i 's/^\(domain 0 2 [0-9a-f]\{60\}\)[0-9a-f]\{4\}/\1/' "$D/domain.keys"
expect_fail "short root key in the file" 1 "domain.keys:[0-9]+: key must be 64 hex digits" "$E" domain show "$D"
cp "$TMP/good.keys" "$D/domain.keys"
expect_fail "key add with a short key" 1 "the key must be 64 hex digits" "$E" key add "$D" tenant 7 --key - <<<"abcd"
expect_ok "domain still intact" "$E" domain show "$D"

# sa lines and the domain line survive a rewrite; show lists sa fingerprints
printf 'sa psp 0x00001001 %s\nsa eesp 0x00002002 %s 0a0b0c0d\n' 3946da2554eae46ad1ef77a64372edc4 \
	000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >>"$D/domain.keys"
expect_ok "key add with sa lines" "$E" key add "$D" tenant 7
contains "$(cat "$D/domain.keys")" "^sa psp 0x00001001 3946da2554eae46ad1ef77a64372edc4$" "sa psp line kept"
contains "$(cat "$D/domain.keys")" "^sa eesp 0x00002002 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 0a0b0c0d$" "sa eesp line kept"
contains "$(cat "$D/domain.keys")" "^domain 0xc0ffee01$" "domain line kept"
run "$E" domain show "$D"
contains "$OUT" "sa psp 0x00001001: fingerprint $(printf 3946da2554eae46ad1ef77a64372edc4 | xxd -r -p | openssl dgst -sha256 -r | cut -c1-16)" "show lists sa fingerprints"
lacks "$OUT" "3946da2554eae46ad1ef77a64372edc4" "show does not print sa keys"
expect_ok "rotate tenant 7 after" "$E" rotate "$D" tenant 7

# rewriting a key file keeps its owner (eespd re-reads it as its own user)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chown nobody "$D/domain.keys"
	expect_ok "key add on a nobody-owned file" "$E" key add "$D" tenant 7
	same "$(stat -c %U:%a "$D/domain.keys")" "nobody:600" "owner and mode kept after key add"
else
	echo "note: not root, owner preservation not checked"
fi

# generations never wrap: 4294967295 is the last one of a ring
W=$TMP/wrap
expect_ok "domain for the wrap" "$E" domain create "$W" --id 0xC0FFEE03
k=$(awk '$1 == "domain" && NF >= 4 { print $4 }' "$W/domain.keys")
sed -i "s/^domain 0 0 $k/domain 0 4294967294 $k/" "$W/domain.keys"
expect_ok "key add up to the last generation" "$E" key add "$W" domain
contains "$OUT" "added generation 4294967295 \(phase 3," "the last generation added as next"
expect_ok "rotate to the last generation" "$E" rotate "$W" domain
contains "$OUT" "current generation is now 4294967295" "last generation current"
expect_fail "key add after the last generation" 1 \
	"domain 0: generation 4294967295 is the last one: generations never wrap" "$E" key add "$W" domain
contains "$(cat "$W/domain.keys")" "^domain 0 4294967295 [0-9a-f]{64}" "key file unchanged"
lacks "$(cat "$W/domain.keys")" "^domain 0 0 " "no generation 0 after the wrap"
expect_fail "rotate after the last generation" 1 "current generation 4294967295 is the last one" \
	"$E" rotate "$W" domain
# a key file continued across the wrap by hand is refused, with the line
printf 'domain 0 0 %s next\n' "$k" >>"$W/domain.keys"
expect_fail "key file across the wrap" 1 "domain.keys:[0-9]+: .*generations never wrap" "$E" domain show "$W"

# PSP domain
P=$TMP/pspdom
expect_ok "domain create --mode psp" "$E" domain create "$P" --mode psp
same "$(stat -c %a "$P/psp.keys")" 600 "psp key file mode"
contains "$(cat "$P/psp.keys")" '^psp 0 [0-9a-f]{64}' "psp master 0"
contains "$(cat "$P/psp.keys")" '^psp 1 [0-9a-f]{64}' "psp master 1"
run "$E" domain show "$P"
contains "$OUT" "psp master 1: fingerprint [0-9a-f]{16}" "show psp masters"
expect_fail "rotate a psp domain's levels" 1 "PSP domain has two master keys, not generations" "$E" rotate "$P" domain
# PSP master rotation (double-buffered): the unused key is replaced and becomes spi-alloc's
m0=$(awk '$1 == "psp" && $2 == 0 { print $3 }' "$P/psp.keys")
m1=$(awk '$1 == "psp" && $2 == 1 { print $3 }' "$P/psp.keys")
contains "$(cat "$P/eespd.conf")" "spi_master = 1;" "skeleton: spi-alloc uses master 1"
expect_ok "rotate psp" "$E" rotate "$P" psp
contains "$OUT" "master key 0 replaced .*spi-alloc now uses master 0" "rotate psp message"
contains "$OUT" "must re-key" "rotate psp warns about double rotation"
contains "$(cat "$P/eespd.conf")" "spi_master = 0;" "spi_master switched to 0"
same "$(awk '$1 == "psp" && $2 == 1 { print $3 }' "$P/psp.keys")" "$m1" "master 1 kept"
n0=$(awk '$1 == "psp" && $2 == 0 { print $3 }' "$P/psp.keys")
[ -n "$n0" ] && [ "$n0" != "$m0" ] && ok || fail "master 0 not replaced"
same "$(stat -c %a "$P/psp.keys")" 600 "psp key file mode after rotation"
expect_ok "rotate psp again" "$E" rotate "$P" psp
contains "$(cat "$P/eespd.conf")" "spi_master = 1;" "spi_master back to 1"
same "$(awk '$1 == "psp" && $2 == 0 { print $3 }' "$P/psp.keys")" "$n0" "master 0 kept on the second rotation"
[ "$(awk '$1 == "psp" && $2 == 1 { print $3 }' "$P/psp.keys")" != "$m1" ] && ok || fail "master 1 not replaced"
expect_fail "rotate psp in an eesp domain" 1 "is not a PSP domain" "$E" rotate "$D" psp
sed -i '/spi_master/d' "$P/eespd.conf"
expect_fail "rotate psp without spi_master" 1 "no .spi_master = 0\|1;. line" "$E" rotate "$P" psp

finish
