#!/usr/bin/env bash
# tools/check.sh - run every test suite that `make check` promises, tally
# them, and end with one summary line ("check: N passed, N failed, N skipped").
#
# Script tests (tests/*/NN_*.sh) follow the automake convention: exit 0 =
# pass, 77 = skip (the script says why), anything else = fail.
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
passed=0 failed=0 skipped=0
failures=()

note() { printf '\n=== %s\n' "$*"; }

# 1. criterion unit tests and known-answer tests
note "unit tests (criterion)"
out=$(mktemp)
"$B/test_unit" --jobs 2 2>&1 | tee "$out"
syn=$(grep -a 'Synthesis:' "$out" | tail -1)
if [ -n "$syn" ]; then
	p=$(sed -n 's/.*Passing: *\([0-9]*\).*/\1/p' <<<"$syn")
	f=$(sed -n 's/.*Failing: *\([0-9]*\).*/\1/p' <<<"$syn")
	c=$(sed -n 's/.*Crashing: *\([0-9]*\).*/\1/p' <<<"$syn")
	passed=$((passed + p)); failed=$((failed + f + c))
	[ $((f + c)) -eq 0 ] || failures+=("unit: $f failing, $c crashing")
else
	failed=$((failed + 1)); failures+=("unit: no criterion summary")
fi
rm -f "$out"

# 2. script suites (the soak runs 50 s here; SOAK_SECONDS=600 for a longer one)
export SOAK_SECONDS=${SOAK_SECONDS:-50}
run_script() {
	local t=$1 rc t0=$SECONDS
	printf -- '--- %s\n' "$t"
	B=$B timeout --kill-after=10 "${TEST_TIMEOUT:-600}" bash "$t"
	rc=$?
	local d="$((SECONDS - t0)) s"
	case $rc in
	0) passed=$((passed + 1)); echo "PASS $t ($d)" ;;
	77) skipped=$((skipped + 1)); echo "SKIP $t ($d)" ;;
	*) failed=$((failed + 1)); failures+=("$t (exit $rc)"); echo "FAIL $t (exit $rc, $d)" ;;
	esac
}
for suite in tests/cli tests/vectors tests/dissector tests/integration tests/docs tests/pkg; do
	[ -d "$suite" ] || continue
	note "$suite"
	for t in "$suite"/[0-9]*.sh; do
		[ -e "$t" ] || continue
		run_script "$t"
	done
done

# 3. fuzzers, briefly, over the committed seed corpora: a smoke test that
# every harness still runs its corpus clean (the campaign is `make fuzz`)
note "fuzzers (${FUZZ_BRIEF_SECONDS:-10} s each)"
fuzzers=("$B"/fuzz/fuzz_*)
if [ -e "${fuzzers[0]}" ]; then
	for f in "${fuzzers[@]}"; do
		if tools/fuzz.sh "${FUZZ_BRIEF_SECONDS:-10}" "$f"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1)); failures+=("fuzz $(basename "$f")")
		fi
	done
fi

note "summary"
for x in "${failures[@]}"; do echo "FAILED: $x"; done
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
