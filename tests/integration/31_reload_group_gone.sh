#!/usr/bin/env bash
# 31: a reload that names a group which no longer exists fails with an
# error and leaves eespd running.  Needs root.  eespd runs with
# control_group = eesptctl31 and admin_group = eesptadm31 (groups the test
# creates and removes); then eesptadm31 is deleted and eespd reloaded:
#   - the reload answers "error" naming admin_group, the daemon still
#     answers status and carries a ping;
#   - with nsswitch.conf's "group: files systemd" and libnss-systemd
#     installed (make deps installs it), the lookup that misses in
#     /etc/group goes on to the systemd module: before the fix, glibc first
#     loaded that module after start-up, its mmap(PROT_EXEC) hit the
#     seccomp filter and the kernel killed eespd (SIGSYS) on the reload.
. "$(dirname "$0")/lib.sh"
it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
require_cmd groupadd groupdel getent
if ! grep -Eq '^group:.*systemd' /etc/nsswitch.conf; then
	log "note: /etc/nsswitch.conf names no systemd module for groups; the reload is checked all the same"
fi
it_group eesptctl31
it_group eesptadm31
net_create 2
keys_eesp
IT_CONF_DAEMON_EXTRA='  control_group = "eesptctl31";
  admin_group = "eesptadm31";'
conf_eesp 1 "2"
IT_CONF_DAEMON_EXTRA=
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 2

groupdel eesptadm31 || fail "groupdel eesptadm31"
out=$(ctl 1 reload)
log "reload after groupdel: $(head -1 <<<"$out")"
daemon_alive 1 || fail "eespd node 1 died on the reload (log: $(tail -n 3 "$(node_log 1)" | tr '\n' ' '))"
grep -q "^error .*admin_group" <<<"$out" || fail "reload did not fail naming admin_group: $out"
ctl 1 status >/dev/null || fail "status after the failed reload"
ping_ok 1 "$(in4 2)" 2
# the group again: the reload goes through
groupadd --system eesptadm31 || fail "groupadd eesptadm31"
out=$(ctl 1 reload)
[ "$(head -1 <<<"$out")" = ok ] || fail "reload with the group back: $out"
for i in 1 2; do daemon_alive "$i" || fail "eespd node $i died"; done
log "PASS"
