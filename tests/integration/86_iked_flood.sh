#!/usr/bin/env bash
# 86: a flood of IKE_SA_INIT from 10 000 spoofed sources keeps eesp-iked's
# memory bounded, and strongSwan still brings its IKE SA up meanwhile.
#
# Node 1 runs eesp-iked (half_open_timeout 5 s, cookie_threshold 10, the
# defaults otherwise), node 2 strongSwan and build/tools/ikeflood, which
# sends well-formed IKE_SA_INIT requests over raw IPv4 from spoofed
# 203.0.113.0/24 sources (node 1 routes that block back to node 2, which
# drops the answers), 10 000 per part at 4000/s.
#   1. sources unknown to eesp-iked (203.0.113.1-250, ports 1024-1063:
#      10 000 address/port pairs): each is dropped without state
#      (unknown_peer >= 5000 of them counted; half_open stays 0 throughout),
#      the processes' RSS grows by less than 4 MiB, and swanctl --initiate
#      during the flood gives an ESTABLISHED, childless SA;
#   2. sources that are configured peers (250 peers 203.0.113.1-250, port
#      500, 40 requests each): once 10 are half-open, every request is
#      answered with a cookie and none keeps state (cookies_sent >= 5000,
#      half_open never above cookie_threshold + 1, sampled during the flood:
#      strongSwan's own request returns a valid cookie and is admitted
#      above the threshold, as RFC 7296 §2.6 wants, until its IKE_AUTH),
#      RSS grows by less than 4 MiB, strongSwan establishes during the
#      flood (it returns the cookie: cookies_sent counts it too), and the
#      half-open SAs expire after half_open_timeout (half_open_expired >=
#      10, half_open back to 0);
#   3. 40 requests spoofed from strongSwan's own address and port 500
#      (half_open_timeout 60 s): at most one becomes a half-open SA, the
#      rest get cookies, and strongSwan then establishes at once (no
#      peer_sa_limit refusal).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
iked_init
require_strongswan
FLOOD=$B/tools/ikeflood
[ -x "$FLOOD" ] || skip "$FLOOD not built (make tools)"
net_create 2
ip -n "$(ns 1)" route add 203.0.113.0/24 via "$(ul4 2)" || fail "route to the spoofed block"
IKED_EXTRA="half_open_timeout = 5; cookie_threshold = 10;"
IKED_LOG_LEVEL=info

# iked_rss: RSS of eesp-iked's three processes, kB
iked_rss() {
	local p=${IT_IPID[1]} q s=0 r
	for q in $p $(pgrep -P "$p"); do
		r=$(awk '/^VmRSS:/ {print $2}' "/proc/$q/status" 2>/dev/null) || continue
		s=$((s + ${r:-0}))
	done
	echo "$s"
}
# rss_bounded BEFORE AFTER: the processes grew by less than 4 MiB (not
# under ASan, whose allocator keeps freed memory in quarantine: there the
# half-open counts carry the check)
rss_bounded() {
	if [ "${EESP_SANITIZER:-}" = asan ]; then
		log "RSS $1 -> $2 kB (not bounded under ASan)"
		return 0
	fi
	[ $(($2 - $1)) -lt 4096 ] || fail "RSS grew from $1 to $2 kB"
}
iked_status() {
	iked "$1" status --json | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}
# flood ARGS...: ikeflood from node 2 in the background (FLOOD_PID), from
# FLOOD_NET.FIRST-LAST (default 203.0.113)
flood() {
	nsx 2 "$FLOOD" "$(ul4 1)" "${FLOOD_NET:-203.0.113}" "$@" >"$IT_DIR/flood.out" 2>&1 &
	FLOOD_PID=$!
	IT_PIDS+=("$FLOOD_PID")
}
# flood_wait: the generator has finished, successfully
flood_wait() {
	wait "$FLOOD_PID" || fail "ikeflood failed: $(cat "$IT_DIR/flood.out")"
	log "ikeflood: $(cat "$IT_DIR/flood.out")"
}
# settled NAME: counter NAME did not move since the last call
LAST_SEEN=
settled() {
	local v
	v=$(iked_counter 1 "$1")
	[ "$v" = "$LAST_SEEN" ] && return 0
	LAST_SEEN=$v
	return 1
}
# during_flood: half_open at most cookie_threshold while the flood runs (MAX_HO)
during_flood() {
	local h
	MAX_HO=0
	while kill -0 "$FLOOD_PID" 2>/dev/null; do
		h=$(iked_status 1 half_open) || fail "status during the flood"
		[ "$h" -gt "$MAX_HO" ] && MAX_HO=$h
		sleep 0.1
	done
}
sw_initiate_bg() {
	sw 2 --initiate --ike eesp >"$IT_DIR/initiate.out" 2>&1 &
	INIT_PID=$!
	IT_PIDS+=("$INIT_PID")
}

