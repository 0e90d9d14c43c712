#!/usr/bin/env bash
# 04: offline PSP encrypt/decrypt against the public PSP reference pcaps
# (psp.md §3): decrypting yields the cleartext frame, encrypting the
# cleartext with the matching settings reproduces each encrypted pcap byte
# for byte, tampered packets fail; tunnel mode round trip.
. "$(dirname "$0")/lib.sh"

# the public PSP reference pcaps, in the repository (google/psp, Apache-2.0)
V=$(dirname "$0")/../data/psp-public
if ! (cd "$V" && sha256sum --quiet -c SHA256SUMS); then
	echo "FAIL: $V: the public PSP reference pcaps are missing or differ from SHA256SUMS"
	exit 1
fi
K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
printf 'psp 0 %s\npsp 1 %s\n' "$K0" "$K1" >"$TMP/psp.keys"
CLEAR=$V/psp_v4_cleartext.pcap
records() { tail -c +25 "$1" | xxd -p | tr -d '\n'; } # after the 24-byte global header

# name version crypt-offset extra-flags
while read -r name ver co extra; do
	f=$V/psp_v4_encrypt_$name.pcap
	# decrypt: the cleartext frame's record (snaplen in the global header differs)
	expect_ok "decrypt $name" "$E" decrypt psp --keys "$TMP/psp.keys" "$f" "$TMP/$name.dec.pcap"
	contains "$OUT" "^1 ok spi 0x9a345678 iv 1 transport 1400 bytes\$" "decrypt $name verdict"
	same "$(records "$TMP/$name.dec.pcap")" "$(records "$CLEAR")" "decrypt $name = cleartext record"
	# encrypt: the whole file, byte for byte (the reference's outer headers,
	# UDP source port 11111^22222, checksum 0, snaplen 9014)
	# shellcheck disable=SC2086
	expect_ok "encrypt $name" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --version "$ver" \
		--transport --crypt-offset "$co" --iv 1 --psp-compat $extra "$CLEAR" "$TMP/$name.enc.pcap"
	if cmp -s "$TMP/$name.enc.pcap" "$f"; then ok; else fail "encrypt $name: differs from the reference pcap"; fi
	# and from the PSP header to the end of the frame (offset 24+16+14+20+8)
	same "$(tail -c +83 "$TMP/$name.enc.pcap" | xxd -p)" "$(tail -c +83 "$f" | xxd -p)" \
		"encrypt $name: PSP header to end of frame"
done <<'L'
transport_crypt_off_128 0 1
transport_crypt_off_128_vc 0 3 --vc
transport_crypt_off_256 1 1
L
# the same key given out of band (derive psp | --data-key -)
"$E" derive psp --spi 0x9a345678 --version 0 --keys "$TMP/psp.keys" --line | awk '{ print $4 }' >"$TMP/dk"
expect_ok "encrypt with --data-key" "$E" encrypt psp --data-key "$TMP/dk" --spi 0x9a345678 --version 0 \
	--transport --crypt-offset 1 --psp-compat "$CLEAR" "$TMP/dk.pcap"
cmp -s "$TMP/dk.pcap" "$V/psp_v4_encrypt_transport_crypt_off_128.pcap" && ok || fail "--data-key output differs"
expect_ok "decrypt with --data-key" "$E" decrypt psp --data-key - --version 0 "$V/psp_v4_encrypt_transport_crypt_off_128.pcap" <"$TMP/dk"

# a sender's key file: only `sa psp SPI KEY` (the version follows the key length)
printf 'sa psp 0x9a345678 %s\n' "$(cat "$TMP/dk")" >"$TMP/sa.keys"
expect_ok "encrypt with an sa psp key file" "$E" encrypt psp --keys "$TMP/sa.keys" --spi 0x9a345678 \
	--transport --crypt-offset 1 --psp-compat "$CLEAR" "$TMP/sa.pcap"
cmp -s "$TMP/sa.pcap" "$V/psp_v4_encrypt_transport_crypt_off_128.pcap" && ok || fail "sa psp key file: output differs"
expect_ok "decrypt with an sa psp key file" "$E" decrypt psp --keys "$TMP/sa.keys" "$TMP/sa.pcap"
expect_fail "sa psp key of the wrong length for --version" 1 "is a 16-byte key: not PSP version 1" \
	"$E" encrypt psp --keys "$TMP/sa.keys" --spi 0x9a345678 --version 1 "$CLEAR" "$TMP/x.pcap"
