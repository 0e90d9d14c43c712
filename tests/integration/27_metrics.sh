#!/usr/bin/env bash
# 27: `eespctl metrics` (issue 17, metrics): the Prometheus text exposition
# of a running daemon with traffic and drops passes `promtool check
# metrics`; it holds every counter of `counters` (each per worker, the
# drops per reason, the sums between two readings of `counters`), the
# traffic per trust domain, and the key generations with their age (a key
# added by a reload is younger, an old key keeps its age across the
# reload); --output replaces its file by rename and removes it when the
# daemon does not answer.
. "$(dirname "$0")/lib.sh"
it_init
require_cmd promtool
INJECT=$B/tools/inject
[ -x "$INJECT" ] || skip "$INJECT not built (make tools)"
[ -x "$EESPCTL" ] || skip "$EESPCTL not built"
net_create 2
keys_eesp
IT_WORKERS=2
conf_eesp 1 "2"
conf_eesp 2 "1"
daemon_start 1
daemon_start 2
ping_ok 1 "$(in4 2)" 3
ping_ok 2 "$(in6 1)" 3

# drops of many reasons at node 2 (inject says how many of each)
counters 2 >"$IT_DIR/before"
nsx 1 "$INJECT" -d "$(ul4 2)" -p "$IT_PORT" -s "$IT_DOMAIN_ID" -k "$IT_ROOT_KEY" -g "$IT_ROOT_GEN" \
	-n 9 -S 192.0.2.9 -D "$(in4 2)" -X 203.0.113.7 -r 2 -N 1-254 -c 200 >"$IT_DIR/inject.out" ||
	fail "inject: $(cat "$IT_DIR/inject.out")"
total=$(awk '$1 == "total" { print $2 }' "$IT_DIR/inject.out")
# settled, not only received: rx_datagrams counts before the verdict
rx_settled 2 "$IT_DIR/before" "$total" 10 || fail "node 2 did not finish the $total injected datagrams"

# counters, metrics, counters again: each metric between the two readings
counters 2 >"$IT_DIR/c1"
out=$("$EESPCTL" metrics -s "$(node_sock 2)" 2>&1) || fail "eespctl metrics: $out"
printf '%s\n' "$out" >"$IT_DIR/m.prom"
counters 2 >"$IT_DIR/c2"
lint=$(promtool check metrics <"$IT_DIR/m.prom" 2>&1) || fail "promtool check metrics: $lint"
log "promtool check metrics: clean ($(grep -vc '^#' "$IT_DIR/m.prom") samples, $(grep -c '^# TYPE' "$IT_DIR/m.prom") families)"
"$PY" - "$IT_DIR/m.prom" "$IT_DIR/c1" "$IT_DIR/c2" "$IT_DIR/inject.out" <<'EOF' || fail "metrics do not match the counters"
import re, sys
prom, c1, c2, inj = sys.argv[1:]
samples, types, helps = {}, {}, set()
for line in open(prom):
    line = line.rstrip("\n")
    m = re.match(r"# TYPE (\S+) (\S+)$", line)
    if m:
        types[m.group(1)] = m.group(2)
        continue
    m = re.match(r"# HELP (\S+) .+", line)
    if m:
        helps.add(m.group(1))
        continue
    m = re.match(r'(\w+)\{([^}]*)\} (\d+)$', line)
    assert m, "unparsed sample line: " + line
    labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2)))
    assert labels.get("interface") == "eesp0", "no interface label: " + line
    samples.setdefault(m.group(1), []).append((labels, int(m.group(3))))
bad = []
for f in samples:
    if f not in types or f not in helps:
        bad.append("family %s without TYPE or HELP" % f)
lo = {k: int(v) for k, v in (l.split() for l in open(c1))}
hi = {k: int(v) for k, v in (l.split() for l in open(c2))}
drop_families = ("eesp_rx_dropped_total", "eesp_tx_dropped_total", "eesp_internal_errors_total")
for name in lo:
    fam = [f for f in drop_families if any(l.get("reason") == name for l, _ in samples.get(f, []))]
    if fam:
        got = [(l, v) for l, v in samples[fam[0]] if l["reason"] == name]
        where = "%s{reason=%s}" % (fam[0], name)
    else:
        got = samples.get("eesp_%s_total" % name, [])
        where = "eesp_%s_total" % name
        if types.get(where) != "counter":
            bad.append("%s: TYPE %s" % (where, types.get(where)))
    workers = sorted(l.get("worker") for l, _ in got)
    if workers != ["0", "1"]:
        bad.append("%s: workers %s, not 0 and 1" % (where, workers))
    s = sum(v for _, v in got)
    if not lo[name] <= s <= hi[name]:
        bad.append("%s: %d, counters said %d then %d" % (where, s, lo[name], hi[name]))
