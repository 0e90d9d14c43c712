#!/usr/bin/env bash
# tests/docs/10_mandoc_lint.sh - every manual page in man/ must lint clean
# and render.
#
# For each man/*.[0-9]:
#   - `mandoc -T lint -W warning` prints nothing (no warnings, errors or
#     unsupported requests; style-level notes such as "referenced manual not
#     found" are allowed);
#   - `mandoc -T utf8` renders it to non-empty text containing a NAME section;
#   - `man -l` (when man-db is installed) renders it non-empty as well.
# Exit 0 pass, 77 skip (mandoc missing or no pages), 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.."

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed"
	exit 77
fi

shopt -s nullglob
pages=(man/*.[0-9])
if [ ${#pages[@]} -eq 0 ]; then
	echo "SKIP: no manual pages in man/"
	exit 77
fi

fail=0
for p in "${pages[@]}"; do
	bad=0
	lint=$(mandoc -T lint -W warning "$p" 2>&1)
	if [ -n "$lint" ]; then
		echo "FAIL: $p: mandoc -T lint -W warning is not clean:"
		printf '%s\n' "$lint" | sed 's/^/    /'
		bad=1
	fi

	out=$(mandoc -T utf8 "$p" 2>/dev/null | col -b 2>/dev/null || mandoc -T ascii "$p" 2>/dev/null)
	if [ -z "$out" ]; then
		echo "FAIL: $p: mandoc renders nothing"
		bad=1
	elif ! grep -q '^NAME' <<<"$out"; then
		echo "FAIL: $p: rendered page has no NAME section"
		bad=1
	fi

	if command -v man >/dev/null 2>&1; then
		mout=$(MANWIDTH=80 man -l "$p" 2>/dev/null | wc -c)
		if [ "$mout" -eq 0 ]; then
			echo "FAIL: $p: man -l renders nothing"
			bad=1
		fi
	fi

	if [ $bad -eq 0 ]; then
		echo "ok: $p ($(wc -l <<<"$out") lines rendered)"
	else
		fail=1
	fi
done

exit $fail
