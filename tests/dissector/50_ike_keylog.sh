#!/usr/bin/env bash
# 50: eesp-iked's IKEv2 key log (daemon.key_log) decrypts a real capture in
# Wireshark.
#
# Node 1 runs eesp-iked with key_log set, node 2 strongSwan 5.9.8, which
# initiates a childless IKE SA; tcpdump captures UDP 500 on node 1's veth.
#   1. the key log is created mode 0600, owned by the daemon user (the
#      unprivileged IKE process wrote it), with one record: the Wireshark
#      row whose SPIs are the SA's (eespctl iked show) and the SK_d comment;
#   2. tshark (as nobody, Wireshark 4.0) with the key log copied as
#      ikev2_decryption_table into its private configuration folder shows
#      the decrypted IKE_AUTH of both sides: the request's IDi node2.example
#      and IDr node1.example (strongSwan names the responder it wants), the
#      response's IDr node1.example, AUTH method 2 (shared key) in each, and
#      no SA payload inside (childless);
#   3. without the table the same capture shows no ID payload (the check
#      above cannot pass on its own);
#   4. a second run appends (two records, the first kept), and a key_log
#      that is a symbolic link stops the IKE process with the reason.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh
. tests/integration/lib_iked.sh
. tests/dissector/lib.sh
command -v tshark >/dev/null 2>&1 || ds_skip "tshark not installed"
iked_init
require_strongswan
DS_TMP=$IT_DIR/ds
mkdir -p "$DS_TMP"
ds_setup
net_create 2
kdir=$(node_dir 1)/keylog
mkdir -p "$kdir"
chown "$IT_USER" "$kdir"
chmod 0700 "$kdir"
klog=$kdir/ike.keys
IKED_DAEMON_EXTRA="key_log = \"$klog\";" iked_conf 1 2
# retransmitting after 10 s, not 2: exactly two IKE_AUTH messages are
# captured even when a loaded machine answers late
SW_RETRANSMIT_TIMEOUT=10 sw_conf 2 1
sw_start 2
iked_start 1
iked_logged 1 "writing the IKE SAs' keys to $klog" || fail "eesp-iked did not warn about the key log"

pcap=$IT_DIR/ike.pcap
capture 1 "$(veth 1)" "$pcap" udp port 500
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate: $out"
wait_for 10 iked_up 1 || fail "eesp-iked has no established SA"
capture_stop

log "1. the key log"
check "key log mode and owner" "$(stat -c '%a %U' "$klog")" "600 $IT_USER"
spi_i=$(iked_sa 1 spi_i established)
spi_r=$(iked_sa 1 spi_r established)
spi_i=${spi_i#0x}
spi_r=${spi_r#0x}
check "one record, two lines" "$(wc -l <"$klog")" 2
check "Wireshark row: SPIs, 36-octet SK_e, names" \
	"$(head -1 "$klog" | sed -E 's/,[0-9a-f]{72},[0-9a-f]{72},/,K,K,/')" \
	"$spi_i,$spi_r,K,K,\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\""
check "SK_d comment" "$(sed -n 2p "$klog" | sed -E 's/ [0-9a-f]{64}$/ D/')" \
	"# eesp-iked SK_d $spi_i $spi_r 5 D"

# tsf ARGS...: tshark's output; a tshark error (a filter it refuses) fails
tsf() {
	ts "$@" 2>"$DS_TMP/ts.err" || fail "tshark $*: $(cat "$DS_TMP/ts.err")"
}

log "2. tshark decrypts IKE_AUTH"
cp "$klog" "$DS_TMP/cfg/ikev2_decryption_table"
chmod 0644 "$DS_TMP/cfg/ikev2_decryption_table"
cpcap=$(ds_file "$pcap")
got=$(tsf -r "$cpcap" -Y 'isakmp.exchangetype == 35' -T fields -e isakmp.id.data.fqdn \
	-e isakmp.auth.method | sort -u | tr '\n' ' ')
check "decrypted IDi/IDr and AUTH of both IKE_AUTH messages" "$got" \
	"node1.example	2 node2.example,node1.example	2 "
got=$(tsf -r "$cpcap" -Y 'isakmp.exchangetype == 35 && isakmp.typepayload == 33' | wc -l)
check "no SA payload inside IKE_AUTH (childless)" "$got" 0

log "3. without the table"
rm -f "$DS_TMP/cfg/ikev2_decryption_table"
got=$(tsf -r "$cpcap" -Y 'isakmp.exchangetype == 35 && isakmp.id.type' | wc -l)
check "no ID payload without the key log" "$got" 0
got=$(tsf -r "$cpcap" -Y 'isakmp.exchangetype == 35' | wc -l)
check "the IKE_AUTH messages are there" "$got" 2

log "4. appending, and a symbolic link refused"
iked_stop 1
sw 2 --terminate --ike eesp >/dev/null 2>&1
iked_start 1
out=$(sw 2 --initiate --ike eesp 2>&1) || fail "swanctl --initiate (2): $out"
wait_for 10 iked_up 1 || fail "eesp-iked has no established SA (2)"
check "two records after a restart" "$(grep -c '^[0-9a-f]' "$klog")" 2
check "the first record kept" "$(head -1 "$klog" | cut -d, -f1)" "$spi_i"
iked_stop 1
mv "$klog" "$kdir/real"
ln -s "$kdir/real" "$klog"
: >"$(iked_log 1)"
ip netns exec "$(ns 1)" "$IKED" -f -c "$(iked_conf_path 1)" >>"$(iked_log 1)" 2>&1 &
pid=$!
IT_PIDS+=("$pid")
wait_for 10 iked_logged 1 "key_log $klog: a symbolic link (refused)" ||
	fail "a symbolic link was not refused: $(tail -3 "$(iked_log 1)")"
wait_for 10 eval "! kill -0 $pid 2>/dev/null" || fail "eesp-iked kept running without its key log"
check "a symbolic key_log stops eesp-iked" yes yes
ds_finish
