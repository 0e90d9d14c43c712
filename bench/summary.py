#!/usr/bin/env python3
"""bench/summary.py - turn bench.sh's raw rows and bench_micro's output into
bench/results/<date>.md (medians with min-max, ratios, the targets of issues
7 and 18 marked met or missed) and the data file plot.gp draws.

Raw rows: round, system, "ok" or "not run: why", then key=value fields
(bench/measure.sh)."""
import argparse
import statistics

ap = argparse.ArgumentParser()
ap.add_argument("--raw", required=True)
ap.add_argument("--trials", required=True)
ap.add_argument("--micro", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--dat", required=True)
ap.add_argument("--seconds", type=int, default=0)
ap.add_argument("--rounds", type=int, default=0)
ap.add_argument("--host", default="")
ap.add_argument("--perf", default="")
ap.add_argument("--tcp-seconds", default="10")
ap.add_argument("--udp-step", default="2")
ap.add_argument("--pings", default="50")
ap.add_argument("--flood-pps", default="50000")
a = ap.parse_args()

LABEL = {
    "veth": "plain veth (no tunnel)",
    "quicktun": "quicktun raw (no crypto)",
    "wireguard": "wireguard-go (Debian) + wg",
    "openvpn": "OpenVPN 2.6 AES-128-GCM",
    "eesp": "eespd EESP (AES-GCM-128)",
    "psp": "eespd PSP v0 (AES-GCM-128)",
    "eesp2w": "eespd EESP, workers = 2",
}
PEERS = ["quicktun", "wireguard", "openvpn"]
EESPD = ["eesp", "psp"]


def num(x):
    try:
        v = float(x)
        return None if v != v else v
    except (TypeError, ValueError):
        return None


order, rows, notrun = [], {}, {}
for line in open(a.raw):
    f = line.rstrip("\n").split("\t")
    if len(f) < 3:
        continue
    rnd, sysname = f[0], f[1]
    if sysname not in order:
        order.append(sysname)
    if f[2] != "ok":
        notrun.setdefault(sysname, []).append("round %s: %s" % (rnd, f[2]))
        continue
    kv = dict(x.split("=", 1) for x in f[3:] if "=" in x)
    r = {k: num(v) for k, v in kv.items()}
    r["round"], r["reasons"] = rnd, kv.get("fl_reasons", "")
    for p in ("tcp_", "tcp4_", "fl_"):
        g, cpu, wall = r.get(p + "gbps"), r.get(p + "cpu"), r.get(p + "wall")
        if cpu is not None and wall and g:
            r[p + "cores"] = cpu / wall
            r[p + "cpg"] = cpu / wall / g
    rows.setdefault(sysname, []).append(r)


def col(s, key):
    return [r[key] for r in rows.get(s, []) if r.get(key) is not None]


def med(s, key):
    v = col(s, key)
    return statistics.median(v) if v else None


def cell(s, key, fmt):
    v = col(s, key)
    if not v:
        return "–"
    if len(v) == 1:
        return fmt % v[0]
    return (fmt + " (" + fmt + "–" + fmt + ")") % (statistics.median(v), min(v), max(v))


veth_ping = med("veth", "ping")
for s in rows:
    for r in rows[s]:
        r["added"] = r["ping"] - veth_ping if r.get("ping") is not None and veth_ping else None
        # per round, under the flood against clean
        if r.get("fl_gbps") is not None and r.get("tcp_gbps"):
            r["fl_tcp_ratio"] = r["fl_gbps"] / r["tcp_gbps"]
        if r.get("fl_ping") is not None and r.get("ping"):
            r["fl_ping_ratio"] = r["fl_ping"] / r["ping"]
        if r.get("fl_sent"):
            r["fl_uncounted"] = r["fl_sent"] - r.get("fl_counted", 0) - r.get("fl_kdrop", 0)

micro = {}
micro_text = open(a.micro).read()
for line in micro_text.splitlines():
    p = line.split()
    if len(p) >= 2 and not line.startswith("#"):
        try:
            micro[p[0]] = float(p[1])
        except ValueError:
            pass

o = []
w = o.append


def verdict(ok):
    return "" if ok is None else (" **met**" if ok else " **missed**")


def ratio(x, y):
    return "%.2f×" % (x / y) if x is not None and y else "–"


w("# eesp benchmark, %s\n" % a.out.rsplit("/", 1)[-1].replace(".md", ""))
w("Produced by `make bench` (bench/bench.sh) in one run: %d rounds, systems alternating in each "
  "round, fresh namespaces for every measurement; %d s in total. Machine: %s.\n" %
  (a.rounds, a.seconds, a.host))
w("Cells: median (min–max) over the rounds. TCP: `iperf3 -t %s -O 1`, receiver Gbit/s, sender "
  "retransmits. Daemon cores = CPU seconds of both daemons (utime+stime) / wall time of the "
  "test. UDP: 64-byte payload, sent by bench/udpgen.c (sendmmsg), highest delivered rate with "
  "< 1%% loss found by a rate sweep (%s s steps). Ping: median of %s pings at 0.05 s; added = "
  "minus plain veth's median. Load: the 1-minute load average at the end of each row.\n"
  % (a.tcp_seconds, a.udp_step, a.pings))
w("| system | TCP Gbit/s | retransmits | daemon cores | cores per Gbit/s | UDP 64 B kpps < 1% loss "
  "| ping median ms | added ms | load |")
w("|---|---|---|---|---|---|---|---|---|")
for s in order:
    if s in rows:
        w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            LABEL.get(s, s), cell(s, "tcp_gbps", "%.3f"), cell(s, "tcp_retr", "%.0f"),
            cell(s, "tcp_cores", "%.2f"), cell(s, "tcp_cpg", "%.2f"), cell(s, "udp_kpps", "%.1f"),
            cell(s, "ping", "%.3f"), cell(s, "added", "%.3f"), cell(s, "load", "%.1f")))
    if s in notrun:
        w("| %s | %s | | | | | | | |" % (LABEL.get(s, s), notrun[s][0].split(": ", 1)[-1]))
