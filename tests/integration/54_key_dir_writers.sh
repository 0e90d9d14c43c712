#!/usr/bin/env bash
# 54_key_dir_writers.sh - the three key directory writers of
# conf/examples/keydir/ feed two running eespd (eespd.conf key_dir), and each
# new generation they write is the one the daemons use.  Root only (network
# namespaces).  A ping runs both ways from the first set to the last.
#
#  1. etcd (node 1): a real etcd (Debian's etcd-server) on loopback in node
#     1's namespace, its data in this test's directory; eesp-keydir-etcd
#     watches the key /eesp/lab/keydir.  Generation 1, then 2 and 3 put into
#     etcd become node 1's current generation (status and the key directory
#     agree on the version).  A torn value (a rotation tool that put only
#     cur and next) is refused by the writer and a DELETE is ignored: the
#     version and generation in force stay.
#  2. Kubernetes (node 2): the Secret of conf/examples/keydir/kubernetes.yaml
#     projected as the kubelet does (tests/tools/kubelet_secret.py: ..data
#     -> ..YYYY_MM_DD_HH_MM_SS.N, per-key links, root:fsGroup 0440, volume
#     root 3777) with the manifest's defaultMode and the test user's group as
#     fsGroup; the layout is checked, eespd applies generations 1 to 4, and a
#     Secret update with a malformed key is refused by eespd (status names
#     it) while generation 3 stays.  The manifest's ConfigMap configurations
#     pass eespd -t on the projected volume.
#  3. Vault Agent (node 1, the etcd writer stopped): the template of
#     conf/examples/keydir/vault-agent.hcl rendered (tests/tools/
#     ctmpl_render.py, a stand-in for consul-template: Vault is not in
#     Debian and is not run) and the template's exec command run on the
#     result, as the agent would: generation 4 applied; a secret without cur
#     is refused and generation 4 stays.
#  4. the ping lost nothing and no drop counter moved (but no_route and
#     tx_no_buffer).
. "$(dirname "$0")/lib.sh"
it_init
require_cmd etcd etcdctl
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
"$PY" -c 'import yaml, hcl' 2>/dev/null || skip "python3-yaml and python3-pyhcl are not installed (make deps)"

EX=conf/examples/keydir
KUBELET="$PY tests/tools/kubelet_secret.py"
# inotify alone applies new sets: the poll is an hour away
IT_CONF_DAEMON_EXTRA='  key_dir_poll = 3600;'
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"

kd() { echo "$(node_dir "$1")/keys/lab.d"; }
use_key_dir() {
	sed -i "s|key_file = \"keys/lab.keys\";|key_dir = \"keys/lab.d\";|" "$(node_conf "$1")"
	grep -q 'key_dir = "keys/lab.d"' "$(node_conf "$1")" || fail "config of node $1 not switched to key_dir"
	rm -f "$(node_dir "$1")/keys/lab.keys"
}
version() { ctl "$1" show | awk '$1 == "key_dir" { print $5 }'; }
refused() { ctl "$1" show | awk '$1 == "key_dir"' | grep -o 'refused .*'; }
on_disk() { readlink "$(kd "$1")/..data"; }
# at NODE GEN: the daemon sends with GEN and runs the set on disk
at() { [ "$(keygen "$1" current)" = "$2" ] && [ "$(version "$1")" = "$(on_disk "$1")" ]; }
must_reach() {
	wait_for 10 at "$1" "$2" ||
		fail "node $1 sends with generation '$(keygen "$1" current)', version '$(version "$1")' (on disk $(on_disk "$1")), expected generation $2: $(ctl "$1" show | awk '$1 == "key_dir"')"
	log "node $1 sends with generation $2 (version $(version "$1"))"
}
# stays NODE GEN VERSION: nothing changed
stays() {
	[ "$(version "$1")" = "$3" ] || fail "node $1 switched to version $(version "$1") (was $3)"
	[ "$(keygen "$1" current)" = "$2" ] || fail "node $1's current generation is $(keygen "$1" current), not $2"
}

