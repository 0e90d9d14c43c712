#!/usr/bin/env bash
# 06: bad configuration and key files stop startup, both `eespd -t -c FILE`
# and a real start, with a message that names the file, the line and the
# problem.  A valid configuration is checked first, so that the test proves
# the failures come from the defects it introduces.
. "$(dirname "$0")/lib.sh"
it_init
ns_add "$(ns 1)"
IT_NODES=1
keys_eesp
conf_eesp 1 "2"
good=$(node_conf 1)
d=$(node_dir 1)
cp -p "$d/keys/lab.keys" "$d/keys/good.keys"

out=$("$EESPD" -t -c "$good" 2>&1) || fail "the valid config fails -t: $out"
log "valid config: eespd -t exit 0"

nfail=0
# case NAME CONF PATTERN...: both runs must fail and print every pattern (ERE);
# CASE_MODES=start for a defect that only a start can see
case_() {
	local name=$1 conf=$2 out rc p miss=""
	shift 2
	for mode in ${CASE_MODES:-check start}; do
		if [ $mode = check ]; then
			out=$(timeout 60 "$EESPD" -t -c "$conf" 2>&1)
			rc=$?
		else
			out=$(timeout 60 ip netns exec "$(ns 1)" "$EESPD" -f -c "$conf" 2>&1)
			rc=$?
			# a start that did not fail must not leave a TUN behind for the next case
			ip -n "$(ns 1)" link del "$IT_TUN" 2>/dev/null
		fi
		miss=""
		if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then
			miss="exit status $rc (expected a failure)"
		fi
		for p in "$@"; do
			grep -Eiq -- "$p" <<<"$out" || miss+=" [no /$p/]"
		done
		if [ -n "$miss" ]; then
			echo "FAILED $name ($mode): $miss; output was:" >&2
			sed 's/^/    /' <<<"$out" >&2
			nfail=$((nfail + 1))
		else
			log "ok   $name ($mode, exit $rc): $(head -1 <<<"$out")"
		fi
	done
}
lineof() { grep -n -- "$1" "$2" | head -1 | cut -d: -f1; }
esc() { sed 's/[.[\*^$()+?{|]/\\&/g' <<<"$1"; }

# 1. syntax error: "mtu == 1400;"
c="$d/syntax.conf"
sed 's/^  mtu = 1400;/  mtu == 1400;/' "$good" >"$c"
n=$(lineof 'mtu == 1400' "$c")
[ -n "$n" ] || fail "test bug: no syntax error introduced"
case_ "syntax error" "$c" "$(esc "$c")" "(line |:)$n([^0-9]|$)" "syntax" 'near "mtu == 1400;"'
# 1b. libconfig reports an unclosed string or group at the end of the file:
# the message names the line where it was opened (issue 17, item 6)
c="$d/unclosed.conf"
sed 's/^  mode = "eesp";/  mode = "eesp;/' "$good" >"$c"
n=$(lineof 'mode = "eesp;' "$c")
[ -n "$n" ] || fail "test bug: no unclosed string introduced"
case_ "unclosed string" "$c" "syntax error" "the string opened on line $n runs past the end of its line"
c="$d/unclosed2.conf"
sed '/^domain: {/,$d' "$good" >"$c"
echo 'domain: {' >>"$c"
n=$(lineof '^domain: {' "$c")
case_ "unclosed group" "$c" "syntax error" "the '\{' opened on line $n is never closed"

# 1c. the configuration file is a symlink: refused in words, like key files
ln -s "$good" "$d/link.conf"
case_ "config file a symlink" "$d/link.conf" "link\.conf" "symlinks are refused" "$(esc "-c $good")"

# 2. a wrong value: mode = "foo"
c="$d/badmode.conf"
sed 's/mode = "eesp"/mode = "foo"/' "$good" >"$c"
n=$(lineof 'mode = "foo"' "$c")
case_ "bad mode value" "$c" "$(esc "$c")" "(line |:)$n([^0-9]|$)" "mode"

