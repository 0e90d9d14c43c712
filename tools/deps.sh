#!/usr/bin/env bash
# Install the Debian packages given as arguments that are not installed yet.
# Non-interactive; does nothing (and needs no network) when all are present.
set -euo pipefail
missing=()
for p in "$@"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && { echo "deps: all ${#@} packages present"; exit 0; }
echo "deps: installing ${missing[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
# strongSwan's packages would start a system-wide charon listening on UDP
# 500/4500 in the root namespace; the tests start their own, inside network
# namespaces (tests/tools/ike_fixture.sh).  prometheus is wanted for its
# promtool only (tests/integration/27_metrics.sh); its package would start
# a Prometheus server on TCP 9090.  etcd-server would start a system etcd on
# TCP 2379/2380; tests/integration/54_key_dir_writers.sh starts its own in a
# namespace.  Keep those services down: a policy-rc.d for the install
# (unless one is there already), a systemd mask where systemd runs, and
# etcd's SysV links disabled after the install (its postinst enables them).
block_services() {
	local p units=() swan=0
	for p in "${missing[@]}"; do
		case $p in
		charon-systemd | strongswan*) swan=1 ;;
		prometheus) units+=(prometheus.service) ;;
		etcd-server) units+=(etcd.service) ;;
		esac
	done
	[ $swan = 0 ] || units+=(strongswan.service strongswan-starter.service)
	[ ${#units[@]} -gt 0 ] || return 0
	if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
		$SUDO systemctl mask "${units[@]}" >/dev/null
	fi
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# tools/deps.sh: no service starts during this install\nexit 101\n' |
			$SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod 0755 /usr/sbin/policy-rc.d
		trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
	fi
}
# after the install: no SysV start at boot either (machines without systemd)
keep_services_down() {
	case " ${missing[*]} " in
	*" etcd-server "*)
		[ ! -x /etc/init.d/etcd ] || $SUDO update-rc.d etcd disable >/dev/null 2>&1 || true
		;;
	esac
}
block_services
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
keep_services_down
