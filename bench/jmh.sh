#!/usr/bin/env bash
# JMH: route lookup (ns/op at 10, 1,000, 100,000 routes) and snapshot compile, full and
# incremental (ms/op at 1,000, 10,000, 100,000 routes; the pattern "CompileBenchmark" also selects
# IncrementalCompileBenchmark). Pin with PIN=0 to run on one core.
#   bench/jmh.sh                 # defaults in the benchmark classes (3 warm-up, 5 measured, 1 fork)
#   bench/jmh.sh -f 1 -wi 2 -i 3 # any JMH option is passed through
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
(cd "$root" && ./mvnw -B -q -DskipTests package -pl bench/jmh -am)
PIN=${PIN:-}
run() { if [[ -n $PIN ]]; then taskset -c "$PIN" "$@"; else "$@"; fi; }
run java -jar "$here/jmh/target/benchmarks.jar" "LookupBenchmark|CompileBenchmark" -rf text "$@"
