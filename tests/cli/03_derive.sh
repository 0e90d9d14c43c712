#!/usr/bin/env bash
# 03: derive psp reproduces the PSP specification's derived keys (psp.md §2);
# derive eesp reproduces the examples of man/eesp.7; error paths.
. "$(dirname "$0")/lib.sh"

K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
printf 'psp 0 %s\npsp 1 %s\n' "$K0" "$K1" >"$TMP/psp.keys"

# psp.md §2 table (versions 0 and 1) and man/eesp.7 (2 and 3): SPI, version, derived key
while read -r spi ver key; do
	expect_ok "derive psp $spi v$ver" "$E" derive psp --spi "$spi" --version "$ver" --keys "$TMP/psp.keys"
	contains "$OUT" "^key $key\$" "derive psp $spi v$ver key"
	contains "$OUT" "^sa psp $spi $key\$" "derive psp $spi v$ver key-file line"
done <<'V'
0x12345678 0 96c22dc799198090b74b70ae468e4e30
0x9a345678 0 3946da2554eae46ad1ef77a64372edc4
0x12345678 1 2b7d72074e42ca334487f2990e3f8c4037e436f38283449b76463e9b7fb2e3de
0x9a345678 1 fa00f609df6020289a1c93d6027081a637ad45b24a5576b36e6f49dd43114d80
0x12345678 2 186e6a36e8b4a7ca1fd12eaca5a33357
0x9a345678 2 c42b1b69404d8338329b8ab392e87bb8
0x12345678 3 5c1f322a681fdcb31060c635d870567073495c29e55c66463e1f9e5054813ebc
0x9a345678 3 1d5368a6bcc99c72dfb6f255fa2c4801ac303820e94e475573ad01df8f4d475a
V
# versions 2 and 3 (AES-GMAC): the keys of man/eesp.7, computed there with
# openssl's CMAC and the labels "Pv2"/"Pv3"; the output names the AEAD
run "$E" derive psp --spi 0x9a345678 --version 3 --keys "$TMP/psp.keys"
contains "$OUT" "version 3 \(aes-gmac-256\)" "derive psp v3 names aes-gmac-256"
# masters on stdin: key-file lines, or just the selected master
run "$E" derive psp --spi 0x9a345678 --version 0 --line <"$TMP/psp.keys"
same "$OUT" "sa psp 0x9a345678 3946da2554eae46ad1ef77a64372edc4" "derive psp, key file on stdin"
run "$E" derive psp --spi 0x12345678 --version 0 --line <<<"$K0"
same "$OUT" "sa psp 0x12345678 96c22dc799198090b74b70ae468e4e30" "derive psp, bare master on stdin"
run "$E" derive psp --spi 0x9a345678 --version 1 --json --keys "$TMP/psp.keys"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["key"]=="fa00f609df6020289a1c93d6027081a637ad45b24a5576b36e6f49dd43114d80" and d["master"]==1 and d["spi"]==0x9a345678' "$OUT" &&
	ok || fail "derive psp --json: $OUT"
# a PSP domain directory works as --keys
expect_ok "psp domain" "$E" domain create "$TMP/pd" --mode psp
expect_ok "derive psp from a domain dir" "$E" derive psp --spi 0x80000001 --keys "$TMP/pd"
contains "$OUT" '^key [0-9a-f]{64}$' "derive psp from a domain dir: v1 key"

# psp error paths
expect_fail "psp: no --spi" 2 "--spi is required" "$E" derive psp --keys "$TMP/psp.keys"
expect_fail "psp: bad version" 2 "--version: PSP version 0 \(AES-GCM-128\), 1 \(AES-GCM-256\), 2 \(AES-GMAC-128\) or 3" "$E" derive psp --spi 1 --version 4 --keys "$TMP/psp.keys"
expect_fail "psp: zero SPI" 1 "low 31 bits of a PSP SPI must not be zero" "$E" derive psp --spi 0x80000000 --keys "$TMP/psp.keys"
expect_fail "psp: short master on stdin" 1 "expected a master key \(64 hex digits\)" "$E" derive psp --spi 1 <<<"abcdef"
printf 'psp 0 %s\n' "$K0" >"$TMP/psp0.keys"
expect_fail "psp: master 1 missing" 1 "no PSP master key 1 \(selected by SPI bit 31 of 0x9a345678\)" \
	"$E" derive psp --spi 0x9a345678 --keys "$TMP/psp0.keys"
