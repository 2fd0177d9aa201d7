"""Report of bench/observe-interleaved.sh: each setting's windows against the bare processes' windows
of the same round (so drift between rounds cancels), the bare processes against each other as
the noise control, and how busy the compilers were while measuring.

Two measures per window: throughput (what the goal is stated in) and the process's own CPU time
per request. All processes share core 0, so a window's throughput also drops when an idle
process's timers or a neighbour on the host take the core; the CPU time a process spends per
request does not, so it is the steadier measure of what a setting costs. Window ratios have a
long low tail (a disturbed window), so medians, not means, summarise them.

usage: interleaved-report.py RAW_TSV CLK_TCK
"""
import csv
import statistics
import sys

raw, hz = sys.argv[1], float(sys.argv[2])
rows = list(csv.DictReader((l for l in open(raw) if not l.startswith('#')), delimiter='\t'))
rounds = {}
for r in rows:
    rounds.setdefault(r['round'], []).append(r)
kinds = list(dict.fromkeys(r['kind'] for r in rows))
has_cpu = bool(rows) and 'cpu_ns' in rows[0] and all(r.get('requests') for r in rows)


def cpu_per_request(x):
    return float(x['cpu_ns']) / float(x['requests']) if float(x['requests']) else None


def bare_ref(rs, measure, leave_out):
    v = [measure(x) for x in rs if x['kind'] == 'bare' and x['process'] != leave_out]
    v = [a for a in v if a]
    return statistics.median(v) if v else None


def quartiles(v):
    if len(v) < 4:
        return min(v), max(v)
    q = statistics.quantiles(v, n=4)
    return q[0], q[2]


print(f'{len(rounds)} rounds; a window\'s ratio is its value over the median of the bare processes\' '
      'windows in the same round (for a bare process: of the other bare processes); each cell '
      'is the median of a setting\'s window ratios, with the middle half of them in brackets. '
      'Throughput: higher is better; CPU per request (all the process\'s threads): lower is '
      'better, and its cost is the ratio minus one.\n')
head = '| setting | processes | windows | req/s median | throughput ratio to bare |'
rule = '|---|---|---|---|---|'
if has_cpu:
    head += ' CPU per request | CPU per request ratio to bare |'
    rule += '---|---|'
print(head + ' compilers while measuring |')
print(rule + '---|')
for k in kinds:
    tput, cpu, rps, cpus, procs, jit, secs = [], [], [], [], set(), 0.0, 0.0
    for rs in rounds.values():
        for x in rs:
            if x['kind'] != k:
                continue
            leave_out = x['process'] if k == 'bare' else None
            ref = bare_ref(rs, lambda y: float(y['rps']), leave_out)
            if not ref:
                continue
            procs.add(x['process'])
            tput.append(float(x['rps']) / ref)
            rps.append(float(x['rps']))
            jit += float(x['jit_ticks']) / hz
            secs += float(x['window_s'])
            if has_cpu:
                mine, cref = cpu_per_request(x), bare_ref(rs, cpu_per_request, leave_out)
                if mine and cref:
                    cpu.append(mine / cref)
                    cpus.append(mine)
    if not tput:
        continue
    lo, hi = quartiles(tput)
    line = (f'| {k} | {len(procs)} | {len(tput)} | {statistics.median(rps) / 1000:.1f}k | '
            f'**{statistics.median(tput):.3f}** [{lo:.3f}-{hi:.3f}] |')
    if has_cpu and cpu:
        clo, chi = quartiles(cpu)
        line += (f' {statistics.median(cpus) / 1000:.2f} µs | **{statistics.median(cpu):.3f}** '
                 f'[{clo:.3f}-{chi:.3f}] |')
    elif has_cpu:
        line += ' - | - |'
    print(f'{line} {100 * jit / secs:.1f} % of a core |')
