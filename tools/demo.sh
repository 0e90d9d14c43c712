#!/usr/bin/env bash
# tools/demo.sh - `make demo`: two eespd nodes talking through the tunnel.
#
# Creates two network namespaces (eesp-demo-a, eesp-demo-b) joined by a veth
# pair, starts one eespd in each from the sample configuration in conf/,
# pings both ways over IPv4 and IPv6 through the tunnel, runs a short iperf3,
# prints `eespctl show` from both ends, does the same ping in PSP mode, and
# removes everything it created - also when a step fails or you press Ctrl-C.
#
# Nothing leaves the machine: all traffic stays inside the two namespaces and
# uses documentation addresses (RFC 5737 / RFC 3849).
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
EESPD=$B/eespd
EESPCTL=$B/eespctl
NSA=eesp-demo-a
NSB=eesp-demo-b
TMP=""
PIDS=()
STEP="setup"
SECS=${DEMO_IPERF_SECONDS:-3}
DEMO_USER=eesp          # the sample configurations' daemon user
CREATED_USER=""         # set if the demo had to create it (removed at the end)

if [ -t 1 ]; then
	BOLD=$'\e[1m' GREEN=$'\e[32m' RED=$'\e[31m' DIM=$'\e[2m' OFF=$'\e[0m'
else
	BOLD="" GREEN="" RED="" DIM="" OFF=""
fi
say() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$OFF"; }
info() { printf '    %s\n' "$*"; }
ok() { printf '    %s✓%s %s\n' "$GREEN" "$OFF" "$*"; }
indent() { sed 's/^/    /'; }

