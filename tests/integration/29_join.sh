#!/usr/bin/env bash
# 29: the README's quick start, exactly (issue 17, "fewer steps to the first
# ping").  The command blocks marked <!-- quickstart: alpha --> and
# <!-- quickstart: beta --> are read from README.md (so the README cannot
# drift from what is tested; each has at most 4 commands) and run, line by
# line and unchanged, on two hosts: network namespaces joined by a veth
# with the README's underlay addresses, each with a private mount namespace
# in which /etc and /var/lib are overlays and /run a tmpfs, so that
# /etc/eespd, /etc/passwd (the eesp user that domain create and join make),
# /var/lib/eespd and /run/eespd are the host's own and nothing outside the
# test changes, and a UTS namespace names the hosts alpha and beta.
# PATH gives eespctl and eespd of this build, and an `scp`
# that copies into the other host's home directory.  Then:
#   - beta's ping (the last README command) came back, and alpha pings beta;
#   - owners and modes: /etc/eespd root:eesp 0750, eespd.conf root 0644,
#     domain.keys eesp 0600, nodes (alpha only) root 0644;
#   - eespctl show: the peer's latest_rx (within the test's time), rx/tx
#     packets and bytes at least what the pings sent, zero counters hidden
#     (and shown with --all); show --json: the same as numbers, the old keys;
#   - a third node invited while alpha's eespd runs gets node id 3, alpha's
#     eespd reloads and lists it, and beta's counts on alpha survive that and
#     go on counting; an invite refused (bundle file exists) burns its id.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd nsenter setpriv
grep -qw overlay /proc/filesystems || skip "no overlayfs (the hosts' private /etc)"
T0=$(date +%s)
UL_A=198.51.100.10 UL_B=198.51.100.20 IN_A=192.0.2.1 IN_B=192.0.2.2

