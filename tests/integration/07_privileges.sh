#!/usr/bin/env bash
# 07: after start (and after it has carried traffic), every thread of eespd
# runs with a non-root uid (real, effective, saved, fs) and an empty
# effective capability set.  Also: key memory is locked (VmLck > 0) and the
# control socket is not accessible to other users (no "other" mode bits).
. "$(dirname "$0")/lib.sh"
it_init
net_create 2
keys_eesp
conf_eesp 1 "2"
conf_eesp 2 "1"
sed -i 's/workers = 1;/workers = 2;/' "$(node_conf 1)"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 3
bad=0
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
		log "node $i pid $pid task $tid ($(cat /proc/"$pid"/task/"$tid"/comm)): Uid $uid, Gid $gid, CapEff $capeff, CapPrm $capprm"
		for u in $uid; do
			[ "$u" -ne 0 ] || { echo "node $i task $tid: a uid is still 0 ($uid)" >&2; bad=1; }
		done
		[ "$capeff" = 0000000000000000 ] || { echo "node $i task $tid: CapEff $capeff" >&2; bad=1; }
	done
	[ $ntask -ge 1 ] || { echo "node $i: no tasks found for pid $pid" >&2; bad=1; }
	lck=$(awk '/^VmLck:/ { print $2 }' /proc/"$pid"/status)
	sm=$(stat -c '%a %U:%G' "$(node_sock "$i")")
	log "node $i: VmLck ${lck} kB, control socket mode $sm"
	# ASan intercepts mlock() and makes it a no-op, so under
	# tools/check_asan.sh (EESP_SANITIZER=asan) there is nothing to see.
	if [ "${EESP_SANITIZER:-}" != asan ]; then
		[ "${lck:-0}" -gt 0 ] || { echo "node $i: no locked memory (key memory not mlock()ed)" >&2; bad=1; }
	fi
	case ${sm%% *} in
	*0) ;;
	*) echo "node $i: control socket is accessible to other users (mode $sm)" >&2; bad=1 ;;
	esac
done
[ $bad -eq 0 ] || fail "eespd keeps root or capabilities after start"
ping_ok 2 "$(in6 1)" 3
log "PASS"
