#!/usr/bin/env bash
# 10: bash completion for eespctl (completion/eespctl.bash), sourced in this
# bash and driven as readline would (COMP_WORDS, COMP_CWORD, then _eespctl,
# then COMPREPLY):
#   - its subcommands are exactly those `eespctl --help` lists, its modes and
#     options per form exactly those of each `eespctl CMD --help` usage;
#   - option values (profiles, suites, --version), domain directories (made
#     by eespctl domain create, EESP and PSP), control sockets (only real
#     sockets, by path and by interface name), levels of rotate/retire and
#     pcap files complete as their usage says;
#   - its default socket folder is eespctl's (cli/eespctl.h).
. "$(dirname "$0")/lib.sh"

C=$(dirname "$0")/../../completion/eespctl.bash
E=$(realpath "$E") # the test changes directory below
[ -f "$C" ] || { echo "FAIL: $C missing"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

# the default socket folder, before the test points it elsewhere
unset _eespctl_socket_dir _eespctl_conf_dir
# shellcheck disable=SC1090
(. "$C" && echo "$_eespctl_socket_dir") >"$TMP/dir" || fail "sourcing $C failed"
sockdir=$(sed -n 's/^#define EESPCTL_SOCKET_DIR "\(.*\)"$/\1/p' "$(dirname "$0")/../../cli/eespctl.h")
same "$(cat "$TMP/dir")" "$sockdir" "default socket folder = cli/eespctl.h EESPCTL_SOCKET_DIR"

RUN=$TMP/run
ETC=$TMP/etc
mkdir -p "$RUN" "$ETC" "$TMP/w/other" "$TMP/w/vec"
_eespctl_socket_dir=$RUN
_eespctl_conf_dir=$ETC
# shellcheck disable=SC1090
. "$C"
complete -p eespctl >/dev/null 2>&1 || fail "sourcing $C registers no completion for eespctl"

# comp WORD...: complete the last word; prints COMPREPLY sorted, one a line
comp() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_eespctl eespctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}
lines() { printf '%s\n' "$@" | sort; }
# expect DESC WANT... -- WORD...
expect() {
	local d=$1 want=() got
	shift
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	got=$(comp "$@")
	same "$got" "$(lines "${want[@]}")" "$d (eespctl ${*:2})"
}

# 1. the subcommands are --help's
help_cmds=$("$E" --help | sed -n '/^Available subcommands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' | sort)
[ "$(wc -l <<<"$help_cmds")" -ge 10 ] || fail "eespctl --help lists only: $help_cmds"
same "$(comp eespctl "" | grep -v '^-')" "$help_cmds" "subcommands = eespctl --help's"
expect "options at the first word" --help --version -- eespctl --
expect "a prefix" sa spi-alloc status show -- eespctl s

# 2. each form's modes and options are its --help usage's
"$E" --help >/dev/null
for cmd in $help_cmds; do
	"$E" "$cmd" --help 2>&1 | python3 -c '
import re, sys
cmd = sys.argv[1]
forms, cur = {}, None
for line in sys.stdin:
    if not line.strip():
        break
    m = re.match(r"^(?:Usage: |\s+)eespctl " + re.escape(cmd) + r"\b(.*)", line)
    if m:
        rest = m.group(1).split()
        mode = rest[0] if rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]) else ""
        cur = forms.setdefault(mode, set())
        line = m.group(1)
    if cur is None:
        continue
    cur.update(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line))
for mode, opts in sorted(forms.items()):
    print(mode + "|" + " ".join(sorted(opts | {"--help"})))
