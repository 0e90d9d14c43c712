#!/usr/bin/env bash
# 50: cross-domain proxy.  Namespaces A (node 1) - P (node 2) - B (node 3)
# joined by two veth pairs (A and B are not connected).  A holds only domain
# A's root key, B only domain B's; P runs one eespd with both domains
# (domains = ( ... ), forward_to) and re-seals A's packets for B and back,
# without its TUN.  Checks: IPv4/IPv6 ping and iperf3 both ways through P;
# P's proxy counters; no drops anywhere; a capture on the A-P link (its
# first 2000 records) opens with domain A's keys (eespctl decrypt: all ok)
# and not with domain B's (auth_failed), and the B-P capture the other way
# round; a packet from B
# to an address of domain A that P is not allowed to forward to is counted
# proxy_denied.  Then the same iperf3 over a direct A-B tunnel for the
# throughput comparison.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd iperf3 tcpdump

DOM_A=0xA0000001
DOM_B=0xB0000002
KEY_A=$(hex32)
KEY_B=$(hex32)
T=${IT_PROXY_IPERF_T:-3}

chain_net
# node 1 (A) in domain A, node 3 (B) in domain B, node 2 (P) in both
dom_block() { # name id keyfile node_id [extra]
	cat <<EOF
  { name = "$1"; id = $2; key_file = "$3"; profile = "node"; node_id = $4;
    epoch = 0; epoch_period = 0; epoch_window = 2; ${5:-} }
EOF
}
write_keys() { # node file key
	echo "domain 0 1 $3" | write_secret "$(node_dir "$1")/keys/$2"
}
for i in 1 2 3; do _mkdir_node "$i"; done
write_keys 1 a.keys "$KEY_A"
write_keys 3 b.keys "$KEY_B"
write_keys 2 a.keys "$KEY_A"
write_keys 2 b.keys "$KEY_B"
{
	_conf_daemon 1 4500
	echo "domains = ("
	dom_block a $DOM_A keys/a.keys 1
	echo ");"
	cat <<EOF
peers = ( { name = "p"; domain = "a"; endpoint = "$(chain_ul 2 a):4500"; node_id = 2;
            allowed_ips = [ "$(in4 2)/32", "$(in4 3)/32", "$(in6 2)/128", "$(in6 3)/128" ]; } );
EOF
} >"$(node_conf 1)"
{
	_conf_daemon 3 4500
	echo "domains = ("
	dom_block b $DOM_B keys/b.keys 3
	echo ");"
	cat <<EOF
peers = ( { name = "p"; domain = "b"; endpoint = "$(chain_ul 2 b):4500"; node_id = 2;
            allowed_ips = [ "$(in4 2)/32", "$(in4 1)/32", "$(in6 2)/128", "$(in6 1)/128" ]; } );
EOF
} >"$(node_conf 3)"
{
	_conf_daemon 2 4500
	echo "domains = ("
	dom_block a $DOM_A keys/a.keys 2 'forward_to = [ "b" ];'
	echo ","
	dom_block b $DOM_B keys/b.keys 2 'forward_to = [ "a" ];'
	echo ");"
	cat <<EOF
peers = (
  { name = "a"; domain = "a"; endpoint = "$(chain_ul 1 a):4500"; node_id = 1;
    allowed_ips = [ "$(in4 1)/32", "$(in6 1)/128" ]; },
  { name = "b"; domain = "b"; endpoint = "$(chain_ul 3 b):4500"; node_id = 3;
    allowed_ips = [ "$(in4 3)/32", "$(in6 3)/128" ]; }
);
EOF
} >"$(node_conf 2)"
chmod 0644 "$(node_conf 1)" "$(node_conf 2)" "$(node_conf 3)"
must "$EESPD" -t -c "$(node_conf 2)"

