#!/usr/bin/env bash
# tests/docs/30_install.sh - `make install` / `make uninstall` into a DESTDIR.
#
#   make install DESTDIR=$tmp PREFIX=/usr
#     - eespd and eesp-iked in usr/sbin, eespctl in usr/bin, every man/*.{5,7,8} page in
#       usr/share/man/man{5,7,8}, every sample file of conf/ under
#       usr/share/eesp/conf (key files mode 0600), nothing under etc/;
#     - eespctl's bash completion in usr/share/bash-completion/completions,
#       registering a completion for eespctl when sourced;
#     - the systemd unit (if conf/eespd.service exists) in
#       usr/lib/systemd/system with ExecStart=/usr/sbin/eespd, its
#       tmpfiles.d entry (/var/lib/eespd, /run/eespd) and sysusers.d entry
#       (the user eesp);
#     - the Wireshark plugin eesp.so (if the Wireshark dev files exist);
#     - the installed eespctl runs (--help lists its subcommands) and the
#       installed man pages render with man -l;
#   make uninstall DESTDIR=$tmp PREFIX=/usr leaves no file behind.
# Exit 0 pass, 77 skip, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
if [ ! -x "$B/eespd" ] || [ ! -x "$B/eespctl" ] || [ ! -x "$B/eesp-iked" ]; then echo "SKIP: $B/eespd, $B/eespctl or $B/eesp-iked not built (make)"; exit 77; fi
command -v make >/dev/null || { echo "SKIP: make missing"; exit 77; }

T=$(mktemp -d /tmp/eesp-30_install.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
D=$T/root
bad=0
fail() { echo "FAIL: $*"; bad=1; }

if ! make -s install DESTDIR="$D" PREFIX=/usr B="$B" >"$T/install.log" 2>&1; then
	cat "$T/install.log"
	echo "FAIL: make install exited non-zero"
	exit 1
fi
(cd "$D" && find . -type f -o -type l | sed 's#^\./##' | sort) >"$T/files"
echo "installed $(wc -l <"$T/files") files"

expect() { # expect PATH [MODE]
	if [ ! -f "$D/$1" ]; then
		fail "missing $1"
	elif [ -n "${2:-}" ] && [ "$(stat -c %a "$D/$1")" != "$2" ]; then
		fail "$1 has mode $(stat -c %a "$D/$1"), want $2"
	fi
}
expect usr/sbin/eespd 755
expect usr/sbin/eesp-iked 755
expect usr/lib/sysusers.d/eesp-iked.conf 644
grep -q '^u eesp-iked ' "$D/usr/lib/sysusers.d/eesp-iked.conf" 2>/dev/null ||
	fail "sysusers.d entry does not create the user eesp-iked"
expect usr/bin/eespctl 755
n=0
for m in man/*.5 man/*.7 man/*.8; do
	[ -e "$m" ] || continue
	expect "usr/share/man/man${m##*.}/${m#man/}" 644
	cmp -s "$m" "$D/usr/share/man/man${m##*.}/${m#man/}" || fail "installed ${m#man/} differs from $m"
	n=$((n + 1))
done
[ $n -ge 4 ] || fail "only $n man pages in man/"
cmp -s "$B/eespd" "$D/usr/sbin/eespd" || fail "installed eespd differs from $B/eespd"
bc=usr/share/bash-completion/completions/eespctl
expect $bc 644
cmp -s completion/eespctl.bash "$D/$bc" || fail "installed $bc differs from completion/eespctl.bash"
# shellcheck disable=SC1090
(. "$D/$bc" && complete -p eespctl) >/dev/null 2>&1 || fail "sourcing $bc registers no completion for eespctl"
while IFS= read -r f; do
	case $f in */eespd.service) continue ;; esac
	# key files 0600, the example scripts (conf/examples/keydir) 0755
	if [ -x "$f" ]; then
		expect "usr/share/eesp/$f" 755
	else
		case $f in *.keys) expect "usr/share/eesp/$f" 600 ;; *) expect "usr/share/eesp/$f" 644 ;; esac
	fi
