#!/usr/bin/env bash
# 23: spi-alloc never hands out an SPI twice, nor one the configuration uses
# (issue 14, finding 8: random picks, remembered nowhere, gave two clients
# one SPI and so one data key).  Needs root.
#
# EESP profile spi server (node 1), range 0x1000-0x103f (64 SPIs), of which
# 8 are configured (a peer's tx_spi and rx_spi, an `sa eesp` line, a policy
# `spis` range): SPIs are allocated over the control socket across a
# graceful restart and a kill -9, each one distinct from every earlier one,
# in the range, not configured, and in the state file before the reply
# arrives; two of them carry a client's ping (client on node 2, keys from
# the replies) both ways; the 57th allocation fails with the "exhausted"
# error, also after another restart.
# PSP server (node 2): the same across restarts under master 0 and, after
# a reload to spi_master = 1, under master 1 (bit 31 set), the keys as
# `eespctl derive psp` gives them; a corrupt or empty state file is an error
# naming the file (no SPI handed out), and the daemon goes on once the
# file is restored.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp

declare -A SEEN=() # SPI -> where it was handed out
COUNT=0
SPI="" KEY="" SALT="" EPOCH="" PHASE=""

# is_configured SPI "LIST": LIST holds SPIs and LO-HI ranges
is_configured() {
	local s=$(($1)) e
	for e in $2; do
		if [[ $e == *-* ]]; then
			[ "$s" -ge $((${e%-*})) ] && [ "$s" -le $((${e#*-})) ] && return 0
		else
			[ "$s" -eq $((e)) ] && return 0
		fi
	done
	return 1
}

# alloc NODE: one `eespctl spi-alloc --json`; sets SPI KEY SALT EPOCH PHASE
alloc() {
	local out
	out=$("$EESPCTL" spi-alloc -s "$(node_sock "$1")" --json 2>&1) ||
		fail "spi-alloc on node $1 (after $COUNT) failed: $out"
	[[ $out =~ \"spi_hex\":\"(0x[0-9a-f]{8})\" ]] || fail "spi-alloc reply without an SPI: $out"
	SPI=${BASH_REMATCH[1]}
	[[ $out =~ \"key\":\"([0-9a-f]+)\" ]] || fail "spi-alloc reply without a key: $out"
	KEY=${BASH_REMATCH[1]}
	SALT="" EPOCH="" PHASE=""
	[[ $out =~ \"salt\":\"([0-9a-f]+)\" ]] && SALT=${BASH_REMATCH[1]}
	[[ $out =~ \"epoch\":([0-9]+) ]] && EPOCH=${BASH_REMATCH[1]}
	[[ $out =~ \"sa_phase\":([0-9]+) ]] && PHASE=${BASH_REMATCH[1]}
	return 0
}

# alloc_check NODE LO HI "CONFIGURED" SLOT WHERE: alloc, then the SPI must be
# in [LO, HI], new, not configured, and already the state file's mark
alloc_check() {
	local n=$1 lo=$2 hi=$3 cfg=$4 slot=$5 where=$6 f
	alloc "$n"
	[ $((SPI)) -ge $((lo)) ] && [ $((SPI)) -le $((hi)) ] ||
		fail "$where: SPI $SPI outside [$lo, $hi]"
	[ -z "${SEEN[$SPI]:-}" ] || fail "$where: SPI $SPI handed out twice (first: ${SEEN[$SPI]})"
	! is_configured "$SPI" "$cfg" || fail "$where: SPI $SPI is configured ($cfg)"
	SEEN[$SPI]=$where
	COUNT=$((COUNT + 1))
	f="$(node_dir "$n")/state/$IT_TUN.spi"
	grep -q "^$slot $SPI " "$f" 2>/dev/null ||
		fail "$where: SPI $SPI replied before the state file had it: $(cat "$f" 2>&1)"
}

daemon_kill9() {
	kill -KILL "${IT_DPID[$1]}" 2>/dev/null
	wait "${IT_DPID[$1]}" 2>/dev/null
	unset "IT_DPID[$1]"
	log "eespd node $1 killed with SIGKILL"
}

# ---------------------------------------------------------------- eesp --

LO=0x1000 HI=0x103f
EESP_CFG="0x1001 0x1002 0x1010 0x1020 0x1030-0x1033"

# conf_spi_server "EXTRA PEER": profile spi server on node 1
conf_spi_server() {
	local d
	IT_MODE=eesp IT_PORT=4500
	_mkdir_node 1
	d=$(node_dir 1)
	{
		echo "domain 0 $IT_ROOT_GEN $IT_ROOT_KEY"
		echo "sa eesp 0x00001020 $(hex32) 0a0b0c0d" # configured: never allocated
	} | write_secret "$d/keys/lab.keys"
	{
		_conf_daemon 1 "$IT_PORT"
		cat <<EOF
domain: {
  name = "lab"; key_file = "keys/lab.keys"; profile = "spi";
  suite = "aes-gcm-256"; epoch = 0; epoch_period = 0;
  spi_min = $LO; spi_max = $HI;
  policy = ( { spis = [ "0x1030-0x1033" ]; prefixes = [ "203.0.113.0/24" ]; } );
};
peers = (
  { name = "n3"; endpoint = "$(ul4 3):4500"; tx_spi = 0x1001; rx_spi = [ 0x1002, 0x1010 ];
    allowed_ips = [ "203.0.113.3/32" ]; }
$1
);
EOF
	} >"$d/eespd.conf"
	chmod 0644 "$d/eespd.conf"
}

# conf_spi_client X Y SAX SAY EPOCH PHASE: node 2 sends with X, receives Y
conf_spi_client() {
	local d
	IT_MODE=eesp IT_PORT=4500
	_mkdir_node 2
	d=$(node_dir 2)
	printf 'sa eesp %s\nsa eesp %s\n' "$3" "$4" | write_secret "$d/keys/lab.keys"
	{
		_conf_daemon 2 "$IT_PORT"
		cat <<EOF
domain: {
  name = "lab"; key_file = "keys/lab.keys"; profile = "spi";
  suite = "aes-gcm-256"; epoch = $5; epoch_period = 0; sa_phase = $6;
};
peers = (
  { name = "n1"; endpoint = "$(endpoint 1)"; tx_spi = $1; rx_spi = [ $2 ];
    allowed_ips = [ "$(in4 1)/32", "$(in6 1)/128" ]; }
);
EOF
	} >"$d/eespd.conf"
	chmod 0644 "$d/eespd.conf"
}

conf_spi_server ""
daemon_start 1
f1="$(node_dir 1)/state/$IT_TUN.spi"
[ ! -e "$f1" ] || fail "state file exists before the first spi-alloc"

# the client's two SAs: X (client -> server), Y (server -> client)
alloc_check 1 $LO $HI "$EESP_CFG" eesp "eesp run 1"
X=$SPI SAX="$SPI $KEY $SALT" CEPOCH=$EPOCH CPHASE=$PHASE
alloc_check 1 $LO $HI "$EESP_CFG" eesp "eesp run 1"
Y=$SPI SAY="$SPI $KEY $SALT"
for i in $(seq 18); do
	alloc_check 1 $LO $HI "$EESP_CFG" eesp "eesp run 1"
done
st=$(stat -c '%U %a' "$f1")
[ "$st" = "$IT_USER 600" ] || fail "state file $f1: owner and mode '$st', want '$IT_USER 600'"
log "eesp: $COUNT SPIs, all distinct and unconfigured; state file: $(grep -v '^#' "$f1")"

# graceful restart, now with the client as a peer (X and Y are configured)
daemon_stop 1
conf_spi_server "  , { name = \"n2\"; endpoint = \"$(endpoint 2)\"; tx_spi = $Y; rx_spi = [ $X ];
    allowed_ips = [ \"$(in4 2)/32\", \"$(in6 2)/128\" ]; }"
daemon_start 1
for i in $(seq 20); do
	alloc_check 1 $LO $HI "$EESP_CFG $X $Y" eesp "eesp run 2"
done
log "eesp: $COUNT SPIs after a graceful restart"

# the allocated SAs work: the client pings the server through them
conf_spi_client "$X" "$Y" "$SAX" "$SAY" "$CEPOCH" "$CPHASE"
daemon_start 2
ping_ok 2 "$(in4 1)" 3
ping_ok 2 "$(in6 1)" 3
# profile spi keeps replay windows by default (issue 14, finding 6: it had
# none): the client's datagrams, captured and sent again, are dropped
cap="$IT_DIR/spi-client.pcap"
capture 1 "$(veth 1)" "$cap" udp and src host "$(ul4 2)" and dst port 4500
ping_ok 2 "$(in4 1)" 2
capture_stop
PCAP_UDP_HEX=all pcap_udp "$cap" | awk '{ print $6 }' >"$IT_DIR/spi-client.hex"
nrep=$(wc -l <"$IT_DIR/spi-client.hex")
[ "$nrep" -ge 2 ] || fail "captured $nrep client datagrams"
counters 1 >"$IT_DIR/r0"
nsx 2 "$PY" - "$IT_DIR/spi-client.hex" "$(ul4 1)" <<'PYEOF' || fail "replaying the client's datagrams"
import socket, sys
for h in open(sys.argv[1]):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(bytes.fromhex(h.strip()), (sys.argv[2], 4500))
    s.close()
PYEOF
ping_ok 2 "$(in4 1)" 1
counters 1 >"$IT_DIR/r1"
d=$(counter_delta "$IT_DIR/r0" "$IT_DIR/r1")
rp=$(awk '$1 == "replay" || $1 == "replay_too_old" { n += $2 } END { print n + 0 }' <<<"$d")
acc=$(awk '$1 == "rx_packets" { print $2 }' <<<"$d")
log "spi profile: $nrep client datagrams replayed at the server: replay + replay_too_old +$rp, rx_packets +${acc:-0} (1 is the ping after)"
[ "$rp" = "$nrep" ] || fail "spi profile: $rp of $nrep replayed client datagrams dropped as replays"
[ "${acc:-0}" = 1 ] || fail "spi profile: replayed client datagrams reached the TUN (rx_packets +${acc:-0})"
daemon_stop 2

# kill -9 right after a reply, then allocate to the end of the range
daemon_kill9 1
daemon_start 1
while [ "$COUNT" -lt 56 ]; do
	alloc_check 1 $LO $HI "$EESP_CFG $X $Y" eesp "eesp run 3"
	if [ "$COUNT" -eq 30 ]; then
		daemon_kill9 1
		daemon_start 1
	fi
done
[ "${#SEEN[@]}" -eq 56 ] || fail "eesp: ${#SEEN[@]} distinct SPIs, want 56"
out=$("$EESPCTL" spi-alloc -s "$(node_sock 1)" --json 2>&1) &&
	fail "57th spi-alloc in a range of 64 with 8 configured succeeded: $out"
grep -q "SPI range 0x00001000 - 0x0000103f exhausted (56 allocated); widen spi_min/spi_max" <<<"$out" ||
	fail "exhaustion error not clear: $out"
log "eesp: 56 SPIs, then: $out"
daemon_stop 1
daemon_start 1
out=$(ctl 1 spi-alloc)
grep -q "^error spi-alloc: SPI range .* exhausted" <<<"$out" ||
	fail "after a restart an exhausted range answered: $out"
daemon_alive 1 || fail "eespd node 1 died"
daemon_stop 1

# ----------------------------------------------------------------- psp --

SEEN=()
COUNT=0
PSP_CFG="0x00000001 0x00000002 0x00000003 0x00000005-0x00000008"
IT_MODE=psp IT_PORT=1000
_mkdir_node 2
d2=$(node_dir 2)
{
	echo "psp 0 $(hex32)"
	echo "psp 1 $(hex32)"
	echo "sa psp 0x00000002 $(hex32)"
} | write_secret "$d2/keys/psp.keys"
conf_psp_server() {
	{
		_conf_daemon 2 "$IT_PORT"
		cat <<EOF
psp: {
  key_file = "keys/psp.keys"; version = 1; spi_master = $1;
  policy = ( { spis = [ "0x00000005-0x00000008" ]; prefixes = [ "203.0.113.0/24" ]; } );
};
peers = (
  { name = "n1"; endpoint = "$(endpoint 1)"; tx_spi = 0x00000002;
    rx_spi = [ 0x00000001, 0x00000003 ]; allowed_ips = [ "$(in4 1)/32" ]; }
);
EOF
	} >"$d2/eespd.conf"
	chmod 0644 "$d2/eespd.conf"
}
conf_psp_server 0
f2="$d2/state/$IT_TUN.spi"
rm -f "$f2"
daemon_start 2

# psp_run N WHERE: N allocations under master 0, the first key checked
psp_run() {
	local i
	for i in $(seq "$1"); do
		alloc_check 2 0x00000001 0x7fffffff "$PSP_CFG" psp0 "$2"
		if [ "$i" -eq 1 ]; then
			want=$("$EESPCTL" derive psp --spi "$SPI" --version 1 --keys "$d2/keys/psp.keys" --line)
			[ "$want" = "sa psp $SPI $KEY" ] || fail "$2: key of $SPI is not derive's: $want"
		fi
	done
}
psp_run 100 "psp run 1"
daemon_stop 2
daemon_start 2
psp_run 100 "psp run 2"
daemon_kill9 2
daemon_start 2
psp_run 100 "psp run 3"
log "psp: $COUNT SPIs under master 0 over two restarts, all distinct and unconfigured"

conf_psp_server 1
r=$(ctl 2 reload)
[ "$(head -1 <<<"$r")" = ok ] || fail "reload to spi_master = 1: $r"
for i in $(seq 20); do
	alloc_check 2 0x80000001 0xffffffff "$PSP_CFG" psp1 "psp master 1"
done
grep -q "^psp0 " "$f2" || fail "master 1's mark replaced master 0's: $(cat "$f2")"

# a damaged state file: an error naming it, no SPI, the daemon lives on
good=$(cat "$f2")
for bad in $'psp0 0x0000zz01 3\n' "" "psp0 0x00000042 7"; do # bad hex, empty, torn
	daemon_stop 2
	printf '%s' "$bad" >"$f2" # root keeps the file nobody's
	daemon_start 2
	out=$(ctl 2 spi-alloc)
	grep -q "^error spi-alloc: state file $f2" <<<"$out" ||
		fail "state file '$bad': spi-alloc answered: $out"
	daemon_alive 2 || fail "eespd died on a damaged state file"
	log "damaged state file $(printf %q "$bad"): $(head -1 <<<"$out")"
done
printf '%s\n' "$good" >"$f2"
alloc_check 2 0x80000001 0xffffffff "$PSP_CFG" psp1 "psp after the repair"
log "psp: $COUNT SPIs in all, all distinct; state file: $(grep -v '^#' "$f2" | tr '\n' ' ')"
log "PASS"
