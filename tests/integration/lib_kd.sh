# shellcheck shell=bash
# tests/integration/lib_kd.sh - key download tests (8x_kd_*): eespd nodes
# whose configurations hold no SA keys (their own PSP masters only) and an
# eesp-iked beside each that downloads the SAs into them.  Source after
# lib.sh and lib_iked.sh.  eespd's sa_group (and control_group) is the
# primary group of $IT_USER, the user both daemons run as, so eesp-iked's
# unprivileged IKE process may use the sa-* verbs.

# kd_eespd_conf NODE PEER SPI_MASTER: PSP masters only, one peer n<PEER>
kd_eespd_conf() {
	local i=$1 p=$2 d
	IT_MODE=psp IT_PORT=1000
	_mkdir_node "$i"
	d=$(node_dir "$i")
	printf 'psp 0 %s\npsp 1 %s\n' "${IT_PSPM[$i, 0]}" "${IT_PSPM[$i, 1]}" | write_secret "$d/keys/psp.keys"
	{
		IT_CONF_DAEMON_EXTRA="  control_group = \"$KD_GROUP\";
  sa_group = \"$KD_GROUP\";" _conf_daemon "$i" "$IT_PORT"
		echo "psp: { key_file = \"keys/psp.keys\"; version = 1; spi_master = $3; };"
		echo "peers = ("
		echo "  { name = \"n$p\"; endpoint = \"$(endpoint "$p")\";
    allowed_ips = [ \"$(in4 "$p")/32\", \"$(in6 "$p")/128\" ]; }"
		echo ");"
	} >"$d/eespd.conf"
	chmod 0644 "$d/eespd.conf"
	! grep -q "^sa \|tx_spi\|rx_spi" "$d/keys/psp.keys" "$d/eespd.conf" || fail "node $i's files name an SA"
}

# kd_iked_conf NODE PEER [initiate]: eesp-iked with the peer's psp group
kd_iked_conf() {
	IKED_PEER_EXTRA="psp = { eespd_socket = \"$(node_sock "$1")\"; eespd_peer = \"n$2\"; key_poll_ms = ${KD_POLL_MS:-200}; ${KD_PSP_EXTRA:-} };" \
		IKED_EXTRA="${KD_IKE_EXTRA:-}" IKED_LOG_LEVEL=info iked_conf "$@"
}

kd_init() {
	iked_init
	require_cmd iperf3 openssl
	KD_GROUP=$(id -gn "$IT_USER")
	[ -n "$KD_GROUP" ] || fail "no primary group for $IT_USER"
}

# kd_sa NODE: eespd's sa-list; kd_spi NODE DIR: the SPI of its runtime SA in DIR
kd_sa() { "$EESPCTL" sa list -s "$(node_sock "$1")"; }
kd_spi() { kd_sa "$1" | awk -v d="$2" '$1 == "sa" && $5 == d { print $7; exit }'; }
kd_nsa() { kd_sa "$1" | awk -v d="$2" '$1 == "sa" && $5 == d { n++ } END { print n + 0 }'; }
# kd_children NODE N: eesp-iked on NODE counted N children keyed
kd_children() { [ "$(iked_counter "$1" child_up 2>/dev/null)" -ge "$2" ] 2>/dev/null; }
kd_rekeyed() { [ "$(iked_counter "$1" child_rekeyed 2>/dev/null)" -ge "$2" ] 2>/dev/null; }
# kd_paired: node 1's rx SPI is node 2's tx SPI and the other way round
kd_paired() {
	local r1 t1 r2 t2
	r1=$(kd_spi 1 rx) t1=$(kd_spi 1 tx) r2=$(kd_spi 2 rx) t2=$(kd_spi 2 tx)
	[ -n "$r1" ] && [ "$r1" = "$t2" ] && [ -n "$r2" ] && [ "$r2" = "$t1" ]
}

# kd_ping_run NODE DST INTERVAL: a background ping until kd_ping_done
kd_ping_run() {
	KD_PING_OUT="$IT_DIR/ping.$1.$RANDOM"
	ip netns exec "$(ns "$1")" ping -n -i "$3" -W 1 "$2" >"$KD_PING_OUT" 2>&1 &
	KD_PING_PID=$!
	IT_PIDS+=("$KD_PING_PID")
	wait_for 5 grep -qs "bytes from" "$KD_PING_OUT" || fail "background ping n$1 -> $2 got no reply"
}
kd_replies() { grep -c "bytes from" "$KD_PING_OUT"; }
kd_more() { [ "$(kd_replies)" -ge "$1" ]; }
# kd_ping_done WHAT MAXLOST: 20 more replies, stop; at most MAXLOST lost
kd_ping_done() {
	wait_for 5 kd_more $(($(kd_replies) + 20)) || fail "$1: the background ping stalled"
	kill -INT "$KD_PING_PID"
	wait "$KD_PING_PID" 2>/dev/null
	local sum tx rx lost
	sum=$(grep "packets transmitted" "$KD_PING_OUT")
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$sum")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$sum")
	[ -n "$tx" ] && [ "$tx" -ge 20 ] || fail "$1: the background ping sent ${tx:-no} echoes: $sum"
	lost=$(ping_lost "$KD_PING_OUT")
	[ "$lost" -le "$2" ] || fail "$1: $lost of $tx pings lost before the last reply (at most $2): $sum"
	log "$1: $rx of $tx pings answered, $lost lost before the last reply ($sum)"
}