done < <(find conf -type f ! -name '*~' | sort)
grep -q '^etc/' "$T/files" && fail "install wrote under /etc: $(grep '^etc/' "$T/files" | tr '\n' ' ')"
if [ -e conf/eespd.service ]; then
	u=usr/lib/systemd/system/eespd.service
	expect $u 644
	grep -q '^ExecStart=[-@!+:]*/usr/sbin/eespd\( \|$\)' "$D/$u" ||
		fail "$u: ExecStart does not run /usr/sbin/eespd: $(grep ExecStart "$D/$u")"
	grep -E '^Exec' "$D/$u" | grep -E '/usr/local/' && fail "$u still names /usr/local"
	expect usr/lib/tmpfiles.d/eespd.conf 644
	grep -qx 'd /var/lib/eespd 0700 eesp eesp -' "$D/usr/lib/tmpfiles.d/eespd.conf" ||
		fail "tmpfiles.d entry does not make /var/lib/eespd 0700 eesp:eesp"
	grep -qx 'd /run/eespd 0750 root eesp -' "$D/usr/lib/tmpfiles.d/eespd.conf" ||
		fail "tmpfiles.d entry does not make /run/eespd 0750 root:eesp"
	expect usr/lib/sysusers.d/eespd.conf 644
	grep -q '^u eesp ' "$D/usr/lib/sysusers.d/eespd.conf" || fail "sysusers.d entry does not create the user eesp"

else
	echo "note: conf/eespd.service not present, unit not checked"
fi
if pkg-config --exists wireshark 2>/dev/null; then
	pd=$(pkg-config --variable=plugindir wireshark)
	expect "${pd#/}/epan/eesp.so"
else
	echo "note: no Wireshark development files, plugin not checked"
fi
# nothing unexpected: every installed file is one of the above
unexpected=$(grep -vE '^usr/(sbin/eespd|sbin/eesp-iked|bin/eespctl|share/bash-completion/completions/eespctl|share/man/man[578]/[^/]+|share/eesp/conf/.+|lib/systemd/system/eespd.service|lib/tmpfiles.d/eespd.conf|lib/sysusers.d/eespd.conf|lib/sysusers.d/eesp-iked.conf|lib/.*/wireshark/plugins/.*/epan/eesp.so)$' "$T/files")
[ -z "$unexpected" ] || fail "unexpected installed files: $(tr '\n' ' ' <<<"$unexpected")"

# the installed programs run
h=$("$D/usr/bin/eespctl" --help 2>&1) || fail "installed eespctl --help exited non-zero"
for c in genkey domain rotate derive show; do
	grep -q "^ *$c " <<<"$h" || fail "installed eespctl --help does not list $c"
done
"$D/usr/sbin/eespd" --version >/dev/null 2>&1 || fail "installed eespd --version failed"
"$D/usr/sbin/eesp-iked" --version >/dev/null 2>&1 || fail "installed eesp-iked --version failed"
cmp -s "$B/eesp-iked" "$D/usr/sbin/eesp-iked" || fail "installed eesp-iked differs from $B/eesp-iked"
if command -v man >/dev/null; then
	out=$(MANWIDTH=80 man -l "$D/usr/share/man/man8/eespctl.8" 2>/dev/null | grep -c genkey)
	[ "${out:-0}" -gt 0 ] || fail "installed eespctl.8 does not render"
fi

# uninstall leaves nothing
if ! make -s uninstall DESTDIR="$D" PREFIX=/usr B="$B" >"$T/uninstall.log" 2>&1; then
	cat "$T/uninstall.log"
	fail "make uninstall exited non-zero"
fi
left=$(cd "$D" && find . -type f -o -type l)
[ -z "$left" ] || fail "files left after make uninstall: $(tr '\n' ' ' <<<"$left")"
[ -d "$D/usr/share/eesp" ] && fail "usr/share/eesp left after make uninstall"

[ $bad -eq 0 ] && echo "PASS: install/uninstall ($(wc -l <"$T/files") files)"
exit $bad
