#!/usr/bin/env python3
"""Figures of one bench/kill-test.sh run, and the summary of a whole set.

    killbench-report.py run RUN_DIR        -> one raw.tsv row on stdout (header with --header),
                                              RUN_DIR/timeline.tsv (per second)
    killbench-report.py summary RAW_TSV    -> report.md on stdout
    killbench-report.py all OUT_DIR        -> both again for every run under OUT_DIR/runs

RUN_DIR holds requests.tsv and snmp.tsv (bench/lib/killbench-load.py), events.tsv (t0 as an epoch,
then kill, restart and listen in seconds from t0; target, method, round, killed endpoint) and the
endpoints' access logs (be1-access.log ..., "$msec METHOD URI STATUS").

Definitions (times from the kill unless said otherwise):
- failed: a measured request (scheduled at t >= 0) without a 2xx answer (a 5xx, or no answer).
- refused connects: the kernel's AttemptFails counter of the test's own network namespace: every
  connect to the dead endpoint, from requests and from health checks alike (20 ms samples).
- detection: the proxy has stopped sending requests to the dead endpoint. Walking the 20 ms
  sample intervals from the kill to the restart, a sign is an interval with a refused connect or
  a failed request (e.g. one in flight on a pooled connection when it died, which no connect
  shows); the first burst of signs ends at the first run of sign-free intervals in which the
  proxy answered BURST_GAP (100) requests or more with a 2xx. While the endpoint is in rotation,
  one request in four (or three) goes to it; health checks, once a second, are a thousand
  requests apart; a stall of the proxy answers nothing, and a stall of the client (the sampler
  runs in it) delays the answers and the next sample together, so neither ends a burst.
  Detection is the last sign of the first burst (the end of its sample interval, or the failed
  request's answer); with no sign before the first quiet run, the kill itself (0 ms): the proxy
  learnt it from its pooled connections, which the kill reset, and retried without a failure or
  a new connect. If the burst lasts until the restart, the endpoint was never detected. A health
  check that falls within 100 answers (0.1 s at 1,000 req/s) after the last request to the dead
  endpoint extends the burst to it: read detections as accurate to about 0.1 s.
- refused connects while down: between the kill and the restart (requests and health checks).
- failures before / after detection: by the time the client got the failure, against detection
  (plus one sample, 20 ms). After detection are e.g. nginx's retries of the endpoint each
  fail_timeout, or a failure after the restart.
- last failure: the time of the last failed request after the kill.
- proxy_log_down_ms: when the proxy's own log says the endpoint is out (a cross-check of
  detection): HAProxy's "is DOWN", Gatehouse's "endpoint ejected" or "endpoint fails its health check".
- recovery: from the moment the restarted endpoint listens again to its first load request
  (its own access log), and to the first 1 s window (from then on, in 0.1 s steps) in which it
  served at least 80 % of a fair share (a quarter of the rate).
"""
import bisect
import datetime
import glob
import json
import os
import statistics
import sys

BURST_GAP = 100  # requests answered (2xx) without a sign that end a burst
SAMPLE = 0.02


def read_tsv(path):
    with open(path) as f:
        head = f.readline().rstrip("\n").split("\t")
        return [dict(zip(head, l.rstrip("\n").split("\t"))) for l in f if l.strip()]


def read_events(path):
    ev = {}
    with open(path) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("\t")
            ev[k] = v
    return ev


def access_log(path, t0):
    """-> [(t from t0, uri)] of one endpoint."""
    out = []
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) >= 3:
                    out.append((float(p[0]) - t0, p[2]))
    except FileNotFoundError:
        pass
    return out


