# tests/dissector/lib.sh - shared helpers for the Wireshark plugin tests.
# Sourced by tests/dissector/NN_*.sh (run from the repo root by tools/check.sh).
#
#   ds_setup            skip (77) without tshark, build the plugin if needed,
#                       make a hermetic config dir and a copy of the plugin,
#                       both readable by nobody, check that tshark really
#                       loads the plugin
#   ts ARGS...          run tshark as nobody with the plugin and the hermetic config
#   ds_file SRC         copy SRC into the temp dir (mode 0644, for nobody); prints the path
#   check NAME GOT WANT count a pass/fail
#   ds_finish           print the tally; exit 1 if anything failed
#
# tshark as root ignores WIRESHARK_PLUGIN_DIR (reference/wireshark-plugin.md
# §2.4), hence setpriv to nobody.  nobody may not be able to reach the build
# folder (a clone under root's 0700 home or in a mktemp -d folder), so
# tshark gets a copy of the plugin in the tests' own temporary folder.

# The known-answer constants below are used by the scripts that source this.
# shellcheck disable=SC2034
set -u
DS_PASS=0
DS_FAIL=0
# the build's plugin folder (<major.minor>/epan/eesp.so), copied by ds_setup
DS_PLUGIN_DIR=${DS_PLUGIN_DIR:-$PWD/dissector/build/plugins}
DS_TSHARK_PLUGINS= # the copy tshark loads, in $DS_TMP
DS_TSHARK=${DS_TSHARK:-tshark}

ds_skip() {
	echo "SKIP: $*"
	exit 77
}

ds_die() {
	echo "FAIL: $*"
	exit 1
}

