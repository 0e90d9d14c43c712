#!/usr/bin/env bash
# tests/pkg/40_deb.sh - the Debian packages (issue 17): `make deb` builds
# eesp and wireshark-eesp into build/deb/ (nothing beside the clone), lintian
# reports no error and no warning (overrides carry a reason), and then, on
# this machine, in a private mount namespace whose /etc, /usr, /var and /run
# are overlays (the host's files and package database are never touched):
#   - dpkg -i installs both; the system user eesp exists (sysusers.d), the
#     directories /var/lib/eespd (0700 eesp:eesp) and /run/eespd (0750
#     root:eesp) exist (tmpfiles.d);
#   - the installed eespd -t accepts an installed example
#     (examples/two-node/alpha.conf with a key made by the installed
#     eespctl);
#   - the installed unit's ExecStart line (read from the unit file, run as
#     systemd would: its bounding set, Group=, UMask=, NoNewPrivileges=) with
#     -t accepts that example at /etc/eespd/eespd.conf;
#   - the bash completion registers, man finds the pages, and tshark loads
#     the plugin from Wireshark's global plugin folder;
#   - no demo key is in the packages;
#   - dpkg --purge leaves nothing: no file of either package, no
#     /var/lib/eespd, /run/eespd or /etc/eespd, no path naming eesp in the
#     overlays (the user eesp stays: Debian does not remove system users).
# Root only (exit 77 otherwise).  Exit 0 pass, 77 skip, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
skip() { echo "SKIP: 40_deb: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i in a private mount namespace)"
for c in dpkg-buildpackage dh lintian unshare setpriv systemd-sysusers systemd-tmpfiles; do
	command -v "$c" >/dev/null || skip "$c not installed (make deps)"
done
for p in eesp wireshark-eesp; do
	if dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^[ih]'; then
		skip "package $p is installed on this machine; not testing over it"
	fi
done

T=$(mktemp -d /tmp/eesp-40_deb.XXXXXX) || exit 1
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
chmod 0755 "$T" # the daemon user reads the example's key file below it
FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

# --------------------------------------------------------------- build --
parent=$(dirname "$PWD")
touch "$T/stamp"
if ! make -s deb B="$B" >"$T/deb.log" 2>&1; then
	tail -40 "$T/deb.log"
	echo "FAIL: make deb failed (log above)"
	exit 1
fi
D=$B/deb
deb_eesp=$(ls "$D"/eesp_*.deb 2>/dev/null | head -1)
deb_ws=$(ls "$D"/wireshark-eesp_*.deb 2>/dev/null | head -1)
changes=$(ls "$D"/*.changes 2>/dev/null | head -1)
[ -f "$deb_eesp" ] || { echo "FAIL: no $D/eesp_*.deb"; exit 1; }
[ -f "$deb_ws" ] || { echo "FAIL: no $D/wireshark-eesp_*.deb"; exit 1; }
[ -f "$changes" ] || fail "no $D/*.changes"
litter=$(find "$parent" -maxdepth 1 -newer "$T/stamp" \( -name '*.deb' -o -name '*.changes' -o -name '*.buildinfo' \) 2>/dev/null)
[ -z "$litter" ] || fail "make deb wrote beside the clone: $litter"
echo "built: $(cd "$D" && ls ./*.deb | tr '\n' ' ')"

# ------------------------------------------------------------- lintian --
lintian --fail-on error,warning --display-info --pedantic --show-overrides "$changes" >"$T/lintian.out" 2>"$T/lintian.err"
rc=$?
summary=$(grep -oE '^[EWIPXO]:' "$T/lintian.out" | sort | uniq -c | tr -s ' \n' ' ')
echo "lintian: exit $rc; tags: ${summary:-none}"
[ $rc -eq 0 ] || { cat "$T/lintian.out" "$T/lintian.err"; fail "lintian exit $rc"; }
grep -E '^[EW]:' "$T/lintian.out" && fail "lintian errors or warnings (above)"
# every override has a reason: a comment right above it
for o in debian/*.lintian-overrides debian/source/lintian-overrides; do
	[ -f "$o" ] || continue
	awk -v f="$o" '/^[^#[:space:]]/ && prev !~ /^#/ { print "FAIL: " f ":" NR ": override without a reason: " $0; bad = 1 }
		{ prev = $0 } END { exit bad }' "$o" || FAILS=$((FAILS + 1))
done

# ------------------------------------------------------------ contents --
dpkg-deb -c "$deb_eesp" | awk '{print $6}' | sed 's#^\./##; s#/$##' | sed '/^$/d' >"$T/files.eesp"
dpkg-deb -c "$deb_ws" | awk '{print $6}' | sed 's#^\./##; s#/$##' | sed '/^$/d' >"$T/files.ws"
for f in usr/sbin/eespd usr/bin/eespctl usr/share/man/man5/eespd.conf.5.gz usr/share/man/man7/eesp.7.gz \
	usr/share/man/man8/eespd.8.gz usr/share/man/man8/eespctl.8.gz lib/systemd/system/eespd.service \
	usr/lib/sysusers.d/eespd.conf usr/lib/tmpfiles.d/eespd.conf \
	usr/share/bash-completion/completions/eespctl usr/share/doc/eesp/copyright \
	usr/share/doc/eesp/examples/README.md usr/share/doc/eesp/examples/two-node/alpha.conf; do
	grep -qx "$f" "$T/files.eesp" || fail "eesp does not hold $f"
done
plugindir=$(pkg-config --variable=plugindir wireshark 2>/dev/null)
[ -n "$plugindir" ] || plugindir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/wireshark/plugins/4.0
grep -qx "${plugindir#/}/epan/eesp.so" "$T/files.ws" || fail "wireshark-eesp does not hold ${plugindir#/}/epan/eesp.so"
grep -E '\.keys$' "$T/files.eesp" "$T/files.ws" && fail "a key file is packaged (above)"
mkdir "$T/x" && dpkg-deb -x "$deb_eesp" "$T/x" && dpkg-deb -x "$deb_ws" "$T/x"
for k in conf/keys/*.keys; do
	while read -r key; do
		grep -rqF "$key" "$T/x" && fail "demo key of $k is in a package"
	done < <(grep -oE '\b[0-9a-f]{64}\b' "$k")
done

# ---------------------------------------------------- install, purge --
existed_user=no
id -u eesp >/dev/null 2>&1 && existed_user=yes
cat "$T/files.eesp" "$T/files.ws" | sort -u >"$T/files.all"
cp "$deb_eesp" "$deb_ws" "$T/"
cat >"$T/inner.sh" <<'INNER'
set -u
T=$1 PLUGINDIR=$2
bad=0
no() { echo "FAIL: $*"; bad=1; }
for d in etc usr var run; do
	mkdir -p "$T/ovl/$d/up" "$T/ovl/$d/work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ovl/$d/up,workdir=$T/ovl/$d/work" "/$d" ||
		{ echo "SKIP: cannot mount an overlay on /$d"; exit 77; }
done
# what existed before (directories the packages share with others)
while read -r f; do [ -e "/$f" ] && echo "$f"; done <"$T/files.all" >"$T/before"

dpkg -i "$T"/eesp_*.deb "$T"/wireshark-eesp_*.deb >"$T/dpkg-i.log" 2>&1 || { cat "$T/dpkg-i.log"; no "dpkg -i failed"; exit 1; }
pw=$(getent passwd eesp) || no "no user eesp after dpkg -i"
IFS=: read -r _ _ uid _ _ home shell <<<"$pw"
[ "${uid:-1000}" -lt 1000 ] || no "eesp is not a system user: $pw"
case $shell in */nologin | */false) ;; *) no "eesp has a login shell: $pw" ;; esac
getent group eesp >/dev/null || no "no group eesp"
[ "$(stat -c '%a %U %G' /var/lib/eespd 2>&1)" = "700 eesp eesp" ] ||
	no "/var/lib/eespd: $(stat -c '%a %U %G' /var/lib/eespd 2>&1), want 700 eesp eesp"
