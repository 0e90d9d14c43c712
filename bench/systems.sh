# --------------------------------------------------------------- systems --
# Each start_X brings up both ends and sets DPIDS and DST, or prints a reason
# on stdout and returns 1.

start_veth() {
	DST=$UB
}

start_quicktun() {
	local side
	command -v quicktun >/dev/null || { echo "quicktun not installed"; return 1; }
	for side in a b; do
		local ns=$NA la=$UA ra=$UB ta=$TA tb=$TB
		[ $side = b ] && { ns=$NB la=$UB ra=$UA ta=$TB tb=$TA; }
		ip netns exec "$ns" env -i PATH="$PATH" IFACE=${P}q$side IF_QT_PROTOCOL=raw \
			IF_QT_TUN_MODE=1 IF_QT_LOCAL_ADDRESS=$la IF_QT_REMOTE_ADDRESS=$ra \
			IF_QT_LOCAL_PORT=2998 IF_QT_REMOTE_PORT=2998 \
			quicktun >"$W/qt$side.log" 2>&1 &
		DPIDS+=($!)
		for _ in $(seq 1 50); do ip netns exec "$ns" ip link show ${P}q$side >/dev/null 2>&1 && break; sleep 0.05; done
		ip netns exec "$ns" ip addr add $ta peer $tb dev ${P}q$side || { echo "quicktun: no interface"; return 1; }
		ip netns exec "$ns" ip link set ${P}q$side mtu $TMTU up
	done
	DST=$TB
}

start_wireguard() {
	command -v wireguard-go >/dev/null && command -v wg >/dev/null ||
		{ echo "wireguard-go/wireguard-tools not installed"; return 1; }
	umask 077
	wg genkey >"$W/wga.key" && wg genkey >"$W/wgb.key"
	umask 022
	local side
	for side in a b; do
		local ns=$NA ta=$TA peer=b ep=$UB:51820 tb=$TB
		[ $side = b ] && { ns=$NB ta=$TB peer=a ep=$UA:51820 tb=$TA; }
		# UAPI sockets live in /var/run/wireguard (shared): unique names per end.
		ip netns exec "$ns" wireguard-go -f ${P}w$side >"$W/wg$side.log" 2>&1 &
		DPIDS+=($!)
		for _ in $(seq 1 50); do [ -S /var/run/wireguard/${P}w$side.sock ] && break; sleep 0.05; done
		ip netns exec "$ns" wg set ${P}w$side private-key "$W/wg$side.key" listen-port 51820 \
			peer "$(wg pubkey <"$W/wg$peer.key")" allowed-ips $tb/32 endpoint $ep ||
			{ echo "wg set failed"; return 1; }
		ip netns exec "$ns" ip addr add $ta/24 dev ${P}w$side
		ip netns exec "$ns" ip link set ${P}w$side mtu $TMTU up
	done
	DST=$TB
}

start_openvpn() {
	command -v openvpn >/dev/null || { echo "openvpn not installed"; return 1; }
	local side
	for side in a b; do
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-subj /CN=ebench-$side -days 1 -keyout "$W/ov$side.key" -out "$W/ov$side.crt" \
			>/dev/null 2>&1 || { echo "openssl req failed"; return 1; }
	done
	for side in a b; do
		local ns=$NA la=$UA ra=$UB ta=$TA tb=$TB peer=b role=--tls-server
		[ $side = b ] && { ns=$NB la=$UB ra=$UA ta=$TB tb=$TA peer=a role=--tls-client; }
		local fp
		fp=$(openssl x509 -in "$W/ov$peer.crt" -noout -fingerprint -sha256 | sed 's/.*=//')
		ip netns exec "$ns" openvpn --dev ${P}o$side --dev-type tun --proto udp \
			--local $la --remote $ra --port 1194 --ifconfig $ta $tb \
			$role --cert "$W/ov$side.crt" --key "$W/ov$side.key" --peer-fingerprint "$fp" \
			--dh none --data-ciphers AES-128-GCM --tun-mtu $TMTU --disable-dco \
			--fast-io --verb 3 --log "$W/ov$side.log" &
		DPIDS+=($!)
	done
	DST=$TB
}