# 3. missing key file
c="$d/nokey.conf"
sed 's#keys/lab.keys#keys/missing.keys#' "$good" >"$c"
n=$(lineof 'missing.keys' "$c")
case_ "missing key file" "$c" "$(esc "$c"):$n:" "missing\.keys" "(No such file|not found|does not exist|missing|cannot open)"

# 4. key file mode 0644
c="$d/mode.conf"
cp -p "$d/keys/good.keys" "$d/keys/wide.keys"
chmod 0644 "$d/keys/wide.keys"
sed 's#keys/lab.keys#keys/wide.keys#' "$good" >"$c"
n=$(lineof 'wide.keys' "$c")
case_ "key file mode 0644" "$c" "$(esc "$c"):$n:" "wide\.keys" "(0644|mode|permission|readable)"

# 5. key file owned by another user
c="$d/owner.conf"
cp -p "$d/keys/good.keys" "$d/keys/owner.keys"
chmod 0600 "$d/keys/owner.keys"
chown 12345:12345 "$d/keys/owner.keys"
sed 's#keys/lab.keys#keys/owner.keys#' "$good" >"$c"
n=$(lineof 'owner.keys' "$c")
case_ "key file owned by uid 12345" "$c" "$(esc "$c"):$n:" "owner\.keys" "(own|uid)"

# 5b. key file owned by root while eespd drops to the daemon user: it could
# not re-read it on reload (before, such a reload kept the old keys and
# answered ok), so start-up refuses it
if [ "$(id -u)" = 0 ] && [ "$IT_USER" != root ]; then
	c="$d/rootkey.conf"
	cp -p "$d/keys/good.keys" "$d/keys/root.keys"
	chown 0:0 "$d/keys/root.keys"
	sed 's#keys/lab.keys#keys/root.keys#' "$good" >"$c"
	n=$(lineof 'root.keys' "$c")
	case_ "key file owned by root" "$c" "$(esc "$c"):$n:" "root\.keys" "owned by uid 0" "reload" "chown"
fi

# 6. bad hex on line 3 of a key file
c="$d/badhex.conf"
{
	echo "# a key file with a bad key on line 3"
	echo ""
	echo "domain 0 $IT_ROOT_GEN ${IT_ROOT_KEY:0:60}zzzz"
} | write_secret "$d/keys/badhex.keys"
sed 's#keys/lab.keys#keys/badhex.keys#' "$good" >"$c"
case_ "bad key hex on line 3" "$c" "badhex\.keys" "(line |:)3([^0-9]|$)" "hex"

# 7. a key of the wrong length on line 2
c="$d/short.conf"
{
	echo "# short key on line 2"
	echo "domain 0 $IT_ROOT_GEN ${IT_ROOT_KEY:0:32}"
} | write_secret "$d/keys/short.keys"
sed 's#keys/lab.keys#keys/short.keys#' "$good" >"$c"
case_ "short key on line 2" "$c" "short\.keys" "(line |:)2([^0-9]|$)" "(length|short|64|32 bytes|hex)"

# 8. the configuration file itself missing
case_ "missing config file" "$d/nonexistent.conf" "nonexistent\.conf" "(No such file|not found|does not exist|cannot open)"

# 9. an offload switch that is not a boolean
c="$d/badbool.conf"
sed 's/^  workers = 1;/  workers = 1;\n  udp_gso = 1;/' "$good" >"$c"
n=$(lineof 'udp_gso = 1' "$c")
[ -n "$n" ] || fail "test bug: no udp_gso line introduced"
case_ "udp_gso not a boolean" "$c" "$(esc "$c")" "(line |:)$n([^0-9]|$)" "udp_gso must be true or false"

