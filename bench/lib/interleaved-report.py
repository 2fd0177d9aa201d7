"""Report of bench/observe-interleaved.sh: each setting's windows against the bare processes' windows
of the same round (so drift between rounds cancels), the bare processes against each other as
the noise control, and how busy the compilers were while measuring.

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


def bare_mean(rs, leave_out=None):
    v = [float(x['rps']) for x in rs if x['kind'] == 'bare' and x['process'] != leave_out]
    return sum(v) / len(v) if v else None


print(f'{len(rounds)} rounds; a ratio is a window\'s req/s over the mean of the bare processes\' '
      'windows in the same round (for a bare process: over the other bare processes).\n')
print('| setting | processes | req/s median | ratio to bare: median of rounds [min-max] | '
      'per process (median of its rounds) | compilers while measuring |')
print('|---|---|---|---|---|---|')
for k in kinds:
    per_round, per_proc, rps, jit, secs = [], {}, [], 0.0, 0.0
    for rs in rounds.values():
        ratios = []
        for x in rs:
            if x['kind'] != k:
                continue
            ref = bare_mean(rs, x['process'] if k == 'bare' else None)
            if not ref:
                continue
            ratio = float(x['rps']) / ref
            ratios.append(ratio)
            per_proc.setdefault(x['process'], []).append(ratio)
            rps.append(float(x['rps']))
            jit += float(x['jit_ticks']) / hz
            secs += float(x['window_s'])
        if ratios:
            per_round.append(sum(ratios) / len(ratios))
    if not per_round:
        continue
    procs = ', '.join(f'{statistics.median(v):.3f}' for _, v in sorted(per_proc.items()))
    print(f'| {k} | {len(per_proc)} | {statistics.median(rps) / 1000:.1f}k | '
          f'**{statistics.median(per_round):.3f}** [{min(per_round):.3f}-{max(per_round):.3f}] | '
          f'{procs} | {100 * jit / secs:.1f} % of a core |')
