#!/usr/bin/env bash
# bench/ike_bench.sh - IKE SA setups per second: strongSwan 5.9.8 and
# eesp-iked as responders, side by side, the same initiator for both
# (build/bench_ike_setups, bench/ike_setups.c: WINDOW full childless setups
# in flight, PSK, aes256gcm16-prfsha256-x25519, each SA deleted once its
# AUTH verified).  Rounds alternate the two responders in the same pair of
# network namespaces (documentation addresses 192.0.2.1 <-> 192.0.2.2).
# Both responders are configured not to ask for cookies (thresholds above
# WINDOW) and to log only warnings; strongSwan keeps its default 16 threads.
#
# Run as root from the repository root; prints a Markdown section on stdout
# (bench.sh appends it to its report).  Environment:
#   IKE_ROUNDS=3  IKE_SECONDS=10  IKE_WINDOW=16  B=build
set -uo pipefail
cd "$(dirname "$0")/.."
B=${B:-build}
ROUNDS=${IKE_ROUNDS:-3}
SECS=${IKE_SECONDS:-10}
WIN=${IKE_WINDOW:-16}
log() { printf '[ike-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
[ "$(id -u)" -eq 0 ] || { echo "ike_bench: must run as root (network namespaces)" >&2; exit 1; }
for f in "$B/eesp-iked" "$B/bench_ike_setups" /usr/sbin/charon-systemd; do
	[ -x "$f" ] || { echo "## IKE SA setups per second"; echo; echo "not run: $f missing (make all $B/bench_ike_setups; make deps for strongSwan)"; exit 0; }
done
P=ei$$
NA=${P}a NB=${P}b
UA=192.0.2.1 UB=192.0.2.2
W=$(mktemp -d /tmp/ikebench.XXXXXX)
chmod 755 "$W"
RPID=
# cpu_of PID: utime+stime (s) of PID, its threads and its child processes
cpu_of() {
	local t=0 p
	for p in "$1" $(pgrep -P "$1"); do
		t=$(awk -v t="$t" -v hz="$(getconf CLK_TCK)" '{print t + ($14 + $15) / hz}' "/proc/$p/stat" 2>/dev/null || echo "$t")
	done
	echo "$t"
}
stop_responder() {
	[ -n "$RPID" ] || return 0
	kill -TERM "$RPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$RPID" 2>/dev/null
	wait "$RPID" 2>/dev/null
	RPID=
}
cleanup() {
	stop_responder
	ip netns del "$NA" 2>/dev/null
	ip netns del "$NB" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NA" && ip netns add "$NB" || exit 1
ip link add ${P}va netns "$NA" type veth peer name ${P}vb netns "$NB" || exit 1
ip -n "$NA" addr add $UA/24 dev ${P}va
ip -n "$NB" addr add $UB/24 dev ${P}vb
for n in "$NA" "$NB"; do ip -n "$n" link set lo up; done
ip -n "$NA" link set ${P}va up
ip -n "$NB" link set ${P}vb up

PSK=$(openssl rand -hex 24)
printf '%s\n' "$PSK" >"$W/psk"
chmod 0600 "$W/psk"
USER_D=nobody
install -m 0600 -o "$USER_D" "$W/psk" "$W/iked.psk"

cat >"$W/eesp-iked.conf" <<EOC
daemon: {
  user = "$USER_D";
  listen = [ "$UB" ];
  control_socket = "$W/iked.sock";
  log_level = "warning";
};
ike: {
  local_id = "fqdn:resp.example";
  proposals = [ "aes256gcm16-prfsha256-x25519" ];
  dpd_interval = 0;
  rekey_time = 0;
  cookie_threshold = 1000;
  half_open_max = 1024;
  sas_per_peer = 64;
};
peers = ( { name = "init"; address = "$UA"; remote_id = "fqdn:init.example"; psk_file = "$W/iked.psk"; } );
EOC
mkdir -p "$W/sw"
# IKE_SW_LOG=1: strongSwan logs to sw/charon.log (to debug; off for figures)
SW_FILELOG=
[ -n "${IKE_SW_LOG:-}" ] && SW_FILELOG="  filelog { sw { path = $W/sw/charon.log
    default = 1 } }"
