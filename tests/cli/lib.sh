# tests/cli/lib.sh - helpers for the eespctl script tests (sourced).
# Each test runs from the repo root with B=build; exit 0 pass, 77 skip.
set -u
B=${B:-build}
E=${EESPCTL:-$B/eespctl}
T=$(basename "$0" .sh)
FAILS=0
CHECKS=0

[ -x "$E" ] || { echo "SKIP: $E not built"; exit 77; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/eespctl-$T.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
umask 077

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }

# run CMD...: sets OUT (stdout), ERR (stderr), RC
run() {
	OUT=$("$@" 2>"$TMP/.err")
	RC=$?
	ERR=$(cat "$TMP/.err")
}

# expect_ok DESC CMD...: exit 0
expect_ok() {
	local d=$1
	shift
	run "$@"
	if [ "$RC" -ne 0 ]; then fail "$d: exit $RC, stderr: $ERR"; else ok; fi
}

# expect_fail DESC RC_WANTED REGEX CMD...: non-zero exit RC_WANTED (or any
# non-zero if "nz") and REGEX in stderr (or stdout)
expect_fail() {
	local d=$1 want=$2 re=$3
	shift 3
	run "$@"
	if [ "$RC" -eq 0 ]; then
		fail "$d: succeeded but should fail (stdout: ${OUT:0:200})"
	elif [ "$want" != nz ] && [ "$RC" -ne "$want" ]; then
		fail "$d: exit $RC, expected $want (stderr: $ERR)"
	elif ! grep -Eq -- "$re" <<<"$ERR"$'\n'"$OUT"; then
		fail "$d: message /$re/ not found in: $ERR $OUT"
	else
		ok
	fi
}

# same STRING1 STRING2 DESC
same() {
	if [ "$1" = "$2" ]; then ok; else fail "$3: got '$1', expected '$2'"; fi
}

# contains TEXT REGEX DESC
contains() {
	if grep -Eq -- "$2" <<<"$1"; then ok; else fail "$3: /$2/ not in: ${1:0:400}"; fi
}
lacks() {
	if grep -Eq -- "$2" <<<"$1"; then fail "$3: /$2/ unexpectedly in output"; else ok; fi
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$T: $FAILS of $((CHECKS + FAILS)) checks failed"
		exit 1
	fi
	[ "$CHECKS" -gt 0 ] || { echo "$T: no checks ran"; exit 1; }
	echo "$T: all $CHECKS checks passed"
	exit 0
}