[ "$(stat -c '%a %U %G' /run/eespd 2>&1)" = "750 root eesp" ] ||
	no "/run/eespd: $(stat -c '%a %U %G' /run/eespd 2>&1), want 750 root eesp"

# an installed example with a generated key
ex=$T/ex
install -d -m 0755 "$ex" "$ex/keys"
cp /usr/share/doc/eesp/examples/two-node/alpha.conf "$ex/eespd.conf"
/usr/bin/eespctl domain create "$ex/tunnel" --id 0x7E570001 --profile node --node 1 >/dev/null ||
	no "installed eespctl domain create failed"
install -m 0600 -o eesp "$ex/tunnel/domain.keys" "$ex/keys/tunnel.keys"
out=$(/usr/sbin/eespd -t -c "$ex/eespd.conf" 2>&1) || no "installed eespd -t on the example: $out"
grep -q 'configuration OK' <<<"$out" || no "eespd -t: $out"
echo "example: $out"

# the installed unit's ExecStart line, with -t, at the unit's own path
u=/lib/systemd/system/eespd.service
exec_line=$(sed -n 's/^ExecStart=[-@!+:]*//p' "$u")
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$u" | tr '[:upper:]' '[:lower:]' | sed 's/cap_/+/g; s/ /,/g')
group=$(sed -n 's/^Group=//p' "$u")
um=$(sed -n 's/^UMask=//p' "$u")
nnp=
grep -qx 'NoNewPrivileges=yes' "$u" && nnp=--no-new-privs
conf=$(sed -n 's/.* -c \([^ ]*\).*/\1/p' <<<"$exec_line")
[ "$conf" = /etc/eespd/eespd.conf ] || no "the unit reads '$conf', not /etc/eespd/eespd.conf"
[ -d /etc/eespd ] || no "the package made no /etc/eespd"
cp "$ex/eespd.conf" /etc/eespd/eespd.conf
install -d -m 0755 /etc/eespd/keys
install -m 0600 -o eesp "$ex/keys/tunnel.keys" /etc/eespd/keys/tunnel.keys
# shellcheck disable=SC2086
out=$(umask "$um" && setpriv --bounding-set="-all,$caps" --inh-caps=-all --regid="$group" --clear-groups $nnp -- $exec_line -t 2>&1) ||
	no "the unit's ExecStart ($exec_line) with -t: $out"
