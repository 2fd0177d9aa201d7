#!/usr/bin/env bash
# Where Gatehouse spends its core: runs one scenario (SCENARIOS, default h1) against Gatehouse alone with a JFR
# recording, then buckets the CPU samples by layer (Netty codec/transport, Vert.x HTTP, Gatehouse,
# JDK) and lists the hottest frames.
#
#   bench/profile.sh                      # writes $OUT_DIR/gatehouse.jfr and profile.md
#   SCENARIOS=hs-full bench/profile.sh    # any scenario of bench.sh, TLS ones included
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
JAR=${JAR:-$root/router/target/gatehouse.jar}
[[ -f $JAR ]] || (cd "$root" && ./mvnw -B -q -DskipTests package)
export OUT_DIR=${OUT_DIR:-${TMPDIR:-/tmp}/gatehouse-bench/profile-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"
JFR="$OUT_DIR/gatehouse.jfr"
export ROUNDS=1 DURATION=${DURATION:-20} SCENARIOS=${SCENARIOS:-h1} WARMUP_gatehouse=${WARMUP_gatehouse:-15}
source "$here/lib/gatehouse-cmd.sh"
# The recording starts after the warm-up and the quiet-gate pause and ends before the run does.
CMD=$(gatehouse_cmd "-XX:+UseParallelGC -Xms256m -Xmx256m \
 -XX:StartFlightRecording=delay=$((WARMUP_gatehouse + 8))s,duration=$((DURATION - 2))s,filename=$JFR,settings=profile")
"$here/bench.sh" "gatehouse|18200|18643|$CMD" >/dev/null
[[ -s $JFR ]] || { echo "no recording in $JFR: was the run shorter than the delay?" >&2; exit 1; }
jfr print --events jdk.ExecutionSample "$JFR" > "$OUT_DIR/samples.txt"
python3 "$here/lib/jfr-buckets.py" "$OUT_DIR/samples.txt" | tee "$OUT_DIR/profile.md"