def pct(xs, q):
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def run(d):
    ev = read_events(f"{d}/events.tsv")
    t0, kill, restart, listen = (float(ev[k]) for k in ("t0_epoch", "kill", "restart", "listen"))
    stop, rate, killed = float(ev["stop"]), float(ev["rate"]), ev["killed"]
    names = ev["endpoints"].split(",")
    reqs = [r for r in read_tsv(f"{d}/requests.tsv") if float(r["t_sched"]) >= 0]
    for r in reqs:
        r["ok"] = r["status"].startswith("2")
        r["done"] = float(r["t_done"])
        r["send"] = float(r["t_send"])
    fails = [r for r in reqs if not r["ok"]]

    snmp = read_tsv(f"{d}/snmp.tsv")
    refused = []  # (t, n): sample time and the refused connects since the last sample
    for x, y in zip(snmp, snmp[1:]):
        n = int(y["AttemptFails"]) - int(x["AttemptFails"])
        if n > 0:
            refused.append((float(y["t"]), n))
    down_n = sum(n for t, n in refused if kill <= t < restart)
    after_kill = [r for r in fails if r["done"] >= kill]

    oks = sorted(r["done"] for r in reqs if r["ok"])
    bad = sorted(r["done"] for r in after_kill)
    count = lambda xs, a, b: bisect.bisect_right(xs, b) - bisect.bisect_right(xs, a)
    times = [float(x["t"]) for x in snmp]
    refs = [int(x["AttemptFails"]) for x in snmp]
    last_sign, quiet, burst_n, detected = kill, 0, 0, None
    for i in range(1, len(times)):
        a, b = max(times[i - 1], kill), min(times[i], restart)
        if b <= a:
            continue
        n, f = (refs[i] - refs[i - 1] if times[i] < restart else 0), count(bad, a, b)
        if n or f:
            if quiet >= BURST_GAP:
                detected = last_sign
                break
            last_sign = b if n else bad[bisect.bisect_right(bad, b) - 1]
            burst_n += n
            quiet = 0
        else:
            quiet += count(oks, a, b)
    if detected is None and quiet >= BURST_GAP:
        detected = last_sign

    before_kill = len(fails) - len(after_kill)
    if detected is not None:
        f_before = sum(1 for r in after_kill if r["done"] <= detected + SAMPLE)
        f_after = len(after_kill) - f_before
    else:
        f_before, f_after = len(after_kill), None
    last_fail = max((r["done"] for r in after_kill), default=None)
    kinds = {}
    for r in fails:
        k = r["error"] or r["status"]
        kinds[k] = kinds.get(k, 0) + 1

    logs = {n: access_log(f"{d}/{n}-access.log", t0) for n in names}
    load = {n: [t for t, uri in logs[n] if uri != "/healthz"] for n in names}
    checks = [t for t, uri in logs[killed] if uri == "/healthz"]
    back = [t for t in load[killed] if t >= listen]
    first_back = back[0] - listen if back else None
    fair, share_back = 0.8 * rate / len(names), None
    s = listen
    while s + 1 <= stop:
        if sum(1 for t in back if s <= t < s + 1) >= fair:
            share_back = s - listen
            break
        s += 0.1

    # What the proxy itself says, where its log has the time to the ms: HAProxy ("iso" format,
    # "Server be/be2 is DOWN") and Gatehouse (JSON, "endpoint ejected" or marked unhealthy)
    said_down, address = "", ev.get("killed_address", "127.0.0.1:1810" + killed[-1])
    try:
        with open(f"{d}/proxy.log") as f:
            for line in f:
                stamp = None
                if f"Server be/{killed} is DOWN" in line and line[:1].isdigit():
                    stamp = line.split()[0]
                elif line.startswith("{") and f'"{address}"' in line:
                    j = json.loads(line)
                    if j.get("message") in ("endpoint ejected", "endpoint fails its health check"):
                        stamp = j.get("time")
                if stamp:
                    t = datetime.datetime.fromisoformat(stamp).timestamp() - t0
                    if t >= kill:
                        said_down = round(1000 * (t - kill))
                        break
    except (FileNotFoundError, ValueError):
        pass

    lat = [1000 * (r["done"] - r["send"]) for r in reqs if r["ok"]]
    row = {
        "round": ev["round"], "target": ev["target"], "method": ev["method"],
        "requests": len(reqs), "failed": len(fails), "failed_before_kill": before_kill,
        "failed_before_detection": f_before,
        "failed_after_detection": "" if f_after is None else f_after,
        "detection_ms": "" if detected is None else round(1000 * (detected - kill)),
        "last_failure_s": "" if last_fail is None else round(last_fail - kill, 3),
        "refused_burst": burst_n, "refused_while_down": down_n,
        "recovery_first_s": "" if first_back is None else round(first_back, 3),
        "recovery_share_s": "" if share_back is None else round(share_back, 1),
        "listen_after_restart_ms": round(1000 * (listen - restart)),
        "failure_kinds": ",".join(f"{k}:{v}" for k, v in sorted(kinds.items())) or "-",
        "p50_ms": round(statistics.median(lat), 2) if lat else 0,
        "p99_ms": round(pct(lat, 0.99), 2), "max_ms": round(max(lat, default=0), 1),
        "late_sends": sum(1 for r in reqs if r["send"] - float(r["t_sched"]) > 0.05),
        "checks_to_killed": len(checks), "proxy_log_down_ms": said_down,
    }

    with open(f"{d}/timeline.tsv", "w") as f:
        f.write("# t from the measured start; kill at %.3f, restart at %.3f, listening at %.3f\n"
                % (kill, restart, listen))
        f.write("second\tsent\tok\tfailed\t" + "\t".join(f"{n}_served" for n in names)
                + f"\t{killed}_checks\trefused_connects\tp50_ms\tp99_ms\tmax_ms\n")
        for sec in range(int(stop)):
            inb = [r for r in reqs if sec <= r["send"] < sec + 1]
            ok = [1000 * (r["done"] - r["send"]) for r in inb if r["ok"]]
            served = [sum(1 for t in load[n] if sec <= t < sec + 1) for n in names]
            ch = sum(1 for t in checks if sec <= t < sec + 1)
            rf = sum(n for t, n in refused if sec <= t < sec + 1)
            f.write(f"{sec}\t{len(inb)}\t{len(ok)}\t{len(inb) - len(ok)}\t"
                    + "\t".join(map(str, served))
                    + f"\t{ch}\t{rf}\t{statistics.median(ok) if ok else 0:.2f}\t"
                    f"{pct(ok, 0.99):.2f}\t{max(ok, default=0):.1f}\n")
    return row


