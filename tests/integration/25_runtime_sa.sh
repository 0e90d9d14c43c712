#!/usr/bin/env bash
# 25: runtime SAs over the control socket (issue 16: what eesp-iked drives).
# Needs root.  Two eespd whose configurations hold no SA keys at all (their
# own master or root keys, peers with endpoint and allowed_ips only):
#
# PSP, nodes 1 and 2 (masters only):
#   - ping fails before (no_tx_sa counted);
#   - each side's `eespctl sa rx-alloc` for the other, handed to the other
#     side's `sa tx-set -` (one direction by a user of sa_group only): the
#     key is derive's for the SPI, sa-list shows its fingerprint and never
#     the key; ping both ways and a 2 s iperf3 pass, no drops;
#   - a master rotation on node 1 (new master 1, spi_master = 1, reload):
#     an `sa wait` parked before it answers within 1 s with the next key
#     serial; a new rx-alloc (SPI bit 31 set) handed to node 2's tx-set and
#     the old binding released, under a running ping that loses nothing;
#   - a reload on both sides keeps the SAs (ping);
#   - sa-release of node 2's SPI on node 1: node 2's packets are dropped and
#     counted sa_released on node 1;
#   - a reload without the peer drops its SAs;
#   - a user in the control group but neither admin_group nor sa_group is
#     refused every sa verb (logged), the sa_group user is refused reload.
# EESP profile spi, node 1 the key holder (root, spi_min/spi_max), node 2 a
# client with an empty key file: the same hand-over (rx-alloc -> tx-set,
# tx-alloc -> rx-set -> tx-set), ping both ways and iperf3; a root rotation
# with re-keying under a running ping without loss; reload; release ->
# sa_released; the refusals.
. "$(dirname "$0")/lib.sh"
it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
require_cmd setpriv groupadd groupdel iperf3 openssl
it_group eesptctl
ctlg=$IT_GID
it_group eesptadm
it_group eesptsa
sag=$IT_GID
net_create 2
IT_CONF_DAEMON_EXTRA='  control_group = "eesptctl";
  admin_group = "eesptadm";
  sa_group = "eesptsa";'

