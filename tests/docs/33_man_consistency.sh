#!/usr/bin/env bash
# tests/docs/33_man_consistency.sh - the manual pages agree with the
# programs: eespctl command lines use real subcommands and options, JSON
# skeletons are JSON (and eespd's status keys are status.c's), FILES names
# installed paths, eespd(8)'s replay section and BUGS agree.  The checks
# are in 33_man_consistency.py.  Exit 0 pass, 77 skip, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
[ -x "$B/eespctl" ] || { echo "SKIP: $B/eespctl not built (make)"; exit 77; }
for c in mandoc python3; do
	command -v $c >/dev/null || { echo "SKIP: $c not installed (make deps)"; exit 77; }
done
if python3 tests/docs/33_man_consistency.py man "$B/eespctl" src/eespd/status.c; then
	echo "PASS: manual pages agree with eespctl, eespd's JSON and each other"
else
	exit 1
fi