expect_fail "psp: missing key file" 1 "nope.keys: No such file or directory" "$E" derive psp --spi 1 --keys "$TMP/nope.keys"
chmod 644 "$TMP/psp0.keys"
expect_fail "psp: world-readable key file" 1 "accessible by group or others" "$E" derive psp --spi 1 --keys "$TMP/psp0.keys"
expect_fail "unknown derive mode" 2 "unknown mode 'ipsec'" "$E" derive ipsec

# man/eesp.7 EXAMPLES: domain root 00..1f (generation 5), tenant 0x2a root 20..3f (generation 2)
R1=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
R2=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
printf 'domain 0x00000a01\ndomain 0 5 %s\ntenant 0x2a 2 %s\n' "$R1" "$R2" >"$TMP/ex.keys"
run "$E" derive eesp --keys "$TMP/ex.keys" --profile tenant --tenant 0x2a --node 0x11 --session 3 \
	--epoch 7 --kdf cmac --suite aes-gcm-128
same "$RC" 0 "derive eesp tenant example: exit ($ERR)"
contains "$OUT" "^key 99b689e0d6219ea2b5df71f6811f35fa\$" "eesp.7 tenant/KDF1/GCM-128 data key"
contains "$OUT" "^salt 12fdefd8\$" "eesp.7 tenant example salt"
contains "$OUT" "^phases 1/2/0 " "phases from the current generations (5 mod 4, 2 mod 4)"
contains "$OUT" "^sa eesp 0x00000a01 99b689e0d6219ea2b5df71f6811f35fa 12fdefd8\$" "sa eesp line"
run "$E" derive eesp --keys "$TMP/ex.keys" --spi 0xa01 --profile node --node 0x11 --session 3 \
	--epoch 7 --kdf hmac --suite aes-gcm-256 --line
same "$OUT" "sa eesp 0x00000a01 56765892cc28eaf953e324e648f61309c4462bb558f23e885bda218ba5107191 37183ee4" \
	"eesp.7 node/KDF2/GCM-256 example"
run "$E" derive eesp --keys - --profile node --node 0x11 --session 3 --epoch 7 --kdf cmac \
	--suite aes-gcm-128 --json <"$TMP/ex.keys"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["key"]=="6a5b67be599ae804cd9dee6ffa34ea35" and d["salt"]=="f50065a0" and d["phases"]==[1,0,0]' "$OUT" &&
	ok || fail "eesp.7 node/KDF1/GCM-128 example via stdin --json: $OUT"
# the context matters: another epoch, node or phase gives another key
run "$E" derive eesp --keys "$TMP/ex.keys" --profile node --node 0x12 --session 3 --epoch 7 --kdf cmac --suite aes-gcm-128 --line
lacks "$OUT" "6a5b67be599ae804cd9dee6ffa34ea35" "another node id, another key"
# domain directory defaults (id, profile, node) and explicit phases
expect_ok "eesp domain" "$E" domain create "$TMP/d" --id 0x0a01 --node 0x11 --suite aes-gcm-128
cp "$TMP/ex.keys" "$TMP/d/domain.keys"
run "$E" derive eesp --domain "$TMP/d" --session 3 --epoch 7 --line
same "$OUT" "sa eesp 0x00000a01 6a5b67be599ae804cd9dee6ffa34ea35 f50065a0" "derive eesp from a domain dir"
run "$E" derive eesp --domain "$TMP/d" --session 3 --epoch 7 --phases 1 --line
same "$OUT" "sa eesp 0x00000a01 6a5b67be599ae804cd9dee6ffa34ea35 f50065a0" "explicit --phases 1"

# eesp error paths
expect_fail "eesp: unknown generation phase" 1 "no live generation of domain 0 has phase 2" \
	"$E" derive eesp --domain "$TMP/d" --phases 2
expect_fail "eesp: phase of an unused level" 1 "the tenant level is not used, its phase must be 0" \
	"$E" derive eesp --domain "$TMP/d" --phases 1,2
