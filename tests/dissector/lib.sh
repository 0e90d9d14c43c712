# tests/dissector/lib.sh - shared helpers for the Wireshark plugin tests.
# Sourced by tests/dissector/NN_*.sh (run from the repo root by tools/check.sh).
#
#   ds_setup            skip (77) without tshark, build the plugin if needed,
#                       make a hermetic config dir readable by nobody, check
#                       that tshark really loads the plugin
#   ts ARGS...          run tshark as nobody with the plugin and the hermetic config
#   ds_file SRC         copy SRC into the temp dir (mode 0644, for nobody); prints the path
#   check NAME GOT WANT count a pass/fail
#   ds_finish           print the tally; exit 1 if anything failed
#
# tshark as root ignores WIRESHARK_PLUGIN_DIR (reference/wireshark-plugin.md
# §2.4), hence setpriv to nobody.

set -u
DS_PASS=0
DS_FAIL=0
DS_PLUGIN_DIR=${DS_PLUGIN_DIR:-$PWD/dissector/build/plugins}
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
	DS_TMP=$(mktemp -d /tmp/eesp-ds.XXXXXX)
	chmod 755 "$DS_TMP"
	mkdir -p "$DS_TMP/cfg"
	chmod 755 "$DS_TMP/cfg"
	trap 'rm -rf "$DS_TMP"' EXIT
	local so
	so=$(ts -G plugins 2>/dev/null | awk '$1=="eesp.so" {print $4}')
	[ -n "$so" ] || ds_die "tshark did not load eesp.so from $DS_PLUGIN_DIR (tshark -G plugins)"
	ts -G protocols 2>/dev/null | grep -qP '\teesp$' || ds_die "protocol eesp not registered"
	ts -G protocols 2>/dev/null | grep -qP '\tpsp$' || ds_die "protocol psp not registered"
	echo "plugin loaded: $so"
}

ts() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
			env -i PATH=/usr/bin:/bin HOME="$DS_TMP/cfg" WIRESHARK_CONFIG_DIR="$DS_TMP/cfg" \
			WIRESHARK_PLUGIN_DIR="$DS_PLUGIN_DIR" "$DS_TSHARK" "$@"
	else
		env -i PATH=/usr/bin:/bin HOME="$DS_TMP/cfg" WIRESHARK_CONFIG_DIR="$DS_TMP/cfg" \
			WIRESHARK_PLUGIN_DIR="$DS_PLUGIN_DIR" "$DS_TSHARK" "$@"
	fi
}

ds_file() {
	local dst
	dst="$DS_TMP/$(basename "$1")"
	cp "$1" "$dst" && chmod 644 "$dst" || ds_die "cannot copy $1"
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