# sa NODE ARGS...: `eespctl sa ARGS` as root against NODE; OUT, RC
sa() {
	local n=$1
	shift
	OUT=$("$EESPCTL" sa "$@" -s "$(node_sock "$n")" 2>&1)
	RC=$?
}
must_sa() {
	sa "$@"
	[ $RC -eq 0 ] || fail "eespctl sa $* on node $1: $OUT"
}
# as_user UID GROUPS NODE eespctl-args...: eespctl as that client; OUT, RC
as_user() {
	local uid=$1 groups=$2 n=$3
	shift 3
	OUT=$(setpriv --reuid="$uid" --regid="$uid" --groups="$groups" -- \
		"$EESPCTL" "$@" -s "$(node_sock "$n")" 2>&1)
	RC=$?
}
# hand FROM TO [UID GROUPS]: FROM allocates a receive SA for TO, TO installs
# it as its transmit SA (the reply goes over stdin); SPI and KEY are set
hand() {
	local from=$1 to=$2 r
	if [ $# -gt 2 ]; then
		as_user "$3" "$4" "$from" sa rx-alloc "n$to"
		[ $RC -eq 0 ] || fail "sa rx-alloc n$to on node $from as uid $3: $OUT"
		r=$OUT
	else
		must_sa "$from" rx-alloc "n$to"
		r=$OUT
	fi
	SPI=$(sed -n 's/^spi //p' <<<"$r")
	KEY=$(sed -n 's/^key //p' <<<"$r")
	[ -n "$SPI" ] && [ -n "$KEY" ] || fail "rx-alloc reply without spi/key: $r"
	OUT=$(printf '%s\n' "$r" | "$EESPCTL" sa tx-set "n$from" - -s "$(node_sock "$to")" 2>&1) ||
		fail "sa tx-set n$from - on node $to: $OUT"
	log "node $from receives from node $to under $SPI (key $(fp_of "$KEY")); node $2: $(tr '\n' ' ' <<<"$OUT")"
}
fp_of() { printf '%s\n' "$1" | "$EESPCTL" fingerprint; }
counter() { counters "$1" | awk -v n="$2" '$1 == n { print $2 }'; }
# mark NODE: counters now; no_new_drops NODE: no drop counter moved since
# (but no_route and tx_no_buffer: check_drops in lib.sh)
mark() { counters "$1" >"$IT_DIR/mark.$1"; }
no_new_drops() {
	local d
	counters "$1" >"$IT_DIR/now.$1"
	d=$(counter_delta "$IT_DIR/mark.$1" "$IT_DIR/now.$1" | grep -Fwf <(drop_names) | grep -Ev '^(no_route|tx_no_buffer) ')
	[ -z "$d" ] || fail "node $1 counted drops: $(tr '\n' ' ' <<<"$d")"
}
# no_ping NODE DST: two pings, none may come back
no_ping() {
	local out
	out=$(nsx "$1" timeout 10 ping -n -q -c 2 -i 0.2 -W 1 "$2" 2>&1)
	grep -q " 0 received" <<<"$out" || fail "ping n$1 -> $2 passed without an SA: $out"
}
# ping_run NODE DST: a background ping, 0.05 s apart, until ping_done
ping_run() {
	PING_OUT="$IT_DIR/ping.$1"
	# ip netns exec execs ping: PING_PID is ping's own (SIGINT: its summary)
	ip netns exec "$(ns "$1")" ping -n -i 0.05 -W 1 "$2" >"$PING_OUT" 2>&1 &
	PING_PID=$!
	IT_PIDS+=("$PING_PID")
	wait_for 5 grep -qs "bytes from" "$PING_OUT" || fail "background ping n$1 -> $2 got no reply"
}
replies() { grep -c "bytes from" "$PING_OUT"; }
more_replies() { [ "$(replies)" -ge "$1" ]; }
# ping_done WHAT: ten more replies after the change, then stop it; every
# echo up to the last reply answered (ping_lost: one still in flight at the
# SIGINT is not a loss)
ping_done() {
	wait_for 5 more_replies $(($(replies) + 10)) || fail "$1: the background ping stalled"
	kill -INT "$PING_PID"
	wait "$PING_PID" 2>/dev/null
	local sum tx rx
	sum=$(grep "packets transmitted" "$PING_OUT")
	tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<<"$sum")
	rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$sum")
	[ -n "$tx" ] && [ "$tx" -ge 12 ] || fail "$1: the background ping sent ${tx:-no} echoes: $sum"
	local lost
	lost=$(ping_lost "$PING_OUT")
	[ "$lost" = 0 ] || fail "$1: $lost of $tx pings lost before the last reply: $sum"
	log "$1: $rx of $tx pings answered ($sum)"
}
# refused NODE: uid 12345 (control group only) is refused every sa verb
refused() {
	local n=$1 args
	local -a cmds=("rx-alloc n2" "tx-alloc n2" "tx-set n2 0x00000042 $(hex32)"
		"rx-set n2 0x00000042 $(hex32) --salt 01020304" "release n2" "list" "wait 0 --timeout 1")
	for args in "${cmds[@]}"; do
		# shellcheck disable=SC2086
		as_user 12345 "$ctlg" "$n" sa $args
		local verb="sa-${args%% *}"
		[ $RC -ne 0 ] || fail "uid 12345 (control group only) may $verb on node $n: $OUT"
		grep -qF "permission denied: $verb needs root or group eesptadm or group eesptsa" <<<"$OUT" ||
			fail "uid 12345 $verb on node $n: not the permission error: $OUT"
	done
	local k
	k=$(grep -c "control: refused 'sa-.*' to uid 12345" "$(node_log "$n")")
	[ "$k" -ge 7 ] || fail "node $n logged $k refusals of sa verbs, want 7"
	! grep -q "${cmds[2]##* }" "$(node_log "$n")" || fail "a refused key reached node $n's log"
	log "node $n: uid 12345 refused all 7 sa verbs ($k logged)"
	# the sa group may use sa verbs, not the admin ones
	as_user 12350 "$ctlg,$sag" "$n" reload
	grep -qF "permission denied: reload needs root or group eesptadm" <<<"$OUT" ||
		fail "the sa_group user was not refused reload: $OUT"
	as_user 12350 "$ctlg,$sag" "$n" sa list
	[ $RC -eq 0 ] || fail "the sa_group user cannot sa list: $OUT"
}