die() {
	printf '\n%sdemo failed%s at step "%s": %s\n' "$RED" "$OFF" "$STEP" "$*" >&2
	local f
	for f in "$TMP"/*.log; do
		[ -s "$f" ] || continue
		printf '\n--- %s (last 30 lines)\n' "$(basename "$f")" >&2
		tail -n 30 "$f" >&2
	done
	exit 1
}

cleanup() {
	local rc=$? pid ns k
	trap - EXIT INT TERM
	[ -n "$TMP" ] && say "Cleaning up"
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${PIDS[@]}"; do
		for k in $(seq 30); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "${CREATED_NS[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null && info "removed namespace $ns (and its veth, TUN devices)"
	done
	if [ -n "$TMP" ] && [ -d "$TMP" ]; then
		rm -rf "$TMP"
		info "removed $TMP"
	fi
	if [ -n "$CREATED_USER" ] && userdel "$CREATED_USER" 2>/dev/null; then
		info "removed the system user $CREATED_USER the demo created"
	fi
	if [ $rc -eq 0 ]; then
		printf '\n%sDemo finished: everything worked, nothing is left behind.%s\n' "$GREEN" "$OFF"
	fi
	exit $rc
}
CREATED_NS=()

# ------------------------------------------------------------- checks --
if [ "$(id -u)" -ne 0 ]; then
	echo "The demo creates network namespaces and TUN devices, so it needs root."
	echo "run as root: sudo make demo"
	exit 1
fi
[ -x "$EESPD" ] || { echo "$EESPD is not built; run: make"; exit 1; }
for c in ip ping iperf3 useradd userdel; do
	command -v "$c" >/dev/null || { echo "$c is missing; run: make deps"; exit 1; }
done
for ns in $NSA $NSB; do
	if ip netns list | grep -w "$ns" >/dev/null; then
		echo "namespace $ns already exists (a demo still running, or left over?)."
		echo "remove it with: ip netns del $ns"
		exit 1
	fi
done
trap cleanup EXIT
trap 'exit 130' INT TERM
PY=/usr/bin/python3
[ -x $PY ] || PY=python3

cat <<EOF
${BOLD}eesp demo${OFF}: two nodes, a and b, each in its own network namespace, joined by
a virtual cable (veth).  Each runs eespd, which creates a TUN device and
carries the nodes' inner traffic (192.0.2.0/24, 2001:db8:1::/64) encrypted in
UDP over the cable (198.51.100.0/24, 2001:db8:ff::/64).  The keys come from
conf/keys/ and are demo keys: never use them for real traffic.
EOF

# ------------------------------------------------------------ network --
STEP="network"
say "Creating namespaces $NSA and $NSB, joined by a veth pair"
for ns in $NSA $NSB; do
	ip netns add "$ns" || die "ip netns add $ns"
	CREATED_NS+=("$ns")
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
ip link add veth-a netns $NSA type veth peer name veth-b netns $NSB || die "ip link add veth"
ip -n $NSA addr add 198.51.100.1/24 dev veth-a
ip -n $NSA addr add 2001:db8:ff::1/64 dev veth-a nodad
ip -n $NSB addr add 198.51.100.2/24 dev veth-b
ip -n $NSB addr add 2001:db8:ff::2/64 dev veth-b nodad
ip -n $NSA link set veth-a up
ip -n $NSB link set veth-b up
ok "a: veth-a 198.51.100.1, 2001:db8:ff::1      b: veth-b 198.51.100.2, 2001:db8:ff::2"

# ------------------------------------------------------------ configs --
# conf_copy SRC NAME: copy a sample config into $TMP with the control socket
# and state dir moved there (so the demo writes nothing outside $TMP)
conf_copy() {
	local src=$1 name=$2
	sed -e "s#^\( *control_socket *= *\)\"[^\"]*\"#\1\"$TMP/$name.sock\"#" \
		-e "s#^\( *state_dir *= *\)\"[^\"]*\"#\1\"$TMP/state-$name\"#" \
		"$src" >"$TMP/$name.conf" || die "copy $src"
	# (eespd creates its state dir, 0700 and owned by the daemon user)
}

STEP="configuration"
say "Copying the sample configuration from conf/ to a temporary directory"
TMP=$(mktemp -d /tmp/eesp-demo.XXXXXX) || die "mktemp"
chmod 0755 "$TMP"
mkdir -p "$TMP/keys"
cp conf/keys/*.keys "$TMP/keys/" || die "copy keys"
chmod 0600 "$TMP"/keys/*.keys
conf_copy conf/eespd.conf a
conf_copy conf/eespd-b.conf b
info "$TMP/a.conf  (from conf/eespd.conf)"
info "$TMP/b.conf  (from conf/eespd-b.conf)"
info "$TMP/keys/   (root keys, mode 0600)"

# ------------------------------------------------------------ user ----
# eespd drops root to the configured user and refuses one that does not
# exist (no fallback to the shared "nobody")
STEP="daemon user"
if id "$DEMO_USER" >/dev/null 2>&1; then
	info "daemon user: $DEMO_USER (exists)"
else
	say "Creating the system user $DEMO_USER that eespd runs as (removed again at the end)"
	useradd --system --no-create-home --shell /usr/sbin/nologin "$DEMO_USER" ||
		die "useradd --system $DEMO_USER"
	CREATED_USER=$DEMO_USER
	ok "useradd --system --no-create-home --shell /usr/sbin/nologin $DEMO_USER"
fi
# eespd re-reads its key files as that user on every reload (and refuses,
# at start-up, a key file it could not): they belong to it
chown "$DEMO_USER" "$TMP"/keys/*.keys || die "chown $DEMO_USER the key files"
info "$TMP/keys/   owned by $DEMO_USER"

# ------------------------------------------------------------ daemons --
ctl() { # ctl NAME REQUEST: the daemon's reply to one control-socket request
	"$PY" - "$TMP/$1.sock" "$2" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
b = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    b += d
sys.stdout.write(b.decode(errors="replace"))
EOF
}

# start NAME NS CONF TUN
start() {
	local name=$1 ns=$2 conf=$3 tun=$4 pid k
	ip netns exec "$ns" "$EESPD" -f -c "$conf" >"$TMP/eespd-$name.log" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for k in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || die "eespd ($name) exited during start"
		if ip -n "$ns" link show "$tun" >/dev/null 2>&1 && [ -S "$TMP/$name.sock" ] &&
			ctl "$name" status 2>/dev/null | sed -n 1p | grep "^ok" >/dev/null; then
			ok "eespd on node $name is up: pid $pid, TUN device $tun, running as $(ctl "$name" status | sed -n 's/.* uid \([0-9]*\).*/uid \1/p') with no capabilities"
			return 0
		fi
		sleep 0.1
	done
	die "eespd ($name) did not become ready in 10 s"
}

stop_all() {
	local pid k
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
		for k in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	PIDS=()
}

