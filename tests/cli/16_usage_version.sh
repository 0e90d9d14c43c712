#!/usr/bin/env bash
# 16: one version everywhere, and exit status 2 for every usage error
# (issue 17, item 6).  The version is src/core/version.h's EESP_RELEASE:
# `eespctl -V` / `--version` / `version` and `eespd -V` / `--version` print
# it, eespd(8) quotes it in its status line and the README in the plugin's
# `tshark -G plugins` line.  Every eespctl subcommand (and eespd) exits 2
# for an unknown option and for operands it does not take, and rotate,
# retire and key add for a level or id that is not one.
. "$(dirname "$0")/lib.sh"
D=${EESPD:-$B/eespd}

rel=$(sed -n 's/^#define EESP_RELEASE "\(.*\)"$/\1/p' src/core/version.h)
[ -n "$rel" ] || { echo "FAIL: no EESP_RELEASE in src/core/version.h"; exit 1; }
for v in -V --version version; do
	expect_ok "eespctl $v" "$E" $v
	same "$OUT" "eespctl $rel" "eespctl $v prints the release"
done
expect_fail "eespctl -V with an operand" 2 "Usage" "$E" -V extra
if [ -x "$D" ]; then
	for v in -V --version; do
		expect_ok "eespd $v" "$D" $v
		same "$OUT" "eespd $rel" "eespd $v prints the release"
	done
	expect_fail "eespd unknown option" 2 "usage: eespd" "$D" --bogus
	expect_fail "eespd operand" 2 "usage: eespd" "$D" extra
else
	fail "$D not built"
fi
contains "$(cat man/eespd.8)" "^\.Dl eespd $rel pid P" "eespd(8)'s status line quotes the release"
grep -h '^\.Dl eespd [0-9]' man/*.8 | grep -v "^\.Dl eespd $rel pid" | grep -q . &&
	fail "a man page quotes another eespd version: $(grep -h '^\.Dl eespd [0-9]' man/*.8)"
contains "$(cat README.md)" "eesp\.so +$rel\.0 +dissector" "the README's plugin line quotes the release"

# usage errors: exit 2 from every subcommand
mkdir -p "$TMP/d" && "$E" domain create "$TMP/d/lab" --id 7 >/dev/null 2>&1
subs="genkey fingerprint domain key rotate retire derive spi-alloc show status reload encrypt decrypt vectors"
for s in $subs; do
	expect_fail "$s --bogus" 2 "." "$E" $s --bogus </dev/null
	expect_fail "$s with seven operands" 2 "." "$E" $s a b c d e f g </dev/null
done
for s in "domain create" "domain show" "key add" "derive psp" "derive eesp" "encrypt psp" \
	"encrypt eesp" "decrypt psp" "decrypt eesp"; do
	expect_fail "$s --bogus" 2 "." "$E" $s --bogus </dev/null
done
# a level or id that is not one (these said exit 1)
for s in rotate retire "key add"; do
	expect_fail "$s: unknown level" 2 "unknown level 'realm'" "$E" $s "$TMP/d/lab" realm
	expect_fail "$s: tenant without id" 2 "needs a non-zero id" "$E" $s "$TMP/d/lab" tenant
	expect_fail "$s: bad id" 2 "bad tenant id 'x'" "$E" $s "$TMP/d/lab" tenant x
	expect_fail "$s: domain with an id" 2 "the domain level has id 0" "$E" $s "$TMP/d/lab" domain 5
done
expect_fail "key add DIR without a level" 2 "." "$E" key add "$TMP/d/lab"
expect_fail "show: option without its argument" 2 "." "$E" show -s
expect_fail "unknown subcommand" 2 "invalid subcommand" "$E" frobnicate
finish
