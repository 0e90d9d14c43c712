#!/usr/bin/env bash
# 08: reload without dropping traffic.  Node 1 starts with node 2 as its only
# peer.  While `ping -i 0.01 -c 300` runs from node 1 to node 2, node 1's
# configuration gains node 3 as a peer and eespd gets SIGHUP: the ping must
# lose no packet, and node 1 must then reach node 3.  Then the same with a
# reload through the control socket while pinging over IPv6.  Finally a
# broken configuration: SIGHUP and a socket reload must both be refused with
# file:line, and the daemon keeps running its last good configuration.
. "$(dirname "$0")/lib.sh"
it_init
net_create 3
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
conf_eesp 3 "1"
daemon_start 1
daemon_start 2
daemon_start 3
ping_ok 1 "$(in4 2)" 2
# node 1 does not route to node 3 yet
if nsx 1 ping -n -c 1 -W 1 "$(in4 3)" >/dev/null 2>&1; then
	fail "node 1 reaches node 3 before it was configured"
fi

# pinging: node 1 has sent N packets more than it had sent before
ping_running() { counter_above 1 tx_packets $(($1 + 20)); }
pout="$IT_DIR/ping1.txt"
t0=$(counter 1 tx_packets)
nsx 1 timeout 120 ping -n -q -i 0.01 -c 300 -W 5 "$(in4 2)" >"$pout" 2>&1 &
ppid=$!
IT_PIDS+=("$ppid")
wait_for 30 ping_running "$t0" || fail "the ping from node 1 does not get going"
conf_eesp 1 "2 3"
grep -q "n3" "$(node_conf 1)" || fail "test bug: node 3 not in the new config"
s0=$(config_serial 1)
kill -HUP "${IT_DPID[1]}"
log "SIGHUP sent to node 1 during the ping"
reloaded 1 "$s0" || fail "node 1 did not apply the new configuration after SIGHUP"
kill -0 "$ppid" 2>/dev/null || log "note: the ping ended before the reload was applied (a slow machine)"
wait "$ppid"
cat "$pout"
grep -q " 300 received, 0% packet loss" "$pout" || fail "packets lost across SIGHUP: $(grep -o '[0-9]* received.*loss' "$pout")"
daemon_alive 1 || fail "eespd node 1 died after SIGHUP"
grep -Ei 'reload|config' "$(node_log 1)" | tail -2 | sed 's/^/  log: /'
wait_for 30 nsx 1 ping -n -c 1 -W 1 "$(in4 3)" >/dev/null || fail "node 1 does not reach node 3 after SIGHUP"
ping_ok 1 "$(in4 3)" 3
ping_ok 3 "$(in6 1)" 3

pout="$IT_DIR/ping2.txt"
t0=$(counter 1 tx_packets)
nsx 1 timeout 120 ping -n -q -i 0.01 -c 300 -W 5 "$(in6 2)" >"$pout" 2>&1 &
ppid=$!
IT_PIDS+=("$ppid")
wait_for 30 ping_running "$t0" || fail "the IPv6 ping from node 1 does not get going"
r=$(ctl 1 reload)
log "control socket reload: $(head -1 <<<"$r")"
head -1 <<<"$r" | grep -q '^ok' || fail "reload through the control socket failed: $r"
wait "$ppid"
cat "$pout"
grep -q " 300 received, 0% packet loss" "$pout" || fail "packets lost across a control-socket reload"

# a broken configuration is refused and the running one stays
cp "$(node_conf 1)" "$IT_DIR/good.conf"
sed -i 's/^  mtu = 1400;/  mtu == 1400;/' "$(node_conf 1)"
n=$(grep -n 'mtu == 1400' "$(node_conf 1)" | cut -d: -f1)
kill -HUP "${IT_DPID[1]}"
# the refusal is logged once the reload has been tried
wait_for 30 grep -Eq "$(node_conf 1):$n: " "$(node_log 1)" || log "note: no message after SIGHUP yet"
daemon_alive 1 || fail "eespd node 1 died on SIGHUP with a broken configuration"
grep -E "$(node_conf 1):$n: " "$(node_log 1)" | tail -1 | sed 's/^/  log: /'
grep -Eq "$(node_conf 1):$n: .*syntax" "$(node_log 1)" || fail "no file:line message in the log after SIGHUP with a syntax error"
r=$(ctl 1 reload)
log "control socket reload of the broken config: $(head -1 <<<"$r")"
head -1 <<<"$r" | grep "^error.*$(node_conf 1):$n" >/dev/null || fail "a reload of a broken config did not answer error with file:line: $r"
ping_ok 1 "$(in4 3)" 3
ping_ok 1 "$(in6 2)" 3
cp "$IT_DIR/good.conf" "$(node_conf 1)"
log "PASS"
