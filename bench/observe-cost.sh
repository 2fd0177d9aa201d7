#!/usr/bin/env bash
# What observing each request costs on the proxy path (issue #18): one Gatehouse jar started once
# per setting, side by side in one bench/bench.sh run (h1: 10-byte bodies, keep-alive), pinned like
# every proxy of bench.sh (proxy on core 0, load and backends on core 1).
#   bench/observe-cost.sh [JAR]        (default router/target/gatehouse.jar)
# Settings (KINDS, default all):
#   bare      metrics.enabled=false, access log off, tracing off: the reference
#   metrics   the default: request, upstream and connection series on
#   tracing   metrics off, tracing on at sampleRatio 0.01, exporting to a local sink (backend B,
#             which answers every POST with 200)
#   accesslog metrics off, the access log on (JSON, default fields) into a file under the run dir
#   bare2     bare again: the noise control
# Environment: KINDS, ROUNDS (3), DURATION (8), OUT_DIR, CHECK_ONLY=1. Result: $OUT_DIR/report.md
# (each kind's req/s and p99 against bare) and $OUT_DIR/paired.md (each round's ratio to that round's
# controls, median over rounds); docs/benchmarks.md, "Issue #18: what observing a request costs".
# A cost smaller than this machine's drift between runs: bench/observe-interleaved.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=$(realpath "${1:-router/target/gatehouse.jar}")
[[ -f $JAR ]] || { echo "no jar at $JAR: ./mvnw -B -q -pl router -am package -DskipTests" >&2; exit 2; }
OUT_DIR=${OUT_DIR:-${TMPDIR:-/tmp}/gatehouse-bench/observe-cost-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"
export BACKEND_A_PORT=18081 BACKEND_B_PORT=18082 BACKEND_404_PORT=18089
A="127.0.0.1:$BACKEND_A_PORT"
echo "routes: [{name: a, hosts: [a.example], backend: {endpoints: [\"$A\"]}}]" > "$OUT_DIR/routes.yaml"

# shellcheck source=lib/observe-settings.sh
. bench/lib/observe-settings.sh
settings() { observe_settings "$1" "$BACKEND_B_PORT" "\$RUN_DIR/access-$1.log"; }  # RUN_DIR: bench.sh's

specs=()
port=19200
kinds=(bare ${KINDS:-metrics tracing accesslog} bare2)
for k in "${kinds[@]}"; do
  specs+=("$k|$port|-|java -XX:+UseParallelGC -Xms256m -Xmx256m -jar $JAR --http-host 127.0.0.1 \
 --http-port \$HTTP_PORT --status-port 0 --routes-file $OUT_DIR/routes.yaml \
 --default-backend 127.0.0.1:\$BACKEND_404_PORT --set admin.enabled=false \
 --set store.dir=\$RUN_DIR/gatehouse-data-$k --set eventLoops=1 $(settings "$k")")
  export "WARMUP_$k=10"
  port=$((port + 1))
done
others=$(printf '%s,' "${kinds[@]:1}"); others=${others%,}
OUT_DIR="$OUT_DIR" SCENARIOS=h1 REF_PROXY=bare REF_CEILING=$others \
  ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-8} START_TIMEOUT=90 \
  bench/bench.sh ${CHECK_ONLY:+--check-only} "${specs[@]}"
# Paired figures: each round's req/s of a setting over the mean of that round's two controls, so a
# machine that drifts between rounds cancels out; the median and range over rounds.
python3 - "$OUT_DIR/raw.tsv" > "$OUT_DIR/paired.md" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader((l for l in open(sys.argv[1]) if not l.startswith('#')), delimiter='\t')]
by = {}
for r in rows:
    by.setdefault(r['round'], {})[r['target']] = float(r['rps'])
kinds = [k for k in dict.fromkeys(r['target'] for r in rows)]
print('| setting | per-round ratio to the controls\' mean: median [min-max] | rounds |')
print('|---|---|---|')
for k in kinds:
    ratios = [v[k] / ((v['bare'] + v['bare2']) / 2) for v in by.values()
              if k in v and 'bare' in v and 'bare2' in v]
    if ratios:
        print(f'| {k} | {statistics.median(ratios):.3f} [{min(ratios):.3f}-{max(ratios):.3f}] | {len(ratios)} |')
PY
cat "$OUT_DIR/paired.md"
echo "report: $OUT_DIR/report.md, paired ratios: $OUT_DIR/paired.md"
