#!/usr/bin/env bash
# 08: every example of `eespctl <cmd> --help` and of man/eespctl.8 runs as
# written (in a scratch directory; the daemon's sockets are a stand-in that
# speaks ctlproto.h), and the man page lints clean.
. "$(dirname "$0")/lib.sh"

V=$(dirname "$0")/../data/psp-public # the public PSP reference pcaps (google/psp)
K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
mkdir "$TMP/bin"
# the examples' eespctl; `domain create` hands its files to us, the user the
# stand-in daemon says it runs as (as root it would give them to an eesp
# user where one exists, and key add/rotate -s would then rightly refuse:
# eespd could not read them through this test's 0700 directory)
cat >"$TMP/bin/eespctl" <<EOF
#!/bin/sh
if [ "\$1 \$2" = "domain create" ]; then exec "$(realpath "$E")" "\$@" --user "$(id -un)"; fi
exec "$(realpath "$E")" "\$@"
EOF
chmod +x "$TMP/bin/eespctl"
standin_start "$TMP/ctl.sock" "$TMP/requests"

setup() { # a scratch directory with clear.pcap
	W=$1
	mkdir -p "$W"
	if [ -f "$V/psp_v4_cleartext.pcap" ]; then
		cp "$V/psp_v4_cleartext.pcap" "$W/clear.pcap"
	else
		python3 -c 'import struct,sys; p=bytes.fromhex("02000000000202000000000108004500001c000040004011f8cdc0000201c633640204d2162e00080000"); open(sys.argv[1],"wb").write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1)+struct.pack("<IIII",0,0,len(p),len(p))+p)' "$W/clear.pcap"
	fi
}

# The examples must not change the host: /etc/eespd (the quick start's
# directory) becomes one in the scratch directory, and as root the daemon
# user is nobody, since domain create and join make a missing user (useradd).
[ -e /etc/eespd ] && had_etc=1 || had_etc=0
getent passwd eesp >/dev/null && had_user=1 || had_user=0

# run_example WHERE DIR CMDLINE
run_example() {
	local where=$1 dir=$2 cmd=$3
	# every daemon's socket is the stand-in's
	cmd=$(sed -E "s#/run/eespd/[a-z0-9]+\.sock#$TMP/ctl.sock#g; s#/etc/eespd#etc-eespd#g" <<<"$cmd")
	case $cmd in
	*"eespctl domain create "* | *"eespctl join "*) [ "$(id -u)" -ne 0 ] || cmd+=" --user nobody" ;;
	esac
	(cd "$dir" && PATH="$TMP/bin:$PATH" bash -c "$cmd" >"$TMP/ex.out" 2>"$TMP/ex.err")
	local rc=$?
	if [ $rc -ne 0 ]; then
		fail "$where: \`$3\` exited $rc: $(head -3 "$TMP/ex.err")"
		return
	fi
	ok
	# the specification's PSP master keys in the example PSP domain, so the
	# man page's claims about the outputs can be checked
	case $cmd in
	*"domain create psp --mode psp"*) printf 'psp 0 %s\npsp 1 %s\n' "$K0" "$K1" >"$dir/psp/psp.keys" ;;
	*"derive psp --spi 0x12345678 --version 0 --keys psp"*)
		contains "$(cat "$TMP/ex.out")" "^key 96c22dc799198090b74b70ae468e4e30$" "$where: derive psp gives the spec key" ;;
	*"encrypt psp --keys psp --spi 0x9a345678 --version 0 --transport --crypt-offset 1 --psp-compat clear.pcap psp.pcap"*)
		if [ -f "$V/psp_v4_encrypt_transport_crypt_off_128.pcap" ]; then
			cmp -s "$dir/psp.pcap" "$V/psp_v4_encrypt_transport_crypt_off_128.pcap" && ok ||
				fail "$where: psp.pcap is not the reference's psp_v4_encrypt_transport_crypt_off_128.pcap"
		fi ;;
	*"decrypt"*) contains "$(cat "$TMP/ex.out")" '"?ok"?' "$where: decrypt verdicts ok" ;;
	esac
}

# 1. --help examples, subcommand by subcommand (each depends on the ones before)
setup "$TMP/h"
n=0
for sub in genkey fingerprint domain key rotate retire derive encrypt decrypt spi-alloc sa show status reload vectors; do
	while IFS= read -r line; do
		run_example "$sub --help" "$TMP/h" "$line"
		n=$((n + 1))
	done < <("$E" "$sub" --help | awk '/^Examples?:$/ { on = 1; next } on && /^  / { sub(/^  /, ""); if (c != "") { line = c " " $0 } else { line = $0 } if (line ~ /\\$/) { sub(/ *\\$/, "", line); c = line; next } c = ""; print line }')
done
[ "$n" -ge 20 ] && ok || fail "only $n --help examples found"

# 2. man page examples, in order
setup "$TMP/m"
MAN=man/eespctl.8
if [ -f "$MAN" ]; then
	m=0
	while IFS= read -r line; do
		run_example "man page" "$TMP/m" "$line"
		m=$((m + 1))
	done < <(awk '/^\.Sh EXAMPLES/ { on = 1; next } /^\.Sh / { on = 0 } on && /^\$ / { sub(/^\$ /, ""); gsub(/\\e/, "\\"); gsub(/\\-/, "-"); print }' "$MAN")
	# every subcommand has an example in the man page
	for sub in genkey fingerprint "domain create" "domain show" "key add" rotate retire "derive psp" "derive eesp" \
		spi-alloc "sa rx-alloc" "sa tx-set" "sa list" "sa wait" show status reload "encrypt psp" "encrypt eesp" \
		"decrypt psp" "decrypt eesp" vectors; do
		grep -q "^\$ .*eespctl $sub" "$MAN" && ok || fail "man page has no example of '$sub'"
	done
	[ "$m" -ge 18 ] && ok || fail "only $m man page examples"
	if command -v mandoc >/dev/null; then
		lint=$(mandoc -T lint -W warning "$MAN" 2>&1)
		same "$lint" "" "mandoc -T lint -W warning $MAN"
	fi
else
	fail "$MAN missing"
fi
# the stand-in saw the daemon examples
contains "$(cat "$TMP/requests")" "^spi-alloc 1$" "spi-alloc example reached the socket"
contains "$(cat "$TMP/requests")" "^rotate domain 0$" "rotate example told the daemon"
# the sa example hands rx-alloc's reply to tx-set (spi, key, version)
contains "$(cat "$TMP/requests")" "^sa-tx-set a 0x00000042 $(printf 'ab%.0s' $(seq 32)) version 1$" \
	"sa tx-set - took the rx-alloc reply from stdin"
standin_stop
# nothing outside the scratch directory was made
[ "$had_etc" = 1 ] || [ ! -e /etc/eespd ] && ok || fail "an example made /etc/eespd on the host"
[ "$had_user" = 1 ] || ! getent passwd eesp >/dev/null && ok || fail "an example made the user eesp on the host"
finish
