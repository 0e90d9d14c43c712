#!/usr/bin/env bash
# Failures are visible: wrong key -> auth_failed, missing key -> no_key,
# wrong generation -> unknown_generation, bad header -> malformed (EESP and
# PSP); and the EESP port dissector leaves IKE, ESP and keepalives on 4500 to
# Wireshark's own dissectors.
cd "$(dirname "$0")/../.." || exit 1
. tests/dissector/lib.sh
ds_setup

keyfile() { # name content...
	local f=$DS_TMP/$1
	shift
	printf '%s\n' "$@" >"$f"
	chmod 644 "$f"
	echo "$f"
}
# expert NAME PCAP KEYFILE -> "frame:expert-names" for every frame
expert() {
	ts -r "$2" -o "eesp.keyfile:$3" -T fields -E occurrence=a -E aggregator=/ \
		-e frame.number -e eesp.decrypted -e psp.decrypted -e _ws.expert.message \
		-Y "$4" 2>/dev/null | tr '\t' '|'
}
count() { ts -r "$1" -o "eesp.keyfile:$2" -Y "$3" -T fields -e frame.number 2>/dev/null | wc -l; }

WRONG=${EX_DOMAIN_ROOT%??}ff
ds_pcap "$DS_TMP/ex.pcap" 50000 4500 "$EX1" "$EX3"
GOOD=$(keyfile good.keys "domain 0x00000a01" "domain 0 5 $EX_DOMAIN_ROOT" "tenant 42 2 $EX_TENANT_ROOT")
check "right keys: both decrypt, no error expert" \
	"$(count "$DS_TMP/ex.pcap" "$GOOD" 'eesp.decrypted == 1 && !eesp.expert.auth_failed && !eesp.expert.no_key')" 2

# wrong key (last byte of the domain root changed)
K=$(keyfile wrong.keys "domain 0x00000a01" "domain 0 5 $WRONG" "tenant 42 2 $EX_TENANT_ROOT")
check "wrong domain root: auth_failed on both" "$(count "$DS_TMP/ex.pcap" "$K" 'eesp.expert.auth_failed && eesp.decrypted == 0')" 2
got=$(expert x "$DS_TMP/ex.pcap" "$K" "frame.number == 1")
check "wrong key: message" "$got" "1|0||authentication failed (wrong root key, or corrupted packet)"

# missing keys
K=$(keyfile none.keys "# no keys")
check "no keys at all: no_key on both" "$(count "$DS_TMP/ex.pcap" "$K" 'eesp.expert.no_key')" 2
got=$(expert x "$DS_TMP/ex.pcap" "$K" "frame.number == 2")
check "no keys: message" "$got" "2|0||no root key for domain 0x00000a01"
K=$(keyfile other.keys "domain 0x00000a02" "domain 0 5 $EX_DOMAIN_ROOT")
check "keys of another domain only: no_key" "$(count "$DS_TMP/ex.pcap" "$K" 'eesp.expert.no_key')" 2
K=$(keyfile notenant.keys "domain 0x00000a01" "domain 0 5 $EX_DOMAIN_ROOT")
got=$(expert x "$DS_TMP/ex.pcap" "$K" "eesp")
check "tenant root missing: no_key for the tenant packet only" "$got" \
	"1|0||no root key for tenant 42
2|1||Decrypted with domain 0x00000a01 gen 5 (keyfile)"

# generation whose phase does not match the header (domain phase 1 = gen 5)
K=$(keyfile gen.keys "domain 0x00000a01" "domain 0 4 $EX_DOMAIN_ROOT" "domain 0 6 $EX_DOMAIN_ROOT")
check "domain gens 4 and 6 (phase 0, 2): unknown_generation" \
	"$(count "$DS_TMP/ex.pcap" "$K" 'eesp.expert.unknown_generation && eesp.decrypted == 0')" 2
K=$(keyfile tgen.keys "domain 0x00000a01" "domain 0 5 $EX_DOMAIN_ROOT" "tenant 42 3 $EX_TENANT_ROOT")
got=$(expert x "$DS_TMP/ex.pcap" "$K" "frame.number == 1")
check "tenant gen 3 (phase 3, header says 2): unknown_generation" "$got" \
	"1|0||no root key generation with phase 2 for tenant 42"
# and the generation is chosen by phase among three live ones
K=$(keyfile ring.keys "domain 0x00000a01" "domain 0 4 $WRONG" "domain 0 5 $EX_DOMAIN_ROOT" \
	"domain 0 6 $WRONG" "tenant 42 2 $EX_TENANT_ROOT")
check "three live generations: phase picks gen 5" \
	"$(count "$DS_TMP/ex.pcap" "$K" 'eesp.decrypted == 1 && eesp.key_info contains "gen 5"')" 2

