#!/usr/bin/env python3
"""tests/docs/33_man_consistency.py MANDIR EESPCTL STATUS_C - the installed
manual pages say what the programs do (issue 17, item 6):

  1. every eespctl command line in a page's literal displays (.Bd -literal,
     .Dl) starts with a subcommand of `eespctl --help` and uses only options
     that `eespctl CMD --help` documents (`eespctl -s SOCKET show` does not
     run: -s belongs to the subcommand);
  2. every JSON skeleton of the rendered pages ({"key", ...} or
     {"key": ...}) is JSON once the placeholders are filled in; eespd(8)'s
     status object lists the keys that src/eespd/status.c writes, and its
     counters object has "workers" beside "counters", not inside it;
  3. every FILES entry names an absolute path or a placeholder (.Ar),
     never a path into the source tree;
  4. eespd(8) does not promise that no datagram accepted before a restart
     is accepted after it without the crash exception its BUGS section
     names.
Prints one line per problem; exit 1 if there is any.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

mandir, eespctl, status_c = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
pages = sorted(p for p in mandir.iterdir() if re.fullmatch(r".*\.[1-9]", p.name))
problems = []


def bad(page, msg):
    problems.append(f"{page.name}: {msg}")


def run(*args):
    r = subprocess.run(args, capture_output=True, text=True)
    return r.stdout + r.stderr


def render(page):
    out = run("mandoc", "-T", "utf8", "-O", "width=1000", str(page))
    return re.sub(r".\x08", "", out)


# ---------------------------------------------------------------- 1 --
help_text = run(eespctl, "--help")
subcommands = set(re.findall(r"^  ([a-z][a-z-]*) ", help_text.split("Available subcommands:")[-1], re.M))
if len(subcommands) < 10:
    bad(Path(eespctl), f"--help lists only {sorted(subcommands)}")
options = {}
for cmd in subcommands:
    usage = run(eespctl, cmd, "--help").split("\n\n")[0]
    options[cmd] = set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", usage)) | {"--help", "-h"}


def literal_lines(src):
    """(line number, text) of the lines of literal displays and .Dl."""
    inside = False
    for n, line in enumerate(src.splitlines(), 1):
        if line.startswith(".Bd") and "-literal" in line:
            inside = True
        elif line.startswith(".Ed"):
            inside = False
        elif inside and not line.startswith("."):
            yield n, line
        elif line.startswith(".Dl "):
            yield n, line[4:]


def unescape(text):
    return text.replace("\\e", "\\").replace("\\-", "-").replace("\\&", "").replace("\\ ", " ")


for page in pages:
    src = page.read_text()
    for n, line in literal_lines(src):
        words = unescape(line).split()
        for i, w in enumerate(words):
            if w != "eespctl" or (i and words[i - 1] not in ("$", "#", "|", "&&", ";")
                                  and not (i >= 3 and words[i - 3:i - 1] == ["netns", "exec"])):
                continue
            rest = words[i + 1:]
            if not rest:
                continue
            cmd = rest[0]
            if cmd not in subcommands and cmd not in ("--help", "-h", "--version", "-V"):
                bad(page, f"line {n}: `{' '.join(words[i:])}`: '{cmd}' is not an eespctl subcommand")
                break
            for w2 in rest[1:]:
                if w2 in ("|", ">", ">>", "<", "&&", ";", "&"):
                    break
                opt = w2.split("=")[0]
                if re.fullmatch(r"--?[a-z][a-z-]*", opt) and cmd in options and opt not in options[cmd]:
                    bad(page, f"line {n}: `{' '.join(words[i:])}`: eespctl {cmd} --help has no {opt}")
            break

# ---------------------------------------------------------------- 2 --


def balanced(text, start):
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "[": 1, "}": -1, "]": -1}.get(text[i], 0)
        if depth == 0:
            return text[start:i + 1]
    return text[start:]


def fill(skeleton):
    """A skeleton with placeholders -> JSON text: ... dropped, bare keys and
    words become null."""
    s = re.sub(r"\s+", " ", skeleton)
    s = re.sub(r"\.\.\.|\u2026", "", s)
    s = re.sub(r'("[^"]*")\s*(?=[,}])', r"\1: null", s)  # a key without a value
    s = re.sub(r"(?<=[:\[,])\s*([A-Za-z_][\w]*)\s*(?=[,}\]])", " null", s)  # N, T ...
    s = re.sub(r",\s*(?=[,}\]])", "", s)  # what ... left behind
    s = re.sub(r"([\[{])\s*,", r"\1", s)
    return s


def skeletons(text):
    for m in re.finditer(r'\{\s*"', text):
        yield balanced(text, m.start())


status_keys = counters_top = None
for page in pages:
    text = render(page)
    for sk in skeletons(text):
        try:
            obj = json.loads(fill(sk))
        except ValueError as e:
            bad(page, f"JSON skeleton does not parse ({e}): {sk[:160]}")
            continue
        if page.name == "eespd.8" and isinstance(obj, dict):
            if "replay_floor" in obj:
                status_keys = list(obj)
            if "counters" in obj:
                counters_top = set(obj)
if (mandir / "eespd.8").exists():
    code = status_c.read_text()
    m = re.search(r"void status_line\(.*?if \(json\) \{(.*?)return;", code, re.S)
    want = re.findall(r'\\"([a-z_]+)\\":', m.group(1)) if m else []
    if not want:
        bad(status_c, "status_line's JSON keys not found")
    elif status_keys != want:
        bad(mandir / "eespd.8", f"status JSON keys {status_keys} are not status.c's {want}")
    if counters_top is None or "workers" not in counters_top:
        bad(mandir / "eespd.8", f"counters JSON: \"workers\" must be a top-level key (status.c), got {counters_top}")

# ---------------------------------------------------------------- 3 --
for page in pages:
    src = page.read_text()
    m = re.search(r"^\.Sh FILES\n(.*?)(?=^\.Sh )", src, re.S | re.M)
    if not m:
        continue
    for line in m.group(1).splitlines():
        if not line.startswith(".It "):
            continue
        words = line.split()[1:]
        if words and words[0] == "Pa" and len(words) > 1 and not words[1].startswith("/"):
            bad(page, f"FILES entry is not an absolute path: {line}")

# ---------------------------------------------------------------- 4 --
eespd8 = mandir / "eespd.8"
if eespd8.exists():
    text = render(eespd8)
    bugs = text.split("\nBUGS")[-1]
    exception = re.search(r"crash.{0,200}ahead", re.sub(r"\s+", " ", bugs))
    for para in re.split(r"\n\s*\n", text.split("\nBUGS")[0]):
        flat = re.sub(r"\s+", " ", para)
        if re.search(r"accepted before a restart is not accepted after it", flat) and exception \
                and "ahead" not in flat and "BUGS" not in flat:
            bad(eespd8, "the replay section promises that no datagram accepted before a restart "
                "is accepted after it, but BUGS names an exception: " + flat[:200])

for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