# root keys per generation, and the set of generation G ("NAME VALUE" lines)
declare -A K=()
for g in $(seq 1 6); do K[$g]=$(openssl rand -hex 32); done
set_of() {
	local g=$1
	echo "generation $g"
	[ "$g" -le 1 ] || echo "prev ${K[$((g - 1))]}"
	echo "cur ${K[$g]}"
	echo "next ${K[$((g + 1))]}"
}
export EESP_KEYDIR_USER=$IT_USER EESPCTL=$PWD/$EESPCTL TMPDIR=$IT_DIR

# 1. etcd, on loopback inside node 1's namespace, data in $IT_DIR
export ETCDCTL_API=3 ETCDCTL_ENDPOINTS=http://127.0.0.1:2379 ETCDCTL_DIAL_TIMEOUT=2s
ETCD_KEY=/eesp/lab/keydir
spawn ip netns exec "$(ns 1)" etcd --name eesp54 --data-dir "$IT_DIR/etcd" \
	--listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
	--listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
	--initial-cluster eesp54=http://127.0.0.1:2380 >"$IT_DIR/etcd.log" 2>&1
etcd_up() { nsx 1 etcdctl endpoint health >/dev/null 2>&1; }
wait_for 20 etcd_up || fail "etcd did not come up: $(tail -5 "$IT_DIR/etcd.log")"
etcd_put() { nsx 1 etcdctl put "$ETCD_KEY" >/dev/null || fail "etcdctl put"; }
set_of 1 | etcd_put
# the watcher in a session of its own (setsid, not forking: a background
# job is no group leader), so that it and its etcdctl watch stop together
WLOG=$IT_DIR/etcd-writer.log
ip netns exec "$(ns 1)" setsid "$EX/eesp-keydir-etcd" "$ETCD_KEY" "$(kd 1)" 2>"$WLOG" &
WATCHER=$!
IT_PIDS+=("$WATCHER")
wait_for 10 test -L "$(kd 1)/..data" || fail "eesp-keydir-etcd wrote no set: $(cat "$WLOG")"

# 2. the Kubernetes Secret for node 2
GID=$(id -g "$IT_USER")
k8s() { $KUBELET "$EX/kubernetes.yaml" "$(kd 2)" "$1" --fs-group "$GID" || fail "kubelet_secret.py"; }
set_of 1 >"$IT_DIR/s1"
k8s "$IT_DIR/s1"
# the layout the kubelet leaves
d=$(kd 2)
[[ "$(on_disk 2)" =~ ^\.\.[0-9]{4}(_[0-9]{2}){5}\.[0-9]+$ ]] || fail "..data -> '$(on_disk 2)', not a kubelet timestamp"
for f in generation cur next; do
	[ "$(readlink "$d/$f")" = "..data/$f" ] || fail "$d/$f is not a link to ..data/$f"
	[ "$(stat -c '%U:%g %a' "$d/..data/$f")" = "root:$GID 440" ] ||
		fail "$f is $(stat -c '%U:%g %a' "$d/..data/$f"), not root:$GID 440 (defaultMode 0440, fsGroup)"
done
[ "$(stat -c %a "$d")" = 3777 ] || fail "the volume root is mode $(stat -c %a "$d"), a Secret's is 3777"
grep -q 'key_dir = "/etc/eespd/lab.keys.d"' "$EX/kubernetes.yaml" &&
	"$PY" -c '
import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    spec = (d or {}).get("spec", {}).get("template", {}).get("spec")
    for c in (spec or {}).get("containers", []):
        for m in c.get("volumeMounts", []):
            if m["name"] == "keys":
                sys.exit(0 if m["mountPath"] == "/etc/eespd/lab.keys.d" and "subPath" not in m else
                         "keys mounted at %s %s" % (m["mountPath"], m.get("subPath", "")))
sys.exit("no keys volume mount")
' "$EX/kubernetes.yaml" || fail "the manifest's key_dir is not the Secret volume's mountPath (whole, no subPath)"
log "Secret projected: ..data -> $(on_disk 2), files root:$GID 0440, root 3777"
# the ConfigMap's node configurations accept that volume (eespd -t reads the
# set as the daemon user); only the user and the host paths are the test's
"$PY" -c '
import sys, yaml
n = 0
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "ConfigMap":
        for name, text in d["data"].items():
            open("%s/%s" % (sys.argv[2], name), "w").write(text)
            n += 1
