#!/usr/bin/env bash
# tests/tools/ike_fixture.sh [OUT_DIR] - regenerate the strongSwan fixture of
# the IKE core's unit tests (tests/unit/data/ike/, see its README).
#
# Two network namespaces joined by a veth (198.51.100.1 / .2), one
# charon-systemd in each with a private strongswan.conf (file log, ike = 4),
# a private vici socket and a childless PSK connection
# (aes256gcm16-prfsha256-x25519, FQDN IDs).  A initiates, tcpdump in B
# captures UDP 500, then both daemons are stopped by PID, the namespaces
# deleted, and ike_fixture.py turns the pcap and A's log into
# OUT_DIR/strongswan.txt (plus the raw pcap and log beside it).
# Needs root, charon-systemd, strongswan-swanctl, tcpdump, python3.
set -euo pipefail
[ "$(id -u)" -eq 0 ] || { echo "ike_fixture: needs root" >&2; exit 77; }
for c in /usr/sbin/charon-systemd swanctl tcpdump python3 ip; do
	command -v "$c" >/dev/null || { echo "ike_fixture: $c missing" >&2; exit 77; }
done
here=$(cd "$(dirname "$0")" && pwd)
out=$(realpath -m "${1:-$here/../unit/data/ike}")
mkdir -p "$out"
work=$(mktemp -d /tmp/ikefx.XXXXXX)
chmod 0700 "$work"
na=ikefxA$$ nb=ikefxB$$
pids=()
PSK=eesp-fixture-psk-0123456789

cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null || true
	done
	ip netns del "$na" 2>/dev/null || true
	ip netns del "$nb" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# wait_for TIMEOUT_S CMD...: poll CMD until it succeeds (bounded)
wait_for() {
	local t=$1; shift
	for _ in $(seq $((t * 10))); do "$@" && return 0; sleep 0.1; done
	return 1
}

ip netns add "$na"
ip netns add "$nb"
ip link add ikefxa type veth peer name ikefxb
ip link set ikefxa netns "$na"
ip link set ikefxb netns "$nb"
ip -n "$na" addr add 198.51.100.1/24 dev ikefxa
ip -n "$nb" addr add 198.51.100.2/24 dev ikefxb
for n in "$na" "$nb"; do ip -n "$n" link set lo up; done
ip -n "$na" link set ikefxa up
ip -n "$nb" link set ikefxb up

side() { # side NAME LOCAL_IP REMOTE_IP LOCAL_ID REMOTE_ID
	local d=$work/$1
	mkdir -p "$d"
	cat >"$d/strongswan.conf" <<EOC
charon-systemd {
	install_routes = no
	install_virtual_ip = no
	retransmit_tries = 3
	plugins {
		vici { socket = unix://$d/vici.sock }
	}
	journal { default = -1 }
	filelog {
		fx {
			path = $d/charon.log
			default = 1
			ike = 4
			flush_line = yes
		}
	}
}
EOC
	cat >"$d/swanctl.conf" <<EOC
connections {
	eesp {
		version = 2
		local_addrs = $2
		remote_addrs = $3
		proposals = aes256gcm16-prfsha256-x25519
		childless = force
		dpd_delay = 0
		mobike = no
		local { auth = psk
			id = $4 }
		remote { auth = psk
			id = $5 }
	}
}
secrets {
	ike-eesp { id-1 = $4
		id-2 = $5
		secret = "$PSK" }
}
EOC
}
side A 198.51.100.1 198.51.100.2 a.example.net b.example.net
side B 198.51.100.2 198.51.100.1 b.example.net a.example.net

ip netns exec "$nb" tcpdump -Z root --immediate-mode -i ikefxb -U -n -w "$work/ike.pcap" udp port 500 or udp port 4500 \
	2>"$work/tcpdump.err" &
pids+=($!)
wait_for 10 grep -q 'listening on' "$work/tcpdump.err"

for s in A B; do
	n=$na; [ $s = B ] && n=$nb
	STRONGSWAN_CONF=$work/$s/strongswan.conf ip netns exec "$n" \
		/usr/sbin/charon-systemd >"$work/$s/stdout" 2>&1 &
	pids+=($!)
done
for s in A B; do
	wait_for 20 test -S "$work/$s/vici.sock" ||
		{ echo "ike_fixture: charon $s did not start" >&2; cat "$work/$s/stdout" >&2; exit 1; }
	n=$na; [ $s = B ] && n=$nb
	ip netns exec "$n" swanctl --load-all --file "$work/$s/swanctl.conf" \
		--uri "unix://$work/$s/vici.sock" >/dev/null
done
# the daemons' sockets live in the namespaces only
if ss -H -ulnp 2>/dev/null | grep -q charon; then
	echo "ike_fixture: a charon listens in the root namespace" >&2; exit 1
fi
ip netns exec "$na" timeout 30 swanctl --initiate --ike eesp --uri "unix://$work/A/vici.sock"
sas=$(ip netns exec "$nb" swanctl --list-sas --raw --uri "unix://$work/B/vici.sock")
grep -q 'state=ESTABLISHED' <<<"$sas" || { echo "ike_fixture: not established: $sas" >&2; exit 1; }
grep -q 'child-sas {}' <<<"$sas" || { echo "ike_fixture: not childless: $sas" >&2; exit 1; }

# the four messages of IKE_SA_INIT and IKE_AUTH are in the pcap: stop tcpdump
pcap_has4() { [ "$(stat -c %s "$work/ike.pcap")" -gt 600 ]; }
wait_for 10 pcap_has4 || { echo "ike_fixture: capture incomplete" >&2; exit 1; }
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
cp "$work/ike.pcap" "$out/strongswan.pcap"
cp "$work/A/charon.log" "$out/strongswan-initiator.log"
python3 "$here/ike_fixture.py" --psk "$PSK" "$out/strongswan.pcap" \
	"$out/strongswan-initiator.log" >"$out/strongswan.txt"
echo "ike_fixture: wrote $out/strongswan.txt"
