#!/usr/bin/env bash
# 09: root-key rotation under traffic (issue 4), the daemon told by eespctl:
# generation 2 is distributed in the key files beforehand (marked next),
# `eespctl rotate domain -s SOCKET` rotates each running daemon (node 1, then
# node 2 1.5 s later) while ping -i 0.01 and iperf3 run: zero loss; then
# `eespctl retire domain -s SOCKET`, after which generation-1 packets are
# dropped and counted (unknown_generation).  See rotation_under_traffic in
# lib.sh.
. "$(dirname "$0")/lib.sh"
it_init
rotation_under_traffic memory
log "PASS"
