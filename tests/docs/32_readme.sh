#!/usr/bin/env bash
# tests/docs/32_readme.sh - README.md says only what exists and works.
#
#   - every relative link target exists, every #anchor names a heading;
#   - every `eespctl WORD` is a subcommand of cli/eespctl.c's table;
#   - every `make TARGET` is a target of the Makefile;
#   - every command of the "Key management with eespctl" table runs, in a
#     scratch directory, in table order (DIR = a scratch domain directory,
#     the PSP one for PSP rows); `-s SOCKET` is dropped (no daemon here:
#     rows that only talk to a daemon - show, status, reload, spi-alloc -
#     are run by the integration tests instead) and the key files must show
#     the effect: key add -> a next generation, rotate -> it is current,
#     retire -> the old one is gone.
# Exit 0 pass, 77 skip, 1 fail.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
B=${B:-build}
[ -f README.md ] || { echo "SKIP: no README.md"; exit 77; }
[ -x "$B/eespctl" ] || { echo "SKIP: $B/eespctl not built"; exit 77; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
T=$(mktemp -d /tmp/eesp-32_readme.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT

"$PY" - "$B" "$T" <<'PYEOF'
import os, re, subprocess, sys

B, T = sys.argv[1], sys.argv[2]
bad = []
readme = open("README.md").read()

# links
heads = set()
for h in re.findall(r"^#+ (.+)$", readme, re.M):
    slug = re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
    heads.add(slug)
for target in re.findall(r"\]\(([^)\s]+)\)", readme):
    if re.match(r"[a-z]+:", target):
        continue
    if target.startswith("#"):
        if target[1:] not in heads:
            bad.append("README link %s: no such heading" % target)
        continue
    if not os.path.exists(target.split("#")[0]):
        bad.append("README link %s: no such file" % target)

# eespctl subcommands
cmds = set(re.findall(r'\{\s*"([a-z][a-z0-9-]*)"\s*,\s*\w+_main\s*,', open("cli/eespctl.c").read()))
for w in sorted(set(re.findall(r"\beespctl ([a-z][a-z0-9-]*)", readme))):
    if w not in cmds:
        bad.append("README mentions 'eespctl %s', not a subcommand" % w)

# make targets
mk = open("Makefile").read()
targets = set(re.findall(r"^([a-z][a-z0-9_-]*)\s*:(?!=)", mk, re.M))
for line in re.findall(r"`([^`]*\bmake [^`]*)`|^(.*\bmake [^\n]*)$", readme, re.M):
    for seg in line:
        for t in re.findall(r"\bmake(?: -C \S+)? ([a-z][a-z0-9_-]*)", seg):
            if t in ("install", "uninstall") and "-C dissector" in seg:
                continue
            if t not in targets:
                bad.append("README mentions 'make %s', not a Makefile target" % t)

# the key management table, run
sec = readme.split("## Key management with eespctl", 1)
rows = []
if len(sec) == 2:
    body = sec[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|[^|]*\|\s*`([^`]*eespctl[^`]*)`\s*\|$", body, re.M)
if len(rows) < 8:
    bad.append("key management table: only %d command rows found" % len(rows))
env = dict(os.environ, PATH=os.path.abspath(B) + ":" + os.environ["PATH"])
subprocess.run("umask 077; eespctl genkey > next.key", shell=True, cwd=T, env=env, check=True)
ran = 0
for cmd in rows:
    if re.search(r"eespctl (show|status|reload|spi-alloc)\b", cmd):
        print("skip (daemon): " + cmd)
        continue
    d = os.path.join(T, "psp" if re.search(r"\bpsp\b", cmd) else "dom")
    c = re.sub(r"\s-s \S+", "", cmd).replace("DIR", d)
    r = subprocess.run(c, shell=True, cwd=T, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        bad.append("README command failed (%d): %s\n    %s" % (r.returncode, c, (r.stdout + r.stderr).strip().replace("\n", "\n    ")))
        continue
    ran += 1
    print("ok: " + c)
    keys = ""
    kf = os.path.join(T, "dom", "domain.keys")
    if os.path.exists(kf):
        keys = open(kf).read()
    if " key add " in c and not re.search(r"^domain 0 1 \S+.*next", keys, re.M):
        bad.append("after '%s' the key file has no next generation 1:\n%s" % (c, keys))
    if " rotate " in c and "psp" not in c and (not re.search(r"^domain 0 1 \S+", keys, re.M) or re.search(r"^domain 0 1 .*next", keys, re.M)):
        bad.append("after '%s' generation 1 is not current:\n%s" % (c, keys))
    if " retire " in c and re.search(r"^domain 0 0 ", keys, re.M):
        bad.append("after '%s' generation 0 is still in the key file" % c)
if ran < 8:
    bad.append("only %d key management commands ran" % ran)

for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
PYEOF
