#!/usr/bin/env bash
# 09: eespctl decrypt splits GSO trains (eesp_proto.h, eesp_train_stride):
# datagrams sealed by `eespctl encrypt` are laid end to end in one UDP
# payload, as eespd sends them with UDP_SEGMENT and a capture on a veth
# shows them; every datagram is opened, counted and written on its own.
# EESP (IPv4 and IPv6 outer) and PSP (tunnel and transport), a corrupted
# datagram inside a train, and datagrams whose first 8 bytes differ (two
# sessions: not a train, so not split).
. "$(dirname "$0")/lib.sh"

# inner and train pcaps from the shared builder (tests/tools/pcaptrains.py)
TRAINS_PY="$(dirname "$0")/../tools/pcaptrains.py"
# mkinner OUT LEN...: Ethernet IPv4 (FAM=6: IPv6) UDP packets of one flow
mkinner() { # out len...
	local out=$1
	shift
	python3 "$TRAINS_PY" inner "$out" $([ "${FAM:-4}" = 6 ] && echo --v6) "$@"
}
# mktrains IN OUT N...: frame k of OUT holds the next N_k datagrams of IN
mktrains() {
	local in=$1 out=$2
	shift 2
	python3 "$TRAINS_PY" trains "$in" "$out" - "$@"
}

# data of every record, one hex line each (timestamps left out)
recdata() {
	python3 - "$1" <<'P'
import struct, sys
d = open(sys.argv[1], "rb").read()
off = 24
while off < len(d):
    incl = struct.unpack("<I", d[off + 8:off + 12])[0]
    print(d[off + 16:off + 16 + incl].hex())
    off += 16 + incl
P
}
nrec() { recdata "$1" | wc -l; }
# same records (data), compared by digest and count
same_recs() { same "$(recdata "$1" | sha256sum) $(nrec "$1")" "$(recdata "$2" | sha256sum) $(nrec "$2")" "$3"; }

D=$TMP/lab
expect_ok "domain" "$E" domain create "$D" --id 0xC0FFEE01 --node 1

# ---- EESP: 75 datagrams in 5 frames: 1, 5 equal, 3 (last shorter), 64 (last 1 byte of payload), 2
lens="100 1000 1000 1000 1000 1000 1200 1200 37"
for _ in $(seq 63); do lens="$lens 700"; done
lens="$lens 1 300 300"
# shellcheck disable=SC2086
mkinner "$TMP/inner.pcap" $lens
same "$(nrec "$TMP/inner.pcap")" 75 "75 inner packets"
expect_ok "encrypt eesp" "$E" encrypt eesp --domain "$D" --session 3 "$TMP/inner.pcap" "$TMP/e1.pcap"
same "$(nrec "$TMP/e1.pcap")" 75 "one datagram per packet"
mktrains "$TMP/e1.pcap" "$TMP/et.pcap" 1 5 3 64 2
same "$(nrec "$TMP/et.pcap")" 5 "5 frames"
expect_ok "decrypt eesp trains" "$E" decrypt eesp --domain "$D" "$TMP/et.pcap" "$TMP/et.dec.pcap"
contains "$ERR" "et.pcap: 75 packets \(5 frames, 4 of them GSO trains\): 75 ok, 0 failed, 0 skipped" "summary counts datagrams"
contains "$OUT" "^1 ok spi 0xc0ffee01 sn 1 tunnel 128 bytes$" "a lone datagram keeps its number"
contains "$OUT" "^2\.1 ok spi 0xc0ffee01 sn 2 tunnel 1028 bytes$" "train 2, datagram 1"
contains "$OUT" "^2\.5 ok spi 0xc0ffee01 sn 6 tunnel 1028 bytes$" "train 2, datagram 5"
contains "$OUT" "^3\.3 ok spi 0xc0ffee01 sn 9 tunnel 65 bytes$" "train 3, the shorter last datagram"
contains "$OUT" "^4\.64 ok spi 0xc0ffee01 sn 73 tunnel 29 bytes$" "train 4, datagram 64"
same "$(grep -c ' ok ' <<<"$OUT")" 75 "75 verdicts ok"
same_recs "$TMP/et.dec.pcap" "$TMP/inner.pcap" "one output record per datagram, each the inner packet"
run "$E" decrypt eesp --domain "$D" --json "$TMP/et.pcap"
python3 -c '
import json, sys
d = json.loads(sys.argv[1])
p = d["packets"]
assert (d["ok"], d["failed"], d["skipped"], d["frames"], d["trains"]) == (75, 0, 0, 5, 4), d
assert len(p) == 75 and all(x["verdict"] == "ok" for x in p)
assert [x["n"] for x in p] == [1] + [2] * 5 + [3] * 3 + [4] * 64 + [5] * 2
assert "dgram" not in p[0] and (p[5]["dgram"], p[5]["train"]) == (5, 5) and p[72]["dgram"] == 64
assert [x["sn"] for x in p] == list(range(1, 76))
' "$OUT" && ok || fail "decrypt --json of trains: ${OUT:0:300}"

# the same datagrams grouped otherwise: other trains, the same packets
mktrains "$TMP/e1.pcap" "$TMP/et2.pcap" 1 2 3 3 30 34 1 1
expect_ok "decrypt another grouping" "$E" decrypt eesp --domain "$D" "$TMP/et2.pcap" "$TMP/et2.dec.pcap"
contains "$ERR" "75 packets \(8 frames, 5 of them GSO trains\): 75 ok" "grouping 1 2 3 3 30 34 1 1"
same_recs "$TMP/et2.dec.pcap" "$TMP/inner.pcap" "grouping 1 2 3 3 30 34 1 1: the inner packets"

