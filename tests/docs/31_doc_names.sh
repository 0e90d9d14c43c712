#!/usr/bin/env bash
# tests/docs/31_doc_names.sh - the manual pages name what the code knows.
#
# 1. Configuration keys.  Every key the daemon's parser knows (src/eespd/
#    conf*.c: the names in its keys_* allow-lists and every string literal
#    passed as the setting name to cfg_str/cfg_u32/cfg_u64/cfg_bool/cfg_word/
#    cfg_prefix_list/config_setting_get_member/config_lookup) must be documented
#    in man/eespd.conf.5 as ".It Ic <key>" (or ", Ic <key>" on such a line);
#    every key the parser reads must also be in one of its allow-lists (else
#    eespd refuses the documented key as "unknown setting"); and every ".It Ic"
#    key of the page's group sections must be known to the parser.
# 2. eespctl subcommands.  Every entry of the dispatch table in cli/eespctl.c
#    has an ".It Cm <name>" in man/eespctl.8, every ".It Cm" of the COMMANDS
#    section is in the table, and the built eespctl's --help lists them all.
# 3. Words.  Every drop reason of src/core/errors.h is named in the Counters
#    section of man/eespd.8, and every PSP version of src/core/names.h
#    (number and word) in man/eespd.conf.5's psp group and man/eesp.7.
# Exit 0 pass, 77 skip, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
command -v "$PY" >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
# the sources are part of the tree: a missing one means this test is out of
# date, which must fail rather than skip
for f in src/eespd/conf.c src/eespd/conf_domain.c src/eespd/conf_peers.c man/eespd.conf.5 \
	cli/eespctl.c man/eespctl.8 src/core/errors.h src/core/names.h man/eespd.8 man/eesp.7; do
	[ -e "$f" ] || { echo "FAIL: $f missing (moved? update this test)"; exit 1; }
done

"$PY" - "$B" <<'PYEOF'
import os, re, subprocess, sys

B = sys.argv[1]
bad = []
src = "".join(open("src/eespd/" + f).read() for f in ("conf.c", "conf_domain.c", "conf_peers.c"))
# strip comments so commented-out code does not count
src = re.sub(r"/\*.*?\*/", " ", src, flags=re.S)
src = re.sub(r"//[^\n]*", " ", src)

# --- 1. configuration keys -------------------------------------------------
allow = {}
for m in re.finditer(r"keys_(\w+)\s*\[\s*\]\s*=\s*\{(.*?)\}", src, re.S):
    allow[m.group(1)] = re.findall(r'"([a-z_0-9]+)"', m.group(2))
allowed = set(k for v in allow.values() for k in v)
if not allowed:
    bad.append("conf*.c: no keys_*[] allow-lists found (extraction broken?)")

calls = r"(?:cfg_str|cfg_u32|cfg_u64|cfg_bool|cfg_word|cfg_prefix_list|cfg_ranges|config_setting_get_member|config_lookup|config_setting_lookup\w*|config_lookup\w*)"
read = set()
for m in re.finditer(calls + r'\s*\(([^;{}]*?)"([a-z_0-9.]+)"', src, re.S):
    # only the first string literal after the call's opening parenthesis
    if '"' in m.group(1):
        continue
    read.add(m.group(2).split(".")[-1])
if len(read) < 10:
    bad.append("conf*.c: only %d keys read (extraction broken?): %s" % (len(read), sorted(read)))

for k in sorted(read - allowed):
    bad.append("src/eespd/conf*.c reads '%s' but no keys_*[] allow-list has it: eespd refuses it as an unknown setting" % k)

man = open("man/eespd.conf.5").read()
# documented keys: ".It Ic key ..." and further ", Ic key" on the same .It line
doc = set()
group_part = man.split("\n.Sh KEY FILES")[0]
for line in group_part.splitlines():
    if line.startswith(".It "):
        doc.update(re.findall(r"\bIc ([a-z_0-9]+)", line))
alldoc = set(re.findall(r"\bIc ([a-z_0-9]+)", man))
# the top-level groups are documented as section titles ("The daemon group")
for sec in re.findall(r"^\.S[sh] The (\w+) (?:group|list)", man, re.M):
    doc.add(sec)
    alldoc.add(sec)