ds_setup() {
	command -v "$DS_TSHARK" >/dev/null 2>&1 || ds_skip "tshark not installed (apt-get install tshark)"
	command -v setpriv >/dev/null 2>&1 || ds_skip "setpriv (util-linux) not installed"
	if ! ls "$DS_PLUGIN_DIR"/*/epan/eesp.so >/dev/null 2>&1; then
		make -s -C dissector >/dev/null || ds_die "cannot build the plugin (make -C dissector)"
	fi
	# a caller with its own cleanup trap (the capture tests) sets DS_TMP
	if [ -z "${DS_TMP:-}" ]; then
		DS_TMP=$(mktemp -d /tmp/eesp-ds.XXXXXX)
		trap 'rm -rf "$DS_TMP"' EXIT
	fi
	mkdir -p "$DS_TMP/cfg"
	chmod 755 "$DS_TMP" "$DS_TMP/cfg"
	ds_plugin_copy
	local so
	so=$(ts -G plugins 2>/dev/null | awk '$1=="eesp.so" {print $4}')
	[ -n "$so" ] || ds_die "tshark did not load eesp.so from $DS_TSHARK_PLUGINS (a copy of $DS_PLUGIN_DIR; tshark -G plugins)"
	ts -G protocols 2>/dev/null | grep -qP '\teesp$' || ds_die "protocol eesp not registered"
	ts -G protocols 2>/dev/null | grep -qP '\tpsp$' || ds_die "protocol psp not registered"
	echo "plugin loaded: $so"
}

# ds_as_tshark_user CMD...: run CMD as the user tshark runs as (nobody for root)
ds_as_tshark_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
	else
		"$@"
	fi
}

# ds_plugin_copy: copy every <ver>/epan/eesp.so of DS_PLUGIN_DIR to
# $DS_TMP/plugins (DS_TSHARK_PLUGINS), readable by everyone, and make sure
# tshark's user can read it: else no plugin loads, and the tests would fail
# with nothing but "did not load".
ds_plugin_copy() {
	local so rel dst=
	DS_TSHARK_PLUGINS=$DS_TMP/plugins
	for so in "$DS_PLUGIN_DIR"/*/epan/eesp.so; do
		[ -f "$so" ] || continue
		rel=${so#"$DS_PLUGIN_DIR"/}
		dst=$DS_TSHARK_PLUGINS/$rel
		{ mkdir -p "$(dirname "$dst")" && cp "$so" "$dst"; } ||
			ds_die "cannot copy $so to $dst"
	done
	[ -n "$dst" ] || ds_die "no */epan/eesp.so in $DS_PLUGIN_DIR (make -C dissector)"
	chmod -R u=rwX,go=rX "$DS_TSHARK_PLUGINS" || ds_die "cannot chmod $DS_TSHARK_PLUGINS"
	ds_as_tshark_user test -r "$dst" -a -r "$DS_TMP/cfg" -a -x "$DS_TMP/cfg" ||
		ds_die "tshark runs as $(ds_as_tshark_user id -un) (root's tshark ignores plugin folders), which cannot read $dst: a folder above $DS_TMP is closed to it; give DS_TMP a folder that $(ds_as_tshark_user id -un) can reach (every folder above it o+x)"
}

ts() {
	ds_as_tshark_user env -i PATH=/usr/bin:/bin HOME="$DS_TMP/cfg" \
		WIRESHARK_CONFIG_DIR="$DS_TMP/cfg" WIRESHARK_PLUGIN_DIR="$DS_TSHARK_PLUGINS" \
		"$DS_TSHARK" "$@"
}

ds_file() {
	local dst
	dst="$DS_TMP/$(basename "$1")"
	{ cp "$1" "$dst" && chmod 644 "$dst"; } || ds_die "cannot copy $1"
	echo "$dst"
}

check() {
	if [ "$2" = "$3" ]; then
		DS_PASS=$((DS_PASS + 1))
		echo "ok   $1"
	else
		DS_FAIL=$((DS_FAIL + 1))
		echo "FAIL $1"
		echo "     got:  $2"
		echo "     want: $3"
	fi
}

ds_finish() {
	echo "$DS_PASS passed, $DS_FAIL failed"
	[ "$DS_PASS" -gt 0 ] || ds_die "no assertion ran"
	[ "$DS_FAIL" -eq 0 ]
}

# ds_pcap OUT SPORT DPORT HEX [HEX...]: one IPv4/UDP frame per HEX (the UDP
# payload, blanks allowed), 203.0.113.1 -> 203.0.113.2, written with text2pcap.
ds_pcap() {
	local out=$1 sp=$2 dp=$3 h
	shift 3
	command -v text2pcap >/dev/null 2>&1 || ds_skip "text2pcap (wireshark-common) not installed"
	for h in "$@"; do
		printf '000000 %s\n\n' "$(printf '%s' "$h" | tr -d ' \n' | sed 's/../& /g')"
	done >"$out.txt"
	text2pcap -q -4 203.0.113.1,203.0.113.2 -u "$sp,$dp" "$out.txt" "$out" >/dev/null 2>&1 ||
		ds_die "text2pcap failed for $out"
	chmod 644 "$out"
}

# Worked examples of man/eesp.7 (EXAMPLES): the UDP payloads and their keys.
# (used by the scripts that source this file)
EX_DOMAIN_ROOT=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
EX_TENANT_ROOT=202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
# tenant profile, KDF 1, AES-GCM-128, optimized format
EX1="80180003 00000a01 e0100411 80600000 00070000 002a0000 00110104 00000000
6553f100 00000001 5ebde4a7 18d6871c 6c91b975 d0294c2a a0ffb305 25b1db22
09e5c9d2 cf1189cf a3be45dc bed4af4b 62094c66 f6e120f5"
# node profile, KDF 1, AES-GCM-128, full format, CryptOffset 7
EX3="80140003 00000a01 e00c0211 00400000 00070000 00110202 24700100 6553f100
00000002 00000400 45000020 00004000 40114e96 c0000201 c6336402 04d2162e
5bd83d5c 1f7ab26f 9b7a644f b1f5eccf 424d87db 37d32ee8"
# PSP compact vector A of man/eesp.7 / psp.md 3.7: transport, v0, SPI 9a345678 (K1), IV 1
PSP_K0=34448a064292601b11a0978f56a2d34cf3fc35ede1a6bc04f8db3e5243a2b0ca
PSP_K1=563952565d3a78ae773ec1b779f2f2d99f4a7f53a6fbb9b07d5b71f39364d739
PSPA="110101019a34567800000000000000012b6756ce
69d35006906f6e952004d2f5c527abfac04aa637aa837fcff9f5108113a02588ccf58cff
4ae347a8de4650db2e12232aca13572a"

# ds_check_capture PCAP KEYS [INNER...]: every EESP/PSP datagram of PCAP
# decrypts with KEYS (a key file or a directory; copied for nobody), with no
# error expert info, and each inner protocol named (display filter words such
# as icmp, icmpv6, tcp) occurs inside the tunnel.  Counted per datagram: a
# GSO train (one frame holding several datagrams, eesp_proto.h) counts each.
# Sets DS_TRAINS (frames holding a train) and DS_TRAIN_DGRAMS (datagrams in
# them), DS_TRAIN_DEC (those decrypted).
DS_TRAINS=0
DS_TRAIN_DGRAMS=0
DS_TRAIN_DEC=0
ds_check_capture() {
	local pcap=$1 keys=$2 k n_frames n_enc n_dec n_err proto n
	shift 2
	{ cp "$pcap" "$DS_TMP/capture.pcap" && chmod 644 "$DS_TMP/capture.pcap"; } ||
		ds_die "cannot copy $pcap"
	rm -rf "$DS_TMP/capkeys"
	mkdir -p "$DS_TMP/capkeys"
	if [ -d "$keys" ]; then
		for k in "$keys"/*; do [ -f "$k" ] && cp "$k" "$DS_TMP/capkeys/"; done
	else
		cp "$keys" "$DS_TMP/capkeys/" || ds_die "cannot copy $keys"
	fi
	chmod 755 "$DS_TMP/capkeys"
	chmod 644 "$DS_TMP/capkeys"/*
	local o=(-r "$DS_TMP/capture.pcap" -o "eesp.keyfile:$DS_TMP/capkeys")
	# every occurrence of a field, one value per line
	local all=(-T fields -E occurrence=a -E 'aggregator=,')
	n_frames=$(ts "${o[@]}" -Y 'eesp || psp' -T fields -e frame.number 2>/dev/null | wc -l)
	n_enc=$(ts "${o[@]}" -Y 'eesp || psp' "${all[@]}" -e eesp.spi -e psp.spi 2>/dev/null |
		tr ',\t' '\n' | grep -c .)
	n_dec=$(ts "${o[@]}" -Y 'eesp || psp' "${all[@]}" -e eesp.decrypted -e psp.decrypted 2>/dev/null |
		tr ',\t' '\n' | grep -c '^1$')
	n_err=$(ts "${o[@]}" -Y 'eesp.expert.no_key || eesp.expert.unknown_generation || eesp.expert.auth_failed || eesp.expert.malformed || psp.expert.no_key || psp.expert.auth_failed || psp.expert.malformed' -T fields -e frame.number 2>/dev/null | wc -l)
	DS_TRAINS=$(ts "${o[@]}" -Y 'eesp.train || psp.train' -T fields -e frame.number 2>/dev/null | wc -l)
	DS_TRAIN_DGRAMS=$(ts "${o[@]}" -Y 'eesp.train || psp.train' -T fields -e eesp.train.count \
		-e psp.train.count 2>/dev/null | tr '\t' '\n' | awk '{ s += $1 } END { print s + 0 }')
	DS_TRAIN_DEC=$(ts "${o[@]}" -Y 'eesp.train || psp.train' "${all[@]}" -e eesp.decrypted \
		-e psp.decrypted 2>/dev/null | tr ',\t' '\n' | grep -c '^1$')
	echo "capture: $n_frames frames with EESP/PSP holding $n_enc datagrams ($DS_TRAINS GSO trains of $DS_TRAIN_DGRAMS datagrams, $DS_TRAIN_DEC of them decrypted), $n_dec decrypted, $n_err frames with an error expert info"
	check "capture has EESP/PSP packets" "$([ "$n_enc" -gt 0 ] && echo yes)" yes
	check "every EESP/PSP datagram decrypts" "$n_dec" "$n_enc"
	check "no error expert info" "$n_err" 0
	check "every datagram of every GSO train decrypts" "$DS_TRAIN_DEC" "$DS_TRAIN_DGRAMS"
	for proto in "$@"; do
		# inside the tunnel: after eesp/psp in the layer list (the outer UDP does not count)
		n=$(ts "${o[@]}" -Y 'eesp || psp' -T fields -e frame.protocols 2>/dev/null |
			grep -cE "(^|:)(eesp|psp)(:.*)?:$proto(:|\$)")
		echo "inner $proto: $n packets"
		check "inner $proto seen" "$([ "$n" -gt 0 ] && echo yes)" yes
	done
	ts "${o[@]}" -Y 'eesp || psp' 2>/dev/null | head -6
}
