#!/usr/bin/env bash
# 06: the control-socket client (show, status, reload, spi-alloc, rotate and
# retire with -s) against a stand-in server that speaks ctlproto.h, records
# each request line and answers like eespd; unreachable and failing daemons.
. "$(dirname "$0")/lib.sh"

S=$TMP/ctl.sock
LOG=$TMP/requests
python3 - "$S" "$LOG" <<'P' &
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
s.settimeout(60)
for _ in range(100):
    try:
        c, _ = s.accept()
    except socket.timeout:
        break
    c.settimeout(5)
    line = b""
    while not line.endswith(b"\n"):
        d = c.recv(300)
        if not d:
            break
        line += d
    req = line.decode().strip()
    with open(log, "a") as f:
        f.write(req + "\n")
    w = req.split()
    if req == "quit":
        c.sendall(b"ok\n"); c.close(); break
    if w[0] == "show" and len(w) == 2:
        rep = 'ok\n{"interface":"eesp0","mode":"eesp","drops":{"auth_failed":3}}\n'
    elif w[0] == "show":
        rep = "ok\ninterface: eesp0\n  mode: eesp\n  drops: auth_failed 3\n"
    elif w[0] == "status":
        rep = "ok\neespd running, mode eesp, 1 worker\n"
    elif w[0] in ("counters", "keys"):
        rep = "ok\n%s body\n" % w[0]
    elif w[0] == "reload":
        rep = "ok\nreloaded\n"
    elif w[0] == "spi-alloc":
        k = "3946da2554eae46ad1ef77a64372edc4" if w[1] == "0" else "fa00f609df6020289a1c93d6027081a637ad45b24a5576b36e6f49dd43114d80"
        rep = "ok\nspi 0x9a345678\nversion %s\nmaster 1\nkey %s\nsa psp 0x9a345678 %s\n" % (w[1], k, k)
    elif w[0] in ("rotate", "retire") and w[1] == "tenant" and w[2] == "99":
        rep = "error no key ring tenant 99\n"
    elif w[0] in ("rotate", "retire"):
        rep = "ok\n%s done\n" % w[0]
    elif w[0] == "garbage":
        rep = "hello\n"
    else:
        rep = "error unknown verb\n"
    c.sendall(rep.encode())
    c.close()
os.unlink(path)
P
SRV=$!
trap 'kill "$SRV" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [ -S "$S" ] && break; sleep 0.1; done
[ -S "$S" ] || { echo "FAIL: stand-in server did not start"; exit 1; }
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
contains "$OUT" "eespd running" "status body"
same "$(last)" "status" "status request line"
expect_ok "reload" "$E" reload -s "$S"
same "$(last)" "reload" "reload request line"
expect_ok "spi-alloc v0" "$E" spi-alloc --version 0 -s "$S"
same "$OUT" "sa psp 0x9a345678 3946da2554eae46ad1ef77a64372edc4" "spi-alloc prints the key-file line"
same "$(last)" "spi-alloc 0" "spi-alloc request line"
expect_ok "spi-alloc --json" "$E" spi-alloc --json -s "$S"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["spi"]==0x9a345678 and d["version"]==1 and len(d["key"])==64' "$OUT" &&
	ok || fail "spi-alloc --json: $OUT"
same "$(last)" "spi-alloc 1" "spi-alloc default version 1"

# rotate/retire: in the key file, then `rotate` + `reload` to the daemon
D=$TMP/lab
"$E" domain create "$D" --id 7 >/dev/null
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
expect_fail "no daemon (interface name)" 1 "cannot connect to eespd at /run/eespd/nosuchif$$.sock" "$E" status "nosuchif$$"
expect_fail "bad spi-alloc version" 2 "--version: PSP version 0 or 1" "$E" spi-alloc --version 3 -s "$S"
expect_fail "show: two sockets" 2 "Usage" "$E" show -s "$S" other

python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"quit\n"); s.recv(10)' "$S"
wait "$SRV"
finish
