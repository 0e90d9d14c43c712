#!/usr/bin/env bash
# 05: offline EESP encrypt/decrypt: the packets of man/eesp.7's EXAMPLES
# byte for byte, every profile round trip, rotation/retire, epoch window,
# wrong domain, tampering, out-of-band (spi profile) keys.
. "$(dirname "$0")/lib.sh"

# raw-IP pcap (linktype 101) holding one packet given in hex
mkpcap() { # out hex...
	python3 - "$@" <<'P'
import struct, sys
out = sys.argv[1]
pk = [bytes.fromhex(h) for h in sys.argv[2:]]
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pk):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)))
        f.write(p)
P
}
records() { tail -c +25 "$1" | xxd -p | tr -d '\n'; }
udp_payload() { tail -c +$((24 + 16 + 20 + 8 + 1)) "$1" | xxd -p | tr -d '\n'; } # one raw IPv4 record

INNER=4500002000004000401 # split to keep the line short
INNER=${INNER}14e96c0000201c633640204d2162e000c000070696e67
mkpcap "$TMP/inner.pcap" "$INNER"
R1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
R2=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
printf 'domain 0x00000a01\ndomain 0 5 %s\ntenant 0x2a 2 %s\n' "$R1" "$R2" >"$TMP/ex.keys"

# man/eesp.7: tenant profile, KDF 1, AES-GCM-128, optimized format, SN 0x6553f10000000001
expect_ok "encrypt eesp.7 example 1" "$E" encrypt eesp --keys "$TMP/ex.keys" --profile tenant --tenant 0x2a \
	--node 0x11 --session 3 --epoch 7 --kdf cmac --suite aes-gcm-128 --sn 0x6553f10000000001 \
	--sport 4500 "$TMP/inner.pcap" "$TMP/ex1.pcap"
same "$(udp_payload "$TMP/ex1.pcap")" \
	"$(tr -d ' ' <<<'80180003 00000a01 e0100411 80600000 00070000 002a0000 00110104 00000000 6553f100 00000001 5ebde4a7 18d6871c 6c91b975 d0294c2a a0ffb305 25b1db22 09e5c9d2 cf1189cf a3be45dc bed4af4b 62094c66 f6e120f5')" \
	"eesp.7 tenant example packet"
same "$(xxd -s $((24 + 16 + 20 + 2)) -l 2 -p "$TMP/ex1.pcap")" "1194" "UDP destination port 4500"
expect_ok "decrypt eesp.7 example 1" "$E" decrypt eesp --keys "$TMP/ex.keys" "$TMP/ex1.pcap" "$TMP/ex1.dec.pcap"
contains "$OUT" "^1 ok spi 0x00000a01 sn 7301444403200000001 tunnel 32 bytes" "example 1 verdict"
same "$(records "$TMP/ex1.dec.pcap")" "$(records "$TMP/inner.pcap")" "example 1 decrypts to the inner packet"

# man/eesp.7: node profile, KDF 1, AES-GCM-128, full format, crypt offset 7
expect_ok "encrypt eesp.7 example 3" "$E" encrypt eesp --keys "$TMP/ex.keys" --profile node --node 0x11 \
	--session 3 --epoch 7 --kdf cmac --suite aes-gcm-128 --crypt-offset 7 --sn 0x6553f10000000002 \
	"$TMP/inner.pcap" "$TMP/ex3.pcap"
same "$(udp_payload "$TMP/ex3.pcap")" \
	"$(tr -d ' ' <<<'80140003 00000a01 e00c0211 00400000 00070000 00110202 24700100 6553f100 00000002 00000400 45000020 00004000 40114e96 c0000201 c6336402 04d2162e 5bd83d5c 1f7ab26f 9b7a644f b1f5eccf 424d87db 37d32ee8')" \
	"eesp.7 full-format crypt-offset example packet"
# receive policy as eespd's: without a domain configuration, max_crypt_offset 0
expect_fail "crypt offset 7 dropped by default (eespd's max_crypt_offset 0)" 1 "^1 crypt_offset" \
	"$E" decrypt eesp --keys "$TMP/ex.keys" "$TMP/ex3.pcap"
expect_ok "decrypt example 3" "$E" decrypt eesp --keys "$TMP/ex.keys" --max-crypt-offset 7 "$TMP/ex3.pcap" "$TMP/ex3.dec.pcap"
same "$(records "$TMP/ex3.dec.pcap")" "$(records "$TMP/inner.pcap")" "example 3 round trip"
expect_fail "crypt offset above --max-crypt-offset" 1 "^1 crypt_offset" \
	"$E" decrypt eesp --keys "$TMP/ex.keys" --max-crypt-offset 6 "$TMP/ex3.pcap"