expect_fail "eesp: tenant root not held" 1 "no tenant 5 root key" "$E" derive eesp --domain "$TMP/d" --tenant 5
expect_fail "eesp: pair without peer" 1 "profile pair needs --peer-node" "$E" derive eesp --domain "$TMP/d" --profile pair
expect_fail "eesp: tenant profile without tenant" 1 "profile tenant needs --tenant" "$E" derive eesp --domain "$TMP/d" --profile tenant
expect_fail "eesp: session too big" 2 "Session ID is 16 bits" "$E" derive eesp --domain "$TMP/d" --session 70000
expect_fail "eesp: bad suite" 2 "unknown suite 'aes-gcm-512'" "$E" derive eesp --domain "$TMP/d" --suite aes-gcm-512
expect_fail "eesp: bad kdf" 2 "unknown kdf 'md5'" "$E" derive eesp --domain "$TMP/d" --kdf md5
expect_fail "eesp: unknown profile" 2 "unknown profile 'x'" "$E" derive eesp --domain "$TMP/d" --profile x
# only the words of the name table (src/core/names.h), as eespd accepts:
# the wire numbers and short forms eespctl once took are refused
for k in 1 2; do
	expect_fail "eesp: kdf number $k" 2 "unknown kdf '$k' \(expected cmac or hmac\)" \
		"$E" derive eesp --domain "$TMP/d" --kdf "$k"
done
for s in 1 2 128 256; do
	expect_fail "eesp: suite number $s" 2 "unknown suite '$s' \(expected aes-gcm-128 or aes-gcm-256\)" \
		"$E" derive eesp --domain "$TMP/d" --suite "$s"
done
expect_fail "domain create: suite 256" 2 "unknown suite '256'" "$E" domain create "$TMP/n256" --suite 256
expect_fail "domain create: kdf 2" 2 "unknown kdf '2'" "$E" domain create "$TMP/n2" --kdf 2
expect_fail "domain create: mode" 2 "unknown mode 'esp' \(expected eesp or psp\)" \
	"$E" domain create "$TMP/nm" --mode esp
printf 'domain 0 1 00112233\n' >"$TMP/short.keys"
expect_fail "eesp: short root key" 1 "short.keys:1: key must be 64 hex digits" "$E" derive eesp --keys "$TMP/short.keys" --spi 1
expect_fail "eesp: no spi anywhere" 1 "--spi is needed|no domain id" "$E" derive eesp --keys - <<<"domain 0 1 $R1"
expect_fail "eesp: psp dir" 1 "is a PSP domain" "$E" derive eesp --domain "$TMP/pd"

# derive pairkey: what it refuses (its values are checked in 07_vectors)
printf 'group 9 4 %s\n' "$R1" >"$TMP/g.keys"
chmod 600 "$TMP/g.keys"
printf '%064x\n' 7 >"$TMP/skd"
pk=(derive pairkey --keys "$TMP/g.keys" --group 9 --spi-i 0001020304050607 --spi-r 08090a0b0c0d0e0f)
expect_ok "pairkey: group 9 generation 4, SK_d from a file" "$E" "${pk[@]}" --node 1 --peer-node 2 --sk-d "$TMP/skd"
contains "$OUT" "^send [0-9a-f]{64}\$" "pairkey: a send key"
expect_fail "pairkey: no --node" 2 "--node and --peer-node are required" "$E" "${pk[@]}" --peer-node 2
expect_fail "pairkey: one node twice" 2 "--node and --peer-node must differ" "$E" "${pk[@]}" \
	--node 3 --peer-node 3 --sk-d "$TMP/skd"
expect_fail "pairkey: short SPI" 2 "--spi-r: expected an IKE SPI of 16 hex digits" \
	"$E" derive pairkey --keys "$TMP/g.keys" --group 9 --spi-i 0001020304050607 --spi-r 0809 \
	--node 1 --peer-node 2
expect_fail "pairkey: no such generation" 1 "group 9 has no live generation 5" "$E" "${pk[@]}" \
	--generation 5 --node 1 --peer-node 2 --sk-d "$TMP/skd"
expect_fail "pairkey: no such group" 1 "no group 8 root keys" "$E" derive pairkey --keys "$TMP/g.keys" \
	--group 8 --spi-i 0001020304050607 --spi-r 08090a0b0c0d0e0f --node 1 --peer-node 2 --sk-d "$TMP/skd"
expect_fail "pairkey: SK_d of SHA2-512 length" 1 "expected SK_d as 64 hex digits" "$E" "${pk[@]}" \
	--node 1 --peer-node 2 <<<"$(printf '%0128x' 7)"
chmod 640 "$TMP/skd"
expect_fail "pairkey: group-readable SK_d file" 1 "accessible by group or others" "$E" "${pk[@]}" \
	--node 1 --peer-node 2 --sk-d "$TMP/skd"
expect_fail "pairkey: --server-view with --sk-d" 2 "--server-view reads no SK_d" "$E" "${pk[@]}" \
	--node 1 --peer-node 2 --sk-d "$TMP/skd" --server-view

finish