# 9b. the hardening settings: seccomp a boolean, lock_memory one of three words
c="$d/badseccomp.conf"
sed 's/^  workers = 1;/  workers = 1;\n  seccomp = 1;/' "$good" >"$c"
n=$(lineof 'seccomp = 1' "$c")
[ -n "$n" ] || fail "test bug: no seccomp line introduced"
case_ "seccomp not a boolean" "$c" "$(esc "$c")" "(line |:)$n([^0-9]|$)" "seccomp must be true or false"
c="$d/badlock.conf"
sed 's/^  workers = 1;/  workers = 1;\n  lock_memory = "most";/' "$good" >"$c"
n=$(lineof 'lock_memory = "most"' "$c")
[ -n "$n" ] || fail "test bug: no lock_memory line introduced"
case_ "lock_memory unknown" "$c" "$(esc "$c")" "(line |:)$n([^0-9]|$)" \
	'lock_memory must be "auto", "all" or "keys", not "most"'

# 10. no send socket can be bound: every port of source_ports is taken (the
# configuration is valid, so -t passes; the start must fail and say why)
c="$d/busyports.conf"
sed 's/source_ports = \[ 49152, 65535 \];/source_ports = [ 50000, 50001 ];/' "$good" >"$c"
grep -q 'source_ports = \[ 50000, 50001 \]' "$c" || fail "test bug: source_ports not changed"
# ip netns exec execs python: $! is the holder itself
ip netns exec "$(ns 1)" "$PY" -c '
import socket, sys, time
ss = []
for p in (50000, 50001):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", p))
    ss.append(s)
print("bound", flush=True)
time.sleep(300)
' >"$d/holder.out" 2>&1 &
IT_PIDS+=($!)
wait_for 30 grep -q bound "$d/holder.out" || fail "could not occupy ports 50000-50001: $(cat "$d/holder.out")"
out=$(timeout 60 "$EESPD" -t -c "$c" 2>&1) || fail "the busy-ports config fails -t (it is valid): $out"
CASE_MODES=start case_ "all source ports taken" "$c" "source_ports \\[50000, 50001\\]: no port could be bound"
kill "${IT_PIDS[-1]}" 2>/dev/null
wait "${IT_PIDS[-1]}" 2>/dev/null
wait_for 30 sh -c "[ -z \"\$(ip netns pids $(ns 1))\" ]" || fail "the port holder did not exit"

# 11. a peer with this node's own node id, and two peers with one node id:
# both would reuse nonces (eesp.7 IV UNIQUENESS)
c="$d/ownnode.conf"
sed 's/^\(  { name = "n2"; .*\)node_id = 2;/\1node_id = 1;/' "$good" >"$c"
n=$(lineof 'name = "n2";.*node_id = 1;' "$c")
[ -n "$n" ] || fail "test bug: peer node id not changed"
case_ "peer with our own node id" "$c" "$(esc "$c"):$n:" "node_id 1 is this node's own"
c="$d/dupnode.conf"
sed 's/^peers = (/peers = ( { name = "twin"; endpoint = "198.51.100.9:4500"; node_id = 2; allowed_ips = [ "192.0.2.9\/32" ]; },/' "$good" >"$c"
grep -q 'name = "twin"' "$c" || fail "test bug: twin peer not added"
case_ "two peers with one node id" "$c" "$(esc "$c"):[0-9]+:" "node_id 2 is also peer twin's"

# 12. a daemon user that does not exist (issue 14, finding 10: it used to
# become "nobody", a uid other services share)
c="$d/nouser.conf"
nouser=eespnouser$$
id "$nouser" >/dev/null 2>&1 && fail "test bug: user $nouser exists"
sed "s/^  user = \"$IT_USER\";/  user = \"$nouser\";/" "$good" >"$c"
n=$(lineof "user = \"$nouser\"" "$c")
[ -n "$n" ] || fail "test bug: no user line changed"
case_ "missing daemon user" "$c" "$(esc "$c"):$n:" "user '$nouser' does not exist" \
	"useradd --system --no-create-home --shell /usr/sbin/nologin $nouser"
