#!/usr/bin/env bash
# Same-run A/B/A of two Gatehouse jars with bench/bench.sh: "before" runs twice (before, before2)
# as its own noise control, "final" once, interleaved in every round, each pinned like every
# proxy of bench.sh (proxy on core 0, load and backends on core 1), 15 s of JIT warm-up each.
#   bench/ab.sh BEFORE.jar FINAL.jar        (build a jar: ./mvnw -B -q -pl router -am package
#                                            -DskipTests; it is router/target/gatehouse.jar)
# Environment: SCENARIOS (default "h1 tls h2"), ROUNDS (5), DURATION (10), OUT_DIR.
# The report's "vs before" column and the per-round ratios are in $OUT_DIR/report.md and raw.tsv;
# docs/benchmarks.md ("Run 6") shows how the runs were read (final / mean of the two copies).
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: $0 BEFORE.jar FINAL.jar" >&2; exit 2; }
BEFORE_JAR=$(realpath "$1")
FINAL_JAR=$(realpath "$2")
cd "$(dirname "$0")/.."
source bench/lib/gatehouse-cmd.sh
OPTS="-XX:+UseParallelGC -Xms256m -Xmx256m"
JAR=$BEFORE_JAR
B=$(gatehouse_cmd "$OPTS")
JAR=$FINAL_JAR
F=$(gatehouse_cmd "$OPTS")
export WARMUP_before=15 WARMUP_before2=15 WARMUP_final=15
export REF_PROXY=before REF_CEILING=final,before2
export SCENARIOS="${SCENARIOS:-h1 tls h2}" ROUNDS="${ROUNDS:-5}" DURATION="${DURATION:-10}"
export START_TIMEOUT=90
# HTTP 19080-19082 and HTTPS 19443-19445: bench.sh's own backends listen on 18081-18091.
exec bench/bench.sh "before|19080|19443|$B" "final|19081|19444|$F" "before2|19082|19445|$B"
