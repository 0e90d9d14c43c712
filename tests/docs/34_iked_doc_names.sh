#!/usr/bin/env bash
# tests/docs/34_iked_doc_names.sh - eesp-iked's pages name what its code knows.
#   1. every setting of the allow-lists of src/iked/conf.c, conf_peers.c, conf_kd.c, conf_gcks.c and conf_pair.c
#      (keys_*[]) has an ".It Ic <key>" in man/eesp-iked.conf.5, and every
#      ".It Ic" there is in an allow-list;
#   2. every counter of src/iked/counters.h is named (".Cm <name>") in the
#      COUNTERS section of man/eesp-iked.8;
#   3. every verb of src/core/ikedctl.c is an ".It Cm" of the CONTROL
#      SOCKET section of man/eesp-iked.8.
# Exit 0 pass, 77 skip, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
command -v "$PY" >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
for f in src/iked/conf.c src/iked/conf_peers.c src/iked/conf_kd.c src/iked/conf_gcks.c src/iked/conf_pair.c src/iked/counters.h src/core/ikedctl.c \
	man/eesp-iked.conf.5 man/eesp-iked.8; do
	[ -e "$f" ] || { echo "FAIL: $f missing (moved? update this test)"; exit 1; }
done
"$PY" - <<'PYEOF'
import re, sys
bad = []
src = "".join(open(f).read() for f in ("src/iked/conf.c", "src/iked/conf_peers.c", "src/iked/conf_kd.c", "src/iked/conf_gcks.c", "src/iked/conf_pair.c"))
keys = set()
for m in re.finditer(r"keys_\w+\[\]\s*=\s*\{(.*?)\}", src, re.S):
    keys.update(re.findall(r'"([a-z_0-9]+)"', m.group(1)))
if len(keys) < 20:
    bad.append("only %d settings found in the allow-lists (extraction broken?)" % len(keys))
page = open("man/eesp-iked.conf.5").read()
doc = set(re.findall(r"^\.It Ic ([a-z_0-9]+)", page, re.M))
for k in ("daemon", "ike", "code_points", "gcks", "peers"):
    if not re.search(r"^\.Ss The %s (group|list)" % k, page, re.M):
        bad.append("eesp-iked.conf.5 has no section for '%s'" % k)
    doc.add(k)
for k in sorted(keys - doc):
    bad.append("man/eesp-iked.conf.5 does not document the setting '%s'" % k)
for k in sorted(doc - keys):
    bad.append("man/eesp-iked.conf.5 documents '%s', which src/iked/conf*.c does not know" % k)
print("settings: %d in the allow-lists, %d documented" % (len(keys), len(doc & keys)))

man8 = open("man/eesp-iked.8").read()
sec = re.search(r"^\.Sh COUNTERS\n(.*?)(?=^\.Sh )", man8, re.S | re.M)
named = set(re.findall(r"\bCm ([a-z_0-9]+)", sec.group(1))) if sec else set()
counters = re.findall(r'X\(\w+, "([a-z_0-9]+)", [01]\)', open("src/iked/counters.h").read())
if len(counters) < 20:
    bad.append("only %d counters found in counters.h (extraction broken?)" % len(counters))
for c in counters:
    if c not in named:
        bad.append("man/eesp-iked.8 COUNTERS does not name the counter '%s'" % c)
print("counters: %d of the engine, %d named" % (len(counters), len(set(counters) & named)))

verbs = re.findall(r'\{"([a-z-]+)", IKED_CTL_\w+,', open("src/core/ikedctl.c").read())
sec = re.search(r"^\.Sh CONTROL SOCKET\n(.*?)(?=^\.Sh )", man8, re.S | re.M)
documented = set(re.findall(r"^\.It Cm ([a-z-]+)", sec.group(1), re.M)) if sec else set()
for v in verbs:
    if v not in documented:
        bad.append("man/eesp-iked.8 CONTROL SOCKET does not document the verb '%s'" % v)
print("control verbs: %d, %d documented" % (len(verbs), len(set(verbs) & documented)))
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PYEOF
