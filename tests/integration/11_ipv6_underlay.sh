#!/usr/bin/env bash
# 11: IPv6 underlay.  Two nodes whose peers' endpoints are IPv6 addresses
# ([2001:db8:ff::N]:port): ping IPv4 and IPv6 both ways and 4 MiB over TCP
# with its sha256 checked, in eesp mode and then in psp mode; a capture on
# node 1's veth shows that the tunnel traffic really left over IPv6 and none
# over IPv4.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
IT_UNDERLAY=6
for mode in eesp psp; do
	if [ $mode = eesp ]; then
		keys_eesp
		conf_eesp 1 "2"
		conf_eesp 2 "1"
	else
		keys_psp
		conf_psp 1 "2"
		conf_psp 2 "1"
	fi
	grep -q "endpoint = \"\[2001:db8:ff::2\]:$IT_PORT\"" "$(node_conf 1)" || fail "test bug: no IPv6 endpoint"
	pcap="$IT_DIR/veth1.$mode.pcap"
	capture 1 "$(veth 1)" "$pcap" udp port "$IT_PORT"
	daemon_start 1
	daemon_start 2
	ping_ok 1 "$(in4 2)" 3
	ping_ok 2 "$(in4 1)" 3
	ping_ok 1 "$(in6 2)" 3
	ping_ok 2 "$(in6 1)" 3
	tcp_sha 1 2 "$(in6 2)" $((4 << 20))
	capture_stop
	pcap_udp "$pcap" >"$IT_DIR/outer.$mode"
	n6=$(grep -c "^2001:db8:ff::" "$IT_DIR/outer.$mode")
	n4=$(grep -c "^198\.51\.100\." "$IT_DIR/outer.$mode")
	log "$mode: outer datagrams on node 1's veth: $n6 over IPv6, $n4 over IPv4"
	[ "$n6" -ge 24 ] && [ "$n4" -eq 0 ] || fail "$mode: the tunnel did not run over the IPv6 underlay"
	for i in 1 2; do
		check_drops "$i"
		daemon_stop "$i"
	done
done
log "PASS"
