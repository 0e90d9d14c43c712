#!/usr/bin/env bash
# 07: eespctl vectors --out/--check, and the committed vectors against
# eespctl's own derive/encrypt/decrypt (the pair-key cases against an
# independent Python recomputation and derive pairkey): every case's data key and salt
# (derive eesp / derive psp), its packet (encrypt with the case's context,
# byte for byte) and its pcap (decrypt: ok).  A receive-rule case (JSON
# "verdict") is sealed by hand, so encrypt cannot reproduce it: its data key
# is checked and decrypt must give exactly its verdict.
. "$(dirname "$0")/lib.sh"

# --out then --check on a fresh directory
expect_ok "vectors --out" "$E" vectors --out "$TMP/v" -q
contains "$OUT" "^wrote [0-9]+ files to $TMP/v\$" "vectors --out summary"
nfiles=$(sed -n 's/^wrote \([0-9]*\) files.*/\1/p' <<<"$OUT")
expect_ok "vectors --check (fresh)" "$E" vectors --check "$TMP/v" -q
contains "$OUT" "^$nfiles files identical to the generated vectors\$" "check summary"
expect_ok "vectors --out is deterministic" "$E" vectors --out "$TMP/v2" -q
if diff -r "$TMP/v" "$TMP/v2" >/dev/null; then ok; else fail "two --out runs differ"; fi
# one flipped byte, one missing file
f=$(ls "$TMP/v"/*.pcap | head -1)
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[-3]^=0x20; open(sys.argv[1],"wb").write(b)' "$f"
expect_fail "flipped byte" 1 "^differs: $f \([0-9]+ bytes, expected [0-9]+; first difference at byte [0-9]+\)" \
	"$E" vectors --check "$TMP/v" -q
g=$(ls "$TMP/v"/*.json | head -1)
rm "$g"
expect_fail "missing file" 1 "^missing: $g" "$E" vectors --check "$TMP/v" -q
contains "$OUT" "^2 of $nfiles files differ" "both problems counted"
expect_fail "--check a missing dir" 1 "no such directory" "$E" vectors --check "$TMP/nodir"
expect_fail "no mode" 2 "exactly one of --out DIR or --check DIR" "$E" vectors

# the committed vectors/
if [ ! -f vectors/index.txt ]; then
	echo "note: vectors/ not committed yet; --check of the committed vectors skipped"
	finish
fi
expect_ok "vectors --check vectors" "$E" vectors --check vectors -q
cp -r vectors "$TMP/copy"
p=$(ls "$TMP/copy"/*.pcap | tail -1)
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2]^=1; open(sys.argv[1],"wb").write(b)' "$p"
expect_fail "a flipped byte in a copy of vectors/" 1 "^differs: $p" "$E" vectors --check "$TMP/copy" -q

# cross-check each case with derive/encrypt/decrypt (keys copied: git does not keep mode 0600)
install -m 600 vectors/keys/eesp.keys "$TMP/eesp.keys"
install -m 600 vectors/keys/psp.keys "$TMP/psp.keys"
python3 - vectors "$TMP" >"$TMP/cases.sh" <<'P'
import json, glob, os, shlex, sys
vd, tmp = sys.argv[1], sys.argv[2]
prof = {1: "spi", 2: "node", 3: "pair", 4: "tenant"}
for j in sorted(glob.glob(os.path.join(vd, "*.json"))):
    d = json.load(open(j))
    n = d["name"]
    inner = d["inner_packet"]
    hl = 20 if inner[0] == "4" else 40
    q = shlex.quote
    if d["mode"] == "eesp":
        o = bytes.fromhex(d["sctx_option"])[2:]
        flags, ph = o[2], o[3]
        args = ["--spi", "0x" + d["spi"], "--session", str(d["session_id"]),
                "--profile", prof[o[0]], "--kdf", "cmac" if o[1] >> 4 == 1 else "hmac",
                "--suite", "aes-gcm-128" if o[1] & 15 == 1 else "aes-gcm-256",
                "--epoch", str(d["epoch"]), "--tenant", str(d.get("tenant_id", 0)),
                "--group", str(d.get("group_id", 0)),
                "--phases", "%d,%d,%d" % (ph >> 6, (ph >> 4) & 3, (ph >> 2) & 3)]
        if "node_id" in d:
            args += ["--node", str(d["node_id"])]
        if "peer_node_id" in d:
            args += ["--peer-node", str(d["peer_node_id"])]
        a = " ".join(q(x) for x in args)
        if "verdict" in d:
            print("check_eesp_rule %s %s %s %s %s %s" % (q(n), q(d["data_key"]), q(d["salt"]),
                  q(d["packet"]), q(d["verdict"]), d["crypt_offset"]), "--", a)
            continue
        print("check_eesp %s %s %s %s %s %s %s %s" % (q(n), q(d["data_key"]), q(d["salt"]),
              q(inner), q(d["packet"]), q("0x" + d["sequence_number"]), d["crypt_offset"], hl), "--", a)
    else:
        args = ["--spi", "0x" + d["spi"], "--version", str(d["version"]),
                "--crypt-offset", str(d["crypt_offset"])]
        if d.get("vc"):
            vc = bytes.fromhex(d["aad"])[16:24].hex()
            args += ["--vc-value", "0x" + vc]
        args += ["--transport"] if d["next_header"] not in (4, 41) else ["--tunnel"]
        a = " ".join(q(x) for x in args)
        print("check_psp %s %s %s %s %s %s" % (q(n), q(d["derived_key"]), q(inner), q(d["packet"]),
              q("0x" + d["iv"]), hl), "--", a)
P
mkpcap() { # out hex: one raw-IP record
	python3 -c 'import struct,sys; p=bytes.fromhex(sys.argv[2]); open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,101)+struct.pack("<IIII",0,0,len(p),len(p))+p)' "$1" "$2"
}
payload() { tail -c +$((24 + 16 + $2 + 8 + 1)) "$1" | xxd -p | tr -d '\n'; }
check_eesp() {
	local n=$1 key=$2 salt=$3 inner=$4 pkt=$5 sn=$6 co=$7 hl=$8
	shift 9
	run "$E" derive eesp --keys "$TMP/eesp.keys" "$@" --line
	same "$OUT" "sa eesp 0x${pkt:8:8} $key $salt" "$n: derive eesp = data key and salt of the vector"
	mkpcap "$TMP/$n.in" "$inner"
	run "$E" encrypt eesp --keys "$TMP/eesp.keys" "$@" --sn "$sn" --crypt-offset "$co" "$TMP/$n.in" "$TMP/$n.out"
	same "$(payload "$TMP/$n.out" "$hl")" "$pkt" "$n: encrypt eesp = the vector's packet"
	expect_ok "$n: decrypt the vector's pcap" "$E" decrypt eesp --keys "$TMP/eesp.keys" \
		--max-crypt-offset "$co" "vectors/$n.pcap"
	contains "$OUT" "^1 ok " "$n: verdict ok"
}
check_eesp_rule() {
	local n=$1 key=$2 salt=$3 pkt=$4 verdict=$5 co=$6
	shift 7
	run "$E" derive eesp --keys "$TMP/eesp.keys" "$@" --line
	same "$OUT" "sa eesp 0x${pkt:8:8} $key $salt" "$n: derive eesp = data key and salt of the vector"
	run "$E" decrypt eesp --keys "$TMP/eesp.keys" --max-crypt-offset "$co" "vectors/$n.pcap"
	contains "$OUT" "^1 $verdict( |$)" "$n: verdict $verdict"
	if [ "$verdict" = ok ]; then same "$RC" 0 "$n: exit 0"; else same "$RC" 1 "$n: exit 1"; fi
	nrules=$((nrules + 1))
}
check_psp() {
	local n=$1 key=$2 inner=$3 pkt=$4 iv=$5 hl=$6
	shift 7
	run "$E" derive psp --keys "$TMP/psp.keys" "${@:1:4}" --line
	same "$OUT" "sa psp 0x${pkt:8:8} $key" "$n: derive psp = the vector's derived key"
	mkpcap "$TMP/$n.in" "$inner"
	[ "$hl" = 40 ] && hl=40
	run "$E" encrypt psp --keys "$TMP/psp.keys" "$@" --iv "$iv" "$TMP/$n.in" "$TMP/$n.out"
	same "$(payload "$TMP/$n.out" "$hl")" "$pkt" "$n: encrypt psp = the vector's packet"
	expect_ok "$n: decrypt the vector's pcap" "$E" decrypt psp --keys "$TMP/psp.keys" "vectors/$n.pcap"
	contains "$OUT" "^1 ok " "$n: verdict ok"
}
# the pair-key cases (vectors/pairkey/): recomputed from eesp.7's definition
# with Python's hmac, then reproduced by derive pairkey from each member's
# view (send of one = recv of the other) and the server's view (G only)
pk=(vectors/pairkey/*.json)
[ "${#pk[@]}" -ge 3 ] && [ -f "${pk[0]}" ] && ok || fail "only ${#pk[@]} pair-key cases in vectors/pairkey"
python3 - "${pk[@]}" >"$TMP/pk.out" <<'P'
import hashlib, hmac, json, struct, sys
def prfplus(k, s, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = hmac.new(k, t + s + bytes([i]), hashlib.sha256).digest()
        out, i = out + t, i + 1
    return out[:n]
for f in sys.argv[1:]:
    d = json.load(open(f))
    h = lambda k: bytes.fromhex(d[k])
    lo, hi = sorted((d["node_a"], d["node_b"]))
    ctx = h("spi_i") + h("spi_r") + struct.pack(">IIII", lo, hi, d["group_id"], d["generation"])
    p = prfplus(h("sk_d"), b"eesp pairwise v1" + ctx, 64)
    g = prfplus(h("group_key"), b"eesp group v1" + ctx, 64)
    k = bytes(x ^ y for x, y in zip(p, g))
    gk = hashlib.sha256(b"eesp test vectors: group %d generation %d" % (d["group_id"], d["generation"])).digest()
    good = (ctx == h("context") and p == h("pair_half") and g == h("group_half")
            and k[:32] == h("key_lo_to_hi") and k[32:] == h("key_hi_to_lo") and gk == h("group_key")
            and k[:32] != k[32:])
    print(d["name"], "ok" if good else "BAD")
P
for f in "${pk[@]}"; do
	n=$(basename "$f" .json)
	contains "$(cat "$TMP/pk.out")" "^$n ok\$" "$n: Python recomputation of eesp.7's definition"
	eval "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
for k in ("sk_d","spi_i","spi_r","node_lo","node_hi","group_id","generation","key_lo_to_hi","key_hi_to_lo","group_half"):
    print("pk_%s=%s" % (k, d[k]))' "$f")"
	printf '%s\n' "$pk_sk_d" >"$TMP/sk_d.hex"
	pkargs=(--keys "$TMP/eesp.keys" --group "$pk_group_id" --generation "$pk_generation"
		--spi-i "$pk_spi_i" --spi-r "$pk_spi_r")
	expect_ok "$n: derive pairkey (lower node)" "$E" derive pairkey "${pkargs[@]}" \
		--node "$pk_node_lo" --peer-node "$pk_node_hi" --sk-d "$TMP/sk_d.hex"
	contains "$OUT" "^send $pk_key_lo_to_hi\$" "$n: the lower node sends with key_lo_to_hi"
	contains "$OUT" "^recv $pk_key_hi_to_lo\$" "$n: the lower node receives with key_hi_to_lo"
	expect_ok "$n: derive pairkey (higher node, SK_d on stdin)" "$E" derive pairkey "${pkargs[@]}" \
		--node "$pk_node_hi" --peer-node "$pk_node_lo" --json <"$TMP/sk_d.hex"
	contains "$OUT" "\"send\":\"$pk_key_hi_to_lo\",\"recv\":\"$pk_key_lo_to_hi\"" \
		"$n: the higher node's send/recv are the lower node's recv/send"
	expect_ok "$n: derive pairkey --server-view" "$E" derive pairkey "${pkargs[@]}" \
		--node "$pk_node_lo" --peer-node "$pk_node_hi" --server-view
	contains "$OUT" "^group-half lo->hi ${pk_group_half:0:64}\$" "$n: server view = the group half"
	lacks "$OUT" "$pk_key_lo_to_hi|$pk_key_hi_to_lo" "$n: the server view shows no pair key"
done
printf '%s\n' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >"$TMP/sk_d.hex"
expect_ok "pairkey: current generation by default" "$E" derive pairkey --keys "$TMP/eesp.keys" \
	--group 9 --spi-i 0001020304050607 --spi-r 08090a0b0c0d0e0f --node 0x0a000001 \
	--peer-node 0x0a000002 --sk-d "$TMP/sk_d.hex"
contains "$OUT" "generation 3 \(phase 3\)" "pairkey: group 9's current generation is 3"

ncases=$(grep -c '^check_' "$TMP/cases.sh")
[ "$ncases" -gt 10 ] && ok || fail "only $ncases vector cases found"
nrules=0
. "$TMP/cases.sh"
[ "$nrules" -ge 7 ] && ok || fail "only $nrules receive-rule vector cases"
finish
