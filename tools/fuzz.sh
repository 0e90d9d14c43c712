#!/usr/bin/env bash
# tools/fuzz.sh SECONDS FUZZER...: run each libFuzzer harness for SECONDS
# over its committed seed corpus (tests/fuzz/corpus/<name>), in a scratch
# copy so the tree is not modified.  Prints the exec count of each run.
set -euo pipefail
secs=$1; shift
rc=0
for f in "$@"; do
	name=$(basename "$f")
	seeds=tests/fuzz/corpus/${name#fuzz_}
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/ 2>/dev/null || true
	log=$(mktemp)
	if "$f" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" "$work" >"$log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
		echo "fuzz: $name ok, $execs execs in ${secs}s"
	else
		echo "fuzz: $name FAILED"; tail -40 "$log"; rc=1
	fi
	rm -f "$log"; rm -rf "$work"; trap - EXIT
done
exit $rc
