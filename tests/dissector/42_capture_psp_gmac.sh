#!/usr/bin/env bash
# 41_capture_psp.sh with PSP versions 2 and 3 (AES-GMAC-128/256): a real
# capture between two eespd whose every datagram the plugin verifies (ICV
# over the whole datagram, psp.decrypted = 1, no expert error) with both
# nodes' key files and with the receiver's master keys alone, each datagram
# carrying the version eespd was configured with; inner ICMP, ICMPv6 and
# TCP shown from the clear payload, GSO trains split.
cd "$(dirname "$0")/../.." || exit 1
rc=0
for v in 2 3; do
	echo "== PSP version $v"
	IT_PSP_VERSION=$v bash tests/dissector/41_capture_psp.sh
	r=$?
	[ "$r" = 77 ] && exit 77 # no root or no tshark: skipped as 41 is
	[ "$r" = 0 ] || rc=1
done
exit $rc
