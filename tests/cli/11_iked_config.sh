#!/usr/bin/env bash
# tests/cli/11_iked_config.sh - eesp-iked -t and eespctl iked without a daemon.
#   - the sample conf/eesp-iked.conf (its user made the current one, its PSK
#     file written 0600) passes eesp-iked -t;
#   - the same with the PSK file 0644 is refused naming the file and the mode;
#   - eespctl iked --help lists the verbs; a bad verb or peer name is a usage
#     error (2); no daemon at the socket is an error (1) that names eesp-iked.
. "$(dirname "$0")/lib.sh"
IKED=${IKED:-$B/eesp-iked}
[ -x "$IKED" ] || { echo "SKIP: $IKED not built"; exit 77; }
me=$(id -un)
sed -e "s/user = \"eesp-iked\"/user = \"$me\"/" conf/eesp-iked.conf >"$TMP/eesp-iked.conf"
printf '0x%s\n' "$(openssl rand -hex 32)" >"$TMP/gw2.psk"
chmod 0600 "$TMP/gw2.psk"
expect_ok "sample configuration" "$IKED" -t -c "$TMP/eesp-iked.conf"
case $OUT in *"configuration OK (1 peer(s))"*) ok ;; *) fail "eesp-iked -t said: $OUT" ;; esac
chmod 0644 "$TMP/gw2.psk"
expect_fail "PSK file 0644" 1 "eesp-iked.conf:[0-9]+: peer gw2: psk file .*gw2.psk: mode 0644 is too open" \
	"$IKED" -t -c "$TMP/eesp-iked.conf"
expect_ok "eespctl iked --help" "$E" iked --help
for v in status show counters initiate terminate; do
	case $OUT in *"$v"*) ok ;; *) fail "eespctl iked --help does not name $v" ;; esac
done
expect_fail "unknown verb" 2 "Usage" "$E" iked frobnicate
expect_fail "bad peer name" 2 "invalid request" "$E" iked initiate "a/b"
expect_fail "initiate without a peer" 2 "Usage" "$E" iked initiate
expect_fail "no daemon" 1 "cannot connect to eesp-iked at $TMP/none.sock" "$E" iked -s "$TMP/none.sock" status
finish
