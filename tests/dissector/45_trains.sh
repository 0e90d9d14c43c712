#!/usr/bin/env bash
# GSO trains, made deterministic: datagrams sealed by `eespctl encrypt` are
# laid end to end in one UDP payload (as eespd sends them with UDP_SEGMENT
# and a capture on a veth shows them).  The plugin splits the payload with
# the rule of src/core/eesp_proto.h and dissects and decrypts each datagram
# as a PDU of its own: tree item, Info column, fields per datagram, a
# corrupted datagram failing alone; EESP and PSP.  (40 and 41 check the
# same on captures of eespd's real GSO traffic.)
cd "$(dirname "$0")/../.." || exit 1
. tests/dissector/lib.sh
E=${EESPCTL:-${B:-build}/eespctl}
[ -x "$E" ] || ds_skip "$E not built (make)"
ds_setup

# inner and train pcaps from the shared builder (tests/tools/pcaptrains.py)
TRAINS_PY="$(dirname "$0")/../tools/pcaptrains.py"
# mkinner OUT LEN...: Ethernet IPv4 UDP packets of one flow
mkinner() { /usr/bin/python3 "$TRAINS_PY" inner "$@"; }
# mktrains IN OUT CORRUPT N...: frame k of OUT holds the next N_k datagrams
# of IN laid end to end; CORRUPT = "frame.datagram" whose ciphertext gets one
# bit flipped, or -
mktrains() {
	/usr/bin/python3 "$TRAINS_PY" trains "$@" && chmod 644 "$2"
}

D=$DS_TMP/lab
"$E" domain create "$D" --id 0xC0FFEE01 --node 1 >/dev/null || ds_die "eespctl domain create"
( umask 077 && printf 'psp 0 %s\npsp 1 %s\n' "$PSP_K0" "$PSP_K1" >"$DS_TMP/psp.keys" )
# copies for tshark, which runs as nobody
mkdir -p "$DS_TMP/k"
cp "$D/domain.keys" "$DS_TMP/k/eesp.keys"
cp "$DS_TMP/psp.keys" "$DS_TMP/k/psp.keys"
chmod 755 "$DS_TMP/k"
chmod 644 "$DS_TMP/k"/*
# a lone datagram, then a train of 5: four of 1000 bytes of inner payload and a shorter one
mkinner "$DS_TMP/inner.pcap" 300 1000 1000 1000 1000 200
"$E" encrypt eesp --domain "$D" --session 3 "$DS_TMP/inner.pcap" "$DS_TMP/e.pcap" 2>/dev/null ||
	ds_die "eespctl encrypt eesp"
"$E" encrypt psp --keys "$DS_TMP/psp.keys" --spi 0x9a345678 "$DS_TMP/inner.pcap" "$DS_TMP/p.pcap" 2>/dev/null ||
	ds_die "eespctl encrypt psp"
O=(-o "eesp.keyfile:$DS_TMP/k")
F=(-T fields -E occurrence=a -E 'aggregator=,')

for m in eesp psp; do
	src=$DS_TMP/${m:0:1}.pcap
	mktrains "$src" "$DS_TMP/$m.t.pcap" - 1 5
	# datagram sizes: header + inner (28 + payload) + ICV, from the single-datagram file
	s=$(ts -r "$src" -Y 'frame.number == 2' -T fields -e udp.length 2>/dev/null)
	l=$(ts -r "$src" -Y 'frame.number == 6' -T fields -e udp.length 2>/dev/null)
	s=$((s - 8)) l=$((l - 8))
	got=$(ts -r "$DS_TMP/$m.t.pcap" "${O[@]}" "${F[@]}" -e frame.number -e "$m.train.count" -e "$m.train.size" \
		-e "$m.train.last" -e "$m.train.index" -e "$m.decrypted" -e "$m.spi" 2>/dev/null | tr '\t' ' ')
	spi=$([ $m = eesp ] && echo 0xc0ffee01 || echo 0x9a345678)
	check "$m: frame 1 one datagram, frame 2 a train of 5 ($s bytes, last $l), each decrypted" "$got" \
		"1     1 $spi
2 5 $s $l 1,2,3,4,5 1,1,1,1,1 $spi,$spi,$spi,$spi,$spi"
	info=$(ts -r "$DS_TMP/$m.t.pcap" "${O[@]}" -Y 'frame.number == 2' -T fields -e _ws.col.Info 2>/dev/null)
	check "$m: Info column starts with the train" "${info%%bytes*}bytes" "GSO train: 5 datagrams of $s bytes"
	check "$m: Info lists the 5 inner packets" "$(grep -o '40000 → 5201' <<<"$info" | wc -l)" 5
	tree=$(ts -r "$DS_TMP/$m.t.pcap" "${O[@]}" -Y 'frame.number == 2' -V 2>/dev/null)
	check "$m: tree item" "$(grep -c "^GSO train: 5 datagrams of $s bytes, the last $l\$" <<<"$tree")" 1
	check "$m: one $m item per datagram" "$(grep -c "(GSO train datagram [1-5] of 5)" <<<"$tree")" 5
	check "$m: five inner UDP packets" "$(ts -r "$DS_TMP/$m.t.pcap" "${O[@]}" -Y 'frame.number == 2' "${F[@]}" \
		-e udp.dstport 2>/dev/null)" "$([ $m = eesp ] && echo 4500 || echo 1000),5201,5201,5201,5201,5201"

	# datagram 3 of the train corrupted: it alone fails
	mktrains "$src" "$DS_TMP/$m.bad.pcap" 2.3 1 5
	got=$(ts -r "$DS_TMP/$m.bad.pcap" "${O[@]}" -Y 'frame.number == 2' "${F[@]}" -e "$m.decrypted" \
		-e "$m.expert.auth_failed" 2>/dev/null | cut -f1)
	check "$m: a corrupted datagram fails alone" "$got" "1,1,0,1,1"
	check "$m: ... with an auth_failed expert info in that frame" \
		"$(ts -r "$DS_TMP/$m.bad.pcap" "${O[@]}" -Y "$m.expert.auth_failed" -T fields -e frame.number 2>/dev/null)" 2

	# two frames' datagrams from different SPIs/sessions are no train: not split
	if [ $m = eesp ]; then
		"$E" encrypt eesp --domain "$D" --session 4 --sn 7 "$DS_TMP/inner.pcap" "$DS_TMP/e4.pcap" 2>/dev/null ||
			ds_die "eespctl encrypt eesp --session 4"
		/usr/bin/python3 - "$DS_TMP/e.pcap" "$DS_TMP/e4.pcap" "$DS_TMP/mix1.pcap" <<'P'
import struct, sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
def rec(d, n):  # n-th record, 0-based
    off = 24
    for _ in range(n):
        off += 16 + struct.unpack("<I", d[off + 8:off + 12])[0]
    return d[off:off + 16 + struct.unpack("<I", d[off + 8:off + 12])[0]]
open(sys.argv[3], "wb").write(a[:24] + rec(a, 1) + rec(b, 2))
P
		mktrains "$DS_TMP/mix1.pcap" "$DS_TMP/mix.pcap" - 2
		got=$(ts -r "$DS_TMP/mix.pcap" "${O[@]}" "${F[@]}" -e eesp.train.count -e eesp.spi -e eesp.decrypted 2>/dev/null)
		check "eesp: sessions 3 and 4 end to end: one datagram (not a train), not decrypted" "$got" "	0xc0ffee01	0"
	fi
done
ds_finish