w("")


def best_peer(key, higher=True):
    cands = [(med(p, key), p) for p in PEERS if med(p, key) is not None]
    if not cands:
        return None, None
    return (max if higher else min)(cands)


# ------------------------------------------------------------ issue 18 --
bp_ping = best_peer("added", higher=False)
vg, vu, v4 = med("veth", "tcp_gbps"), med("veth", "udp_kpps"), med("veth", "tcp4_gbps")
w("## The targets of issue 18\n")
w("Ratios against what the same run measured: plain veth TCP %s Gbit/s (one stream), %s Gbit/s "
  "(`-P 4`), UDP %s kpps with udpgen; best peer's added ping %s.\n" % (
      "%.3f" % vg if vg else "–", "%.3f" % v4 if v4 else "–", "%.1f" % vu if vu else "–",
      "%s %.3f ms" % (bp_ping[1], bp_ping[0]) if bp_ping[0] is not None else "–"))
w("| target | eespd EESP | eespd PSP |")
w("|---|---|---|")


def both(fn):
    return [fn(s) if s in rows else "not run" for s in EESPD]


def t1(s):
    ad = med(s, "added")
    if ad is None:
        return "–"
    ok = ad <= 0.05 and (bp_ping[0] is None or ad < bp_ping[0])
    return "%.3f ms%s" % (ad, verdict(ok))


def t2(s):
    g, c = med(s, "tcp_gbps"), med(s, "tcp_cpg")
    if g is None or not vg:
        return "–"
    return "%.3f Gbit/s = %.2f× veth%s; %s cores/Gbit/s%s" % (
        g, g / vg, verdict(g / vg >= 0.5), "%.2f" % c if c is not None else "–",
        verdict(None if c is None else c <= 0.3))


