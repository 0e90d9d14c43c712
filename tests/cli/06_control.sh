#!/usr/bin/env bash
# 06: the control-socket client (show, status, reload, spi-alloc, rotate and
# retire with -s) against a stand-in server that speaks ctlproto.h, records
# each request line and answers like eespd; unreachable and failing daemons.
. "$(dirname "$0")/lib.sh"

S=$TMP/ctl.sock
LOG=$TMP/requests
standin_start "$S" "$LOG"
last() { tail -1 "$LOG"; }

expect_ok "show" "$E" show -s "$S"
contains "$OUT" "drops: auth_failed 3" "show prints the daemon's body"
same "$(last)" "show" "show request line"
expect_ok "show --json" "$E" show --json "$S"
same "$(last)" "show json" "show --json request line (socket as argument)"
python3 -c 'import json,sys; assert json.loads(sys.argv[1])["drops"]["auth_failed"] == 3' "$OUT" && ok || fail "show --json is JSON: $OUT"
expect_ok "show --counters" "$E" show --counters --json -s "$S"
same "$(last)" "counters json" "counters request line"
expect_ok "show --keys" "$E" show --keys -s "$S"
same "$(last)" "keys" "keys request line"
EESPCTL_SOCKET=$S expect_ok "status via \$EESPCTL_SOCKET" "$E" status
contains "$OUT" "^eespd 0.2 pid [0-9]+ uid" "status body"
same "$(last)" "status" "status request line"
expect_ok "reload" "$E" reload -s "$S"
same "$(last)" "reload" "reload request line"
expect_ok "spi-alloc v0" "$E" spi-alloc --version 0 -s "$S"
same "$OUT" "sa psp 0x9a345678 3946da2554eae46ad1ef77a64372edc4" "spi-alloc prints the key-file line"
same "$(last)" "spi-alloc 0" "spi-alloc request line"
expect_ok "spi-alloc --json" "$E" spi-alloc --json -s "$S"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["spi"]==0x9a345678 and d["version"]==1 and len(d["key"])==64' "$OUT" &&
	ok || fail "spi-alloc --json: $OUT"
same "$(last)" "spi-alloc" "spi-alloc without --version leaves the version to the daemon"
expect_ok "spi-alloc v2 (AES-GMAC-128)" "$E" spi-alloc --version 2 -s "$S"
same "$(last)" "spi-alloc 2" "spi-alloc v2 request line"
expect_ok "spi-alloc v3 (AES-GMAC-256)" "$E" spi-alloc --version 3 -s "$S"
same "$(last)" "spi-alloc 3" "spi-alloc v3 request line"
touch "$LOG.eesp" # the stand-in now answers as an EESP spi-profile daemon
expect_ok "spi-alloc (eesp spi profile)" "$E" spi-alloc -s "$S"
same "$OUT" "# spi profile SA: send with session 1, epoch 5, domain phase 2
sa eesp 0x00001234 00112233445566778899aabbccddeeff 01020304" "spi-alloc eesp: context comment and sa eesp line"
expect_ok "spi-alloc --json (eesp)" "$E" spi-alloc --json -s "$S"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["mode"]=="eesp" and d["salt"]=="01020304" and d["session_id"]==1 and d["epoch"]==5' "$OUT" &&
	ok || fail "spi-alloc --json eesp: $OUT"
rm "$LOG.eesp"

# rotate/retire: in the key file, then `rotate` + `reload` to the daemon
D=$TMP/lab
"$E" domain create "$D" --id 7 --user "$(id -un)" >/dev/null
expect_ok "key add -s" "$E" key add "$D" domain -s "$S"
same "$(last)" "reload" "key add -s reloads the daemon"
expect_ok "rotate -s" "$E" rotate "$D" domain -s "$S"
same "$(tail -2 "$LOG" | tr '\n' ' ')" "rotate domain 0 reload " "rotate -s sends rotate then reload"
contains "$("$E" domain show "$D")" "current +generation 1" "rotate -s also rotated the file"
expect_ok "retire --daemon" "$E" retire "$D" domain --daemon "$S"
same "$(tail -2 "$LOG" | tr '\n' ' ')" "retire domain 0 reload " "retire --daemon sends retire then reload"
expect_ok "rotate daemon only" "$E" rotate tenant 7 -s "$S"
same "$(last)" "rotate tenant 7" "rotate without DIR: daemon only"
expect_fail "daemon error reply" 1 "^eespctl: eespd: no key ring tenant 99" "$E" retire tenant 99 -s "$S"
expect_fail "rotate without DIR or -s" 2 "a domain directory is needed" "$E" rotate domain

# unreachable / broken daemons
expect_fail "no daemon" 1 "cannot connect to eespd at $TMP/none.sock: No such file or directory" "$E" show -s "$TMP/none.sock"
expect_fail "no daemon (reload)" 1 "cannot connect to eespd" "$E" reload "$TMP/none.sock"
# a socket nobody listens on any more: eespd cannot remove its socket after
# dropping root (root's directory, eespd(8)), so this is how a stopped
# daemon looks
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/stale.sock"
expect_fail "stale socket" 1 "cannot connect to eespd at $TMP/stale.sock: Connection refused .eespd is not running: stale socket." "$E" status -s "$TMP/stale.sock"
expect_fail "no daemon (interface name)" 1 "cannot connect to eespd at /run/eespd/nosuchif$$.sock" "$E" status "nosuchif$$"
expect_fail "bad spi-alloc version" 2 "--version: PSP version 0, 1, 2 or 3" "$E" spi-alloc --version 4 -s "$S"
expect_fail "show: two sockets" 2 "Usage" "$E" show -s "$S" other

standin_stop
finish
