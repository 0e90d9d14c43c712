#!/usr/bin/env bash
# tests/integration/30_examples.sh - every configuration in conf/examples/
# works as written.
#
# For each example directory (two-node, cluster, psp-server, proxy):
#   - one network namespace per *.conf, on a shared bridge, with the host
#     address the file names in its "# host address:" comment;
#   - fresh keys made with eespctl, the way the comments tell an operator to:
#     eesp examples: `eespctl domain create --id <id>` once per domain id
#     the configurations name, its domain.keys copied to the key_file of
#     every node of that domain (the proxy holds two); psp-server: one
#     `eespctl domain create --mode psp` per host, and for every peer's tx_spi
#     an `sa psp` line from `eespctl derive psp --spi SPI --keys <the
#     receiver's dir> --line` appended to the sender's key file;
#   - the config copied with only control_socket, state_dir and user
#     rewritten (temporary paths, the test user $IT_USER); key_file is kept as written
#     (relative to the config);
#   - eespd -t accepts each file, eespd starts on each, and every host pings
#     every host address (/32, /128) in its peers' allowed_ips - through the
#     proxy for the proxy example - or, for a peer routed by prefix, the
#     peer's own tunnel addresses; both ways, since peers list each other.
#     No drop counter may move except no_route/tx_no_buffer.
# Exit 0 pass, 77 skip, anything else fail.
. tests/integration/lib.sh

it_init
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
[ -d conf/examples ] || skip "no conf/examples"

EX=""
node_dir() { echo "$IT_DIR/$EX/n$1"; }
declare -A HOSTADDR=()
ul4() { echo "${HOSTADDR[$1]%/*}"; }

# conf_field FILE KEY: the first value of KEY (quotes stripped)
conf_field() {
	sed -n "s/^ *$2 *= *\"\{0,1\}\([^\";]*\)\"\{0,1\};.*/\1/p" "$1" | head -1
}
# peers FILE: "name tx_spi" per peer (tx_spi "-" if none)
peers() {
	"$PY" - "$1" <<'PYEOF'
import re, sys
t = re.sub(r"#[^\n]*", "", open(sys.argv[1]).read())
m = re.search(r"peers\s*=\s*\((.*)\)\s*;", t, re.S)
for g in re.findall(r"\{(.*?)\}", m.group(1) if m else "", re.S):
    name = re.search(r'name\s*=\s*"([^"]+)"', g).group(1)
    tx = re.search(r"tx_spi\s*=\s*(0x[0-9a-fA-F]+|[0-9]+)", g)
    hosts = re.findall(r'"([0-9a-fA-F.:]+)/(?:32|128)"', g)
    print(name, tx.group(1) if tx else "-", ",".join(hosts) or "-")
PYEOF
}

# domains FILE: "id key_file" of every domain (domain or domains) in FILE
domains() {
	"$PY" - "$1" <<'PYEOF'
import re, sys
t = re.sub(r"#[^\n]*", "", open(sys.argv[1]).read())
# each key_file with the nearest "id =" before it (and after the previous key_file)
prev = 0
for k in re.finditer(r'key_file\s*=\s*"([^"]+)"', t):
    ids = re.findall(r"\bid\s*=\s*(0x[0-9a-fA-F]+|[0-9]+)", t[prev:k.start()])
    print(ids[-1] if ids else "-", k.group(1))
    prev = k.end()
PYEOF
}

