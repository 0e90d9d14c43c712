#!/usr/bin/env bash
# 84: conf/examples/psp-ike works as written (README "Keys over IKEv2").
# Needs root.  alpha and beta, each an eespd config (PSP masters only, no
# SA) and an eesp-iked config (iked/), copied with only the daemon users,
# the groups, the socket paths, the state dirs and the underlay addresses
# (198.51.100.31/32 -> the test's) rewritten; keys made as the comments say
# (eespctl domain create --mode psp, openssl rand for the PSK); eespd -t and
# eesp-iked -t accept them; once the child is keyed, ping both ways (v4,
# v6) over the addresses the configs name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_kd.sh"
kd_init
EX=conf/examples/psp-ike
[ -d "$EX/iked" ] || skip "no $EX"
net_create 2
psk=0x$(openssl rand -hex 32)
declare -A IDX=([alpha]=1 [beta]=2)
for n in alpha beta; do
	i=${IDX[$n]}
	_mkdir_node "$i"
	d=$(node_dir "$i")
	"$EESPCTL" domain create "$d/mk" --mode psp >/dev/null || fail "eespctl domain create --mode psp"
	write_secret "$d/keys/$n.keys" <"$d/mk/psp.keys"
	sed -e "s|user = \"eesp\"|user = \"$IT_USER\"|" \
		-e "s|\"eesp-iked\"|\"$KD_GROUP\"|g" \
		-e "s|control_socket = \"[^\"]*\"|control_socket = \"$(node_sock "$i")\"|" \
		-e "s|state_dir = \"[^\"]*\"|state_dir = \"$d/state\"|" \
		-e "s|interface = \"[^\"]*\"|interface = \"$IT_TUN\"|" \
		-e "s|198\.51\.100\.31|$(ul4 1)|g; s|198\.51\.100\.32|$(ul4 2)|g" \
		"$EX/$n.conf" >"$(node_conf "$i")"
	sed "s/#.*//" "$(node_conf "$i")" | grep -q "tx_spi\|rx_spi" && fail "$EX/$n.conf names an SA"
	p=$([ "$n" = alpha ] && echo beta || echo alpha)
	printf '%s\n' "$psk" | write_secret "$d/$p.psk"
	sed -e "s|user = \"eesp-iked\"|user = \"$IT_USER\"|" \
		-e "s|control_socket = \"[^\"]*\"|control_socket = \"$(iked_sock "$i")\"|" \
		-e "s|eespd_socket = \"[^\"]*\"|eespd_socket = \"$(node_sock "$i")\"|" \
		-e "s|198\.51\.100\.31|$(ul4 1)|g; s|198\.51\.100\.32|$(ul4 2)|g" \
		"$EX/iked/$n.conf" >"$(iked_conf_path "$i")"
	chmod 0644 "$(node_conf "$i")" "$(iked_conf_path "$i")"
	"$EESPD" -t -c "$(node_conf "$i")" >/dev/null 2>&1 || fail "eespd -t $n: $("$EESPD" -t -c "$(node_conf "$i")" 2>&1)"
	"$IKED" -t -c "$(iked_conf_path "$i")" >/dev/null 2>&1 || fail "eesp-iked -t $n: $("$IKED" -t -c "$(iked_conf_path "$i")" 2>&1)"
done
# daemon_start waits for the test's own tunnel addresses; the example has its own
ex_start() {
	: >"$(node_log "$1")"
	ip netns exec "$(ns "$1")" "$EESPD" -f -c "$(node_conf "$1")" >>"$(node_log "$1")" 2>&1 &
	IT_DPID[$1]=$!
	wait_for 30 eval 'ctl '"$1"' status 2>/dev/null | head -1 | grep -q "^ok"' || fail "eespd on node $1 not ready"
}
ex_start 1
ex_start 2
iked_start 2
iked_start 1
wait_for 20 kd_children 1 1 || fail "alpha: no PSP child: $(grep -i 'child\|eespd' "$(iked_log 1)" | tail -5)"
wait_for 10 kd_children 2 1 || fail "beta: no PSP child"
wait_for 5 kd_paired || fail "the SAs do not pair"
wait_for 10 kd_pings 1 192.0.2.32 || fail "alpha cannot ping beta"
ping_ok 1 192.0.2.32 3
ping_ok 2 192.0.2.31 3
ping_ok 1 2001:db8:5::32 3
log "PASS: $EX: alpha and beta keyed over IKEv2, ping both ways"
