#!/usr/bin/env bash
# 20: conf/eespd.service passes `systemd-analyze verify` (with ExecStart
# pointed at the built eespd, since nothing is installed in CI) and carries
# the hardening that issue 8 asks for, and a runtime directory (the control
# socket's) that is root-owned (no User=: the service starts as root) and not
# group- or world-writable (issue 14).  It never starts a service.
set -uo pipefail
B=${B:-build}
unit=conf/eespd.service
fail() { echo "FAIL: 20_service_unit: $*" >&2; exit 1; }
[ -f "$unit" ] || fail "$unit missing"

# the settings that must be there (each one a line of the unit)
for want in 'Type=notify' 'ExecStart=/usr/local/sbin/eespd -f -c /etc/eesp/eespd.conf' \
	'ExecReload=/bin/kill -HUP $MAINPID' 'NoNewPrivileges=yes' 'AmbientCapabilities=' \
	'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'RuntimeDirectory=eespd' \
	'RuntimeDirectoryMode=0750' \
	'DeviceAllow=/dev/net/tun rw' 'Group=eesp' \
	'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK' \
	'ReadWritePaths=/var/lib/eespd /run/eespd'; do
	grep -qxF -- "$want" "$unit" || fail "missing line: $want"
done
# the bounding set holds start-up capabilities only, never the big ones
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
[ -n "$caps" ] || fail "no CapabilityBoundingSet"
for c in $caps; do
	case $c in
	CAP_NET_ADMIN | CAP_NET_BIND_SERVICE | CAP_SETUID | CAP_SETGID | CAP_SETPCAP | \
		CAP_CHOWN | CAP_DAC_READ_SEARCH | CAP_IPC_LOCK) ;;
	*) fail "capability $c in the bounding set" ;;
	esac
done
# the control socket's directory is root's and writable by nobody else
# (eespd refuses it otherwise, issue 14): no group/other write bit
rmode=$(sed -n 's/^RuntimeDirectoryMode=//p' "$unit")
[ -n "$rmode" ] && [ $((8#$rmode & 8#022)) -eq 0 ] ||
	fail "RuntimeDirectoryMode=$rmode: the socket directory must not be group- or world-writable"
grep -q '^User=' "$unit" && fail "User= set: eespd must start as root and drop privileges itself"
# the state directory is the daemon user's alone (tmpfiles.d), never
# StateDirectory=, which a unit without User= would hand to root
grep -q '^StateDirectory' "$unit" && fail "StateDirectory= would make /var/lib/eespd root's; eespd refuses that"
grep -qx 'd /var/lib/eespd 0700 eesp eesp -' conf/eespd.tmpfiles || fail "conf/eespd.tmpfiles does not make /var/lib/eespd 0700 eesp:eesp"
# ExecStart path matches the install layout (PREFIX=/usr/local, sbin)
grep -q '^PREFIX ?= /usr/local' Makefile || fail "Makefile PREFIX is not /usr/local; update the unit"

command -v systemd-analyze >/dev/null 2>&1 || {
	echo "SKIP: 20_service_unit: systemd-analyze not installed (static checks passed)"
	exit 77
}
[ -x "$B/eespd" ] || { echo "SKIP: 20_service_unit: $B/eespd not built (make)"; exit 77; }
tmp=$(mktemp -d /tmp/eesp-20.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
sed "s|^ExecStart=/usr/local/sbin/eespd|ExecStart=$PWD/$B/eespd|" "$unit" >"$tmp/eespd.service"
# the Documentation= man pages come from the tree
out=$(MANPATH="$PWD/man:" SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$tmp/eespd.service" 2>&1)
rc=$?
printf '%s\n' "$out"
# only messages about this unit count (the host's other units may be odd)
bad=$(grep -a 'eespd.service' <<<"$out" | grep -v -i 'man\b.*failed' || true)
if [ $rc -ne 0 ] || [ -n "$bad" ]; then
	# man lookups fail on hosts without man-db; nothing else may
	[ -z "$bad" ] || fail "systemd-analyze verify: $bad"
	grep -aq 'eespd.service' <<<"$out" || [ $rc -eq 0 ] ||
		fail "systemd-analyze verify exit $rc"
fi
echo "PASS: 20_service_unit (systemd-analyze verify clean)"