# kd_iked_kill NODE: SIGKILL eesp-iked so that no Delete goes out: the IKE
# process (the one holding UDP port 500) first - killing the parent or the
# authenticating process first lets it see the loss and stop cleanly, with
# Deletes - then the other two
kd_iked_kill() {
	local pid=${IT_IPID[$1]} kids ike k
	kids=$(pgrep -P "$pid")
	ike=$(nsx "$1" ss -Hulpn 'sport = :500' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u)
	[ -n "$kids" ] && [ -n "$ike" ] && [[ " $(echo $kids) " == *" $ike "* ]] ||
		fail "eesp-iked on node $1 (pid $pid): no IKE process among '$kids' ($ike)"
	kill -KILL "$ike"
	for k in $(seq 50); do
		kill -0 "$ike" 2>/dev/null || break
		sleep 0.02
	done
	# shellcheck disable=SC2086
	kill -KILL $kids 2>/dev/null
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	for k in $(seq 50); do
		# shellcheck disable=SC2086
		kill -0 $kids 2>/dev/null || break
		sleep 0.1
	done
	unset "IT_IPID[$1]"
	# iked_start empties the log: keep the killed daemon's
	cp "$(iked_log "$1")" "$(iked_log "$1").killed"
}
# kd_pings NODE DST: one ping answered (a condition for wait_for)
kd_pings() { nsx "$1" timeout 3 ping -n -q -c 1 -W 1 "$2" 2>/dev/null | grep -q " 1 received"; }

# kd_eesp_conf NODE: EESP trust domain "lab", profile spi; node 1 the key
# holder (root key, spi range), node 2 a client with an empty key file
kd_eesp_conf() {
	local i=$1 p d
	p=$((3 - i))
	IT_MODE=eesp IT_PORT=4500
	_mkdir_node "$i"
	d=$(node_dir "$i")
	if [ "$i" = 1 ]; then
		{
			echo "domain 0 1 $IT_ROOT_KEY"
			[ -z "${KD_NEXT_ROOT:-}" ] || echo "domain 0 2 $KD_NEXT_ROOT next"
		} | write_secret "$d/keys/lab.keys"
	else
		: | write_secret "$d/keys/lab.keys"
	fi
	{
		IT_CONF_DAEMON_EXTRA="  control_group = \"$KD_GROUP\";
  sa_group = \"$KD_GROUP\";" _conf_daemon "$i" "$IT_PORT"
		echo "domain: { name = \"lab\"; key_file = \"keys/lab.keys\"; profile = \"spi\";"
		echo "  suite = \"aes-gcm-256\"; epoch = 0; epoch_period = 0;"
		[ "$i" = 2 ] || echo "  spi_min = 0x1000; spi_max = 0x1fff;"
		echo "};"
		echo "peers = ( { name = \"n$p\"; endpoint = \"$(endpoint "$p")\";"
		echo "  allowed_ips = [ \"$(in4 "$p")/32\", \"$(in6 "$p")/128\" ]; } );"
	} >"$d/eespd.conf"
	chmod 0644 "$d/eespd.conf"
}

# kd_eesp_iked_conf NODE PEER ROLE [initiate]
kd_eesp_iked_conf() {
	local i=$1 p=$2 role=$3
	shift 3
	IKED_PEER_EXTRA="eesp = { eespd_socket = \"$(node_sock "$i")\"; eespd_peer = \"n$p\"; role = \"$role\"; key_poll_ms = ${KD_POLL_MS:-200}; };" \
		IKED_EXTRA="${KD_IKE_EXTRA:-}" IKED_LOG_LEVEL=info iked_conf "$i" "$p" "$@"
}
