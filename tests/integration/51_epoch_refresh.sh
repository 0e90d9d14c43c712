#!/usr/bin/env bash
# 51: epoch refresh.  (1) epoch_period = 1 s on both nodes: ping -i 0.01
# -c 300 crosses at least two epoch changes (every data key changes with
# the epoch) and loses nothing; no epoch_window drop.  (2) epoch_packets =
# 40 (the sender's epoch advances every 40 packets, the receiver follows
# within epoch_window): again ping -i 0.01 -c 300 with no loss, and the
# capture proves the epoch moved (decrypting it offline at epoch 0 with
# window 0 fails with epoch_window for most packets, while the default
# window-free decryption opens all of them).  (3) inject sends 50 valid
# datagrams at epoch 100 (window 2 around 0): all counted epoch_window,
# nothing reaches the TUN.
. "$(dirname "$0")/lib.sh"
it_init
INJECT=$B/tools/inject
[ -x "$INJECT" ] || make -s "$INJECT" >/dev/null 2>&1 || skip "no $INJECT"
net_create 2
keys_eesp

pingN() { # from dst: 300 pings 10 ms apart, all must come back
	local out
	out=$(nsx "$1" timeout 120 ping -n -q -c 300 -i 0.01 -W 10 "$2" 2>&1)
	grep -q " 300 received, 0% packet loss" <<<"$out" || {
		echo "$out" >&2
		fail "ping -i 0.01 -c 300 n$1 -> $2 lost packets during epoch changes"
	}
	log "ping -i 0.01 -c 300 n$1 -> $2: $(grep -o '[0-9]* received, [0-9.]*% packet loss' <<<"$out")"
}
ew() { counters "$1" | awk '$1 == "epoch_window" { print $2 }'; }

# (1) time schedule
for i in 1 2; do
	conf_eesp "$i" "$((3 - i))"
	sed -i 's/epoch_period = 0;/epoch_period = 1;/' "$(node_conf "$i")"
	grep -q 'epoch_period = 1;' "$(node_conf "$i")" || fail "config edit"
done
daemon_start 1
daemon_start 2
t0=$(date +%s)
pingN 1 "$(in4 2)"
t1=$(date +%s)
[ $((t1 - t0)) -ge 2 ] || fail "the ping took under 2 s: no epoch change covered"
for i in 1 2; do
	check_drops "$i"
	[ "$(ew "$i")" = 0 ] || fail "node $i counted epoch_window drops"
done
daemon_stop 1
daemon_stop 2

# (2) packet-count schedule
for i in 1 2; do
	conf_eesp "$i" "$((3 - i))"
	sed -i 's/epoch_period = 0;/epoch_period = 0; epoch_packets = 40;/' "$(node_conf "$i")"
	grep -q 'epoch_packets = 40;' "$(node_conf "$i")" || fail "config edit"
done
capture 1 "$(veth 1)" "$IT_DIR/ep.pcap" udp port 4500
daemon_start 1
daemon_start 2
pingN 1 "$(in4 2)"
pingN 2 "$(in4 1)"
CAP_COUNT=udp capture_stop 1200
for i in 1 2; do
	check_drops "$i"
	[ "$(ew "$i")" = 0 ] || fail "node $i counted epoch_window drops"
done
dj() { "$EESPCTL" decrypt eesp --keys "$(node_dir 1)/keys/lab.keys" --spi "$IT_DOMAIN_ID" --json "$@" "$IT_DIR/ep.pcap" 2>/dev/null |
	"$PY" -c 'import json, sys; j = json.load(sys.stdin); print(j["ok"], j["failed"], sum(1 for p in j["packets"] if "epoch_window" in json.dumps(p)))'; }
read -r ok bad _ <<<"$(dj)"
log "capture: $ok packets open (any epoch), $bad fail"
[ "${ok:-0}" -ge 1200 ] && [ "$bad" = 0 ] || fail "the capture does not decrypt (ok $ok, failed $bad)"
read -r ok bad epw <<<"$(dj --epoch-now 0 --epoch-window 0)"
log "capture at epoch 0, window 0: $ok open, $epw epoch_window"
[ "${epw:-0}" -ge 1000 ] && [ "${ok:-0}" -ge 40 ] ||
	fail "the epoch did not advance with the packet count (ok $ok, epoch_window $epw)"

# (3) a datagram outside the window is dropped and counted
counters 2 >"$IT_DIR/b"
nsx 1 "$INJECT" -d "$(ul4 2)" -p 4500 -s "$IT_DOMAIN_ID" -k "$IT_ROOT_KEY" -g "$IT_ROOT_GEN" -n 1 \
	-S "$(in4 1)" -D "$(in4 2)" -r 2 -V -c 50 -E 100 >"$IT_DIR/inj" 2>&1 || fail "inject: $(cat "$IT_DIR/inj")"
grep -q "expect epoch_window 50" "$IT_DIR/inj" || fail "inject does not expect epoch_window: $(cat "$IT_DIR/inj")"
rx_settled 2 "$IT_DIR/b" 50
counters 2 >"$IT_DIR/a"
d=$(counter_delta "$IT_DIR/b" "$IT_DIR/a")
log "node 2 after 50 datagrams at epoch 100: $(tr '\n' ' ' <<<"$d")"
grep -q "^epoch_window 50$" <<<"$d" || fail "epoch_window did not count the 50 datagrams"
grep -q "^rx_packets" <<<"$d" && fail "a datagram outside the epoch window reached the TUN"
log PASS