# ... also when it is the default ("eesp") and the config does not say
if ! id eesp >/dev/null 2>&1; then
	c="$d/defaultuser.conf"
	sed "/^  user = \"$IT_USER\";/d" "$good" >"$c"
	case_ "default daemon user eesp missing" "$c" "$(esc "$c"):[0-9]+:" \
		"user 'eesp' \(the default of daemon.user\) does not exist" "useradd --system"
fi

# 13. an admin_group that does not exist
c="$d/noadmin.conf"
sed "s/^  user = \"$IT_USER\";/  user = \"$IT_USER\";\n  admin_group = \"$nouser\";/" "$good" >"$c"
n=$(lineof "admin_group" "$c")
[ -n "$n" ] || fail "test bug: no admin_group line added"
case_ "missing admin_group" "$c" "$(esc "$c"):$n:" "admin_group '$nouser' does not exist"

# 14. an sa_group that does not exist
c="$d/nosa.conf"
sed "s/^  user = \"$IT_USER\";/  user = \"$IT_USER\";\n  sa_group = \"$nouser\";/" "$good" >"$c"
n=$(lineof "sa_group" "$c")
[ -n "$n" ] || fail "test bug: no sa_group line added"
case_ "missing sa_group" "$c" "$(esc "$c"):$n:" "sa_group '$nouser' does not exist"

# 15. peers that collide (issue 17, item 2): one name twice, allowed_ips
# that overlap another peer's of the domain (containing it, or equal)
addpeer() { sed "s|^peers = (|peers = ( $1,|" "$good"; }
c="$d/dupname.conf"
addpeer '{ name = "n2"; endpoint = "198.51.100.9:4500"; node_id = 9; allowed_ips = [ "192.0.2.9/32" ]; }' >"$c"
n=$(lineof '^peers = ( { name = "n2"' "$c")
[ -n "$n" ] || fail "test bug: no second peer n2 added"
case_ "peer name given twice" "$c" "$(esc "$c"):[0-9]+:" 'peer name "n2" given twice \(also line '"$n"'\)'
c="$d/overlap.conf"
addpeer '{ name = "wide"; endpoint = "198.51.100.9:4500"; node_id = 9; allowed_ips = [ "192.0.2.0/25" ]; }' >"$c"
n=$(lineof 'name = "wide"' "$c")
case_ "allowed_ips containing another peer's" "$c" "$(esc "$c"):[0-9]+:" \
	"peer n2: allowed_ips 192\.0\.2\.2/32 overlaps 192\.0\.2\.0/25 of peer wide \(line $n\)"
c="$d/overlap6.conf"
addpeer '{ name = "twin6"; endpoint = "198.51.100.9:4500"; node_id = 9; allowed_ips = [ "2001:db8:1::2/128" ]; }' >"$c"
case_ "allowed_ips equal to another peer's" "$c" "$(esc "$c"):[0-9]+:" \
	"peer n2: allowed_ips 2001:db8:1::2/128 overlaps 2001:db8:1::2/128 of peer twin6"

# 16. a key file for another domain than the configuration's id, and id = 0
c="$d/otherdom.conf"
{
	echo "domain 0xC0FFEE02"
	echo "domain 0 $IT_ROOT_GEN $IT_ROOT_KEY"
} | write_secret "$d/keys/otherdom.keys"
sed 's#keys/lab.keys#keys/otherdom.keys#' "$good" >"$c"
n=$(lineof "id = $IT_DOMAIN_ID" "$c")
case_ "key file of another domain" "$c" "$(esc "$c"):$n:" "id = 0xc0ffee01, but key file .*otherdom\.keys is for domain 0xc0ffee02" \
	"set id = 0xc0ffee02"