' "$cmd" >"$TMP/forms.$cmd"
	[ -s "$TMP/forms.$cmd" ] || { fail "$cmd --help: no usage lines found"; continue; }
	modes=$(cut -d'|' -f1 "$TMP/forms.$cmd" | sed '/^$/d' | sort)
	if [ -n "$modes" ]; then
		same "$(comp eespctl "$cmd" "")" "$modes" "modes of $cmd = its --help's"
	fi
	while IFS='|' read -r mode opts; do
		# shellcheck disable=SC2086
		wanted=$(lines $opts)
		if [ -n "$mode" ]; then
			got=$(comp eespctl "$cmd" "$mode" -)
		else
			got=$(comp eespctl "$cmd" -)
		fi
		same "$got" "$wanted" "options of '$cmd${mode:+ $mode}' = its --help's"
	done <"$TMP/forms.$cmd"
done

# 3. values, directories, sockets, files
cd "$TMP/w" || exit 1
"$E" domain create lab --id 0xC0FFEE01 --profile node --node 1 --user "$(id -un)" >/dev/null ||
	fail "domain create lab"
"$E" domain create pspd --mode psp --user "$(id -un)" >/dev/null || fail "domain create pspd"
"$E" domain create "$ETC/tunnel" --id 0x7E570001 --user "$(id -un)" >/dev/null || fail "domain create $ETC/tunnel"
: >a.pcap
: >b.txt
: >k.keys
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$RUN/eesp0.sock"
: >"$RUN/stale.sock" # a regular file, not a socket
[ -S "$RUN/eesp0.sock" ] || fail "could not make a test socket"

expect "suites" aes-gcm-128 aes-gcm-256 -- eespctl derive eesp --suite ""
expect "a suite prefix" aes-gcm-128 -- eespctl derive eesp --node 2 --suite aes-gcm-1
expect "profiles" node pair spi tenant -- eespctl domain create x --profile ""
expect "PSP versions" 0 1 2 3 -- eespctl spi-alloc --version ""
expect "PSP versions (sa tx-set)" 0 1 2 3 -- eespctl sa tx-set n2 - --version ""
expect "domain create DIR: directories" lab/ other/ pspd/ vec/ -- eespctl domain create ""
expect "domain show DIR: domain directories" lab -- eespctl domain show l
expect "--domain: domain dirs here and in /etc/eespd" lab other/ pspd vec/ "$ETC/tunnel" -- \
	eespctl derive eesp --domain ""
expect "--domain under the conf folder" "$ETC/tunnel" -- eespctl decrypt eesp --domain "$ETC/t"
expect "rotate: levels or DIR" domain group lab other/ psp pspd tenant vec/ "$ETC/tunnel" -- eespctl rotate ""
expect "rotate DIR LEVEL" domain group psp tenant -- eespctl rotate pspd ""
expect "retire DIR LEVEL: no psp" domain group tenant -- eespctl retire lab ""
expect "rotate LEVEL ID: nothing" -- eespctl rotate domain ""
expect "key add DIR LEVEL" domain group tenant -- eespctl key add lab ""
expect "key add --key" - -- eespctl key add lab domain --key ""
expect "-s: sockets by name and path, no stale file" eesp0 "$RUN/eesp0.sock" -- eespctl status -s ""
expect "-s by path" "$RUN/eesp0.sock" -- eespctl reload -s "$RUN/e"
expect "rotate --daemon" eesp0 -- eespctl rotate lab domain --daemon ee
expect "show: all and sockets" all eesp0 "$RUN/eesp0.sock" -- eespctl show ""
expect "show --keys is a flag" all eesp0 "$RUN/eesp0.sock" -- eespctl show --keys ""
expect "show: one interface only" -- eespctl show eesp0 ""
expect "derive psp --keys: -, key files, domain dirs" - k.keys lab other/ pspd vec/ "$ETC/tunnel" -- \
	eespctl derive psp --spi 1 --keys ""
expect "decrypt: pcap files" a.pcap lab/ other/ pspd/ vec/ -- eespctl decrypt psp --keys k.keys ""
expect "decrypt OUT.pcap" a.pcap -- eespctl decrypt psp --keys k.keys a.pcap a
expect "vectors --check: directories" vec/ -- eespctl vectors --check v
expect "an unknown subcommand: nothing" -- eespctl frobnicate ""
finish
