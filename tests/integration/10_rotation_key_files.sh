#!/usr/bin/env bash
# 10: the same rotation as test 09 through the key files of domain
# directories: `eespctl key add DIR domain --key - -s SOCKET` on both nodes,
# `eespctl rotate DIR domain -s SOCKET`, `eespctl retire DIR domain -s
# SOCKET`.  The key files are owned by the daemon user so that eespd can
# re-read them after dropping root.
. "$(dirname "$0")/lib.sh"
it_init
rotation_under_traffic file
log "PASS"
