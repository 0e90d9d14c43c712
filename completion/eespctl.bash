# bash completion for eespctl(8)                         -*- shell-script -*-
#
# Installed as eespctl in bash-completion's completions folder (make install,
# the Debian package).  Completes the subcommands of cli/eespctl.c's table,
# their modes (domain create|show, derive psp|eesp|pairkey, ...), the options each
# form's --help documents, their fixed values (profiles, KDFs, suites),
# domain directories (with domain.keys or psp.keys), join bundles (*.join),
# control sockets of
# running daemons (/run/eespd/*.sock, or their interface names) and pcap
# files.  tests/cli/10_completion.sh drives _eespctl and checks that these
# lists equal `eespctl --help` and each `eespctl CMD --help`.

# where eespctl looks for control sockets (cli/eespctl.h EESPCTL_SOCKET_DIR)
# and where the README keeps domain directories; tests point them elsewhere
: "${_eespctl_socket_dir:=/run/eespd}"
: "${_eespctl_conf_dir:=/etc/eespd}"

_eespctl_subcommands="genkey fingerprint domain join key rotate retire derive spi-alloc sa show status metrics keydir reload encrypt decrypt vectors iked"

# the modes of a subcommand, if it has any (its second word)
_eespctl_modes() {
	case $1 in
	domain) echo "create show invite" ;;
	key) echo "add" ;;
	keydir) echo "init rotate retire import show" ;;
	derive) echo "psp eesp pairkey" ;;
	encrypt | decrypt) echo "psp eesp" ;;
	sa) echo "rx-alloc tx-alloc tx-set rx-set release list wait" ;;
	esac
}

# the options of one form (subcommand and mode), as its --help lists them
_eespctl_options() {
	local ctx="--domain --keys --spi --session --profile --kdf --suite --epoch --node --peer-node --tenant --group --phases"
	local wire="--sport --dport --zero-csum --outer-src --outer-dst --snaplen --corrupt"
	case $1 in
	genkey | fingerprint) echo "--help" ;;
	"domain create") echo "--help --name --id --profile --kdf --suite --node --tenant --group --mode --user --address --endpoint --interface --node-name" ;;
	"domain show") echo "--help --json --show-keys" ;;
	"domain invite") echo "--help --address --endpoint -o -s" ;;
	join) echo "--help --user --force" ;;
	"key add") echo "--help --key -s" ;;
	rotate | retire) echo "--help -s --daemon" ;;
	"derive psp") echo "--help --spi --version --keys --json --line" ;;
	"derive eesp") echo "--help $ctx --json --line" ;;
	"derive pairkey") echo "--help --keys --group --generation --spi-i --spi-r --node --peer-node --sk-d --server-view --json" ;;
	spi-alloc) echo "--help --version --json -s" ;;
	"sa rx-alloc") echo "--help --psp-version --eesp --json -s" ;;
	"sa tx-set") echo "--help --version --salt --phase --epoch --json -s" ;;
	"sa rx-set") echo "--help --salt --json -s" ;;
	"sa wait") echo "--help --timeout --json -s" ;;
	sa\ *) echo "--help --json -s" ;;
	show) echo "--help --json --all --counters --keys -s" ;;
	status | reload) echo "--help -s" ;;
	metrics) echo "--help -s -o --output" ;;
	"encrypt psp") echo "--help --spi --keys --data-key --version --tunnel --transport --crypt-offset --vc --vc-value --iv --psp-compat $wire" ;;
	"encrypt eesp") echo "--help $ctx --data-key --crypt-offset --sn $wire" ;;
	"decrypt psp") echo "--help --keys --data-key --version --port --json -q --snaplen" ;;
	"decrypt eesp") echo "--help --domain --keys --data-key --spi --suite --epoch-now --epoch-window --max-crypt-offset --port --json -q --snaplen" ;;
	vectors) echo "--help --out --check -q" ;;
	"keydir init") echo "--help --generation --user" ;;
	"keydir rotate" | "keydir retire" | "keydir import") echo "--help --user" ;;
	"keydir show") echo "--help --json --user" ;;
	iked) echo "--help --json -s" ;;
	esac
}

