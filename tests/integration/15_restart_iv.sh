#!/usr/bin/env bash
# 15: stop and restart.  SIGTERM stops eespd within 5 s with exit status 0
# and removes its TUN device; its control socket stays (root's directory,
# eespd(8)) but nobody answers there any more (eespctl: "stale socket"),
# and the next start removes it.  eespd is restarted at once
# (twice, within a second or two: the clock part of the IV start alone would
# repeat) and carries traffic again.  A capture on node 1's veth across all
# runs shows that the sender's 64-bit IV (EESP sequence number / PSP IV)
# strictly increases over the restarts, so no (key, nonce) pair is reused.
# In eesp mode and in psp mode.
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
for mode in eesp psp; do
	if [ $mode = eesp ]; then
		keys_eesp
		conf_eesp 1 "2"
		conf_eesp 2 "1"
	else
		keys_psp
		conf_psp 1 "2"
		conf_psp 2 "1"
	fi
	pcap="$IT_DIR/veth1.$mode.pcap"
	capture 1 "$(veth 1)" "$pcap" -Q out udp dst port "$IT_PORT"
	daemon_start 2
	for run in 1 2 3; do
		daemon_start 1
		ping_ok 1 "$(in4 2)" 3 -i 0.05
		pid=${IT_DPID[1]}
		kill -TERM "$pid"
		rc=timeout
		for k in $(seq 300); do
			if ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid"
				rc=$?
				break
			fi
			sleep 0.1
		done
		unset "IT_DPID[1]"
		log "$mode run $run: SIGTERM -> exit status $rc"
		[ "$rc" = 0 ] || fail "eespd did not exit 0 within 30 s of SIGTERM (status $rc)"
		nsx 1 ip link show "$IT_TUN" >/dev/null 2>&1 && fail "the TUN device is still there after eespd exited"
		ctl 1 status >/dev/null 2>&1 && fail "something still answers on $(node_sock 1) after eespd exited"
		if [ -x "$EESPCTL" ] && [ -S "$(node_sock 1)" ]; then
			out=$("$EESPCTL" status -s "$(node_sock 1)" 2>&1) && fail "eespctl status succeeded after eespd exited"
			grep -q "eespd is not running: stale socket" <<<"$out" || fail "eespctl on the stale socket: $out"
		fi
	done
	capture_stop
	log "$mode: state dir after the runs: $(ls "$(node_dir 1)/state" | tr '\n' ' ')"
	pcap_udp "$pcap" >"$IT_DIR/outer.$mode"
	"$PY" - "$mode" "$IT_DIR/outer.$mode" <<'PYEOF' || fail "$mode: the IV did not strictly increase across restarts"
import sys
mode, last, n, bad = sys.argv[1], {}, 0, 0
for line in open(sys.argv[2]):
    f = line.split()
    h = bytes.fromhex(f[5])
    if mode == "eesp":
        key = "session %d" % int.from_bytes(h[2:4], "big")
        off = 8 + h[1]
    else:
        key = "spi %08x" % int.from_bytes(h[4:8], "big")
        off = 8
    if len(h) < off + 8:
        sys.exit("header longer than the captured bytes")
    iv = int.from_bytes(h[off:off + 8], "big")
    if key not in last or iv > last[key] + 1:
        print("    %s: IV %#018x%s" % (key, iv, "" if key not in last else " (after %#018x: a restart)" % last[key]))
    if key in last and iv <= last[key]:
        print("%s: IV %#x after %#x" % (key, iv, last[key])); bad += 1
    last[key] = iv
    n += 1
print("    %s: %d packets from node 1 over 3 runs, IVs strictly increasing per %s" % (mode, n, " / ".join(sorted(last))))
sys.exit(1 if bad or n < 9 else 0)
PYEOF
	daemon_stop 2
done
log "PASS"
