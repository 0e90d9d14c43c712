#!/usr/bin/env bash
# 20: conf/eespd.service passes `systemd-analyze verify` (with ExecStart
# pointed at the built eespd, since nothing is installed in CI) and carries
# the hardening that issue 8 asks for, and a runtime directory (the control
# socket's) that is root-owned (no User=: the service starts as root) and not
# group- or world-writable (issue 14).  It never starts a service.
#
# One configuration path everywhere (issue 17, item 5): the unit's ExecStart
# reads eespd's default configuration, /etc/eespd/eespd.conf (eespd --help,
# eespd(8)), and no file of README, man/ or conf/ names /etc/eesp/.  As
# root, the ExecStart line of the unit that `make install` writes is run
# with -t, as systemd would run it (its bounding set, Group=, UMask=,
# NoNewPrivileges=), against an installed example at that path; in a
# private mount namespace whose /etc, /usr and /var are overlays, so the
# host's own files are never touched.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
unit=conf/eespd.service
fail() { echo "FAIL: 20_service_unit: $*" >&2; exit 1; }
[ -f "$unit" ] || fail "$unit missing"

# the settings that must be there (each one a line of the unit)
for want in 'Type=notify' 'ExecStart=/usr/local/sbin/eespd -f -c /etc/eespd/eespd.conf' \
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

# one configuration path: the unit's -c is eespd's default and the man page's
unit_conf=$(sed -n 's/^ExecStart=.* -c \([^ ]*\).*/\1/p' "$unit")
[ "$unit_conf" = /etc/eespd/eespd.conf ] ||
	fail "ExecStart reads '$unit_conf', not eespd's default /etc/eespd/eespd.conf"
grep -qx '\.Pa /etc/eespd/eespd\.conf \.' man/eespd.8 || fail "eespd(8) does not name /etc/eespd/eespd.conf as the default"
old=$(grep -rn '/etc/eesp/' README.md man conf 2>/dev/null)
[ -z "$old" ] || fail "the old configuration path /etc/eesp/ is still named: $old"

[ -x "$B/eespd" ] || { echo "SKIP: 20_service_unit: $B/eespd not built (make)"; exit 77; }
"$B/eespd" --help 2>&1 | grep -q "default $unit_conf)" ||
	fail "eespd --help does not give $unit_conf as the default configuration"
tmp=$(mktemp -d /tmp/eesp-20.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# run_installed_unit: the ExecStart line of the installed unit, with -t
run_installed_unit() {
	local D=$tmp/root u exec caps group umask_ nnp
	if ! make -s install DESTDIR="$D" PREFIX=/usr B="$B" >"$tmp/install.log" 2>&1; then
		cat "$tmp/install.log" >&2
		fail "make install DESTDIR=$D PREFIX=/usr failed"
	fi
	u=$D/usr/lib/systemd/system/eespd.service
	[ -f "$u" ] || fail "make install wrote no $u"
	exec=$(sed -n 's/^ExecStart=[-@!+:]*//p' "$u")
	[ -n "$exec" ] || fail "$u: no ExecStart"
	case $exec in *[\"\'\$\\]*) fail "$u: ExecStart needs systemd's quoting rules, which this test does not parse: $exec" ;; esac
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$u" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
	group=$(sed -n 's/^Group=//p' "$u")
	umask_=$(sed -n 's/^UMask=//p' "$u")
	nnp=
	grep -qx 'NoNewPrivileges=yes' "$u" && nnp=--no-new-privs
	cat >"$tmp/inner.sh" <<INNER
set -eu
for d in etc var; do
	mkdir -p $tmp/ovl/\$d/up $tmp/ovl/\$d/work
	mount -t overlay overlay -o lowerdir=/\$d,upperdir=$tmp/ovl/\$d/up,workdir=$tmp/ovl/\$d/work /\$d
done
# /usr: the installed tree over the host's, read-only
mount -t overlay overlay -o lowerdir=$D/usr:/usr /usr
id -u eesp >/dev/null 2>&1 || useradd --system -l --no-create-home --shell /usr/sbin/nologin eesp
# before the configuration exists at the unit's path, the line must fail
if $exec -t >$tmp/absent.out 2>&1; then echo "ExecStart -t succeeded before /etc/eespd/eespd.conf existed"; exit 1; fi
install -d -m 0755 /etc/eespd /etc/eespd/keys
cp /usr/share/eesp/conf/examples/two-node/alpha.conf /etc/eespd/eespd.conf
/usr/bin/eespctl domain create /etc/eespd/tunnel --id 0x7E570001 --profile node --node 1 >/dev/null
install -m 0600 -o eesp /etc/eespd/tunnel/domain.keys /etc/eespd/keys/tunnel.keys
(umask $umask_; exec setpriv --bounding-set=-all,$caps --inh-caps=-all --regid=$group --clear-groups $nnp -- $exec -t)
INNER
	unshare --mount --propagation private bash "$tmp/inner.sh" >"$tmp/run.out" 2>&1
}

if [ "$(id -u)" -ne 0 ]; then
	echo "note: 20_service_unit: not root, the installed unit's ExecStart is not run"
elif ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null; then
	echo "note: 20_service_unit: unshare/setpriv (util-linux) missing, ExecStart not run"
else
	if ! run_installed_unit; then
		cat "$tmp/run.out" >&2
		fail "the installed unit's ExecStart line with -t failed"
	fi
	grep -q '^/etc/eespd/eespd.conf: configuration OK' "$tmp/run.out" ||
		fail "ExecStart -t did not check /etc/eespd/eespd.conf: $(cat "$tmp/run.out")"
	echo "ok: the installed unit's ExecStart -t: $(cat "$tmp/run.out")"
fi

command -v systemd-analyze >/dev/null 2>&1 || {
	echo "SKIP: 20_service_unit: systemd-analyze not installed (static checks passed)"
	exit 77
}
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
