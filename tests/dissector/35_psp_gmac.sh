#!/usr/bin/env bash
# PSP versions 2 and 3 (AES-GMAC, integrity only) in the plugin, with the
# worked examples of man/eesp.7 (the compact transport frame of psp.md §3.7
# as v2, v3 and v2 with a VC, SPI 9a345678 under K1, IV 1): the ICV is
# verified with the derived key (the page's "Pv2"/"Pv3" keys), the payload
# in clear is shown as the inner packet, and failures are expert infos as
# for v0/v1: wrong key or changed payload byte auth_failed (the clear inner
# packet still shown), no key no_key, a Crypt Offset other than 0 malformed
# naming psp_gmac_crypt_offset (the counter eespd drops it under); the v0
# key of the same SPI does not verify a v2 packet.  The GMAC vectors of
# vectors/ are checked by 20_eesp_vectors.sh with every other vector.
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
count() { ts -r "$1" -o "eesp.keyfile:$2" -Y "$3" -T fields -e frame.number 2>/dev/null | wc -l; }
fields() { # pcap keys fields...
	local p=$1 k=$2 a=()
	shift 2
	for f in "$@"; do a+=(-e "$f"); done
	ts -r "$p" -o "eesp.keyfile:$k" -T fields -E occurrence=a -E aggregator=, -E 'separator=|' "${a[@]}" 2>/dev/null
}

L4=2b6756ce00287865000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
DATA=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
G2=110100099a3456780000000000000001${L4}146e1a986e560a802d3f6d1846b75566
G3=1101000d9a3456780000000000000001${L4}6404444a5321c0684a2150a652212168
G2VC=1102000b9a34567800000000000000010000000000000000${L4}74bee3a6fdcda06275e57336f54b440e
V2KEY=c42b1b69404d8338329b8ab392e87bb8
V3KEY=1d5368a6bcc99c72dfb6f255fa2c4801ac303820e94e475573ad01df8f4d475a
ds_pcap "$DS_TMP/gmac.pcap" 32169 1000 "$G2" "$G3" "$G2VC"
GOOD=$(keyfile psp.keys "psp 0 $PSP_K0" "psp 1 $PSP_K1")

got=$(fields "$DS_TMP/gmac.pcap" "$GOOD" psp.version psp.cryptoffset psp.v psp.decrypted psp.data_key \
	udp.dstport data.data psp.payload)
check "v2, v3, v2+VC: ICV verified with the derived key, inner UDP in clear, no encrypted payload" "$got" \
	"2|0|0|1|$V2KEY|1000,22222|$DATA|
3|0|0|1|$V3KEY|1000,22222|$DATA|
2|0|1|1|$V2KEY|1000,22222|$DATA|"
check "the clear payload is the authenticated L4 segment" \
	"$(fields "$DS_TMP/gmac.pcap" "$GOOD" psp.auth_payload | sort -u)" "$L4"
got=$(ts -r "$DS_TMP/gmac.pcap" -o "eesp.keyfile:$GOOD" -V 2>/dev/null | grep -Eo 'Version: aes-gmac-(128|256) \([23]\)' | tr '\n' ' ')
check "version names from names.h" "$got" "Version: aes-gmac-128 (2) Version: aes-gmac-256 (3) Version: aes-gmac-128 (2) "
check "no error expert info with the right keys" \
	"$(count "$DS_TMP/gmac.pcap" "$GOOD" 'psp.expert.auth_failed || psp.expert.no_key || psp.expert.malformed')" 0

# wrong master key 1: auth_failed, the clear inner packet still shown
K=$(keyfile wrong.keys "psp 0 $PSP_K0" "psp 1 $PSP_K0")
check "wrong master key: auth_failed on all three, inner UDP still shown" \
	"$(count "$DS_TMP/gmac.pcap" "$K" 'psp.expert.auth_failed && psp.decrypted == 0 && udp.dstport == 22222')" 3
K=$(keyfile none.keys "psp 0 $PSP_K0")
check "no master key 1: no_key, inner shown" \
	"$(count "$DS_TMP/gmac.pcap" "$K" 'psp.expert.no_key && udp.dstport == 22222')" 3

# out-of-band SA keys: the v2 key verifies; the v0 key of the same SPI (16 bytes too) does not
K=$(keyfile sa2.keys "sa psp 0x9a345678 $V2KEY")
check "SA key (v2) verifies the v2 packets" "$(count "$DS_TMP/gmac.pcap" "$K" 'psp.decrypted == 1 && psp.version == 2')" 2
K=$(keyfile sa0.keys "sa psp 0x9a345678 3946da2554eae46ad1ef77a64372edc4")
check "the v0 key of SPI 9a345678 does not verify a v2 packet" \
	"$(count "$DS_TMP/gmac.pcap" "$K" 'psp.expert.auth_failed && psp.version == 2')" 2

# one payload byte changed (in clear, covered by the ICV), and the ICV changed
BAD=${G2:0:64}ff${G2:66}
BADICV=${G2%?}0
ds_pcap "$DS_TMP/bad.pcap" 32169 1000 "$BAD" "$BADICV"
check "changed payload byte / ICV: auth_failed" "$(count "$DS_TMP/bad.pcap" "$GOOD" 'psp.expert.auth_failed && psp.decrypted == 0')" 2

# Crypt Offset set after sealing: malformed, named by eespd's counter
CO=${G2:0:4}06${G2:6}
ds_pcap "$DS_TMP/co.pcap" 32169 1000 "$CO"
got=$(ts -r "$DS_TMP/co.pcap" -o "eesp.keyfile:$GOOD" -Y psp.expert.malformed -T fields -e _ws.expert.message 2>/dev/null)
check "Crypt Offset 6 with v2: malformed, psp_gmac_crypt_offset" "$(grep -c '^psp_gmac_crypt_offset: ' <<<"$got")" 1
check "Crypt Offset 6 with v2: nothing verified, no inner packet" \
	"$(count "$DS_TMP/co.pcap" "$GOOD" 'psp.decrypted || udp.dstport == 22222')" 0
# a reserved version (4) stays malformed
V4=${G2:0:6}11${G2:8}
ds_pcap "$DS_TMP/v4.pcap" 32169 1000 "$V4"
got=$(ts -r "$DS_TMP/v4.pcap" -o "eesp.keyfile:$GOOD" -Y psp.expert.malformed -T fields -e _ws.expert.message 2>/dev/null)
check "version 4: malformed, bad_version" "$(grep -c '^bad_version: ' <<<"$got")" 1
ds_finish