run_example() {
	local dir=$1 k=$2 f i n name keyf mode id p spi out
	EX=$(basename "$dir")
	IT_P="e30$$$k"
	log "=== example $EX"
	local -a files=()
	declare -gA IDX=()
	for f in "$dir"/*.conf; do
		files+=("$f")
	done
	n=${#files[@]}
	[ "$n" -ge 2 ] || fail "$EX: fewer than two configurations"
	for f in "${files[@]}"; do
		name=$(basename "$f" .conf)
		i=$(grep -o '"192\.0\.2\.[0-9]*/' "$f" | head -1 | sed 's/.*\.\([0-9]*\)\/$/\1/')
		if [ -z "$i" ] || [ "$i" -lt 1 ] || [ "$i" -gt "$n" ]; then
			fail "$EX/$name: inner IPv4 address must be 192.0.2.1..$n (test layout), got '$i'"
		fi
		IDX[$name]=$i
		HOSTADDR[$i]=$(sed -n 's/^# host address: *\([0-9./]*\).*/\1/p' "$f")
		[ -n "${HOSTADDR[$i]}" ] || fail "$EX/$name: no '# host address:' comment"
	done
	net_create "$n"
	# net_create put the default underlay on the veths: use the example's
	for i in $(seq "$n"); do
		ip -n "$(ns "$i")" -4 addr flush dev "$(veth "$i")"
		ip -n "$(ns "$i")" addr add "${HOSTADDR[$i]}" dev "$(veth "$i")" || fail "address ${HOSTADDR[$i]}"
	done

	mode=$(conf_field "${files[0]}" mode)
	mkdir -p "$IT_DIR/$EX/keysrc"
	if [ "$mode" = psp ]; then
		IT_TUN=psp0
		for f in "${files[@]}"; do
			name=$(basename "$f" .conf)
			must "$EESPCTL" domain create "$IT_DIR/$EX/keysrc/$name" --mode psp >/dev/null
		done
	else
		IT_TUN=eesp0
		# one domain key per domain id, as an operator makes it once
		for f in "${files[@]}"; do
			domains "$f"
		done | sort -u | while read -r id keyf; do
			[ -d "$IT_DIR/$EX/keysrc/$id" ] && continue
			must "$EESPCTL" domain create "$IT_DIR/$EX/keysrc/$id" --id "$id" --profile node --node 1 >/dev/null
		done
	fi
	for f in "${files[@]}"; do
		name=$(basename "$f" .conf)
		i=${IDX[$name]}
		_mkdir_node "$i"
		if [ "$mode" = psp ]; then
			keyf=$(conf_field "$f" key_file)
			[ -n "$keyf" ] || fail "$EX/$name: no key_file"
			mkdir -p "$(dirname "$(node_dir "$i")/$keyf")"
			{
				grep '^psp ' "$IT_DIR/$EX/keysrc/$name/psp.keys"
				while read -r p spi _; do
					[ "$spi" != - ] || continue
					[ -d "$IT_DIR/$EX/keysrc/$p" ] || fail "$EX/$name: peer $p has no configuration"
					# the receiver p derives the sender's data key out of band
					"$EESPCTL" derive psp --spi "$spi" --keys "$IT_DIR/$EX/keysrc/$p" --line ||
						fail "eespctl derive psp --spi $spi"
				done < <(peers "$f")
			} | write_secret "$(node_dir "$i")/$keyf"
		else
			local nd=0
			while read -r id keyf; do
				[ -f "$IT_DIR/$EX/keysrc/$id/domain.keys" ] || fail "$EX/$name: no key for domain $id"
				mkdir -p "$(dirname "$(node_dir "$i")/$keyf")"
				write_secret "$(node_dir "$i")/$keyf" <"$IT_DIR/$EX/keysrc/$id/domain.keys"
				nd=$((nd + 1))
			done < <(domains "$f")
			[ $nd -ge 1 ] || fail "$EX/$name: no domain with a key_file"
		fi
		sed -e "s#^\( *control_socket *= *\)\"[^\"]*\"#\1\"$(node_sock "$i")\"#" \
			-e "s#^\( *state_dir *= *\)\"[^\"]*\"#\1\"$(node_dir "$i")/state\"#" \
			-e "s#^\( *user *= *\)\"[^\"]*\"#\1\"$IT_USER\"#" "$f" >"$(node_conf "$i")"
		out=$("$EESPD" -t -c "$(node_conf "$i")" 2>&1) || fail "$EX/$name: eespd -t refuses it: $out"
	done
	for i in $(seq "$n"); do
		daemon_start "$i"
	done
	for f in "${files[@]}"; do
		name=$(basename "$f" .conf)
		i=${IDX[$name]}
		while read -r p spi hosts; do
			local j=${IDX[$p]:-} a
			[ -n "$j" ] || fail "$EX/$name: peer $p has no configuration"
			if [ "$hosts" = - ]; then
				# a peer routed by prefix: its own tunnel addresses
				hosts=$(grep -o '"192\.0\.2\.'"$j"'/[0-9]*"\|"2001:db8:[0-9a-f:]*/64"' "$(node_conf "$j")" | head -2 | tr -d '"' | cut -d/ -f1 | paste -sd,)
			fi
			for a in ${hosts//,/ }; do
				ping_ok "$i" "$a" 3
			done
		done < <(peers "$f")
	done
	# a proxy (forward_to) must have carried the cross-domain pings itself
	for f in "${files[@]}"; do
		grep -q '^ *forward_to' "$f" || continue
		i=${IDX[$(basename "$f" .conf)]}
		local pp
		pp=$(counters "$i" | awk '$1 == "proxy_packets" { print $2 }')
		[ "${pp:-0}" -gt 0 ] || fail "$EX: the proxy (node $i) forwarded nothing (proxy_packets ${pp:-missing})"
		log "$EX: proxy node $i forwarded $pp packets between the domains"
	done
	for i in $(seq "$n"); do
		daemon_alive "$i" || fail "$EX: eespd on node $i died"
		check_drops "$i"
		daemon_stop "$i"
	done
	for i in $(seq "$n"); do
		ip netns del "$(ns "$i")" 2>/dev/null
	done
	ip netns del "${IT_P}hub" 2>/dev/null
	log "example $EX: $n hosts, every listed peer reached both ways"
}

k=0
for d in conf/examples/*/; do
	[ -n "$(ls "$d"*.conf 2>/dev/null)" ] || continue
	# keys over IKEv2 (an iked/ beside the eespd configs): 84_kd_example.sh
	[ ! -d "$d/iked" ] || continue
	k=$((k + 1))
	run_example "${d%/}" "$(echo abcdefghij | cut -c"$k")"
done
[ $k -ge 3 ] || fail "only $k example directories"
log "PASS: $k examples"