# ------------------------------------------------------------------ psp --

keys_psp
# conf_psp_bare NODE PEER SPI_MASTER [NO_PEER]: masters only, no sa lines
conf_psp_bare() {
	local i=$1 p=$2 d
	IT_MODE=psp IT_PORT=1000
	_mkdir_node "$i"
	d=$(node_dir "$i")
	printf 'psp 0 %s\npsp 1 %s\n' "${IT_PSPM[$i, 0]}" "${IT_PSPM[$i, 1]}" | write_secret "$d/keys/psp.keys"
	{
		_conf_daemon "$i" "$IT_PORT"
		echo "psp: { key_file = \"keys/psp.keys\"; version = 1; spi_master = $3; };"
		echo "peers = ("
		[ -n "${4:-}" ] || echo "  { name = \"n$p\"; endpoint = \"$(endpoint "$p")\";
    allowed_ips = [ \"$(in4 "$p")/32\", \"$(in6 "$p")/128\" ]; }"
		[ -z "${4:-}" ] || echo "  { name = \"other\"; endpoint = \"$(ul4 9):1000\"; allowed_ips = [ \"203.0.113.9/32\" ]; }"
		echo ");"
	} >"$d/eespd.conf"
	chmod 0644 "$d/eespd.conf"
}
conf_psp_bare 1 2 0
conf_psp_bare 2 1 0
! grep -q "^sa \|tx_spi\|rx_spi" "$(node_dir 1)/keys/psp.keys" "$(node_conf 1)" || fail "node 1's files name an SA"
daemon_start 1
daemon_start 2
grep -q "peer n2: no tx_spi: packets to it are dropped (no_tx_sa)" "$(node_log 1)" ||
	fail "no note about the peer without a transmit SA: $(cat "$(node_log 1)")"

no_ping 1 "$(in4 2)"
[ "$(counter 1 no_tx_sa)" -ge 2 ] || fail "node 1: no_tx_sa $(counter 1 no_tx_sa), want >= 2"
log "psp: no SA, no ping: node 1 no_tx_sa $(counter 1 no_tx_sa)"

must_sa 1 list
KS1=$(sed -n 's/^key_serial //p' <<<"$OUT")
[ -n "$KS1" ] || fail "sa list without key_serial: $OUT"
hand 1 2 12350 "$ctlg,$sag" # node 1's side by the sa_group user
SPI12=$SPI KEY12=$KEY
want=$("$EESPCTL" derive psp --spi "$SPI12" --version 1 --keys "$(node_dir 1)/keys/psp.keys" --line)
[ "$want" = "sa psp $SPI12 $KEY12" ] || fail "rx-alloc's key of $SPI12 is not derive's: $want"
[ $((SPI12 & 0x80000000)) -eq 0 ] || fail "SPI $SPI12 under master 0 has bit 31 set"
hand 2 1
SPI21=$SPI
mark 1
mark 2
must_sa 1 list
grep -q "^sa peer n2 dir rx spi $SPI12 kind psp version 1 master 0 key derived age [0-9]* fingerprint $(fp_of "$KEY12")$" <<<"$OUT" ||
	fail "node 1's sa list lacks the rx SA $SPI12: $OUT"
grep -q "^sa peer n2 dir tx spi $SPI21 kind psp version 1 key set age" <<<"$OUT" ||
	fail "node 1's sa list lacks the tx SA $SPI21: $OUT"
! grep -q "$KEY12" <<<"$OUT" || fail "sa list shows a key"
sa 1 list --json
"$PY" -c 'import json,sys; j=json.loads(sys.stdin.read()); assert len(j["sas"]) == 2, j' <<<"$OUT" ||
	fail "sa list --json: $OUT"

ping_ok 1 "$(in4 2)" 5
ping_ok 2 "$(in4 1)" 5
ping_ok 1 "$(in6 2)" 3
log "psp iperf3 TCP 2 s n1 -> n2: $(iperf 1 2 "$(in4 2)" 2)"
no_new_drops 1
no_new_drops 2

# master rotation on node 1: new master 1, spi_master = 1; eesp-iked waits
sa 1 wait "$KS1" --timeout 1
grep -q "^changed no" <<<"$OUT" || fail "sa wait $KS1 before any change: $OUT"
"$EESPCTL" sa wait "$KS1" --timeout 20 -s "$(node_sock 1)" >"$IT_DIR/wait.out" 2>&1 &
WPID=$!
IT_PIDS+=("$WPID")
waiting() { sa 1 list && grep -q "^waiters 1$" <<<"$OUT"; }
wait_for 5 waiting || fail "the sa wait is not parked: $OUT"
ping_run 2 "$(in4 1)"
IT_PSPM[1, 1]=$(hex32)
conf_psp_bare 1 2 1
t0=$(date +%s.%N)
r=$(ctl 1 reload)
t1=$(date +%s.%N)
[ "$(head -1 <<<"$r")" = ok ] || fail "reload to master 1: $r"
wait "$WPID" || fail "sa wait: $(cat "$IT_DIR/wait.out")"
t2=$(date +%s.%N)
grep -q "^changed yes" "$IT_DIR/wait.out" || fail "sa wait after the rotation: $(cat "$IT_DIR/wait.out")"
KS2=$(sed -n 's/^key_serial //p' "$IT_DIR/wait.out")
[ "$KS2" -eq $((KS1 + 1)) ] || fail "key serial $KS1 -> $KS2, want +1"
grep -q "^keys domain psp spi_master 1 version 1" "$IT_DIR/wait.out" || fail "sa wait: $(cat "$IT_DIR/wait.out")"
late=$(awk -v a="$t2" -v b="$t1" 'BEGIN { printf "%.3f", a - b }')
log "master rotation: reload took $(awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.3f", a - b }') s; sa wait answered $late s after it (key serial $KS1 -> $KS2)"
# the wake-up is immediate; 1.8 s leaves room for a loaded machine and is
# still far below the --timeout 20 a missed wake-up would take
awk -v l="$late" 'BEGIN { exit !(l <= 1.8) }' || fail "sa wait answered $late s after the reload (> 1.8 s)"
hand 1 2
SPI12b=$SPI
[ $((SPI12b & 0x80000000)) -ne 0 ] || fail "SPI $SPI12b after the rotation lacks bit 31 (master 1)"
must_sa 1 release n2 "$SPI12"
grep -q "^released 1" <<<"$OUT" || fail "release $SPI12: $OUT"
ping_done "psp master rotation with re-keying"
ping_ok 2 "$(in4 1)" 3