# IPv6 inside and outside
FAM=6 mkinner "$TMP/inner6.pcap" 1200 1200 1200 500 64 64
expect_ok "encrypt eesp v6 outer" "$E" encrypt eesp --domain "$D" --outer-src 2001:db8:ff::1 \
	--outer-dst 2001:db8:ff::2 "$TMP/inner6.pcap" "$TMP/e6.pcap"
mktrains "$TMP/e6.pcap" "$TMP/et6.pcap" 4 2
expect_ok "decrypt eesp v6 trains" "$E" decrypt eesp --domain "$D" "$TMP/et6.pcap" "$TMP/et6.dec.pcap"
contains "$ERR" "6 packets \(2 frames, 2 of them GSO trains\): 6 ok" "v6 outer: 6 datagrams ok"
same_recs "$TMP/et6.dec.pcap" "$TMP/inner6.pcap" "v6 outer: the inner packets"

# one corrupted datagram inside a train: only it fails, the others open
python3 - "$TMP/et.pcap" "$TMP/bad.pcap" <<'P'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off = 24 + 16 + struct.unpack("<I", d[32:36])[0]  # record 2: the train of 5 equal datagrams
incl = struct.unpack("<I", d[off + 8:off + 12])[0]
pay = off + 16 + 14 + 20 + 8
size = (incl - 14 - 20 - 8) // 5
d[pay + size + 100] ^= 0x01  # a ciphertext byte of datagram 2
open(sys.argv[2], "wb").write(d)
P
expect_fail "a corrupted datagram in a train" 1 "^2\.2 auth_failed spi 0xc0ffee01 sn 3$" \
	"$E" decrypt eesp --domain "$D" "$TMP/bad.pcap" "$TMP/bad.dec.pcap"
contains "$OUT" "^2\.1 ok .* sn 2 " "its predecessor opens"
contains "$OUT" "^2\.3 ok .* sn 4 " "its successor opens"
contains "$ERR" "75 packets \(5 frames, 4 of them GSO trains\): 74 ok, 1 failed" "74 ok, 1 failed"
same "$(nrec "$TMP/bad.dec.pcap")" 74 "the failed datagram is left out"

# datagrams of two sessions: their first 8 bytes differ, so it is no train
mkinner "$TMP/two.pcap" 500 500
expect_ok "encrypt session 3" "$E" encrypt eesp --domain "$D" --session 3 "$TMP/two.pcap" "$TMP/s3.pcap"
expect_ok "encrypt session 4" "$E" encrypt eesp --domain "$D" --session 4 --sn 2 "$TMP/two.pcap" "$TMP/s4.pcap"
python3 - "$TMP/s3.pcap" "$TMP/s4.pcap" "$TMP/mixed1.pcap" <<'P'
import struct, sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
ra = a[24:24 + 16 + struct.unpack("<I", a[32:36])[0]]  # session 3, SN 1
rb = b[24:24 + 16 + struct.unpack("<I", b[32:36])[0]]  # session 4, SN 2
open(sys.argv[3], "wb").write(a[:24] + ra + rb)
P
mktrains "$TMP/mixed1.pcap" "$TMP/mixed.pcap" 2
expect_fail "two sessions laid end to end are not split" 1 "^1 auth_failed spi 0xc0ffee01 sn 1$" \
	"$E" decrypt eesp --domain "$D" "$TMP/mixed.pcap"
contains "$ERR" "mixed.pcap: 1 packets: 0 ok, 1 failed" "one packet, not a train"
mktrains "$TMP/s3.pcap" "$TMP/same.pcap" 2
expect_ok "the same session laid end to end is a train" "$E" decrypt eesp --domain "$D" "$TMP/same.pcap"
contains "$ERR" "2 packets \(1 frames, 1 of them GSO trains\): 2 ok" "two datagrams"

# ---- PSP tunnel: 13 datagrams in 2 frames (3, last shorter; 10 equal)
K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
printf 'psp 0 %s\npsp 1 %s\n' "$K0" "$K1" >"$TMP/psp.keys"
mkinner "$TMP/pin.pcap" 1300 1300 90 800 800 800 800 800 800 800 800 800 800
expect_ok "encrypt psp tunnel" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 "$TMP/pin.pcap" "$TMP/p1.pcap"
mktrains "$TMP/p1.pcap" "$TMP/pt.pcap" 3 10
expect_ok "decrypt psp trains" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/pt.pcap" "$TMP/pt.dec.pcap"
contains "$ERR" "13 packets \(2 frames, 2 of them GSO trains\): 13 ok" "psp: 13 datagrams ok"
contains "$OUT" "^1\.3 ok spi 0x9a345678 iv 3 tunnel 118 bytes$" "psp: the shorter last datagram"
contains "$OUT" "^2\.10 ok spi 0x9a345678 iv 13 tunnel 828 bytes$" "psp: datagram 10 of frame 2"
same_recs "$TMP/pt.dec.pcap" "$TMP/pin.pcap" "psp tunnel: inner packets"

# ---- PSP transport with a crypt offset: the frame's IP header per datagram
expect_ok "encrypt psp transport" "$E" encrypt psp --keys "$TMP/psp.keys" --spi 0x9a345678 --transport \
	--crypt-offset 2 "$TMP/pin.pcap" "$TMP/p2.pcap"
mktrains "$TMP/p2.pcap" "$TMP/ptt.pcap" 2 1 10
expect_ok "decrypt psp transport trains" "$E" decrypt psp --keys "$TMP/psp.keys" "$TMP/ptt.pcap" "$TMP/ptt.dec.pcap"
contains "$ERR" "13 packets \(3 frames, 2 of them GSO trains\): 13 ok" "psp transport: 13 datagrams ok"
same_recs "$TMP/ptt.dec.pcap" "$TMP/pin.pcap" "psp transport: each packet with its IP header"

finish
