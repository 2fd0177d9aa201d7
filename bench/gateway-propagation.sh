#!/usr/bin/env bash
# Gateway API propagation for docs/benchmarks.md (issue #17): HTTPRoute created -> served on every
# node of a three-node cluster, over ROUTES routes created one at a time after WARMUP warm-up
# routes (io.gatehouse.bench.GatewayPropagationBench: a real etcd + kube-apiserver from the envtest
# build, the upstream Gateway API CRDs, three nodes in one JVM with leader election). Loopback only;
# bounded by ROUTES and a 30 s wait per route.
#   bench/gateway-propagation.sh                    # build, then 1,000 routes after 100 warm-up
#   SKIP_BUILD=1 ROUTES=200 bench/gateway-propagation.sh
#   MVN_ARGS="-o -Dmaven.repo.local=..." bench/gateway-propagation.sh
#   RAW=docs/results/gateway-propagation-DATE.raw.tsv bench/gateway-propagation.sh  # per-route rows
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
ROUTES=${ROUTES:-1000}
WARMUP=${WARMUP:-100}
OPENS="--add-exports java.base/jdk.internal.ref=ALL-UNNAMED --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED"
log() { printf '+++ [%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

cd "$root"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building (the bench and the k8s and cluster test-jars it uses)"
  # shellcheck disable=SC2086
  nice -n 19 ./mvnw -B -q -DskipTests package -pl bench/jmh -am ${MVN_ARGS:-}
fi
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . || echo ' (uncommitted changes)'), $(nproc) cores"
echo "uptime before: $(uptime)"
log "$ROUTES HTTPRoutes after $WARMUP warm-up"
# shellcheck disable=SC2086
java -Xmx2g $OPENS -Dgatehouse.envtest.logDir=bench/jmh/target/envtest ${RAW:+-Dgwprop.raw=$RAW} \
  -cp bench/jmh/target/benchmarks.jar io.gatehouse.bench.GatewayPropagationBench \
  "$ROUTES" "$WARMUP" 2>&1 | grep -v '^{'
echo "uptime after: $(uptime)"