printf 'sa psp 0x00000777 %s\n' "$(cat "$TMP/dk")" >"$TMP/other.keys"
expect_fail "no key for the packet's SPI" 1 "^1 no_key spi 0x9a345678" "$E" decrypt psp --keys "$TMP/other.keys" "$TMP/sa.pcap"

# without --psp-compat: the source port is a flow hash in 49152-65535 and the checksum is set
expect_ok "encrypt (own source port)" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --version 0 \
	--transport --crypt-offset 1 "$CLEAR" "$TMP/own.pcap"
sport=$((16#$(xxd -s $((24 + 16 + 34)) -l 2 -p "$TMP/own.pcap")))
csum=$(xxd -s $((24 + 16 + 40)) -l 2 -p "$TMP/own.pcap")
[ "$sport" -ge 49152 ] && ok || fail "flow-hash source port $sport not in 49152-65535"
[ "$csum" != 0000 ] && ok || fail "UDP checksum should be set without --psp-compat"
same "$(tail -c +83 "$TMP/own.pcap" | xxd -p)" "$(tail -c +83 "$V/psp_v4_encrypt_transport_crypt_off_128.pcap" | xxd -p)" \
	"UDP header is not authenticated: same PSP packet"
expect_ok "decrypt own" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/own.pcap" "$TMP/own.dec.pcap"
same "$(records "$TMP/own.dec.pcap")" "$(records "$CLEAR")" "own-port packet decrypts to the cleartext"

# tampering: a ciphertext byte, the ICV, an authenticated header bit (S)
tamper() { # file offset-from-start xor-byte out
	python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[int(sys.argv[2])]^=int(sys.argv[3]); open(sys.argv[4],"wb").write(b)' "$@"
}
F=$V/psp_v4_encrypt_transport_crypt_off_128.pcap
tamper "$F" 200 1 "$TMP/t1.pcap"
expect_fail "tampered ciphertext" 1 "^1 auth_failed spi 0x9a345678 iv 1" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/t1.pcap" "$TMP/t1.out"
tamper "$F" $(( $(stat -c %s "$F") - 1 )) 128 "$TMP/t2.pcap"
expect_fail "tampered ICV" 1 "auth_failed" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/t2.pcap"
tamper "$F" $((24 + 16 + 42 + 3)) 128 "$TMP/t3.pcap"
expect_fail "tampered S bit" 1 "auth_failed" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/t3.pcap"
tamper "$F" $((24 + 16 + 42 + 3)) 1 "$TMP/t4.pcap"
expect_fail "always-1 bit cleared" 1 "^1 psp_always_one" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/t4.pcap"
expect_fail "encrypt --corrupt (like psp_encrypt -e)" 1 "auth_failed" sh -c \
	"'$E' encrypt psp --keys '$TMP/psp.keys' --spi 0x9a345678 --transport --corrupt '$CLEAR' '$TMP/c.pcap' 2>/dev/null && '$E' decrypt psp --keys '$TMP/psp.keys' '$TMP/c.pcap'"
printf 'psp 0 %s\npsp 1 %s\n' "$K1" "$K0" >"$TMP/swapped.keys"
expect_fail "wrong master key" 1 "auth_failed" "$E" decrypt psp --keys "$TMP/swapped.keys" "$F"
# --json verdicts
run "$E" decrypt psp --keys "$TMP/psp.keys" --json "$TMP/t1.pcap"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["failed"]==1 and d["packets"][0]["verdict"]=="auth_failed"' "$OUT" &&
	ok || fail "decrypt --json: $OUT"
# not PSP: skipped, copied through, exit 0
expect_ok "decrypt a cleartext pcap" "$E" decrypt psp --keys "$TMP/psp.keys" "$CLEAR" "$TMP/skip.pcap"
contains "$OUT" "^1 skipped" "non-PSP packet skipped"
same "$(records "$TMP/skip.pcap")" "$(records "$CLEAR")" "skipped packet copied unchanged"

# tunnel mode, both versions, crypt offset 6 (IPv4 header + ports), VC, IV 1000, round trip
for ver in 0 1; do
	expect_ok "encrypt tunnel v$ver" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x1a345678 --version $ver \
		--tunnel --crypt-offset 8 --vc --vc-value 0xeeddccbbaa998877 --iv 1000 "$CLEAR" "$TMP/tun$ver.pcap"
	same "$(stat -c %s "$TMP/tun$ver.pcap")" $((24 + 16 + 1434 + 20 + 8 + 24 + 16)) "tunnel v$ver frame size (+68)"
	same "$(xxd -s $((24 + 16 + 42)) -l 4 -p "$TMP/tun$ver.pcap")" "0402080$((1 + 2 + 4 * ver))" \
		"tunnel v$ver header: NH 4, HdrExtLen 2, CryptOff 8, V"
	expect_ok "decrypt tunnel v$ver" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/tun$ver.pcap" "$TMP/tun$ver.dec.pcap"
	contains "$OUT" "^1 ok spi 0x1a345678 iv 1000 tunnel 1420 bytes" "tunnel v$ver verdict"
	same "$(records "$TMP/tun$ver.dec.pcap")" "$(records "$CLEAR")" "tunnel v$ver round trip"
done

# IPv6, transport and tunnel: round trip; the outer UDP checksum verifies (tshark)
python3 - "$TMP/v6.pcap" <<'P'
import struct, sys
data = bytes(range(77))
udp = struct.pack("!HHHH", 5555, 6666, 8 + len(data), 0) + data
ip6 = struct.pack("!IHBB16s16s", 0x60000000, len(udp), 17, 64,
                  bytes.fromhex("20010db8000000000000000000000001"),
                  bytes.fromhex("20010db8000000000000000000000002"))
p = bytes.fromhex("020000000002020000000001" "86dd") + ip6 + udp
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    f.write(struct.pack("<IIII", 1, 0, len(p), len(p)) + p)
P
for m in transport tunnel; do
	expect_ok "encrypt v6 $m" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --$m --crypt-offset 1 "$TMP/v6.pcap" "$TMP/v6$m.pcap"
	expect_ok "decrypt v6 $m" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/v6$m.pcap" "$TMP/v6$m.dec.pcap"
	contains "$OUT" "^1 ok spi 0x9a345678 iv 1 $m" "v6 $m verdict"
	same "$(records "$TMP/v6$m.dec.pcap")" "$(records "$TMP/v6.pcap")" "v6 $m round trip"
	if command -v tshark >/dev/null; then
		st=$(tshark -r "$TMP/v6$m.pcap" -o udp.check_checksum:TRUE -T fields -e udp.checksum.status -e ipv6.plen -e udp.length 2>/dev/null | head -1)
		same "$st" "$(printf '1\t%s\t%s' $((8 + 16 + $([ $m = tunnel ] && echo 40 || echo 0) + 85 + 16)) $((8 + 16 + $([ $m = tunnel ] && echo 40 || echo 0) + 85 + 16)))" \
			"v6 $m: outer UDP checksum good, IPv6 payload length = UDP length"
	fi
done

# error paths
expect_fail "encrypt without --spi" 2 "--spi is required" "$E" encrypt psp --keys "$TMP/psp.keys" "$CLEAR" "$TMP/x.pcap"
expect_fail "crypt offset 64" 2 "--crypt-offset: 0-63" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 1 --crypt-offset 64 "$CLEAR" "$TMP/x.pcap"
expect_fail "missing input" 1 "nope.pcap: No such file or directory" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/nope.pcap"
expect_fail "not a pcap" 1 "not a pcap file" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/psp.keys"
expect_fail "eesp option in psp mode" 2 "--epoch is an eesp-mode option" "$E" encrypt psp --epoch 3 --spi 1 "$CLEAR" "$TMP/x.pcap"
expect_fail "short --data-key" 1 "expected a 32-byte PSP v1 data key" "$E" encrypt psp --data-key - --spi 1 "$CLEAR" "$TMP/x.pcap" <<<"00ff"
chmod 644 "$TMP/psp.keys"
expect_fail "world-readable master keys" 1 "accessible by group or others" "$E" decrypt psp --keys "$TMP/psp.keys" "$F"

finish