# ping6/4 both ways: pings NS ADDR LABEL
pings() {
	local ns=$1 dst=$2 label=$3 out
	out=$(ip netns exec "$ns" ping -n -c 3 -i 0.3 -W 2 "$dst" 2>&1)
	if grep -q ' 3 received' <<<"$out"; then
		ok "$label: $(grep -o '3 packets transmitted.*loss' <<<"$out"), rtt $(grep -o 'rtt.*' <<<"$out" | cut -d= -f2)"
	else
		printf '%s\n' "$out" | indent
		die "$label: ping did not get through"
	fi
}

STEP="start eespd (eesp mode)"
say "Starting eespd in each namespace (EESP mode, UDP port 4500)"
start a $NSA "$TMP/a.conf" eesp0
start b $NSB "$TMP/b.conf" eesp0

STEP="ping (eesp mode)"
say "Pinging through the tunnel, both ways, IPv4 and IPv6"
pings $NSA 192.0.2.2 "a -> b  IPv4 192.0.2.2     "
pings $NSB 192.0.2.1 "b -> a  IPv4 192.0.2.1     "
pings $NSA 2001:db8:1::2 "a -> b  IPv6 2001:db8:1::2 "
pings $NSB 2001:db8:1::1 "b -> a  IPv6 2001:db8:1::1 "

STEP="iperf3"
say "Pushing TCP traffic through the tunnel for $SECS s (iperf3, a -> b)"
ip netns exec $NSB iperf3 -s -1 -B 192.0.2.2 >"$TMP/iperf3-server.log" 2>&1 &
PIDS+=("$!")
sleep 0.5
j=$(ip netns exec $NSA timeout $((SECS + 20)) iperf3 -c 192.0.2.2 -t "$SECS" -J 2>&1) || die "iperf3: $(tail -3 <<<"$j")"
"$PY" -c '
import json, sys
e = json.loads(sys.stdin.read())["end"]
r, s = e["sum_received"], e["sum_sent"]
print("    \u2713 %.2f Gbit/s received, %.1f MB in %.1f s, %d TCP retransmits"
      % (r["bits_per_second"] / 1e9, r["bytes"] / 1e6, r["seconds"], s.get("retransmits", 0)))
' <<<"$j" || die "could not read iperf3's result"

STEP="show"
show() { # show NAME: the daemon's view; counters that are 0 are left out
	local out
	if [ -x "$EESPCTL" ]; then
		out=$("$EESPCTL" show -s "$TMP/$1.sock" 2>&1)
	else
		out=$(ctl "$1" show | tail -n +2)
	fi
	awk '/^ +[a-z_0-9]+ 0$/ { z++; next } { print } END { if (z) printf "  (%d counters that are 0 not shown)\n", z }' <<<"$out" | indent
}
say "What node a's daemon reports (eespctl show)"
info "${DIM}tx_packets: read from the TUN, encrypted and sent; rx_packets: received,"
info "decrypted and written to the TUN; besides the rx_/tx_/tun_ totals, every"
info "counter is a drop reason."
info "no_route counts what the kernel itself sends into the tunnel with no peer"
info "for it (IPv6 router solicitations, for example): harmless.${OFF}"
show a
say "What node b's daemon reports (eespctl show)"
show b

# ------------------------------------------------------------ PSP mode --
if [ -e conf/eespd-psp.conf ] && [ -e conf/eespd-psp-b.conf ]; then
	STEP="psp mode"
	say "Restarting both nodes in PSP mode (Google PSP, UDP port 1000)"
	stop_all
	conf_copy conf/eespd-psp.conf psp-a
	conf_copy conf/eespd-psp-b.conf psp-b
	psptun=$(sed -n 's/^ *interface *= *"\([^"]*\)".*/\1/p' "$TMP/psp-a.conf")
	start psp-a $NSA "$TMP/psp-a.conf" "${psptun:-psp0}"
	psptun=$(sed -n 's/^ *interface *= *"\([^"]*\)".*/\1/p' "$TMP/psp-b.conf")
	start psp-b $NSB "$TMP/psp-b.conf" "${psptun:-psp0}"
	pings $NSA 192.0.2.2 "a -> b  IPv4 192.0.2.2     "
	pings $NSB 2001:db8:1::1 "b -> a  IPv6 2001:db8:1::1 "
fi
STEP="cleanup"
exit 0
