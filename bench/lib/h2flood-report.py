#!/usr/bin/env python3
"""raw.tsv of bench/h2-flood.sh -> markdown: medians over rounds [min-max], during/idle ratios."""
import csv
import statistics
import sys


def rows(path):
    with open(path) as f:
        lines = [l for l in f if not l.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def span(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    m = fmt(statistics.median(vals))
    return m if len(vals) == 1 else f"{m} [{fmt(min(vals))}–{fmt(max(vals))}]"


ms = lambda us: f"{us / 1000:.1f}"
num = lambda v: f"{v:.0f}"
ratio = lambda v: f"{v:.1f}×"
mib = lambda kb: f"{kb / 1024:.0f}"


def main():
    path = sys.argv[1]
    header = [l for l in open(path) if l.startswith("#")]
    data = rows(path)
    groups = {}
    for r in data:
        groups.setdefault((r["target"], r["scheme"]), []).append(r)
    f = lambda rs, k: [float(r[k]) for r in rs if r[k] not in ("", None)]
    out = ["# HTTP/2 floods beside a legitimate client", ""]
    out += ["```"] + [h.rstrip() for h in header] + ["```", ""]
    out += ["Medians over rounds [min–max]. Latencies in ms of sequential requests on one h2 connection "
            "(h2load -c1 -m1); *during* counts only requests started inside the flood window. "
            "Ratio = during p99 / idle p99 of the same round (none when no legitimate request was answered during "
            "the floods: see the errors).", ""]
    out.append("| target | scheme | rounds | idle p50 | idle p99 | during p50 | during p99 | during max | "
               "**p99 during/idle** | legit errors (sum) | legit req during | flood window s | proxy core busy % | load core busy % | flooder CPU ms |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (t, s), rs in groups.items():
        # no ratio for a round whose legitimate client got no answer during the floods
        ratios = [float(r["during_p99_us"]) / float(r["idle_p99_us"]) for r in rs
                  if float(r["idle_p99_us"] or 0) > 0 and float(r["during_n"] or 0) > 0]
        errs = sum(int(float(r["idle_err"] or 0)) + int(float(r["during_err"] or 0)) for r in rs)
        out.append(f"| {t} | {s} | {len(rs)} | {span(f(rs, 'idle_p50_us'), ms)} | {span(f(rs, 'idle_p99_us'), ms)} | "
                   f"{span(f(rs, 'during_p50_us'), ms)} | {span(f(rs, 'during_p99_us'), ms)} | "
                   f"{span(f(rs, 'during_max_us'), ms)} | **{span(ratios, ratio)}** | {errs} | {span(f(rs, 'during_n'), num)} | "
                   f"{span(f(rs, 'flood_secs'), lambda v: f'{v:.1f}')} | {span(f(rs, 'proxy_core_busy'), num)} | "
                   f"{span(f(rs, 'load_core_busy'), num)} | {span(f(rs, 'flooder_cpu_ms'), num)} |")
    out += ["", "Flooding connections (per round: opened; cut by the proxy; cut but seen only after a drain read, "
            "time unknown; survived = still open when the attacker gave up at its limit), time from the end of the "
            "TLS handshake to the cut, proxy CPU and memory. Flood CPU per connection = (CPU of the during run - "
            "its legitimate requests at the idle run's CPU per request) / flooding connections.", ""]
    out.append("| target | scheme | flood conns | cut | cut (late) | survived | cut p50 ms | cut max ms | "
               "frames sent | proxy CPU idle run ms | proxy CPU during ms | flood CPU ms / flood conn | flood CPU ms / M frames | RSS before MiB | peak RSS MiB | RSS after MiB | proxy log bytes |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for (t, s), rs in groups.items():
        # CPU the floods cost: the during run's CPU less what its legitimate requests cost at the idle
        # run's CPU per request, per flooding connection
        flood_cpu = [max(0.0, float(r["proxy_cpu_during_ms"]) - float(r["proxy_cpu_idle_ms"]) / max(1.0, float(r["idle_n"]))
                         * float(r["during_n"])) for r in rs]
        per_mframe = [c / (float(r["flood_frames"]) / 1e6) for c, r in zip(flood_cpu, rs) if float(r["flood_frames"] or 0) > 0]
        per = [max(0.0, float(r["proxy_cpu_during_ms"]) - float(r["proxy_cpu_idle_ms"]) / max(1.0, float(r["idle_n"]))
                   * float(r["during_n"])) / float(r["flood_conns"]) for r in rs if float(r["flood_conns"] or 0) > 0]
        out.append(f"| {t} | {s} | {span(f(rs, 'flood_conns'), num)} | {span(f(rs, 'flood_cut'), num)} | "
                   f"{span(f(rs, 'flood_cut_late'), num)} | {span(f(rs, 'flood_survived'), num)} | "
                   f"{span(f(rs, 'cut_ms_p50'), num)} | {span(f(rs, 'cut_ms_max'), num)} | "
                   f"{span(f(rs, 'flood_frames'), lambda v: f'{v / 1e6:.1f} M')} | "
                   f"{span(f(rs, 'proxy_cpu_idle_ms'), num)} | {span(f(rs, 'proxy_cpu_during_ms'), num)} | "
                   f"{span(per, lambda v: f'{v:.1f}')} | {span(per_mframe, num)} | {span(f(rs, 'rss_before_kb'), mib)} | "
                   f"{span(f(rs, 'peak_rss_kb'), mib)} | {span(f(rs, 'rss_after_kb'), mib)} | {span(f(rs, 'log_bytes'), num)} |")
    if len(sys.argv) > 2:
        kinds = {}
        for r in rows(sys.argv[2]):
            kinds.setdefault((r["target"], r["scheme"], r["kind"]), []).append(r)
        out += ["", "Per flood kind (medians over rounds): connections opened, cut by the proxy (+ cut seen late), "
                "survived, stalled = the proxy stopped reading (back-pressure) before the connection ended, "
                "time to the cut.", ""]
        out.append("| target | scheme | kind | conns | cut | cut (late) | survived | stalled | cut p50 ms | cut max ms | frames sent |")
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for (t, s, k), rs in kinds.items():
            out.append(f"| {t} | {s} | {k} | " + " | ".join(span(f(rs, c), num) for c in
                       ("conns", "cut", "cut_late", "survived", "stalled", "cut_ms_p50", "cut_ms_max"))
                       + f" | {span(f(rs, 'frames'), lambda v: f'{v / 1e3:.0f} k')} |")
    loads = [float(r["load1"]) for r in data if r.get("load1")]
    if loads:
        out += ["", f"1-minute load average at the start of the flood runs: {min(loads):.2f}–{max(loads):.2f} "
                "(2 cores; above ~1.5 other work shared the cores and the figures are not a benchmark)."]
    print("\n".join(out))


if __name__ == "__main__":
    main()