sys.exit(0 if n == 2 else "%d node configurations in the ConfigMap" % n)
' "$EX/kubernetes.yaml" "$IT_DIR" || fail "the manifest's ConfigMap"
for f in node-a node-b; do
	sed -e "s|user = \"eesp\"|user = \"$IT_USER\"|" -e "s|\"/etc/eespd/lab.keys.d\"|\"$(kd 2)\"|" \
		-e "s|/run/eespd/eesp0.sock|$IT_DIR/$f.sock|" -e "s|/var/lib/eespd|$IT_DIR/$f.state|" \
		"$IT_DIR/$f.conf" >"$IT_DIR/$f.test.conf"
	grep -q "key_dir = \"$(kd 2)\"" "$IT_DIR/$f.test.conf" || fail "$f.conf: no key_dir to point at the volume"
	out=$("$EESPD" -t -c "$IT_DIR/$f.test.conf" 2>&1) || fail "the manifest's $f.conf with the projected Secret: $out"
done
log "the ConfigMap's node-a.conf and node-b.conf pass eespd -t on the projected Secret"

for i in 1 2; do
	use_key_dir "$i"
	daemon_start "$i"
done
must_reach 1 1
must_reach 2 1
ping_ok 1 "$(in4 2)" 2
for i in 1 2; do counters "$i" >"$IT_DIR/c$i.before"; done
# one ping each way for the whole test (ping itself, not a subshell, so that
# SIGINT at the end reaches it), bounded by -w; not -q: ping_lost reads the
# reply lines
ip netns exec "$(ns 1)" ping -n -i 0.05 -w 300 "$(in4 2)" >"$IT_DIR/p12" 2>&1 &
P12=$!
ip netns exec "$(ns 2)" ping -n -i 0.05 -w 300 "$(in6 1)" >"$IT_DIR/p21" 2>&1 &
P21=$!
IT_PIDS+=("$P12" "$P21")

# generations 2 and 3 through etcd (node 1) and the Secret (node 2)
for g in 2 3; do
	set_of "$g" | etcd_put
	must_reach 1 "$g"
	set_of "$g" >"$IT_DIR/s$g"
	k8s "$IT_DIR/s$g"
	must_reach 2 "$g"
done
[ ! -e "$(kd 2)/..data/prev" ] || [ -L "$(kd 2)/prev" ] || fail "the kubelet emulation left prev without its link"

# a torn value: a tool that put only the new cur and next
v=$(version 1)
n=$(grep -c 'refused' "$WLOG")
printf 'cur %s\nnext %s\n' "${K[4]}" "${K[5]}" | etcd_put
torn_refused() { [ "$(grep -c 'refused' "$WLOG")" -gt "$n" ]; }
wait_for 10 torn_refused || fail "eesp-keydir-etcd did not refuse the torn value: $(tail -3 "$WLOG")"
grep -q 'generation missing' "$WLOG" || fail "the writer's refusal does not say why: $(tail -3 "$WLOG")"
stays 1 3 "$v"
log "etcd: torn value refused ($(grep -o 'generation missing[^;]*' "$WLOG" | tail -1)), generation 3 stays"
nsx 1 etcdctl del "$ETCD_KEY" >/dev/null || fail "etcdctl del"
wait_for 10 grep -q 'DELETE event ignored' "$WLOG" || fail "eesp-keydir-etcd did not report the DELETE: $(tail -3 "$WLOG")"
stays 1 3 "$v"
log "etcd: DELETE ignored, generation 3 stays"

# the Secret updated with a malformed key: eespd refuses it
v=$(version 2)
sed "s/^next .*/next ${K[4]:0:40}/" "$IT_DIR/s3" >"$IT_DIR/bad"
k8s "$IT_DIR/bad"
has_refusal() { refused 2 | grep -q 'next: a root key is 64 hex digits'; }
wait_for 10 has_refusal || fail "node 2 shows no refusal of the malformed Secret: $(ctl 2 show | awk '$1 == "key_dir"')"
stays 2 3 "$v"
log "Secret with a malformed next refused by eespd (status: ...$(refused 2 | grep -o 'next: .*')), generation 3 stays"

