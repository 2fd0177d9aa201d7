#!/usr/bin/env bash
# Where Gatehouse spends its core: runs one scenario (SCENARIOS, default h1) against Gatehouse alone with a JFR
# recording, then buckets the CPU samples by layer (Netty codec/transport, Vert.x HTTP, Gatehouse,
# JDK) and lists the hottest frames.
#
#   bench/profile.sh            # writes $OUT_DIR/gatehouse.jfr and profile.md
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
JAR=${JAR:-$root/router/target/gatehouse.jar}
[[ -f $JAR ]] || (cd "$root" && ./mvnw -B -q -DskipTests package)
export OUT_DIR=${OUT_DIR:-${TMPDIR:-/tmp}/gatehouse-bench/profile-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT_DIR"
JFR="$OUT_DIR/gatehouse.jfr"
export ROUNDS=1 DURATION=${DURATION:-20} SCENARIOS=${SCENARIOS:-h1} WARMUP_gatehouse=${WARMUP_gatehouse:-15}
CMD="java -XX:+UseParallelGC -Xms256m -Xmx256m \
 -XX:StartFlightRecording=delay=$((WARMUP_gatehouse + 8))s,duration=$((DURATION - 2))s,filename=$JFR,settings=profile \
 -jar $JAR --http-host 127.0.0.1 --http-port \$HTTP_PORT --status-port 0 \
 --route a.example=127.0.0.1:\$BACKEND_A_PORT --route b.example=127.0.0.1:\$BACKEND_B_PORT \
 --default-backend 127.0.0.1:\$BACKEND_404_PORT --set log.access=false --set eventLoops=1"
"$here/bench.sh" "gatehouse|18200|-|$CMD" >/dev/null
jfr print --events jdk.ExecutionSample "$JFR" > "$OUT_DIR/samples.txt"
python3 "$here/lib/jfr-buckets.py" "$OUT_DIR/samples.txt" | tee "$OUT_DIR/profile.md"
