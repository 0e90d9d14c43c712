#!/usr/bin/env bash
# The three public PSP reference pcaps (transport mode, reference/psp.md)
# decrypt with the spec's two master keys K0/K1, given once as a key file and
# once as UAT rows; the derived keys are the spec's; the inner UDP is
# 11111 -> 22222 with the reference payload 00 01 02 ...
# Usage: tests/dissector/10_psp_public.sh [psp-vectors-dir]
cd "$(dirname "$0")/../.." || exit 1
. tests/dissector/lib.sh

# default: the in-repository copy (tests/data/psp-public, google/psp, Apache-2.0)
VEC=${1:-tests/data/psp-public}
if [ ! -e "$VEC/psp_v4_encrypt_transport_crypt_off_128.pcap" ]; then
	echo "FAIL: public PSP vectors not found in $VEC"
	exit 1
fi
ds_setup

K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
KEYS=$DS_TMP/psp.keys
printf 'psp 0 %s\npsp 1 %s\n' "$K0" "$K1" >"$KEYS"
chmod 644 "$KEYS"
V0KEY=3946da2554eae46ad1ef77a64372edc4
V1KEY=fa00f609df6020289a1c93d6027081a637ad45b24a5576b36e6f49dd43114d80

F="-T fields -E occurrence=a -E aggregator=, -E separator=|"
E="-e psp.spi -e psp.version -e psp.cryptoffset -e psp.v -e psp.nexthdr -e psp.decrypted -e psp.data_key -e udp.srcport -e udp.dstport -e ip.src -e ip.dst"

# name | crypt offset | V | version | data key
while IFS='|' read -r name co v ver key; do
	f=$(ds_file "$VEC/psp_v4_encrypt_transport_$name.pcap")
	for how in keyfile uat; do
		if [ $how = keyfile ]; then
			opts=(-o "eesp.keyfile:$KEYS")
		else
			opts=(-o "uat:eesp_keys:\"\",\"psp\",\"0\",\"0\",\"$K0\""
				-o "uat:eesp_keys:\"\",\"psp\",\"1\",\"0\",\"$K1\"")
		fi
		# shellcheck disable=SC2086
		got=$(ts -r "$f" "${opts[@]}" $F $E 2>"$DS_TMP/err")
		check "$name ($how): header, key, inner ports" "$got" \
			"0x9a345678|$ver|$co|$v|17|1|$key|32169,11111|1000,22222|10.0.0.1|10.0.0.2"
		[ -s "$DS_TMP/err" ] && cat "$DS_TMP/err"
	done
	got=$(ts -r "$f" -o "eesp.keyfile:$KEYS" -T fields -e data.data | cut -c1-16)
	check "$name: inner payload" "$got" "0001020304050607"
done <<EOF
crypt_off_128|1|0|0|$V0KEY
crypt_off_128_vc|3|1|0|$V0KEY
crypt_off_256|1|0|1|$V1KEY
EOF

# The master key selector picks K1 (SPI bit 31): with only K0 there is no key.
f=$(ds_file "$VEC/psp_v4_encrypt_transport_crypt_off_128.pcap")
got=$(ts -r "$f" -o "uat:eesp_keys:\"\",\"psp\",\"0\",\"0\",\"$K0\"" -T fields \
	-e psp.spi.keyselector -e psp.decrypted -e _ws.expert.message)
check "only K0: no key for selector 1" "$got" \
	"1	0	No master key 1 and no SA key for SPI 0x9a345678"
ds_finish
