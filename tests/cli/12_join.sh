#!/usr/bin/env bash
# 12: domain create --address/--endpoint, domain invite and join, without a
# daemon (tests/integration/29_join.sh runs them on two hosts):
#   - create writes a complete eespd.conf (eespd -t accepts it) and the roster;
#   - invite hands out node ids in order, never one twice (not after a refused
#     invite, not after the peer was removed, never a node id a peer has),
#     writes NAME.join 0600 and never over a file, and adds the peer to
#     eespd.conf keeping every other line (comments included);
#   - the bundle's MAC is HMAC-SHA256 under HKDF-SHA256 of the domain root, as
#     eespctl(8) says (recomputed here in Python);
#   - join refuses a changed, truncated, unversioned or readable bundle, a
#     line it does not know even under a valid MAC, and existing files
#     (unless --force), and writes nothing when it refuses.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# as root the files get owners: the daemon user is nobody (never create one here)
U=$(id -un)
[ "$(id -u)" = 0 ] && U=nobody
A=$TMP/alpha
E=$(realpath "$E") B=$(realpath "$B") # the test works in $TMP
cd "$TMP" || exit 1

expect_ok "create --address --endpoint" "$E" domain create "$A" --id 0x7E570001 --address 192.0.2.1/24 \
	--address 2001:db8:1::1/64 --endpoint 198.51.100.10 --node-name alpha --user "$U"
C=$(cat "$A/eespd.conf")
contains "$C" 'addresses = \[ "192.0.2.1/24", "2001:db8:1::1/64" \];' "config: the tunnel addresses"
contains "$C" 'control_socket = "/run/eespd/eesp0.sock";' "config: eespctl's default socket"
contains "$C" '^peers = \($' "config: a peers list"
contains "$(cat "$A/nodes")" '^self 1 alpha 198.51.100.10:4500$' "roster: this node"
contains "$(cat "$A/nodes")" '^next 2$' "roster: next id 2"
if [ -x "$B/eespd" ] && [ "$(id -u)" = 0 ]; then
	expect_ok "eespd -t accepts create's config" "$B/eespd" -t -c "$A/eespd.conf"
fi
expect_fail "create: bad address" 2 "not an interface address" "$E" domain create x --address 192.0.2.1
expect_fail "create: bad endpoint" 2 "not an IPv4 or IPv6 address" "$E" domain create x --endpoint alpha.example
expect_fail "create: bad port" 2 "bad port" "$E" domain create x --endpoint 198.51.100.1:99999
expect_fail "create: --address with psp" 2 "for eesp domains" "$E" domain create x --mode psp --address 192.0.2.1/24

# a comment in the peers list, as an operator may write one: invite keeps it
sed -i 's/^peers = ($/peers = (\n  # hand-written comment, kept by invite/' "$A/eespd.conf"

expect_ok "invite beta" "$E" domain invite "$A" beta --address 192.0.2.2/24 --address 2001:db8:1::2/64 \
	--endpoint 198.51.100.20
contains "$OUT" '^node 2 \(beta\) invited' "beta is node 2"
contains "$OUT" 'eespd is not running' "no daemon: says so"
same "$(stat -c %a beta.join)" 600 "bundle mode 0600"
contains "$(head -1 beta.join)" '^eesp-join 1$' "bundle version line"
C=$(cat "$A/eespd.conf")
contains "$C" 'hand-written comment, kept by invite' "invite keeps the comment in the peers list"
contains "$C" '\{ name = "beta"; endpoint = "198.51.100.20:4500"; node_id = 2;' "config gains peer beta"
contains "$C" 'allowed_ips = \[ "192.0.2.2/32", "2001:db8:1::2/128" \]' "beta's host prefixes"
if [ -x "$B/eespd" ] && [ "$(id -u)" = 0 ]; then
	expect_ok "eespd -t accepts the config with beta" "$B/eespd" -t -c "$A/eespd.conf"
	contains "$OUT" "1 peers" "eespd -t: one peer"