COLS = ["round", "target", "method", "requests", "failed", "failed_before_kill",
        "failed_before_detection", "failed_after_detection", "detection_ms", "last_failure_s",
        "refused_burst", "refused_while_down", "recovery_first_s", "recovery_share_s",
        "listen_after_restart_ms", "failure_kinds", "p50_ms", "p99_ms", "max_ms", "late_sends",
        "checks_to_killed", "proxy_log_down_ms"]


def summary(raw):
    rows = read_tsv(raw)
    print("| target | method | round | failed: total / before detection / after | detection | "
          "last failure | refused connects: burst / while down | recovery: first request / 80 % share | "
          "failure kinds | p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    key = lambda r: (r["target"], r["method"], int(r["round"]))
    for r in sorted(rows, key=key):
        det = f'{r["detection_ms"]} ms' if r["detection_ms"] else "never (until restart)"
        if r.get("proxy_log_down_ms"):
            det += f' (log: {r["proxy_log_down_ms"]} ms)'
        after = r["failed_after_detection"] if r["failed_after_detection"] != "" else "-"
        last = f'{r["last_failure_s"]} s' if r["last_failure_s"] else "-"
        rec1 = f'{r["recovery_first_s"]} s' if r["recovery_first_s"] else "none"
        rec2 = f'{r["recovery_share_s"]} s' if r["recovery_share_s"] else "none"
        print(f'| {r["target"]} | {r["method"]} | {r["round"]} | {r["failed"]} / '
              f'{r["failed_before_detection"]} / {after} | {det} | {last} | '
              f'{r["refused_burst"]} / {r["refused_while_down"]} | {rec1} / {rec2} | '
              f'{r["failure_kinds"]} | {r["p99_ms"]} ms |')


if __name__ == "__main__":
    if sys.argv[1] == "run":
        row = run(sys.argv[2])
        if "--header" in sys.argv:
            print("\t".join(COLS))
        print("\t".join(str(row[c]) for c in COLS))
    elif sys.argv[1] == "summary":
        summary(sys.argv[2])
    elif sys.argv[1] == "all":  # figures again from every run's raw files: raw.tsv, report.md
        out = sys.argv[2]
        with open(f"{out}/raw.tsv", "w") as f:
            f.write("\t".join(COLS) + "\n")
            for d in sorted(glob.glob(f"{out}/runs/*/events.tsv")):
                row = run(os.path.dirname(d))
                f.write("\t".join(str(row[c]) for c in COLS) + "\n")
        with open(f"{out}/report.md", "w") as f:
            sys.stdout = f
            summary(f"{out}/raw.tsv")
    else:
        sys.exit("usage: killbench-report.py run RUN_DIR [--header] | summary RAW_TSV | all OUT_DIR")
