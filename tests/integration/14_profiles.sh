#!/usr/bin/env bash
# 14: eesp profiles, KDFs, suites and key levels end to end.  For each
# combination two nodes run eespd, ping IPv4 and IPv6 both ways and move
# 1 MiB over TCP with its sha256 checked; a capture on node 1's veth shows
# the SCTX option on the wire with the configured profile, KDF, suite and
# level flags (T = tenant root applied, G = group root applied); no drop is
# counted.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
# profile kdf suite tenant group -> expected SCTX bytes: profile, kdf|suite, flags
combos=(
	"node cmac aes-gcm-256 0 0"
	"pair cmac aes-gcm-128 0 0"
	"tenant hmac aes-gcm-256 7 0"
	"node hmac aes-gcm-128 7 3"
	"pair cmac aes-gcm-256 0 3"
)
for combo in "${combos[@]}"; do
	read -r IT_PROFILE IT_KDF IT_SUITE IT_TENANT IT_GROUP <<<"$combo"
	log "--- profile $IT_PROFILE, kdf $IT_KDF, suite $IT_SUITE, tenant $IT_TENANT, group $IT_GROUP"
	keys_eesp
	conf_eesp 1 "2"
	conf_eesp 2 "1"
	pcap="$IT_DIR/veth1.$IT_PROFILE.$IT_KDF.$IT_SUITE.$IT_TENANT.$IT_GROUP.pcap"
	capture 1 "$(veth 1)" "$pcap" -Q out udp dst port "$IT_PORT"
	daemon_start 1
	daemon_start 2
	ping_ok 1 "$(in4 2)" 2
	ping_ok 2 "$(in4 1)" 2
	ping_ok 1 "$(in6 2)" 2
	ping_ok 2 "$(in6 1)" 2
	tcp_sha 1 2 "$(in4 2)" $((1 << 20))
	capture_stop
	case $IT_PROFILE in node) p=02 ;; pair) p=03 ;; tenant) p=04 ;; esac
	case $IT_KDF in cmac) k=1 ;; hmac) k=2 ;; esac
	case $IT_SUITE in aes-gcm-128) su=1 ;; aes-gcm-256) su=2 ;; esac
	f=0
	[ "$IT_TENANT" = 0 ] || f=$((f | 0x80))
	[ "$IT_GROUP" = 0 ] || f=$((f | 0x40))
	# base header 80 <optlen> <session id> c0ffee01, then SCTX: e0 <len> profile kdf|suite flags
	want="^80..[0-9a-f]{4}c0ffee01e0..${p}${k}${su}$(printf '%02x' $f)"
	pcap_udp "$pcap" | awk '{ print $6 }' >"$IT_DIR/hdrs"
	n=$(wc -l <"$IT_DIR/hdrs")
	m=$(grep -Ec "$want" "$IT_DIR/hdrs")
	log "outer packets from node 1: $n, with the expected SCTX ($want): $m"
	[ "$n" -gt 0 ] && [ "$m" -eq "$n" ] || fail "SCTX on the wire differs: $(head -2 "$IT_DIR/hdrs" | tr '\n' ' ')"
	for i in 1 2; do
		check_drops "$i"
		daemon_stop "$i"
	done
done
log "PASS"