# the first 2000 records of each link (the pings and the start of the first
# iperf3, which crosses both links; a record is one datagram or a GSO train
# of them, so at least 2000 datagrams, 60 000 here): decrypting the whole 3 s
# of iperf3 twice per capture (about 860 000 datagrams each) took 44 s
CAP_RECORDS=2000
capture 1 "$(veth 1)" "$IT_DIR/ap.pcap" -c $CAP_RECORDS udp port 4500
CAP_A=$CAP_PID
capture 3 "$(veth 3)" "$IT_DIR/bp.pcap" -c $CAP_RECORDS udp port 4500
CAP_B=$CAP_PID
for i in 1 2 3; do daemon_start "$i"; done

ping_ok 1 "$(in4 3)" 5
ping_ok 3 "$(in4 1)" 5
ping_ok 1 "$(in6 3)" 3
ping_ok 3 "$(in6 1)" 3
log "iperf3 TCP $T s A -> B through P: $(iperf 1 3 "$(in4 3)" "$T")"
PROXY_BW=$(iperf 3 1 "$(in4 1)" "$T")
log "iperf3 TCP $T s B -> A through P: $PROXY_BW"
tcp_sha 1 3 "$(in4 3)" $((1 << 20))

CAP_PID=$CAP_A CAP_FILE=$IT_DIR/ap.pcap capture_stop
CAP_PID=$CAP_B CAP_FILE=$IT_DIR/bp.pcap capture_stop