# 3. Vault Agent: the etcd writer stops; its template and exec step feed node 1
kill -TERM -- -"$WATCHER" || fail "no session $WATCHER (eesp-keydir-etcd)"
gone() { ! pgrep -s "$WATCHER" >/dev/null; }
wait_for 10 gone || fail "eesp-keydir-etcd and its watch did not stop: $(pgrep -a -s "$WATCHER")"
read -r SRC DST PERMS CMD < <("$PY" -c '
import hcl, json, sys
t = hcl.load(open(sys.argv[1]))["template"]
c = t["exec"]["command"]
# the command runs the writer on the key directory and the rendered file
assert len(c) == 3 and c[0].endswith("/eesp-keydir-write") and c[2] == t["destination"], c
print(t["source"], t["destination"], t["perms"], json.dumps(c[1]))
' "$EX/vault-agent.hcl") || fail "vault-agent.hcl: no template whose exec runs eesp-keydir-write on its destination"
[ "$(basename "$SRC")" = eesp-lab.set.ctmpl ] && [ "$PERMS" = 0600 ] || fail "vault-agent.hcl: template $SRC, perms $PERMS"
grep -q "key_dir = $CMD" "$EX/kubernetes.yaml" || fail "vault-agent.hcl writes $CMD, not the key_dir of the examples"
RENDERED=$IT_DIR/vault/$(basename "$DST")
mkdir -p "$IT_DIR/vault"
# render GEN_FIELDS_JSON, then the exec step: the command with the test's paths
vault_step() {
	(umask 077 && $PY tests/tools/ctmpl_render.py "$EX/eesp-lab.set.ctmpl" secret/data/eesp/lab "$1" >"$RENDERED") ||
		fail "ctmpl_render.py"
	chmod "$PERMS" "$RENDERED"
	"$EX/eesp-keydir-write" "$(kd 1)" "$RENDERED" 2>>"$IT_DIR/vault.log"
}
fields() { # GEN [omit]: the KV fields of generation GEN, as `vault kv put k=@file` stores them
	"$PY" -c '
import json, sys
g, k, omit = int(sys.argv[1]), sys.argv[2:8], sys.argv[8:]
f = {"generation": "%d\n" % g, "prev": k[g - 2] + "\n", "cur": k[g - 1] + "\n", "next": k[g] + "\n"}
print(json.dumps({n: v for n, v in f.items() if n not in omit}))
' "$1" "${K[1]}" "${K[2]}" "${K[3]}" "${K[4]}" "${K[5]}" "${K[6]}" "${@:2}"
}
vault_step "$(fields 4)" || fail "the Vault exec step failed: $(tail -3 "$IT_DIR/vault.log")"
must_reach 1 4
set_of 4 >"$IT_DIR/s4"
k8s "$IT_DIR/s4"
must_reach 2 4
v=$(version 1)
if vault_step "$(fields 5 cur)"; then fail "the writer accepted a rendered set without cur"; fi
grep -q 'cur has no value' "$IT_DIR/vault.log" || fail "the writer's refusal does not name cur: $(tail -3 "$IT_DIR/vault.log")"
stays 1 4 "$v"
log "Vault: generation 4 applied through the template's exec step; a secret without cur refused, generation 4 stays"

# 4. nothing lost, nothing dropped
kill -INT "$P12" "$P21"
wait "$P12" "$P21"
for f in p12 p21; do
	s=$(grep -o '[0-9]* packets transmitted, [0-9]* received, [0-9.]*% packet loss' "$IT_DIR/$f")
	[ -n "$s" ] || fail "no ping summary in $f: $(cat "$IT_DIR/$f")"
	[[ "$s" =~ ^([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] || fail "$f: $s"
	[ "${BASH_REMATCH[1]}" -ge 20 ] || fail "$f: only ${BASH_REMATCH[1]} pings sent"
	# ping_lost: the last one may still be in flight when SIGINT comes
	lost=$(ping_lost "$IT_DIR/$f")
	[ "$lost" = 0 ] || fail "ping lost $lost packets during the swaps ($f): $s"
	log "$f: $s"
done
for i in 1 2; do
	counters "$i" >"$IT_DIR/c$i.after"
	dr=$(awk 'NR==FNR { d[$1] = 1; next } ($1 in d)' <(drop_names) <(counter_delta "$IT_DIR/c$i.before" "$IT_DIR/c$i.after") | grep -Ev '^(no_route|tx_no_buffer) ')
	[ -z "$dr" ] || fail "node $i counted drops: $(tr '\n' ' ' <<<"$dr")"
done
log PASS