# verdicts are eespd's counter names: the shared-port classification first
python3 - "$TMP/share.pcap" <<'P'
import struct, sys
def udp4(payload, dport):
    udp = struct.pack("!HHHH", 4500, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     bytes([203, 0, 113, 1]), bytes([203, 0, 113, 2]))
    return ip + udp
pk = [udp4(bytes([0xff]), 4500),                                     # NAT keepalive
      udp4(bytes(4) + bytes(range(1, 29)), 4500),                    # IKE non-ESP marker
      udp4(bytes.fromhex("00001234000000010102030405060708"), 4500), # ESP (first bit 0)
      udp4(bytes([0x80, 0]), 4500),                                  # runt
      udp4(bytes([0xff]), 1000)]                                     # keepalive on the PSP port
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pk):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(p), len(p)) + p)
P
expect_fail "classification verdicts" 1 "" "$E" decrypt eesp --keys "$TMP/ex.keys" "$TMP/share.pcap"
same "$(cut -d' ' -f1,2 <<<"$OUT" | tr '\n' ' ')" "1 keepalive 2 ike 3 esp 4 truncated 5 skipped " \
	"keepalive, ike, esp as eespd counts them; a runt is truncated"
run "$E" decrypt eesp --keys "$TMP/ex.keys" --json "$TMP/share.pcap"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert [p["verdict"] for p in d["packets"]]==["keepalive","ike","esp","truncated","skipped"] and d["failed"]==4, d' "$OUT" &&
	ok || fail "decrypt eesp --json verdict names: $OUT"
expect_fail "PSP port: keepalive" 1 "^5 keepalive" "$E" decrypt psp --keys "$TMP/ex.keys" --data-key - --version 0 "$TMP/share.pcap" <<<"00112233445566778899aabbccddeeff"

# a domain directory; Ethernet IPv4 and IPv6 packets, several per file
D=$TMP/lab
expect_ok "domain" "$E" domain create "$D" --id 0xC0FFEE01 --node 1 --tenant 7 --group 9
python3 - "$TMP/eth.pcap" <<'P'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
eth4 = bytes.fromhex("02000000000202000000000108 00".replace(" ", ""))
eth6 = bytes.fromhex("0200000000020200000000018 6dd".replace(" ", ""))
pk = []
for i in range(3):
    data = bytes(range(i, i + 100))
    udp = struct.pack("!HHHH", 40000 + i, 5201, 8 + len(data), 0) + data
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0x4000, 64, 17, 0,
                     bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2]))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    pk.append(eth4 + ip + udp)
udp = struct.pack("!HHHH", 1234, 80, 8 + 40, 0) + bytes(40)
ip6 = struct.pack("!IHBB16s16s", 0x60000000, len(udp), 17, 64,
                  bytes.fromhex("20010db8000100000000000000000001"),
                  bytes.fromhex("20010db8000100000000000000000002"))
pk.append(eth6 + ip6 + udp)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i, p in enumerate(pk):
        f.write(struct.pack("<IIII", 1700000000, i, len(p), len(p)) + p)
P
# this domain's receivers accept crypt offsets up to 3 (eespd.conf), so does decrypt
sed -i 's/max_crypt_offset = 0;/max_crypt_offset = 3;/' "$D/eespd.conf"
grep -q 'max_crypt_offset = 3;' "$D/eespd.conf" && ok || fail "eespd.conf skeleton without max_crypt_offset"
for args in "--profile node" "--profile pair --peer-node 2" "--profile tenant" \
	"--profile node --tenant 7 --group 9 --suite aes-gcm-128 --kdf hmac" "--profile node --crypt-offset 1" \
	"--profile pair --peer-node 5 --crypt-offset 3 --session 65535 --epoch 4000000000"; do
	# shellcheck disable=SC2086
	expect_ok "encrypt $args" "$E" encrypt eesp --domain "$D" $args "$TMP/eth.pcap" "$TMP/rt.pcap"
	expect_ok "decrypt $args" "$E" decrypt eesp --domain "$D" "$TMP/rt.pcap" "$TMP/rt.dec.pcap"
	same "$(grep -c ' ok spi 0xc0ffee01 sn [1-4] tunnel' <<<"$OUT")" 4 "4 packets ok ($args)"
	same "$(records "$TMP/rt.dec.pcap")" "$(records "$TMP/eth.pcap")" "round trip ($args)"