c="$d/idzero.conf"
sed "s/id = $IT_DOMAIN_ID;/id = 0;/" "$good" >"$c"
n=$(lineof "id = 0;" "$c")
[ -n "$n" ] || fail "test bug: id not set to 0"
case_ "domain id 0" "$c" "$(esc "$c"):$n:" "id = 0: a domain id .* must be non-zero"

# 17. an all-zero root key, and a root key line without its key (which
# used to say "SPI must be a non-zero 32-bit number")
c="$d/zerokey.conf"
{
	echo "# all zeros on line 2"
	echo "domain 0 $IT_ROOT_GEN $(printf '0%.0s' $(seq 64))"
} | write_secret "$d/keys/zero.keys"
sed 's#keys/lab.keys#keys/zero.keys#' "$good" >"$c"
case_ "all-zero root key" "$c" "zero\.keys:2:" "all zeros, which is no secret" "eespctl genkey"
c="$d/nokeyhex.conf"
echo "domain 0 $IT_ROOT_GEN" | write_secret "$d/keys/nohex.keys"
sed 's#keys/lab.keys#keys/nohex.keys#' "$good" >"$c"
case_ "root key line without a key" "$c" "nohex\.keys:1:" "the key is missing"
out=$("$EESPD" -t -c "$c" 2>&1)
grep -q "SPI must be" <<<"$out" && { echo "FAILED root key line without a key: still says: $out" >&2; nfail=$((nfail + 1)); }

# 18. an IPv6 endpoint without brackets that also reads as ADDR:PORT; a bare
# IPv6 address that cannot be read so stays accepted (default port)
c="$d/v6bare.conf"
sed "s|endpoint = \"$(ul4 2):4500\"|endpoint = \"$(ul6 2):4500\"|" "$good" >"$c"
n=$(lineof "endpoint = \"$(ul6 2):4500\"" "$c")
[ -n "$n" ] || fail "test bug: endpoint not changed"
case_ "IPv6 endpoint without brackets" "$c" "$(esc "$c"):$n:" \
	"endpoint \"2001:db8:ff::2:4500\" is ambiguous" '"\[2001:db8:ff::2\]:4500" \(port 4500\)'
c="$d/v6plain.conf"
sed "s|endpoint = \"$(ul4 2):4500\"|endpoint = \"$(ul6 2)\"|" "$good" >"$c"
out=$("$EESPD" -t -c "$c" 2>&1) || { echo "FAILED bare IPv6 address: refused: $out" >&2; nfail=$((nfail + 1)); }

# 19. an exact duplicate of a peer under another name, where no node id
# tells them apart (psp mode): it used to be accepted.  Last, as conf_psp
# replaces the eesp configuration of node 1.
IT_NODES=2
keys_psp
conf_psp 1 "2"
pgood=$d/psp-good.conf
mv "$(node_conf 1)" "$pgood"
out=$("$EESPD" -t -c "$pgood" 2>&1) || fail "the valid psp config fails -t: $out"
c="$d/psp-dup.conf"
# the peer's three lines again, renamed, before it
awk '/^  \{ name = "n2";/ { a = $0; getline b; getline c; s = a; sub(/"n2"/, "\"n2copy\"", s)
	print s; print b; print c; print "  ,"; print a; print b; print c; next } { print }' "$pgood" >"$c"
grep -q 'name = "n2copy"' "$c" || fail "test bug: no copy of peer n2 added"
n=$(lineof 'name = "n2copy"' "$c")
case_ "identical duplicate peer (psp)" "$c" "$(esc "$c"):[0-9]+:" "peer n2 repeats peer n2copy \(line $n\)" "remove one"

daemon_alive_any=$(ip netns pids "$(ns 1)" | wc -l)
[ "$daemon_alive_any" -eq 0 ] || fail "a process is still running in the namespace after the failed starts"
[ $nfail -eq 0 ] || fail "$nfail case(s) did not stop startup with a clear message"
log "PASS"
