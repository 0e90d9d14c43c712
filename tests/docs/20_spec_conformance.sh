#!/usr/bin/env bash
# tests/docs/20_spec_conformance.sh - man/eesp.7 is complete and correct
# enough to interoperate: tests/docs/spec_conformance.py, written from the
# page alone with Python's `cryptography` (not OpenSSL's EVP API), must
# reproduce the page's worked examples and open every committed EESP and PSP
# vector (PSP versions 0-3, the AES-GMAC ones by the page's own rules).
# Exit 0 pass, 77 skip (no python3 / cryptography / vectors), 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.."

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed"
	exit 77
fi
python3 tests/docs/spec_conformance.py
