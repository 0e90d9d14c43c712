#!/usr/bin/env bash
# 01: eespctl dispatch, --help of every subcommand, genkey and fingerprint.
. "$(dirname "$0")/lib.sh"

# dispatch
expect_fail "no subcommand" 2 "Usage: eespctl <cmd>" "$E"
expect_fail "unknown subcommand" 2 "invalid subcommand 'frobnicate'" "$E" frobnicate
expect_ok "eespctl --help" "$E" --help
contains "$OUT" "genkey" "top-level help lists genkey"
for sub in genkey fingerprint domain key rotate retire derive spi-alloc show status reload \
	encrypt decrypt vectors; do
	expect_ok "$sub --help" "$E" "$sub" --help
	contains "$OUT" "Usage: eespctl $sub" "$sub --help usage line"
	contains "$OUT" "Example" "$sub --help has an example"
	contains "$("$E" --help)" "^  $sub " "top-level help lists $sub"
done

# genkey: 64 hex digits, fresh each time
expect_ok "genkey" "$E" genkey
k1=$OUT
contains "$k1" '^[0-9a-f]{64}$' "genkey output is 64 hex digits"
k2=$("$E" genkey)
[ "$k1" != "$k2" ] && ok || fail "two genkey runs gave the same key"
expect_fail "genkey with an argument" 2 "Usage" "$E" genkey extra

# genkey warns when stdout is a group/world-readable file, as wg genkey does
(umask 022; "$E" genkey >"$TMP/k.pub" 2>"$TMP/w.err")
contains "$(cat "$TMP/w.err")" "Warning: writing a secret key to a file that group or others can read" \
	"genkey warns on a 0644 file"
contains "$(cat "$TMP/k.pub")" '^[0-9a-f]{64}$' "genkey still writes the key"
(umask 077; "$E" genkey >"$TMP/k.priv" 2>"$TMP/w2.err")
same "$(cat "$TMP/w2.err")" "" "genkey is silent on a 0600 file"

# fingerprint = first 8 bytes of SHA-256 of the key bytes (keys.h)
key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
want=$(printf '%s' "$key" | xxd -r -p | openssl dgst -sha256 -r | cut -c1-16)
run "$E" fingerprint <<<"$key"
same "$OUT" "$want" "fingerprint of 00..1f"
run "$E" fingerprint <<<"$k1"
same "$OUT" "$(printf '%s' "$k1" | xxd -r -p | openssl dgst -sha256 -r | cut -c1-16)" \
	"fingerprint of a generated key"
expect_fail "fingerprint of a short key" 1 "expected a key of 64 \(or 32\) hex digits" \
	"$E" fingerprint <<<"0011"
expect_fail "fingerprint of non-hex" 1 "expected a key of 64" "$E" fingerprint <<<"${key:0:62}zz"
expect_fail "fingerprint of nothing" 1 "expected a key" "$E" fingerprint </dev/null

finish