fi
expect_fail "invite beta again" 1 "already in eespd.conf" "$E" domain invite "$A" beta --address 192.0.2.9/24 --endpoint 198.51.100.29
expect_fail "invite: an address of a peer" 1 "already peer beta's" "$E" domain invite "$A" x --address 192.0.2.2/24 --endpoint 198.51.100.29
expect_fail "invite: this node's address" 1 "this node's own" "$E" domain invite "$A" x --address 192.0.2.1/24 --endpoint 198.51.100.29
expect_fail "invite: bundle file exists" 1 "refusing to overwrite" "$E" domain invite "$A" gamma --address 192.0.2.3/24 \
	--endpoint 198.51.100.30 -o beta.join
contains "$(cat "$A/nodes")" '^next 4$' "a refused invite burns its id (3)"
lacks "$(cat "$A/eespd.conf")" 'gamma' "a refused invite does not touch eespd.conf"
# a node id that a peer written by hand already has is skipped
python3 - "$A/eespd.conf" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read().replace('\n);\n', ',\n  { name = "manual"; endpoint = "198.51.100.44:4500"; node_id = 4;\n    allowed_ips = [ "192.0.2.44/32" ]; }\n);\n')
open(p, "w").write(s)
EOF
expect_ok "invite gamma" "$E" domain invite "$A" gamma --address 192.0.2.3/24 --endpoint 198.51.100.30
contains "$OUT" '^node 5 \(gamma\)' "gamma is node 5: 3 was burnt, 4 is a peer's"
# a peer removed by hand: its id is still never handed out again
python3 - "$A/eespd.conf" <<'EOF'
import re, sys
p = sys.argv[1]
s, n = re.subn(r',\n  \{ name = "gamma";[^}]*\}', "", open(p).read())
assert n == 1
open(p, "w").write(s)
EOF
expect_ok "invite delta" "$E" domain invite "$A" delta --address 192.0.2.4/24 --endpoint 198.51.100.40
contains "$OUT" '^node 6 \(delta\)' "delta is node 6, not gamma's 5 again"
ids=$(awk '$1 == "node" { print $2 }' "$A/nodes" | sort -n | uniq -d)
same "$ids" "" "the roster records no id twice"

# the MAC, recomputed from eespctl(8)'s description
mac_check() {
	python3 - "$1" <<'EOF'
import hashlib, hmac, sys
t = open(sys.argv[1], "rb").read()
body, last = t[:t.rindex(b"\nmac ") + 1], t[t.rindex(b"\nmac ") + 1:]
keys = {}
for l in body.split(b"\n"):
    w = l.split()
    if w[:3] == [b"key", b"domain", b"0"]:
        keys[int(w[3])] = (bytes.fromhex(w[4].decode()), len(w) > 5)
    if w[:1] == [b"domain"]:
        did = int(w[2], 16)
root = max((g, k) for g, (k, nxt) in keys.items() if not nxt)[1]
info = b"v1" + did.to_bytes(4, "big")
prk = hmac.new(b"eesp join bundle", root, hashlib.sha256).digest()
okm = hmac.new(prk, info + b"\x01", hashlib.sha256).digest()
mac = hmac.new(okm, body, hashlib.sha256).hexdigest()
if len(sys.argv) > 2 or last.strip() != b"mac " + mac.encode():
    sys.stdout.write(mac)
    sys.exit(1)
EOF
}
# remac FILE: a new valid MAC after an edit (as anyone who can read it can)
remac() {
	local m
	m=$(mac_check "$1")
	sed -i "s/^mac .*/mac $m/" "$1"
}
if mac_check beta.join; then ok; else fail "the bundle's MAC is not HMAC-SHA256(HKDF-SHA256(root, \"eesp join bundle\", \"v1\" || id), body)"; fi

J=$TMP/beta
expect_ok "join" "$E" join beta.join "$J" --user "$U"
contains "$OUT" 'joined domain "alpha" \(0x7e570001\) as node 2 \(beta\)' "join message"
contains "$OUT" "domain key fingerprint [0-9a-f]{16}" "join prints the fingerprint"
same "$(stat -c %a "$J/domain.keys")" 600 "joined key file 0600"
same "$(stat -c %a "$J/eespd.conf")" 644 "joined eespd.conf 0644"
if [ "$(id -u)" = 0 ]; then
	same "$(stat -c %U "$J/domain.keys")" "$U" "joined key file: the daemon user's"
	same "$(stat -c %U:%G:%a "$J")" "root:$(id -gn "$U"):750" "joined directory root:<daemon group> 0750"