# a reload keeps the runtime SAs
for n in 1 2; do
	r=$(ctl "$n" reload)
	[ "$(head -1 <<<"$r")" = ok ] || fail "reload node $n: $r"
done
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in4 1)" 3
must_sa 1 list
[ "$(grep -c '^sa peer n2 ' <<<"$OUT")" = 2 ] || fail "after the reload node 1 has: $OUT"
log "psp: reload on both sides kept the SAs"

refused 1

# released: node 2's packets under the SPI are dropped and counted
counters 1 >"$IT_DIR/c0"
must_sa 1 release n2 "$SPI12b"
no_ping 2 "$(in4 1)"
counters 1 >"$IT_DIR/c1"
rel=$(counter_delta "$IT_DIR/c0" "$IT_DIR/c1" | awk '$1 == "sa_released" { print $2 }')
[ "${rel:-0}" -ge 2 ] || fail "node 1: sa_released +${rel:-0} for node 2's pings, want >= 2: $(counter_delta "$IT_DIR/c0" "$IT_DIR/c1" | tr '\n' ' ')"
log "psp: after sa-release node 2's packets dropped, sa_released +$rel"
sa 1 release n2 "$SPI12b"
grep -q "has no runtime SA with SPI $SPI12b" <<<"$OUT" || fail "a second release: $OUT"

