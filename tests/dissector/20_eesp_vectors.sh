#!/usr/bin/env bash
# EESP decoding and decryption against known answers:
#  1. the worked examples of man/eesp.7 (packets, root keys, data keys, salts);
#  2. every committed vector in vectors/ (JSON + pcap + key file per case).
# Usage: tests/dissector/20_eesp_vectors.sh [vectors-dir]
cd "$(dirname "$0")/../.." || exit 1
. tests/dissector/lib.sh
VDIR=${1:-vectors}
ds_setup

# shellcheck disable=SC2054 # the commas are tshark's aggregator
F=(-T fields -E occurrence=a -E aggregator=, -E "separator=|")

# --- 1. man/eesp.7 worked examples ----------------------------------------
KEYS=$DS_TMP/ex.keys
printf 'domain 0x00000a01\ndomain 0 5 %s\ntenant 0x2a 2 %s\n' "$EX_DOMAIN_ROOT" \
	"$EX_TENANT_ROOT" >"$KEYS"
chmod 644 "$KEYS"
ds_pcap "$DS_TMP/ex.pcap" 50000 4500 "$EX1" "$EX3"
got=$(ts -r "$DS_TMP/ex.pcap" -o "eesp.keyfile:$KEYS" "${F[@]}" -e eesp.optlen \
	-e eesp.session_id -e eesp.spi -e eesp.sctx.profile -e eesp.sctx.kdf -e eesp.sctx.suite \
	-e eesp.sctx.flags.tenant -e eesp.sctx.phase.domain -e eesp.sctx.phase.tenant \
	-e eesp.sctx.epoch -e eesp.sctx.tenant_id -e eesp.sctx.node_id -e eesp.sn \
	-e eesp.crypt_offset.payload_offset -e eesp.crypt_offset.crypt_offset \
	-e eesp.pih.next_header -e eesp.pih.pad_length)
check "man example 1/3: header fields" "$got" "24|3|0x00000a01|4|1|1|1|1|2|7|42|17|7301444403200000001||||
20|3|0x00000a01|2|1|1|0|1|0|7||17|7301444403200000002|9|7|4|0"
got=$(ts -r "$DS_TMP/ex.pcap" -o "eesp.keyfile:$KEYS" "${F[@]}" -e eesp.decrypted \
	-e eesp.data_key -e eesp.salt -e ip.src -e ip.dst -e udp.srcport -e udp.dstport -e data.data)
check "man example 1/3: data key, salt, inner packet" "$got" \
	"1|99b689e0d6219ea2b5df71f6811f35fa|12fdefd8|203.0.113.1,192.0.2.1|203.0.113.2,198.51.100.2|50000,1234|4500,5678|70696e67
1|6a5b67be599ae804cd9dee6ffa34ea35|f50065a0|203.0.113.1,192.0.2.1|203.0.113.2,198.51.100.2|50000,1234|4500,5678|70696e67"
# the same roots from the UAT (domain scoped and "any domain")
got=$(ts -r "$DS_TMP/ex.pcap" -o "uat:eesp_keys:\"0xa01\",\"domain\",\"0\",\"5\",\"$EX_DOMAIN_ROOT\"" \
	-o "uat:eesp_keys:\"*\",\"tenant\",\"42\",\"2\",\"$EX_TENANT_ROOT\"" \
	"${F[@]}" -e eesp.decrypted -e eesp.key_source -e udp.dstport)
check "man example 1/3 via UAT rows" "$got" "1|UAT|4500,5678
1|UAT|4500,5678"
# a key directory (like a domain directory): every file in it is read
mkdir -p "$DS_TMP/keydir"
printf 'domain 0xa01\ndomain 0 5 %s\n' "$EX_DOMAIN_ROOT" >"$DS_TMP/keydir/a-domain.keys"
printf '# tenant roots without a domain line apply to every domain\ntenant 42 2 %s\n' \
	"$EX_TENANT_ROOT" >"$DS_TMP/keydir/b-tenant.keys"
chmod 755 "$DS_TMP/keydir"
chmod 644 "$DS_TMP/keydir"/*
got=$(ts -r "$DS_TMP/ex.pcap" -o "eesp.keyfile:$DS_TMP/keydir" "${F[@]}" -e eesp.decrypted -e udp.dstport)
check "man example 1/3 with a key directory" "$got" "1|4500,5678
1|4500,5678"
# heuristic: the same packets on another port are still EESP ...
ds_pcap "$DS_TMP/heur.pcap" 50000 40000 "$EX1"
got=$(ts -r "$DS_TMP/heur.pcap" -o "eesp.keyfile:$KEYS" "${F[@]}" -e eesp.decrypted -e udp.dstport)
check "heuristic on UDP 40000" "$got" "1|40000,5678"
# ... and plain data when the heuristic is disabled
got=$(ts -r "$DS_TMP/heur.pcap" --disable-heuristic eesp_udp "${F[@]}" -e eesp.spi -e data.len)
check "heuristic disabled" "$got" "|88"

# the port preference moves the port dissector; 4500 goes back to udpencap
ds_pcap "$DS_TMP/p4500.pcap" 50000 4500 "$EX1"
got=$(ts -r "$DS_TMP/heur.pcap" --disable-heuristic eesp_udp -o eesp.udp_port:40000 \
	-o "eesp.keyfile:$KEYS" "${F[@]}" -e frame.protocols -e eesp.decrypted)
check "eesp.udp_port:40000 takes port 40000" "$got" "eth:ethertype:ip:udp:eesp:ip:udp:data|1"
got=$(ts -r "$DS_TMP/p4500.pcap" --disable-heuristic eesp_udp -o eesp.udp_port:40000 \
	"${F[@]}" -e frame.protocols)
check "eesp.udp_port:40000 gives 4500 back to udpencap" "$got" "eth:ethertype:ip:udp:udpencap:esp"
got=$(ts -r "$DS_TMP/heur.pcap" --disable-heuristic eesp_udp -d udp.port==40000,eesp \
	-o "eesp.keyfile:$KEYS" "${F[@]}" -e eesp.decrypted)
check "Decode As eesp" "$got" "1"

# --- 2. committed vectors ---------------------------------------------------
nvec=0
if [ -r "$VDIR/README.md" ] || ls "$VDIR"/*.pcap >/dev/null 2>&1; then
	. tests/dissector/vectors.sh
	ds_check_vectors "$VDIR"
fi
if [ "$nvec" -eq 0 ]; then
	echo "note: no committed vectors with pcaps in $VDIR yet; only the man page examples ran"
fi
ds_finish
