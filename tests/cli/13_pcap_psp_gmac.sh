#!/usr/bin/env bash
# 13: eespctl encrypt/decrypt psp with versions 2 and 3 (AES-GMAC, integrity
# only) on the compact frame of psp.md §3.7 / man/eesp.7 (transport mode,
# SPI 9a345678 under K1, IV 1): the sealed UDP payload is exactly the page's
# GMAC example (header, payload in clear, ICV), decrypt gives the verdict ok
# and the original frame back, and the failures are the receiver's: a
# changed payload byte auth_failed, a Crypt Offset written afterwards
# psp_gmac_crypt_offset, --crypt-offset refused on encrypt, a data key of
# the other version's size refused.
. "$(dirname "$0")/lib.sh"

K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
printf 'psp 0 %s\npsp 1 %s\n' "$K0" "$K1" >"$TMP/psp.keys"
# the 74-byte Ethernet frame: IPv4 10.0.0.1 -> 10.0.0.2, UDP 11111 -> 22222, payload 00..1f
FRAME=008899aabb0000223344550008004500003c00004000401126af0a0000010a0000022b6756ce00287865000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
L4=${FRAME:68}
# pcap FILE HEX...: one Ethernet record per HEX
pcap() {
	python3 - "$@" <<'P'
import struct, sys
out = open(sys.argv[1], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
for i, h in enumerate(sys.argv[2:]):
    p = bytes.fromhex(h)
    out.write(struct.pack("<IIII", 1767225600 + i, 0, len(p), len(p)) + p)
P
}
records() { tail -c +25 "$1" | xxd -p | tr -d '\n'; }
# udp_payload FILE: the UDP payload of the first record (Ethernet + IPv4 without options)
udp_payload() { tail -c +$((24 + 16 + 14 + 20 + 8 + 1)) "$1" | xxd -p | tr -d '\n'; }
pcap "$TMP/clear.pcap" "$FRAME"

# version header-byte-3 ICV (man/eesp.7 EXAMPLES, PSP versions 2 and 3)
while read -r ver b3 icv; do
	out=$TMP/v$ver.pcap
	expect_ok "encrypt v$ver" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --version "$ver" \
		--transport --iv 1 --psp-compat "$TMP/clear.pcap" "$out"
	same "$(udp_payload "$out")" "1101${b3}9a3456780000000000000001${L4}${icv}" \
		"encrypt v$ver: header, clear payload and ICV of the page"
	expect_ok "decrypt v$ver" "$E" decrypt psp --keys "$TMP/psp.keys" "$out" "$TMP/v$ver.dec.pcap"
	contains "$OUT" "^1 ok spi 0x9a345678 iv 1 transport 40 bytes\$" "decrypt v$ver verdict"
	same "$(records "$TMP/v$ver.dec.pcap")" "$(records "$TMP/clear.pcap")" "decrypt v$ver = the cleartext frame"
	# one payload byte changed (the UDP data, in clear on the wire)
	pkt=$(records "$out")
	bad=${pkt:0:$((2 * (16 + 14 + 20 + 8 + 16 + 20)))}ff${pkt:$((2 * (16 + 14 + 20 + 8 + 16 + 21)))}
	pcap "$TMP/bad$ver.pcap" "${bad:32}"
	expect_fail "v$ver: changed payload byte" 1 "^1 auth_failed spi 0x9a345678" \
		"$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/bad$ver.pcap"
	# the Crypt Offset byte set after sealing (PSP header byte 2)
	o=$((2 * (16 + 14 + 20 + 8 + 2)))
	co=${pkt:0:$o}06${pkt:$((o + 2))}
	pcap "$TMP/co$ver.pcap" "${co:32}"
	expect_fail "v$ver: Crypt Offset set" 1 "^1 psp_gmac_crypt_offset\$" \
		"$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/co$ver.pcap"
	# --corrupt (a reserved bit after sealing) fails too
	expect_ok "encrypt v$ver --corrupt" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 \
		--version "$ver" --transport --iv 1 --corrupt "$TMP/clear.pcap" "$TMP/c$ver.pcap"
	expect_fail "v$ver: --corrupt" 1 "^1 auth_failed" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/c$ver.pcap"
done <<'V'
2 0009 146e1a986e560a802d3f6d1846b75566
3 000d 6404444a5321c0684a2150a652212168
V

# the data key out of band, with --version: the right length only
"$E" derive psp --spi 0x9a345678 --version 2 --keys "$TMP/psp.keys" --line | awk '{ print $4 }' >"$TMP/dk2"
"$E" derive psp --spi 0x9a345678 --version 3 --keys "$TMP/psp.keys" --line | awk '{ print $4 }' >"$TMP/dk3"
expect_ok "decrypt v2 with --data-key --version 2" "$E" decrypt psp --data-key "$TMP/dk2" --version 2 "$TMP/v2.pcap"
expect_fail "v3 data key with --version 2" 1 "expected a 16-byte PSP v2 data key" \
	"$E" decrypt psp --data-key "$TMP/dk3" --version 2 "$TMP/v2.pcap"
expect_fail "v2 data key with --version 3" 1 "expected a 32-byte PSP v3 data key" \
	"$E" encrypt psp --data-key "$TMP/dk2" --version 3 --spi 0x9a345678 "$TMP/clear.pcap" "$TMP/x.pcap"
# a v0 key (16 bytes too) does not open a v2 packet: the label differs
"$E" derive psp --spi 0x9a345678 --version 0 --keys "$TMP/psp.keys" --line | awk '{ print $4 }' >"$TMP/dk0"
expect_fail "v0 data key on a v2 packet" 1 "^1 auth_failed" \
	"$E" decrypt psp --data-key "$TMP/dk0" --version 0 "$TMP/v2.pcap"
# a sender's key file with the v3 key: --version 3 given, tunnel mode round trip
printf 'sa psp 0x9a345678 %s\n' "$(cat "$TMP/dk3")" >"$TMP/sa3.keys"
expect_ok "encrypt v3 with an sa psp key file" "$E" encrypt psp --keys "$TMP/sa3.keys" --spi 0x9a345678 \
	--version 3 --tunnel "$TMP/clear.pcap" "$TMP/t3.pcap"
expect_ok "decrypt v3 tunnel" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/t3.pcap"
contains "$OUT" "^1 ok spi 0x9a345678 iv 1 tunnel 60 bytes\$" "v3 tunnel verdict"
# the inner IPv4 packet is in the UDP payload as it was, right after the header
same "$(udp_payload "$TMP/t3.pcap" | cut -c33-152)" "${FRAME:28:120}" "v3 tunnel: inner packet in clear"

# errors
expect_fail "--crypt-offset with version 2" 2 "PSP version 2 \(aes-gmac-128\) encrypts nothing" \
	"$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --version 2 --crypt-offset 1 "$TMP/clear.pcap" "$TMP/x.pcap"
expect_fail "version 4" 2 "--version: PSP version 0 \(AES-GCM-128\), 1 \(AES-GCM-256\), 2 \(AES-GMAC-128\) or 3" \
	"$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --version 4 "$TMP/clear.pcap" "$TMP/x.pcap"

finish
