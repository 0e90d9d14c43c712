#!/usr/bin/env bash
# 16: the control socket.  Every read-only verb answers "ok" (the JSON ones
# with one valid JSON object); bad requests (unknown verb, empty line, a line
# far over the limit, binary garbage, bad rotate arguments) answer "error"
# or are closed, and never hurt the daemon; 5 idle connections that never
# send a line do not stop the data path, and a request behind them is
# answered within 1.5 s, before one idle client's 2 s deadline (clients are
# multiplexed, none blocks another); 200 requests in a row all succeed; a
# user who is neither root nor in the socket's group is refused by the
# socket's mode.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
sock=$(node_sock 1)

for verb in status show "show json" counters "counters json" keys "keys json"; do
	r=$(ctl 1 "$verb") || fail "ctl '$verb' failed"
	[ "$(head -1 <<<"$r")" = ok ] || fail "'$verb' answered: $(head -1 <<<"$r")"
	if [[ $verb == *json ]]; then
		tail -n +2 <<<"$r" | "$PY" -c 'import json, sys; o = json.load(sys.stdin); assert isinstance(o, dict)' ||
			fail "'$verb' is not one JSON object: $(tail -n +2 <<<"$r" | head -c 300)"
	fi
	log "'$verb': ok, $(($(wc -l <<<"$r") - 1)) body lines"
done

# raw REQUEST-BYTES (python literal): the first reply line, or "closed"
raw() {
	"$PY" - "$sock" "$1" <<'PYEOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
try:
    s.sendall(eval(sys.argv[2]))
    s.shutdown(socket.SHUT_WR)
    b = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        b += d
except (socket.timeout, OSError) as e:
    print("no answer: %s" % e)
    sys.exit(0)
print(b.split(b"\n")[0].decode(errors="replace") if b else "closed")
PYEOF
}
for req in 'b"frobnicate\n"' 'b"\n"' 'b"status " + b"x" * 1000 + b"\n"' \
	'bytes(range(256)) * 16' 'b"rotate sideways 7\n"' 'b"retire tenant\n"' 'b"show json json json\n"'; do
	a=$(raw "$req")
	log "request ${req:0:30}: $a"
	case $a in
	error*|closed|*"reset by peer"*|*"Broken pipe"*) ;; # refused or closed on us
	*) fail "request $req was not refused: $a" ;;
	esac
	daemon_alive 1 || fail "eespd died on control request $req"
done

# idle clients (connected, never sending a line) must not stop the data
# path, and a request behind them must still be answered in bounded time
# (eespd multiplexes clients with poll, each with its own 2 s deadline: a
# request served only after the idle ones timed out takes 2 s or more)
"$PY" - "$sock" >"$IT_DIR/idle.txt" <<'PYEOF' &
import socket, sys, time
conns = []
for i in range(5):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    conns.append(s)
print("connected", flush=True)
time.sleep(60)
PYEOF
idle=$!
IT_PIDS+=("$idle")
wait_for 30 grep -q connected "$IT_DIR/idle.txt" || fail "the idle clients did not connect"
"$PY" - "$sock" >"$IT_DIR/slow.txt" 2>&1 <<'PYEOF' &
import socket, sys, time
t0 = time.time()
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])          # blocking: waits in the listen backlog
s.settimeout(20)
s.sendall(b"status\n")
b = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    b += d
print("%s %.2f" % (b.split(b"\n")[0].decode(), time.time() - t0))
PYEOF
slow=$!
IT_PIDS+=("$slow")
ping_ok 1 "$(in4 2)" 5 # the data path while the control socket is busy
wait "$slow"
read -r first secs <"$IT_DIR/slow.txt"
log "status behind 5 idle clients: '$first' after $secs s"
[ "$first" = ok ] || fail "status behind 5 idle clients: $(cat "$IT_DIR/slow.txt")"
awk -v s="$secs" 'BEGIN { exit !(s < 1.5) }' || fail "status behind 5 idle clients took $secs s (limit 1.5 s, below one idle client's 2 s deadline)"
kill "$idle" 2>/dev/null
wait "$idle" 2>/dev/null

# 200 requests in a row, each on a connection of its own (one interpreter
# for all of them: 200 starts of ctl's took 14 s of the test)
ok=$("$PY" - "$sock" <<'PYEOF'
import socket, sys
ok = 0
for _ in range(200):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    buf = b""
    try:
        s.connect(sys.argv[1])
        s.sendall(b"status\n")
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except OSError:
        pass
    s.close()
    if buf.split(b"\n")[0] == b"ok":
        ok += 1
print(ok)
PYEOF
)
log "200 status requests in a row: $ok ok"
[ $ok -eq 200 ] || fail "only $ok of 200 status requests answered ok"

# a user outside root and the socket's group is refused
perm=$(stat -c '%a %U:%G' "$sock")
out=$(setpriv --reuid=12345 --regid=12345 --clear-groups "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1])
    print("connected")
except OSError as e:
    print("refused: %s" % e.strerror)
' "$sock" 2>&1)
log "uid 12345 on the socket ($perm): $out"
# ownership: 0660 root:<control group> (default group "eesp" if it exists),
# else 0600 root:root; never the daemon user's group
if getent group eesp >/dev/null; then want="660 root:eesp"; else want="600 root:root"; fi
[ "$perm" = "$want" ] || fail "control socket is $perm, expected $want"
[[ $out == refused* ]] || fail "uid 12345 could connect to the control socket ($perm)"
daemon_alive 1 || fail "eespd died"
ping_ok 2 "$(in6 1)" 3
log "PASS"