done
expect_ok "crypt offset 4" "$E" encrypt eesp --domain "$D" --crypt-offset 4 "$TMP/eth.pcap" "$TMP/co4.pcap"
expect_fail "above the domain's max_crypt_offset 3" 1 "^1 crypt_offset" "$E" decrypt eesp --domain "$D" "$TMP/co4.pcap"
expect_ok "--max-crypt-offset overrides the domain's" "$E" decrypt eesp --domain "$D" --max-crypt-offset 4 "$TMP/co4.pcap"

# the UDP source port follows the inner flow: 3 flows, 3 ports
expect_ok "encrypt for ports" "$E" encrypt eesp --domain "$D" "$TMP/eth.pcap" "$TMP/ports.pcap"
ports=$(tshark -r "$TMP/ports.pcap" -T fields -e udp.srcport 2>/dev/null | sort -u | wc -l)
if command -v tshark >/dev/null; then same "$ports" 4 "one source port per inner flow"; fi

# rotation: packets sealed with the old generation decrypt until it is retired
expect_ok "encrypt gen 0" "$E" encrypt eesp --domain "$D" "$TMP/eth.pcap" "$TMP/g0.pcap"
expect_ok "key add" "$E" key add "$D" domain
expect_ok "encrypt with the next generation (phase 1)" "$E" encrypt eesp --domain "$D" --phases 1 "$TMP/eth.pcap" "$TMP/g1.pcap"
expect_ok "receivers accept next before rotation" "$E" decrypt eesp --domain "$D" "$TMP/g1.pcap"
expect_ok "rotate" "$E" rotate "$D" domain
expect_ok "previous still accepted" "$E" decrypt eesp --domain "$D" "$TMP/g0.pcap"
expect_ok "retire" "$E" retire "$D" domain
expect_fail "retired generation dropped" 1 "^1 unknown_generation spi 0xc0ffee01" "$E" decrypt eesp --domain "$D" "$TMP/g0.pcap"
expect_ok "current generation fine" "$E" decrypt eesp --domain "$D" "$TMP/g1.pcap"

# epoch window, wrong domain, tenant root missing, tampering
expect_ok "epoch 100" "$E" encrypt eesp --domain "$D" --epoch 100 "$TMP/eth.pcap" "$TMP/ep.pcap"
expect_ok "epoch in window" "$E" decrypt eesp --domain "$D" --epoch-now 98 --epoch-window 2 "$TMP/ep.pcap"
expect_fail "epoch out of window" 1 "^1 epoch_window" "$E" decrypt eesp --domain "$D" --epoch-now 97 --epoch-window 2 "$TMP/ep.pcap"
expect_fail "another domain id" 1 "^1 unknown_domain" "$E" decrypt eesp --domain "$D" --spi 0xC0FFEE02 "$TMP/ep.pcap"
expect_ok "tenant 7" "$E" encrypt eesp --domain "$D" --profile tenant --tenant 7 "$TMP/eth.pcap" "$TMP/t7.pcap"
grep -v '^tenant' "$D/domain.keys" >"$TMP/notenant.keys"
expect_fail "tenant root not held" 1 "^1 no_key" "$E" decrypt eesp --keys "$TMP/notenant.keys" "$TMP/t7.pcap"
expect_ok "corrupt" "$E" encrypt eesp --domain "$D" --corrupt "$TMP/eth.pcap" "$TMP/bad.pcap"
expect_fail "tampered ICV" 1 "^4 auth_failed" "$E" decrypt eesp --domain "$D" "$TMP/bad.pcap"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[24+16+14+20+8+2]^=1; open(sys.argv[2],"wb").write(b)' "$TMP/g1.pcap" "$TMP/sess.pcap"
expect_fail "tampered Session ID" 1 "^1 auth_failed" "$E" decrypt eesp --domain "$D" "$TMP/sess.pcap"
run "$E" decrypt eesp --domain "$D" --json "$TMP/sess.pcap"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["ok"]==3 and d["failed"]==1 and d["packets"][0]["verdict"]=="auth_failed"' "$OUT" &&
	ok || fail "decrypt eesp --json: $OUT"

# spi profile with an out-of-band key (derive eesp | --data-key)
# (the domain's config names tenant 7 and group 9: this SA uses the domain level only)
"$E" derive eesp --domain "$D" --profile spi --spi 0x00abcdef --session 2 --tenant 0 --group 0 --line |
	awk '{ print $4, $5 }' >"$TMP/sa"
