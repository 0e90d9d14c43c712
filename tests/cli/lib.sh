# tests/cli/lib.sh - helpers for the eespctl script tests (sourced).
# Each test runs from the repo root with B=build; exit 0 pass, 77 skip.
set -u
B=${B:-build}
E=${EESPCTL:-$B/eespctl}
T=$(basename "$0" .sh)
FAILS=0
CHECKS=0

[ -x "$E" ] || { echo "SKIP: $E not built"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/eespctl-$T.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
umask 077

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }

# run CMD...: sets OUT (stdout), ERR (stderr), RC
run() {
	OUT=$("$@" 2>"$TMP/.err")
	RC=$?
	ERR=$(cat "$TMP/.err")
}

# expect_ok DESC CMD...: exit 0
expect_ok() {
	local d=$1
	shift
	run "$@"
	if [ "$RC" -ne 0 ]; then fail "$d: exit $RC, stderr: $ERR"; else ok; fi
}

# expect_fail DESC RC_WANTED REGEX CMD...: non-zero exit RC_WANTED (or any
# non-zero if "nz") and REGEX in stderr (or stdout)
expect_fail() {
	local d=$1 want=$2 re=$3
	shift 3
	run "$@"
	if [ "$RC" -eq 0 ]; then
		fail "$d: succeeded but should fail (stdout: ${OUT:0:200})"
	elif [ "$want" != nz ] && [ "$RC" -ne "$want" ]; then
		fail "$d: exit $RC, expected $want (stderr: $ERR)"
	elif ! grep -Eq -- "$re" <<<"$ERR"$'\n'"$OUT"; then
		fail "$d: message /$re/ not found in: $ERR $OUT"
	else
		ok
	fi
}

# same STRING1 STRING2 DESC
same() {
	if [ "$1" = "$2" ]; then ok; else fail "$3: got '$1', expected '$2'"; fi
}

# contains TEXT REGEX DESC
contains() {
	if grep -Eq -- "$2" <<<"$1"; then ok; else fail "$3: /$2/ not in: ${1:0:400}"; fi
}
lacks() {
	if grep -Eq -- "$2" <<<"$1"; then fail "$3: /$2/ unexpectedly in output"; else ok; fi
}

# standin_start SOCKET LOG: a stand-in for eespd's control socket that
# speaks ctlproto.h, appends each request line to LOG and answers like eespd
# (its status line gives the uid in LOG.uid, or ours; with LOG.noreload it
# refuses reload as eespd refuses an admin verb).
STANDIN_PID=
STANDIN_SOCK=
standin_start() {
	STANDIN_SOCK=$1
	rm -f "$2.up"
python3 - "$1" "$2" <<'P' &
import os, socket, sys
path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
open(log + ".up", "w").close()  # listening: the socket file alone is not
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
        # the daemon's uid: LOG.uid if the test wrote one, else ours
        uid = open(log + ".uid").read().strip() if os.path.exists(log + ".uid") else os.getuid()
        rep = "ok\neespd 0.2 pid %d uid %s mode eesp interface eesp0 workers 1 uptime 5 config 1 peers 1 rx_packets 0 tx_packets 0 drops 0 replay_floor 0\n" % (os.getpid(), uid)
    elif w[0] == "reload" and os.path.exists(log + ".noreload"):
        rep = "error permission denied: reload needs root (no admin_group is configured)\n"
    elif w[0] in ("counters", "keys"):
        rep = "ok\n%s body\n" % w[0]
    elif w[0] == "reload":
        rep = "ok\nreloaded\n"
    elif w[0] == "spi-alloc" and os.path.exists(log + ".eesp"):
        rep = "ok\nspi 0x00001234\nsession_id 1\nepoch 5\nsa_phase 2\nkey 00112233445566778899aabbccddeeff\nsalt 01020304\nsa eesp 0x00001234 00112233445566778899aabbccddeeff 01020304\n"
    elif w[0] == "spi-alloc":
        v = w[1] if len(w) > 1 else "1"  # no version: the stand-in is configured for 1
        k = "3946da2554eae46ad1ef77a64372edc4" if v == "0" else "fa00f609df6020289a1c93d6027081a637ad45b24a5576b36e6f49dd43114d80"
        rep = "ok\nspi 0x9a345678\nversion %s\nmaster 1\nkey %s\nsa psp 0x9a345678 %s\n" % (v, k, k)
    elif w[0] in ("rotate", "retire") and w[1] == "tenant" and w[2] == "99":
        rep = "error no key ring tenant 99\n"
    elif w[0] in ("rotate", "retire"):
        rep = "ok\n%s done\n" % w[0]
    elif w[0] == "sa-rx-alloc":
        rep = "ok\npeer %s\nspi 0x00000042\ndir rx\nversion 1\nmaster 0\nkey %s\nkey_serial 1\n" % (w[1], "ab" * 32)
    elif w[0] in ("sa-tx-set", "sa-rx-set") and len(w) >= 4:
        rep = "ok\npeer %s\nspi %s\ndir %s\nfingerprint 0123456789abcdef\n" % (w[1], w[2], w[0][3:5])
    elif w[0] == "sa-list":
        rep = "ok\nkey_serial 1\nwaiters 0\nkeys domain psp spi_master 0 version 1\n"
    elif w[0] == "sa-wait":
        rep = "ok\nkey_serial 2\nchanged yes\nkeys domain psp spi_master 1 version 1\n"
    elif w[0] == "garbage":
        rep = "hello\n"
    else:
        rep = "error unknown verb\n"
    c.sendall(rep.encode())
    c.close()
os.unlink(path)
P
	STANDIN_PID=$!
	trap 'kill "$STANDIN_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
	# LOG.up, not the socket file: bind() makes the file before listen()
	for _ in $(seq 300); do [ -e "$2.up" ] && return 0; sleep 0.1; done
	echo "FAIL: stand-in control socket did not start"
	exit 1
}
standin_stop() {
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"quit\n"); s.recv(10)' "$STANDIN_SOCK"
	wait "$STANDIN_PID"
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$T: $FAILS of $((CHECKS + FAILS)) checks failed"
		exit 1
	fi
	[ "$CHECKS" -gt 0 ] || { echo "$T: no checks ran"; exit 1; }
	echo "$T: all $CHECKS checks passed"
	exit 0
}