fi
C=$(cat "$J/eespd.conf")
contains "$C" 'node_id = 2;' "joined config: node 2"
contains "$C" 'addresses = \[ "192.0.2.2/24", "2001:db8:1::2/64" \];' "joined config: its addresses"
contains "$C" '\{ name = "alpha"; endpoint = "198.51.100.10:4500"; node_id = 1;' "joined config: alpha as peer"
contains "$C" 'id = 0x7E570001;' "joined config: the domain id"
same "$(awk '$1 == "domain" && NF >= 4 { print $4 }' "$J/domain.keys")" \
	"$(awk '$1 == "domain" && NF >= 4 { print $4 }' "$A/domain.keys")" "joined key file: the domain root"
[ ! -e "$J/nodes" ] && ok || fail "a joined node has no roster"
if [ -x "$B/eespd" ] && [ "$(id -u)" = 0 ]; then
	expect_ok "eespd -t accepts the joined config" "$B/eespd" -t -c "$J/eespd.conf"
fi
expect_fail "invite from a joined node" 1 "no node roster" "$E" domain invite "$J" x --address 192.0.2.77/24 --endpoint 198.51.100.77
sum=$(cat "$J"/* | sha256sum)
expect_fail "join over existing files" 1 "refusing to overwrite.*--force" "$E" join beta.join "$J" --user "$U"
same "$(cat "$J"/* | sha256sum)" "$sum" "a refused join changes nothing"
expect_ok "join --force" "$E" join beta.join "$J" --user "$U" --force

# refused bundles, and nothing written for them
refused() {
	local d=$1 re=$2
	expect_fail "$d" 1 "$re" "$E" join bad.join "$TMP/bad" --user "$U"
	[ ! -e "$TMP/bad/eespd.conf" ] && [ ! -e "$TMP/bad/domain.keys" ] && ok || fail "$d: files were written"
	rm -rf "$TMP/bad"
}
sed 's/198.51.100.10:4500/203.0.113.66:4500/' beta.join >bad.join
refused "changed endpoint" "MAC does not verify"
# the key's first hex digit changed (f for any other, 0 for an f)
sed -E 's/^(key domain 0 [0-9]+ )[0-9a-e]/\1f/; t; s/^(key domain 0 [0-9]+ )f/\10/' beta.join >bad.join
! cmp -s beta.join bad.join && ok || fail "changed key: the bundle's key line was not changed"
refused "changed key" "MAC does not verify|do not parse"
head -c 300 beta.join >bad.join
refused "truncated" "truncated or damaged"
sed '$d' beta.join >bad.join
refused "no mac line" "truncated or damaged"
sed 's/^eesp-join 1$/eesp-join 2/' beta.join >bad.join
refused "version 2" "version not supported"
printf 'hello\n' >bad.join
refused "not a bundle" "not an eesp join bundle"
sed 's/^mtu 1400$/mtu 1400\nmtu 1280/' beta.join >bad.join && remac bad.join
refused "a setting twice (valid MAC)" "bad.join:[0-9]+: setting given twice"
sed 's/^mtu 1400$/mtu 1400\nendpoint_override 203.0.113.9/' beta.join >bad.join && remac bad.join
refused "an unknown line (valid MAC)" "bad.join:[0-9]+: unknown line"
sed 's/^mtu 1400$/mtu 10/' beta.join >bad.join && remac bad.join
refused "mtu out of range (valid MAC)" "bad.join:[0-9]+: value out of range"
sed '/^port /d' beta.join >bad.join && remac bad.join
refused "a setting missing (valid MAC)" "incomplete bundle"
cp beta.join bad.join && chmod 0644 bad.join
refused "a bundle others may read" "mode 0644"
finish
