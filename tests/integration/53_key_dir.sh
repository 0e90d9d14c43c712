#!/usr/bin/env bash
# 53_key_dir.sh - a domain's root keys from a key directory (eespd.conf
# key_dir), the layout a Kubernetes Secret volume has: files behind "..data",
# a new set swapped in by one rename.  Root only (network namespaces).
#
#  1. two nodes whose domain keys come from key directories (node 1's written
#     by `eespctl keydir`, node 2's by a writer doing what the kubelet does,
#     without eespctl) carry a ping;
#  2. 10 rotations under a 10 ms ping both ways lose no packet and count no
#     drop: node 1 rotates (eespctl keydir rotate), node 2 takes the same set;
#     each daemon applies a new set by itself (inotify: the poll is set to an
#     hour), seen through status;
#  3. 100 swaps while iperf3 runs: every one applied, no drop counted;
#  4. a malformed set (bad hex), a torn one (generation file missing) and one
#     readable by others are refused: status names the refusal, the running
#     generation stays and traffic flows;
#  5. without inotify (key_dir_inotify = false, key_dir_poll = 1) the poll
#     applies a new set.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd iperf3
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"

# inotify alone applies new sets in parts 1-4: the poll is an hour away
IT_CONF_DAEMON_EXTRA='  key_dir_poll = 3600;'
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"

kd() { echo "$(node_dir "$1")/keys/lab.d"; }

# use_key_dir NODE: the node's config reads key_dir instead of key_file
use_key_dir() {
	sed -i "s|key_file = \"keys/lab.keys\";|key_dir = \"keys/lab.d\";|" "$(node_conf "$1")"
	grep -q 'key_dir = "keys/lab.d"' "$(node_conf "$1")" || fail "config of node $1 not switched to key_dir"
}