counters 2 >"$IT_DIR/c2" || fail "counters of P"
pp=$(awk '$1 == "proxy_packets" { print $2 }' "$IT_DIR/c2")
[ "${pp:-0}" -gt 1000 ] || fail "P proxied only ${pp:-0} packets"
rxp=$(awk '$1 == "rx_packets" { print $2 }' "$IT_DIR/c2")
log "P: proxy_packets $pp, proxy_bytes $(awk '$1 == "proxy_bytes" { print $2 }' "$IT_DIR/c2"), rx_packets (to its TUN) $rxp"
[ "${rxp:-0}" -lt 20 ] || fail "P wrote $rxp packets to its TUN (the proxied traffic must not go there)"
pairs=$(ctl 2 "counters json" | sed 1d | "$PY" -c '
import json, sys
for p in json.load(sys.stdin)["proxy"]:
    print("%s>%s %d %d" % (p["from"], p["to"], p["packets"], p["bytes"]))')
log "P per direction (packets bytes): $(tr '\n' ' ' <<<"$pairs")"
for d in "a>b" "b>a"; do
	n=$(awk -v d="$d" '$1 == d { print $2 }' <<<"$pairs")
	[ "${n:-0}" -gt 500 ] || fail "proxy counter $d is ${n:-0}"
done
[ "$(awk '{ s += $2 } END { print s }' <<<"$pairs")" = "$pp" ] || fail "per-direction counters do not add up to proxy_packets $pp"
# the same per pair of domains in `eespctl metrics` (issue 17), which
# promtool accepts with two domains' labels
if command -v promtool >/dev/null && [ -x "$EESPCTL" ]; then
	m=$("$EESPCTL" metrics -s "$(node_sock 2)") || fail "eespctl metrics on P"
	lint=$(promtool check metrics <<<"$m" 2>&1) || fail "promtool check metrics on P: $lint"
	for d in "a b" "b a"; do
		set -- $d
		n=$(awk -v f="$1" -v t="$2" 'index($0, "eesp_proxy_domain_packets_total{") == 1 &&
			index($0, "from=\"" f "\"") && index($0, "to=\"" t "\"") { s += $2 } END { print s + 0 }' <<<"$m")
		[ "$n" -gt 500 ] || fail "eesp_proxy_domain_packets_total{from=$1,to=$2} is $n"
	done
	log "P metrics: promtool clean, proxy a>b and b>a per domain pair"
fi
for i in 1 2 3; do
	daemon_alive "$i" || fail "eespd node $i died"
	check_drops "$i"
done
pd=$(awk '$1 == "proxy_drops" || $1 == "proxy_denied" { s += $2 } END { print s + 0 }' "$IT_DIR/counters.2")
[ "$pd" = 0 ] || fail "P counted $pd proxy drops"

# offline decryption of both captures with each domain's keys
dec() { # pcap keyfile spi -> "ok failed auth_failed"
	"$EESPCTL" decrypt eesp --keys "$2" --spi "$3" --json "$1" 2>/dev/null | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
print(j["ok"], j["failed"], sum(1 for p in j["packets"] if "auth_failed" in json.dumps(p)))'
}
for side in "ap $DOM_A $(node_dir 1)/keys/a.keys $(node_dir 3)/keys/b.keys" \
	"bp $DOM_B $(node_dir 3)/keys/b.keys $(node_dir 1)/keys/a.keys"; do
	read -r f spi right wrong <<<"$side"
	read -r ok bad af <<<"$(dec "$IT_DIR/$f.pcap" "$right" "$spi")"
	log "$f.pcap with its own domain's keys: ok $ok, failed $bad"
	[ "${ok:-0}" -gt 1000 ] && [ "$bad" = 0 ] || fail "$f.pcap does not decrypt with its domain's keys"
	read -r ok bad af <<<"$(dec "$IT_DIR/$f.pcap" "$wrong" "$spi")"
	log "$f.pcap with the other domain's keys: ok $ok, failed $bad, auth_failed $af"
	[ "${ok:-1}" = 0 ] && [ "${af:-0}" -gt 1000 ] || fail "$f.pcap: the other domain's keys open packets"
done

# forward_to is enforced: P with B -> A forwarding off drops B's packets to A
sed -i 's/forward_to = \[ "a" \];//' "$(node_conf 2)"
must "$EESPD" -t -c "$(node_conf 2)"
s0=$(config_serial 2)
kill -HUP "${IT_DPID[2]}"
reloaded 2 "$s0" || fail "P did not apply the configuration without forward_to after SIGHUP"
counters 2 >"$IT_DIR/c2a"
nsx 3 ping -n -q -c 3 -i 0.2 -W 1 "$(in4 1)" >/dev/null 2>&1 && fail "B reached A with forward_to off"
denied() {
	counters 2 >"$IT_DIR/c2b"
	den=$(counter_delta "$IT_DIR/c2a" "$IT_DIR/c2b" | awk '$1 == "proxy_denied" { print $2 }')
	[ "${den:-0}" -ge 3 ]
}
wait_for 30 denied
[ "${den:-0}" -ge 3 ] || fail "proxy_denied did not count B's packets to A (${den:-0})"
log "forward_to off: proxy_denied +$den"

# direct A-B tunnel in the same run, for the throughput comparison
ip link add "${IT_P}d1" netns "$(ns 1)" type veth peer name "${IT_P}d3" netns "$(ns 3)" || fail "veth"
# (IPv6: both IPv4 documentation prefixes of the underlay are in use)
nsx 1 ip addr add 2001:db8:dd::1/64 dev "${IT_P}d1" nodad
nsx 3 ip addr add 2001:db8:dd::3/64 dev "${IT_P}d3" nodad
nsx 1 ip link set "${IT_P}d1" up
nsx 3 ip link set "${IT_P}d3" up
daemon_stop 1
daemon_stop 3
sed -i "s/endpoint = \"[0-9.]*:4500\"; node_id = 2;/endpoint = \"[2001:db8:dd::3]:4500\"; node_id = 3;/" "$(node_conf 1)"
sed -i "s/endpoint = \"[0-9.]*:4500\"; node_id = 2;/endpoint = \"[2001:db8:dd::1]:4500\"; node_id = 1;/" "$(node_conf 3)"
cp "$(node_dir 1)/keys/a.keys" "$IT_DIR/a.keys.direct"
cat "$IT_DIR/a.keys.direct" | write_secret "$(node_dir 3)/keys/b.keys"
sed -i "s/id = $DOM_B/id = $DOM_A/" "$(node_conf 3)"
daemon_start 1
daemon_start 3
ping_ok 1 "$(in4 3)" 3
DIRECT_BW=$(iperf 3 1 "$(in4 1)" "$T")
log "throughput B -> A (iperf3 -t $T): through proxy P: $PROXY_BW; direct tunnel: $DIRECT_BW"
log PASS