# corrupted packet with the right key: flip the last ICV byte / a ciphertext byte
BAD1=$(printf '%s' "$EX1" | tr -d ' \n' | sed 's/f5$/f4/')
BAD3=$(printf '%s' "$EX3" | tr -d ' \n' | sed 's/5bd83d5c/5bd83d5d/')
ds_pcap "$DS_TMP/bad.pcap" 50000 4500 "$BAD1" "$BAD3"
check "corrupted ICV / ciphertext: auth_failed" "$(count "$DS_TMP/bad.pcap" "$GOOD" 'eesp.expert.auth_failed')" 2
# the exposed (clear, authenticated) IPv4 header changed: auth_failed too
BAD3=$(printf '%s' "$EX3" | tr -d ' \n' | sed 's/c6336402/c6336403/')
ds_pcap "$DS_TMP/bad2.pcap" 50000 4500 "$BAD3"
check "changed exposed bytes: auth_failed" "$(count "$DS_TMP/bad2.pcap" "$GOOD" 'eesp.expert.auth_failed')" 1

# malformed headers (on the EESP port)
H=$(printf '%s' "$EX1" | tr -d ' \n')
V1=88${H:2}                                   # version 1
RB=81${H:2}                                   # reserved bit
SN0=${H:0:64}0000000000000000${H:80}          # SN 0
NOSCTX=${H:0:16}e1${H:18}                     # SCTX type 0xE0 -> unknown 0xE1
BADSCTX=${H:0:20}09${H:22}                    # profile 9
TRUNC=${H:0:40}                               # 20 bytes: peer header missing
SNMAX=${H:0:64}ffffffffffffffff${H:80}        # SN 2^64-1, never sent
ds_pcap "$DS_TMP/mal.pcap" 50000 4500 "$V1" "$RB" "$SN0" "$NOSCTX" "$BADSCTX" "$TRUNC" "$SNMAX"
got=$(ts -r "$DS_TMP/mal.pcap" -o "eesp.keyfile:$GOOD" -Y eesp.expert.malformed -T fields \
	-e frame.number -e eesp.decrypted 2>/dev/null | tr '\t' '|' | tr '\n' ' ')
check "malformed: version, reserved, SN 0, no SCTX, bad SCTX, truncated, SN 2^64-1" "$got" \
	"1| 2| 3| 4| 5| 6| 7| "
got=$(ts -r "$DS_TMP/mal.pcap" -o "eesp.keyfile:$GOOD" -Y "frame.number == 7" -T fields \
	-e _ws.expert.message 2>/dev/null)
check "SN 2^64-1: the drop reason eespd counts" "$got" "seq_max: sequence number 2^64-1 is never sent"

# PSP: compact vector A (transport, K1)
ds_pcap "$DS_TMP/psp.pcap" 32169 1000 "$PSPA"
K=$(keyfile psp.keys "psp 0 $PSP_K0" "psp 1 $PSP_K1")
got=$(ts -r "$DS_TMP/psp.pcap" -o "eesp.keyfile:$K" -T fields -E occurrence=a -E aggregator=, \
	-e psp.decrypted -e psp.data_key -e udp.srcport -e udp.dstport -e data.data 2>/dev/null)
check "PSP vector A decrypts" "$got" \
	"1	3946da2554eae46ad1ef77a64372edc4	32169,11111	1000,22222	000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
K=$(keyfile pspwrong.keys "psp 0 $PSP_K0" "psp 1 $PSP_K0")
check "PSP wrong master key: psp.expert.auth_failed" "$(count "$DS_TMP/psp.pcap" "$K" 'psp.expert.auth_failed && psp.decrypted == 0')" 1
K=$(keyfile psp0.keys "psp 0 $PSP_K0")
check "PSP missing master key 1: psp.expert.no_key" "$(count "$DS_TMP/psp.pcap" "$K" 'psp.expert.no_key')" 1
K=$(keyfile pspsa.keys "sa psp 0x9a345678 3946da2554eae46ad1ef77a64372edc4")
check "PSP out-of-band SA key decrypts" "$(count "$DS_TMP/psp.pcap" "$K" 'psp.decrypted == 1 && udp.dstport == 22222')" 1
P=$(printf '%s' "$PSPA" | tr -d ' \n')
ds_pcap "$DS_TMP/pspbad.pcap" 32169 1000 "${P:0:6}00${P:8}" "${P:0:6}15${P:8}" "${P:0:8}00000000${P:16}" "${P:0:40}"
check "PSP malformed: always-1 bit, version 5, SPI 0, truncated" \
	"$(count "$DS_TMP/pspbad.pcap" "$K" 'psp.expert.malformed')" 4

# Port 4500 is shared: IKE (non-ESP marker), ESP (first bit 0) and NAT
# keepalives stay with Wireshark's udpencap/isakmp/esp dissectors.
IKE="00000000 0102030405060708 0000000000000000 21202208 00000000 0000001c"
ESP="00001234 00000001 0102030405060708090a0b0c0d0e0f10"
ds_pcap "$DS_TMP/share.pcap" 4500 4500 "$IKE" "$ESP" "ff"
got=$(ts -r "$DS_TMP/share.pcap" -T fields -e frame.protocols 2>/dev/null | sed 's/.*:udp://' | tr '\n' ' ')
check "4500 shared: IKE, ESP, keepalive not taken" "$got" "udpencap:isakmp udpencap:esp udpencap "
ds_finish