# the injected drops are there under their reason, and traffic per domain
for line in open(inj):
    w = line.split()
    if w and w[0] == "expect" and int(w[2]) > 0:
        fam = [f for f in drop_families if any(l.get("reason") == w[1] for l, _ in samples.get(f, []))]
        if not fam or sum(v for l, v in samples[fam[0]] if l["reason"] == w[1]) < int(w[2]):
            bad.append("injected %s %s not in the drop families" % (w[2], w[1]))
rxd = sum(v for l, v in samples.get("eesp_domain_rx_packets_total", []) if l.get("domain") == "lab")
if rxd < 3:
    bad.append("eesp_domain_rx_packets_total{domain=lab} %d" % rxd)
print("auth_failed:", [v for l, v in samples["eesp_rx_dropped_total"] if l["reason"] == "auth_failed"])
for b in bad:
    print("  " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
grep -q '^# TYPE eesp_rx_dropped_total counter$' "$IT_DIR/m.prom" || fail "no TYPE line for eesp_rx_dropped_total"
grep -E '^eesp_rx_dropped_total\{interface="eesp0",reason="auth_failed",worker="[01]"\} [1-9]' "$IT_DIR/m.prom" >/dev/null ||
	fail "no auth_failed drops in the metrics: $(grep auth_failed "$IT_DIR/m.prom")"
grep -q '^eesp_key_generation{interface="eesp0",domain="lab",level="domain",id="0",slot="current"} 1$' "$IT_DIR/m.prom" ||
	fail "the current generation 1 is not in the metrics: $(grep eesp_key_generation "$IT_DIR/m.prom")"

# key ages: generation 1 ages; a generation added by a reload is younger,
# and generation 1 keeps its age across the reload
age_of() { # age_of NODE SLOT
	"$EESPCTL" metrics -s "$(node_sock "$1")" |
		sed -n "s/^eesp_key_age_seconds{interface=\"eesp0\",domain=\"lab\",level=\"domain\",id=\"0\",slot=\"$2\"} //p"
}
old_enough() { [ "$(age_of 2 current)" -ge 2 ] 2>/dev/null; }
wait_for 10 old_enough || fail "the age of generation 1 does not grow: $(age_of 2 current)"
echo "domain 0 2 $(hex32) next" >>"$(node_dir 2)/keys/lab.keys"
ctl 2 reload | grep '^ok' >/dev/null || fail "reload with generation 2 as next"
m=$("$EESPCTL" metrics -s "$(node_sock 2)") || fail "metrics after the reload"
g2=$(sed -n 's/^eesp_key_generation{interface="eesp0",domain="lab",level="domain",id="0",slot="next"} //p' <<<"$m")
[ "$g2" = 2 ] || fail "generation 2 is not next in the metrics: $(grep eesp_key_ <<<"$m")"
a1=$(sed -n 's/^eesp_key_age_seconds{.*slot="current"} //p' <<<"$m")
a2=$(sed -n 's/^eesp_key_age_seconds{.*slot="next"} //p' <<<"$m")
[ -n "$a1" ] && [ -n "$a2" ] && [ "$a1" -ge 2 ] && [ "$a2" -lt "$a1" ] ||
	fail "key ages after the reload: generation 1 ${a1:-none} s (held since the start), generation 2 ${a2:-none} s"
log "key ages: generation 1 (current) $a1 s, generation 2 (next, just loaded) $a2 s"

# --output: replaced by rename, no temporary file left, mode 0644, valid
tf=$IT_DIR/textfile
mkdir -p "$tf"
"$EESPCTL" metrics -s "$(node_sock 2)" -o "$tf/eesp0.prom" || fail "metrics --output"
ino1=$(stat -c %i "$tf/eesp0.prom")
"$EESPCTL" metrics -s "$(node_sock 2)" --output "$tf/eesp0.prom" || fail "metrics --output (again)"
ino2=$(stat -c %i "$tf/eesp0.prom")
[ "$ino1" != "$ino2" ] || fail "--output rewrote the file in place (inode $ino1 kept), not by rename"
[ "$(stat -c %a "$tf/eesp0.prom")" = 644 ] || fail "--output file mode $(stat -c %a "$tf/eesp0.prom"), not 644"
[ "$(ls -A "$tf")" = eesp0.prom ] || fail "files left in the textfile directory: $(ls -A "$tf")"
lint=$(promtool check metrics <"$tf/eesp0.prom" 2>&1) || fail "promtool on the --output file: $lint"
# the daemon gone: exit 1, and no stale file
daemon_stop 2
out=$("$EESPCTL" metrics -s "$(node_sock 2)" -o "$tf/eesp0.prom" 2>&1) && fail "metrics --output without a daemon succeeded"
[ ! -e "$tf/eesp0.prom" ] || fail "--output left the stale file when the daemon did not answer: $out"
log "no daemon: $out"
log "PASS"