# k8s_write NODE SRC [MODE]: what the kubelet's atomic writer does for a
# Secret volume, with plain tools: SRC's files into a new ..<timestamp>
# directory (mode MODE, default 0400), then one rename of ..data, then the
# top-level links
k8s_write() {
	local d ts f mode=${3:-0400}
	d=$(kd "$1")
	ts="..$(date +%Y_%m_%d_%H_%M_%S.%N)"
	mkdir -p "$d"
	mkdir "$d/$ts"
	for f in "$2"/*; do
		install -m "$mode" -o "$IT_USER" "$f" "$d/$ts/$(basename "$f")"
	done
	ln -sfn "$ts" "$d/..data_tmp"
	mv -T "$d/..data_tmp" "$d/..data"
	for f in "$2"/*; do
		[ -L "$d/$(basename "$f")" ] || ln -s "..data/$(basename "$f")" "$d/$(basename "$f")"
	done
	for f in "$d"/..20*; do
		[ "$(basename "$f")" = "$ts" ] || rm -rf "$f"
	done
}

# set_of NODE OUT: the files of node's set in force (as the writer sees them)
set_of() {
	rm -rf "$2"
	mkdir -p "$2"
	cp -L "$(kd "$1")"/..data/* "$2"/
}

# version NODE: the key directory version the daemon reports
version() { ctl "$1" show | awk '$1 == "key_dir" { print $5 }'; }
refused() { ctl "$1" show | awk '$1 == "key_dir"' | grep -o 'refused .*'; }
applied() { [ "$(version "$1")" = "$(readlink "$(kd "$1")/..data")" ]; }

# 1. key directories, ping
# generation 1 current, 2 ahead as next (so the first rotation is lossless)
"$EESPCTL" keydir init "$(kd 1)" --user "$IT_USER" >/dev/null || fail "eespctl keydir init"
set_of 1 "$IT_DIR/set"
k8s_write 2 "$IT_DIR/set"
for i in 1 2; do
	use_key_dir "$i"
	rm -f "$(node_dir "$i")/keys/lab.keys"
done
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 3
for i in 1 2; do
	applied "$i" || fail "node $i reports key_dir version '$(version "$i")', the directory holds $(readlink "$(kd "$i")/..data")"
	[ "$(keygen "$i" current)" = 1 ] || fail "node $i does not send with generation 1: $(ctl "$i" keys | tail -n +2 | tr '\n' ' ')"
	[ "$(keygen "$i" next)" = 2 ] || fail "node $i does not hold generation 2 as next"
done
log "both nodes run on key directories: $(ctl 1 show | awk '$1 == "key_dir"')"

# one rotation of the pair: node 1 rotates, node 2 takes node 1's set;
# each waits until the daemon reports the new version
rotate_pair() {
	"$EESPCTL" keydir rotate "$(kd 1)" --user "$IT_USER" >/dev/null || fail "keydir rotate node 1"
	wait_for 10 applied 1 || fail "node 1 did not apply the rotated set: $(ctl 1 show | awk '$1 == "key_dir"')"
	set_of 1 "$IT_DIR/set"
	k8s_write 2 "$IT_DIR/set"
	wait_for 10 applied 2 || fail "node 2 did not apply the set: $(ctl 2 show | awk '$1 == "key_dir"')"
}

# 2. rotations under a 10 ms ping
counters 1 >"$IT_DIR/c1.before"
counters 2 >"$IT_DIR/c2.before"
nsx 1 timeout 60 ping -n -q -i 0.01 -c 1500 -W 5 "$(in4 2)" >"$IT_DIR/p12" 2>&1 &
a=$!
nsx 2 timeout 60 ping -n -q -i 0.01 -c 1500 -W 5 "$(in6 1)" >"$IT_DIR/p21" 2>&1 &
b=$!
IT_PIDS+=("$a" "$b")
g0=$(keygen 1 current)
for r in $(seq 10); do
	rotate_pair
done
wait "$a" "$b"
for f in p12 p21; do
	log "$f: $(grep -o '[0-9]* packets transmitted.*loss' "$IT_DIR/$f")"
	grep -q " 1500 received, 0% packet loss" "$IT_DIR/$f" || fail "packets lost during 10 key-directory rotations ($f)"
done
[ "$(keygen 1 current)" = $((g0 + 10)) ] || fail "node 1 sends with generation $(keygen 1 current), expected $((g0 + 10))"
[ "$(keygen 2 current)" = $((g0 + 10)) ] || fail "node 2 sends with generation $(keygen 2 current), expected $((g0 + 10))"
check_no_drops() {
	local i d
	for i in 1 2; do
		counters "$i" >"$IT_DIR/c$i.after"
		d=$(awk 'NR==FNR { d[$1] = 1; next } ($1 in d)' <(drop_names) <(counter_delta "$IT_DIR/c$i.before" "$IT_DIR/c$i.after") | grep -Ev '^(no_route|tx_no_buffer) ')
		[ -z "$d" ] || fail "node $i counted drops during $1: $(tr '\n' ' ' <<<"$d")"
	done
}
check_no_drops "the rotations"
log "10 rotations under ping: 0 lost, no drop; generation $g0 -> $((g0 + 10))"

# 3. 100 swaps while iperf3 runs
counters 1 >"$IT_DIR/c1.before"
counters 2 >"$IT_DIR/c2.before"
spawn nsx 2 iperf3 -s -1 -B "$(in4 2)" -p 5301 >"$IT_DIR/iperf3-server.log" 2>&1
wait_for 5 listening 2 5301 || fail "iperf3 server"
# --logfile names this test's directory, so that the client can be told to
# stop (SIGINT: it reports what it measured) without touching other tests'
nsx 1 timeout 330 iperf3 -c "$(in4 2)" -p 5301 -t 300 -b 200M -J --logfile "$IT_DIR/iperf.json" &
c=$!
IT_PIDS+=("$c")
t0=$(date +%s)
for r in $(seq 100); do
	kill -0 "$c" 2>/dev/null || fail "iperf3 ended after $((r - 1)) swaps"
	rotate_pair
done
log "100 rotations (200 swaps) in $(($(date +%s) - t0)) s while iperf3 ran"
pkill -INT -f -- "--logfile $IT_DIR/iperf.json" || fail "iperf3 client not found"
wait "$c"
"$PY" -c '
import json, sys
# stopped by SIGINT: the client reports what it sent (the totals of the receiver
# totals are not exchanged), and TCP retransmits anything lost
e = json.load(open(sys.argv[1]))["end"]
bps = e["sum_sent"]["bits_per_second"]
print("    iperf3 during the swaps: %.1f Mbit/s sent, %d retransmits" % (bps / 1e6, e["sum_sent"].get("retransmits", 0)))
sys.exit(0 if bps > 1e6 else "iperf3 carried almost nothing")
' "$IT_DIR/iperf.json" || fail "iperf3 during the swaps: $(tail -3 "$IT_DIR/iperf.json")"
check_no_drops "the 100 swaps"

# 4. refused sets: the running keys stay, status says why
g=$(keygen 2 current)
v=$(version 2)
set_of 2 "$IT_DIR/good"
EXPECT=""
has_refusal() { refused 2 | grep -q -- "$EXPECT"; }
refuse_case() {
	local what=$1
	EXPECT=$2
	wait_for 10 has_refusal ||
		fail "$what: node 2 shows no refusal naming '$EXPECT': $(ctl 2 show | awk '$1 == "key_dir"')"
	[ "$(version 2)" = "$v" ] || fail "$what: node 2 switched to version $(version 2)"
	[ "$(keygen 2 current)" = "$g" ] || fail "$what: node 2's current generation changed"
	ping_ok 1 "$(in4 2)" 2
	log "$what: refused ($(refused 2 | cut -c1-150)), generation $g stays"
}
rm -rf "$IT_DIR/bad" && cp -r "$IT_DIR/good" "$IT_DIR/bad"
echo "not-a-key" >"$IT_DIR/bad/next"
k8s_write 2 "$IT_DIR/bad"
refuse_case "bad hex in next" "next: a root key is 64 hex digits"
rm -rf "$IT_DIR/bad" && cp -r "$IT_DIR/good" "$IT_DIR/bad"
rm "$IT_DIR/bad/generation"
k8s_write 2 "$IT_DIR/bad"
refuse_case "torn set (no generation file)" "generation missing"
k8s_write 2 "$IT_DIR/good" 0444
refuse_case "a key readable by others" "readable by others"
# a good set again: applied, refusal gone
k8s_write 2 "$IT_DIR/good"
wait_for 10 applied 2 || fail "node 2 did not apply a good set after refusals"
[ -z "$(refused 2)" ] || fail "node 2 still shows a refusal: $(refused 2)"

# 5. polling only
daemon_stop 2
IT_CONF_DAEMON_EXTRA='  key_dir_inotify = false; key_dir_poll = 1;'
conf_eesp 2 "1"
use_key_dir 2
rm -f "$(node_dir 2)/keys/lab.keys"
daemon_start 2
rotate_pair
ping_ok 1 "$(in4 2)" 3
grep -q "key_dir_inotify" "$(node_conf 2)" || fail "node 2 not configured for polling"
log "polling only (key_dir_poll = 1): node 2 applied version $(version 2)"
log PASS