# does option $2 of form $1 take a value? (show --keys is a flag, derive's is not)
_eespctl_takes_value() {
	case $2 in
	--help | --json | --line | --show-keys | --counters | --tunnel | --transport | --vc | --psp-compat | \
		--zero-csum | --corrupt | --eesp | --server-view | -q | --all | --force) return 1 ;;
	--keys) [ "$1" != show ] ;;
	-*) return 0 ;;
	*) return 1 ;;
	esac
}

# add words of $2 that start with $1 to COMPREPLY
_eespctl_add() {
	local w
	for w in $2; do
		[[ $w == "$1"* ]] && COMPREPLY+=("$w")
	done
}

# control sockets: interface names and socket paths of running daemons, and
# any socket or directory under a path being typed
_eespctl_sockets() {
	local cur=$1 s n IFS=$'\n'
	for s in "$_eespctl_socket_dir"/*.sock; do
		[ -S "$s" ] || continue
		n=${s##*/}
		_eespctl_add "$cur" "${n%.sock}"
		_eespctl_add "$cur" "$s"
	done
	if [[ $cur == */* ]]; then
		for s in $(compgen -f -- "$cur"); do
			if [ -d "$s" ]; then
				COMPREPLY+=("$s/")
			elif [ -S "$s" ] && [ "${s%/*}" != "$_eespctl_socket_dir" ]; then
				COMPREPLY+=("$s")
			fi
		done
	fi
}

# domain directories (holding domain.keys or psp.keys) under the path being
# typed, other directories to descend into, and the domain directories of
# /etc/eespd (the README's place for them)
_eespctl_domain_dirs() {
	local cur=$1 d IFS=$'\n'
	for d in $(compgen -d -- "$cur"); do
		if [ -f "$d/domain.keys" ] || [ -f "$d/psp.keys" ]; then
			COMPREPLY+=("$d")
		else
			COMPREPLY+=("$d/")
		fi
	done
	# a path is being typed: compgen found it; a bare name may be one of /etc/eespd's
	[[ $cur == */* ]] && return
	for d in "$_eespctl_conf_dir"/*; do
		[[ $d == "$cur"* ]] || continue
		{ [ -f "$d/domain.keys" ] || [ -f "$d/psp.keys" ]; } && COMPREPLY+=("$d")
	done
}

# files matching glob $2 (e.g. *.pcap) and directories
_eespctl_files() {
	local cur=$1 pat=${2:-} f IFS=$'\n'
	# shellcheck disable=SC2053 # pat is a glob
	for f in $(compgen -f -- "$cur"); do
		if [ -d "$f" ]; then
			COMPREPLY+=("$f/")
		elif [ -z "$pat" ] || [[ $f == $pat ]]; then
			COMPREPLY+=("$f")
		fi
	done
}

# key files (*.keys), no directories
_eespctl_keyfiles() {
	local f IFS=$'\n'
	for f in $(compgen -f -X '!*.keys' -- "$1"); do
		[ -f "$f" ] && COMPREPLY+=("$f")
	done
}

# directories only (a new domain directory, vectors --out)
_eespctl_dirs() {
	local d IFS=$'\n'
	for d in $(compgen -d -- "$1"); do
		COMPREPLY+=("$d/")
	done
}

# the value of option $1 (the word being typed: $2)
_eespctl_value() {
	local opt=$1 cur=$2
	case $opt in
	-s | --socket | --daemon) _eespctl_sockets "$cur" ;;
	--profile) _eespctl_add "$cur" "spi node pair tenant" ;;
	--kdf) _eespctl_add "$cur" "cmac hmac" ;;
	--suite) _eespctl_add "$cur" "aes-gcm-128 aes-gcm-256" ;;
	--mode) _eespctl_add "$cur" "eesp psp" ;;
	--version) _eespctl_add "$cur" "0 1 2 3" ;; # PSP: 2, 3 AES-GMAC
	--psp-version) _eespctl_add "$cur" "0 1 2 3" ;;
	--user) mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
	--domain) _eespctl_domain_dirs "$cur" ;;
	--keys)
		_eespctl_add "$cur" "-"
		_eespctl_domain_dirs "$cur"
		_eespctl_keyfiles "$cur"
		;;
	--data-key)
		_eespctl_add "$cur" "-"
		_eespctl_files "$cur"
		;;
	--key) _eespctl_add "$cur" "-" ;;
	--out | --check) _eespctl_dirs "$cur" ;;
	-o | --output) _eespctl_files "$cur" "*.prom" ;;
	esac
	return 0
}

# positional argument number $2 (0-based, after the subcommand and mode) of
# form $1; $4 is the previous positional argument
_eespctl_positional() {
	local form=$1 n=$2 cur=$3 prevarg=$4
	case $form in
	"domain create") [ "$n" -eq 0 ] && _eespctl_dirs "$cur" ;;
	"domain show" | "domain invite") [ "$n" -eq 0 ] && _eespctl_domain_dirs "$cur" ;;
	join)
		[ "$n" -eq 0 ] && _eespctl_files "$cur" '*.join'
		[ "$n" -eq 1 ] && _eespctl_dirs "$cur"
		;;
	"key add")
		[ "$n" -eq 0 ] && _eespctl_domain_dirs "$cur"
		[ "$n" -eq 1 ] && _eespctl_add "$cur" "domain tenant group"
		;;
	rotate | retire)
		# [DIR] LEVEL [ID]: a first word that is no level is the directory
		local levels="domain tenant group"
		[ "$form" = rotate ] && levels="$levels psp"
		if [ "$n" -eq 0 ]; then
			_eespctl_add "$cur" "$levels"
			_eespctl_domain_dirs "$cur"
		elif [ "$n" -eq 1 ] && [[ " $levels " != *" $prevarg "* ]]; then
			_eespctl_add "$cur" "$levels"
		fi
		;;
	show)
		[ "$n" -eq 0 ] || return 0
		_eespctl_add "$cur" "all"
		_eespctl_sockets "$cur"
		;;
	status | reload | spi-alloc) [ "$n" -eq 0 ] && _eespctl_sockets "$cur" ;;
	keydir\ *)
		[ "$n" -eq 0 ] && _eespctl_dirs "$cur"
		[ "$n" -eq 1 ] && [ "$form" != "keydir import" ] && _eespctl_add "$cur" "domain tenant group"
		[ "$n" -eq 1 ] && [ "$form" = "keydir import" ] && _eespctl_files "$cur" '*'
		;;
	# eesp-iked's verbs (its peers' names are in its configuration only)
	iked) [ "$n" -eq 0 ] && _eespctl_add "$cur" "status show counters initiate terminate" ;;
	encrypt\ * | decrypt\ *) [ "$n" -le 1 ] && _eespctl_files "$cur" '*.pcap' ;;
	esac
	return 0
}

_eespctl() {
	local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]:-} mode='' form i start n=0 w prevarg=''
	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		_eespctl_add "$cur" "$_eespctl_subcommands --help --version"
		return 0
	fi
	[[ " $_eespctl_subcommands " == *" $cmd "* ]] || return 0
	form=$cmd
	start=2
	if [ -n "$(_eespctl_modes "$cmd")" ]; then
		if [ "$COMP_CWORD" -eq 2 ]; then
			_eespctl_add "$cur" "$(_eespctl_modes "$cmd")"
			return 0
		fi
		mode=${COMP_WORDS[2]}
		form="$cmd $mode"
		start=3
	fi
	# walk the words before the cursor: options, their values, positionals
	for ((i = start; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -?* ]]; then
			_eespctl_takes_value "$cmd" "$w" && i=$((i + 1))
			continue
		fi
		prevarg=$w
		n=$((n + 1))
	done
	if [ "$i" -gt "$COMP_CWORD" ]; then
		# the cursor is on the value of the option before it
		_eespctl_value "${COMP_WORDS[COMP_CWORD - 1]}" "$cur"
	elif [[ $cur == -* ]]; then
		_eespctl_add "$cur" "$(_eespctl_options "$form")"
	else
		_eespctl_positional "$form" "$n" "$cur" "$prevarg"
	fi
	# directories are descended into: no space after them
	local r
	for r in "${COMPREPLY[@]}"; do
		[[ $r == */ ]] && { compopt -o nospace 2>/dev/null; break; }
	done
	return 0
}

complete -F _eespctl eespctl
