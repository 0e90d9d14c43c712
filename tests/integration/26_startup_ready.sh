#!/usr/bin/env bash
# 26: a start is reported to whoever waits for it (issue 17, item 1).
#   1. detached (no -f), port taken: the parent waits for the daemon, prints
#      the reason (with what to do) on stderr and exits non-zero (it used to
#      exit 0 and say it only to syslog);
#   2. detached, success: the parent exits 0 only once the daemon is ready:
#      the control socket answers at the first try, the TUN has its address;
#   3. Type=notify: eespd -f with NOTIFY_SOCKET sends READY=1 from its own
#      pid once ready (the control socket then answers) and STOPPING=1 on
#      SIGTERM; a failed start (abstract @socket) sends a STATUS= with the
#      reason and no READY=1;
#   4. journald: with JOURNAL_STREAM naming stderr, lines carry "<N>"
#      priority prefixes (<6> info, <3> the failure); without, or when it
#      names another stream, the usual "eespd: level:" prefixes;
#   5. a start as a plain user, and as root without CAP_NET_ADMIN, says what
#      to do before anything is created.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd setpriv
ns_add "$(ns 1)"
IT_NODES=1
keys_eesp
conf_eesp 1 "2"
conf=$(node_conf 1)
d=$(node_dir 1)
out=$("$EESPD" -t -c "$conf" 2>&1) || fail "the config fails -t: $out"

# hold_port: a UDP socket on [::]:4500 (dual stack) in node 1's namespace
hold_port() {
	: >"$d/holder.out"
	ip netns exec "$(ns 1)" "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 4500))
print("bound", flush=True)
time.sleep(60)
' >"$d/holder.out" 2>&1 &
	HOLDER=$!
	IT_PIDS+=("$HOLDER")
	wait_for 5 grep -q bound "$d/holder.out" || fail "cannot hold port 4500: $(cat "$d/holder.out")"
}
release_port() {
	kill "$HOLDER" 2>/dev/null
	wait "$HOLDER" 2>/dev/null
}
# only_holder: nothing but the port holder (if any) runs in the namespace
nothing_left() {
	local p
	for p in $(ip netns pids "$(ns 1)"); do
		[ "$p" = "${HOLDER:-}" ] || return 1
	done
	return 0
}
tun_gone() { ! nsx 1 ip link show "$IT_TUN" >/dev/null 2>&1; }

# 5. not root, and root without CAP_NET_ADMIN: what to do, nothing created
out=$(timeout 30 ip netns exec "$(ns 1)" setpriv --reuid="$IT_USER" --regid="$(id -g "$IT_USER")" --clear-groups \
	"$EESPD" -f -c "$conf" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "a start as $IT_USER exited $rc: $out"
grep -q "eespd: must be started as root (it runs as uid $(id -u "$IT_USER"))" <<<"$out" ||
	fail "a start as $IT_USER does not say to start as root: $out"
grep -q 'systemctl start eespd' <<<"$out" || fail "the non-root message names no way to start: $out"
log "as $IT_USER: $out"
out=$(timeout 30 ip netns exec "$(ns 1)" setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
	"$EESPD" -f -c "$conf" 2>&1)
rc=$?
[ $rc -eq 1 ] || fail "a start without CAP_NET_ADMIN exited $rc: $out"
grep -q 'runs as root but without CAP_NET_ADMIN' <<<"$out" || fail "no CAP_NET_ADMIN message: $out"
grep -q -- '--cap-add NET_ADMIN' <<<"$out" || fail "the CAP_NET_ADMIN message says not what to do: $out"
log "without CAP_NET_ADMIN: $out"
[ ! -e "$d/state" ] || fail "a refused start created the state directory"
tun_gone || fail "a refused start created $IT_TUN"

# 1. detached, port taken
hold_port
out=$(timeout 30 ip netns exec "$(ns 1)" "$EESPD" -c "$conf" 2>&1)
rc=$?
log "detached start, port taken: exit $rc: $out"
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "detached start with the port taken exited $rc (expected 1)"
grep -q 'bind \[::\]:4500: Address already in use' <<<"$out" || fail "no bind error on stderr: $out"
grep -q "ss -ulpn 'sport = :4500'" <<<"$out" || fail "the port-in-use error does not say how to find the holder: $out"
grep -q 'daemon.port' <<<"$out" || fail "the port-in-use error does not name daemon.port: $out"
wait_for 5 nothing_left || fail "a daemon is left running after the failed start"
wait_for 5 tun_gone || fail "the failed start left $IT_TUN behind"

# 4a. the same failure in the foreground, stderr the journal's stream
: >"$d/journal.err"
jstream=$(stat -c '%d:%i' "$d/journal.err")
JOURNAL_STREAM=$jstream timeout 30 ip netns exec "$(ns 1)" "$EESPD" -f -c "$conf" 2>>"$d/journal.err"
rc=$?
[ $rc -eq 1 ] || fail "foreground start with the port taken exited $rc"
grep -q '^<3>bind \[::\]:4500: Address already in use' "$d/journal.err" ||
	fail "no '<3>' line for the failure on the journal stream: $(cat "$d/journal.err")"
grep -q '^<6>' "$d/journal.err" || fail "no '<6>' (info) line on the journal stream: $(cat "$d/journal.err")"
grep -q '^eespd: ' "$d/journal.err" && fail "an 'eespd: ' prefix on the journal stream: $(cat "$d/journal.err")"
log "journal stream: $(grep -c '^<[0-7]>' "$d/journal.err") prefixed lines, e.g. $(grep '^<3>' "$d/journal.err" | head -1 | cut -c1-60)"
wait_for 5 tun_gone || fail "the failed start left $IT_TUN behind"

# 3b. the failure under Type=notify (abstract socket): a STATUS=, no READY=1
notify_listen() { # notify_listen ADDR FILE: one line per datagram, "pid<TAB>payload"
	ip netns exec "$(ns 1)" "$PY" -c '
import socket, struct, sys, time
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + addr[1:] if addr[0] == "@" else addr)
s.settimeout(60)
open(out + ".up", "w").close()
while True:
    try:
        data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    except socket.timeout:
        break
    pid = 0
    for lvl, typ, c in anc:
        if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
            pid = struct.unpack("iII", c[:12])[0]
    with open(out, "a") as f:
        f.write("%d\t%s\n" % (pid, data.decode().replace("\n", "|")))
' "$1" "$2" >>"$IT_DIR/notify.log" 2>&1 &
	IT_PIDS+=($!)
	NOTIFY_PID=$!
	wait_for 5 test -e "$2.up" || fail "notify listener did not start: $(cat "$IT_DIR/notify.log")"
}
nfile=$d/notify-fail
notify_listen "@eesp26-$$" "$nfile"
NOTIFY_SOCKET="@eesp26-$$" timeout 30 ip netns exec "$(ns 1)" "$EESPD" -f -c "$conf" >"$d/fail.log" 2>&1
rc=$?
[ $rc -eq 1 ] || fail "start under NOTIFY_SOCKET with the port taken exited $rc"
wait_for 5 grep -qs 'STATUS=start-up failed: bind \[::\]:4500: Address already in use' "$nfile" ||
	fail "no STATUS= with the reason on the notify socket: $(cat "$nfile" 2>/dev/null)"
