#!/usr/bin/env bash
# 77: eesp-iked's process model, PSK files and configuration errors.
#   1. refused at start, each with "eesp-iked.conf:LINE:" naming the
#      setting or the PSK file and its fault: an unknown setting, an
#      unknown proposal word, no local_id, a code point out of its private
#      range, cookie_threshold above half_open_max, a missing user; a PSK
#      file with mode 0644, owned by root, a symbolic link, with two hard
#      links, too short;
#   2. running: three processes (parent, authenticating, IKE), all the
#      daemon user's, with no capabilities (CapEff/CapPrm/CapBnd 0),
#      no_new_privs, not dumpable; only the IKE process has the UDP socket
#      on port 500; the PSK's octets are in the authenticating process's
#      memory and in neither the IKE process's nor the parent's;
#   3. killing the authenticating process stops eesp-iked (exit status 1,
#      logged); killing the parent ends both children; SIGTERM stops it
#      cleanly (status 0).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
net_create 2
iked_conf 1 2
conf=$(iked_conf_path 1)
d=$(node_dir 1)
psk=$d/keys/peer2.psk
cp "$conf" "$IT_DIR/good.conf"

out=$(ip netns exec "$(ns 1)" "$IKED" -t -c "$conf" 2>&1) || fail "eesp-iked -t on a good config: $out"
grep -q 'configuration OK (1 peer(s))' <<<"$out" || fail "eesp-iked -t: $out"

# refused SED REGEX: the config edited by SED must stop eesp-iked with REGEX
refused() {
	local ed=$1 want=$2 out rc
	sed -e "$ed" "$IT_DIR/good.conf" >"$conf"
	out=$(ip netns exec "$(ns 1)" "$IKED" -f -c "$conf" 2>&1)
	rc=$?
	[ $rc -ne 0 ] || fail "eesp-iked started with ($ed)"
	grep -Eq -- "$want" <<<"$out" || fail "($ed): wanted /$want/, got: $out"
	log "refused: $(head -1 <<<"$out")"
}
refused 's/local_id = /frobnicate = 1; local_id = /' "eesp-iked.conf:[0-9]+: unknown setting 'frobnicate' in ike"
refused 's/aes256gcm16-prfsha256-x25519/aes999gcm16-prfsha256-x25519/' \
	"eesp-iked.conf:[0-9]+: proposals: unknown encryption 'aes999gcm16'"
refused 's/local_id = "[^"]*";//' "eesp-iked.conf:[0-9]+: missing setting 'local_id'"
refused 's/^ike: {/code_points: { psp_protocol = 100; };\nike: {/' \
	"eesp-iked.conf:[0-9]+: 'psp_protocol' = 100 out of range \[201, 255\]"
refused 's/local_id = /cookie_threshold = 50; half_open_max = 20; local_id = /' \
	"eesp-iked.conf:[0-9]+: cookie_threshold = 50 is above half_open_max = 20"
refused "s/user = \"$IT_USER\"/user = \"nosuchuser$$\"/" "eesp-iked.conf:[0-9]+: user 'nosuchuser$$' does not exist"
cp "$IT_DIR/good.conf" "$conf"
chmod 0644 "$psk"
refused '' "eesp-iked.conf:[0-9]+: peer node2: psk file $psk: mode 0644 is too open"
chmod 0600 "$psk"
chown root "$psk"
refused '' "psk file $psk: owned by uid 0, not by the daemon user"
chown "$IT_USER" "$psk"
mv "$psk" "$psk.real"
ln -s "$psk.real" "$psk"
refused '' "psk file $psk: a symbolic link \(refused\)"
rm "$psk"
ln "$psk.real" "$psk"
refused '' "psk file $psk: has 2 hard links"
rm "$psk.real"
printf 'short\n' >"$psk"
refused '' "psk file $psk: 5 octets: a PSK needs at least 16"
printf '%s\n' "$IKED_PSK" | write_secret "$psk"

