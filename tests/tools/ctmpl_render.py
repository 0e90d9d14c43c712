#!/usr/bin/python3
"""ctmpl_render.py - render the Vault Agent template of conf/examples/keydir
the way consul-template would, for tests/integration/54_key_dir_writers.sh.

Usage: ctmpl_render.py TEMPLATE SECRET_PATH FIELDS_JSON > rendered

This is not consul-template (Vault Agent is not in Debian): it knows only
the constructs that template uses, with Go template semantics, and stops
with an error on anything else, so that a change to the template that it
cannot check fails the test instead of passing unchecked:
  {{ /* comment */ }}, the trim markers {{- and -}},
  {{ with secret "PATH" }} ... {{ end }}  (PATH must be SECRET_PATH; the
      block sees {"Data": {"data": FIELDS}}, as a KV v2 read returns),
  {{ with .Data.data.NAME }} ... {{ end }}  (skipped when the field is
      missing or empty; inside, {{ . }} is the field),
  {{ .Data.data.NAME }}  ("<no value>" when missing, as Go templates
      print a missing map key without error_on_missing_key).
"""
import json
import re
import sys

TOKEN = re.compile(r"{{(-?)\s*(.*?)\s*(-?)}}", re.S)


def fail(msg):
    sys.exit("ctmpl_render.py: " + msg)


def tokens(src):
    """[("text", s) | ("action", s)], trim markers applied"""
    out, pos = [], 0
    for m in TOKEN.finditer(src):
        text = src[pos : m.start()]
        if m.group(1):
            text = text.rstrip()
        out.append(["text", text])
        out.append(["action", m.group(2), bool(m.group(3))])
        pos = m.end()
    out.append(["text", src[pos:]])
    for i, t in enumerate(out):
        if t[0] == "action" and t[2] and i + 1 < len(out):
            out[i + 1][1] = out[i + 1][1].lstrip()
    return out


def field(ctx, expr):
    m = re.fullmatch(r"\.Data\.data\.(\w+)", expr)
    if not m:
        fail("unsupported expression %r" % expr)
    if ctx is None or not isinstance(ctx, dict):
        fail("%s outside {{ with secret }}" % expr)
    return ctx["Data"]["data"].get(m.group(1))


def render(toks, i, ctx, depth, path, fields, out, emit):
    """render from toks[i] to the matching end; returns the index after it"""
    while i < len(toks):
        t = toks[i]
        i += 1
        if t[0] == "text":
            if emit:
                out.append(t[1])
            continue
        a = t[1]
        if a.startswith("/*"):
            continue
        if a == "end":
            if not depth:
                fail("{{ end }} without {{ with }}")
            return i
        m = re.fullmatch(r'with secret "([^"]+)"', a)
        if m:
            if m.group(1) != path:
                fail('the template reads secret "%s", the test serves "%s"' % (m.group(1), path))
            i = render(toks, i, {"Data": {"data": fields}}, depth + 1, path, fields, out, emit)
            continue
        m = re.fullmatch(r"with (\S+)", a)
        if m:
            v = field(ctx, m.group(1))
            i = render(toks, i, v, depth + 1, path, fields, out, emit and v not in (None, ""))
            continue
        if a == ".":
            if emit:
                out.append(str(ctx))
            continue
        v = field(ctx, a)
        if emit:
            out.append("<no value>" if v is None else str(v))
    if depth:
        fail("{{ with }} without {{ end }}")
    return i


def main():
    if len(sys.argv) != 4:
        fail("usage: ctmpl_render.py TEMPLATE SECRET_PATH FIELDS_JSON")
    src = open(sys.argv[1]).read()
    fields = json.loads(sys.argv[3])
    out = []
    toks = tokens(src)
    render(toks, 0, None, 0, sys.argv[2], fields, out, True)
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