def t4(s):
    u = med(s, "udp_kpps")
    if u is None or not vu:
        return "–"
    return "%.1f kpps = %.2f× veth%s" % (u, u / vu, verdict(u / vu >= 0.95))


def t5b(s):
    tr, pr = med(s, "fl_tcp_ratio"), med(s, "fl_ping_ratio")
    if tr is None:
        return "–"
    unc = max(col(s, "fl_uncounted") or [0])
    cores = med(s, "fl_gen_cores")
    reasons = sorted({r["reasons"] for r in rows[s] if r.get("reasons")})
    return ("TCP %.3f Gbit/s = %.2f× clean%s; ping %.3f ms = %.2f× clean%s; %d sent, %d counted by "
            "eespd, %d dropped by the kernel, uncounted %d%s (%s); generator %.0f pps, %.2f cores" % (
                med(s, "fl_gbps"), tr, verdict(tr >= 0.8), med(s, "fl_ping") or 0, pr or 0,
                verdict(None if pr is None else pr <= 2), med(s, "fl_sent") or 0,
                med(s, "fl_counted") or 0, med(s, "fl_kdrop") or 0, unc, verdict(unc <= 0),
                "; ".join(reasons) or "-", med(s, "fl_pps") or 0, cores or 0))


w("| 1. added idle latency ≤ 0.05 ms and below every peer's | %s | %s |" % tuple(both(t1)))
w("| 2. one TCP stream ≥ 0.5× veth, ≤ 0.3 daemon cores per Gbit/s | %s | %s |" % tuple(both(t2)))
g2, g24 = med("eesp2w", "tcp_gbps"), med("eesp2w", "tcp4_gbps")
w("| 3. `iperf3 -P 4`, workers = 2 (reported) | %s | |" % (
    "%.3f Gbit/s = %s its one stream (%s Gbit/s), %s veth -P 4; %s cores/Gbit/s" % (
        g24, ratio(g24, g2), "%.3f" % g2 if g2 else "–", ratio(g24, v4),
        cell("eesp2w", "tcp4_cpg", "%.2f")) if g24 else "not run"))
w("| 4. 64-byte UDP ≥ 0.95× veth's lossless rate (veth: %s kpps) | %s | %s |" % (
    "%.1f" % vu if vu else "–", *both(t4)))
lo, fo, mi = micro.get("legit_open64_ns"), micro.get("forged_open64_ns"), micro.get("legit_in_mix_ns")
w("| 5a. bench_micro: forged open ≤ 2× a cached legitimate one; legitimate 1:1 with forged ≤ +20%% "
  "| %s | (EESP only) |" % (
      "%.0f ns = %.2f×%s; mixed %.0f ns (%+.0f%%)%s" % (
          fo, fo / lo, verdict(fo <= 2 * lo), mi, 100 * (mi / lo - 1), verdict(mi <= 1.2 * lo))
      if lo and fo and mi else "–"))
w("| 5b. flood of forged datagrams at %s pps from a third namespace: TCP ≥ 0.8× clean, ping ≤ 2× "
  "clean, every one counted | %s | %s |" % (a.flood_pps, *both(t5b)))
dc, dh = micro.get("derive_cmac_ns"), micro.get("derive_hmac_ns")
dn = micro.get("derive_newmaster_cmac_ns")
w("| 6. generic eesp_derive_data_key ≤ 1 µs | %s | |" % (
    "CMAC %.0f ns%s, HMAC %.0f ns%s%s" % (
        dc, verdict(dc <= 1000), dh, verdict(dh <= 1000),
        "; a new master every call: CMAC %.0f ns%s" % (dn, verdict(dn <= 1000)) if dn else "")
    if dc and dh else "–"))
w("")

