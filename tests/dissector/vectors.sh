# tests/dissector/vectors.sh - sourced by 20_eesp_vectors.sh (needs lib.sh).
#
# ds_check_vectors DIR: every case of DIR/index.txt decodes with the header
# values of its JSON, derives the JSON's data key (and salt), decrypts, and
# shows the inner addresses, ports / ICMP type; a receive-rule case (JSON
# "verdict") shows no inner packet and an expert info that names the drop
# reason eespd counts.  Keys: DIR/keys (a directory of key files, read as
# the eesp.keyfile preference).  Sets nvec.

ds_check_vectors() {
	local dir=$1 exp name pcap fields want verdict got f args
	[ -r "$dir/index.txt" ] || ds_die "$dir/index.txt missing"
	[ -d "$dir/keys" ] || ds_die "$dir/keys missing"
	mkdir -p "$DS_TMP/vkeys"
	{ cp "$dir"/keys/* "$DS_TMP/vkeys/" && chmod 755 "$DS_TMP/vkeys" &&
		chmod 644 "$DS_TMP/vkeys"/*; } || ds_die "cannot copy $dir/keys"
	exp=$(python3 tests/dissector/vector_expect.py "$dir") || ds_die "vector_expect.py failed"
	while IFS=$'\t' read -r name pcap fields want verdict; do
		args=()
		for f in $fields; do args+=(-e "$f"); done
		got=$(ts -r "$(ds_file "$pcap")" -o "eesp.keyfile:$DS_TMP/vkeys" -T fields \
			-E occurrence=a -E aggregator=, -E 'separator=|' "${args[@]}" 2>&1)
		check "vector $name" "$got" "$want"
		[ "$got" = "$want" ] || echo "     fields: $fields"
		if [ "$verdict" != ok ]; then
			got=$(ts -r "$(ds_file "$pcap")" -o "eesp.keyfile:$DS_TMP/vkeys" -Y eesp.expert.malformed \
				-T fields -E occurrence=a -E 'aggregator=|' -e _ws.expert.message 2>&1)
			check "vector $name: expert info names $verdict" \
				"$(tr '|' '\n' <<<"$got" | grep -c "^$verdict: ")" 1
		fi
		nvec=$((nvec + 1))
	done <<<"$exp"
	echo "vectors checked: $nvec"
}
