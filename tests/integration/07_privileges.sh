#!/usr/bin/env bash
# 07: after start (and after it has carried traffic), every thread of eespd
# runs with a non-root uid (real, effective, saved, fs), an empty effective
# capability set, no_new_privs and the seccomp filter (Seccomp: 2); the
# process is not dumpable (its /proc files belong to root although it runs
# as another user), even with fs.suid_dumpable = 1 during its start, which
# would leave it dumpable after the uid change without an explicit
# PR_SET_DUMPABLE 0.  Memory: all of it locked (VmLck close to VmSize) when
# RLIMIT_MEMLOCK can be made unlimited, else key memory locked (VmLck > 0)
# and a warning naming LimitMEMLOCK, and lock_memory = "all" refuses to
# start; without -f (daemon(3) forks) VmLck is as with -f.  seccomp = false
# runs without the filter and says so.  The control socket is not
# accessible to other users (no "other" mode bits).
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
sed -i 's/workers = 1;/workers = 2;/' "$(node_conf 1)"

# fs.suid_dumpable = 1 while the daemons change their uid (serialised with
# other runs of this test by a lock, restored right after and on exit)
DUMPABLE_SYSCTL=/proc/sys/fs/suid_dumpable
DUMPABLE_OLD=""
restore_dumpable() {
	local rc=$?
	[ -z "$DUMPABLE_OLD" ] || echo "$DUMPABLE_OLD" >"$DUMPABLE_SYSCTL"
	DUMPABLE_OLD=""
	return $rc
}
trap 'restore_dumpable; it_cleanup' EXIT
if [ -w "$DUMPABLE_SYSCTL" ]; then
	exec {lockfd}>/tmp/eesp-07-suid_dumpable.lock
	flock -w 120 "$lockfd" || fail "cannot take /tmp/eesp-07-suid_dumpable.lock"
	DUMPABLE_OLD=$(cat "$DUMPABLE_SYSCTL")
	echo 1 >"$DUMPABLE_SYSCTL"
	log "fs.suid_dumpable = 1 during start (was $DUMPABLE_OLD)"
else
	log "note: $DUMPABLE_SYSCTL not writable; the dumpable check runs with the host's setting"
fi
daemon_start 1
daemon_start 2
restore_dumpable
[ -z "${lockfd:-}" ] || exec {lockfd}>&-
ping_ok 1 "$(in4 2)" 3

# can this environment make RLIMIT_MEMLOCK unlimited (hard limit unlimited,
# or CAP_SYS_RESOURCE in our effective set)?
can_unlock=0
[ "$(ulimit -H -l)" = unlimited ] && can_unlock=1
capeff_self=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
(((0x$capeff_self >> 24) & 1)) && can_unlock=1

