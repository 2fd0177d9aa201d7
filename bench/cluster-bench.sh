#!/usr/bin/env bash
# Cluster figures for docs/benchmarks.md (issue #4 and #5):
#  1. propagation: acknowledgement -> served on all three nodes, over WRITES writes, at 1,000 and
#     10,000 existing routes (three nodes in one JVM: io.gatehouse.bench.PropagationBench);
#  2. admin write latency over REST against a three-node cluster of separate processes, with and
#     without ?wait=all (bench/admin/AdminWriteLatency.java), at EXISTING routes (default
#     "0 10000"; a fresh cluster for each size). ?wait=all answers once all three nodes serve the
#     write, so its latency bounds acknowledgement -> served over real node processes.
# Everything binds 127.0.0.1; the run is bounded by WRITES (default 1000).
#   bench/cluster-bench.sh            # both
#   PARTS=propagation bench/cluster-bench.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
WRITES=${WRITES:-1000}
PARTS=${PARTS:-"propagation admin"}
EXISTING=${EXISTING:-"0 10000"}
OPENS="--add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
log() { printf '+++ [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

cd "$root"
log "building"
./mvnw -B -q -DskipTests package -pl router,bench/jmh -am

if [[ " $PARTS " == *" propagation "* ]]; then
  for existing in 1000 10000; do
    log "propagation at $existing existing routes, $WRITES writes"
    java -Xmx2g $OPENS -cp bench/jmh/target/benchmarks.jar io.gatehouse.bench.PropagationBench \
      "$existing" "$WRITES" 2>&1 | grep -v '^{'
  done
fi

if [[ " $PARTS " == *" admin "* ]]; then
  work=$(mktemp -d)
  pids=()
  stop_nodes() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
  cleanup() { stop_nodes; rm -rf "$work"; }
  trap cleanup EXIT
  token="bench.$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 40)"
  for existing in $EXISTING; do
    rm -rf "$work"/node*
    for i in 1 2 3; do
      java -Xmx512m -jar router/target/gatehouse.jar \
        --config "router/src/main/resources/examples/cluster-node$i.yaml" \
        --set "store.dir=$work/node$i" --set "admin.token=$token" \
        --set admin.ratePerSecond=100000 --set admin.rateBurst=100000 \
        --set demo.echoUpstream= --set routes.file= --set log.level=warn >"$work/node$i.log" 2>&1 &
      pids+=($!)
    done
    for i in 1 2 3; do
      # the example configurations use fixed ports; wait for each node's readiness (bounded)
      for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:990$i/readyz" >/dev/null && break
        sleep 0.5
      done
    done
    log "admin write latency against node 1 of 3 at $existing existing routes ($WRITES writes each way)"
    java bench/admin/AdminWriteLatency.java http://127.0.0.1:9911 "$token" "$WRITES" "$existing"
    stop_nodes
  done
fi