cat >"$W/sw/strongswan.conf" <<EOC
charon-systemd {
  load = random nonce openssl pem pkcs1 pkcs8 pubkey x509 kernel-netlink socket-default vici aes sha2 hmac gcm kdf
  port = 500
  port_nat_t = 4500
  install_routes = no
  dos_protection = no
  cookie_threshold = 10000
  cookie_threshold_ip = 10000
  block_threshold = 10000
  journal { default = -1 }
$SW_FILELOG
  plugins {
    vici { socket = unix://$W/sw/charon.vici }
  }
}
swanctl {
  socket = unix://$W/sw/charon.vici
}
EOC
cat >"$W/sw/swanctl.conf" <<EOC
connections {
  eesp {
    version = 2
    local_addrs = $UB
    remote_addrs = $UA
    proposals = aes256gcm16-prfsha256-x25519
    childless = force
    mobike = no
    local { auth = psk
      id = resp.example }
    remote { auth = psk
      id = init.example }
  }
}
secrets {
  ike-1 { id-1 = resp.example
    id-2 = init.example
    secret = "$PSK" }
}
EOC

start_strongswan() {
	ip netns exec "$NB" env STRONGSWAN_CONF="$W/sw/strongswan.conf" /usr/sbin/charon-systemd \
		>"$W/sw/stdout" 2>&1 &
	RPID=$!
	for _ in $(seq 100); do
		ip netns exec "$NB" env STRONGSWAN_CONF="$W/sw/strongswan.conf" swanctl --stats >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip netns exec "$NB" env STRONGSWAN_CONF="$W/sw/strongswan.conf" swanctl --load-all \
		--file "$W/sw/swanctl.conf" >"$W/sw/load.out" 2>&1 ||
		{ log "strongSwan: swanctl --load-all failed: $(cat "$W/sw/load.out")"; return 1; }
}
start_iked() {
	ip netns exec "$NB" "$B/eesp-iked" -f -c "$W/eesp-iked.conf" >"$W/iked.log" 2>&1 &
	RPID=$!
	for _ in $(seq 100); do
		"$B/eespctl" iked -s "$W/iked.sock" status >/dev/null 2>&1 && return 0
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.1
	done
	log "eesp-iked did not start: $(tail -3 "$W/iked.log")"
	return 1
}
: >"$W/rows.tsv"
for r in $(seq 1 "$ROUNDS"); do
	for sys in strongswan eesp-iked; do
		if [ "$sys" = strongswan ]; then start_strongswan; else start_iked; fi || {
			stop_responder
			continue
		}
		c0=$(cpu_of "$RPID")
		out=$(ip netns exec "$NA" "$B/bench_ike_setups" $UA $UB "$W/psk" "$SECS" "$WIN" 2>&1)
		c1=$(cpu_of "$RPID")
		log "round $r $sys: $out; responder CPU $c0 -> $c1 s"
		read -r _ n _ s _ rate _ f _ t _ all _ icpu <<<"$out"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sys" "$r" "${rate:-0}" "${f:-?}" "${t:-?}" \
			"${all:-0}" "$(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')" "${icpu:-0}" >>"$W/rows.tsv"
		stop_responder
		[ -n "${IKE_SW_LOG:-}" ] && [ -f "$W/sw/charon.log" ] && tail -40 "$W/sw/charon.log" >&2
	done
done
python3 - "$W/rows.tsv" "$ROUNDS" "$SECS" "$WIN" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
rounds, secs, win, cpus, load = sys.argv[2:7]
print("## IKE SA setups per second\n")
print(f"Responder on one side of a veth pair, `build/bench_ike_setups` (bench/ike_setups.c) initiating "
      f"from the other: {win} full childless PSK setups in flight (IKE_SA_INIT + IKE_AUTH, the "
      f"responder's AUTH verified, then a Delete), {secs} s per round after a 1 s warm-up, {rounds} "
      f"rounds alternating the responders; {cpus} CPUs shared by initiator and responder, load "
      f"average {load} at the end (other work on the machine disturbs the figures).\n")
print("| responder | setups/s median | min – max | failures | timeouts | responder CPU ms/setup | initiator CPU ms/setup |")
print("|---|---|---|---|---|---|---|")
med = {}
for sysname in ("strongswan", "eesp-iked"):
    rs = [r for r in rows if r[0] == sysname]
    if not rs:
        print(f"| {sysname} | not run | | | | | |")
        continue
    v = [float(r[2]) for r in rs]
    med[sysname] = statistics.median(v)
    print(f"| {'strongSwan 5.9.8' if sysname == 'strongswan' else 'eesp-iked'} | {med[sysname]:.0f} | "
          f"{min(v):.0f} – {max(v):.0f} | {sum(int(r[3]) for r in rs if r[3].isdigit())} | "
          f"{sum(int(r[4]) for r in rs if r[4].isdigit())} | "
          f"{statistics.median(1000 * float(r[6]) / max(1, int(r[5])) for r in rs):.3f} | "
          f"{statistics.median(1000 * float(r[7]) / max(1, int(r[5])) for r in rs):.3f} |")
if med.get("strongswan") and "eesp-iked" in med:
    ratio = med["eesp-iked"] / med["strongswan"]
    print(f"\neesp-iked / strongSwan: **{ratio:.2f}×** (goal ≥ 2×: {'met' if ratio >= 2 else 'missed'})")
    print("\nCPU per setup (utime+stime over the whole run, warm-up included, divided by every "
          "setup made) does not depend on how busy the machine was; the rate does. When the "
          "initiator's CPU per setup is near the responder's, both share the CPUs and the rate "
          "measures the pair rather than the responder alone.")
PY