# a reload without the peer drops its SAs
conf_psp_bare 1 2 1 nopeer
r=$(ctl 1 reload)
[ "$(head -1 <<<"$r")" = ok ] || fail "reload without n2: $r"
must_sa 1 list
! grep -q "^sa peer n2 " <<<"$OUT" || fail "the removed peer's SAs stayed: $OUT"
grep -q "runtime SAs of peer n2 dropped" "$(node_log 1)" || fail "the drop is not logged"
sa 1 rx-alloc n2
grep -q "no configured peer named n2" <<<"$OUT" || fail "rx-alloc for a removed peer: $OUT"
log "psp: reload without n2 dropped its SAs"
daemon_alive 1 && daemon_alive 2 || fail "an eespd died"
daemon_stop 1
daemon_stop 2

# -------------------------------------------------------- eesp, spi profile --

keys_eesp
IT_MODE=eesp IT_PORT=4500
# conf_spi NODE: node 1 the key holder, node 2 the client (empty key file)
conf_spi() {
	local i=$1 p d
	p=$((3 - i))
	_mkdir_node "$i"
	d=$(node_dir "$i")
	if [ "$i" = 1 ]; then
		{
			echo "domain 0 1 $IT_ROOT_KEY"
			[ -z "${NEXT_ROOT:-}" ] || echo "domain 0 2 $NEXT_ROOT next"
		} | write_secret "$d/keys/lab.keys"
	else
		: | write_secret "$d/keys/lab.keys"
	fi
	{
		_conf_daemon "$i" "$IT_PORT"
		echo "domain: { name = \"lab\"; key_file = \"keys/lab.keys\"; profile = \"spi\";"
		echo "  suite = \"aes-gcm-256\"; epoch = 0; epoch_period = 0;"
		[ "$i" = 2 ] || echo "  spi_min = 0x1000; spi_max = 0x1fff;"
		echo "};"
		echo "peers = ( { name = \"n$p\"; endpoint = \"$(endpoint "$p")\";"
		echo "  allowed_ips = [ \"$(in4 "$p")/32\", \"$(in6 "$p")/128\" ]; } );"
	} >"$d/eespd.conf"
	chmod 0644 "$d/eespd.conf"
}
conf_spi 1
conf_spi 2
[ ! -s "$(node_dir 2)/keys/lab.keys" ] || fail "the client's key file is not empty"
daemon_start 1
daemon_start 2
no_ping 2 "$(in4 1)"
no_ping 1 "$(in4 2)"
[ "$(counter 2 no_tx_sa)" -ge 2 ] && [ "$(counter 1 no_tx_sa)" -ge 2 ] ||
	fail "eesp: no_tx_sa node 1 $(counter 1 no_tx_sa), node 2 $(counter 2 no_tx_sa)"