expect_ok "encrypt --data-key (spi profile)" "$E" encrypt eesp --data-key "$TMP/sa" --spi 0x00abcdef \
	--session 2 --phases 1 "$TMP/eth.pcap" "$TMP/sa.pcap"
expect_ok "receiver derives it from the roots" "$E" decrypt eesp --domain "$D" --spi 0x00abcdef "$TMP/sa.pcap" "$TMP/sa.dec.pcap"
same "$(records "$TMP/sa.dec.pcap")" "$(records "$TMP/eth.pcap")" "spi profile round trip"
expect_ok "decrypt --data-key" "$E" decrypt eesp --data-key - "$TMP/sa.pcap" <"$TMP/sa"
"$E" encrypt eesp --data-key "$TMP/sa" --spi 0x00abcdef --session 3 --phases 1 "$TMP/eth.pcap" "$TMP/sa3.pcap" 2>/dev/null
expect_fail "session 2's key used for session 3: the receiver's key differs" 1 "^1 auth_failed" \
	"$E" decrypt eesp --domain "$D" --spi 0x00abcdef "$TMP/sa3.pcap"

# a client's key file: `sa eesp SPI KEY SALT` only
printf 'sa eesp 0x00abcdef %s\n' "$(cat "$TMP/sa")" >"$TMP/client.keys"
expect_ok "encrypt with a client key file" "$E" encrypt eesp --keys "$TMP/client.keys" --spi 0x00abcdef \
	--session 2 --phases 1 "$TMP/eth.pcap" "$TMP/cl.pcap"
expect_ok "the domain decrypts the client's packets" "$E" decrypt eesp --domain "$D" --spi 0x00abcdef "$TMP/cl.pcap" "$TMP/cl.dec.pcap"
same "$(records "$TMP/cl.dec.pcap")" "$(records "$TMP/eth.pcap")" "client key file round trip"
expect_ok "the client decrypts with its key file" "$E" decrypt eesp --keys "$TMP/client.keys" "$TMP/sa.pcap"

# the SN space is 1 .. 2^64-2: 2^64-1 is never sent, the counter never wraps
expect_fail "--sn 2^64-1" 2 "1 to 2\\^64-2" "$E" encrypt eesp --domain "$D" --sn 0xffffffffffffffff "$TMP/eth.pcap" "$TMP/x.pcap"
expect_fail "the packet after SN 2^64-2" 1 "packet 2 and later: not encrypted: the last SN is 2\\^64-2" \
	"$E" encrypt eesp --domain "$D" --sn 0xfffffffffffffffe "$TMP/eth.pcap" "$TMP/last.pcap"
contains "$ERR" "encrypted 1 of 4 packets" "only the packet with SN 2^64-2 sealed"
expect_ok "SN 2^64-2 is received" "$E" decrypt eesp --domain "$D" --json "$TMP/last.pcap"
contains "$OUT" '"verdict":"ok","spi":3237998081,"sn":18446744073709551614' "last SN decrypts"
printf 'psp 0 %s\npsp 1 %s\n' "$R1" "$R2" >"$TMP/psp.keys"
expect_fail "PSP: the IV after 2^64-2" 1 "packet 3 and later: not encrypted: the last IV is 2\\^64-2" \
	"$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x12345678 --iv 0xfffffffffffffffd "$TMP/eth.pcap" "$TMP/plast.pcap"
expect_ok "PSP IVs up to 2^64-2 decrypt" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/plast.pcap"
contains "$OUT" "^2 ok spi 0x12345678 iv 18446744073709551614" "PSP last IV"

# errors
expect_fail "transport in eesp mode" 2 "tunnel mode only" "$E" encrypt eesp --domain "$D" --transport "$TMP/eth.pcap" "$TMP/x.pcap"
expect_fail "vc in eesp mode" 2 "virtualization cookie is a PSP field" "$E" encrypt eesp --domain "$D" --vc "$TMP/eth.pcap" "$TMP/x.pcap"
expect_fail "bad --data-key" 1 "expected .KEYHEX SALTHEX." "$E" encrypt eesp --data-key - --spi 5 "$TMP/eth.pcap" "$TMP/x.pcap" <<<"00 11"
expect_fail "missing output name" 2 "expected IN.pcap OUT.pcap" "$E" encrypt eesp --domain "$D" "$TMP/eth.pcap"
expect_fail "unknown mode" 2 "unknown mode 'esp'" "$E" encrypt esp "$TMP/eth.pcap" "$TMP/x.pcap"

finish