# readme_block NAME: the command lines of the block after <!-- quickstart: NAME -->
readme_block() {
	awk -v m="<!-- quickstart: $1 -->" '
		$0 == m { want = 1; next }
		want && /^```/ { if (inside) exit; inside = 1; next }
		inside { print }' README.md | sed -e 's/[[:space:]]*$//' -e '/^$/d' -e '/^#/d'
}
mapfile -t CMD_A < <(readme_block alpha)
mapfile -t CMD_B < <(readme_block beta)
[ "${#CMD_A[@]}" -ge 1 ] && [ "${#CMD_B[@]}" -ge 1 ] || fail "README.md: no quickstart blocks for alpha and beta"
[ "${#CMD_A[@]}" -le 4 ] || fail "README.md: the alpha block has ${#CMD_A[@]} commands (the goal is at most 4)"
[ "${#CMD_B[@]}" -le 4 ] || fail "README.md: the beta block has ${#CMD_B[@]} commands (the goal is at most 4)"
grep -q "alpha\* ($UL_A)" README.md && grep -q "beta\* ($UL_B)" README.md ||
	fail "README.md no longer names alpha $UL_A and beta $UL_B: update this test's addresses"

# -------------------------------------------------------------- network --
ns_add "$(ns 1)"
ns_add "$(ns 2)"
ip link add "$(veth 1)" netns "$(ns 1)" type veth peer name "$(veth 2)" netns "$(ns 2)" || fail "veth"
ip -n "$(ns 1)" addr add "$UL_A/24" dev "$(veth 1)"
ip -n "$(ns 2)" addr add "$UL_B/24" dev "$(veth 2)"
ip -n "$(ns 1)" link set "$(veth 1)" up
ip -n "$(ns 2)" link set "$(veth 2)" up

# ---------------------------------------------------------------- hosts --
declare -A ANCHOR=()
HOSTNAME_OF=([1]=alpha [2]=beta)
host_dir() { echo "$IT_DIR/host$1"; }
# host_up N: node N's private mounts, held by a process that sleeps there
host_up() {
	local h d
	h=$1
	d=$(host_dir "$h")
	mkdir -p "$d"/{etc,etc.work,lib,lib.work,home,bin}
	ln -s "$(realpath "$EESPD")" "$d/bin/eespd"
	ln -s "$(realpath "$EESPCTL")" "$d/bin/eespctl"
	# scp FILE... USER@HOST:  ->  the other host's home
	cat >"$d/bin/scp" <<EOF
#!/bin/sh
n=\$#; i=0
for f in "\$@"; do
	i=\$((i + 1))
	if [ \$i -lt \$n ]; then cp -p "\$f" "$(host_dir $((3 - h)))/home/" || exit 1; fi
done
EOF
	chmod 0755 "$d/bin/scp"
	ip netns exec "$(ns "$h")" unshare --uts sh -c "hostname ${HOSTNAME_OF[$h]} && mount -t overlay overlay -o lowerdir=/etc,upperdir=$d/etc,workdir=$d/etc.work /etc &&
		mount -t overlay overlay -o lowerdir=/var/lib,upperdir=$d/lib,workdir=$d/lib.work /var/lib &&
		mount -t tmpfs -o mode=0755 tmpfs /run && touch /run/.host-up && exec sleep 600" &
	ANCHOR[$h]=$!
	IT_PIDS+=("${ANCHOR[$h]}")
	wait_for 5 nsenter -t "${ANCHOR[$h]}" -m test -e /run/.host-up || fail "host $h: private mounts not up"
	[ ! -e /etc/eespd ] || nsenter -t "${ANCHOR[$h]}" -m test ! -e /etc/eespd/eespd.conf ||
		fail "host $h: /etc/eespd/eespd.conf exists in the lower /etc"
}
# on N CMD...: run a shell command line on host N (its namespaces, PATH, home)
on() {
	local h=$1
	shift
	nsenter -t "${ANCHOR[$h]}" -m -n -u -- env -i PATH="$(host_dir "$h")/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		HOME="$(host_dir "$h")/home" bash -c "cd && $*"
}
# daemon_of N: the eespd that a README command started on host N
daemon_of() {
	local p
	for p in $(ip netns pids "$(ns "$1")"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = eespd ] && { echo "$p"; return 0; }
	done
	return 1
}
# ready N: eespd on host N answers on the default socket
ready() { on "$1" eespctl status >/dev/null 2>&1; }
# run_block N NAME CMD...: the README's commands, one by one, as typed
run_block() {
	local h=$1 name=$2 c out
	shift 2
	for c in "$@"; do
		log "$name# $c"
		out=$(on "$h" "$c" 2>&1) || {
			printf '%s\n' "$out" | sed 's/^/    /'
			on "$h" eespd -t 2>&1 | sed 's/^/    eespd -t: /'
			fail "$name: README command failed: $c"
		}
		printf '%s\n' "$out" | sed 's/^/    /'
		if [ "$c" = eespd ]; then
			# eespd detaches once it is ready, or will (issue 17 item 1);
			# until then wait for its socket, bounded, so that the next
			# command does not race its start
			wait_for 10 ready "$h" || fail "$name: eespd does not answer on its control socket"
			IT_DPID[$h]=$(daemon_of "$h") || fail "$name: no eespd in the namespace"
		fi
	done
}
host_up 1
host_up 2

# ------------------------------------------------------------ the README --
run_block 1 alpha "${CMD_A[@]}"
[ -f "$(host_dir 2)/home/beta.join" ] || fail "the bundle did not reach beta's home"
run_block 2 beta "${CMD_B[@]}"
log "first ping: beta reached alpha with the README's commands alone"
out=$(on 1 ping -n -q -c 3 -i 0.2 -W 2 "$IN_B" 2>&1)
grep -q " 3 received" <<<"$out" || fail "alpha cannot ping beta: $out"

# ----------------------------------------------------- owners and modes --
# mode_of N PATH: owner:group mode on host N
mode_of() { on "$1" stat -c "'%U:%G %a'" "$2"; }
for h in 1 2; do
	same_or_fail() { [ "$1" = "$2" ] || fail "host $h: $3: got '$1', expected '$2'"; }
	same_or_fail "$(mode_of "$h" /etc/eespd)" "root:eesp 750" "/etc/eespd"
	same_or_fail "$(mode_of "$h" /etc/eespd/eespd.conf)" "root:root 644" "eespd.conf"
	same_or_fail "$(mode_of "$h" /etc/eespd/domain.keys)" "eesp:eesp 600" "domain.keys"
done
[ "$(mode_of 1 /etc/eespd/nodes)" = "root:root 644" ] || fail "alpha: /etc/eespd/nodes is $(mode_of 1 /etc/eespd/nodes)"
on 2 test ! -e /etc/eespd/nodes || fail "beta has a roster: it must not hand out node ids"
on 1 test ! -e "/etc/eespd/.nodes.new" || fail "a temporary file was left behind"
log "owners and modes: /etc/eespd root:eesp 0750, eespd.conf root 0644, domain.keys eesp 0600"

# ------------------------------------------------ eespctl show, per peer --
# peer_json N NAME: "rx_packets rx_bytes tx_packets tx_bytes latest_rx" of peer NAME
peer_json() {
	on "$1" eespctl show --json | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
for p in d["peers"]:
    for k in ("name", "endpoint", "node_id", "tx_spi", "allowed_ips"):
        assert k in p, "peer key %s is gone" % k
    if p["name"] == sys.argv[1]:
        print(p["rx_packets"], p["rx_bytes"], p["tx_packets"], p["tx_bytes"], p["latest_rx"])
' "$2"
}
check_peer() {
	local h=$1 peer=$2 min=$3 j rp rb tp tb lr now text
	j=$(peer_json "$h" "$peer") || fail "host $h: show --json"
	read -r rp rb tp tb lr <<<"$j"
	now=$(date +%s)
	[ -n "$lr" ] || fail "host $h: no peer $peer in show --json"
	[ "$rp" -ge "$min" ] && [ "$tp" -ge "$min" ] || fail "host $h: peer $peer rx_packets $rp tx_packets $tp, expected >= $min"
	# an ICMP echo through the tunnel is at least 84 bytes (IPv4 + 8 + 56)
	[ "$rb" -ge $((min * 84)) ] && [ "$tb" -ge $((min * 84)) ] || fail "host $h: peer $peer rx_bytes $rb tx_bytes $tb"
	[ "$lr" -ge "$T0" ] && [ "$lr" -le "$now" ] || fail "host $h: peer $peer latest_rx $lr not within $T0..$now"
	text=$(on "$h" eespctl show)
	grep -A5 "^peer $peer " <<<"$text" | grep -Eq "^  latest_rx [0-9T:Z-]+ \([0-9]+ s ago\)$" ||
		fail "host $h: show has no latest_rx line for $peer: $text"
	grep -A5 "^peer $peer " <<<"$text" | grep -q "^  rx_packets $rp$" || fail "host $h: show's rx_packets differ from --json's ($rp)"
	! grep -Eq '^ *[a-z_0-9]+ 0$' <<<"$text" || fail "host $h: show prints zero counters without --all"
	grep -q "zero counters not shown" <<<"$text" || fail "host $h: show does not say it hid zero counters"
	on "$h" eespctl show --all | grep -q '^  auth_failed 0$' || fail "host $h: show --all lacks the zero counters"
	log "host $h, peer $peer: rx $rp packets $rb bytes, tx $tp packets $tb bytes, latest_rx $((now - lr)) s ago"
}
check_peer 1 beta 6
check_peer 2 alpha 6
log "alpha# eespctl show"
on 1 eespctl show | sed 's/^/    /'
before=$(peer_json 1 beta | cut -d' ' -f1)

# ------------------------------ a third node, invited while eespd runs --
out=$(on 1 eespctl domain invite /etc/eespd gamma --address 192.0.2.3/24 --endpoint 198.51.100.30 2>&1) ||
	fail "invite gamma: $out"
printf '%s\n' "$out" | sed 's/^/    /'
grep -q "^node 3 (gamma)" <<<"$out" || fail "gamma did not get node id 3: $out"
grep -q "eespd reloaded" <<<"$out" || fail "alpha's eespd was not reloaded: $out"
on 1 eespctl show | grep -q "^peer gamma endpoint 198.51.100.30:4500 node_id 3 " || fail "alpha's eespd does not list gamma"
grep -q '^next 4$' <<<"$(on 1 cat /etc/eespd/nodes)" || fail "the roster does not record node 3 as handed out"
[ "$(peer_json 1 beta | cut -d' ' -f1)" -ge "$before" ] || fail "beta's counters on alpha were reset by the reload"
out=$(on 1 eespctl domain invite /etc/eespd delta --address 192.0.2.4/24 --endpoint 198.51.100.40 -o gamma.join 2>&1) &&
	fail "invite over an existing bundle file succeeded"
grep -q "^next 5$" <<<"$(on 1 cat /etc/eespd/nodes)" || fail "a refused invite must still burn its id (next 5)"
ping_n() { on "$1" ping -n -q -c 2 -i 0.2 -W 2 "$2" 2>&1 | grep -q " 2 received"; }
ping_n 2 "$IN_A" || fail "beta lost alpha after alpha's reload"
after=$(peer_json 1 beta | cut -d' ' -f1)
[ "$after" -ge $((before + 2)) ] || fail "beta's rx_packets on alpha: $before before the reload, $after after 2 more pings"
log "gamma invited into the running domain: node 3, alpha reloaded, beta's counts kept"
log "PASS"