log "2. the running processes"
iked_start 1
parent=${IT_IPID[1]}
kids=$(pgrep -P "$parent" | tr '\n' ' ')
[ "$(wc -w <<<"$kids")" = 2 ] || fail "eesp-iked has children '$kids', want two"
ike=$(nsx 1 ss -Hulpn 'sport = :500' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
[ -n "$ike" ] && [ "$(wc -w <<<"$ike")" = 1 ] || fail "the UDP socket on port 500 is held by '$ike'"
auth=""
for k in $kids; do [ "$k" = "$ike" ] || auth=$k; done
[ -n "$auth" ] && [[ " $kids " == *" $ike "* ]] || fail "the UDP socket is not the IKE child's ($ike; children $kids)"
uid=$(id -u "$IT_USER")
for p in "$parent" "$ike" "$auth"; do
	st=/proc/$p/status
	awk -v u="$uid" '$1 == "Uid:" { exit !($2 == u && $3 == u && $4 == u && $5 == u) }' "$st" ||
		fail "process $p does not run as $IT_USER: $(grep Uid "$st")"
	for c in CapEff CapPrm CapBnd CapInh CapAmb; do
		grep -q "^$c:[[:space:]]*0000000000000000" "$st" || fail "process $p has $(grep "^$c" "$st")"
	done
	grep -q '^NoNewPrivs:[[:space:]]*1' "$st" || fail "process $p lacks no_new_privs"
done
log "parent $parent, IKE $ike, authenticating $auth: uid $uid, no capabilities, no_new_privs"
# the PSK's octets: only in the authenticating process
has_psk() {
	"$PY" - "$1" "$IKED_PSK" <<'PYEOF'
import re, sys
pid, key = sys.argv[1], sys.argv[2].encode()
found = False
with open("/proc/%s/maps" % pid) as m, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in m:
        a, perm = line.split()[:2]
        if not perm.startswith("r") or "[vvar]" in line or "[vsyscall]" in line:
            continue
        lo, hi = (int(x, 16) for x in a.split("-"))
        # ASan's shadow and allocator reserve terabytes of address space
        # that hold no key: skip mappings above 1 GiB, read the rest in
        # 1 MiB pieces that overlap by the key's length
        if hi - lo > 1 << 30:
            continue
        tail = b""
        pos = lo
        while pos < hi:
            n = min(1 << 20, hi - pos)
            try:
                mem.seek(pos)
                buf = tail + mem.read(n)
            except (OSError, ValueError, OverflowError):
                break
            if key in buf:
                found = True
                break
            tail = buf[-len(key):]
            pos += n
        if found:
            break
sys.exit(0 if found else 1)
PYEOF
}
has_psk "$auth" || fail "the PSK is not in the authenticating process's memory (the scan is broken)"
has_psk "$ike" && fail "the PSK is in the IKE process's memory"
has_psk "$parent" && fail "the PSK is in the parent's memory"
log "PSK found in the authenticating process only"
# not dumpable: its /proc files then belong to root, not to the daemon user
# (the /proc/PID directory itself keeps the process's uid)
for p in "$parent" "$ike" "$auth"; do
	[ "$(stat -c %u "/proc/$p/environ")" = 0 ] ||
		fail "process $p is dumpable (/proc/$p/environ owned by $(stat -c %U "/proc/$p/environ"))"
done

log "3. stops"
kill -KILL "$auth"
for k in $(seq 50); do kill -0 "$parent" 2>/dev/null || break; sleep 0.1; done
kill -0 "$parent" 2>/dev/null && fail "eesp-iked kept running without its authenticating process"
wait "$parent"
rc=$?
[ $rc = 1 ] || fail "exit status $rc after the authenticating process died"
iked_logged 1 'the authenticating process was killed by signal 9' || fail "not logged: $(tail -3 "$(iked_log 1)")"
kill -0 "$ike" 2>/dev/null && fail "the IKE process outlived the parent"
# the children die with the parent (PR_SET_PDEATHSIG, set after the
# privilege drop, which would clear it)
iked_start 1
parent=${IT_IPID[1]}
kids=$(pgrep -P "$parent" | tr '\n' ' ')
kill -KILL "$parent"
wait "$parent" 2>/dev/null
orphans() {
	local k
	for k in $kids; do kill -0 "$k" 2>/dev/null && return 0; done
	return 1
}
for k in $(seq 50); do orphans || break; sleep 0.1; done
orphans && fail "children $kids outlived their parent (killed with SIGKILL) by 5 s"
log "the children ($kids) ended with their parent"
iked_start 1
parent=${IT_IPID[1]}
kill -TERM "$parent"
wait "$parent"
rc=$?
[ $rc = 0 ] || fail "exit status $rc after SIGTERM"
unset "IT_IPID[1]"
iked_logged 1 'stopped' || fail "no 'stopped' in the log"
log "PASS"
