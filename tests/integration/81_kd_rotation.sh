#!/usr/bin/env bash
# 81: a PSP master rotation re-keys the downloaded child without a lost
# ping (issue 16 item 3).  Needs root.  As 80 (no SA keys in eespd), then
# under a 10 ms ping each way:
#   1. node 1 (IKE initiator) rotates: new master 1, spi_master = 1,
#      reload; its eesp-iked sees the key serial move and re-keys the child
#      (CREATE_CHILD_SA with N(REKEY_SA)): child_rekeyed 1, node 1's new rx
#      SPI has bit 31 set and pairs with node 2's tx SPI, the old rx SPI is
#      released afterwards (one rx SA left), at most one echo of each ping
#      lost;
#   2. node 2 (IKE responder) rotates the same way: the responder starts the
#      child rekey (its child_rekeyed moves on), node 2's new rx SPI has
#      bit 31 set, the same checks.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_iked.sh"
. "$(dirname "$0")/lib_kd.sh"
kd_init
net_create 2
keys_psp
kd_eespd_conf 1 2 0
kd_eespd_conf 2 1 0
daemon_start 1
daemon_start 2
KD_POLL_MS=100
kd_iked_conf 1 2 true
kd_iked_conf 2 1
iked_start 2
iked_start 1
wait_for 20 kd_children 1 1 || fail "node 1: no PSP child"
wait_for 10 kd_children 2 1 || fail "node 2: no PSP child"
wait_for 5 kd_paired || fail "the SAs do not pair"
ping_ok 1 "$(in4 2)" 3

# rotate NODE PEER: new master 1 and spi_master 1 on NODE, under pings both ways
rotate() {
	local n=$1 p=$2 old new a b k0
	old=$(kd_spi "$n" rx)
	k0=$(iked_counter "$n" child_rekeyed)
	kd_ping_run "$n" "$(in4 "$p")" 0.01
	a=$KD_PING_OUT b=$KD_PING_PID
	kd_ping_run "$p" "$(in4 "$n")" 0.01
	IT_PSPM[$n, 1]=$(hex32)
	kd_eespd_conf "$n" "$p" 1
	r=$(ctl "$n" reload)
	[ "$(head -1 <<<"$r")" = ok ] || fail "reload of node $n to master 1: $r"
	wait_for 10 kd_rekeyed "$n" $((k0 + 1)) || fail "node $n: no child rekey after the rotation: $(grep -i 'child\|serial' "$(iked_log "$n")" | tail -5)"
	wait_for 5 kd_paired || fail "after node $n's rotation the SAs do not pair: $(kd_sa 1 | tr '\n' ' ') / $(kd_sa 2 | tr '\n' ' ')"
	new=$(kd_spi "$n" rx)
	[ $((new & 0x80000000)) -ne 0 ] || fail "node $n's new rx SPI $new lacks bit 31 (master 1)"
	[ "$new" != "$old" ] || fail "node $n kept rx SPI $old"
	wait_for 10 eval '[ "$(kd_nsa '"$n"' rx)" = 1 ]' || fail "node $n's old rx SA $old was not released: $(kd_sa "$n" | tr '\n' ' ')"
	fp=$(printf '%s\n' "$(psp_derive "${IT_PSPM[$n, 1]}" "$new" 1)" | "$EESPCTL" fingerprint)
	kd_sa "$p" | grep -q "dir tx spi $new .*fingerprint $fp" || fail "node $p's tx key for $new is not node $n's master-1 key"
	kd_ping_done "node $p -> $n across node $n's rotation" 1
	KD_PING_OUT=$a KD_PING_PID=$b
	kd_ping_done "node $n -> $p across node $n's rotation" 1
	log "node $n rotated: rx SPI $old -> $new (master 1), old one released, child_rekeyed $(iked_counter "$n" child_rekeyed)"
}
log "1. rotation on node 1 (IKE initiator)"
rotate 1 2
log "2. rotation on node 2 (IKE responder)"
rotate 2 1
ping_ok 1 "$(in4 2)" 3
log "PASS"