known = allowed | read
for k in sorted(known):
    if k not in doc and k not in alldoc:
        bad.append("man/eespd.conf.5 does not document the configuration key '%s'" % k)
    elif k not in doc:
        print("note: '%s' is mentioned (Ic) in eespd.conf.5 but has no .It entry" % k)
for k in sorted(doc - known):
    bad.append("man/eespd.conf.5 documents '%s', which src/eespd/conf*.c does not know" % k)
print("config keys: %d known to the parser, %d documented" % (len(known), len(doc & known)))

# --- 2. eespctl subcommands -------------------------------------------------
cli = open("cli/eespctl.c").read()
cmds = re.findall(r'\{\s*"([a-z][a-z0-9-]*)"\s*,\s*\w+_main\s*,', cli)
if len(cmds) < 5:
    bad.append("cli/eespctl.c: only %d subcommands found (extraction broken?)" % len(cmds))
page = open("man/eespctl.8").read()
m = re.search(r"^\.Sh COMMANDS\n(.*?)(?=^\.Sh )", page, re.S | re.M)
commands = m.group(1) if m else ""
if not m:
    bad.append("man/eespctl.8 has no COMMANDS section")
documented = set(re.findall(r"^\.It Cm ([a-z][a-z0-9-]*)", commands, re.M))
for c in cmds:
    if c not in documented:
        bad.append("man/eespctl.8 does not document the subcommand '%s'" % c)
for c in sorted(documented - set(cmds)):
    bad.append("man/eespctl.8 documents '%s', which is not in cli/eespctl.c's table" % c)
exe = os.path.join(B, "eespctl")
if os.access(exe, os.X_OK):
    out = subprocess.run([exe, "--help"], capture_output=True, text=True)
    txt = out.stdout + out.stderr
    listed = set(re.findall(r"^\s+([a-z][a-z0-9-]*)\s{2,}", txt, re.M))
    for c in cmds:
        if c not in listed:
            bad.append("eespctl --help does not list '%s'" % c)
else:
    print("note: %s not built, --help not checked" % exe)
print("eespctl subcommands: %d in the table, %d documented" % (len(cmds), len(documented & set(cmds))))

# --- 3. words ---------------------------------------------------------------
reasons = re.findall(r'X\([A-Z_0-9]+, *"([a-z_0-9]+)"\)', open("src/core/errors.h").read())
if len(reasons) < 20:
    bad.append("src/core/errors.h: only %d drop reasons found (extraction broken?)" % len(reasons))
m = re.search(r"^\.Ss Counters\n(.*?)(?=^\.S[sh] )", open("man/eespd.8").read(), re.S | re.M)
counters = m.group(1) if m else ""
if not m:
    bad.append("man/eespd.8 has no Counters section")
for r in reasons:
    if r != "ok" and not re.search(r"\b%s\b" % r, counters):
        bad.append("man/eespd.8 Counters does not name the drop reason '%s' (src/core/errors.h)" % r)
names = open("src/core/names.h").read()
m = re.search(r"eesp_psp_version_names\[\] = \{(.*?)\{0, NULL\}", names, re.S)
versions = re.findall(r'\{PSP_VER_(\w+), "([a-z0-9-]+)"\}', m.group(1)) if m else []
if len(versions) < 4:
    bad.append("src/core/names.h: eesp_psp_version_names has %d entries (extraction broken?)" % len(versions))
m = re.search(r"^\.Ss The psp group.*?\n(.*?)(?=^\.S[sh] )", man, re.S | re.M)
pspgroup = m.group(1) if m else ""
eesp7 = open("man/eesp.7").read().lower()
for i, (_, word) in enumerate(versions):
    # names.h lists the versions in order 0..3; the page says "N = AES-GCM-128"
    if not re.search(r"\b%d = %s\b" % (i, re.escape(word)), pspgroup, re.I):
        bad.append("man/eespd.conf.5 psp group: no '%d = %s' for the version" % (i, word.upper()))
    if word not in eesp7:
        bad.append("man/eesp.7 does not name the PSP version '%s'" % word)
print("drop reasons: %d, PSP versions: %d" % (len(reasons) - 1, len(versions)))

for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PYEOF
