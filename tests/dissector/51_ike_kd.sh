#!/usr/bin/env bash
# 51: the plugin's eespike postdissector on a crafted key-download capture
# (build/tools/kdpcap, from src/ike's builders: eesp-iked's key download is
# not on main yet, so no real capture of it exists).  Frames: a
# CREATE_CHILD_SA request and response, each SK{SA(PSP proposal), KD, VID}
# sealed with the key log's SK_e, then one PSP v1 packet each way under the
# two downloaded keys.
#   1. with the key log as ikev2_decryption_table and as eespike.key_log:
#      the eesp Vendor ID, each proposal's protocol 201 / SPI / PSP
#      Parameters 2 / KWA 3, each bag's SPI, "ok" unwraps giving the keys
#      kdpcap wrapped, and both PSP packets decrypt to the inner UDP
#      payload "kd-ok", said to come from a downloaded SA key;
#   2. without eespike.key_log: the bags show "no SK_d (key log)" and the
#      PSP packets do not decrypt (expert "no key");
#   3. a flipped octet in the responder's wrapped key: its unwrap says
#      "failed" (expert unwrap_failed), its PSP packet does not decrypt,
#      the other direction still does.
cd "$(dirname "$0")/../.." || exit 1
. tests/dissector/lib.sh
ds_setup
[ -x build/tools/kdpcap ] || make -s build/tools/kdpcap >/dev/null || ds_die "cannot build build/tools/kdpcap"
build/tools/kdpcap "$DS_TMP/kd.pcap" "$DS_TMP/kd.keys" || ds_die "kdpcap failed"
build/tools/kdpcap "$DS_TMP/kdbad.pcap" "$DS_TMP/kdbad.keys" bad || ds_die "kdpcap bad failed"
chmod 0644 "$DS_TMP"/kd*.pcap "$DS_TMP"/kd*.keys # a fixture: fixed patterns
cp "$DS_TMP/kd.keys" "$DS_TMP/cfg/ikev2_decryption_table"
chmod 0644 "$DS_TMP/cfg/ikev2_decryption_table"

# tsf ARGS...: tshark's fields; a tshark error (a field it does not know) fails
tsf() {
	ts "$@" 2>"$DS_TMP/ts.err" || ds_die "tshark $*: $(cat "$DS_TMP/ts.err")"
}
# the keys kdpcap wraps: byte i = base + 7 i (mod 256)
pattern() { "${PY:-python3}" -c 'import sys; b=int(sys.argv[1],16); print(bytes((b + 7 * i) & 255 for i in range(32)).hex())' "$1"; }
KI=$(pattern 40)
KR=$(pattern 50)

echo "1. with the key log"
KL=(-o "eespike.key_log:$DS_TMP/kd.keys")
check "Vendor ID" "$(tsf -r "$DS_TMP/kd.pcap" "${KL[@]}" -Y 'frame.number <= 2' -T fields -e eespike.vid | sort -u)" \
	eesp-ikev2-kd-01
check "proposals: protocol, SPI, PSP Parameters, KWA" \
	"$(tsf -r "$DS_TMP/kd.pcap" "${KL[@]}" -Y eespike.prop -T fields -e eespike.prop.protocol \
		-e eespike.prop.spi -e eespike.prop.psp -e eespike.prop.kwa | tr '\n' ' ')" \
	"201	0x00001001	2	3 201	0x80002002	2	3 "
check "bags: SPI, unwrap, key" \
	"$(tsf -r "$DS_TMP/kd.pcap" "${KL[@]}" -Y eespike.kd.bag -T fields -e eespike.kd.bag.spi \
		-e eespike.kd.unwrap -e eespike.kd.key | tr '\n' ' ')" \
	"0x00001001	ok	$KI 0x80002002	ok	$KR "
check "PSP packets decrypt with the downloaded keys" \
	"$(tsf -r "$DS_TMP/kd.pcap" "${KL[@]}" -Y 'psp' -T fields -E occurrence=l -e psp.spi -e ip.src \
		-e psp.data_key -e udp.payload | tr '\n' ' ')" \
	"0x00001001	198.51.100.2	$KI	6b642d6f6b 0x80002002	198.51.100.1	$KR	6b642d6f6b "
check "the key's source is the key download" \
	"$(tsf -r "$DS_TMP/kd.pcap" "${KL[@]}" -Y psp -T fields -e psp.key_source | tr '\n' ' ')" \
	"IKE key download IKE key download "

echo "2. without eespike.key_log"
check "bags without SK_d" \
	"$(tsf -r "$DS_TMP/kd.pcap" -Y eespike.kd.bag -T fields -e eespike.kd.unwrap | tr '\n' ' ')" \
	"no SK_d (key log) no SK_d (key log) "
check "PSP packets stay encrypted" \
	"$(tsf -r "$DS_TMP/kd.pcap" -Y 'psp.decrypted == 0 && psp.expert.no_key' -T fields -e psp.spi | wc -l)" 2
check "no inner UDP" "$(tsf -r "$DS_TMP/kd.pcap" -Y 'psp && udp.payload == 6b:64:2d:6f:6b' | wc -l)" 0

echo "3. a corrupted wrapped key"
cp "$DS_TMP/kdbad.keys" "$DS_TMP/cfg/ikev2_decryption_table"
KB=(-o "eespike.key_log:$DS_TMP/kdbad.keys")
check "unwrap of the flipped key fails" \
	"$(tsf -r "$DS_TMP/kdbad.pcap" "${KB[@]}" -Y eespike.kd.bag -T fields -e eespike.kd.bag.spi \
		-e eespike.kd.unwrap | tr '\n' ' ')" \
	"0x00001001	ok 0x80002002	failed "
check "expert unwrap_failed" \
	"$(tsf -r "$DS_TMP/kdbad.pcap" "${KB[@]}" -Y eespike.expert.unwrap_failed | wc -l)" 1
check "only the good direction decrypts" \
	"$(tsf -r "$DS_TMP/kdbad.pcap" "${KB[@]}" -Y 'psp && udp.payload == 6b:64:2d:6f:6b' -T fields -e psp.spi | tr '\n' ' ')" \
	"0x00001001 "
ds_finish