# eespd: configs written for the agreed libconfig shape (notes/config.md).
EESPD=$B/eespd
# the daemon user of the generated configs: a system user of the bench's own
# (eespd refuses a user that does not exist), created once and kept
BENCH_USER=${BENCH_USER:-eespbench}
eesp_check() {
	[ -x "$EESPD" ] || { echo "$EESPD not built"; return 1; }
	[ -x "$B/bench_micro" ] || { echo "$B/bench_micro not built"; return 1; }
	id -u "$BENCH_USER" >/dev/null 2>&1 ||
		useradd --system --no-create-home --shell /usr/sbin/nologin "$BENCH_USER" ||
		{ echo "cannot create the daemon user $BENCH_USER"; return 1; }
	return 0
}
# The EESP receiver holds what a multi-tenant node holds, so that a flood of
# forged packets (bench/udpgen.c -F eesp, target 5b) has as many (generation
# x tenant x group x flags) masters to ask for as bench_micro's: domain
# generations 1-3, tenants 11-14 and groups 21-24 at generations 1-3 each,
# and a policy entry for every boundary (none, each tenant, each group, each
# pair) that admits node ids 1-254.  The tunnel itself uses the domain level.
EESP_TENANTS="11 12 13 14" EESP_GROUPS="21 22 23 24"
eesp_policy() {
	local t g e='nodes = [ "1-254" ]; prefixes = [ "198.51.100.0/24" ];'
	printf '    { tenant = 0; group = 0; %s }' "$e"
	for t in $EESP_TENANTS; do printf ',\n    { tenant = %s; %s }' "$t" "$e"; done
	for g in $EESP_GROUPS; do printf ',\n    { group = %s; %s }' "$g" "$e"; done
	for t in $EESP_TENANTS; do
		for g in $EESP_GROUPS; do
			printf ',\n    { tenant = %s; group = %s; %s }' "$t" "$g" "$e"
		done
	done
	echo
}
# the roots, the same at both ends: made once per run
make_eesp_keys() {
	local gen t g
	EESP_KEYS=""
	for gen in 1 2 3; do
		EESP_KEYS+="domain 0 $gen $(openssl rand -hex 32)"$'\n'
		for t in $EESP_TENANTS; do EESP_KEYS+="tenant $t $gen $(openssl rand -hex 32)"$'\n'; done
		for g in $EESP_GROUPS; do EESP_KEYS+="group $g $gen $(openssl rand -hex 32)"$'\n'; done
	done
}
daemon_block() { # side mode port (uses ta of the caller)
	cat <<EOF
daemon: {
  mode = "$2";
  interface = "${P}e$1";
  mtu = $TMTU;
  addresses = [ "$ta/24" ];
  port = $3;
  workers = $EESP_WORKERS;
  user = "$BENCH_USER";
  control_socket = "$W/eesp$1/run/eespd.sock";
  state_dir = "$W/eesp$1/state";
  log_level = "warning";
};
EOF
}
write_eesp_conf() { # side mode
	local side=$1 mode=$2 ta=$TA tb=$TB ep=$UB me=1 peer=2 d=$W/eesp$side
	[ "$side" = b ] && { ta=$TB tb=$TA ep=$UA me=2 peer=1; }
	# eespd makes run/ (root's) and state/ (the daemon user's) itself
	mkdir -p "$d/keys"
	chmod 755 "$d" "$d/keys"
	if [ "$mode" = eesp ]; then
		{
			daemon_block "$side" eesp 4500
			cat <<EOF
domain: {
  name = "bench";
  id = 0xC0FFEE01;
  key_file = "keys/bench.keys";
  profile = "node";
  kdf = "cmac";
  suite = "aes-gcm-128";
  node_id = $me;
  tenant = 0; group = 0;
  epoch = 0; epoch_period = 0; epoch_window = 2;
  crypt_offset = 0; max_crypt_offset = 0;
  policy = (
$(eesp_policy)
  );
};
peers = (
  { name = "peer"; endpoint = "$ep:4500"; node_id = $peer;
    allowed_ips = [ "$tb/32" ]; }
);
EOF
		} >"$d/eespd.conf"
		printf '%s' "$EESP_KEYS" >"$d/keys/bench.keys"
	else
		# PSP: this end's two master keys (receive) and the data key for the
		# SPI the other end allocated for us (send), derived from its master.
		local rx_spi=$((0x00001000 + me)) tx_spi=$((0x00001000 + peer))
		local my0=$PSP_A0 my1=$PSP_A1 their1=$PSP_B1
		[ "$side" = b ] && { my0=$PSP_B0 my1=$PSP_B1 their1=$PSP_A1; }
		# SPI bit 31 set: the receiver derives from its master key 1.
		tx_spi=$((tx_spi | 0x80000000)) rx_spi=$((rx_spi | 0x80000000))
		local txkey
		txkey=$("$B/bench_micro" psp-derive "$their1" $tx_spi 0) || return 1
		{
			daemon_block "$side" psp 1000
			cat <<EOF
psp: { key_file = "keys/psp.keys"; version = 0; crypt_offset = 0; };
peers = (
  { name = "peer"; endpoint = "$ep:1000"; tx_spi = $(printf '0x%08X' $tx_spi);
    rx_spi = $(printf '0x%08X' $rx_spi); allowed_ips = [ "$tb/32" ]; }
);
EOF
		} >"$d/eespd.conf"
		printf 'psp 0 %s\npsp 1 %s\nsa psp 0x%08X %s\n' "$my0" "$my1" $tx_spi "$txkey" \
			>"$d/keys/psp.keys"
	fi
	chmod 600 "$d/keys/"*
	chown "$BENCH_USER" "$d/keys/"*
}
start_eespd_mode() { # mode
	local mode=$1 side out
	eesp_check || return 1
	for side in a b; do
		write_eesp_conf $side "$mode" || { echo "cannot write $mode config"; return 1; }
		if ! out=$("$EESPD" -t -c "$W/eesp$side/eespd.conf" 2>&1); then
			echo "eespd -t rejects the $mode config: $(echo "$out" | tr '\n' ' ' | cut -c1-160)"
			return 1
		fi
	done
	for side in a b; do
		local ns=$NA
		[ $side = b ] && ns=$NB
		ip netns exec "$ns" "$ROOT/$EESPD" -f -c "$W/eesp$side/eespd.conf" \
			>"$W/eesp$side.log" 2>&1 &
		DPIDS+=($!)
	done
	DST=$TB
}
start_eesp() { EESP_WORKERS=1 start_eespd_mode eesp; }
start_psp() { EESP_WORKERS=1 start_eespd_mode psp; }
# EESP with two workers (target 3: iperf3 -P 4 spread over both)
start_eesp2w() { EESP_WORKERS=2 start_eespd_mode eesp; }