grep -q 'READY=1' "$nfile" && fail "READY=1 sent by a start that failed: $(cat "$nfile")"
kill "$NOTIFY_PID" 2>/dev/null
log "notify (failed start): $(cut -f2 "$nfile" | head -1)"
release_port
wait_for 5 tun_gone || fail "the failed start left $IT_TUN behind"

# 2. detached, success: ready when the parent exits
out=$(timeout 30 ip netns exec "$(ns 1)" "$EESPD" -c "$conf" 2>&1)
rc=$?
[ $rc -eq 0 ] || fail "detached start exited $rc: $out"
st=$(ctl 1 "show json" 2>&1) || fail "the control socket does not answer right after the detached start returned: $st"
grep -q '^ok' <<<"$st" || fail "status right after the start: $st"
nsx 1 ip -o addr show dev "$IT_TUN" | grep "$(in4 1)/" >/dev/null || fail "$IT_TUN has no address when the detached start returned"
dpid=$(tail -n +2 <<<"$st" | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["status"]["pid"])')
log "detached start returned 0 with the daemon ready (pid $dpid)"
kill -TERM "$dpid"
wait_for 10 nothing_left || fail "the detached daemon did not stop on SIGTERM"
wait_for 5 tun_gone || fail "$IT_TUN left behind after the stop"

# 3a/4b. Type=notify success, journal stream on, from the daemon's own pid
nfile=$d/notify-ok
notify_listen "$d/notify.sock" "$nfile"
: >"$d/journal2.err"
jstream=$(stat -c '%d:%i' "$d/journal2.err")
NOTIFY_SOCKET="$d/notify.sock" JOURNAL_STREAM=$jstream ip netns exec "$(ns 1)" "$EESPD" -f -c "$conf" \
	2>>"$d/journal2.err" &
dpid=$!
IT_DPID[1]=$dpid
wait_for 20 grep -qs 'READY=1' "$nfile" || fail "no READY=1: $(cat "$nfile" 2>/dev/null); log: $(cat "$d/journal2.err")"
ctl 1 status | grep "^ok" >/dev/null || fail "READY=1 came before the control socket answers"
line=$(grep 'READY=1' "$nfile")
[ "$(cut -f1 <<<"$line")" = "$dpid" ] || fail "READY=1 from pid $(cut -f1 <<<"$line"), the daemon is $dpid"
grep -q "STATUS=eespd .* interface $IT_TUN, port 4500" <<<"$line" || fail "READY=1 without its STATUS=: $line"
grep -q "^<6>eespd .* started" "$d/journal2.err" || fail "no '<6>... started' on the journal stream: $(cat "$d/journal2.err")"
log "notify: $(cut -f2 <<<"$line")"
kill -TERM "$dpid"
wait_for 10 grep -qs 'STOPPING=1' "$nfile" || fail "no STOPPING=1 on SIGTERM: $(cat "$nfile")"
wait "$dpid"
rc=$?
[ $rc -eq 0 ] || fail "eespd exited $rc after SIGTERM"
unset 'IT_DPID[1]'
kill "$NOTIFY_PID" 2>/dev/null
wait_for 5 tun_gone || fail "$IT_TUN left behind after the stop"

# 4c. JOURNAL_STREAM naming another stream: the usual prefixes
out=$(JOURNAL_STREAM=1:1 "$EESPD" -f -c "$d/none.conf" 2>&1)
grep -q '^eespd: ' <<<"$out" || fail "a JOURNAL_STREAM of another stream changed the prefixes: $out"

log "PASS"