# ------------------------------------------------------------- issue 7 --
w("## Ratios and the targets of issue 7\n")
bp_tcp = best_peer("tcp_gbps")
bp_udp = best_peer("udp_kpps")
w("Best peer of this run: TCP %s, UDP %s, added ping %s.\n" % (
    "%s %.3f Gbit/s" % (bp_tcp[1], bp_tcp[0]) if bp_tcp[0] else "–",
    "%s %.1f kpps" % (bp_udp[1], bp_udp[0]) if bp_udp[0] else "–",
    "%s %.3f ms" % (bp_ping[1], bp_ping[0]) if bp_ping[0] is not None else "–"))
w("| eespd mode | TCP vs best peer (target ≥ 3×) | TCP vs veth | cores per Gbit/s (target ≤ 1) "
  "| UDP vs best peer (target ≥ 2×) | UDP vs veth | added ping vs best peer (target ≤) |")
w("|---|---|---|---|---|---|---|")
for s in EESPD:
    if s not in rows:
        w("| %s | not run | | | | | |" % LABEL[s])
        continue
    g, u, c, ad = med(s, "tcp_gbps"), med(s, "udp_kpps"), med(s, "tcp_cpg"), med(s, "added")
    rt = g / bp_tcp[0] if g and bp_tcp[0] else None
    ru = u / bp_udp[0] if u and bp_udp[0] else None
    w("| %s | %s%s | %s | %s%s | %s%s | %s | %s vs %s%s |" % (
        LABEL[s], ratio(g, bp_tcp[0]), verdict(None if rt is None else rt >= 3), ratio(g, vg),
        "%.2f" % c if c is not None else "–", verdict(None if c is None else c <= 1),
        ratio(u, bp_udp[0]), verdict(None if ru is None else ru >= 2), ratio(u, vu),
        "%.3f ms" % ad if ad is not None else "–",
        "%.3f ms" % bp_ping[0] if bp_ping[0] is not None else "–",
        verdict(None if ad is None or bp_ping[0] is None else ad <= bp_ping[0])))
w("")