bad=0
declare -A LCK=()
for i in 1 2; do
	pid=${IT_DPID[$i]}
	ntask=0
	for st in /proc/"$pid"/task/*/status; do
		ntask=$((ntask + 1))
		tid=$(basename "$(dirname "$st")")
		uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$st")
		gid=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$st")
		capeff=$(awk '/^CapEff:/ { print $2 }' "$st")
		capprm=$(awk '/^CapPrm:/ { print $2 }' "$st")
		nnp=$(awk '/^NoNewPrivs:/ { print $2 }' "$st")
		sec=$(awk '/^Seccomp:/ { print $2 }' "$st")
		owner=$(stat -c %u "/proc/$pid/task/$tid/environ")
		log "node $i pid $pid task $tid ($(cat /proc/"$pid"/task/"$tid"/comm)): Uid $uid, Gid $gid, CapEff $capeff, CapPrm $capprm, NoNewPrivs $nnp, Seccomp $sec, environ owner $owner"
		for u in $uid; do
			[ "$u" -ne 0 ] || { echo "node $i task $tid: a uid is still 0 ($uid)" >&2; bad=1; }
		done
		[ "$capeff" = 0000000000000000 ] || { echo "node $i task $tid: CapEff $capeff" >&2; bad=1; }
		[ "$nnp" = 1 ] || { echo "node $i task $tid: NoNewPrivs $nnp" >&2; bad=1; }
		# not dumpable: /proc/PID files belong to root, not to the daemon user
		[ "$owner" = 0 ] || { echo "node $i task $tid: dumpable (environ owned by uid $owner)" >&2; bad=1; }
		# sanitizer builds skip the filter (sandbox.h)
		if [ "${EESP_SANITIZER:-}" != asan ]; then
			[ "$sec" = 2 ] || { echo "node $i task $tid: Seccomp $sec, not 2 (filter)" >&2; bad=1; }
		fi
	done
	[ $ntask -ge 3 ] || { echo "node $i: $ntask tasks for pid $pid (main, IV persister, workers)" >&2; bad=1; }
	if [ "${EESP_SANITIZER:-}" = asan ]; then
		grep -q 'sanitizer build: no seccomp filter' "$(node_log "$i")" ||
			{ echo "node $i: sanitizer build without its 'no seccomp filter' log line" >&2; bad=1; }
	fi
	lck=$(awk '/^VmLck:/ { print $2 }' /proc/"$pid"/status)
	LCK[$i]=$lck
	vsz=$(awk '/^VmSize:/ { print $2 }' /proc/"$pid"/status)
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$pid"/status)
	sm=$(stat -c '%a %U:%G' "$(node_sock "$i")")
	log "node $i: VmLck ${lck} kB of VmSize ${vsz} kB (VmRSS ${rss} kB), control socket mode $sm"
	# ASan intercepts mlock() and makes it a no-op, so under
	# tools/check_asan.sh (EESP_SANITIZER=asan) there is nothing to see.
	if [ "${EESP_SANITIZER:-}" != asan ]; then
		[ "${lck:-0}" -gt 0 ] || { echo "node $i: no locked memory (key memory not mlock()ed)" >&2; bad=1; }
		if [ $can_unlock = 1 ]; then
			grep -q "all of eespd's memory is locked" "$(node_log "$i")" ||
				{ echo "node $i: RLIMIT_MEMLOCK can be unlimited but eespd did not lock all memory" >&2; bad=1; }
			# everything but the kernel's own mappings (io_uring rings, vDSO)
			[ $((lck * 100)) -ge $((vsz * 90)) ] ||
				{ echo "node $i: mlockall, yet VmLck $lck kB < 90% of VmSize $vsz kB" >&2; bad=1; }
		else
			grep -q 'MEMORY NOT LOCKED: RLIMIT_MEMLOCK is .*LimitMEMLOCK=infinity' "$(node_log "$i")" ||
				{ echo "node $i: RLIMIT_MEMLOCK cannot be raised, and no warning naming LimitMEMLOCK" >&2; bad=1; }
		fi
	fi
	case ${sm%% *} in
	*0) ;;
	*) echo "node $i: control socket is accessible to other users (mode $sm)" >&2; bad=1 ;;
	esac
done
[ $bad -eq 0 ] || fail "eespd keeps root, capabilities, its dumpable flag or runs without its filter or locked memory"
ping_ok 2 "$(in6 1)" 3

# node 2 again, with seccomp = false (and, when everything cannot be locked
# here, first with lock_memory = "all", which must refuse to start)
daemon_stop 2
conf=$(node_conf 2)
cp "$conf" "$conf.orig"
if [ $can_unlock = 0 ] && [ "${EESP_SANITIZER:-}" != asan ]; then
	sed -i 's|^daemon: {|daemon: {\n  lock_memory = "all";|' "$conf"
	out=$(nsx 2 timeout 60 "$EESPD" -f -c "$conf" 2>&1)
	rc=$?
	log "lock_memory = \"all\": exit $rc: $(tail -1 <<<"$out")"
	[ $rc = 1 ] && grep -q 'lock_memory = "all": RLIMIT_MEMLOCK is .*LimitMEMLOCK=infinity' <<<"$out" ||
		fail "lock_memory = \"all\" with a finite RLIMIT_MEMLOCK: exit $rc, not 1 with a message naming LimitMEMLOCK: $out"
	cp "$conf.orig" "$conf"
fi
sed -i 's|^daemon: {|daemon: {\n  seccomp = false;|' "$conf"
daemon_start 2
grep -q 'warning: seccomp = false: no system call filter' "$(node_log 2)" ||
	fail "seccomp = false is not logged as a warning"
sec=$(awk '/^Seccomp:/ { print $2 }' /proc/"${IT_DPID[2]}"/status)
[ "$sec" = 0 ] || fail "seccomp = false, yet Seccomp $sec"
ping_ok 1 "$(in4 2)" 3

# node 2 once more, without -f: eespd detaches (fork) after the keys are loaded
# and memory locks are not inherited, so they must be locked again in the
# daemon (VmLck as with -f); logging goes to syslog, under the filter
daemon_stop 2
cp "$conf.orig" "$conf"
nsx 2 "$EESPD" -c "$conf" || fail "eespd without -f: exit $?"
pid=""
for k in $(seq 600); do
	pid=$(ctl 2 status 2>/dev/null | sed -n 's/.* pid \([0-9]*\) .*/\1/p')
	[ -n "$pid" ] && break
	sleep 0.1
done
[ -n "$pid" ] || fail "eespd without -f does not answer on its control socket"
IT_DPID[2]=$pid
_floor_passed 2 # a restarted receiver refuses SNs of the second it stopped in
ping_ok 1 "$(in4 2)" 3
daemon_alive 2 || fail "eespd without -f died"
lck=$(awk '/^VmLck:/ { print $2 }' /proc/"$pid"/status)
sec=$(awk '/^Seccomp:/ { print $2 }' /proc/"$pid"/status)
log "node 2 without -f: pid $pid, VmLck $lck kB (with -f: ${LCK[2]} kB), Seccomp $sec"
if [ "${EESP_SANITIZER:-}" != asan ]; then
	[ "$sec" = 2 ] || fail "eespd without -f: Seccomp $sec, not 2"
	[ $((lck * 10)) -ge $((LCK[2] * 9)) ] ||
		fail "eespd without -f: VmLck $lck kB, below the ${LCK[2]} kB with -f (keys not locked again after the fork)"
fi
log "PASS"
