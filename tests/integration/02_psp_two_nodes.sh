#!/usr/bin/env bash
# 02: two nodes in psp mode: each receives with its own two master keys and
# sends with the data key + SPI its peer derived for it out of band (here:
# derived with openssl's CMAC as psp.md §2 says).  Same traffic as test 01.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd iperf3 openssl
net_create 2
keys_psp
conf_psp 1 "2"
conf_psp 2 "1"
daemon_start 1
daemon_start 2
two_node_traffic
log "PASS"