# ------------------------------------------------------------- micro --
w("## Micro-benchmarks (build/bench_micro, same run)\n")
if micro:
    def m(k):
        return micro.get(k)

    w("| measure | value | target |")
    w("|---|---|---|")

    def line(name, val, tgt):
        w("| %s | %s | %s |" % (name, val, tgt))

    for op in ("seal", "open"):
        core, raw, pkt = m("aead_%s_core_ns" % op), m("aead_%s_evp_ns" % op), m("packet_%s_ns" % op)
        if core and raw:
            eff = raw / core
            line("AEAD %s 1400 B: eesp_aead_%s vs raw EVP" % (op, op),
                 "%.0f ns vs %.0f ns (EVP/core = %.0f%%)" % (core, raw, 100 * eff),
                 "≥ 80%%%s" % verdict(eff >= 0.8))
        if pkt and raw:
            line("whole packet eesp_%s 1400 B (header, cached key, AEAD)%s" % (
                op, " incl. eesp_parse" if op == "open" else ""),
                 "%.0f ns (EVP/packet = %.0f%%)" % (pkt, 100 * raw / pkt), "")
    for k, name in (("derive_prekeyed_cmac_ns", "uncached derivation, CMAC, pre-keyed master "
                     "(eesp_prf_data_key: the cache-miss path)"),
                    ("derive_prekeyed_hmac_ns", "uncached derivation, HMAC, pre-keyed master"),
                    ("derive_cmac_ns", "uncached eesp_derive_data_key, CMAC (generic)"),
                    ("derive_hmac_ns", "uncached eesp_derive_data_key, HMAC (generic)"),
                    ("derive_newmaster_cmac_ns", "eesp_derive_data_key, CMAC, a new master each "
                     "call (re-keyed)"),
                    ("derive_newmaster_hmac_ns", "eesp_derive_data_key, HMAC, a new master each "
                     "call (re-keyed)")):
        if m(k):
            line(name, "%.0f ns" % m(k), "≤ 1000 ns%s" % verdict(m(k) <= 1000))
    if m("cached_lookup_ns"):
        line("cached data-key lookup through eesp_crypto (eesp_seal − eesp_seal_with_key, 64 B)",
             "%.1f ns" % m("cached_lookup_ns"), "≤ 50 ns%s" % verdict(m("cached_lookup_ns") <= 50))
    if m("miss_open_ns"):
        line("open with a new sender context (derive + key setup + open, 64 B)",
             "%.0f ns" % m("miss_open_ns"), "")
    if lo and fo:
        line("forged packet cycling every reachable (generation × tenant × group × flags) "
             "master, random node ids, derivation budget on (target 5a)",
             "%.0f ns = %.2f× a cached legitimate open (%.0f ns)" % (fo, fo / lo, lo),
             "≤ 2×%s" % verdict(fo <= 2 * lo))
    if lo and mi:
        line("legitimate open interleaved 1:1 with those forged packets",
             "%.0f ns (%+.0f%%)" % (mi, 100 * (mi / lo - 1)), "≤ +20%%%s" % verdict(mi <= 1.2 * lo))
    if m("forged_derive64_ns"):
        line("forged packet with no budget (master + data-key derivation, key setup, AEAD)",
             "%.0f ns" % m("forged_derive64_ns"), "")
    r1k, r1m = m("rss_1000_kib"), m("rss_1000000_kib")
    for k in ("rss_base_kib", "rss_1000_kib", "rss_100000_kib", "rss_1000000_kib"):
        if m(k):
            line("receiver RSS " + ("before traffic" if k == "rss_base_kib" else
                                     "after %s distinct senders" % k[4:-4]),
                 "%.0f KiB" % m(k), "")
    if r1k and r1m:
        g = (r1m - r1k) / r1k
        line("RSS growth 1 k → 1 M senders", "%+.1f%%" % (100 * g), "≤ 10%%%s" % verdict(g <= 0.10))
else:
    w("not run")
w("\nRaw output:\n\n```\n" + micro_text.strip("\n").rstrip() + "\n```\n")

if a.perf:
    try:
        prof = open(a.perf).read().strip("\n").rstrip()
    except OSError:
        prof = ""
    if prof:
        w("## Where eespd spends its time (perf record -g of both eespd, EESP mode, TCP stream)\n")
        w("Share of samples by object, then the top symbols (self time; `<date>.perf.txt` "
          "has more):\n\n```\n" + "\n".join(prof.splitlines()[:32]) + "\n```\n")
w("## Notes\n")
for s, why in notrun.items():
    for x in why:
        w("- %s not run, %s" % (s, x))
trials = [l.rstrip("\n").split("\t") for l in open(a.trials) if l.strip()]
w("- UDP sweep trials (round system kpps-asked ok delivered offered loss%%): %d, in "
  "`<date>.udp-trials.tsv`; raw rows in `<date>.raw.tsv`; eespd counters after each eespd "
  "measurement in `<date>.eespd-counters.txt`." % len(trials))
w("- Everything (both iperf3 ends, both daemons, the generators, softirq) shares the 2 vCPUs; "
  "see `bench/README.md` for the method and pitfalls.")
open(a.out, "w").write("\n".join(o) + "\n")

with open(a.dat, "w") as d:
    d.write("# idx label gbps_med gbps_min gbps_max udp_med udp_min udp_max ping_med ping_min ping_max\n")
    for i, s in enumerate([s for s in order if s in rows]):
        vals = []
        for k in ("tcp_gbps", "udp_kpps", "ping"):
            v = col(s, k) or [0]
            vals += [statistics.median(v), min(v), max(v)]
        d.write('%d "%s" %s\n' % (i, s, " ".join("%.4f" % x for x in vals)))
print(open(a.out).read())