grep -q '^/etc/eespd/eespd.conf: configuration OK' <<<"$out" || no "ExecStart -t: $out"
echo "unit: $exec_line -t: $out"

# completion, man pages, the plugin
bash -c '. /usr/share/bash-completion/completions/eespctl && complete -p eespctl' >/dev/null 2>&1 ||
	no "the installed completion registers nothing for eespctl"
man -w eespd 2>/dev/null | grep -q '^/usr/share/man/man8/eespd.8' || no "man -w eespd: $(man -w eespd 2>&1)"
plugins=$(tshark -G plugins 2>/dev/null)
grep -q "$PLUGINDIR/epan/eesp.so" <<<"$plugins" ||
	no "tshark does not load $PLUGINDIR/epan/eesp.so: $(grep -i eesp <<<"$plugins")"

# the administrator's files go first (purge leaves them otherwise), then purge
rm -rf /etc/eespd/eespd.conf /etc/eespd/keys /etc/eespd/tunnel
dpkg --purge eesp wireshark-eesp >"$T/dpkg-purge.log" 2>&1 || { cat "$T/dpkg-purge.log"; no "dpkg --purge failed"; }
st=$(dpkg-query -W -f='${db:Status-Abbrev}' eesp wireshark-eesp 2>/dev/null)
case $st in *[ihrc]*) no "after purge the packages are still known to dpkg: $st" ;; esac
while read -r f; do
	grep -qx "$f" "$T/before" && continue
	[ -e "/$f" ] || [ -L "/$f" ] && no "left after purge: /$f"
done <"$T/files.all"
for d in /var/lib/eespd /run/eespd /etc/eespd; do
	[ -e "$d" ] && no "left after purge: $d"
done
left=$(cd "$T/ovl" && find . -path '*eesp*' ! -path './*/work/*' | head -20)
[ -z "$left" ] || no "left after purge (overlay upper layers): $left"
getent passwd eesp >/dev/null || no "the user eesp was removed (Debian keeps system users)"
exit $bad
INNER
unshare --mount --propagation private bash "$T/inner.sh" "$T" "$plugindir" >"$T/inner.out" 2>&1
rc=$?
cat "$T/inner.out"
[ $rc -eq 77 ] && skip "$(tail -1 "$T/inner.out")"
[ $rc -eq 0 ] || fail "install/purge checks (above)"
if [ $existed_user = no ] && id -u eesp >/dev/null 2>&1; then
	fail "the user eesp appeared on the host: the namespace leaked"
fi
[ -e /etc/eespd ] && [ ! -e "$T/ovl/etc/up/eespd" ] && echo "note: /etc/eespd exists on the host (not from this test)"

if [ $FAILS -ne 0 ]; then
	echo "40_deb: $FAILS checks failed"
	exit 1
fi
echo "PASS: 40_deb (make deb, lintian clean, dpkg -i, eespd -t, ExecStart -t, dpkg --purge leaves nothing)"
