#!/usr/bin/env bash
# 17: the fleet benchmark's simulation still runs (make bench-fleet is not
# part of make check, and a required key-server setting once stopped it at
# its configuration unseen): 20 members register with one in-memory key
# server and two rotations reach all of them.  Timing figures are printed,
# not asserted (bench/README.md).
. "$(dirname "$0")/lib.sh"
F=$B/fleet_gcks
[ -x "$F" ] || { echo "SKIP: $F not built (make tools)"; exit 77; }

expect_ok "fleet_gcks 20 members, 2 rotations" "$F" 20 2
contains "$OUT" "^members 20 registered 20 in " "every member registered"
contains "$OUT" "^rotation 1: generation 2 at 20/20 members" "rotation 1 reached every member"
contains "$OUT" "^rotation 2: generation 3 at 20/20 members" "rotation 2 reached every member"
expect_fail "fleet_gcks with 0 members" nz "usage: fleet_gcks" "$F" 0
finish
