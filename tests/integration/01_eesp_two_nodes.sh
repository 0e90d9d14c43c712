#!/usr/bin/env bash
# 01: two nodes in eesp mode (node profile): ping IPv4 and IPv6 both ways
# through the TUN, iperf3 TCP for 5 s, and 8 MiB over TCP each way whose
# sha256 must match at the receiver.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd iperf3
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
two_node_traffic
log "PASS"