# handx: the client's transmit SA (rx-alloc on the key holder -> tx-set)
# and its receive SA (tx-alloc -> rx-set on the client -> tx-set on the key
# holder, so the key holder sends with it only once the client has it)
handx() {
	local r
	must_sa 1 rx-alloc n2 --eesp
	r=$OUT
	XSPI=$(sed -n 's/^spi //p' <<<"$r")
	grep -q "^salt [0-9a-f]\{8\}$" <<<"$r" && grep -q "^sa_phase " <<<"$r" || fail "eesp rx-alloc reply: $r"
	OUT=$(printf '%s\n' "$r" | "$EESPCTL" sa tx-set n1 - -s "$(node_sock 2)" 2>&1) || fail "client tx-set: $OUT"
	must_sa 1 tx-alloc n2
	r=$OUT
	YSPI=$(sed -n 's/^spi //p' <<<"$r")
	grep -q "^dir tx-pending$" <<<"$r" || fail "tx-alloc reply: $r"
	OUT=$(printf '%s\n' "$r" | "$EESPCTL" sa rx-set n1 - -s "$(node_sock 2)" 2>&1) || fail "client rx-set: $OUT"
	OUT=$(printf '%s\n' "$r" | "$EESPCTL" sa tx-set n2 - -s "$(node_sock 1)" 2>&1) || fail "key holder tx-set: $OUT"
	log "eesp: client sends with $XSPI, receives with $YSPI"
}
handx
X1=$XSPI Y1=$YSPI
mark 1
mark 2
ping_ok 2 "$(in4 1)" 5
ping_ok 1 "$(in4 2)" 5
ping_ok 2 "$(in6 1)" 3
log "eesp iperf3 TCP 2 s n2 -> n1: $(iperf 2 1 "$(in4 1)" 2)"
no_new_drops 1
no_new_drops 2
# a wrong key for a pending SA is refused
must_sa 1 tx-alloc n2
ZSPI=$(sed -n 's/^spi //p' <<<"$OUT")
sa 1 tx-set n2 "$ZSPI" "$(hex32)" --salt 01020304
grep -q "differ from what sa-tx-alloc gave" <<<"$OUT" || fail "a wrong key for pending $ZSPI: $OUT"
must_sa 1 release n2 "$ZSPI"

# root rotation on the key holder, re-keying under a running ping
must_sa 1 list
KS1=$(sed -n 's/^key_serial //p' <<<"$OUT")
NEXT_ROOT=$(hex32)
conf_spi 1
r=$(ctl 1 reload)
[ "$(head -1 <<<"$r")" = ok ] || fail "reload with the next root: $r"
ping_run 2 "$(in4 1)"
r=$(ctl 1 "rotate domain 0")
[ "$(head -1 <<<"$r")" = ok ] || fail "rotate: $r"
sa 1 wait "$KS1" --timeout 5
grep -q "^changed yes" <<<"$OUT" && grep -q "^keys domain lab generation 2 phase 2" <<<"$OUT" ||
	fail "sa wait after the root rotation: $OUT"
handx
must_sa 1 release n2 "$X1"
must_sa 2 release n1 "$Y1"
ping_done "eesp root rotation with re-keying"
ping_ok 1 "$(in4 2)" 3
must_sa 1 list
grep -q "^sa peer n2 dir rx spi $XSPI kind eesp generation 2 phase 2 epoch 0 key derived" <<<"$OUT" ||
	fail "node 1's sa list after the rotation: $OUT"

for n in 1 2; do
	r=$(ctl "$n" reload)
	[ "$(head -1 <<<"$r")" = ok ] || fail "reload node $n: $r"
done
ping_ok 2 "$(in4 1)" 3
ping_ok 1 "$(in4 2)" 3
log "eesp: reload on both sides kept the SAs"

refused 1
refused 2

counters 1 >"$IT_DIR/c0"
must_sa 1 release n2 "$XSPI"
no_ping 2 "$(in4 1)"
counters 1 >"$IT_DIR/c1"
rel=$(counter_delta "$IT_DIR/c0" "$IT_DIR/c1" | awk '$1 == "sa_released" { print $2 }')
[ "${rel:-0}" -ge 2 ] || fail "eesp node 1: sa_released +${rel:-0}, want >= 2: $(counter_delta "$IT_DIR/c0" "$IT_DIR/c1" | tr '\n' ' ')"
log "eesp: after sa-release the client's packets dropped, sa_released +$rel"
daemon_alive 1 && daemon_alive 2 || fail "an eespd died"
log "PASS"