log "1. 10 000 unknown spoofed sources"
iked_conf 1 2
sw_conf 2 1
sw_start 2
iked_start 1
rss0=$(iked_rss)
flood 1 250 1024 40 10000 4000
sw_initiate_bg
during_flood
flood_wait
wait "$INIT_PID" || fail "swanctl --initiate during the flood: $(cat "$IT_DIR/initiate.out")"
wait_for 10 iked_up 1 || fail "no SA with strongSwan during the flood"
sw_expect_suite 2
wait_for 10 settled rx_datagrams || fail "eesp-iked still receiving 10 s after the flood"
rss1=$(iked_rss)
up=$(iked_counter 1 unknown_peer)
log "unknown_peer $up, rx_datagrams $(iked_counter 1 rx_datagrams), half_open max $MAX_HO, RSS $rss0 -> $rss1 kB"
[ "$up" -ge 5000 ] || fail "only $up spoofed requests counted as unknown_peer"
[ "$MAX_HO" = 0 ] || fail "unknown sources left $MAX_HO half-open SAs"
[ "$(iked_status 1 half_open)" = 0 ] || fail "half-open SAs after the flood"
rss_bounded "$rss0" "$rss1"
sw 2 --terminate --ike eesp >/dev/null 2>&1
wait_for 10 iked_none 1 || fail "the SA was not deleted"
iked_stop 1

log "2. 10 000 requests from 250 configured (spoofed) peers"
more=
for h in $(seq 1 250); do
	printf '%s\n' "$IKED_PSK" | write_secret "$(node_dir 1)/keys/f$h.psk"
	more+="${more:+, }{ name = \"f$h\"; address = \"203.0.113.$h\"; remote_id = \"fqdn:f$h.example\"; psk_file = \"keys/f$h.psk\"; }"
done
IKED_MORE_PEERS=$more iked_conf 1 2
iked_start 1
rss0=$(iked_rss)
flood 1 250 500 1 10000 4000
sw_initiate_bg
during_flood
flood_wait
wait "$INIT_PID" || fail "swanctl --initiate during the flood: $(cat "$IT_DIR/initiate.out")"
wait_for 10 iked_up 1 || fail "no SA with strongSwan during the cookie flood"
sw_expect_suite 2
LAST_SEEN=
wait_for 10 settled rx_datagrams || fail "eesp-iked still receiving 10 s after the flood"
rss1=$(iked_rss)
cs=$(iked_counter 1 cookies_sent)
log "cookies_sent $cs, half_open max $MAX_HO, RSS $rss0 -> $rss1 kB"
[ "$cs" -ge 5000 ] || fail "only $cs cookies sent"
# 10 spoofed ones, and strongSwan's while it authenticates (it came back
# with its cookie: admitted above the threshold)
[ "$MAX_HO" -le 11 ] || fail "half_open reached $MAX_HO, above cookie_threshold 10 + strongSwan's 1"
[ "$MAX_HO" -ge 1 ] || fail "no half-open SA was ever seen: the cookie path was not reached"
rss_bounded "$rss0" "$rss1"
iked_logged 1 'answered with a cookie' || fail "no cookie log line"
wait_for 15 eval '[ "$(iked_status 1 half_open)" = 0 ]' || fail "half-open SAs did not expire"
he=$(iked_counter 1 half_open_expired)
[ "$he" -ge 10 ] || fail "half_open_expired $he"
log "half-open SAs expired: $he"
sw 2 --terminate --ike eesp >/dev/null 2>&1
wait_for 10 iked_none 1 || fail "the SA was not deleted"
iked_stop 1

log "3. 40 requests spoofed from strongSwan's own address and port"
# Below cookie_threshold every request used to get a half-open SA: four
# spoofed ones filled the peer's sas_per_peer (4) and strongSwan was
# refused (peer_sa_limit) until they expired.  A peer with a half-open SA
# now gets a cookie for its next request, which a spoofer cannot return.
IKED_EXTRA="half_open_timeout = 60; cookie_threshold = 10;" iked_conf 1 2
iked_start 1
FLOOD_NET=198.51.100 flood 2 2 500 1 40 200
flood_wait
sw_initiate_bg
wait "$INIT_PID" || fail "swanctl --initiate after the spoofed requests: $(cat "$IT_DIR/initiate.out")"
wait_for 10 iked_up 1 || fail "no SA with strongSwan after requests spoofed from its address"
lim=$(iked_counter 1 peer_sa_limit)
ho=$(iked_status 1 half_open)
log "peer_sa_limit $lim, half_open $ho, cookies_sent $(iked_counter 1 cookies_sent)"
[ "${lim:-0}" = 0 ] || fail "strongSwan's address was refused $lim times (peer_sa_limit)"
[ "$ho" -le 1 ] || fail "spoofed requests from one peer hold $ho half-open SAs"
log "PASS"
